// The WireMock admin API's helpers that have to spell things as WireMock does.
#include "wiremock/admin_api.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "http/response.h"

namespace mockd::wiremock {
namespace {

TEST(JettyHeaderName, KnownHeadersTakeJettysSpelling) {
    EXPECT_EQ(jettyHeaderName("content-TYPE"), "Content-Type");
    EXPECT_EQ(jettyHeaderName("user-agent"), "User-Agent");
    EXPECT_EQ(jettyHeaderName("te"), "TE");
    EXPECT_EQ(jettyHeaderName("etag"), "ETag");
    EXPECT_EQ(jettyHeaderName("WWW-AUTHENTICATE"), "WWW-Authenticate");
    EXPECT_EQ(jettyHeaderName("IDENTITY"), "identity");
}

TEST(JettyHeaderName, OtherHeadersStayAsSent) {
    EXPECT_EQ(jettyHeaderName("sec-fetch-mode"), "sec-fetch-mode");
    EXPECT_EQ(jettyHeaderName("X-Mixed-CASE"), "X-Mixed-CASE");
    EXPECT_EQ(jettyHeaderName("x-request-id"), "x-request-id");
    EXPECT_EQ(jettyHeaderName("Content-Typo"), "Content-Typo");
}

// Found by the admin fuzzer (tests/fuzz/): a body that is not UTF-8 is WireMock's 422, not a
// crash.
TEST(HostileInput, WireMockAdminBodyThatIsNotUtf8IsA422) {
    match::Registry registry;
    journal::Journal journal{100};
    ApiOptions wo;
    wo.rootDir = std::filesystem::temp_directory_path().string();
    WireMockApi api(registry, &journal, wo);
    core::Request req;
    req.method = "POST";
    req.target = req.rawPath = req.path = "/__admin/settings";
    req.headers = {{"Host", "localhost"}, {"Content-Type", "application/json"}};
    req.body = "{\xd7\x8froxyPassThrough\": true}";
    req.remoteAddress = "127.0.0.1";
    http::Response res;
    api.handle(req, res);
    std::string out;
    http::writeResponse(res, false, out);
    EXPECT_EQ(out.substr(9, 3), "422") << out;
    EXPECT_NE(out.find("\"errors\""), std::string::npos) << out;
}

}  // namespace
}  // namespace mockd::wiremock
