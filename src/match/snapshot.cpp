// Building the index and answering "which mock wins" for a snapshot.
#include "match/snapshot.h"

#include <algorithm>
#include <array>

namespace mockd::match {

namespace {
// Index key for {param} paths: segment count, then the first segment when it is literal.
void paramsKey(std::string& key, size_t segments, std::string_view first) {
    key.clear();
    key += std::to_string(segments);
    key += '\x01';
    key += first;
}

// A near-miss score as a share of the mock's maximum, in whole percent.
int nearPercent(int score, const CompiledMock& m) {
    return m.score() ? score * 100 / m.score() : 0;
}
}  // namespace

std::shared_ptr<const Snapshot> Snapshot::build(std::vector<CompiledMockPtr> mocks, Order order) {
    auto s = std::make_shared<Snapshot>();
    s->all_ = std::move(mocks);
    for (const auto& m : s->all_)
        if (m->enabled()) s->ranked_.push_back(m.get());
    // A format stub's rank is on mockd's scale (higher wins), so both kinds sort together.
    auto specificityRank = [](const CompiledMock* m) {
        return m->format() ? m->format()->rank() : m->mock().priority;
    };
    // In priority order, a mock of mockd's format ranks with the stubs of default priority.
    auto priorityRank = [](const CompiledMock* m) {
        return m->format() ? m->format()->rank() : kDefaultPriorityRank;
    };
    if (order == Order::Priority) {
        // Rank, then the newest mock.
        std::stable_sort(s->ranked_.begin(), s->ranked_.end(),
                         [&](const CompiledMock* a, const CompiledMock* b) {
                             int pa = priorityRank(a), pb = priorityRank(b);
                             if (pa != pb) return pa > pb;
                             return a->mock().seq > b->mock().seq;
                         });
    } else {
        // Most specific first; then higher priority; then the newest mock.
        std::stable_sort(s->ranked_.begin(), s->ranked_.end(),
                         [&](const CompiledMock* a, const CompiledMock* b) {
                             if (a->score() != b->score()) return a->score() > b->score();
                             int pa = specificityRank(a), pb = specificityRank(b);
                             if (pa != pb) return pa > pb;
                             return a->mock().seq > b->mock().seq;
                         });
    }
    std::string key;
    for (uint32_t r = 0; r < s->ranked_.size(); ++r) {
        const CompiledMock* m = s->ranked_[r];
        const PathPattern& p = m->path();
        if (m->literalPath()) {
            s->exact_[*m->literalPath()].push_back(r);
        } else if (!m->format() && p.kind() == PathPattern::Kind::Params && !m->hasPathPattern()) {
            paramsKey(key, p.segmentCount(), p.firstLiteralSegment());
            s->params_[key].push_back(r);
        } else {
            s->others_.push_back(r);
        }
    }
    // One pass over many regexes beats running each: only worth it beyond a handful.
    constexpr size_t kMinRegexesForSet = 16;
    std::vector<uint32_t> plain, regexes;
    for (uint32_t r : s->others_)
        (!s->ranked_[r]->format() && s->ranked_[r]->hasPathPattern() ? regexes : plain)
            .push_back(r);
    if (regexes.size() >= kMinRegexesForSet) {
        RE2::Options opts;
        opts.set_log_errors(false);
        opts.set_max_mem(int64_t{64} << 20);
        auto set = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
        bool ok = true;
        for (uint32_t r : regexes)
            if (set->Add(s->ranked_[r]->mock().matcher.pathPattern, nullptr) < 0) ok = false;
        if (ok && set->Compile()) {
            s->pathSet_ = std::move(set);
            s->regexRanks_ = std::move(regexes);
            s->others_ = std::move(plain);
        }
    }
    s->buildNearMissIndex();
    return s;
}

void Snapshot::buildNearMissIndex() {
    std::string name;
    for (uint32_t r = 0; r < ranked_.size(); ++r) {
        const CompiledMock* m = ranked_[r];
        if (m->format()) {  // its conditions are its format's, not indexed here
            nearAlways_.push_back(r);
            continue;
        }
        const std::string& method = m->mock().matcher.method;
        if (!method.empty()) {
            name = method;
            for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            nearByMethod_[name].push_back(r);
        }
        for (const HeaderCondition& h : m->headerConditions()) {
            name = h.name;
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            auto& list = nearByHeader_[name];
            if (list.empty() || list.back() != r) list.push_back(r);
        }
        bool always = false;
        for (const auto& [key, value] : m->queryConditions()) {
            if (value.empty()) always = true;  // met when the parameter is absent
            auto& list = nearByQuery_[key];
            if (list.empty() || list.back() != r) list.push_back(r);
        }
        // A client certificate can score whatever the path: such mocks are always scored.
        if (always || m->mock().matcher.mtls) nearAlways_.push_back(r);
        if (m->hasBodyConditions()) {
            nearBody_.push_back(r);
            if (m->bodyConditionsAcceptEmpty()) nearEmptyBody_.push_back(r);
        }
    }
    // On the method alone the score is the same for all, so the one whose maximum is lowest is
    // closest (as a percentage); ties keep the matching order.
    for (auto& [method, list] : nearByMethod_)
        std::stable_sort(list.begin(), list.end(), [&](uint32_t a, uint32_t b) {
            return nearPercent(ranked_[a]->methodOnlyScore(), *ranked_[a]) >
                   nearPercent(ranked_[b]->methodOnlyScore(), *ranked_[b]);
        });
}

bool Snapshot::matchPathSet(std::string_view path, std::vector<uint32_t>& ranks) const {
    thread_local std::vector<int> hits;
    hits.clear();
    ranks.clear();
    RE2::Set::ErrorInfo error;
    pathSet_->Match(path, &hits, &error);
    if (error.kind != RE2::Set::kNoError) return false;
    std::sort(hits.begin(), hits.end());  // patterns were added in rank order
    for (int h : hits) ranks.push_back(regexRanks_[static_cast<size_t>(h)]);
    return true;
}

const CompiledMock* Snapshot::findOnce(const MatchInput& in, std::string_view method,
                                       bool* stale) const {
    // Up to five candidate lists, each in rank order: they are walked merged, best rank first,
    // so the first match wins without sorting (or even reaching) the long lists.
    struct Span {
        const uint32_t* at;
        const uint32_t* end;
    };
    std::array<Span, 5> spans;
    size_t n = 0;
    auto add = [&](const std::vector<uint32_t>& list) {
        if (!list.empty()) spans[n++] = {list.data(), list.data() + list.size()};
    };
    thread_local std::vector<std::string_view> segs;
    thread_local std::string key;
    const std::string_view path = in.request().path;
    if (auto it = exact_.find(path); it != exact_.end()) add(it->second);
    if (!params_.empty()) {
        splitSegments(path, segs);
        paramsKey(key, segs.size(), segs.front());
        if (auto it = params_.find(key); it != params_.end()) add(it->second);
        paramsKey(key, segs.size(), {});
        if (auto it = params_.find(key); it != params_.end()) add(it->second);
    }
    add(others_);
    // The regexes stand in the walk as their best rank until it gets there: only then does the
    // set run, and its hits take their place.
    const uint32_t firstRegex = regexRanks_.empty() ? 0 : regexRanks_.front();
    const size_t regexSpan = n;
    if (pathSet_) spans[n++] = {&firstRegex, &firstRegex + 1};
    bool setRan = false;
    thread_local std::vector<uint32_t> hits;
    for (;;) {
        size_t best = n;
        for (size_t i = 0; i < n; ++i)
            if (spans[i].at != spans[i].end && (best == n || *spans[i].at < *spans[best].at))
                best = i;
        if (best == n) return nullptr;
        if (best == regexSpan && pathSet_ && !setRan) {
            setRan = true;
            // Out of memory for the DFA: each regex runs on its own instead.
            const std::vector<uint32_t>& list = matchPathSet(path, hits) ? hits : regexRanks_;
            spans[best] = {list.data(), list.data() + list.size()};
            continue;
        }
        const uint32_t r = *spans[best].at++;
        const CompiledMock* m = ranked_[r];
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
    // Score the mocks the index names for this request one by one; every other mock scores
    // its method alone, and the closest of those come from a list sorted ahead of time. Only
    // the few closest of all get the full analysis.
    struct Ranked {
        uint32_t rank;
        int score, pct;
    };
    thread_local std::vector<Ranked> ranked;
    thread_local std::vector<uint32_t> seen;  // seen[r] == epoch: mock r is already ranked
    thread_local uint32_t epoch = 0;
    ranked.clear();
    if (seen.size() < ranked_.size()) seen.resize(ranked_.size(), 0);
    if (++epoch == 0) {
        std::fill(seen.begin(), seen.end(), 0);
        epoch = 1;
    }
    auto score = [&](uint32_t r) {
        if (seen[r] == epoch) return;
        seen[r] = epoch;
        const CompiledMock* m = ranked_[r];
        const int points = m->nearMissScore(in);
        if (points > 0) ranked.push_back({r, points, nearPercent(points, *m)});
    };
    auto scoreAll = [&](const std::vector<uint32_t>* list) {
        if (list)
            for (uint32_t r : *list) score(r);
    };
    auto lookup = [](const RankLists& lists, std::string_view key) {
        auto it = lists.find(key);
        return it == lists.end() ? nullptr : &it->second;
    };
    const core::Request& req = in.request();

    // Mocks whose path or pathPattern can hold.
    thread_local std::vector<std::string_view> segs;
    thread_local std::string key;
    scoreAll(lookup(exact_, req.path));
    if (!params_.empty()) {
        splitSegments(req.path, segs);
        paramsKey(key, segs.size(), segs.front());
        scoreAll(lookup(params_, key));
        paramsKey(key, segs.size(), {});
        scoreAll(lookup(params_, key));
    }
    scoreAll(&others_);
    // A pathPattern the set did not hit scores nothing (no mock has both path and pattern).
    thread_local std::vector<uint32_t> hits;
    if (pathSet_) scoreAll(matchPathSet(req.path, hits) ? &hits : &regexRanks_);
    // Mocks with a condition on something the request has.
    for (const auto& h : req.headers) {
        key.assign(h.name);
        for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        scoreAll(lookup(nearByHeader_, key));
    }
    for (const auto& [k, v] : in.queryParams()) scoreAll(lookup(nearByQuery_, k));
    scoreAll(&nearAlways_);
    scoreAll(req.body.empty() ? &nearEmptyBody_ : &nearBody_);

    // The rest score their method alone: the first few not ranked yet are the closest.
    key.assign(req.method);
    for (char& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (const auto* list = lookup(nearByMethod_, key)) {
        size_t taken = 0;
        for (auto it = list->begin(); it != list->end() && taken < max; ++it) {
            if (seen[*it] == epoch) continue;
            const CompiledMock* m = ranked_[*it];
            ranked.push_back({*it, m->methodOnlyScore(), nearPercent(m->methodOnlyScore(), *m)});
            ++taken;
        }
    }

    // Closest first: score, then share of the mock's maximum, then matching order.
    const size_t keep = std::min(max, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<ptrdiff_t>(keep), ranked.end(),
                      [](const Ranked& a, const Ranked& b) {
                          if (a.score != b.score) return a.score > b.score;
                          if (a.pct != b.pct) return a.pct > b.pct;
                          return a.rank < b.rank;
                      });
    std::vector<NearMiss> out;
    out.reserve(keep);
    for (size_t i = 0; i < keep; ++i) out.push_back(ranked_[ranked[i].rank]->analyse(in));
    return out;
}

}  // namespace mockd::match
