#include "core/match_input.h"

#include <gtest/gtest.h>

namespace mockd::core {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

Params parse(std::string_view raw, EmptyParams empty = EmptyParams::Skip) {
    Params out;
    parseQuery(raw, out, empty);
    return out;
}

TEST(ParseQuery, DecodesPairsInOrder) {
    EXPECT_EQ(parse("a=1&b=two+words&c=%41%zz&flag&=v"),
              (Params{{"a", "1"}, {"b", "two words"}, {"c", "A%zz"}, {"flag", ""}, {"", "v"}}));
    EXPECT_EQ(parse("k=1&k=2"), (Params{{"k", "1"}, {"k", "2"}}));
}

TEST(ParseQuery, EmptyPiecesAreSkippedForMockdAndForms) {
    EXPECT_EQ(parse(""), Params{});
    EXPECT_EQ(parse("&&a=1&&"), (Params{{"a", "1"}}));
}

TEST(ParseQuery, EmptyPiecesAsJavaSplitKeepsThemForWireMock) {
    using enum EmptyParams;
    // Java's "".split("&") is one empty piece; "&".split("&") none.
    EXPECT_EQ(parse("", JavaSplit), (Params{{"", ""}}));
    EXPECT_EQ(parse("&", JavaSplit), Params{});
    EXPECT_EQ(parse("a=1&&b=2&&", JavaSplit), (Params{{"a", "1"}, {"", ""}, {"b", "2"}}));
    EXPECT_EQ(parse("&a", JavaSplit), (Params{{"", ""}, {"a", ""}}));
}

}  // namespace
}  // namespace mockd::core
