#include "match/snapshot.h"

#include <gtest/gtest.h>

#include <random>

#include "core/errors.h"
#include "core/mock_codec.h"

namespace mockd::match {
namespace {

using core::Json;

CompiledMockPtr mk(const std::string& json) {
    core::Mock m = core::decodeMock(Json::parse(json), "mock", {});
    m.seq = core::nextMockSeq();
    return CompiledMock::compile(std::make_shared<core::Mock>(std::move(m)));
}

struct Req {
    core::Request r;
    explicit Req(std::string_view method, std::string_view path, std::string_view body = {},
                 std::string_view query = {}) {
        r.method = method;
        r.path = r.rawPath = path;
        r.rawQuery = query;
        r.body = body;
    }
    Req& header(std::string_view n, std::string_view v) {
        r.headers.push_back({n, v});
        return *this;
    }
};

const CompiledMock* find(const std::shared_ptr<const Snapshot>& s, const Req& q) {
    MatchInput in(q.r);
    return s->find(in, q.r.method);
}

std::string idOf(const CompiledMock* m) { return m ? m->mock().id : "<none>"; }

TEST(Matching, ScoresFollowMockd) {
    EXPECT_EQ(
        mk(R"({"id":"a","type":"http","http":{"matcher":{"method":"GET","path":"/x"}}})")->score(),
        25);
    EXPECT_EQ(mk(R"({"id":"a","type":"http","http":{"matcher":{"path":"/x/{id}"}}})")->score(), 12);
    EXPECT_EQ(mk(R"({"id":"a","type":"http","http":{"matcher":{"pathPattern":"^/x"}}})")->score(),
              14);
    EXPECT_EQ(
        mk(R"({"id":"a","type":"http","http":{"matcher":{"path":"/x/*","headers":{"A":"1","B":"2"},"queryParams":{"q":"1"}}}})")
            ->score(),
        35);
    EXPECT_EQ(
        mk(R"({"id":"a","type":"http","http":{"matcher":{"bodyEquals":"x","bodyContains":"x","bodyPattern":"x","bodyJsonPath":{"$.a":1}}}})")
            ->score(),
        82);
}

TEST(Matching, MostSpecificWinsThenPriorityThenNewest) {
    auto snap = Snapshot::build({
        mk(R"({"id":"param","type":"http","http":{"matcher":{"method":"GET","path":"/u/{id}"}}})"),
        mk(R"({"id":"exact","type":"http","http":{"matcher":{"method":"GET","path":"/u/1"}}})"),
        mk(R"({"id":"hdr","type":"http","http":{"matcher":{"method":"GET","path":"/u/{id}","headers":{"X-A":"1"}}}})"),
    });
    EXPECT_EQ(idOf(find(snap, Req("GET", "/u/1"))), "exact");
    EXPECT_EQ(idOf(find(snap, Req("GET", "/u/2"))), "param");
    EXPECT_EQ(idOf(find(snap, Req("GET", "/u/1").header("x-a", "1"))), "hdr");  // 32 > 25

    auto tie = Snapshot::build({
        mk(R"({"id":"old","type":"http","http":{"matcher":{"path":"/t"}}})"),
        mk(R"({"id":"new","type":"http","http":{"matcher":{"path":"/t"}}})"),
        mk(R"({"id":"low","type":"http","http":{"priority":-1,"matcher":{"path":"/t"}}})"),
    });
    EXPECT_EQ(idOf(find(tie, Req("GET", "/t"))), "new");
    auto prio = Snapshot::build({
        mk(R"({"id":"hi","type":"http","http":{"priority":5,"matcher":{"path":"/t"}}})"),
        mk(R"({"id":"newer","type":"http","http":{"matcher":{"path":"/t"}}})"),
    });
    EXPECT_EQ(idOf(find(prio, Req("GET", "/t"))), "hi");
}

TEST(Matching, DisabledNeverMatch) {
    auto snap = Snapshot::build({
        mk(R"({"id":"off","type":"http","enabled":false,"http":{"matcher":{"path":"/x"}}})"),
    });
    EXPECT_EQ(find(snap, Req("GET", "/x")), nullptr);
    EXPECT_EQ(snap->size(), 1u);
}

TEST(Matching, HeadersUseGlobsAndIgnoreNameCase) {
    auto snap = Snapshot::build({
        mk(R"({"id":"pre","type":"http","http":{"matcher":{"path":"/h","headers":{"Accept":"application/*"}}}})"),
        mk(R"({"id":"suf","type":"http","http":{"matcher":{"path":"/s","headers":{"X-Token":"*-prod"}}}})"),
        mk(R"({"id":"mid","type":"http","http":{"matcher":{"path":"/c","headers":{"User-Agent":"*curl*"}}}})"),
    });
    EXPECT_EQ(idOf(find(snap, Req("GET", "/h").header("ACCEPT", "application/json"))), "pre");
    EXPECT_EQ(find(snap, Req("GET", "/h").header("Accept", "text/html")), nullptr);
    EXPECT_EQ(idOf(find(snap, Req("GET", "/s").header("x-token", "abc-prod"))), "suf");
    EXPECT_EQ(idOf(find(snap, Req("GET", "/c").header("user-agent", "x curl/8"))), "mid");
    EXPECT_EQ(find(snap, Req("GET", "/c")), nullptr);  // absent header never matches
}

TEST(Matching, QueryParamsDecodeAndUseTheFirstValue) {
    auto snap = Snapshot::build({
        mk(R"({"id":"q","type":"http","http":{"matcher":{"path":"/q","queryParams":{"name":"a b","page":"1"}}}})"),
    });
    EXPECT_EQ(idOf(find(snap, Req("GET", "/q", {}, "name=a+b&page=1&extra=x"))), "q");
    EXPECT_EQ(idOf(find(snap, Req("GET", "/q", {}, "page=1&name=a%20b&page=2"))), "q");
    EXPECT_EQ(find(snap, Req("GET", "/q", {}, "page=2&page=1&name=a+b")), nullptr);
}

TEST(Matching, BodyMatchers) {
    auto snap = Snapshot::build({
        mk(R"({"id":"eq","type":"http","http":{"matcher":{"path":"/b","bodyEquals":"exact"}}})"),
        mk(R"({"id":"has","type":"http","http":{"matcher":{"path":"/b","bodyContains":"needle"}}})"),
        mk(R"({"id":"re","type":"http","http":{"matcher":{"path":"/b","bodyPattern":"id=[0-9]+"}}})"),
        mk(R"({"id":"jp","type":"http","http":{"matcher":{"path":"/j","bodyJsonPath":{"$.user.age":30,"$.tags[*]":"vip"}}}})"),
        mk(R"({"id":"ex","type":"http","http":{"matcher":{"path":"/e","bodyJsonPath":{"$.token":{"exists":false}}}}})"),
    });
    EXPECT_EQ(idOf(find(snap, Req("POST", "/b", "exact"))), "eq");
    EXPECT_EQ(idOf(find(snap, Req("POST", "/b", "hay needle hay"))), "has");
    EXPECT_EQ(idOf(find(snap, Req("POST", "/b", "x id=42 y"))), "re");
    EXPECT_EQ(idOf(find(snap, Req("POST", "/j", R"({"user":{"age":30.0},"tags":["a","vip"]})"))),
              "jp");
    EXPECT_EQ(find(snap, Req("POST", "/j", R"({"user":{"age":"30"},"tags":["vip"]})")), nullptr);
    EXPECT_EQ(idOf(find(snap, Req("POST", "/e", R"({"other":1})"))), "ex");
    EXPECT_EQ(find(snap, Req("POST", "/e", R"({"token":null})")), nullptr);
    EXPECT_EQ(find(snap, Req("POST", "/e", "not json")), nullptr);
}

TEST(Matching, DeeplyNestedBodyIsNotJsonInsteadOfACrash) {
    auto snap = Snapshot::build({
        mk(R"({"id":"jp","type":"http","http":{"matcher":{"path":"/j","bodyJsonPath":{"$.a":{"exists":true}}}}})"),
    });
    std::string deep(100000, '[');
    EXPECT_EQ(find(snap, Req("POST", "/j", deep)), nullptr);
}

TEST(Matching, IndexFindsTheLastOfManyStubs) {
    std::vector<CompiledMockPtr> all;
    for (int i = 0; i < 2000; ++i) {
        all.push_back(mk(R"({"id":"e)" + std::to_string(i) +
                         R"(","type":"http","http":{"matcher":{"method":"GET","path":"/svc/)" +
                         std::to_string(i) + R"("}}})"));
        all.push_back(mk(R"({"id":"p)" + std::to_string(i) +
                         R"(","type":"http","http":{"matcher":{"method":"GET","path":"/p)" +
                         std::to_string(i) + R"(/{id}"}}})"));
    }
    auto snap = Snapshot::build(std::move(all));
    EXPECT_EQ(idOf(find(snap, Req("GET", "/svc/1999"))), "e1999");
    EXPECT_EQ(idOf(find(snap, Req("GET", "/p1999/abc"))), "p1999");
    EXPECT_EQ(find(snap, Req("GET", "/p1999/abc/def")), nullptr);
}

TEST(NearMiss, ExplainsTheFirstFailure) {
    auto snap = Snapshot::build({
        mk(R"({"id":"list","name":"List users","type":"http","http":{"matcher":{"method":"GET","path":"/api/users"}}})"),
        mk(R"({"id":"other","type":"http","http":{"matcher":{"method":"DELETE","path":"/nope"}}})"),
    });
    Req q("POST", "/api/users");
    MatchInput in(q.r);
    auto misses = snap->nearMisses(in);
    ASSERT_EQ(misses.size(), 1u);  // "other" matches nothing at all
    EXPECT_EQ(misses[0].score, 15);
    EXPECT_EQ(misses[0].maxScore, 25);
    EXPECT_EQ(misses[0].reason, R"(path matched, but method expected "GET", got "POST")");
    auto fields = Json::parse(misses[0].fieldsJson);
    ASSERT_EQ(fields.size(), 2u);
    EXPECT_EQ(fields[0]["field"], "method");
    EXPECT_EQ(fields[0]["matched"], false);
    EXPECT_EQ(fields[1]["field"], "path");
    EXPECT_EQ(fields[1]["score"], 15);
}

TEST(NearMiss, ListsMatchedFieldsInEnglish) {
    auto snap = Snapshot::build({mk(
        R"({"id":"m","type":"http","http":{"matcher":{"method":"POST","path":"/o","headers":{"X-K":"1"},"bodyContains":"zzz"}}})")});
    Req q("POST", "/o", "abc");
    q.header("X-K", "1");
    MatchInput in(q.r);
    auto misses = snap->nearMisses(in);
    ASSERT_EQ(misses.size(), 1u);
    EXPECT_EQ(
        misses[0].reason,
        R"(method, path, and headers matched, but body expected to contain "contains \"zzz\"")");
}

TEST(Compile, RejectsWhatCanNeverWork) {
    EXPECT_THROW(mk(R"({"id":"a","type":"http","http":{"matcher":{}}})"), core::FieldError);
    EXPECT_THROW(mk(R"({"id":"a","type":"http","http":{"matcher":{"pathPattern":"(unclosed"}}})"),
                 core::FieldError);
    EXPECT_THROW(
        mk(R"({"id":"a","type":"http","http":{"matcher":{"path":"/a","pathPattern":"/a"}}})"),
        core::FieldError);
    EXPECT_THROW(mk(R"({"id":"a","type":"http","http":{"matcher":{"bodyJsonPath":{"$[":1}}}})"),
                 core::FieldError);
}

}  // namespace
}  // namespace mockd::match

namespace mockd::match {
namespace {

// Enough pathPattern mocks for the one-pass regex set: the answers must be the same as when each
// regex runs on its own.
TEST(SnapshotRegexSet, ManyRegexMocksMatchAsEachWouldAlone) {
    std::vector<CompiledMockPtr> mocks;
    for (int i = 0; i < 40; ++i)
        mocks.push_back(mk(R"({"id":"re)" + std::to_string(i) +
                           R"(","type":"http","http":{"matcher":{"pathPattern":"^/re/)" +
                           std::to_string(i) + R"(/[a-z]+$"}}})"));
    // Same regex as re7 but only for POST: the regex hit alone does not make it match.
    mocks.push_back(mk(
        R"({"id":"post7","type":"http","http":{"matcher":{"method":"POST","pathPattern":"^/re/7/"}}})"));
    mocks.push_back(
        mk(R"({"id":"param","type":"http","http":{"matcher":{"path":"/re/{n}/{word}"}}})"));
    mocks.push_back(mk(R"({"id":"lit","type":"http","http":{"matcher":{"path":"/re/3/abc"}}})"));
    auto snap = Snapshot::build(mocks);
    EXPECT_EQ(idOf(find(snap, Req("GET", "/re/3/abc"))), "lit");
    EXPECT_EQ(idOf(find(snap, Req("GET", "/re/12/xyz"))), "re12");
    EXPECT_EQ(idOf(find(snap, Req("POST", "/re/7/abc"))), "post7");
    EXPECT_EQ(idOf(find(snap, Req("GET", "/re/7/abc"))), "re7");
    EXPECT_EQ(idOf(find(snap, Req("GET", "/re/99/x1"))), "param");  // no regex matches
    EXPECT_EQ(idOf(find(snap, Req("GET", "/nothing"))), "<none>");
}

}  // namespace
}  // namespace mockd::match

namespace mockd::match {
namespace {

// The near-miss index must pick exactly the mocks a full scan would: random mocks and requests
// over a small vocabulary, so that paths, headers, query parameters and bodies collide often.
TEST(SnapshotNearMissIndex, PicksWhatAFullScanPicks) {
    std::mt19937 rng(7);
    auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
    const std::vector<std::string> methods = {"GET", "POST", "get", ""};
    const std::vector<std::string> paths = {"/a", "/a/b", "/a/{id}", "/x/{id}/c", "/a/*", "", "/b"};
    const std::vector<std::string> regexes = {"^/a/[0-9]+$", "^/b", "c$", "^/zz"};
    const std::vector<std::string> headerNames = {"X-A", "x-b", "Accept"};
    const std::vector<std::string> values = {"1", "2", "", "*1*"};
    std::vector<CompiledMockPtr> mocks;
    for (int i = 0; i < 400; ++i) {
        Json m = Json::object();
        if (auto v = pick(methods); !v.empty()) m["method"] = v;
        // Half the mocks have a path of their own that no request takes: only the index of
        // their other conditions can find them.
        const bool own = rng() % 2;
        if (auto v = pick(paths); own || !v.empty())
            m["path"] = own ? "/own/" + std::to_string(i) : v;
        if ((!own && rng() % 3 == 0) || !m.contains("path")) m["pathPattern"] = pick(regexes);
        if (rng() % 3 == 0) m["headers"][pick(headerNames)] = pick({"1", "2", "*1*"});
        if (rng() % 4 == 0) m["queryParams"][pick({"q", "r"})] = pick(values);
        switch (rng() % 8) {
            case 0:
                m["bodyEquals"] = pick({"", "1"});
                break;
            case 1:
                m["bodyContains"] = pick({"", "1"});
                break;
            case 2:
                m["bodyPattern"] = pick({"^$", "1"});
                break;
            case 3:
                m["bodyJsonPath"]["$.a"] = 1;
                break;
            default:
                break;
        }
        Json mock = {{"id", "m" + std::to_string(i)}, {"type", "http"}};
        mock["http"]["matcher"] = m;
        try {
            mocks.push_back(mk(mock.dump()));
        } catch (const core::FieldError&) {
        }
    }
    ASSERT_GT(mocks.size(), 250u);
    auto snap = Snapshot::build(mocks);
    const std::vector<std::string> reqPaths = {"/a", "/a/b", "/a/7", "/x/1/c", "/b/c", "/q", "/"};
    for (int i = 0; i < 300; ++i) {
        // Req keeps views: the strings must outlive it.
        const std::string method = pick({"GET", "POST", "PUT", "get"}), path = pick(reqPaths),
                          body = pick({"", "1", R"({"a":1})"}),
                          query = pick({"", "q=1", "r=", "q=2&r=1"}), hname = pick(headerNames),
                          hvalue = pick({"1", "2", "x1y"});
        Req q(method, path, body, query);
        if (rng() % 2) q.header(hname, hvalue);
        MatchInput in(q.r);
        // The full scan: every mock scored, closest first, ties in matching order.
        std::vector<std::pair<const CompiledMock*, int>> all;
        for (const CompiledMock* m : snap->ranked())
            if (int s = m->nearMissScore(in); s > 0) all.emplace_back(m, s);
        std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
            if (a.second != b.second) return a.second > b.second;
            return a.second * 100 / a.first->score() > b.second * 100 / b.first->score();
        });
        // The whole list, not just the report's three, so that every kind of candidate counts.
        auto got = snap->nearMisses(in, snap->ranked().size());
        ASSERT_EQ(got.size(), all.size()) << q.r.method << " " << q.r.path;
        for (size_t k = 0; k < got.size(); ++k) {
            EXPECT_EQ(got[k].mock->mock().id, all[k].first->mock().id)
                << q.r.method << " " << q.r.path << " #" << k;
            EXPECT_EQ(got[k].score, all[k].second);
        }
    }
}

}  // namespace
}  // namespace mockd::match
