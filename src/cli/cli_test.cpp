#include "cli/cli.h"

#include <gtest/gtest.h>

namespace mockd::cli {
namespace {

TEST(Cli, ParsesDurations) {
    std::chrono::milliseconds d{};
    ASSERT_TRUE(parseDuration("10s", d));
    EXPECT_EQ(d.count(), 10000);
    ASSERT_TRUE(parseDuration("250ms", d));
    EXPECT_EQ(d.count(), 250);
    ASSERT_TRUE(parseDuration("2m", d));
    EXPECT_EQ(d.count(), 120000);
    ASSERT_TRUE(parseDuration("3", d));
    EXPECT_EQ(d.count(), 3000);
    EXPECT_FALSE(parseDuration("", d));
    EXPECT_FALSE(parseDuration("soon", d));
    EXPECT_FALSE(parseDuration("5 parsecs", d));
}

TEST(Cli, ParsesSizes) {
    uint64_t n = 0;
    ASSERT_TRUE(parseSize("10MiB", n));
    EXPECT_EQ(n, 10u * 1024 * 1024);
    ASSERT_TRUE(parseSize("64kb", n));
    EXPECT_EQ(n, 64u * 1024);
    ASSERT_TRUE(parseSize("123", n));
    EXPECT_EQ(n, 123u);
    EXPECT_FALSE(parseSize("lots", n));
    EXPECT_FALSE(parseSize("10XB", n));
}

}  // namespace
}  // namespace mockd::cli
