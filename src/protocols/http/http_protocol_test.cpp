#include "protocols/http/http_protocol.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace mockd::protocols {
namespace {

struct Parts {
    // The pool outlives the accept loop, whose pending accept holds a socket of a worker's loop.
    net::WorkerPool workers{1};
    boost::asio::io_context ctx;
    match::Registry registry;
    Server server{ctx, workers, {}, "127.0.0.1", registry};
};

TEST(HttpProtocol, OpensTheMockPortAndNamesTheFlagOfAPortInUse) {
    Parts parts;
    HttpProtocol free({});
    free.open(parts.server);
    const auto ports = free.ports();
    ASSERT_EQ(ports.size(), 1u);  // no TLS: no HTTPS port
    EXPECT_EQ(ports[0].name, "http");
    EXPECT_NE(ports[0].port, 0);

    // Something else holds a port: opening on it names --port.
    boost::asio::ip::tcp::acceptor holder(parts.ctx,
                                          {boost::asio::ip::make_address("127.0.0.1"), 0});
    HttpProtocol::Options busy;
    busy.port = holder.local_endpoint().port();
    HttpProtocol taken(std::move(busy));
    try {
        taken.open(parts.server);
        FAIL() << "the port is in use";
    } catch (const PortInUse& e) {
        EXPECT_EQ(e.port(), holder.local_endpoint().port());
        EXPECT_EQ(e.flag(), "--port");
    }
}

}  // namespace
}  // namespace mockd::protocols
