// The mock port under concurrent load with admin changes at the same time: registry swaps,
// verification counters and the request log, as `mockd start` runs them on separate threads.
// Also what the TSan build runs (make tsan).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "admin/admin_api.h"
#include "core/mock_codec.h"
#include "engine/mock_engine.h"

namespace mockd::engine {
namespace {

core::Mock versioned(int v) {
    // Status, header and body all carry the version: an answer mixing two snapshots shows.
    std::string s = std::to_string(v);
    return core::decodeMock(
        core::Json::parse(R"({"id":"m","type":"http","http":{"matcher":{"method":"GET",
            "path":"/x/{id}"},"response":{"statusCode":)" +
                          std::to_string(200 + v % 2) + R"(,"headers":{"X-V":")" + s +
                          R"("},"body":"v)" + s + R"("}}})"),
        "test", {});
}

struct Answer {
    int status = 0;
    std::string header, body;
};

Answer get(MockEngine& engine, std::string_view path) {
    Request req;
    req.method = "GET";
    req.target = req.rawPath = req.path = path;
    req.headers = {{"Host", "localhost"}};
    req.remoteAddress = "127.0.0.1";
    http::Response res;
    engine.handle(req, res);
    std::string out;
    http::writeResponse(res, false, out);
    Answer a;
    a.status = std::stoi(out.substr(9, 3));
    if (size_t h = out.find("X-V: "); h != std::string::npos)
        a.header = out.substr(h + 5, out.find("\r\n", h) - h - 5);
    a.body = out.substr(out.find("\r\n\r\n") + 4);
    return a;
}

std::string admin(admin::AdminApi& api, std::string_view method, std::string_view path,
                  std::string_view body = {}) {
    Request req;
    req.method = method;
    req.target = path;
    req.rawPath = req.path = path.substr(0, path.find('?'));
    if (size_t q = path.find('?'); q != std::string_view::npos) req.rawQuery = path.substr(q + 1);
    req.headers = {{"Host", "localhost"}, {"Content-Type", "application/json"}};
    req.body = body;
    req.remoteAddress = "127.0.0.1";
    http::Response res;
    api.handle(req, res);
    std::string out;
    http::writeResponse(res, false, out);
    return out;
}

// A mock engine and the admin API over one registry, serving mock "m" at version 0.
struct Rig {
    explicit Rig(size_t journalSize) : journal(journalSize) {
        engine.setReady(true);
        registry.replaceAll(std::vector<core::Mock>{versioned(0)});
    }
    static admin::AdminSettings open() {
        admin::AdminSettings s;
        s.access.noAuth = true;
        return s;
    }
    match::Registry registry;
    journal::Journal journal;
    Metrics metrics;
    MockEngine engine{{.registry = &registry, .journal = &journal, .metrics = &metrics}};
    admin::AdminSettings settings = open();
    admin::AdminApi api{registry, journal, metrics, settings};
};

TEST(MockEngineConcurrency, SwapsUnderLoadAnswerFromOneSnapshot) {
    Rig rig(1000);
    auto& registry = rig.registry;
    auto& engine = rig.engine;
    auto& api = rig.api;

    std::atomic<bool> stop{false};
    std::atomic<int> mixed{0}, answered{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 3; ++t)
        clients.emplace_back([&, t] {
            for (int i = 0; !stop.load() || i < 200; ++i) {
                Answer a = get(engine, "/x/" + std::to_string(t * 100000 + i));
                int v = std::stoi(a.header);
                if (a.body != "v" + a.header || a.status != 200 + v % 2) mixed.fetch_add(1);
                answered.fetch_add(1);
            }
        });
    std::thread writer([&] {
        for (int v = 1; v <= 300; ++v) {
            if (v % 3 == 0)
                registry.upsert(versioned(v));
            else
                registry.replaceAll(std::vector<core::Mock>{versioned(v)});
        }
    });
    std::thread reader([&] {
        while (!stop.load()) {
            (void)admin(api, "GET", "/mocks/m/verify");
            (void)admin(api, "GET", "/requests", "");
            (void)admin(api, "DELETE", "/verify");
            (void)admin(api, "GET", "/mocks");
        }
    });
    writer.join();
    stop.store(true);
    for (auto& c : clients) c.join();
    reader.join();
    EXPECT_EQ(mixed.load(), 0);
    EXPECT_GE(answered.load(), 600);
    EXPECT_EQ(get(engine, "/x/1").body, "v300");
}

TEST(MockEngineConcurrency, VerificationCountsEveryRequestFromEveryThread) {
    Rig rig(100);
    auto& engine = rig.engine;
    auto& api = rig.api;

    constexpr int kThreads = 4, kEach = 500;
    std::vector<std::thread> clients;
    for (int t = 0; t < kThreads; ++t)
        clients.emplace_back([&] {
            for (int i = 0; i < kEach; ++i) (void)get(engine, "/x/1");
        });
    for (auto& c : clients) c.join();
    std::string out = admin(api, "POST", "/mocks/m/verify", R"({"exactly": 2000})");
    EXPECT_NE(out.find(R"("passed":true)"), std::string::npos) << out;
    out = admin(api, "GET", "/requests?limit=1000");
    // The log keeps exactly the newest --max-log-entries, whatever thread recorded them.
    EXPECT_NE(out.find(R"("total":100)"), std::string::npos) << out.substr(0, 300);
}

}  // namespace
}  // namespace mockd::engine
