// Requests and admin bodies the fuzzers (tests/fuzz/) found to take the process down: each must
// get a clear HTTP answer instead, and the server keeps serving.
#include <gtest/gtest.h>

#include "admin/admin_api.h"
#include "core/mock_codec.h"
#include "engine/mock_engine.h"

namespace mockd::engine {
namespace {

Request request(std::string_view method, std::string_view path, std::string_view body = {}) {
    Request req;
    req.method = method;
    req.target = req.rawPath = req.path = path;
    req.headers = {{"Host", "localhost"}, {"Content-Type", "application/json"}};
    req.body = body;
    req.remoteAddress = "127.0.0.1";
    return req;
}

int statusOf(const std::string& out) { return std::stoi(out.substr(9, 3)); }

struct Server {
    match::Registry registry;
    journal::Journal journal{100};
    Metrics metrics;
    MockEngine engine{{.registry = &registry, .journal = &journal, .metrics = &metrics}};
    admin::AdminApi admin{registry, journal, metrics, [] {
                              admin::AdminSettings s;
                              s.access.noAuth = true;
                              return s;
                          }()};
    Server() {
        engine.setReady(true);
        registry.upsert(core::decodeMock(
            core::Json::parse(R"({"id":"m","type":"http","http":{"matcher":{"method":"GET",
                "path":"/m/before"},"response":{"statusCode":200,"body":"ok"}}})"),
            "test", {}));
    }
    static std::string send(http::Handler& h, const Request& req) {
        http::Response res;
        h.handle(req, res);
        std::string out;
        http::writeResponse(res, false, out);
        return out;
    }
};

TEST(HostileInput, PathThatIsNotUtf8GetsA404WithNearMisses) {
    Server s;
    std::string out = s.send(s.engine, request("GET",
                                               "/m/bef\x96\x8d"
                                               "e"));
    EXPECT_EQ(statusOf(out), 404) << out;
    // The request log shows it too (the bytes replaced), and the mock still answers.
    out = s.send(s.admin, request("GET", "/requests"));
    EXPECT_EQ(statusOf(out), 200);
    EXPECT_NE(out.find("/m/bef"), std::string::npos) << out;
    EXPECT_EQ(statusOf(s.send(s.engine, request("GET", "/m/before"))), 200);
}

TEST(HostileInput, AdminBodyWithANumberOutOfRangeIsA400) {
    Server s;
    std::string out = s.send(s.admin, request("POST", "/mocks", R"({"type":"http","n":1e309})"));
    EXPECT_EQ(statusOf(out), 400) << out;
    EXPECT_NE(out.find("invalid_json"), std::string::npos) << out;
}

}  // namespace
}  // namespace mockd::engine
