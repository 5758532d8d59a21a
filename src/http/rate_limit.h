// A token bucket per client IP (mockd's --rate-limit): `burst` requests at once, refilled at
// `rate` per second. Buckets idle for a minute are dropped; while `maxBuckets` are in use, new
// addresses are refused rather than let an address flood evict the others.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/filter.h"
#include "http/request.h"

namespace mockd::http {

struct RateLimitConfig {
    double rate = 100;  // tokens per second
    int burst = 0;      // 0: twice the rate (at least 1)
    size_t maxBuckets = 10000;
    // CIDRs (or single addresses) of proxies whose X-Forwarded-For / X-Real-IP name the client.
    std::vector<std::string> trustedProxies;
};

class RateLimiter {
  public:
    // Throws std::invalid_argument for a trusted proxy that is not an address or CIDR.
    explicit RateLimiter(RateLimitConfig c);

    struct Decision {
        bool allowed = true;
        int limit = 0;      // X-RateLimit-Limit: the burst
        int remaining = 0;  // X-RateLimit-Remaining
        int64_t reset = 0;  // X-RateLimit-Reset (and Retry-After when refused): seconds
    };
    Decision take(const Request& req);
    Decision take(std::string_view clientIp, std::chrono::steady_clock::time_point now);

    // The address a request is counted under.
    std::string clientIp(const Request& req) const;

  private:
    struct Bucket {
        double tokens = 0;
        std::chrono::steady_clock::time_point last;
    };
    struct Cidr {
        std::array<uint8_t, 16> addr{};
        int bits = 0;
    };
    struct Shard {
        std::mutex mu;
        std::unordered_map<std::string, Bucket> buckets;
        std::chrono::steady_clock::time_point lastSweep;
    };
    static constexpr size_t kShards = 16;
    bool trusted(std::string_view ip) const;

    double rate_;
    int burst_;
    size_t maxPerShard_;
    std::vector<Cidr> trusted_;
    std::array<Shard, kShards> shards_;
};

// The limit as a filter: every request counts, and a refused one is answered 429 before anything
// else sees it; allowed ones carry the X-RateLimit-* headers.
class RateLimitFilter final : public Filter {
  public:
    explicit RateLimitFilter(RateLimiter& limiter) : limiter_(limiter) {}
    void apply(const core::Request& req, Response& res, const Next& next) override;

  private:
    RateLimiter& limiter_;
};

// Parses an IPv4 or IPv6 address into 16 bytes (IPv4 as ::ffff:a.b.c.d); false if it is neither.
bool parseIp(std::string_view text, std::array<uint8_t, 16>& out);

}  // namespace mockd::http
