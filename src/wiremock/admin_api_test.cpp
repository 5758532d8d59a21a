// The WireMock admin API's helpers that have to spell things as WireMock does.
#include "wiremock/admin_api.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace mockd::wiremock
