// Forwarding a request to an upstream server (WireMock's proxyBaseUrl stubs, --proxy-all and
// mockd's --proxy-unmatched) and answering with what came back.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/client.h"
#include "http/request.h"
#include "http/response.h"

namespace mockd::http {

struct ProxySpec {
    std::string url;  // the whole upstream URL: base, then the request's path and query
    // Sent after the client's headers, even where the client sent the same name (as WireMock's
    // additionalProxyRequestHeaders are).
    std::vector<std::pair<std::string, std::string>> addHeaders;
    std::vector<std::string> removeHeaders;  // not forwarded (any case)
    bool preserveHost = false;               // forward the client's Host instead of the upstream's
    std::chrono::milliseconds timeout{300000};
};

// The upstream URL for `req`: `base` (its trailing slash kept as written) followed by the
// request's target, with `prefixToRemove` taken off the target's start when present.
std::string proxyUrl(std::string_view base, const Request& req, std::string_view prefixToRemove);

// The upstream request: the client's method, headers and body, except Content-Length,
// Transfer-Encoding, Connection and Expect, which the client library sets itself.
http::ClientRequest upstreamRequest(const Request& req, const ProxySpec& spec);

// The upstream's answer as this server's response: its status, reason and headers (less
// Transfer-Encoding, Connection, Keep-Alive, Content-Length and Date, which the codec writes),
// then `extraHeaders`, then the body.
// With `dropCors` the upstream's Access-Control-* headers are left out (this server answers
// CORS itself: --enable-stub-cors).
void upstreamResponse(const http::ClientResponse& res, std::string_view extraHeaders, bool head,
                      Response& out, bool dropCors = false);

}  // namespace mockd::http
