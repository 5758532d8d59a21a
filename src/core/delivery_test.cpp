#include "core/delivery.h"

#include <gtest/gtest.h>

namespace mockd::core {

TEST(Delivery, ChunkFramesCutLikeWireMock) {
    auto f = chunkFrames("abcdefghijk", 5);
    ASSERT_EQ(f.size(), 5u);
    EXPECT_EQ(f[0], "2\r\nab\r\n");
    EXPECT_EQ(f[4], "3\r\nijk\r\n0\r\n\r\n");
    // Never more pieces than bytes; an empty body is just the terminator.
    EXPECT_EQ(chunkFrames("ab", 10).size(), 2u);
    auto empty = chunkFrames("", 3);
    ASSERT_EQ(empty.size(), 1u);
    EXPECT_EQ(empty[0], "0\r\n\r\n");
    // Sizes are hex.
    std::string big(300, 'x');
    EXPECT_TRUE(chunkFrames(big, 1)[0].starts_with("12c\r\n"));
}

TEST(Delivery, DistributionsStayInRange) {
    DelayDistribution u{DelayDistribution::Kind::Uniform, 10, 20, {}};
    DelayDistribution l{DelayDistribution::Kind::LogNormal, 50, 1.5, 60.0};
    DelayDistribution f{DelayDistribution::Kind::Fixed, 7, 0, {}};
    bool sawLow = false, sawHigh = false;
    for (int i = 0; i < 2000; ++i) {
        uint32_t v = u.sample();
        ASSERT_GE(v, 10u);
        ASSERT_LE(v, 20u);
        sawLow |= v == 10;
        sawHigh |= v == 20;
        ASSERT_LE(l.sample(), 60u);
    }
    EXPECT_TRUE(sawLow && sawHigh);  // both bounds are inclusive
    EXPECT_EQ(f.sample(), 7u);
    EXPECT_EQ(DelayDistribution{}.sample(), 0u);
    DelayDistribution inverted{DelayDistribution::Kind::Uniform, 30, 0, {}};
    EXPECT_EQ(inverted.sample(), 30u);
}

TEST(Delivery, FaultNames) {
    EXPECT_EQ(faultNamed("CONNECTION_RESET_BY_PEER"), Fault::ConnectionReset);
    EXPECT_EQ(faultNamed("EMPTY_RESPONSE"), Fault::EmptyResponse);
    EXPECT_EQ(faultNamed("MALFORMED_RESPONSE_CHUNK"), Fault::MalformedChunk);
    EXPECT_EQ(faultNamed("RANDOM_DATA_THEN_CLOSE"), Fault::RandomData);
    for (auto f :
         {Fault::ConnectionReset, Fault::EmptyResponse, Fault::MalformedChunk, Fault::RandomData})
        EXPECT_EQ(faultNamed(faultName(f)), f);
    EXPECT_EQ(faultName(Fault::None), "");
    EXPECT_FALSE(faultNamed("connection_reset_by_peer"));
    EXPECT_FALSE(garbageBytes().starts_with("HTTP/"));
}

}  // namespace mockd::core
