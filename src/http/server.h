// An HTTP/1.1 port: the net layer's acceptor, with each accepted socket served by an HTTP
// connection (http/connection.h) answered by one handler.
#pragma once

#include <memory>
#include <string>

#include "http/connection.h"
#include "http/handler.h"
#include "net/acceptor.h"
#include "net/tls.h"
#include "net/workers.h"

namespace mockd::http {

class Listener final {
  public:
    // Binds (dual-stack on all interfaces unless `bindHost` is given) and listens. Throws
    // boost::system::system_error; EADDRINUSE is reported as such.
    // With `tls`, every connection begins with a TLS handshake (the HTTPS port).
    Listener(boost::asio::io_context& acceptCtx, net::WorkerPool& pool, const std::string& bindHost,
             uint16_t port, Handler& handler, Limits limits,
             std::shared_ptr<const net::TlsServer> tls = nullptr);
    uint16_t port() const { return acceptor_.port(); }
    size_t activeConnections() const { return acceptor_.activeConnections(); }
    void start() { acceptor_.start(); }
    void close() { acceptor_.close(); }

  private:
    net::Acceptor acceptor_;
};

}  // namespace mockd::http
