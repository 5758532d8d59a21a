// One HTTP/1.1 connection as an explicit state machine. Its phase says what it is doing; what
// holds its responses back and how it ends are states of their own. Requests received are
// answered in order (pipelining) and written together; delays, later answers and dribbled
// bodies wait on timers of the worker's loop; timeouts are checked by the worker's sweep.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/handler.h"
#include "net/acceptor.h"
#include "net/tls.h"
#include "net/workers.h"

namespace mockd::http {

struct Limits {
    size_t maxHeaderBytes = size_t{64} * 1024;
    uint64_t maxBodyBytes = uint64_t{10} * 1024 * 1024;
    std::chrono::seconds headerTimeout{10};  // first byte of a request to the end of its headers
    std::chrono::seconds idleTimeout{
        60};  // no progress at all (keep-alive wait, slow body, stalled write)
    size_t maxConnections = 10000;  // per port; more are closed at once
};

// What a connection is doing.
enum class Phase : uint8_t {
    Handshake,  // the TLS handshake (HTTPS port)
    Serving,    // reading requests and answering them in order
    Streaming,  // a streamed response owns the connection until it or the client ends
    Lingering,  // our side is shut; what the client still sends is read and dropped, briefly
    Closed,
};

// Why responses are held back (and no further request is answered meanwhile).
enum class Hold : uint8_t {
    None,
    Delay,    // a response waits out its delay
    Later,    // the handler answers later (a proxied request)
    Dribble,  // a body goes out in timed chunks
    Upgrade,  // the connection goes to another protocol once the responses before it are out
};

// How the connection ends, from the mildest: it stays open; it closes once the responses owed
// are out (Connection: close, HTTP/1.0, a drain, a streamed response); the same, with a reset
// instead of a close (a connection-reset fault); it closes after the error answer just written,
// reading no further request.
enum class Ending : uint8_t { KeepOpen, AfterResponses, ResetAfterResponses, AfterError };

std::string_view phaseName(Phase p);
// True when a connection may go from `from` to `to`: Handshake → Serving; Serving → Streaming
// or Lingering; Streaming → Lingering; Lingering → Lingering is not a move; any phase → Closed.
bool allowedTransition(Phase from, Phase to);

// Starts a connection on an accepted socket, on the worker's thread. With `tls` it begins with
// the handshake. `slot` is released when the connection ends (or goes with an upgrade).
void startConnection(net::Worker& worker, boost::asio::ip::tcp::socket socket, Handler& handler,
                     const Limits& limits, net::ConnectionSlot slot,
                     std::shared_ptr<const net::TlsServer> tls);

// A request as the connection read it, copied (its views point into the connection's buffers,
// which an upgrade leaves behind).
struct OwnedRequest {
    std::string method, target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    unsigned version = 11;
    std::string remoteAddress;
    // The first value of a header (case-insensitive), or empty.
    std::string_view header(std::string_view name) const;
};

// A connection handed over to another protocol (Response::upgrade): its socket (plain, or the
// TLS stream on the HTTPS port), the bytes it had read past the upgrade request, the request
// itself, and its worker and place in the port's count. The new owner answers the upgrade (a
// WebSocket accept writes the 101) and from then on runs the connection on `worker`'s loop.
struct Upgraded {
    net::Worker* worker = nullptr;
    std::optional<boost::asio::ip::tcp::socket> socket;
    std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls;
    std::string buffered;
    OwnedRequest request;
    net::ConnectionSlot slot;
};

}  // namespace mockd::http
