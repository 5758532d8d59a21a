// An immutable set of compiled mocks with an index, so a request is compared only with the mocks
// that could match it: literal paths by hash, {param} paths by segment count and first segment.
// A snapshot (snapshot.h) is one index, or a large one with a small one of recent changes on top.
#pragma once

#include <re2/set.h>

#include <algorithm>
#include <array>
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

// True when `a` is tried before `b`: the order the index ranks its mocks in, and the order two
// indexes' candidates are merged in.
bool ranksBefore(const CompiledMock* a, const CompiledMock* b, Order order);

// Mocks of an index that a snapshot leaves out (removed, or replaced by a newer version),
// sorted by address: small, and copied whole on every change.
class HiddenSet {
  public:
    bool contains(const CompiledMock* m) const {
        return std::binary_search(mocks_.begin(), mocks_.end(), m);
    }
    void insert(const CompiledMock* m) {
        auto at = std::lower_bound(mocks_.begin(), mocks_.end(), m);
        if (at == mocks_.end() || *at != m) mocks_.insert(at, m);
    }
    void erase(const CompiledMock* m) {
        auto at = std::lower_bound(mocks_.begin(), mocks_.end(), m);
        if (at != mocks_.end() && *at == m) mocks_.erase(at);
    }
    size_t size() const { return mocks_.size(); }
    bool empty() const { return mocks_.empty(); }
    void clear() { mocks_.clear(); }

  private:
    std::vector<const CompiledMock*> mocks_;
};

// A mock that partly matches a request, before its full analysis.
struct NearCandidate {
    const CompiledMock* mock;
    int score, percent;
};

class MockIndex final {
  public:
    // A full index, or a small one of recent changes: that one is rebuilt on every change, so
    // it skips what costs more to build than it saves (the near-miss index and the regex set).
    enum class Kind { Full, Changes };
    // `mocks` in creation order (oldest first), every type and state. `ranked`, when given, is
    // their enabled mocks already in matching order (a fold has them so), which spares a sort.
    static std::shared_ptr<const MockIndex> build(
        std::vector<CompiledMockPtr> mocks, Order order = Order::Specificity,
        Kind kind = Kind::Full, const std::vector<const CompiledMock*>* ranked = nullptr);
    // Enabled HTTP mocks in the order they are tried.
    const std::vector<const CompiledMock*>& ranked() const { return ranked_; }
    const std::vector<CompiledMockPtr>& all() const { return all_; }
    size_t size() const { return all_.size(); }
    Order order() const { return order_; }
    // The mock with this id, or nullptr.
    const CompiledMockPtr* byId(std::string_view id) const;

    // The candidates for a request path, best rank first: only the mocks whose path can match.
    // The walk's regex hits go into `hits`, which must outlive it and not be shared with
    // another walk in progress.
    class Walk {
      public:
        Walk(const MockIndex& index, std::string_view path, std::vector<uint32_t>& hits);
        Walk(const Walk&) = delete;
        Walk& operator=(const Walk&) = delete;
        // The next candidate, or nullptr when there is none left.
        const CompiledMock* next();

      private:
        struct Span {
            const uint32_t* at;
            const uint32_t* end;
        };
        const MockIndex& index_;
        std::string_view path_;
        std::vector<uint32_t>& hits_;
        // Up to five candidate lists, each in rank order, walked merged.
        std::array<Span, 5> spans_;
        size_t count_ = 0;
        size_t regexSpan_ = 0;
        uint32_t firstRegex_ = 0;
        bool setRan_ = false;
    };

    // Appends the mocks that score for `in` (those in `hidden` left out), at least the `max`
    // closest; the caller sorts them.
    void nearCandidates(const MatchInput& in, size_t max, const HiddenSet* hidden,
                        std::vector<NearCandidate>& out) const;

  private:
    Order order_ = Order::Specificity;
    Kind kind_ = Kind::Full;
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
    void buildNearMissIndex();
    std::unordered_map<std::string_view, uint32_t> byId_;  // id -> position in all_

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
