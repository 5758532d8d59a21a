// The structured response every handler returns, and the HTTP/1.1 codec that alone turns it
// into bytes. Handlers and filters set fields; they never see the connection's buffer or whether
// the connection closes after the response.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/encoding.h"
#include "core/mock.h"

namespace boost::asio {
class io_context;
}

namespace mockd::http {

std::string_view reasonPhrase(int status);

// The current time as an IMF-fixdate, cached per thread and refreshed once a second.
std::string_view httpDate();

// Content-Type mockd picks for a body when the mock sets none (core/encoding.h).
using core::sniffContentType;

// Appends "Name: value\r\n", dropping CR/LF from both so a header cannot be split.
using core::appendHeaderLine;

// A response body that keeps coming after the head (server-sent events, chunked streams).
// Producers may push from any thread; the data is written in order on the connection's own
// thread. A stream is its connection's last response: the connection closes after it.
class Stream {
  public:
    virtual ~Stream() = default;
    virtual void push(std::string data) = 0;
    // Ends the body cleanly (a chunked stream's last chunk); the connection closes once what
    // was pushed is written.
    virtual void finish() = 0;
    // Cuts the connection without ending the body (a reset): the client sees it broken.
    virtual void abort() = 0;
    virtual bool closed() const = 0;
    // Runs once, on the connection's thread, when the stream ends for any reason: finished,
    // aborted, the client gone or the server stopping.
    virtual void onClose(std::function<void()> fn) = 0;
    // The connection's event loop: a producer running there (timers) pushes without a hop.
    virtual boost::asio::io_context& context() = 0;
};

// How a response reaches the client, beyond its status, headers and body.
struct Delivery {
    // Instead of the response: a connection-level fault.
    enum class Fault : uint8_t {
        None,
        // The connection is reset (RST): nothing of this response is sent; earlier pipelined
        // responses still go out first.
        Reset,
        Empty,           // the connection closes without a byte of this response
        MalformedChunk,  // a chunked head (none when the connection closes anyway), then garbage
        RandomData,      // garbage instead of a response, then close
    };
    Fault fault = Fault::None;
    uint32_t delayMs = 0;  // hold the response this long before sending it (on a timer)
    bool close = false;    // the connection's last response
    // The body dribbled: chunked, in this many pieces `dribbleIntervalMs` apart after the head
    // (the first piece too, unless `dribbleFirstWithHead`). 0: the body goes out whole.
    uint32_t dribblePieces = 0;
    uint32_t dribbleIntervalMs = 0;
    // When set, the interval is this divided by the pieces sent (never more than the body's
    // bytes): the whole body takes this long.
    uint32_t dribbleTotalMs = 0;
    bool dribbleFirstWithHead = false;
    // Only this many bytes of the body are sent, though the head announces all of it; then the
    // connection closes (a partial response).
    std::optional<size_t> truncateBody;
};

struct Response;
struct Upgraded;
// Hands a response produced later to its connection. Must be called once, on the io_context the
// connection passed in.
using Completion = std::function<void(Response)>;

struct Response {
    int status = 200;
    std::string reason;  // empty: the standard reason phrase
    // Header lines ("Name: value\r\n"), written in this order: those filters add around the
    // handler (the outermost first), the handler's fixed block, then its own.
    std::string filterHeaders;
    std::string_view fixedHeaders;  // borrowed: a compiled mock's pre-formatted headers
    std::string headers;
    std::string_view contentType;  // borrowed or static; empty: no Content-Type
    // The body: `body`, or the borrowed bytes `bodyRef` points at (a mock's static body).
    // Borrowed parts live as long as `keepAlive` holds them.
    std::string body;
    const std::string* bodyRef = nullptr;
    // Keeps what the borrowed parts point into alive until the response is written (the
    // snapshot of the matched mock).
    std::shared_ptr<const void> keepAlive;
    // What the handler notes about the exchange for a filter around it, opened by that filter
    // (the mock engine's request log: engine/request_log.h).
    std::shared_ptr<void> exchange;
    bool headOnly = false;  // HEAD: Content-Length of the body, no body bytes
    Delivery delivery;
    // After the head (no Content-Length, the connection's last): a stream the connection hands
    // to this function; `body` is its first data.
    std::function<void(std::shared_ptr<Stream>)> stream;
    // The stream goes out with chunked transfer coding, so that a clean end and a broken one
    // differ for the client (HTTP/1.1 requests; an HTTP/1.0 client reads to the close).
    bool chunkedStream = false;
    // The answer comes later (a proxied request): the connection calls this with its own
    // io_context and answers no further request until the completion runs. The other fields
    // are ignored; the completion brings its own response.
    std::function<void(boost::asio::io_context&, Completion)> later;
    // The handler takes the connection over for another protocol (a WebSocket upgrade): once
    // the responses before this one are written, the connection hands its socket over
    // (http/connection.h, Upgraded) and ends. Nothing else of this response is written: the new
    // owner answers the upgrade itself.
    std::function<void(Upgraded&&)> upgrade;
    // A filter's answer for a request the handler has nothing for (no mock matched), in place of
    // the handler's own: mockd's CORS answers such an OPTIONS request as a preflight.
    std::function<void(Response&)> fallback;

    std::string_view bodyBytes() const { return bodyRef ? std::string_view(*bodyRef) : body; }
    void setBody(std::string b) {
        body = std::move(b);
        bodyRef = nullptr;
    }
    void addHeader(std::string_view name, std::string_view value) {
        appendHeaderLine(headers, name, value);
    }
    // 1xx, 204 and 304 carry no body and no Content-Length.
    bool bodyless() const { return status < 200 || status == 204 || status == 304; }
    // Adds header lines ahead of those already there; for an answer that comes later, to that
    // answer when it arrives. (Filters: CORS, the rate limit.)
    void prependHeaders(std::string lines);
    // Runs `shape` on the response now, or on the later answer when it arrives.
    void shape(std::function<void(Response&)> fn);
};

// A mock response's fault or dribbled body (the model's), as the response's delivery.
void deliverAsMocked(const core::HttpResponse& mocked, Response& res);

// What the connection does after writing a response's bytes.
struct WirePlan {
    bool close = false;
    bool reset = false;
    std::vector<std::string> chunks;  // sent one by one, `chunkIntervalMs` apart
    uint32_t chunkIntervalMs = 0;
};

// The HTTP/1.1 codec: appends the response as it goes on the wire. `lastOnConnection`: the
// connection closes after it (the head then says "Connection: close").
WirePlan writeResponse(const Response& res, bool lastOnConnection, std::string& out);

}  // namespace mockd::http
