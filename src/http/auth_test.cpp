#include "http/auth.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>

namespace mockd::http {
namespace {

struct R {
    core::Request req;
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
// The key check takes as long whether a guess is wrong in its first byte or its last, so timing
// answers cannot reveal a key prefix. A long key makes an early-exit comparison stand out (the
// check is shown to catch one), the fastest of many rounds filters out scheduling noise, and the
// two guesses take turns round by round, so a slow spell of the machine falls on both.
double oneRound(const std::function<bool(std::string_view, std::string_view)>& eq,
                const std::string& key, const std::string& guess) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) {
        const char* g = guess.data();
        asm volatile("" : "+r"(g));  // each call compares afresh
        bool r = eq(key, std::string_view(g, guess.size()));
        asm volatile("" : : "r"(r) : "memory");
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double firstOverLast(const std::function<bool(std::string_view, std::string_view)>& eq) {
    std::string key(16 * 1024, 'k');
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<char>('a' + (i * 7) % 26);
    std::string wrongFirst = key, wrongLast = key;
    wrongFirst.front() ^= 1;
    wrongLast.back() ^= 1;
    double first = 1e9, last = 1e9;
    for (int round = 0; round < 60; ++round) {
        first = std::min(first, oneRound(eq, key, wrongFirst));
        last = std::min(last, oneRound(eq, key, wrongLast));
    }
    return first / last;
}

TEST(Access, KeyComparisonTakesTheSameTimeWhereverTheGuessIsWrong) {
    const double ratio = firstOverLast(constantTimeEquals);
    EXPECT_GT(ratio, 0.5) << "a guess wrong in its first byte is answered sooner";
    EXPECT_LT(ratio, 2.0);
    // The same check on an early-exit comparison: it fails by orders of magnitude.
    const double naive = firstOverLast([](std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i)
            if (a[i] != b[i]) return false;
        return true;
    });
    EXPECT_LT(naive, 0.1) << "the timing check cannot tell an early-exit comparison apart";
}

}  // namespace mockd::http
