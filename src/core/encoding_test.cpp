#include "core/encoding.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace mockd::core {

TEST(Encoding, Base64RoundTrips) {
    for (const std::string& s : std::vector<std::string>{"", "h", "he", "hel", "hello file",
                                                         std::string("\0\xff\x10", 3)}) {
        auto enc = base64Encode(s);
        EXPECT_EQ(enc.size() % 4, 0u);
        auto dec = base64Decode(enc);
        ASSERT_TRUE(dec) << enc;
        EXPECT_EQ(*dec, s);
    }
    EXPECT_EQ(base64Encode("hello"), "aGVsbG8=");
    EXPECT_EQ(*base64Decode("aGVsbG8"), "hello");     // padding optional
    EXPECT_EQ(*base64Decode("aGVs\nbG8="), "hello");  // whitespace ignored
    EXPECT_FALSE(base64Decode("a*b="));
    EXPECT_FALSE(base64Decode("aGVsbG8=x"));  // data after padding
    EXPECT_FALSE(base64Decode("a"));          // a lone sextet is not a byte
}

TEST(Encoding, UuidsAreVersion4AndDistinct) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto u = newUuid();
        ASSERT_TRUE(isUuid(u)) << u;
        EXPECT_EQ(u[14], '4');
        EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b') << u;
        seen.insert(u);
    }
    EXPECT_EQ(seen.size(), 1000u);
    EXPECT_TRUE(isUuid("3F2504E0-4F89-11D3-9A0C-0305E82C3301"));
    EXPECT_FALSE(isUuid("not-a-uuid"));
    EXPECT_FALSE(isUuid("3f2504e0-4f89-11d3-9a0c-0305e82c330"));
    EXPECT_FALSE(isUuid("3f2504e0x4f89-11d3-9a0c-0305e82c3301"));
}

}  // namespace mockd::core
