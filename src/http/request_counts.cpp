// Per-thread shards of (mock id, status) counters, merged when /metrics is scraped.
#include "http/request_counts.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <unordered_map>
#include <utility>

namespace mockd::http {

namespace {
std::atomic<uint64_t> gInstances{1};

struct IdHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
}  // namespace

struct RequestCounts::Shard {
    std::mutex mu;
    // Per mock id, (status, count) pairs: a mock answers with one or two statuses, so a short
    // vector beats a second map.
    std::unordered_map<std::string, std::vector<std::pair<int, uint64_t>>, IdHash, std::equal_to<>>
        counts;
};

RequestCounts::RequestCounts() : instance_(gInstances.fetch_add(1)) {}
RequestCounts::~RequestCounts() = default;

RequestCounts::Shard& RequestCounts::localShard() {
    // One shard per (thread, counter set); the instance number tells sets apart even when one
    // is destroyed and another allocated at the same address.
    thread_local std::vector<std::pair<uint64_t, std::shared_ptr<Shard>>> mine;
    for (auto& [inst, shard] : mine)
        if (inst == instance_) return *shard;
    auto shard = std::make_shared<Shard>();
    {
        std::lock_guard lock(shardsMu_);
        shards_.push_back(shard);
    }
    mine.emplace_back(instance_, shard);
    return *shard;
}

void RequestCounts::add(std::string_view mockId, int status) {
    Shard& shard = localShard();
    std::lock_guard lock(shard.mu);
    auto it = shard.counts.find(mockId);
    if (it == shard.counts.end()) it = shard.counts.emplace(std::string(mockId), 0).first;
    for (auto& [s, n] : it->second)
        if (s == status) {
            ++n;
            return;
        }
    it->second.emplace_back(status, 1);
}

std::vector<RequestCounts::Sample> RequestCounts::samples() const {
    std::map<std::pair<std::string, int>, uint64_t> merged;
    {
        std::lock_guard lock(shardsMu_);
        for (const auto& shard : shards_) {
            std::lock_guard sl(shard->mu);
            for (const auto& [id, statuses] : shard->counts)
                for (const auto& [status, n] : statuses) merged[{id, status}] += n;
        }
    }
    std::vector<Sample> out;
    out.reserve(merged.size());
    for (auto& [key, n] : merged) out.push_back({key.first, key.second, n});
    return out;
}

}  // namespace mockd::http
