#include "http/offload.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/client_cert.h"

namespace mockd::http {
namespace {

namespace asio = boost::asio;

// Answers with what it read of the request, and notes the thread it ran on.
class Echo final : public Handler {
  public:
    void handle(const core::Request& req, Response& res) override {
        ranOn = std::this_thread::get_id();
        res.status = 201;
        res.setBody(std::string(req.method) + " " + std::string(req.path) + " ?" +
                    std::string(req.rawQuery) + " " + std::string(req.header("X-Test")) + " " +
                    std::string(req.body) + " " + (req.clientCert ? req.clientCert->cn : "-") +
                    (res.headOnly ? " head" : ""));
    }
    std::thread::id ranOn;
};

// A request whose views point into `bytes`, as a connection's point into its buffer.
struct WireRequest {
    std::string bytes;
    core::ClientCert cert;
    core::Request req;
    WireRequest() {
        const char* parts[] = {"POST",  "/__admin/a%20b?x=1", "/__admin/a b", "X-Test",
                               "hello", "{\"k\":1}"};
        std::vector<std::pair<size_t, size_t>> at;
        for (const char* p : parts) {
            at.emplace_back(bytes.size(), std::strlen(p));
            bytes += p;
        }
        const std::string_view b = bytes;
        auto part = [&](size_t i) { return b.substr(at[i].first, at[i].second); };
        req.method = part(0);
        req.target = part(1);
        req.rawPath = req.target.substr(0, req.target.find('?'));
        req.rawQuery = req.target.substr(req.target.find('?') + 1);
        req.path = part(2);
        req.headers.push_back({part(3), part(4)});
        req.body = part(5);
        cert.present = true;
        cert.cn = "client";
        req.clientCert = &cert;
    }
};

TEST(Offload, AnswersOnTheLoopFromACopyOfTheRequest) {
    asio::io_context loop;
    auto guard = asio::make_work_guard(loop);
    std::thread loopThread([&] { loop.run(); });
    const auto loopId = loopThread.get_id();

    Echo echo;
    OffloadedHandler offloaded(echo, loop);
    Response res;
    {
        WireRequest wire;
        offloaded.handle(wire.req, res);
        // The connection's buffer is reused for the next request before the answer is made.
        wire.bytes.assign(wire.bytes.size(), '#');
        wire.cert.cn = "someone else";
    }
    ASSERT_TRUE(res.later);
    asio::io_context home;
    Response answer;
    std::thread::id completedOn;
    auto homeWork = asio::make_work_guard(home);
    res.later(home, [&](Response r) {
        completedOn = std::this_thread::get_id();
        answer = std::move(r);
        home.stop();
    });
    home.run_for(std::chrono::seconds(5));  // returns once the completion ran
    guard.reset();
    loopThread.join();

    EXPECT_EQ(echo.ranOn, loopId);
    EXPECT_EQ(completedOn, std::this_thread::get_id());  // on the connection's own loop
    EXPECT_EQ(answer.status, 201);
    EXPECT_EQ(answer.body, "POST /__admin/a b ?x=1 hello {\"k\":1} client");
}

TEST(Offload, AStoppedLoopAnswersInPlace) {
    asio::io_context loop;
    loop.run();  // no work: it stops at once
    ASSERT_TRUE(loop.stopped());
    Echo echo;
    OffloadedHandler offloaded(echo, loop);
    WireRequest wire;
    Response res;
    res.headOnly = true;
    offloaded.handle(wire.req, res);
    EXPECT_FALSE(res.later);
    EXPECT_EQ(echo.ranOn, std::this_thread::get_id());
    EXPECT_EQ(res.body, "POST /__admin/a b ?x=1 hello {\"k\":1} client head");
}

// Its own answer comes later: that part runs on the connection's loop.
class Deferring final : public Handler {
  public:
    void handle(const core::Request&, Response& res) override {
        res.later = [this](asio::io_context& ctx, Completion done) {
            laterOn = &ctx;
            asio::post(ctx, [done = std::move(done)] {
                Response r;
                r.status = 202;
                done(std::move(r));
            });
        };
    }
    asio::io_context* laterOn = nullptr;
};

TEST(Offload, AnAnswerThatComesLaterRunsOnTheConnectionsLoop) {
    asio::io_context loop;
    auto guard = asio::make_work_guard(loop);
    std::thread loopThread([&] { loop.run(); });
    Deferring deferring;
    OffloadedHandler offloaded(deferring, loop);
    WireRequest wire;
    Response res;
    offloaded.handle(wire.req, res);
    ASSERT_TRUE(res.later);
    asio::io_context home;
    int status = 0;
    auto homeWork = asio::make_work_guard(home);
    res.later(home, [&](Response r) {
        status = r.status;
        home.stop();
    });
    home.run_for(std::chrono::seconds(5));  // returns once the completion ran
    guard.reset();
    loopThread.join();
    EXPECT_EQ(deferring.laterOn, &home);
    EXPECT_EQ(status, 202);
}

}  // namespace
}  // namespace mockd::http
