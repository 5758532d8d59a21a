// Response sequences and `times` limits on a compiled mock, alone and under concurrent requests.
#include "match/compiled_mock.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/client_cert.h"
#include "core/mock_codec.h"
#include "match/registry.h"
#include "match/snapshot.h"

namespace mockd::match {
namespace {

using core::Json;

CompiledMockPtr mk(const std::string& json) {
    core::Mock m = core::decodeMock(Json::parse(json), "mock", {});
    m.seq = core::nextMockSeq();
    return CompiledMock::compile(std::make_shared<core::Mock>(std::move(m)));
}

std::vector<int> statuses(const CompiledMock& c, int n) {
    std::vector<int> out;
    for (int i = 0; i < n; ++i) out.push_back(c.nextResponse().response().statusCode);
    return out;
}

const char* kSeq =
    R"({"id":"s","type":"http","http":{"matcher":{"path":"/s"},"responses":[
        {"statusCode":201,"body":"one"},{"statusCode":202,"body":"two"},
        {"statusCode":203,"body":"{\"three\":3}"}]%s}})";

std::string seqMock(const std::string& extra) {
    char buf[512];
    std::snprintf(buf, sizeof buf, kSeq, extra.c_str());
    return buf;
}

// mockd's header conditions are value matchers of the one engine (match/value_matcher.h), with
// mockd's rule that an absent or empty header never meets one.
TEST(OneMatcherEngine, MockdHeaderConditionsCompileOntoValueMatchers) {
    auto c = mk(R"({"type":"http","http":{"matcher":{"path":"/h","headers":{
        "A":"exact","B":"pre*","C":"*suf","D":"*mid*"}}}})");
    const auto& h = c->headerConditions();
    ASSERT_EQ(h.size(), 4u);
    EXPECT_EQ(h[0].value->name(), "equalTo");
    EXPECT_EQ(h[1].value->name(), "startsWith");
    EXPECT_EQ(h[2].value->name(), "endsWith");
    EXPECT_EQ(h[3].value->name(), "contains");
    EXPECT_TRUE(h[0].test("exact"));
    EXPECT_FALSE(h[0].test("exactly"));
    EXPECT_TRUE(h[1].test("prefix"));
    EXPECT_FALSE(h[1].test("a prefix"));
    EXPECT_TRUE(h[2].test("a suf"));
    EXPECT_FALSE(h[2].test("sufx"));
    EXPECT_TRUE(h[3].test("amidst"));
    EXPECT_FALSE(h[3].test(""));
    // The engine's contains accepts an empty needle; mockd's "**" still needs a header value.
    auto any = mk(R"({"type":"http","http":{"matcher":{"path":"/h","headers":{"A":"**"}}}})");
    EXPECT_TRUE(any->headerConditions()[0].value->test(""));
    EXPECT_FALSE(any->headerConditions()[0].test(""));
    EXPECT_TRUE(any->headerConditions()[0].test("x"));
}

TEST(Sequence, SticksAtTheLastResponseByDefault) {
    auto c = mk(seqMock(""));
    EXPECT_EQ(statuses(*c, 5), (std::vector<int>{201, 202, 203, 203, 203}));
}

TEST(Sequence, CyclesWhenAsked) {
    auto c = mk(seqMock(R"(,"responsesMode":"cycle")"));
    EXPECT_EQ(statuses(*c, 7), (std::vector<int>{201, 202, 203, 201, 202, 203, 201}));
}

TEST(Sequence, EachResponseIsCompiledOnItsOwn) {
    auto c = mk(seqMock(""));
    ASSERT_EQ(c->responses().size(), 3u);
    EXPECT_EQ(c->responses()[0].staticContentType(), "text/plain");
    EXPECT_EQ(c->responses()[2].staticContentType(), "application/json");
    EXPECT_EQ(c->responses()[1].response().body, "two");
}

TEST(Sequence, RearmStartsAgain) {
    auto c = mk(seqMock(""));
    statuses(*c, 4);
    c->progress().rearm();
    EXPECT_EQ(c->nextResponse().response().statusCode, 201);
}

TEST(Times, ClaimsExactlyTheLimit) {
    auto c = mk(R"({"id":"t","type":"http","http":{"matcher":{"path":"/t"},"times":3}})");
    EXPECT_EQ(c->claim(), CompiledMock::Claim::Taken);
    EXPECT_EQ(c->claim(), CompiledMock::Claim::Taken);
    EXPECT_FALSE(c->exhausted());
    EXPECT_EQ(c->claim(), CompiledMock::Claim::Taken);
    EXPECT_TRUE(c->exhausted());
    EXPECT_EQ(c->claim(), CompiledMock::Claim::UsedUp);
    EXPECT_EQ(c->progress().timesUsed.load(), 3u);  // never counts past the limit
}

TEST(Times, UnlimitedMockAlwaysClaims) {
    auto c = mk(R"({"id":"u","type":"http","http":{"matcher":{"path":"/u"}}})");
    for (int i = 0; i < 100; ++i) ASSERT_EQ(c->claim(), CompiledMock::Claim::Taken);
    EXPECT_FALSE(c->exhausted());
}

TEST(Times, ConcurrentClaimsNeverExceedTheLimit) {
    auto c = mk(R"({"id":"t","type":"http","http":{"matcher":{"path":"/t"},"times":500}})");
    std::atomic<int> won{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i)
                if (c->claim() == CompiledMock::Claim::Taken) won.fetch_add(1);
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(won.load(), 500);
    EXPECT_EQ(c->progress().timesUsed.load(), 500u);
}

struct Req {
    core::Request r;
    explicit Req(std::string_view path) {
        r.method = "GET";
        r.path = r.rawPath = path;
    }
};

const CompiledMock* find(const Snapshot& s, std::string_view path) {
    Req q(path);
    MatchInput in(q.r);
    return s.find(in, q.r.method);
}

TEST(Times, ExhaustedMockFallsThroughToTheNextOne) {
    auto limited = mk(
        R"({"id":"limited","type":"http","http":{"matcher":{"method":"GET","path":"/x"},"times":2}})");
    auto fallback = mk(R"({"id":"fallback","type":"http","http":{"matcher":{"path":"/x"}}})");
    auto snap = Snapshot::build({limited, fallback});
    EXPECT_EQ(find(*snap, "/x")->mock().id, "limited");
    EXPECT_EQ(find(*snap, "/x")->mock().id, "limited");
    EXPECT_EQ(find(*snap, "/x")->mock().id, "fallback");
}

TEST(Times, NearMissSaysTheLimitIsUsedUp) {
    auto c =
        mk(R"({"id":"t","type":"http","http":{"matcher":{"method":"GET","path":"/t"},"times":1}})");
    auto snap = Snapshot::build({c});
    ASSERT_NE(find(*snap, "/t"), nullptr);
    EXPECT_EQ(find(*snap, "/t"), nullptr);
    Req q("/t");
    MatchInput in(q.r);
    auto misses = snap->nearMisses(in);
    ASSERT_EQ(misses.size(), 1u);
    EXPECT_NE(misses[0].reason.find("method and path matched, but its times: 1 limit is used up"),
              std::string::npos)
        << misses[0].reason;
    EXPECT_NE(misses[0].fieldsJson.find(R"("field":"times")"), std::string::npos);
}

TEST(Times, RegistryKeepsProgressAcrossOtherChangesAndRearmsOnUpdate) {
    match::Registry reg;
    const char* def = R"({"id":"t","type":"http","http":{"matcher":{"path":"/t"},"times":2}})";
    reg.upsert(core::decodeMock(Json::parse(def), "mock", {}));
    EXPECT_NE(find(*reg.current(), "/t"), nullptr);
    // Another mock added: a new snapshot, the same compiled mock and the same progress.
    reg.upsert(core::decodeMock(
        Json::parse(R"({"id":"o","type":"http","http":{"matcher":{"path":"/o"}}})"), "mock", {}));
    EXPECT_NE(find(*reg.current(), "/t"), nullptr);
    EXPECT_EQ(find(*reg.current(), "/t"), nullptr);
    // Disabling and enabling keeps the count; a new definition re-arms it.
    reg.setEnabled("t", false);
    reg.setEnabled("t", true);
    EXPECT_EQ(find(*reg.current(), "/t"), nullptr);
    reg.upsert(core::decodeMock(Json::parse(def), "mock", {}));
    EXPECT_NE(find(*reg.current(), "/t"), nullptr);
}

}  // namespace
}  // namespace mockd::match

namespace mockd::match {
namespace {

TEST(NearMiss, CheapScoreIsTheFullAnalysisScore) {
    const char* defs[] = {
        R"({"id":"a","type":"http","http":{"matcher":{"method":"GET","path":"/users/{id}"}}})",
        R"({"id":"b","type":"http","http":{"matcher":{"method":"POST","path":"/users/7"}}})",
        R"({"id":"c","type":"http","http":{"matcher":{"pathPattern":"^/us.*","headers":{"X-A":"1","X-B":"2"}}}})",
        R"({"id":"d","type":"http","http":{"matcher":{"method":"GET","queryParams":{"q":"x","r":""},"bodyContains":"hi"}}})",
        R"({"id":"e","type":"http","http":{"matcher":{"path":"/users/7","bodyPattern":"^$","bodyEquals":"","bodyJsonPath":{"$.a":1}}}})",
    };
    core::Request r;
    r.method = "GET";
    r.path = r.rawPath = "/users/7";
    r.rawQuery = "q=x";
    std::vector<core::Header> headers = {{"X-A", "1"}, {"X-B", "no"}};
    r.headers = headers;
    for (const char* def : defs) {
        auto c = mk(def);
        MatchInput in(r);
        EXPECT_EQ(c->nearMissScore(in), c->analyse(in).score) << def;
    }
}

}  // namespace
}  // namespace mockd::match

namespace mockd::match {
namespace {

core::ClientCert alice() {
    core::ClientCert c;
    c.present = c.verified = true;
    c.cn = "alice";
    c.organizations = {"Acme"};
    c.organizationalUnits = {"payments", "eng"};
    c.issuerCn = "Root";
    c.fingerprint = std::string(64, 'a');
    c.sanDns = {"a.svc.example.com", "alice.example.org"};
    c.sanEmail = {"alice@example.com"};
    c.sanIp = {"10.1.2.3"};
    return c;
}

bool matchesWith(const std::string& mtls, const core::ClientCert* cert) {
    auto c = mk(R"({"id":"m","type":"http","http":{"matcher":{"path":"/m","mtls":)" + mtls + "}}}");
    Req q("/m");
    q.r.clientCert = cert;
    MatchInput in(q.r);
    return c->matches(in, "GET");
}

TEST(MtlsMatcher, EachConditionAgainstTheCertificate) {
    const core::ClientCert a = alice();
    EXPECT_TRUE(matchesWith(R"({"cn":"alice"})", &a));
    EXPECT_FALSE(matchesWith(R"({"cn":"Alice"})", &a));     // case-sensitive
    EXPECT_TRUE(matchesWith(R"({"cnPattern":"li"})", &a));  // unanchored
    EXPECT_TRUE(matchesWith(R"({"ou":"eng"})", &a));        // any of the OUs
    EXPECT_FALSE(matchesWith(R"({"ou":"sales"})", &a));
    EXPECT_TRUE(matchesWith(R"({"o":"Acme"})", &a));
    EXPECT_TRUE(matchesWith(R"({"issuer":"Root"})", &a));
    EXPECT_TRUE(matchesWith(R"({"fingerprint":"sha256:)" + std::string(64, 'A') + "\"}", &a));
    EXPECT_TRUE(matchesWith(R"({"san":{"dns":"*.svc.example.com"}})", &a));
    EXPECT_TRUE(matchesWith(R"({"san":{"dns":"alice.*.org"}})", &a));
    EXPECT_TRUE(matchesWith(R"({"san":{"dns":"a*svc*com"}})", &a));
    EXPECT_FALSE(matchesWith(R"({"san":{"dns":"*.other.com"}})", &a));
    EXPECT_FALSE(matchesWith(R"({"san":{"dns":"a.svc.example.com*x"}})", &a));
    EXPECT_TRUE(matchesWith(R"({"san":{"email":"alice@example.com","ip":"10.1.2.3"}})", &a));
    EXPECT_FALSE(matchesWith(R"({"san":{"ip":"10.1.2.4"}})", &a));
    EXPECT_TRUE(matchesWith(R"({"requireAuth":true,"cn":"alice"})", &a));
    core::ClientCert unverified = a;
    unverified.verified = false;
    EXPECT_FALSE(matchesWith(R"({"requireAuth":true})", &unverified));
    EXPECT_TRUE(matchesWith(R"({"cn":"alice"})", &unverified));
}

TEST(MtlsMatcher, NoCertificateOrNoConditionNeverMatches) {
    const core::ClientCert a = alice();
    core::ClientCert none;
    EXPECT_FALSE(matchesWith(R"({"cn":"alice"})", nullptr));  // plain HTTP
    EXPECT_FALSE(matchesWith(R"({"cn":"alice"})", &none));    // HTTPS without a certificate
    EXPECT_FALSE(matchesWith("{}", &a));
    EXPECT_FALSE(matchesWith(R"({"requireAuth":false})", &a));
}

TEST(MtlsMatcher, ScoresAddToTheMock) {
    auto c = mk(R"({"id":"m","type":"http","http":{"matcher":{"path":"/m","mtls":{
        "requireAuth":true,"cn":"alice","ou":"eng","fingerprint":")" +
                std::string(64, 'a') + R"("}}}})");
    EXPECT_EQ(c->score(), 15 + 5 + 15 + 10 + 50);
    const core::ClientCert a = alice();
    Req q("/m");
    q.r.clientCert = &a;
    MatchInput in(q.r);
    EXPECT_EQ(c->nearMissScore(in), c->score());
}

TEST(Registry, ASnapshotHeldOutlivesTheChangesAfterIt) {
    match::Registry reg;
    reg.upsert(core::decodeMock(
        Json::parse(R"({"id":"a","type":"http","http":{"matcher":{"path":"/a"}}})"), "mock", {}));
    const auto held = reg.current();
    reg.remove("a");
    reg.upsert(core::decodeMock(
        Json::parse(R"({"id":"b","type":"http","http":{"matcher":{"path":"/b"}}})"), "mock", {}));
    // The request that took `held` still sees (and may still answer with) mock a.
    EXPECT_NE(find(*held, "/a"), nullptr);
    EXPECT_EQ(find(*reg.current(), "/a"), nullptr);
    EXPECT_NE(find(*reg.current(), "/b"), nullptr);
    EXPECT_NE(held.get(), reg.current().get());
}

}  // namespace
}  // namespace mockd::match
