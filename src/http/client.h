// An HTTP/1.1 client for proxying and webhooks: asynchronous on the caller's io_context, with
// per-thread keep-alive reuse per origin and one deadline for the whole exchange.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace mockd::http {

struct Url {
    std::string scheme;  // "http" or "https"
    std::string host;    // without brackets for IPv6
    std::string port;    // always set ("80"/"443" by default)
    std::string target;  // path and query, at least "/"
    // host[:port] as the Host header names it (the port only when it is not the default).
    std::string authority() const;
};

// Parses an absolute http(s) URL; on failure returns false and says why in `err`.
bool parseUrl(std::string_view text, Url& out, std::string& err);

struct ClientRequest {
    std::string method = "GET";
    std::string url;
    // Sent in order with their case; a Host header is added when none is given.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool sendBody = false;  // send Content-Length (and the body) even when the body is empty
    std::chrono::milliseconds timeout{300000};
    size_t maxBodyBytes = size_t{64} * 1024 * 1024;
    // HTTPS: the server's certificate must chain to a trusted CA (the system's, or the bundle
    // SSL_CERT_FILE names) and name the host. Off for what mocks talk to (proxy targets and
    // webhook receivers are test systems, often self-signed, as WireMock accepts them); on for
    // documents mockd reads (imports, specs).
    bool verifyCertificate = false;
};

struct ClientResponse {
    int status = 0;  // 0 when the exchange failed
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;  // as received
    std::string body;                                          // de-chunked
    std::string error;  // why the exchange failed ("Connection refused", "Read timed out", ...)
    bool timedOut = false;
};

// Sends `req` and calls `done` on `ctx` with the answer. Must be called on the thread that runs
// `ctx`: idle connections are kept per thread and reused for the same origin. A reused
// connection the server had closed is retried once on a new one.
void fetch(boost::asio::io_context& ctx, ClientRequest req,
           std::function<void(ClientResponse)> done);

// Closes this thread's idle connections (a worker that stops).
void closeIdleConnections();

}  // namespace mockd::http
