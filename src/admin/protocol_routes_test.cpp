// What a protocol brings to the admin API through the seam: its routes (behind the admin API's
// access checks, with its 404 and 405), and its request-log entries (their protocol and fields
// on /requests, and the protocol filter).
#include <gtest/gtest.h>

#include "admin/admin_api.h"
#include "http/response.h"

namespace mockd::admin {
namespace {

core::Request request(std::string_view method, std::string_view target, std::string_view key = {}) {
    core::Request req;
    req.method = method;
    req.target = target;
    std::string_view path = target.substr(0, target.find('?'));
    req.rawPath = req.path = path;
    if (path.size() < target.size()) req.rawQuery = target.substr(path.size() + 1);
    req.headers = {{"Host", "localhost"}};
    if (!key.empty()) req.headers.push_back({"X-API-Key", key});
    req.remoteAddress = "127.0.0.1";
    return req;
}

struct Answer {
    int status = 0;
    std::string text;
};

struct Admin {
    match::Registry registry;
    journal::Journal journal{16};
    http::Metrics metrics;
    AdminApi api;
    explicit Admin(std::string apiKey)
        : api(registry, journal, metrics, [&] {
              AdminSettings s;
              s.access.apiKey = std::move(apiKey);
              s.protocolRoutes.push_back(
                  {"GET", "/probe/connections/{id}",
                   [](const core::Request&, const http::RouteParams& p, http::Response& res) {
                       res.status = 200;
                       res.contentType = "application/json";
                       res.setBody(R"({"id":")" + std::string(http::routeParam(p, "id")) + R"("})");
                   }});
              return s;
          }()) {}
    Answer send(const core::Request& req) {
        http::Response res;
        api.handle(req, res);
        Answer a;
        a.status = res.status;
        http::writeResponse(res, false, a.text);
        return a;
    }
};

TEST(ProtocolAdminRoutes, AreServedWithTheirParameters) {
    Admin admin("mk_test");
    Answer a = admin.send(request("GET", "/probe/connections/c-1", "mk_test"));
    EXPECT_EQ(a.status, 200);
    EXPECT_NE(a.text.find(R"({"id":"c-1"})"), std::string::npos) << a.text;
}

TEST(ProtocolAdminRoutes, AnswerTheAdminApisOwn405And404) {
    Admin admin("mk_test");
    Answer a = admin.send(request("DELETE", "/probe/connections/c-1", "mk_test"));
    EXPECT_EQ(a.status, 405);
    EXPECT_NE(a.text.find("(allowed: GET)"), std::string::npos) << a.text;
    EXPECT_EQ(admin.send(request("GET", "/probe/elsewhere", "mk_test")).status, 404);
}

TEST(ProtocolAdminRoutes, NeedTheApiKeyLikeEveryAdminRoute) {
    Admin admin("mk_test");
    core::Request remote = request("GET", "/probe/connections/c-1", "mk_wrong");
    remote.remoteAddress = "10.0.0.5";
    EXPECT_EQ(admin.send(remote).status, 401);
    remote = request("GET", "/probe/connections/c-1", "mk_test");
    remote.remoteAddress = "10.0.0.5";
    EXPECT_EQ(admin.send(remote).status, 200);
}

TEST(ProtocolRequestLog, EntriesShowTheirProtocolAndFieldsAndFilterByIt) {
    Admin admin("mk_test");
    journal::Entry http;
    http.method = "GET";
    http.path = "/a";
    admin.journal.record(http);
    journal::Entry probe;
    probe.protocol = "probe";
    probe.protocolJson = R"({"connectionId":"c-1","direction":"inbound"})";
    probe.method = "MESSAGE";
    probe.path = "/p";
    admin.journal.record(probe);

    Answer all = admin.send(request("GET", "/requests", "mk_test"));
    EXPECT_NE(all.text.find(R"("total":2)"), std::string::npos) << all.text;
    Answer only = admin.send(request("GET", "/requests?protocol=probe", "mk_test"));
    EXPECT_NE(only.text.find(R"("total":1)"), std::string::npos) << only.text;
    EXPECT_NE(only.text.find(R"("protocol":"probe")"), std::string::npos) << only.text;
    EXPECT_NE(only.text.find(R"("probe":{"connectionId":"c-1","direction":"inbound"})"),
              std::string::npos)
        << only.text;
    Answer httpOnly = admin.send(request("GET", "/requests?protocol=http", "mk_test"));
    EXPECT_NE(httpOnly.text.find(R"("total":1)"), std::string::npos) << httpOnly.text;
    EXPECT_EQ(httpOnly.text.find("MESSAGE"), std::string::npos) << httpOnly.text;
}

}  // namespace
}  // namespace mockd::admin
