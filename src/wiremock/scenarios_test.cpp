#include "wiremock/scenarios.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

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

}  // namespace mockd::wiremock
