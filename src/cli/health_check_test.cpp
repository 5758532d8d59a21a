#include "cli/health_check.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

namespace mockd::cli {
namespace {

std::vector<std::string> urlsOf(const std::string& url) {
    std::string err;
    return healthUrls(url, err);
}

TEST(HealthCheck, ABaseUrlTriesMockdsThenWireMocksHealthPath) {
    std::vector<std::string> both = {"http://localhost:4290/health",
                                     "http://localhost:4290/__admin/health"};
    EXPECT_EQ(urlsOf("http://localhost:4290"), both);
    EXPECT_EQ(urlsOf("http://localhost:4290/"), both);
}

TEST(HealthCheck, AUrlWithAPathIsCheckedAsGiven) {
    EXPECT_EQ(urlsOf("http://127.0.0.1:8080/__admin/health"),
              std::vector<std::string>{"http://127.0.0.1:8080/__admin/health"});
    EXPECT_EQ(urlsOf("https://[::1]:8443/__mockd/health"),
              std::vector<std::string>{"https://[::1]:8443/__mockd/health"});
}

TEST(HealthCheck, ANonHttpUrlIsRefusedWithAReason) {
    std::string err;
    EXPECT_TRUE(healthUrls("localhost:4290", err).empty());
    EXPECT_FALSE(err.empty());
    EXPECT_TRUE(healthUrls("ftp://host/x", err).empty());
}

HealthOptions parse(std::vector<std::string> args, bool wait = false) {
    CLI::App app;
    HealthOptions h, w;
    addHealthCommands(app, h, w);
    std::vector<const char*> argv = {"mockd"};
    for (auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
    return wait ? w : h;
}

TEST(HealthCheck, HealthFlagsPickTheUrl) {
    EXPECT_EQ(healthBase(parse({"health"})), "http://localhost:4290");
    EXPECT_EQ(healthBase(parse({"health", "--port", "4280"})), "http://localhost:4280");
    EXPECT_EQ(healthBase(parse({"health", "--admin-port", "9999"})), "http://localhost:9999");
    EXPECT_EQ(healthBase(parse({"health", "-a", "1234"})), "http://localhost:1234");
    EXPECT_EQ(healthBase(parse({"health", "--admin-url", "http://h:1"})), "http://h:1");
    auto o = parse({"health", "--url", "http://x:8080/__admin/health", "--port", "1"});
    EXPECT_EQ(healthBase(o), "http://x:8080/__admin/health");  // --url wins
    EXPECT_EQ(parse({"health"}).timeout, "5s");
}

TEST(HealthCheck, WaitFlagsAndDefaults) {
    auto o = parse({"wait", "--url", "http://localhost:8080", "--timeout", "45s"}, true);
    EXPECT_EQ(o.url, "http://localhost:8080");
    EXPECT_EQ(o.timeout, "45s");
    EXPECT_EQ(o.interval, "100ms");
    EXPECT_EQ(parse({"wait"}, true).timeout, "30s");
}

TEST(HealthCheck, AClosedPortIsUnhealthyAndSaysWhy) {
    // A port that was just free: nothing listens there.
    boost::asio::io_context ctx;
    boost::asio::ip::tcp::acceptor a(ctx, {boost::asio::ip::make_address("127.0.0.1"), 0});
    auto port = a.local_endpoint().port();
    a.close();
    std::string err;
    auto urls = healthUrls("http://127.0.0.1:" + std::to_string(port), err);
    auto r = probeHealth(urls, std::chrono::milliseconds(2000));
    EXPECT_FALSE(r.healthy);
    EXPECT_EQ(r.url, urls.front());
    EXPECT_NE(r.detail.find("refused"), std::string::npos) << r.detail;
}

TEST(HealthCheck, DurationsReadTheWayTheyWereWritten) {
    EXPECT_EQ(humanDuration(std::chrono::milliseconds(30000)), "30s");
    EXPECT_EQ(humanDuration(std::chrono::milliseconds(250)), "250ms");
    EXPECT_EQ(humanDuration(std::chrono::milliseconds(1500)), "1.5s");
}

}  // namespace
}  // namespace mockd::cli
