#include "log/log.h"

#include <gtest/gtest.h>

namespace mockd::log {
namespace {

std::string escaped(std::string_view s) {
    std::string out;
    appendJsonEscaped(out, s);
    return out;
}

TEST(JsonEscape, EscapesQuotesBackslashesAndControls) {
    EXPECT_EQ(escaped("plain text"), "plain text");
    EXPECT_EQ(escaped("a\"b\\c"), "a\\\"b\\\\c");
    EXPECT_EQ(escaped("l1\nl2\r\t"), "l1\\nl2\\r\\t");
    EXPECT_EQ(escaped(std::string_view("x\0y\x1f", 4)), "x\\u0000y\\u001f");
}

TEST(JsonEscape, KeepsValidUtf8AndReplacesEveryInvalidByte) {
    EXPECT_EQ(escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
              "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    EXPECT_EQ(escaped("/\xff\xfe"), "/\\ufffd\\ufffd");
    EXPECT_EQ(escaped("\xc3"), "\\ufffd");                        // cut short at the end
    EXPECT_EQ(escaped("\xc3(x"), "\\ufffd(x");                    // not a continuation byte
    EXPECT_EQ(escaped("\xc0\xaf"), "\\ufffd\\ufffd");             // overlong '/'
    EXPECT_EQ(escaped("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");  // a UTF-16 surrogate
    EXPECT_EQ(escaped("\xf4\x90\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd");  // above U+10FFFF
}

}  // namespace
}  // namespace mockd::log
