#include "wiremock/scenarios.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/match_input.h"
#include "match/registry.h"
#include "wiremock/stub_codec.h"

namespace mockd::wiremock {

TEST(Scenarios, StartInStartedAndMove) {
    Scenarios s;
    EXPECT_EQ(s.state("cart"), "Started");
    EXPECT_TRUE(s.inState("cart", "Started"));
    s.set("cart", "added");
    EXPECT_EQ(s.state("cart"), "added");
    EXPECT_FALSE(s.inState("cart", "Started"));
    EXPECT_TRUE(s.inState("other", "Started"));
    s.resetAll();
    EXPECT_EQ(s.state("cart"), "Started");
}

TEST(Scenarios, ConcurrentTransitionsStayConsistent) {
    Scenarios s;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                s.set("sc" + std::to_string(t), i % 2 ? "a" : "b");
                (void)s.inState("sc0", "a");
            }
        });
    for (auto& th : threads) th.join();
    for (int t = 0; t < 4; ++t) EXPECT_EQ(s.state("sc" + std::to_string(t)), "a");
}

TEST(Scenarios, AdvanceChecksAndMovesInOneStep) {
    Scenarios s;
    EXPECT_TRUE(s.advance("cart", "Started", "added"));
    EXPECT_EQ(s.state("cart"), "added");
    // Another request got there first: the state it matched on is gone.
    EXPECT_FALSE(s.advance("cart", "Started", "added"));
    EXPECT_TRUE(s.advance("cart", "added", ""));  // a check with no move
    EXPECT_EQ(s.state("cart"), "added");
    EXPECT_TRUE(s.advance("cart", "", "Started"));  // no requirement: moves from anywhere
    EXPECT_EQ(s.state("cart"), "Started");
}

core::Request get(std::string_view path) {
    core::Request r;
    r.method = "GET";
    r.target = r.rawPath = r.path = path;
    return r;
}

// Stubs decoded against one set of scenarios, in a WireMock-ordered registry.
struct Stubs {
    std::shared_ptr<Scenarios> scenarios = std::make_shared<Scenarios>();
    match::Registry registry;
    explicit Stubs(const std::vector<const char*>& json) {
        registry.setOrder(match::Order::Priority);
        std::vector<core::Mock> mocks;
        for (const char* j : json) mocks.push_back(decodeStub(OJson::parse(j), "/f", scenarios));
        registry.upsertAll(std::move(mocks));
    }
    std::string find(std::string_view path) {
        auto req = get(path);
        core::MatchInput in(req);
        const auto* m = registry.current()->find(in, "GET");
        return m ? m->mock().name : "";
    }
};

TEST(Scenarios, StubsMoveTheirScenarioWhenTheyAreServed) {
    Stubs s({R"({"name":"first","scenarioName":"cart","requiredScenarioState":"Started",
                 "newScenarioState":"added","request":{"url":"/cart"},"response":{}})",
             R"({"name":"second","scenarioName":"cart","requiredScenarioState":"added",
                 "request":{"url":"/cart"},"response":{}})"});
    EXPECT_EQ(s.find("/cart"), "first");
    EXPECT_EQ(s.scenarios->state("cart"), "added");
    EXPECT_EQ(s.find("/cart"), "second");
    EXPECT_EQ(s.find("/cart"), "second");
    // Another API's scenarios are another set.
    Stubs other({R"({"name":"first","scenarioName":"cart","requiredScenarioState":"Started",
                     "newScenarioState":"added","request":{"url":"/cart"},"response":{}})"});
    EXPECT_EQ(other.find("/cart"), "first");
}

TEST(Scenarios, ConcurrentRequestsTakeAOneShotStateOnce) {
    // "once" answers only while the scenario is Started and moves it on; everything after gets
    // "after". However many requests race, exactly one gets "once".
    Stubs s({R"({"name":"once","priority":1,"scenarioName":"s","requiredScenarioState":"Started",
                 "newScenarioState":"done","request":{"url":"/x"},"response":{}})",
             R"({"name":"after","priority":5,"request":{"url":"/x"},"response":{}})"});
    std::atomic<int> once{0}, after{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                const std::string name = s.find("/x");
                (name == "once" ? once : after).fetch_add(1);
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(once.load(), 1);
    EXPECT_EQ(after.load(), 8 * 200 - 1);
}

}  // namespace mockd::wiremock
