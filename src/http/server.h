// Worker threads (one io_context each), listening sockets, and graceful drain.
#pragma once

#include <boost/asio.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/stack.h"
#include "http/handler.h"
#include "net/tls.h"

namespace mockd::http {

struct Limits {
    size_t maxHeaderBytes = size_t{64} * 1024;
    uint64_t maxBodyBytes = uint64_t{10} * 1024 * 1024;
    std::chrono::seconds headerTimeout{10};  // first byte of a request to the end of its headers
    std::chrono::seconds idleTimeout{
        60};  // no progress at all (keep-alive wait, slow body, stalled write)
    size_t maxConnections = 10000;  // per port; more are closed at once
};

class Worker;

class WorkerPool final {
  public:
    explicit WorkerPool(unsigned threads);
    ~WorkerPool();
    void start();
    // Closes idle connections and lets busy ones finish their response; threads end when no
    // connection is left.
    void drain();
    // Stops every worker at once (drain timeout).
    void stop();
    void join();
    Worker& next();
    size_t size() const { return workers_.size(); }

  private:
    std::vector<std::unique_ptr<Worker>> workers_;
    // Deep stacks: a matcher that recurses per byte of a request (JSON Schema) runs inline.
    std::vector<std::unique_ptr<core::DeepStackThread>> threads_;
    size_t next_ = 0;
};

class Listener final {
  public:
    // Binds (dual-stack on all interfaces unless `bindHost` is given) and listens. Throws
    // boost::system::system_error; EADDRINUSE is reported as such.
    // With `tls`, every connection begins with a TLS handshake (the HTTPS port).
    Listener(boost::asio::io_context& acceptCtx, WorkerPool& pool, const std::string& bindHost,
             uint16_t port, Handler& handler, Limits limits,
             std::shared_ptr<const net::TlsServer> tls = nullptr);
    ~Listener();
    uint16_t port() const { return port_; }
    size_t activeConnections() const { return active_->load(std::memory_order_relaxed); }
    void start();
    void close();

  private:
    void accept(size_t i);
    boost::asio::io_context& ctx_;
    WorkerPool& pool_;
    Handler& handler_;
    Limits limits_;
    uint16_t port_ = 0;
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
    std::shared_ptr<std::atomic<size_t>> active_;
    std::shared_ptr<const net::TlsServer> tls_;
    boost::asio::steady_timer retry_;
};

// Raises the soft open-file limit to the hard limit (many keep-alive clients need it).
void raiseFileLimit();

}  // namespace mockd::http
