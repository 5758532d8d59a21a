// The seam a protocol plugs into. A protocol is a folder under src/protocols/<name>/ with one
// class implementing `Protocol`; `cli` adds one instance per protocol a server runs to its
// `Protocols`, which opens, starts and closes them together and reports their ports. The shared
// parts (the mocks, the request log, metrics, tables) come from the server (`Server`), so a
// protocol builds on `match`, `journal`, `template`, `state`, `chaos` and `net` rather than
// growing its own. HTTP itself is the first protocol (protocols/http).
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "http/metrics.h"
#include "http/server.h"
#include "journal/journal.h"
#include "match/registry.h"
#include "state/table.h"

namespace mockd::protocols {

// What a starting server lends its protocols: the accept loop and the mock workers (one event
// loop per core), the connection limits and address, and the parts every protocol shares.
struct Server {
    boost::asio::io_context& acceptCtx;
    http::WorkerPool& workers;
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
};

// The protocols of one server, in the order they were added.
class Protocols final {
  public:
    void add(std::unique_ptr<Protocol> protocol);
    Protocol* find(std::string_view name) const;
    // The port named `name` among every protocol's, or 0.
    uint16_t port(std::string_view name) const;

    void openAll(Server& server);
    void startAll();
    void closeAll();
    size_t activeConnections() const;

  private:
    std::vector<std::unique_ptr<Protocol>> protocols_;
};

}  // namespace mockd::protocols
