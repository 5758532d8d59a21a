#include "match/path_pattern.h"

#include <gtest/gtest.h>

namespace mockd::match {
namespace {

TEST(PathPattern, ExactIsCaseSensitiveAndTrailingSlashMatters) {
    auto p = PathPattern::compile("/api/users");
    EXPECT_EQ(p.kind(), PathPattern::Kind::Exact);
    EXPECT_EQ(p.score(), 15);
    EXPECT_TRUE(p.match("/api/users"));
    EXPECT_FALSE(p.match("/api/users/"));
    EXPECT_FALSE(p.match("/API/users"));
}

TEST(PathPattern, ParamsCaptureWholeSegments) {
    auto p = PathPattern::compile("/users/{id}/posts/{post}");
    EXPECT_EQ(p.kind(), PathPattern::Kind::Params);
    EXPECT_EQ(p.score(), 12);
    Captures caps;
    ASSERT_TRUE(p.match("/users/42/posts/7", &caps));
    ASSERT_EQ(caps.size(), 2u);
    EXPECT_EQ(caps[0], (std::pair<std::string, std::string>{"id", "42"}));
    EXPECT_EQ(caps[1], (std::pair<std::string, std::string>{"post", "7"}));
    EXPECT_FALSE(p.match("/users/42/posts"));
    EXPECT_FALSE(p.match("/users/42/comments/7"));
    // Segment counts ignore a trailing slash, as mockd trims both ends.
    EXPECT_TRUE(p.match("/users/42/posts/7/"));
}

TEST(PathPattern, MixedSegmentNeedsAtLeastOneCharacter) {
    auto p = PathPattern::compile("/files/{name}.json");
    Captures caps;
    ASSERT_TRUE(p.match("/files/report.json", &caps));
    EXPECT_EQ(caps.at(0).second, "report");
    EXPECT_FALSE(p.match("/files/.json"));
    EXPECT_FALSE(p.match("/files/report.xml"));
    auto two = PathPattern::compile("/v/{a}-{b}");
    caps.clear();
    ASSERT_TRUE(two.match("/v/x-y", &caps));
    EXPECT_EQ(caps.size(), 2u);
}

TEST(PathPattern, TrailingStarIsAPrefixOnSegmentBoundaries) {
    auto p = PathPattern::compile("/api/*");
    EXPECT_EQ(p.kind(), PathPattern::Kind::Prefix);
    EXPECT_EQ(p.score(), 10);
    EXPECT_TRUE(p.match("/api"));
    EXPECT_TRUE(p.match("/api/"));
    Captures caps;
    EXPECT_TRUE(p.match("/api/a/b", &caps));
    EXPECT_EQ(caps.at(0).second, "a/b");
    EXPECT_FALSE(p.match("/apix"));
}

TEST(PathPattern, InnerStarFindsPiecesInOrderAndIsUnanchoredAtTheEnd) {
    auto p = PathPattern::compile("/a/*/items");
    EXPECT_EQ(p.kind(), PathPattern::Kind::Wildcard);
    EXPECT_TRUE(p.match("/a/x/items"));
    EXPECT_TRUE(p.match("/a/x/y/items"));
    EXPECT_TRUE(p.match("/a/x/items/extra"));  // mockd does not anchor the end
    EXPECT_FALSE(p.match("/b/x/items"));
    EXPECT_FALSE(p.match("/a/x/other"));
}

TEST(PathPattern, PatternIsUnescaped) {
    auto p = PathPattern::compile("/a%20b");
    EXPECT_TRUE(p.match("/a b"));
}

TEST(PathPattern, EmptyMatchesAnything) {
    auto p = PathPattern::compile("");
    EXPECT_EQ(p.kind(), PathPattern::Kind::Any);
    EXPECT_EQ(p.score(), 0);
    EXPECT_TRUE(p.match("/whatever"));
}

TEST(PercentDecode, DecodesAndKeepsInvalidEscapes) {
    EXPECT_EQ(percentDecode("/a%2Fb%41"), "/a/bA");
    EXPECT_EQ(percentDecode("100%"), "100%");
    EXPECT_EQ(percentDecode("%zz"), "%zz");
    EXPECT_EQ(percentDecode("a+b", true), "a b");
    EXPECT_EQ(percentDecode("a+b", false), "a+b");
}

}  // namespace
}  // namespace mockd::match
