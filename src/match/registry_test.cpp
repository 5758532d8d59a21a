#include "match/registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "core/mock_codec.h"

namespace mockd::match {
namespace {

using core::Json;

core::Mock decode(const Json& j) { return core::decodeMock(j, "mock", {}); }

struct Req {
    core::Request r;
    Req(std::string_view method, std::string_view path) {
        r.method = method;
        r.path = r.rawPath = path;
    }
    Req& header(std::string_view n, std::string_view v) {
        r.headers.push_back({n, v});
        return *this;
    }
};

std::string idOf(const CompiledMock* m) { return m ? m->mock().id : "<none>"; }

// A random mock over a small vocabulary, so that changes often compete for the same requests.
Json randomMock(std::mt19937& rng, const std::string& id) {
    auto pick = [&](std::initializer_list<const char*> v) {
        return std::string(*(v.begin() + rng() % v.size()));
    };
    Json m = Json::object();
    if (rng() % 3) m["method"] = pick({"GET", "POST"});
    switch (rng() % 4) {
        case 0:
            m["pathPattern"] = pick({"^/a/[0-9]+$", "^/b", "c$"});
            break;
        default:
            m["path"] = pick({"/a", "/a/1", "/a/{id}", "/b", "/b/c", "/a/*"});
    }
    if (rng() % 3 == 0) m["headers"]["X-A"] = pick({"1", "2"});
    Json mock = {{"id", id}, {"type", "http"}, {"http", {{"matcher", m}}}};
    if (rng() % 3 == 0) mock["priority"] = static_cast<int>(rng() % 3);
    if (rng() % 6 == 0) mock["enabled"] = false;
    return mock;
}

std::vector<std::string> ids(const std::vector<CompiledMockPtr>& v) {
    std::vector<std::string> out;
    for (const auto& c : v) out.push_back(c->mock().id);
    return out;
}

std::vector<std::string> ids(const std::vector<const CompiledMock*>& v) {
    std::vector<std::string> out;
    for (const auto* c : v) out.push_back(c->mock().id);
    return out;
}

// Every way a snapshot answers, compared with one index built from the same mocks.
void expectSameAnswers(const Snapshot& layered, const Snapshot& full) {
    ASSERT_EQ(ids(layered.all()), ids(full.all()));
    ASSERT_EQ(ids(layered.ranked()), ids(full.ranked()));
    ASSERT_EQ(layered.size(), full.size());
    for (const auto& c : full.all()) ASSERT_EQ(layered.byId(c->mock().id), c);
    EXPECT_EQ(layered.byId("never-added"), nullptr);
    for (const char* method : {"GET", "POST"})
        for (const char* path : {"/a", "/a/1", "/a/22", "/b", "/b/c", "/a/x/c", "/zz"})
            for (bool header : {false, true}) {
                Req q(method, path);
                if (header) q.header("X-A", "1");
                MatchInput in(q.r);
                ASSERT_EQ(idOf(layered.find(in, method)), idOf(full.find(in, method)))
                    << method << " " << path << (header ? " X-A" : "");
                std::vector<std::string> a, b;
                for (const auto& n : layered.nearMisses(in, 3)) a.push_back(n.mock->mock().id);
                for (const auto& n : full.nearMisses(in, 3)) b.push_back(n.mock->mock().id);
                ASSERT_EQ(a, b) << method << " " << path;
            }
}

// Random creates, replacements, toggles and deletes, each compared with a full index of the
// same mocks, in both orders, with folds at random points.
void changesMatchAFullIndex(Order order, unsigned seed) {
    std::mt19937 rng(seed);
    Registry reg;
    reg.setOrder(order);
    std::vector<CompiledMockPtr> reference;  // creation order
    int layeredSteps = 0;
    auto position = [&](const std::string& id) {
        return std::find_if(reference.begin(), reference.end(),
                            [&](const auto& c) { return c->mock().id == id; });
    };
    for (int step = 0; step < 400; ++step) {
        const std::string id = "m" + std::to_string(rng() % 60);
        const auto at = position(id);
        switch (rng() % 6) {
            case 0:
                reg.remove(id);
                if (at != reference.end()) reference.erase(at);
                break;
            case 1:
                if (at != reference.end()) {
                    reg.setEnabled(id, !(*at)->enabled());
                    *at = reg.compiled(id);
                    break;
                }
                [[fallthrough]];
            default:
                reg.upsert(decode(randomMock(rng, id)));
                if (at != reference.end())
                    *at = reg.compiled(id);
                else
                    reference.push_back(reg.compiled(id));
        }
        if (rng() % 50 == 0) reg.compact();
        SCOPED_TRACE("step " + std::to_string(step));
        if (reg.snapshot()->layered()) ++layeredSteps;
        expectSameAnswers(*reg.snapshot(), *Snapshot::build(reference, order));
        if (::testing::Test::HasFatalFailure()) return;
    }
    // Most steps ran against a base with changes on top (the comparison is not of two full
    // indexes).
    EXPECT_GT(layeredSteps, 200);
    reg.compact();
    EXPECT_FALSE(reg.snapshot()->layered());
    expectSameAnswers(*reg.snapshot(), *Snapshot::build(reference, order));
}

TEST(RegistryChanges, AnswerAsAFullIndexWouldBySpecificity) {
    changesMatchAFullIndex(Order::Specificity, 17);
}

TEST(RegistryChanges, AnswerAsAFullIndexWouldByPriority) {
    changesMatchAFullIndex(Order::Priority, 18);
}

TEST(RegistryChanges, AReplacedMockKeepsItsPlaceAndARecreatedOneGoesLast) {
    Registry reg;
    for (const char* id : {"a", "b", "c"})
        reg.upsert(decode({{"id", id}, {"type", "http"}, {"http", {{"matcher", {{"path", "/x"}}}}}}));
    reg.compact();
    reg.upsert(decode({{"id", "a"}, {"type", "http"}, {"http", {{"matcher", {{"path", "/y"}}}}}}));
    reg.remove("b");
    reg.upsert(decode({{"id", "b"}, {"type", "http"}, {"http", {{"matcher", {{"path", "/x"}}}}}}));
    EXPECT_EQ(ids(reg.snapshot()->all()), (std::vector<std::string>{"a", "c", "b"}));
    // Newest first among equals: the recreated b now wins over c.
    Req q("GET", "/x");
    MatchInput in(q.r);
    EXPECT_EQ(idOf(reg.current()->find(in, "GET")), "b");
    reg.compact();
    EXPECT_EQ(ids(reg.snapshot()->all()), (std::vector<std::string>{"a", "c", "b"}));
    EXPECT_EQ(idOf(reg.current()->find(in, "GET")), "b");
}

TEST(RegistryChanges, ManyChangesAreFoldedWithoutBeingAsked) {
    Registry reg;
    for (int i = 0; i < 500; ++i)
        reg.upsert(decode({{"id", "m" + std::to_string(i)},
                           {"type", "http"},
                           {"http", {{"matcher", {{"path", "/p/" + std::to_string(i)}}}}}}));
    // Folding runs beside the writes; once it is done at most the changes after it are on top.
    reg.compact();
    const auto snap = reg.snapshot();
    EXPECT_EQ(snap->size(), 500u);
    EXPECT_FALSE(snap->layered());
    EXPECT_EQ(snap->base()->size(), 500u);
}

// A writer adds and removes mocks as fast as it can while readers match a mock that never
// changes: no reader ever misses it, and each write is visible to its writer at once.
TEST(RegistryConcurrency, ReadersNeverMissAStableMockWhileChangesFold) {
    Registry reg;
    reg.upsert(decode(
        {{"id", "stable"}, {"type", "http"}, {"http", {{"matcher", {{"path", "/stable"}}}}}}));
    std::atomic<bool> done{false};
    std::atomic<int> misses{0}, reads{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 2; ++t)
        readers.emplace_back([&] {
            Req q("GET", "/stable");
            MatchInput in(q.r);
            while (!done.load()) {
                if (idOf(reg.current()->find(in, "GET")) != "stable") ++misses;
                ++reads;
            }
        });
    int unseen = 0;
    for (int i = 0; i < 3000; ++i) {
        const std::string id = "w" + std::to_string(i);
        const std::string path = "/w/" + std::to_string(i);
        reg.upsert(decode({{"id", id}, {"type", "http"}, {"http", {{"matcher", {{"path", path}}}}}}));
        Req q("GET", path);
        MatchInput in(q.r);
        if (idOf(reg.current()->find(in, "GET")) != id) ++unseen;
        if (i % 3 == 0) reg.remove("w" + std::to_string(i / 2));
    }
    done = true;
    for (auto& t : readers) t.join();
    EXPECT_EQ(misses.load(), 0);
    EXPECT_EQ(unseen, 0);
    EXPECT_GT(reads.load(), 0);
    reg.compact();
    EXPECT_EQ(reg.snapshot()->size(), 1u + 3000u - 1000u);
}

}  // namespace
}  // namespace mockd::match
