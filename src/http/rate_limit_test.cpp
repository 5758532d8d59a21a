// The per-IP token bucket on a clock the tests move by hand.
#include "http/rate_limit.h"

#include <gtest/gtest.h>

#include "http/request.h"

namespace mockd::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

RateLimitConfig cfg(double rate, int burst = 0, size_t maxBuckets = 10000,
                    std::vector<std::string> trusted = {}) {
    RateLimitConfig c;
    c.rate = rate;
    c.burst = burst;
    c.maxBuckets = maxBuckets;
    c.trustedProxies = std::move(trusted);
    return c;
}

TEST(RateLimiter, BurstThenRefillAtTheRate) {
    RateLimiter rl(cfg(2, 3));
    const auto t0 = Clock::now();
    for (int i = 0; i < 3; ++i) {
        auto d = rl.take("10.0.0.1", t0);
        ASSERT_TRUE(d.allowed) << i;
        EXPECT_EQ(d.limit, 3);
        EXPECT_EQ(d.remaining, 2 - i);
    }
    auto refused = rl.take("10.0.0.1", t0);
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.remaining, 0);
    EXPECT_EQ(refused.reset, 1);  // half a second to the next token, rounded up
    EXPECT_FALSE(rl.take("10.0.0.1", t0 + 400ms).allowed);
    EXPECT_TRUE(rl.take("10.0.0.1", t0 + 600ms).allowed);
    // Never more than the burst, however long the address was away.
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(rl.take("10.0.0.1", t0 + 1h).allowed);
    EXPECT_FALSE(rl.take("10.0.0.1", t0 + 1h).allowed);
}

TEST(RateLimiter, EachAddressHasItsOwnBucket) {
    RateLimiter rl(cfg(1, 1));
    const auto t0 = Clock::now();
    EXPECT_TRUE(rl.take("10.0.0.1", t0).allowed);
    EXPECT_FALSE(rl.take("10.0.0.1", t0).allowed);
    EXPECT_TRUE(rl.take("10.0.0.2", t0).allowed);
    EXPECT_TRUE(rl.take("::1", t0).allowed);
}

TEST(RateLimiter, DefaultBurstIsTwiceTheRate) {
    EXPECT_EQ(RateLimiter(cfg(5)).take("a", Clock::now()).limit, 10);
    EXPECT_EQ(RateLimiter(cfg(0.2)).take("a", Clock::now()).limit, 1);
}

TEST(RateLimiter, FullTableRefusesNewAddressesUntilIdleOnesExpire) {
    RateLimiter rl(cfg(10, 10, 16));  // one bucket per shard
    const auto t0 = Clock::now();
    int refusedNew = 0;
    for (int i = 0; i < 200; ++i)
        if (!rl.take("10.1.0." + std::to_string(i), t0).allowed) ++refusedNew;
    EXPECT_GE(refusedNew, 200 - 16);
    // A minute later the idle buckets are gone and new addresses are served again.
    int servedLater = 0;
    for (int i = 0; i < 200; ++i)
        if (rl.take("10.2.0." + std::to_string(i), t0 + 2min).allowed) ++servedLater;
    EXPECT_GE(servedLater, 16);
}

TEST(RateLimiter, TrustedProxiesOnly) {
    RateLimiter rl(cfg(1, 0, 10000, {"127.0.0.0/8", "::1", "fd00::/8"}));
    Request r;
    std::vector<Header> headers = {{"X-Forwarded-For", " 203.0.113.5 , 10.0.0.1"}};
    r.headers = headers;
    for (const char* proxy : {"127.0.0.1", "::ffff:127.0.0.9", "::1", "fd12::1"}) {
        r.remoteAddress = proxy;
        EXPECT_EQ(rl.clientIp(r), "203.0.113.5") << proxy;
    }
    r.remoteAddress = "192.0.2.1";
    EXPECT_EQ(rl.clientIp(r), "192.0.2.1");
    headers = {{"X-Forwarded-For", "not-an-ip"}, {"X-Real-IP", "198.51.100.2"}};
    r.headers = headers;
    r.remoteAddress = "127.0.0.1";
    EXPECT_EQ(rl.clientIp(r), "198.51.100.2");
    EXPECT_THROW(RateLimiter(cfg(1, 0, 1, {"10.0.0.0/33"})), std::invalid_argument);
    EXPECT_THROW(RateLimiter(cfg(1, 0, 1, {"proxy.local"})), std::invalid_argument);
}

}  // namespace
}  // namespace mockd::http
