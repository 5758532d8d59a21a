#include "protocols/sse/sse_streams.h"

#include <gtest/gtest.h>

#include "core/clock.h"

namespace mockd::protocols::sse {
namespace {

ResumeBuffer::Event event(const std::string& id, size_t position, int64_t atUs) {
    return {id, "message", "data " + id, position, atUs};
}

TEST(ResumeBuffer, KeepsTheNewestEventsUpToItsSize) {
    ResumeBuffer b;
    const int64_t now = core::nowMicros();
    for (size_t i = 1; i <= 5; ++i) b.add(event(std::to_string(i), i, now), 3, 0);
    EXPECT_FALSE(b.resumeAfter("2", 0));  // pushed out
    EXPECT_EQ(b.resumeAfter("3", 0), 3u);
    EXPECT_EQ(b.resumeAfter("5", 0), 5u);
    const auto list = b.toJson(0);
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0]["id"], "3");
    EXPECT_EQ(list[2]["data"], "data 5");
    EXPECT_EQ(b.clear(), 3u);
    EXPECT_FALSE(b.resumeAfter("5", 0));
}

TEST(ResumeBuffer, ForgetsEventsOlderThanMaxAge) {
    ResumeBuffer b;
    const int64_t now = core::nowMicros();
    b.add(event("old", 1, now - 5'000'000), 10, 2);
    b.add(event("new", 2, now), 10, 2);
    EXPECT_FALSE(b.resumeAfter("old", 2));
    EXPECT_EQ(b.resumeAfter("new", 2), 2u);
    EXPECT_EQ(b.toJson(2).size(), 1u);
    EXPECT_EQ(b.toJson(0).size(), 1u);  // dropped when the newer event came
}

TEST(ResumeBuffer, AnIdSentTwiceResumesAfterItsNewestPlace) {
    // Streams of one mock that resume number their events by their place: ids repeat.
    ResumeBuffer b;
    const int64_t now = core::nowMicros();
    b.add(event("tick", 1, now), 10, 0);
    b.add(event("tick", 4, now), 10, 0);
    EXPECT_EQ(b.resumeAfter("tick", 0), 4u);
    EXPECT_FALSE(b.resumeAfter("tock", 0));
}

}  // namespace
}  // namespace mockd::protocols::sse
