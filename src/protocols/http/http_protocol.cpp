#include "protocols/http/http_protocol.h"

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

namespace mockd::protocols {

namespace {
// Binds one listener; a port in use names the flag that chooses it, any other failure `what`.
template <class Open>
std::unique_ptr<http::Listener> bindListener(uint16_t port, const char* flag, const char* what,
                                             Open&& open) {
    try {
        return open();
    } catch (const boost::system::system_error& e) {
        if (e.code() == boost::asio::error::address_in_use) throw PortInUse(port, flag);
        throw std::runtime_error(what + std::string(e.what()));
    }
}
}  // namespace

HttpProtocol::HttpProtocol(Options options) : options_(std::move(options)) {}

HttpProtocol::~HttpProtocol() = default;

void HttpProtocol::open(Server& server) {
    engine::EngineConfig config = std::move(options_.engine);
    config.registry = &server.registry;
    config.journal = server.journal;
    config.metrics = server.metrics;
    config.tables = server.tables;
    engine_ = std::make_unique<engine::MockEngine>(std::move(config));
    plain_ = bindListener(options_.port, "--port", "", [&] {
        return std::make_unique<http::Listener>(server.acceptCtx, server.workers, server.bind,
                                                options_.port, *engine_, server.limits);
    });
    if (options_.tls)
        secure_ = bindListener(options_.httpsPort, "--https-port", "HTTPS port: ", [&] {
            return std::make_unique<http::Listener>(
                server.acceptCtx, server.workers, server.bind, options_.httpsPort, *engine_,
                server.limits, std::make_shared<const net::TlsServer>(std::move(*options_.tls)));
        });
}

std::vector<Port> HttpProtocol::ports() const {
    std::vector<Port> out;
    if (plain_) out.push_back({"http", plain_->port()});
    if (secure_) out.push_back({"https", secure_->port()});
    return out;
}

void HttpProtocol::start() {
    engine_->setReady(true);
    plain_->start();
    if (secure_) secure_->start();
}

void HttpProtocol::close() {
    if (plain_) plain_->close();
    if (secure_) secure_->close();
}

size_t HttpProtocol::activeConnections() const {
    return (plain_ ? plain_->activeConnections() : 0) +
           (secure_ ? secure_->activeConnections() : 0);
}

}  // namespace mockd::protocols
