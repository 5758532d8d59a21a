#include "admin/auth.h"

#include <gtest/gtest.h>

namespace mockd::admin {
namespace {

struct R {
    http::Request req;
    R(std::string_view remote, std::string_view host) {
        req.remoteAddress = remote;
        req.headers.push_back({"Host", host});
    }
    R& h(std::string_view n, std::string_view v) {
        req.headers.push_back({n, v});
        return *this;
    }
};

const AccessPolicy kPolicy{"mk_secret", false, "devbox"};

TEST(Access, LoopbackNeedsNoKey) {
    EXPECT_FALSE(checkAccess(R("127.0.0.1", "localhost:4290").req, kPolicy));
    EXPECT_FALSE(checkAccess(R("::1", "[::1]:4290").req, kPolicy));
    EXPECT_FALSE(checkAccess(R("::ffff:127.0.0.1", "127.0.0.1:4290").req, kPolicy));
    EXPECT_FALSE(checkAccess(R("127.0.0.1", "devbox:4290").req, kPolicy));
    // Node's fetch from a test: cors mode, no Origin.
    EXPECT_FALSE(
        checkAccess(R("127.0.0.1", "localhost:4290").h("Sec-Fetch-Mode", "cors").req, kPolicy));
    EXPECT_FALSE(
        checkAccess(R("127.0.0.1", "localhost").h("Origin", "http://localhost:3000").req, kPolicy));
}

TEST(Access, BrowsersOnOtherSitesAreRefusedEvenFromLoopback) {
    auto d = checkAccess(R("127.0.0.1", "localhost:4290").h("Origin", "https://evil.example").req,
                         kPolicy);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->status, 403);
    EXPECT_EQ(d->code, "forbidden");
    EXPECT_TRUE(
        checkAccess(R("127.0.0.1", "localhost").h("Sec-Fetch-Site", "cross-site").req, kPolicy));
    EXPECT_TRUE(checkAccess(R("127.0.0.1", "localhost").h("Origin", "null").req, kPolicy));
    // With the key, a caller elsewhere is fine.
    EXPECT_FALSE(checkAccess(R("127.0.0.1", "localhost")
                                 .h("Origin", "https://x.example")
                                 .h("X-API-Key", "mk_secret")
                                 .req,
                             kPolicy));
}

TEST(Access, ForeignHostOrRemoteAddressNeedsTheKey) {
    auto d = checkAccess(R("127.0.0.1", "evil.example").req, kPolicy);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->code, "missing_api_key");
    d = checkAccess(R("10.0.0.7", "mockd:4290").h("X-API-Key", "mk_wrong").req, kPolicy);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->code, "invalid_api_key");
    EXPECT_FALSE(checkAccess(R("10.0.0.7", "mockd:4290").h("X-API-Key", "mk_secret").req, kPolicy));
    EXPECT_FALSE(
        checkAccess(R("10.0.0.7", "mockd").h("Authorization", "Bearer mk_secret").req, kPolicy));
    AccessPolicy open = kPolicy;
    open.noAuth = true;
    EXPECT_FALSE(checkAccess(R("10.0.0.7", "mockd:4290").req, open));
}

TEST(Access, LoopbackLookingNamesAreNames) {
    EXPECT_TRUE(checkAccess(R("127.0.0.1", "127.0.0.1.evil.example:4290").req, kPolicy));
    EXPECT_TRUE(checkAccess(R("127.0.0.1", "127.evil.example").req, kPolicy));
    EXPECT_TRUE(checkAccess(
        R("127.0.0.1", "localhost").h("Origin", "http://127.0.0.1.evil.example").req, kPolicy));
    EXPECT_TRUE(isLoopbackAddress("127.1.2.3"));
    EXPECT_TRUE(isLoopbackAddress("::ffff:127.0.0.1"));
    EXPECT_FALSE(isLoopbackAddress("::ffff:10.0.0.1"));
    EXPECT_FALSE(isLoopbackAddress("127.0.0.1.evil.example"));
}

TEST(Access, Helpers) {
    EXPECT_EQ(hostWithoutPort("localhost:4290"), "localhost");
    EXPECT_EQ(hostWithoutPort("[::1]:80"), "::1");
    EXPECT_EQ(hostWithoutPort("::1"), "::1");
    EXPECT_TRUE(constantTimeEquals("abc", "abc"));
    EXPECT_FALSE(constantTimeEquals("abc", "abd"));
    EXPECT_FALSE(constantTimeEquals("abc", "abcd"));
    auto k = generateApiKey();
    EXPECT_EQ(k.size(), 67u);
    EXPECT_TRUE(k.starts_with("mk_"));
    EXPECT_NE(k, generateApiKey());
}

}  // namespace
}  // namespace mockd::admin
