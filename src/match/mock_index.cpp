// Building the index, and the candidates it gives for a request.
#include "match/mock_index.h"

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

bool ranksBefore(const CompiledMock* a, const CompiledMock* b, Order order) {
    if (order == Order::Priority) {
        // Rank, then the newest mock. A mock of mockd's format ranks with the stubs of default
        // priority.
        int pa = a->format() ? a->format()->rank() : kDefaultPriorityRank;
        int pb = b->format() ? b->format()->rank() : kDefaultPriorityRank;
        if (pa != pb) return pa > pb;
        return a->mock().seq > b->mock().seq;
    }
    // Most specific first; then higher priority; then the newest mock. A format stub's rank is
    // on mockd's scale (higher wins), so both kinds sort together.
    if (a->score() != b->score()) return a->score() > b->score();
    int pa = a->format() ? a->format()->rank() : a->mock().priority;
    int pb = b->format() ? b->format()->rank() : b->mock().priority;
    if (pa != pb) return pa > pb;
    return a->mock().seq > b->mock().seq;
}

std::shared_ptr<const MockIndex> MockIndex::build(std::vector<CompiledMockPtr> mocks, Order order,
                                                  Kind kind,
                                                  const std::vector<const CompiledMock*>* ranked) {
    auto s = std::make_shared<MockIndex>();
    s->order_ = order;
    s->kind_ = kind;
    s->all_ = std::move(mocks);
    s->byId_.reserve(s->all_.size());
    for (uint32_t i = 0; i < s->all_.size(); ++i)
        s->byId_[s->all_[i]->mock().id] = i;  // a repeated id: the newest stands for it
    if (ranked) {
        s->ranked_ = *ranked;
    } else {
        for (const auto& m : s->all_)
            if (m->enabled()) s->ranked_.push_back(m.get());
        std::stable_sort(s->ranked_.begin(), s->ranked_.end(),
                         [order](const CompiledMock* a, const CompiledMock* b) {
                             return ranksBefore(a, b, order);
                         });
    }
    s->exact_.reserve(s->ranked_.size());
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
    // One pass over many regexes beats running each: only worth it beyond a handful, and in an
    // index that lives longer than one change.
    constexpr size_t kMinRegexesForSet = 16;
    std::vector<uint32_t> plain, regexes;
    for (uint32_t r : s->others_)
        (!s->ranked_[r]->format() && s->ranked_[r]->hasPathPattern() ? regexes : plain)
            .push_back(r);
    if (kind == Kind::Full && regexes.size() >= kMinRegexesForSet) {
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
    if (kind == Kind::Full) s->buildNearMissIndex();
    return s;
}

void MockIndex::buildNearMissIndex() {
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
    std::vector<int> percent(ranked_.size());
    for (uint32_t r = 0; r < ranked_.size(); ++r)
        percent[r] = nearPercent(ranked_[r]->methodOnlyScore(), *ranked_[r]);
    for (auto& [method, list] : nearByMethod_)
        std::stable_sort(list.begin(), list.end(),
                         [&](uint32_t a, uint32_t b) { return percent[a] > percent[b]; });
}

bool MockIndex::matchPathSet(std::string_view path, std::vector<uint32_t>& ranks) const {
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

const CompiledMockPtr* MockIndex::byId(std::string_view id) const {
    auto it = byId_.find(id);
    return it == byId_.end() ? nullptr : &all_[it->second];
}

MockIndex::Walk::Walk(const MockIndex& index, std::string_view path, std::vector<uint32_t>& hits)
    : index_(index), path_(path), hits_(hits) {
    auto add = [&](const std::vector<uint32_t>& list) {
        if (!list.empty()) spans_[count_++] = {list.data(), list.data() + list.size()};
    };
    thread_local std::vector<std::string_view> segs;
    thread_local std::string key;
    if (auto it = index.exact_.find(path); it != index.exact_.end()) add(it->second);
    if (!index.params_.empty()) {
        splitSegments(path, segs);
        paramsKey(key, segs.size(), segs.front());
        if (auto it = index.params_.find(key); it != index.params_.end()) add(it->second);
        paramsKey(key, segs.size(), {});
        if (auto it = index.params_.find(key); it != index.params_.end()) add(it->second);
    }
    add(index.others_);
    // The regexes stand in the walk as their best rank until it gets there: only then does the
    // set run, and its hits take their place.
    regexSpan_ = count_;
    if (index.pathSet_) {
        firstRegex_ = index.regexRanks_.front();
        spans_[count_++] = {&firstRegex_, &firstRegex_ + 1};
    }
}

const CompiledMock* MockIndex::Walk::next() {
    for (;;) {
        size_t best = count_;
        for (size_t i = 0; i < count_; ++i)
            if (spans_[i].at != spans_[i].end && (best == count_ || *spans_[i].at < *spans_[best].at))
                best = i;
        if (best == count_) return nullptr;
        if (best == regexSpan_ && index_.pathSet_ && !setRan_) {
            setRan_ = true;
            // Out of memory for the DFA: each regex runs on its own instead.
            const std::vector<uint32_t>& list =
                index_.matchPathSet(path_, hits_) ? hits_ : index_.regexRanks_;
            spans_[best] = {list.data(), list.data() + list.size()};
            continue;
        }
        return index_.ranked_[*spans_[best].at++];
    }
}

void MockIndex::nearCandidates(const MatchInput& in, size_t max, const HiddenSet* hidden,
                               std::vector<NearCandidate>& out) const {
    // Score the mocks the index names for this request one by one; every other mock scores
    // its method alone, and the closest of those come from a list sorted ahead of time.
    thread_local std::vector<uint32_t> seen;  // seen[r] == epoch: mock r is already ranked
    thread_local uint32_t epoch = 0;
    auto isHidden = [hidden](const CompiledMock* m) { return hidden && hidden->contains(m); };
    if (kind_ == Kind::Changes) {
        // Few mocks and no near-miss index: each one is scored.
        for (const CompiledMock* m : ranked_) {
            if (isHidden(m)) continue;
            const int points = m->nearMissScore(in);
            if (points > 0) out.push_back({m, points, nearPercent(points, *m)});
        }
        return;
    }
    if (seen.size() < ranked_.size()) seen.resize(ranked_.size(), 0);
    if (++epoch == 0) {
        std::fill(seen.begin(), seen.end(), 0);
        epoch = 1;
    }
    auto score = [&](uint32_t r) {
        if (seen[r] == epoch) return;
        seen[r] = epoch;
        const CompiledMock* m = ranked_[r];
        if (isHidden(m)) return;
        const int points = m->nearMissScore(in);
        if (points > 0) out.push_back({m, points, nearPercent(points, *m)});
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
            const CompiledMock* m = ranked_[*it];
            if (seen[*it] == epoch || isHidden(m)) continue;
            out.push_back({m, m->methodOnlyScore(), nearPercent(m->methodOnlyScore(), *m)});
            ++taken;
        }
    }
}

}  // namespace mockd::match
