// The set of live mocks as request threads see it: immutable, answering "which mock wins".
// Usually one index of every mock. After a change it is that index with a small one of the
// changed mocks on top (and the versions they replace or remove left out), so a change costs
// what it changed, not the whole set; the registry folds the two together in the background.
#pragma once

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "match/mock_index.h"

namespace mockd::match {

class Snapshot final {
  public:
    // One index of `mocks` in creation order (oldest first), every type and state.
    static std::shared_ptr<const Snapshot> build(std::vector<CompiledMockPtr> mocks,
                                                 Order order = Order::Specificity);
    // `base` without its `hidden` mocks, with `changes` on top (mocks that are new, or newer
    // versions of hidden ones). Both indexes must have been built in the same order.
    static std::shared_ptr<const Snapshot> layered(std::shared_ptr<const MockIndex> base,
                                                   std::shared_ptr<const MockIndex> changes,
                                                   std::shared_ptr<const HiddenSet> hidden);

    // The best enabled HTTP mock for the request made with `method`, or nullptr.
    const CompiledMock* find(const MatchInput& in, std::string_view method) const;
    // Up to `max` mocks that partly match, best first (mockd's near-miss report).
    std::vector<NearMiss> nearMisses(const MatchInput& in, size_t max = 3) const;

    // Every mock in creation order (a replaced mock keeps its place).
    const std::vector<CompiledMockPtr>& all() const;
    // Enabled HTTP mocks in the order they are tried.
    const std::vector<const CompiledMock*>& ranked() const;
    size_t size() const { return size_; }
    // The mock with this id, or nullptr.
    CompiledMockPtr byId(std::string_view id) const;

    const std::shared_ptr<const MockIndex>& base() const { return base_; }
    // The changed mocks on top of the base (nullptr when there are none).
    const std::shared_ptr<const MockIndex>& changes() const { return changes_; }
    const std::shared_ptr<const HiddenSet>& hidden() const { return hidden_; }
    Order order() const { return base_->order(); }

  private:
    // One walk of the candidates; sets *stale when the winner's claim found its state moved.
    const CompiledMock* findOnce(const MatchInput& in, std::string_view method, bool* stale) const;
    bool isHidden(const CompiledMock* m) const { return hidden_ && hidden_->count(m) > 0; }
    void materialize() const;

    std::shared_ptr<const MockIndex> base_;
    std::shared_ptr<const MockIndex> changes_;
    std::shared_ptr<const HiddenSet> hidden_;
    size_t size_ = 0;
    // The merged lists of a layered snapshot, made on first use (listings, not requests).
    mutable std::once_flag merged_;
    mutable std::vector<CompiledMockPtr> all_;
    mutable std::vector<const CompiledMock*> ranked_;
};

}  // namespace mockd::match
