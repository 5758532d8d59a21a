#include "http/rate_limit.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "http/request.h"

namespace mockd::http {

namespace {
constexpr auto kIdle = std::chrono::minutes(1);

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}
}  // namespace

bool parseIp(std::string_view text, std::array<uint8_t, 16>& out) {
    char buf[INET6_ADDRSTRLEN + 1];
    if (text.empty() || text.size() > INET6_ADDRSTRLEN) return false;
    text.copy(buf, text.size());
    buf[text.size()] = 0;
    out.fill(0);
    if (inet_pton(AF_INET, buf, out.data() + 12) == 1) {
        out[10] = out[11] = 0xff;
        return true;
    }
    return inet_pton(AF_INET6, buf, out.data()) == 1;
}

RateLimiter::RateLimiter(RateLimitConfig c)
    : rate_(c.rate > 0 ? c.rate : 100),
      burst_(c.burst > 0 ? c.burst : std::max(1, static_cast<int>(rate_ * 2))),
      maxPerShard_(std::max<size_t>(1, (c.maxBuckets ? c.maxBuckets : 10000) / kShards)) {
    for (const auto& t : c.trustedProxies) {
        std::string_view text = t;
        Cidr cidr;
        size_t slash = text.find('/');
        if (!parseIp(text.substr(0, slash), cidr.addr))
            throw std::invalid_argument("\"" + t + "\" is not an IP address or CIDR");
        const bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
        cidr.bits = 128;
        if (slash != std::string_view::npos) {
            std::string bits(text.substr(slash + 1));
            if (bits.empty() || bits.size() > 3 ||
                bits.find_first_not_of("0123456789") != std::string::npos)
                throw std::invalid_argument("\"" + t + "\" is not an IP address or CIDR");
            int n = std::stoi(bits);
            if (n > (v4 ? 32 : 128))
                throw std::invalid_argument("\"" + t + "\" is not an IP address or CIDR");
            cidr.bits = v4 ? 96 + n : n;
        }
        trusted_.push_back(cidr);
    }
}

bool RateLimiter::trusted(std::string_view ip) const {
    std::array<uint8_t, 16> a{};
    if (trusted_.empty() || !parseIp(ip, a)) return false;
    for (const auto& c : trusted_) {
        int bits = c.bits;
        size_t i = 0;
        for (; bits >= 8; bits -= 8, ++i)
            if (a[i] != c.addr[i]) break;
        if (bits >= 8) continue;
        if (bits == 0) return true;
        const auto mask = static_cast<uint8_t>(0xff << (8 - bits));
        if ((a[i] & mask) == (c.addr[i] & mask)) return true;
    }
    return false;
}

std::string RateLimiter::clientIp(const Request& req) const {
    std::string_view remote = req.remoteAddress;
    // Accepted IPv4 connections on a dual-stack socket read ::ffff:a.b.c.d.
    if (remote.starts_with("::ffff:") && remote.find('.') != std::string_view::npos)
        remote.remove_prefix(7);
    if (trusted(remote)) {
        std::array<uint8_t, 16> a{};
        std::string_view xff = req.header("X-Forwarded-For");
        std::string_view first = trim(xff.substr(0, xff.find(',')));
        if (parseIp(first, a)) return std::string(first);
        std::string_view real = trim(req.header("X-Real-IP"));
        if (parseIp(real, a)) return std::string(real);
    }
    return std::string(remote);
}

RateLimiter::Decision RateLimiter::take(const Request& req) {
    return take(clientIp(req), std::chrono::steady_clock::now());
}

RateLimiter::Decision RateLimiter::take(std::string_view ip,
                                        std::chrono::steady_clock::time_point now) {
    Decision d;
    d.limit = burst_;
    Shard& shard = shards_[std::hash<std::string_view>{}(ip) % kShards];
    std::lock_guard lock(shard.mu);
    auto it = shard.buckets.find(std::string(ip));
    if (it == shard.buckets.end()) {
        if (shard.buckets.size() >= maxPerShard_ &&
            now - shard.lastSweep > std::chrono::seconds(1)) {
            shard.lastSweep = now;
            std::erase_if(shard.buckets,
                          [&](const auto& kv) { return now - kv.second.last > kIdle; });
        }
        if (shard.buckets.size() >= maxPerShard_) {
            d.allowed = false;
            d.reset = 1;
            return d;
        }
        it = shard.buckets.emplace(std::string(ip), Bucket{static_cast<double>(burst_), now}).first;
    }
    Bucket& b = it->second;
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min<double>(burst_, b.tokens + elapsed * rate_);
    b.last = now;
    if (b.tokens >= 1) {
        d.reset = static_cast<int64_t>((burst_ - b.tokens) / rate_);
        if (d.reset < 1 && b.tokens < burst_) d.reset = 1;
        b.tokens -= 1;
        d.remaining = static_cast<int>(b.tokens);
        return d;
    }
    d.allowed = false;
    d.reset = std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1 - b.tokens) / rate_)));
    return d;
}

void RateLimitFilter::apply(const core::Request& req, Response& res, const Next& next) {
    const RateLimiter::Decision d = limiter_.take(req);
    std::string lines;
    appendHeaderLine(lines, "X-RateLimit-Limit", std::to_string(d.limit));
    appendHeaderLine(lines, "X-RateLimit-Remaining", std::to_string(d.remaining));
    appendHeaderLine(lines, "X-RateLimit-Reset", std::to_string(d.reset));
    if (!d.allowed) {
        appendHeaderLine(lines, "Retry-After", std::to_string(d.reset));
        res.status = 429;
        res.headers = std::move(lines);
        res.contentType = "application/json";
        res.setBody(
            R"({"error":"rate_limit_exceeded","message":"Too many requests. Please slow down."})");
        return;
    }
    next(req, res);
    res.prependHeaders(std::move(lines));
}

}  // namespace mockd::http
