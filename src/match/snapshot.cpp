// A snapshot: one index, or an index with the recent changes on top, read as one set.
#include "match/snapshot.h"

#include <algorithm>
#include <unordered_set>

namespace mockd::match {

namespace {
// The first candidate that matches and whose claim holds; `next` gives candidates in rank order.
template <class Next>
const CompiledMock* firstClaimed(Next&& next, const MatchInput& in, std::string_view method,
                                 bool* stale) {
    while (const CompiledMock* m = next()) {
        if (!m->matches(in, method)) continue;
        switch (m->claim()) {
            case CompiledMock::Claim::Taken:
                return m;
            case CompiledMock::Claim::UsedUp:
                // Its `times` are used up: the request falls through to the next candidate.
                continue;
            case CompiledMock::Claim::Stale:
                *stale = true;
                return nullptr;
        }
    }
    return nullptr;
}

// Each walk in progress keeps its regex hits apart.
thread_local std::vector<uint32_t> tBaseHits;
thread_local std::vector<uint32_t> tChangeHits;
}  // namespace

std::shared_ptr<const Snapshot> Snapshot::build(std::vector<CompiledMockPtr> mocks, Order order) {
    auto s = std::make_shared<Snapshot>();
    s->base_ = MockIndex::build(std::move(mocks), order);
    s->size_ = s->base_->size();
    return s;
}

std::shared_ptr<const Snapshot> Snapshot::layered(std::shared_ptr<const MockIndex> base,
                                                  std::shared_ptr<const MockIndex> changes,
                                                  std::shared_ptr<const HiddenSet> hidden) {
    auto s = std::make_shared<Snapshot>();
    s->base_ = std::move(base);
    if (changes && changes->size() > 0) s->changes_ = std::move(changes);
    if (hidden && !hidden->empty()) s->hidden_ = std::move(hidden);
    s->size_ = s->base_->size() - (s->hidden_ ? s->hidden_->size() : 0) +
               (s->changes_ ? s->changes_->size() : 0);
    return s;
}

const CompiledMock* Snapshot::findOnce(const MatchInput& in, std::string_view method,
                                       bool* stale) const {
    const std::string_view path = in.request().path;
    MockIndex::Walk base(*base_, path, tBaseHits);
    if (!changes_ && !hidden_)
        return firstClaimed([&] { return base.next(); }, in, method, stale);
    // The two walks merged, best rank first, the hidden mocks of the base skipped.
    auto nextVisible = [&] {
        const CompiledMock* m = base.next();
        while (m && isHidden(m)) m = base.next();
        return m;
    };
    const CompiledMock* fromBase = nextVisible();
    if (!changes_) return firstClaimed([&] { return std::exchange(fromBase, nextVisible()); },
                                       in, method, stale);
    MockIndex::Walk top(*changes_, path, tChangeHits);
    const CompiledMock* fromChanges = top.next();
    const Order order = base_->order();
    auto next = [&]() -> const CompiledMock* {
        // A tie goes to the change: it is the newer mock.
        if (fromChanges && (!fromBase || !ranksBefore(fromBase, fromChanges, order)))
            return std::exchange(fromChanges, top.next());
        if (fromBase) return std::exchange(fromBase, nextVisible());
        return nullptr;
    };
    return firstClaimed(next, in, method, stale);
}

const CompiledMock* Snapshot::find(const MatchInput& in, std::string_view method) const {
    // A scenario moved by a concurrent request between the match and its claim: the walk
    // starts again against the new state. A few rounds suffice unless requests race on one
    // scenario without end; the request is then unmatched rather than held.
    for (int round = 0; round < 8; ++round) {
        bool stale = false;
        const CompiledMock* m = findOnce(in, method, &stale);
        if (!stale) return m;
    }
    return nullptr;
}

std::vector<NearMiss> Snapshot::nearMisses(const MatchInput& in, size_t max) const {
    // Each index names its closest mocks; only the few closest of all get the full analysis.
    thread_local std::vector<NearCandidate> found;
    found.clear();
    base_->nearCandidates(in, max, hidden_.get(), found);
    const size_t fromBase = found.size();
    if (changes_) changes_->nearCandidates(in, max, nullptr, found);
    // Where the merge order ties, the change (the newer mock) first, then the index's own order.
    auto position = [&](const NearCandidate* c) {
        const auto i = static_cast<size_t>(c - found.data());
        return i < fromBase ? found.size() + i : i;
    };
    const size_t keep = std::min(max, found.size());
    std::vector<const NearCandidate*> ranked;
    ranked.reserve(found.size());
    for (const auto& c : found) ranked.push_back(&c);
    // Closest first: score, then share of the mock's maximum, then matching order.
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<ptrdiff_t>(keep), ranked.end(),
                      [&](const NearCandidate* a, const NearCandidate* b) {
                          if (a->score != b->score) return a->score > b->score;
                          if (a->percent != b->percent) return a->percent > b->percent;
                          if (ranksBefore(a->mock, b->mock, base_->order())) return true;
                          if (ranksBefore(b->mock, a->mock, base_->order())) return false;
                          return position(a) < position(b);
                      });
    std::vector<NearMiss> out;
    out.reserve(keep);
    for (size_t i = 0; i < keep; ++i) out.push_back(ranked[i]->mock->analyse(in));
    return out;
}

void Snapshot::materialize() const {
    std::call_once(merged_, [this] {
        // Creation order: a change that replaces a base mock (the same id and age) takes its
        // place; the others are newer and follow.
        std::unordered_set<const CompiledMock*> placed;
        all_.reserve(size_);
        for (const auto& c : base_->all()) {
            if (!isHidden(c.get())) {
                all_.push_back(c);
                continue;
            }
            const CompiledMockPtr* replacement = changes_ ? changes_->byId(c->mock().id) : nullptr;
            if (replacement && (*replacement)->mock().seq == c->mock().seq) {
                all_.push_back(*replacement);
                placed.insert(replacement->get());
            }
        }
        if (changes_)
            for (const auto& c : changes_->all())
                if (!placed.count(c.get())) all_.push_back(c);
        // Matching order: the two ranked lists merged as find() walks them.
        static const std::vector<const CompiledMock*> none;
        const auto& top = changes_ ? changes_->ranked() : none;
        auto t = top.begin();
        for (const CompiledMock* b : base_->ranked()) {
            if (isHidden(b)) continue;
            while (t != top.end() && !ranksBefore(b, *t, base_->order())) ranked_.push_back(*t++);
            ranked_.push_back(b);
        }
        ranked_.insert(ranked_.end(), t, top.end());
    });
}

const std::vector<CompiledMockPtr>& Snapshot::all() const {
    if (!changes_ && !hidden_) return base_->all();
    materialize();
    return all_;
}

const std::vector<const CompiledMock*>& Snapshot::ranked() const {
    if (!changes_ && !hidden_) return base_->ranked();
    materialize();
    return ranked_;
}

CompiledMockPtr Snapshot::byId(std::string_view id) const {
    if (changes_)
        if (const CompiledMockPtr* c = changes_->byId(id)) return *c;
    const CompiledMockPtr* c = base_->byId(id);
    return c && !isHidden(c->get()) ? *c : nullptr;
}

}  // namespace mockd::match
