// Which origins get CORS headers, and which headers.
#include "http/cors.h"

#include <gtest/gtest.h>

namespace mockd::http {
namespace {

TEST(Cors, DefaultAllowsLocalDevServersOnly) {
    Cors c{CorsConfig{}};
    EXPECT_EQ(c.allowOrigin("http://localhost:3000"), "http://localhost:3000");
    EXPECT_EQ(c.allowOrigin("http://127.0.0.1:5173"), "http://127.0.0.1:5173");
    EXPECT_EQ(c.allowOrigin("http://localhost:8080"), "");
    EXPECT_EQ(c.allowOrigin("http://LOCALHOST:3000"), "");  // exact, as browsers send it
    EXPECT_EQ(c.allowOrigin(""), "");
}

TEST(Cors, WildcardAndCredentials) {
    CorsConfig cfg;
    cfg.allowOrigins = {"*"};
    Cors any{cfg};
    EXPECT_EQ(any.allowOrigin("https://x.example"), "*");
    EXPECT_EQ(any.allowOrigin(""), "*");
    cfg.allowCredentials = true;
    Cors creds{cfg};
    EXPECT_EQ(creds.allowOrigin("https://x.example"), "https://x.example");
    EXPECT_EQ(creds.allowOrigin(""), "");
    EXPECT_NE(creds.headerLines("https://x.example").find("Access-Control-Allow-Credentials: true"),
              std::string::npos);
}

TEST(Cors, HeaderLines) {
    CorsConfig cfg;
    cfg.allowMethods.clear();  // empty lists fall back to the defaults
    cfg.exposeHeaders = {"X-Id"};
    cfg.maxAge = 0;
    Cors c{cfg};
    EXPECT_EQ(c.headerLines("http://localhost:3000"),
              "Access-Control-Allow-Origin: http://localhost:3000\r\n"
              "Access-Control-Allow-Methods: GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD\r\n"
              "Access-Control-Allow-Headers: Content-Type, Authorization, X-Requested-With, "
              "Accept, Origin\r\n"
              "Access-Control-Expose-Headers: X-Id\r\n"
              "Access-Control-Max-Age: 86400\r\n");
    cfg.enabled = false;
    EXPECT_EQ(Cors{cfg}.allowOrigin("http://localhost:3000"), "");
}

}  // namespace
}  // namespace mockd::http
