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
}  // namespace

std::shared_ptr<const Snapshot> Snapshot::build(std::vector<CompiledMockPtr> mocks, Order order) {
    auto s = std::make_shared<Snapshot>();
    s->all_ = std::move(mocks);
    for (const auto& m : s->all_)
        if (m->enabled()) s->ranked_.push_back(m.get());
    // WireMock's priority (1 first, default 5) is mockd's tie-break with the sign turned.
    auto mockdPriority = [](const CompiledMock* m) {
        return m->wiremock() ? -m->wiremock()->priority : m->mock().priority;
    };
    auto wiremockPriority = [](const CompiledMock* m) {
        return m->wiremock() ? m->wiremock()->priority : 5;
    };
    if (order == Order::WireMock) {
        // Priority, then the newest stub.
        std::stable_sort(s->ranked_.begin(), s->ranked_.end(),
                         [&](const CompiledMock* a, const CompiledMock* b) {
                             int pa = wiremockPriority(a), pb = wiremockPriority(b);
                             if (pa != pb) return pa < pb;
                             return a->mock().seq > b->mock().seq;
                         });
    } else {
        // Most specific first; then higher priority; then the newest mock.
        std::stable_sort(s->ranked_.begin(), s->ranked_.end(),
                         [&](const CompiledMock* a, const CompiledMock* b) {
                             if (a->score() != b->score()) return a->score() > b->score();
                             int pa = mockdPriority(a), pb = mockdPriority(b);
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
        } else if (!m->wiremock() && p.kind() == PathPattern::Kind::Params &&
                   !m->hasPathPattern()) {
            paramsKey(key, p.segmentCount(), p.firstLiteralSegment());
            s->params_[key].push_back(r);
        } else {
            s->others_.push_back(r);
        }
    }
    // One pass over many regexes beats running each: only worth it beyond a handful.
    constexpr size_t kMinRegexesForSet = 16;
    size_t regexes = 0;
    for (uint32_t r : s->others_)
        if (!s->ranked_[r]->wiremock() && s->ranked_[r]->hasPathPattern()) ++regexes;
    if (regexes >= kMinRegexesForSet) {
        RE2::Options opts;
        opts.set_log_errors(false);
        opts.set_max_mem(int64_t{64} << 20);
        auto set = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
        s->regexSlot_.assign(s->ranked_.size(), -1);
        bool ok = true;
        for (uint32_t r : s->others_) {
            const CompiledMock* m = s->ranked_[r];
            if (m->wiremock() || !m->hasPathPattern()) continue;
            const int slot = set->Add(m->mock().matcher.pathPattern, nullptr);
            if (slot < 0) {
                ok = false;
                break;
            }
            s->regexSlot_[r] = slot;
        }
        if (ok && set->Compile()) {
            s->pathSet_ = std::move(set);
            s->regexCount_ = regexes;
        } else {
            s->regexSlot_.clear();
        }
    }
    return s;
}

const CompiledMock* Snapshot::find(const MatchInput& in, std::string_view method) const {
    // Up to four candidate lists, each in rank order: they are walked merged, best rank first,
    // so the first match wins without sorting (or even reaching) the long lists.
    struct Span {
        const uint32_t* at;
        const uint32_t* end;
    };
    std::array<Span, 4> spans;
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
    // Which pathPattern regexes match, found once the walk reaches the first of them.
    thread_local std::vector<int> hits;
    thread_local std::vector<uint8_t> hit;
    bool setRan = false, setFailed = false;
    for (;;) {
        size_t best = n;
        for (size_t i = 0; i < n; ++i)
            if (spans[i].at != spans[i].end && (best == n || *spans[i].at < *spans[best].at))
                best = i;
        if (best == n) return nullptr;
        const uint32_t r = *spans[best].at++;
        const CompiledMock* m = ranked_[r];
        if (pathSet_ && regexSlot_[r] >= 0 && !setFailed) {
            if (!setRan) {
                setRan = true;
                hits.clear();
                RE2::Set::ErrorInfo error;
                pathSet_->Match(path, &hits, &error);
                // Out of memory for the DFA: each regex runs on its own instead.
                setFailed = error.kind != RE2::Set::kNoError;
                hit.assign(regexCount_, 0);
                for (int h : hits) hit[static_cast<size_t>(h)] = 1;
            }
            if (!setFailed && !hit[static_cast<size_t>(regexSlot_[r])]) continue;
        }
        // A mock whose `times` are used up lets the request fall through to the next candidate.
        if (m->matches(in, method) && m->claim()) return m;
    }
}

std::vector<NearMiss> Snapshot::nearMisses(const MatchInput& in, size_t max) const {
    // Rank every mock by its score alone, then build the report for the closest few only.
    struct Ranked {
        const CompiledMock* mock;
        int score, pct;
    };
    thread_local std::vector<Ranked> ranked;
    ranked.clear();
    for (const CompiledMock* m : ranked_) {
        const int score = m->nearMissScore(in);
        if (score <= 0) continue;
        ranked.push_back({m, score, m->score() ? score * 100 / m->score() : 0});
    }
    auto closer = [](const Ranked& a, const Ranked& b) {
        if (a.score != b.score) return a.score > b.score;
        return a.pct > b.pct;
    };
    // Ties keep the matching order (stable), as the full analysis ranked them before.
    const size_t keep = std::min(max, ranked.size());
    std::stable_sort(ranked.begin(), ranked.end(), closer);
    std::vector<NearMiss> out;
    out.reserve(keep);
    for (size_t i = 0; i < keep; ++i) out.push_back(ranked[i].mock->analyse(in));
    return out;
}

}  // namespace mockd::match
