#include "core/duration.h"

#include <gtest/gtest.h>

namespace mockd::core {
namespace {

TEST(GoDuration, ReadsGosForms) {
    EXPECT_EQ(parseGoDuration("100ms"), 100);
    EXPECT_EQ(parseGoDuration("1.5s"), 1500);
    EXPECT_EQ(parseGoDuration("2m30s"), 150000);
    EXPECT_EQ(parseGoDuration("1h"), 3600000);
    EXPECT_EQ(parseGoDuration("1500us"), 1);
    EXPECT_EQ(parseGoDuration("0"), 0);
    EXPECT_EQ(parseGoDuration("-2s"), -2000);
}

TEST(GoDuration, RefusesWhatGoRefuses) {
    std::string error;
    EXPECT_FALSE(parseGoDuration("100", &error));
    EXPECT_EQ(error, "missing unit in duration \"100\"");
    EXPECT_FALSE(parseGoDuration("5 sec", &error));
    EXPECT_EQ(error, "unknown unit in duration \"5 sec\"");
    EXPECT_FALSE(parseGoDuration("", &error));
    EXPECT_FALSE(parseGoDuration("s", &error));
    EXPECT_FALSE(parseGoDuration("99999999999h", &error));
}

TEST(GoDuration, PrintsAsGoDoes) {
    EXPECT_EQ(formatGoDuration(0), "0s");
    EXPECT_EQ(formatGoDuration(100), "100ms");
    EXPECT_EQ(formatGoDuration(1500), "1.5s");
    EXPECT_EQ(formatGoDuration(120000), "2m0s");
    EXPECT_EQ(formatGoDuration(3723004), "1h2m3.004s");
    for (int64_t ms : {1, 999, 1000, 61001, 7200000})
        EXPECT_EQ(parseGoDuration(formatGoDuration(ms)), ms);
}

}  // namespace
}  // namespace mockd::core
