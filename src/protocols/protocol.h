// The seam a protocol plugs into. A protocol is a folder under src/protocols/<name>/ with one
// class implementing `Protocol`; `cli` adds one instance per protocol a server runs to its
// `Protocols`, which opens, starts and closes them together and reports their ports. Through it
// a protocol brings:
// - its mock type: a core::MockTypeCodec (decode, encode, validate the `"<name>": {...}` block),
//   added to the mock types when the protocol is added (and by `cli::run` for commands that
//   read mocks without serving, such as `mockd validate`), so that configs, the store and the
//   admin API read its mocks like any other;
// - its listeners (`open`) or, for protocols over HTTP, its routes on the mock engine;
// - its request-log entries: journal::Entry with `protocol` set to its name and its own fields
//   in `protocolJson`, which /requests shows and filters;
// - its verification counts: a mock it answers counts a call on its match::MockStats (and its
//   request-log entry names the mock), which /verify and /mocks/{id}/verify read;
// - its admin routes (`adminRoutes`), served by the admin API with its access checks.
// The shared parts (the mocks, the request log, metrics, tables) come from the server
// (`Server`), so a protocol builds on `match`, `journal`, `template`, `state`, `chaos` and `net`
// rather than growing its own. HTTP itself is the first protocol (protocols/http).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/mock_codec.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "journal/journal.h"
#include "match/registry.h"
#include "state/table.h"

namespace mockd::protocols {

// What a starting server lends its protocols: the accept loop and the mock workers (one event
// loop per core), the connection limits and address, and the parts every protocol shares.
struct Server {
    boost::asio::io_context& acceptCtx;
    net::WorkerPool& workers;
    http::Limits limits;
    std::string bind;  // empty: every interface
    match::Registry& registry;
    journal::Journal* journal = nullptr;  // null: no request log (the headless engine)
    http::Metrics* metrics = nullptr;     // null: no metrics
    state::TableStore* tables = nullptr;
};

// A port a protocol listens on.
struct Port {
    std::string name;  // "http", "https", "grpc", ...
    uint16_t port = 0;
};

// Opening a port failed because something listens there already; `flag` is the setting that
// chooses it ("--port"), for the message.
class PortInUse final : public std::runtime_error {
  public:
    PortInUse(uint16_t port, std::string flag)
        : std::runtime_error("port " + std::to_string(port) + " is already in use"),
          port_(port),
          flag_(std::move(flag)) {}
    uint16_t port() const { return port_; }
    const std::string& flag() const { return flag_; }

  private:
    uint16_t port_;
    std::string flag_;
};

// A route a protocol serves on the admin API ("/sse/connections/{id}"), behind the admin API's
// access checks, with its 404 and 405 answers.
struct AdminRoute {
    std::string method;   // GET, POST, PUT, PATCH or DELETE
    std::string pattern;  // the router's syntax: literal segments, {name}, a final {*rest}
    std::function<void(const core::Request& req, const http::RouteParams& params,
                       http::Response& res)>
        handle;
};

// Helpers for protocols' admin routes, so that every protocol answers as the admin API does.
// A JSON answer.
void jsonReply(http::Response& res, int status, const core::Json& body);
// True when the mock named by the route's {id} exists; else answers mockd's 404 "Mock not found".
bool mockExists(const match::Registry* registry, const http::RouteParams& params,
                http::Response& res);

class Protocol {
  public:
    virtual ~Protocol() = default;
    // The mock type it serves ("type": "<name>"), the block such a mock holds, and the
    // `protocol` of its request-log entries.
    virtual std::string_view name() const = 0;
    // Binds its ports (or registers its HTTP upgrades) on a starting server. Throws PortInUse,
    // or std::runtime_error saying what failed. Nothing is answered yet.
    virtual void open(Server& server) = 0;
    // Its ports, once open.
    virtual std::vector<Port> ports() const = 0;
    // Starts answering (after every protocol opened, so that a port in use stops start-up
    // before any of them answers).
    virtual void start() = 0;
    // Stops accepting: a drain begins; connections already open finish on the workers.
    virtual void close() = 0;
    // Open connections (for /status).
    virtual size_t activeConnections() const = 0;
    // The codec of the mock type it serves; null when it has none of its own.
    virtual std::shared_ptr<const core::MockTypeCodec> mockType() const { return nullptr; }
    // The codecs of the fields it answers in HTTP mocks in place of `response` (`sse`,
    // `chunked`), added to the mock types' codecs with it.
    virtual std::vector<std::shared_ptr<const core::StreamAnswerCodec>> streamAnswers() const {
        return {};
    }
    // What it serves on the admin API.
    virtual std::vector<AdminRoute> adminRoutes() const { return {}; }
};

// The protocols of one server, in the order they were added.
class Protocols final {
  public:
    // Adds a protocol, and its mock type to the mock types. Throws std::invalid_argument for a
    // name added twice.
    void add(std::unique_ptr<Protocol> protocol);
    Protocol* find(std::string_view name) const;
    // The port named `name` among every protocol's, or 0.
    uint16_t port(std::string_view name) const;

    void openAll(Server& server);
    void startAll();
    void closeAll();
    size_t activeConnections() const;
    // Every protocol's admin routes, in the order the protocols were added.
    std::vector<AdminRoute> adminRoutes() const;

  private:
    std::vector<std::unique_ptr<Protocol>> protocols_;
};

}  // namespace mockd::protocols
