// Counters the mock port keeps for /metrics: lock-free, updated on the request path.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "http/request_counts.h"

namespace mockd::http {

struct Metrics {
    static constexpr std::array<double, 14> kBuckets = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    std::atomic<uint64_t> matchHits{0};
    std::atomic<uint64_t> matchMisses{0};
    std::atomic<uint64_t> builtin{0};                                  // /health and friends
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> latency{};  // last: +Inf
    std::atomic<uint64_t> latencySumUs{0};
    std::atomic<uint64_t> latencyCount{0};
    RequestCounts requests;  // by mock id and the status sent

    void observe(double seconds) {
        size_t i = 0;
        while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
        latency[i].fetch_add(1, std::memory_order_relaxed);
        latencySumUs.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
        latencyCount.fetch_add(1, std::memory_order_relaxed);
    }
};

}  // namespace mockd::http
