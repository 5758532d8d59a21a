#include "http/request_counts.h"

#include <gtest/gtest.h>

#include <thread>

namespace mockd::http {
namespace {

TEST(RequestCounts, SumsEveryThreadByMockAndStatus) {
    RequestCounts c;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&c] {
            for (int i = 0; i < 1000; ++i) {
                c.add("a", 200);
                if (i % 10 == 0) c.add("a", 502);
                if (i % 4 == 0) c.add("", 404);
            }
        });
    for (auto& th : threads) th.join();
    c.add("b", 201);
    auto s = c.samples();
    ASSERT_EQ(s.size(), 4u);
    // ordered by mock id, then status; unmatched ("") first
    EXPECT_EQ(s[0].mockId, "");
    EXPECT_EQ(s[0].status, 404);
    EXPECT_EQ(s[0].count, 1000u);
    EXPECT_EQ(s[1].mockId, "a");
    EXPECT_EQ(s[1].status, 200);
    EXPECT_EQ(s[1].count, 4000u);
    EXPECT_EQ(s[2].status, 502);
    EXPECT_EQ(s[2].count, 400u);
    EXPECT_EQ(s[3].mockId, "b");
    EXPECT_EQ(s[3].count, 1u);
}

TEST(RequestCounts, SeparateInstancesDoNotShareCounts) {
    auto first = std::make_unique<RequestCounts>();
    first->add("x", 200);
    first.reset();
    RequestCounts second;  // may reuse the address; this thread's old shard must not leak in
    second.add("y", 200);
    auto s = second.samples();
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].mockId, "y");
    EXPECT_EQ(s[0].count, 1u);
}

}  // namespace
}  // namespace mockd::http
