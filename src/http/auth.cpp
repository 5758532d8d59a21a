// Admin API access rules.
#include "http/auth.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fstream>
#include <random>

namespace mockd::http {

bool isLoopbackAddress(std::string_view a) {
    // Only a literal address counts: "127.0.0.1.evil.example" is a name, not loopback.
    std::string s(a);
    in_addr v4{};
    if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (::inet_pton(AF_INET6, s.c_str(), &v6) != 1) return false;
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) return v6.s6_addr[12] == 127;
    return false;
}

std::string_view hostWithoutPort(std::string_view host) {
    if (host.starts_with("[")) {
        size_t close = host.find(']');
        return close == std::string_view::npos ? host.substr(1) : host.substr(1, close - 1);
    }
    size_t colon = host.rfind(':');
    if (colon != std::string_view::npos && host.find(':') == colon) return host.substr(0, colon);
    return host;
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    size_t n = std::max(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
        unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

std::string generateApiKey() {
    std::random_device rd;
    std::string key = "mk_";
    const char* hex = "0123456789abcdef";
    for (int i = 0; i < 32; ++i) {
        auto b = static_cast<unsigned>(rd()) & 0xff;
        key += hex[b >> 4];
        key += hex[b & 15];
    }
    return key;
}

namespace {

bool loopbackHost(std::string_view host, const AccessPolicy& p) {
    std::string_view h = hostWithoutPort(host);
    if (h.empty()) return true;  // HTTP/1.0 without Host
    return core::iequals(h, "localhost") || isLoopbackAddress(h) ||
           (!p.hostname.empty() && core::iequals(h, p.hostname));
}

// A browser's Origin naming a page outside this machine.
bool foreignOrigin(std::string_view origin, const AccessPolicy& p) {
    if (origin.empty()) return false;
    size_t scheme = origin.find("://");
    if (scheme == std::string_view::npos) return true;  // "null" and the like
    std::string_view host = origin.substr(scheme + 3);
    host = host.substr(0, host.find('/'));
    return !loopbackHost(host, p);
}

std::string_view presentedKey(const core::Request& req) {
    std::string_view k = req.header("X-API-Key");
    if (!k.empty()) return k;
    std::string_view auth = req.header("Authorization");
    if (auth.size() > 7 && core::iequals(auth.substr(0, 7), "Bearer ")) return auth.substr(7);
    return {};
}

}  // namespace

std::optional<Denial> checkAccess(const core::Request& req, const AccessPolicy& p) {
    std::string_view key = presentedKey(req);
    const bool keyOk = !p.apiKey.empty() && !key.empty() && constantTimeEquals(key, p.apiKey);
    const bool crossSite = foreignOrigin(req.header("Origin"), p) ||
                           core::iequals(req.header("Sec-Fetch-Site"), "cross-site");
    if (crossSite && !keyOk)
        return Denial{403, "forbidden",
                      "cross-site requests to the admin API are refused (send the API key to "
                      "call it from elsewhere)"};
    if (keyOk || p.noAuth) return std::nullopt;
    if (isLoopbackAddress(req.remoteAddress) && loopbackHost(req.header("Host"), p))
        return std::nullopt;
    if (!key.empty()) return Denial{401, "invalid_api_key", "the API key is not valid"};
    return Denial{401, "missing_api_key",
                  "an API key is required from this address: send it as X-API-Key or "
                  "Authorization: Bearer (the key is in MOCKD_API_KEY or the admin-api-key file "
                  "in the data directory)"};
}

}  // namespace mockd::http
