// A snapshot: one index, or an index with the recent changes on top, read as one set.
// Where two layers rank mocks equally, the later layer's comes first: it is the newer mock.
#include "match/snapshot.h"

#include <algorithm>
#include <optional>
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
thread_local std::array<std::vector<uint32_t>, 3> tHits;
}  // namespace

std::shared_ptr<const Snapshot> Snapshot::build(std::vector<CompiledMockPtr> mocks, Order order) {
    return layered(MockIndex::build(std::move(mocks), order), nullptr, nullptr, nullptr);
}

std::shared_ptr<const Snapshot> Snapshot::layered(std::shared_ptr<const MockIndex> base,
                                                  std::shared_ptr<const MockIndex> middle,
                                                  std::shared_ptr<const MockIndex> top,
                                                  std::shared_ptr<const HiddenSet> hidden) {
    auto s = std::make_shared<Snapshot>();
    s->size_ = base->size();
    s->layers_[s->count_++] = std::move(base);
    for (auto* layer : {&middle, &top})
        if (*layer && (*layer)->size() > 0) {
            s->size_ += (*layer)->size();
            s->layers_[s->count_++] = std::move(*layer);
        }
    if (hidden && !hidden->empty()) {
        s->size_ -= hidden->size();
        s->hidden_ = std::move(hidden);
    }
    return s;
}

const CompiledMock* Snapshot::findOnce(const MatchInput& in, std::string_view method,
                                       bool* stale) const {
    const std::string_view path = in.request().path;
    if (!layered()) {
        MockIndex::Walk walk(*layers_[0], path, tHits[0]);
        return firstClaimed([&] { return walk.next(); }, in, method, stale);
    }
    // The layers' walks merged, best rank first, hidden mocks skipped. Each walk is read only
    // as far as the merge needs (reading on may run a regex set for nothing).
    std::array<std::optional<MockIndex::Walk>, kMaxLayers> walks;
    struct Head {
        const CompiledMock* mock = nullptr;
        bool read = false;
    };
    std::array<Head, kMaxLayers> heads;
    for (size_t i = 0; i < count_; ++i) walks[i].emplace(*layers_[i], path, tHits[i]);
    const Order order = this->order();
    auto next = [&]() -> const CompiledMock* {
        size_t best = count_;
        for (size_t i = 0; i < count_; ++i) {
            Head& h = heads[i];
            if (!h.read) {
                h.mock = walks[i]->next();
                while (h.mock && isHidden(h.mock)) h.mock = walks[i]->next();
                h.read = true;
            }
            if (h.mock && (best == count_ || !ranksBefore(heads[best].mock, h.mock, order)))
                best = i;
        }
        if (best == count_) return nullptr;
        heads[best].read = false;
        return heads[best].mock;
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
    // Each layer names its closest mocks; only the few closest of all get the full analysis.
    thread_local std::vector<NearCandidate> found;
    thread_local std::vector<size_t> layerOf;
    found.clear();
    layerOf.clear();
    for (size_t i = 0; i < count_; ++i) {
        layers_[i]->nearCandidates(in, max, hidden_.get(), found);
        layerOf.resize(found.size(), i);
    }
    const size_t keep = std::min(max, found.size());
    std::vector<size_t> ranked(found.size());
    for (size_t i = 0; i < ranked.size(); ++i) ranked[i] = i;
    // Closest first: score, then share of the mock's maximum, then matching order.
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<ptrdiff_t>(keep), ranked.end(),
                      [&](size_t x, size_t y) {
                          const NearCandidate& a = found[x];
                          const NearCandidate& b = found[y];
                          if (a.score != b.score) return a.score > b.score;
                          if (a.percent != b.percent) return a.percent > b.percent;
                          if (ranksBefore(a.mock, b.mock, order())) return true;
                          if (ranksBefore(b.mock, a.mock, order())) return false;
                          if (layerOf[x] != layerOf[y]) return layerOf[x] > layerOf[y];
                          return x < y;
                      });
    std::vector<NearMiss> out;
    out.reserve(keep);
    for (size_t i = 0; i < keep; ++i) out.push_back(found[ranked[i]].mock->analyse(in));
    return out;
}

void Snapshot::materialize() const {
    std::call_once(merged_, [this] {
        // Creation order: the base's; a change that replaces a base mock (the same id and age)
        // takes its place; the other changes are newer and follow, oldest first.
        auto visible = [&](size_t layer, std::string_view id) -> const CompiledMockPtr* {
            const CompiledMockPtr* c = layers_[layer]->byId(id);
            return c && !isHidden(c->get()) ? c : nullptr;
        };
        std::unordered_set<const CompiledMock*> placed;  // changes placed among the base's
        all_.reserve(size_);
        for (const auto& c : layers_[0]->all()) {
            if (!isHidden(c.get())) {
                all_.push_back(c);
                continue;
            }
            for (size_t i = count_ - 1; i > 0; --i)
                if (const CompiledMockPtr* r = visible(i, c->mock().id)) {
                    if ((*r)->mock().seq == c->mock().seq) {
                        all_.push_back(*r);
                        placed.insert(r->get());
                    }
                    break;
                }
        }
        std::vector<CompiledMockPtr> rest;
        for (size_t i = 1; i < count_; ++i)
            for (const auto& c : layers_[i]->all())
                if (!isHidden(c.get()) && !placed.count(c.get())) rest.push_back(c);
        std::stable_sort(rest.begin(), rest.end(),
                         [](const auto& a, const auto& b) { return a->mock().seq < b->mock().seq; });
        all_.insert(all_.end(), rest.begin(), rest.end());
        // Matching order: the layers' ranked lists merged as find() walks them.
        std::array<size_t, kMaxLayers> at{};
        auto head = [&](size_t i) -> const CompiledMock* {
            const auto& list = layers_[i]->ranked();
            while (at[i] < list.size() && isHidden(list[at[i]])) ++at[i];
            return at[i] < list.size() ? list[at[i]] : nullptr;
        };
        for (;;) {
            size_t best = count_;
            for (size_t i = 0; i < count_; ++i)
                if (const CompiledMock* m = head(i);
                    m && (best == count_ || !ranksBefore(head(best), m, order())))
                    best = i;
            if (best == count_) break;
            ranked_.push_back(head(best));
            ++at[best];
        }
    });
}

const std::vector<CompiledMockPtr>& Snapshot::all() const {
    if (!layered()) return layers_[0]->all();
    materialize();
    return all_;
}

const std::vector<const CompiledMock*>& Snapshot::ranked() const {
    if (!layered()) return layers_[0]->ranked();
    materialize();
    return ranked_;
}

CompiledMockPtr Snapshot::byId(std::string_view id) const {
    for (size_t i = count_; i-- > 0;)
        if (const CompiledMockPtr* c = layers_[i]->byId(id); c && !isHidden(c->get())) return *c;
    return nullptr;
}

}  // namespace mockd::match
