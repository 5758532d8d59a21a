// The request log as a filter: only exchanges the route notes are logged, with the request,
// the status and what the route noted; an answer that comes later is logged when it arrives.
#include "engine/request_log.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace mockd::engine {
namespace {

// The end of the chain in these tests: runs `answer` on the response.
class Answering final : public http::Handler {
  public:
    explicit Answering(std::function<void(http::Response&)> answer) : answer_(std::move(answer)) {}
    void handle(const core::Request&, http::Response& res) override { answer_(res); }

  private:
    std::function<void(http::Response&)> answer_;
};

core::Request get(std::string_view path) {
    core::Request req;
    req.method = "GET";
    req.target = req.rawPath = req.path = path;
    req.headers = {{"Host", "localhost"}, {"X-Test", "1"}};
    req.remoteAddress = "127.0.0.1";
    return req;
}

std::vector<journal::EntryPtr> logged(const journal::Journal& j) {
    size_t total = 0;
    return j.list({}, 0, 100, &total);
}

struct Chain {
    journal::Journal journal{16};
    http::Metrics metrics;
    http::FilterChain filters;
    Chain() { filters.add(std::make_unique<RequestLogFilter>(&journal, &metrics)); }
    http::Response run(std::string_view path, std::function<void(http::Response&)> answer) {
        Answering end(std::move(answer));
        http::Response res;
        filters.run(get(path), res, end);
        return res;
    }
};

TEST(RequestLogFilter, LogsOnlyWhatTheRouteNotes) {
    Chain c;
    c.run("/__mockd/health", [](http::Response& res) { res.status = 200; });
    EXPECT_TRUE(logged(c.journal).empty());
    c.run("/api", [](http::Response& res) {
        res.status = 201;
        res.delivery.delayMs = 5;
        noteExchange(res, "mock-1", {}, {}, "it failed");
    });
    auto entries = logged(c.journal);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0]->path, "/api");
    EXPECT_EQ(entries[0]->mockId, "mock-1");
    EXPECT_EQ(entries[0]->status, 201);
    EXPECT_EQ(entries[0]->error, "it failed");
    EXPECT_GE(entries[0]->durationMs, 5.0);  // the delay counts
    ASSERT_EQ(entries[0]->headers.size(), 2u);
    EXPECT_EQ(c.metrics.matchHits.load(), 1u);
}

TEST(RequestLogFilter, ALaterAnswerIsLoggedWhenItArrives) {
    Chain c;
    http::Response res = c.run("/proxied", [](http::Response& r) {
        noteExchange(r, {});
        r.later = [](boost::asio::io_context&, http::Completion done) {
            // What the answer learnt on its way comes on its own exchange.
            auto late = std::make_shared<Exchange>();
            auto proxied = std::make_shared<journal::Proxied>();
            proxied->url = "http://upstream/proxied";
            late->entry.proxied = proxied;
            late->entry.error = "proxy: refused";
            http::Response answer;
            answer.status = 502;
            answer.exchange = late;
            done(std::move(answer));
        };
    });
    EXPECT_TRUE(logged(c.journal).empty());  // nothing yet: the answer has not come
    ASSERT_TRUE(res.later);
    boost::asio::io_context ctx;
    int status = 0;
    res.later(ctx, [&](http::Response answer) { status = answer.status; });
    EXPECT_EQ(status, 502);
    auto entries = logged(c.journal);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0]->status, 502);
    ASSERT_TRUE(entries[0]->proxied);
    EXPECT_EQ(entries[0]->proxied->url, "http://upstream/proxied");
    EXPECT_EQ(entries[0]->error, "proxy: refused");
    EXPECT_EQ(c.metrics.matchMisses.load(), 1u);
}

TEST(RequestLogFilter, WithNothingToLogToItOnlyPassesRequestsOn) {
    http::FilterChain filters;
    filters.add(std::make_unique<RequestLogFilter>(nullptr, nullptr));
    bool sawExchange = true;
    Answering end([&](http::Response& res) { sawExchange = res.exchange != nullptr; });
    http::Response res;
    filters.run(get("/x"), res, end);
    EXPECT_FALSE(sawExchange);
}

}  // namespace
}  // namespace mockd::engine
