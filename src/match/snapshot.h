// An immutable set of compiled mocks with an index, so a request is compared only with the mocks
// that could match it: literal paths by hash, {param} paths by segment count and first segment.
#pragma once

#include <re2/set.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "match/compiled_mock.h"

namespace mockd::match {

struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Which mock wins when several match: the most specific (then the highest rank, then the newest:
// mockd's order) or the highest rank (then the newest: WireMock's order, by priority).
enum class Order { Specificity, Priority };

// The rank of a mock of mockd's format in priority order: that of a stub of default priority.
inline constexpr int kDefaultPriorityRank = -5;

class Snapshot final {
  public:
    // `mocks` in creation order (oldest first), every type and state.
    static std::shared_ptr<const Snapshot> build(std::vector<CompiledMockPtr> mocks,
                                                 Order order = Order::Specificity);
    // Enabled HTTP mocks in the order they are tried.
    const std::vector<const CompiledMock*>& ranked() const { return ranked_; }

    // The best enabled HTTP mock for the request made with `method`, or nullptr.
    const CompiledMock* find(const MatchInput& in, std::string_view method) const;
    // Up to `max` mocks that partly match, best first (mockd's near-miss report).
    std::vector<NearMiss> nearMisses(const MatchInput& in, size_t max = 3) const;

    const std::vector<CompiledMockPtr>& all() const { return all_; }
    size_t size() const { return all_.size(); }

  private:
    std::vector<CompiledMockPtr> all_;
    std::vector<const CompiledMock*> ranked_;  // enabled HTTP mocks, best rank first
    std::unordered_map<std::string, std::vector<uint32_t>, StringHash, std::equal_to<>> exact_;
    std::unordered_map<std::string, std::vector<uint32_t>, StringHash, std::equal_to<>> params_;
    std::vector<uint32_t> others_;  // wildcards, regexes and mocks without a path
    // With many pathPattern regexes among others_, they move to regexRanks_ and run as one
    // set, once per request: pathSet_ pattern i is mock regexRanks_[i]'s, and a mock whose
    // regex is not among the hits is never looked at.
    std::vector<uint32_t> regexRanks_;
    std::unique_ptr<RE2::Set> pathSet_;

    // The ranks of the mocks whose pathPattern matches `path`, in rank order. False when the set
    // ran out of memory, in which case every regex must run on its own.
    bool matchPathSet(std::string_view path, std::vector<uint32_t>& ranks) const;
    // One walk of the candidates; sets *stale when the winner's claim found its state moved.
    const CompiledMock* findOnce(const MatchInput& in, std::string_view method, bool* stale) const;
    void buildNearMissIndex();

    // The near-miss index. A mock that no path list, header, query parameter or body condition
    // names for a request scores its method alone, so only the named ones are scored one by one.
    using RankLists =
        std::unordered_map<std::string, std::vector<uint32_t>, StringHash, std::equal_to<>>;
    RankLists nearByMethod_;  // upper-case method: its mocks, closest first on the method alone
    RankLists nearByHeader_;  // lower-case header name
    RankLists nearByQuery_;   // query parameter name
    std::vector<uint32_t> nearAlways_;     // format stubs, query conditions met by absence
    std::vector<uint32_t> nearBody_;       // every mock with a body condition
    std::vector<uint32_t> nearEmptyBody_;  // those an empty body can meet
};

}  // namespace mockd::match
