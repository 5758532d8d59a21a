// The set of live mocks as request threads see it: immutable, answering "which mock wins".
// Usually one index of every mock. While mocks are being changed it is that index with up to
// two small indexes of the changed mocks on top (and the versions they replace or remove left
// out), so a change costs what it changed, not the whole set; the registry folds the layers
// back into one index in the background.
#pragma once

#include <array>
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
    // Layers of indexes, oldest first: `base` (a full index), then `middle` and `top` (indexes
    // of later changes; either may be null). `hidden` names the mocks of the lower layers that
    // a later one replaced (with the same id and age) or removed. All were built in one order.
    static std::shared_ptr<const Snapshot> layered(std::shared_ptr<const MockIndex> base,
                                                   std::shared_ptr<const MockIndex> middle,
                                                   std::shared_ptr<const MockIndex> top,
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

    const std::shared_ptr<const MockIndex>& base() const { return layers_[0]; }
    // True when changes lie on top of the base (they are folded in the background).
    bool layered() const { return count_ > 1 || hidden_; }
    Order order() const { return layers_[0]->order(); }

  private:
    // One walk of the candidates; sets *stale when the winner's claim found its state moved.
    const CompiledMock* findOnce(const MatchInput& in, std::string_view method, bool* stale) const;
    bool isHidden(const CompiledMock* m) const { return hidden_ && hidden_->contains(m); }
    void materialize() const;

    static constexpr size_t kMaxLayers = 3;
    std::array<std::shared_ptr<const MockIndex>, kMaxLayers> layers_;  // the first count_ set
    size_t count_ = 0;
    std::shared_ptr<const HiddenSet> hidden_;
    size_t size_ = 0;
    // The merged lists of a layered snapshot, made on first use (listings and folds).
    mutable std::once_flag merged_;
    mutable std::vector<CompiledMockPtr> all_;
    mutable std::vector<const CompiledMock*> ranked_;
};

}  // namespace mockd::match
