#include "match/regex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace mockd::match {
namespace {

std::shared_ptr<const Regex> mustCompile(const std::string& pattern) {
    std::string error;
    auto rx = Regex::compile(pattern, &error);
    EXPECT_NE(rx, nullptr) << pattern << ": " << error;
    return rx;
}

TEST(RegexTest, FullMatchNeedsTheWholeText) {
    auto rx = mustCompile("a.c");
    EXPECT_TRUE(rx->fullMatch("abc"));
    EXPECT_FALSE(rx->fullMatch("xabc"));
    EXPECT_FALSE(rx->fullMatch("abcx"));
    EXPECT_TRUE(rx->partialMatch("xabcx"));
    EXPECT_FALSE(rx->partialMatch("ab"));
    EXPECT_FALSE(rx->usesPcre2());
    EXPECT_EQ(rx->pattern(), "a.c");
}

TEST(RegexTest, DotDoesNotCrossLinesUnlessAsked) {
    EXPECT_FALSE(mustCompile("a.c")->fullMatch("a\nc"));
    EXPECT_TRUE(mustCompile("(?s)a.c")->fullMatch("a\nc"));
}

TEST(RegexTest, AlternationIsAnchoredAsAWhole) {
    EXPECT_TRUE(mustCompile("a|ab")->fullMatch("ab"));
    auto pcre = mustCompile("(?=a)(a|ab)");
    EXPECT_TRUE(pcre->usesPcre2());
    EXPECT_TRUE(pcre->fullMatch("ab"));
    EXPECT_TRUE(pcre->fullMatch("a"));
    EXPECT_FALSE(pcre->fullMatch("abc"));
}

TEST(RegexTest, LookaroundAndBackreferencesRunOnPcre2) {
    auto look = mustCompile("foo(?!bar).*");
    EXPECT_TRUE(look->usesPcre2());
    EXPECT_TRUE(look->fullMatch("foobaz"));
    EXPECT_FALSE(look->fullMatch("foobar"));

    auto behind = mustCompile(".*(?<=\\.json)");
    EXPECT_TRUE(behind->fullMatch("a.json"));
    EXPECT_FALSE(behind->fullMatch("a.xml"));

    auto back = mustCompile("(\\w+)-\\1");
    EXPECT_TRUE(back->usesPcre2());
    EXPECT_TRUE(back->fullMatch("ab-ab"));
    EXPECT_FALSE(back->fullMatch("ab-ac"));
    EXPECT_TRUE(back->partialMatch("xx ab-ab yy"));
}

TEST(RegexTest, JavaPosixClassesAndPossessiveQuantifiers) {
    auto alpha = mustCompile("\\p{Alpha}+\\P{Digit}");
    EXPECT_TRUE(alpha->fullMatch("abcX"));
    EXPECT_FALSE(alpha->fullMatch("abc1"));
    EXPECT_TRUE(mustCompile("[\\p{Upper}\\p{Digit}]+")->fullMatch("AB12"));
    EXPECT_FALSE(mustCompile("[\\p{Upper}\\p{Digit}]+")->fullMatch("ab"));
    EXPECT_TRUE(mustCompile("\\p{javaLowerCase}+")->fullMatch("abc"));
    EXPECT_TRUE(mustCompile("\\p{L}+")->fullMatch("\xC3\xA9t\xC3\xA9"));

    auto possessive = mustCompile("a*+b");
    EXPECT_TRUE(possessive->usesPcre2());
    EXPECT_TRUE(possessive->fullMatch("aaab"));
    EXPECT_FALSE(mustCompile("a*+a")->fullMatch("aaa"));  // possessive never gives one back
    EXPECT_TRUE(mustCompile("(?>a+)b")->fullMatch("aab"));
}

TEST(RegexTest, QuotedTextStaysLiteral) {
    auto rx = mustCompile("\\Q\\p{Alpha}[\\E");
    EXPECT_TRUE(rx->fullMatch("\\p{Alpha}["));
}

TEST(RegexTest, NamedGroupsAndEndOfInputAnchor) {
    EXPECT_TRUE(mustCompile("(?<year>\\d{4})-\\d\\d")->fullMatch("2024-05"));
    EXPECT_TRUE(mustCompile("abc\\Z")->partialMatch("abc"));
}

TEST(RegexTest, ExtractReturnsTheFirstMatchOfAGroup) {
    std::string out;
    auto rx = mustCompile("id=(\\d+)");
    ASSERT_TRUE(rx->extract("x id=42 id=7", 1, &out));
    EXPECT_EQ(out, "42");
    ASSERT_TRUE(rx->extract("x id=42", 0, &out));
    EXPECT_EQ(out, "id=42");
    EXPECT_FALSE(rx->extract("nothing", 1, &out));
    EXPECT_FALSE(rx->extract("id=1", 2, &out));

    auto pcre = mustCompile("(\\w)\\1(\\d)");
    ASSERT_TRUE(pcre->extract("--aa5--", 2, &out));
    EXPECT_EQ(out, "5");
    EXPECT_FALSE(pcre->extract("--aa5--", 3, &out));
}

TEST(RegexTest, CatastrophicPatternIsLinearOnRe2) {
    auto rx = mustCompile("(a+)+$");
    EXPECT_FALSE(rx->usesPcre2());
    std::string text(100000, 'a');
    text += 'b';
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(rx->fullMatch(text));
    EXPECT_TRUE(rx->partialMatch(text.substr(0, 5000)));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(RegexTest, CatastrophicBacktrackingStopsAtTheMatchLimit) {
    auto rx = mustCompile("(a+)+\\1$");
    EXPECT_TRUE(rx->usesPcre2());
    std::string text(40, 'a');
    text += 'b';
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(rx->fullMatch(text));
    EXPECT_FALSE(rx->partialMatch(text));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_TRUE(rx->fullMatch("aaaa"));
}

TEST(RegexTest, InvalidUtf8SubjectIsNoMatchNotACrash) {
    auto rx = mustCompile("(?=x)x.*");
    EXPECT_FALSE(rx->fullMatch("x\xff\xfe"));
    EXPECT_TRUE(rx->fullMatch("xyz"));
}

TEST(RegexTest, BadPatternReportsThePcre2MessageWithOffset) {
    std::string error;
    EXPECT_EQ(Regex::compile("(a", &error), nullptr);
    EXPECT_NE(error.find("missing closing parenthesis"), std::string::npos) << error;
    EXPECT_NE(error.find("offset 2"), std::string::npos) << error;
    EXPECT_EQ(Regex::compile("a**", nullptr), nullptr);
    error.clear();
    EXPECT_EQ(Regex::compile("[z-a]", &error), nullptr);
    EXPECT_FALSE(error.empty());
}

TEST(RegexTest, SharedAcrossThreads) {
    auto rx = mustCompile("(\\d+)-\\1");
    std::vector<std::thread> threads;
    std::vector<int> ok(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                std::string s = std::to_string(i) + "-" + std::to_string(i);
                if (rx->fullMatch(s) && !rx->fullMatch(s + "1")) ++ok[static_cast<size_t>(t)];
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int n : ok) EXPECT_EQ(n, 2000);
}

}  // namespace
}  // namespace mockd::match
