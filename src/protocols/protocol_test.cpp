#include "protocols/protocol.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace mockd::protocols {
namespace {

// Records what the server asked of it.
class Fake final : public Protocol {
  public:
    Fake(std::string name, std::string& trace, uint16_t port)
        : name_(std::move(name)), trace_(trace), port_(port) {}
    std::string_view name() const override { return name_; }
    void open(Server&) override { trace_ += "open " + name_ + ";"; }
    std::vector<Port> ports() const override { return {{name_, port_}}; }
    void start() override { trace_ += "start " + name_ + ";"; }
    void close() override { trace_ += "close " + name_ + ";"; }
    size_t activeConnections() const override { return port_ % 10; }

  private:
    std::string name_;
    std::string& trace_;
    uint16_t port_;
};

struct Parts {
    net::WorkerPool workers{1};
    boost::asio::io_context ctx;
    match::Registry registry;
    Server server{ctx, workers, {}, "127.0.0.1", registry};
};

TEST(Protocols, OpenStartAndCloseTogetherInOrder) {
    std::string trace;
    Protocols all;
    all.add(std::make_unique<Fake>("http", trace, 8081));
    all.add(std::make_unique<Fake>("grpc", trace, 50052));
    Parts parts;
    all.openAll(parts.server);
    all.startAll();
    all.closeAll();
    EXPECT_EQ(trace, "open http;open grpc;start http;start grpc;close http;close grpc;");
    EXPECT_EQ(all.port("grpc"), 50052);
    EXPECT_EQ(all.port("mqtt"), 0);
    EXPECT_EQ(all.activeConnections(), 1u + 2u);
    EXPECT_NE(all.find("http"), nullptr);
    EXPECT_THROW(all.add(std::make_unique<Fake>("http", trace, 1)), std::invalid_argument);
}

// Brings a mock type and an admin route.
class Typed final : public Protocol {
  public:
    std::string_view name() const override { return "typed"; }
    void open(Server&) override {}
    std::vector<Port> ports() const override { return {}; }
    void start() override {}
    void close() override {}
    size_t activeConnections() const override { return 0; }
    std::shared_ptr<const core::MockTypeCodec> mockType() const override { return codec; }
    std::vector<AdminRoute> adminRoutes() const override {
        return {{"GET", "/typed/{id}",
                 [](const core::Request&, const http::RouteParams& p, http::Response& res) {
                     res.setBody(std::string(http::routeParam(p, "id")));
                 }}};
    }

    class Codec final : public core::MockTypeCodec {
      public:
        std::string_view type() const override { return "typed"; }
        void decode(const core::Json&, const std::string&, const core::DecodeContext&,
                    core::Mock&) const override {}
        core::Json encode(const core::Mock&) const override { return core::Json::object(); }
    };
    std::shared_ptr<const core::MockTypeCodec> codec = std::make_shared<Codec>();
};

TEST(Protocols, AddingAProtocolAddsItsMockTypeAndCollectsItsAdminRoutes) {
    Protocols all;
    auto typed = std::make_unique<Typed>();
    const core::MockTypeCodec* codec = typed->codec.get();
    EXPECT_EQ(core::findMockType("typed"), nullptr);
    all.add(std::move(typed));
    EXPECT_EQ(core::findMockType("typed"), codec);
    auto routes = all.adminRoutes();
    ASSERT_EQ(routes.size(), 1u);
    EXPECT_EQ(routes[0].pattern, "/typed/{id}");
    http::Response res;
    routes[0].handle({}, {{"id", "7"}}, res);
    EXPECT_EQ(res.body, "7");
}

}  // namespace
}  // namespace mockd::protocols
