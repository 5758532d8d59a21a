#include "http/proxy.h"

#include <algorithm>

#include "http/request.h"
#include "http/response.h"

namespace mockd::http {

std::string proxyUrl(std::string_view base, const Request& req, std::string_view prefixToRemove) {
    std::string target(req.rawPath);
    if (!req.rawQuery.empty()) {
        target += '?';
        target += req.rawQuery;
    }
    if (!prefixToRemove.empty() && target.starts_with(prefixToRemove))
        target.erase(0, prefixToRemove.size());
    std::string url(base);
    url += target;
    return url;
}

namespace {
bool named(std::string_view name, std::initializer_list<std::string_view> names) {
    return std::any_of(names.begin(), names.end(),
                       [&](std::string_view n) { return iequals(name, n); });
}
}  // namespace

http::ClientRequest upstreamRequest(const Request& req, const ProxySpec& spec) {
    http::ClientRequest up;
    up.method = std::string(req.method);
    up.url = spec.url;
    up.timeout = spec.timeout;
    auto removed = [&](std::string_view name) {
        if (named(name, {"content-length", "transfer-encoding", "connection", "expect"}))
            return true;
        if (!spec.preserveHost && iequals(name, "host")) return true;
        return std::any_of(spec.removeHeaders.begin(), spec.removeHeaders.end(),
                           [&](const std::string& r) { return iequals(name, r); });
    };
    for (const auto& h : req.headers)
        if (!removed(h.name)) up.headers.emplace_back(std::string(h.name), std::string(h.value));
    for (const auto& h : spec.addHeaders) up.headers.push_back(h);
    up.body = std::string(req.body);
    up.sendBody = !req.body.empty() || !req.header("Content-Length").empty() ||
                  !req.header("Transfer-Encoding").empty();
    return up;
}

void upstreamResponse(const http::ClientResponse& res, std::string_view extraHeaders, bool head,
                      Response& out, bool dropCors) {
    for (const auto& [name, value] : res.headers) {
        if (named(name,
                  {"transfer-encoding", "connection", "keep-alive", "content-length", "date"}))
            continue;
        if (dropCors && name.size() >= 14 &&
            iequals(std::string_view(name).substr(0, 14), "access-control"))
            continue;
        out.addHeader(name, value);
    }
    out.headers += extraHeaders;
    out.status = res.status;
    out.reason = res.reason;
    out.setBody(res.body);
    out.headOnly = head;
}

}  // namespace mockd::http
