// A parsed HTTP request as views into the connection's buffers: no copies on the hot path.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mockd::core {

struct ClientCert;

// Path captures of a matched request: {name} values, wildcards and regex named groups.
using Captures = std::vector<std::pair<std::string, std::string>>;

struct Header {
    std::string_view name;
    std::string_view value;
};

bool iequals(std::string_view a, std::string_view b);

struct Request {
    std::string_view method;
    std::string_view target;    // as sent: path and query
    std::string_view rawPath;   // target up to '?'
    std::string_view rawQuery;  // after '?', without it
    std::string_view path;      // percent-decoded path (a view of rawPath when nothing to decode)
    std::vector<Header> headers;
    std::string_view body;
    unsigned version = 11;  // 10 or 11
    bool keepAlive = true;
    std::string_view remoteAddress;
    unsigned short localPort = 0;  // the port the request arrived on
    bool secure = false;           // arrived over TLS (the HTTPS port)
    // What the client's TLS certificate says (HTTPS only; `present` is false without one).
    const ClientCert* clientCert = nullptr;

    // First value of a header, case-insensitive; empty when absent.
    std::string_view header(std::string_view name) const {
        for (const auto& h : headers)
            if (iequals(h.name, name)) return h.value;
        return {};
    }
    bool hasHeader(std::string_view name) const {
        for (const auto& h : headers)
            if (iequals(h.name, name)) return true;
        return false;
    }
};

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
        if (x != y) return false;
    }
    return true;
}

}  // namespace mockd::core
