#include "net/acceptor.h"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <cstring>

#include "log/log.h"

namespace mockd::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
// The addresses `bindHost` names: every interface (dual-stack), IPv4's, localhost's two, or one.
std::vector<tcp::endpoint> endpointsFor(const std::string& bindHost, uint16_t port) {
    std::vector<tcp::endpoint> endpoints;
    if (bindHost.empty() || bindHost == "*" || bindHost == "::") {
        endpoints.emplace_back(tcp::v6(), port);
    } else if (bindHost == "0.0.0.0") {
        endpoints.emplace_back(tcp::v4(), port);
    } else if (bindHost == "localhost") {
        endpoints.emplace_back(asio::ip::make_address("127.0.0.1"), port);
        endpoints.emplace_back(asio::ip::make_address("::1"), port);
    } else {
        boost::system::error_code ec;
        auto addr = asio::ip::make_address(bindHost, ec);
        if (ec)
            throw boost::system::system_error(ec, "--bind " + bindHost + " is not an IP address");
        endpoints.emplace_back(addr, port);
    }
    return endpoints;
}
}  // namespace

Acceptor::Acceptor(asio::io_context& acceptCtx, WorkerPool& pool, const std::string& bindHost,
                   uint16_t port, size_t maxConnections, Open open)
    : ctx_(acceptCtx),
      pool_(pool),
      maxConnections_(maxConnections),
      open_(std::move(open)),
      active_(std::make_shared<std::atomic<size_t>>(0)),
      retry_(acceptCtx) {
    const std::vector<tcp::endpoint> endpoints = endpointsFor(bindHost, port);
    for (size_t i = 0; i < endpoints.size(); ++i) {
        tcp::endpoint ep = endpoints[i];
        if (i > 0 && port_ != 0) ep.port(port_);  // the second family takes the same port
        auto acc = std::make_unique<tcp::acceptor>(ctx_);
        boost::system::error_code ec;
        acc->open(ep.protocol(), ec);
        if (ec && ep.address().is_v6() && ep.address().is_unspecified()) {
            ep = tcp::endpoint(tcp::v4(), ep.port());  // no IPv6 on this machine
            ec.clear();
            acc->open(ep.protocol(), ec);
        }
        if (ec) throw boost::system::system_error(ec, "cannot open a socket");
        acc->set_option(tcp::acceptor::reuse_address(true));
        if (ep.address().is_v6() && ep.address().is_unspecified())
            acc->set_option(asio::ip::v6_only(false), ec);
        acc->bind(ep, ec);
        if (ec && bindHost == "localhost" && i > 0) continue;  // ::1 may be missing
        if (ec)
            throw boost::system::system_error(ec, "cannot bind port " + std::to_string(ep.port()));
        acc->listen(asio::socket_base::max_listen_connections, ec);
        if (ec)
            throw boost::system::system_error(ec,
                                              "cannot listen on port " + std::to_string(ep.port()));
        port_ = acc->local_endpoint().port();
        acceptors_.push_back(std::move(acc));
    }
}

Acceptor::~Acceptor() { close(); }

void Acceptor::start() {
    for (size_t i = 0; i < acceptors_.size(); ++i) accept(i);
}

void Acceptor::close() {
    boost::system::error_code ignored;
    retry_.cancel();
    for (auto& a : acceptors_) a->close(ignored);
}

void Acceptor::accept(size_t i) {
    Worker& w = pool_.next();
    acceptors_[i]->async_accept(
        w.ctx(), [this, i, &w](boost::system::error_code ec, tcp::socket sock) {
            if (ec == asio::error::operation_aborted || !acceptors_[i]->is_open()) return;
            if (ec) {
                // Out of descriptors or similar: back off briefly instead of spinning.
                // An errno (EMFILE and the like): named by strerror, not through the category.
                log::warn("accept failed", {{"error", std::strerror(ec.value())}});
                retry_.expires_after(std::chrono::milliseconds(100));
                retry_.async_wait([this, i](boost::system::error_code e) {
                    if (!e) accept(i);
                });
                return;
            }
            boost::system::error_code ignored;
            if (active_->load(std::memory_order_relaxed) >= maxConnections_) {
                sock.close(ignored);
            } else {
                active_->fetch_add(1, std::memory_order_relaxed);
                sock.set_option(tcp::no_delay(true), ignored);
                asio::post(w.ctx(), [&w, s = std::move(sock), this]() mutable {
                    open_(w, std::move(s), ConnectionSlot(active_));
                });
            }
            accept(i);
        });
}

}  // namespace mockd::net
