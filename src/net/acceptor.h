// Listening sockets on one port: they accept on the accept loop and hand each socket to the
// next worker, where the protocol's connection takes it. Beyond the connection limit a new
// connection is closed at once.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/workers.h"

namespace mockd::net {

// Open connections on one port.
using ConnectionCount = std::shared_ptr<std::atomic<size_t>>;

// One open connection's place in its port's count, released when its holder ends. It moves with
// the socket (an HTTP connection upgraded to another protocol hands both over).
class ConnectionSlot final {
  public:
    ConnectionSlot() = default;
    explicit ConnectionSlot(ConnectionCount count) : count_(std::move(count)) {}
    ConnectionSlot(ConnectionSlot&& other) noexcept = default;
    ConnectionSlot& operator=(ConnectionSlot&& other) noexcept {
        release();
        count_ = std::move(other.count_);
        return *this;
    }
    ~ConnectionSlot() { release(); }

  private:
    void release() {
        if (count_) count_->fetch_sub(1, std::memory_order_relaxed);
        count_.reset();
    }
    ConnectionCount count_;
};

// A pending accept holds a socket of the next worker's loop until the accept loop runs it or is
// destroyed: the worker pool must outlive `acceptCtx`.
class Acceptor final {
  public:
    // Runs on the worker's thread: starts a connection on the accepted socket.
    using Open = std::function<void(Worker&, boost::asio::ip::tcp::socket, ConnectionSlot)>;

    // Binds (dual-stack on all interfaces unless `bindHost` is given) and listens. Throws
    // boost::system::system_error; EADDRINUSE is reported as such.
    Acceptor(boost::asio::io_context& acceptCtx, WorkerPool& pool, const std::string& bindHost,
             uint16_t port, size_t maxConnections, Open open);
    ~Acceptor();
    uint16_t port() const { return port_; }
    size_t activeConnections() const { return active_->load(std::memory_order_relaxed); }
    void start();
    void close();

  private:
    void accept(size_t i);
    boost::asio::io_context& ctx_;
    WorkerPool& pool_;
    size_t maxConnections_;
    Open open_;
    uint16_t port_ = 0;
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
    ConnectionCount active_;
    boost::asio::steady_timer retry_;
};

}  // namespace mockd::net
