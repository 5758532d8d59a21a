#include "http/server.h"

namespace mockd::http {

Listener::Listener(boost::asio::io_context& acceptCtx, net::WorkerPool& pool,
                   const std::string& bindHost, uint16_t port, Handler& handler, Limits limits,
                   std::shared_ptr<const net::TlsServer> tls)
    : acceptor_(
          acceptCtx, pool, bindHost, port, limits.maxConnections,
          [&handler, limits, tls = std::move(tls)](
              net::Worker& worker, boost::asio::ip::tcp::socket socket, net::ConnectionSlot slot) {
              startConnection(worker, std::move(socket), handler, limits, std::move(slot), tls);
          }) {}

}  // namespace mockd::http
