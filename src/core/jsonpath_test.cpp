// Tests for the JSONPath evaluator behind mockd's bodyJsonPath matcher, mostly against Goessner's
// classic "store" document so expected results can be checked by hand.
#include "core/jsonpath.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace mockd::core {
namespace {

using nlohmann::json;

json storeDocument() {
    return json::parse(R"({
        "store": {
            "book": [
                {"category": "reference", "author": "Nigel Rees",
                 "title": "Sayings of the Century", "price": 8.95},
                {"category": "fiction", "author": "Evelyn Waugh",
                 "title": "Sword of Honour", "price": 12.99},
                {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick",
                 "isbn": "0-553-21311-3", "price": 8.99},
                {"category": "fiction", "author": "J. R. R. Tolkien",
                 "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99}
            ],
            "bicycle": {"color": "red", "price": 19.95}
        },
        "expensive": 10
    })");
}

const json kSayings = "Sayings of the Century";
const json kSword = "Sword of Honour";
const json kMoby = "Moby Dick";
const json kLord = "The Lord of the Rings";

// Evaluates `expr` on `doc` and returns copies of the selected values, in order.
json select(const json& doc, std::string_view expr) {
    std::string error;
    const std::optional<JsonPath> path = JsonPath::compile(expr, &error);
    EXPECT_TRUE(path.has_value()) << "compiling " << expr << ": " << error;
    json result = json::array();
    if (!path) return result;
    std::vector<const json*> nodes;
    path->evaluate(doc, nodes);
    for (const json* node : nodes) result.push_back(*node);
    return result;
}

std::size_t count(const json& doc, std::string_view expr) {
    const std::optional<JsonPath> path = JsonPath::compile(expr);
    EXPECT_TRUE(path.has_value()) << "compiling " << expr;
    if (!path) return 0;
    std::vector<const json*> nodes;
    path->evaluate(doc, nodes);
    return nodes.size();
}

// Returns the compile error for `expr`, failing the test if it compiles.
std::string compileError(std::string_view expr) {
    std::string error;
    const std::optional<JsonPath> path = JsonPath::compile(expr, &error);
    EXPECT_FALSE(path.has_value()) << expr << " should not compile";
    return error;
}

class JsonPathStoreTest : public testing::Test {
  protected:
    const json doc_ = storeDocument();
};

using JsonPathChildTest = JsonPathStoreTest;
using JsonPathWildcardTest = JsonPathStoreTest;
using JsonPathIndexTest = JsonPathStoreTest;
using JsonPathSliceTest = JsonPathStoreTest;
using JsonPathDescentTest = JsonPathStoreTest;
using JsonPathFilterTest = JsonPathStoreTest;

// ---- Compilation -------------------------------------------------------------------------------

TEST(JsonPathDialectTest, OjgFiltersTheMembersOfAnObjectJaywayTheObjectItself) {
    const json doc = json::parse(R"({"n":2,"inner":{"n":2}})");
    std::vector<const json*> nodes;
    JsonPath::compile("$[?(@.n == 2)]")->evaluate(doc, nodes);
    ASSERT_EQ(nodes.size(), 1u);
    EXPECT_EQ(nodes[0], &doc["inner"]);
    nodes.clear();
    JsonPath::compile("$[?(@.n == 2)]", nullptr, JsonPath::Dialect::Jayway)->evaluate(doc, nodes);
    ASSERT_EQ(nodes.size(), 1u);
    EXPECT_EQ(nodes[0], &doc);
    // Arrays are filtered element by element in both.
    const json list = json::parse(R"([{"n":1},{"n":2}])");
    nodes.clear();
    JsonPath::compile("$[?(@.n == 2)]", nullptr, JsonPath::Dialect::Jayway)->evaluate(list, nodes);
    ASSERT_EQ(nodes.size(), 1u);
    EXPECT_EQ(nodes[0], &list[1]);
}

TEST(JsonPathCompileTest, KeepsTextAndCopiesShareBehaviour) {
    const std::optional<JsonPath> path = JsonPath::compile("$.store.bicycle.color");
    ASSERT_TRUE(path.has_value());
    EXPECT_EQ(path->text(), "$.store.bicycle.color");
    const JsonPath copy = *path;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_EQ(copy.text(), "$.store.bicycle.color");
    const json doc = storeDocument();
    std::vector<const json*> nodes;
    copy.evaluate(doc, nodes);
    ASSERT_EQ(nodes.size(), 1u);
    EXPECT_EQ(nodes[0], &doc["store"]["bicycle"]["color"]);
}

TEST(JsonPathCompileTest, EmptyExpressionFails) {
    EXPECT_NE(compileError("").find("empty"), std::string::npos);
    EXPECT_NE(compileError("   ").find("empty"), std::string::npos);
}

TEST(JsonPathCompileTest, DanglingDotFailsNamingPosition) {
    EXPECT_EQ(compileError("$."),
              "expected a member name or '*' after '.' but found end of "
              "expression at position 2");
}

TEST(JsonPathCompileTest, OpenBracketFailsNamingPosition) {
    EXPECT_EQ(compileError("$["), "expected a selector but found end of expression at position 2");
    EXPECT_EQ(compileError("$.a[0"), "unclosed '[' at position 3");
    EXPECT_EQ(compileError("$.a[0 1]"), "expected ',' or ']' but found '1' at position 6");
}

TEST(JsonPathCompileTest, IncompleteComparisonFailsNamingPosition) {
    EXPECT_EQ(compileError("$[?(@.a ==]"), "expected a value but found ']' at position 10");
}

TEST(JsonPathCompileTest, UnbalancedQuotesFail) {
    EXPECT_EQ(compileError("$['a]"), "unterminated string at position 2");
    EXPECT_EQ(compileError("$[\"a]"), "unterminated string at position 2");
    EXPECT_EQ(compileError("$['a\"]"), "unterminated string at position 2");
    EXPECT_EQ(compileError("$[?(@.a == 'x)]"), "unterminated string at position 11");
    EXPECT_EQ(compileError("$['a\\']"), "unterminated string at position 2");
}

TEST(JsonPathCompileTest, RejectsMalformedExpressions) {
    const char* const kMalformed[] = {
        "$..",
        "$...a",
        "$.a[",
        "$.a[0",
        "$.a[0,]",
        "$.a[]",
        "$[-]",
        "$[1:2:3:4]",
        "$[a]",
        "$[?()]",
        "$[?]",
        "$[?(@.a == 1]",
        "$[?(@.a = 1)]",
        "$[?(@.a == bogus)]",
        "$[?(@.a =~ /x/q)]",
        "$[?(@.a =~ /x)]",
        "$[?(@.a =~ /(/)]",
        "$[?(@.a =~ 5)]",
        "$[?(@.a == /x/)]",
        "$[?(@.a && )]",
        "$[?(@.a == 1e999)]",
        "$[9223372036854775808]",
        "$['\\u12']",
        "$['\\ud800']",
        "$.a)",
        "$ $",
        "$.a b",
        "?",
        "'a'",
    };
    for (const char* expr : kMalformed) {
        SCOPED_TRACE(expr);
        const std::string error = compileError(expr);
        EXPECT_NE(error.find(" at position "), std::string::npos) << error;
    }
}

TEST(JsonPathCompileTest, NullErrorPointerIsAllowed) {
    EXPECT_FALSE(JsonPath::compile("$[", nullptr).has_value());
    EXPECT_TRUE(JsonPath::compile("$.a", nullptr).has_value());
}

TEST(JsonPathCompileTest, SurroundingWhitespaceIsIgnored) {
    EXPECT_EQ(select(json{{"a", 1}}, "  $.a \n"), json::array({1}));
}

TEST(JsonPathCompileTest, DeepExpressionNestingIsRejectedNotOverflowed) {
    const std::string parens =
        "$[?" + std::string(10000, '(') + "@.a" + std::string(10000, ')') + "]";
    EXPECT_NE(compileError(parens).find("nested too deeply"), std::string::npos);
    const std::string nots = "$[?" + std::string(10000, '!') + "@.a]";
    EXPECT_NE(compileError(nots).find("nested too deeply"), std::string::npos);
    std::string filters = "$";
    for (int i = 0; i < 10000; ++i) filters += "[?@";
    EXPECT_NE(compileError(filters).find("nested too deeply"), std::string::npos);

    const std::string reasonable =
        "$[?" + std::string(60, '(') + "@.a" + std::string(60, ')') + "]";
    EXPECT_EQ(select(json::array({json{{"a", 1}}, json{{"b", 2}}}), reasonable),
              json::array({json{{"a", 1}}}));
}

TEST(JsonPathCompileTest, LongOperatorChainsCompileAndEvaluate) {
    std::string expr = "$[?(@ == -1";
    for (int i = 0; i < 5000; ++i) expr += " || @ == " + std::to_string(i);
    expr += ")]";
    EXPECT_EQ(select(json::array({4999, 5000, 7}), expr), json::array({4999, 7}));
}

// ---- Children --------------------------------------------------------------------------------

TEST_F(JsonPathChildTest, RootSelectsTheDocument) {
    std::vector<const json*> nodes;
    JsonPath::compile("$")->evaluate(doc_, nodes);
    ASSERT_EQ(nodes.size(), 1u);
    EXPECT_EQ(nodes[0], &doc_);
}

TEST_F(JsonPathChildTest, DotNotation) {
    EXPECT_EQ(select(doc_, "$.store.bicycle.color"), json::array({"red"}));
    EXPECT_EQ(select(doc_, "$.expensive"), json::array({10}));
}

TEST_F(JsonPathChildTest, BracketNotationWithBothQuotes) {
    EXPECT_EQ(select(doc_, "$['store']['bicycle']['color']"), json::array({"red"}));
    EXPECT_EQ(select(doc_, R"($["store"]["bicycle"]["color"])"), json::array({"red"}));
    EXPECT_EQ(select(doc_, "$[ 'store' ].bicycle[\"price\"]"), json::array({19.95}));
}

TEST_F(JsonPathChildTest, MultipleNamesInBrackets) {
    EXPECT_EQ(select(doc_, "$.store.bicycle['color','price']"), json::array({"red", 19.95}));
    EXPECT_EQ(select(doc_, "$.store.bicycle['price', \"color\", 'none']"),
              json::array({19.95, "red"}));
}

TEST_F(JsonPathChildTest, ImplicitRoot) {
    EXPECT_EQ(select(doc_, "store.bicycle.color"), json::array({"red"}));
    EXPECT_EQ(select(doc_, "@.store.bicycle.color"), json::array({"red"}));
    EXPECT_EQ(select(doc_, ".store.bicycle.color"), json::array({"red"}));
    EXPECT_EQ(select(doc_, "['store'].bicycle.color"), json::array({"red"}));
    EXPECT_EQ(select(doc_, "expensive"), json::array({10}));
    EXPECT_EQ(count(doc_, "*"), 2u);
}

TEST_F(JsonPathChildTest, MissingMembersSelectNothing) {
    EXPECT_EQ(select(doc_, "$.store.nothing"), json::array());
    EXPECT_EQ(select(doc_, "$.nothing.deeper.still"), json::array());
    EXPECT_EQ(select(doc_, "$.store.book.title"), json::array());  // A name on an array.
    EXPECT_EQ(select(doc_, "$.expensive.value"), json::array());   // A name on a number.
}

TEST(JsonPathChildNamesTest, QuotedNamesHonourEscapes) {
    const json doc = json::parse(R"({"it's": 1, "a\"b": 2, "x.y": 3, "\u00fcn\u00ef": 4,
                                     "tab\there": 5, "\ud83d\ude00": 6, "back\\slash": 7,
                                     "\\d": 8})");
    EXPECT_EQ(select(doc, R"($['it\'s'])"), json::array({1}));
    EXPECT_EQ(select(doc, R"($["it's"])"), json::array({1}));
    EXPECT_EQ(select(doc, R"($["a\"b"])"), json::array({2}));
    EXPECT_EQ(select(doc, R"($['a"b'])"), json::array({2}));
    EXPECT_EQ(select(doc, "$['x.y']"), json::array({3}));
    EXPECT_EQ(select(doc, R"($['\u00fcn\u00EF'])"), json::array({4}));
    EXPECT_EQ(select(doc, "$['\xC3\xBCn\xC3\xAF']"), json::array({4}));
    EXPECT_EQ(select(doc, R"($["tab\there"])"), json::array({5}));
    EXPECT_EQ(select(doc, R"($['\ud83d\ude00'])"), json::array({6}));
    EXPECT_EQ(select(doc, R"($['back\\slash'])"), json::array({7}));
    EXPECT_EQ(select(doc, R"($['\d'])"), json::array({8}));  // Unknown escapes stay verbatim.
}

TEST(JsonPathChildNamesTest, DotNamesAcceptCommonKeyCharacters) {
    const json doc = json::parse(
        R"({"content-type": 1, "$ref": 2, "@id": 3, "caf\u00e9": 4, "a:b": 5, "0": 6})");
    EXPECT_EQ(select(doc, "$.content-type"), json::array({1}));
    EXPECT_EQ(select(doc, "$.$ref"), json::array({2}));
    EXPECT_EQ(select(doc, "$.@id"), json::array({3}));
    EXPECT_EQ(select(doc, "$.caf\xC3\xA9"), json::array({4}));
    EXPECT_EQ(select(doc, "$.a:b"), json::array({5}));
    EXPECT_EQ(select(doc, "$.0"), json::array({6}));
}

TEST_F(JsonPathChildTest, EvaluateAppendsPointersIntoTheDocument) {
    const std::optional<JsonPath> path = JsonPath::compile("$.store.bicycle");
    ASSERT_TRUE(path.has_value());
    std::vector<const json*> nodes{&doc_};
    path->evaluate(doc_, nodes);
    ASSERT_EQ(nodes.size(), 2u);
    EXPECT_EQ(nodes[0], &doc_);
    EXPECT_EQ(nodes[1], &doc_["store"]["bicycle"]);
}

// ---- Wildcards -------------------------------------------------------------------------------

TEST_F(JsonPathWildcardTest, BracketWildcardOnArray) {
    EXPECT_EQ(select(doc_, "$.store.book[*].author"),
              json::array({"Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"}));
}

TEST_F(JsonPathWildcardTest, DotWildcardOnArrayAndObject) {
    EXPECT_EQ(select(doc_, "$.store.book.*.title"), json::array({kSayings, kSword, kMoby, kLord}));
    // nlohmann::json keeps object keys sorted.
    EXPECT_EQ(select(doc_, "$.store.bicycle.*"), json::array({"red", 19.95}));
    EXPECT_EQ(select(doc_, "$.store['bicycle'][*]"), json::array({"red", 19.95}));
    const json store = select(doc_, "$.store.*");
    ASSERT_EQ(store.size(), 2u);
    EXPECT_EQ(store[0], doc_["store"]["bicycle"]);
    EXPECT_EQ(store[1], doc_["store"]["book"]);
}

TEST_F(JsonPathWildcardTest, WildcardOnScalarsSelectsNothing) {
    EXPECT_EQ(select(doc_, "$.expensive.*"), json::array());
    EXPECT_EQ(select(doc_, "$.expensive[*]"), json::array());
    EXPECT_EQ(select(json(nullptr), "$[*]"), json::array());
    EXPECT_EQ(select(json::array(), "$[*]"), json::array());
}

// ---- Indexes ---------------------------------------------------------------------------------

TEST_F(JsonPathIndexTest, PositiveAndNegativeIndexes) {
    EXPECT_EQ(select(doc_, "$.store.book[0].title"), json::array({kSayings}));
    EXPECT_EQ(select(doc_, "$.store.book[2].title"), json::array({kMoby}));
    EXPECT_EQ(select(doc_, "$.store.book[-1].title"), json::array({kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[-4].title"), json::array({kSayings}));
    EXPECT_EQ(select(doc_, "$.store.book[ 1 ].title"), json::array({kSword}));
}

TEST_F(JsonPathIndexTest, OutOfRangeIndexesSelectNothing) {
    EXPECT_EQ(select(doc_, "$.store.book[4]"), json::array());
    EXPECT_EQ(select(doc_, "$.store.book[-5]"), json::array());
    EXPECT_EQ(select(doc_, "$.store.book[99999999999]"), json::array());
    EXPECT_EQ(select(doc_, "$.store.book[9223372036854775807]"), json::array());
    EXPECT_EQ(select(doc_, "$.store.book[-9223372036854775808]"), json::array());
    EXPECT_EQ(select(json::array(), "$[0]"), json::array());
    EXPECT_EQ(select(json::array(), "$[-1]"), json::array());
}

TEST_F(JsonPathIndexTest, IndexOnNonArraySelectsNothing) {
    EXPECT_EQ(select(doc_, "$.store.bicycle[0]"), json::array());
    EXPECT_EQ(select(doc_, "$.expensive[0]"), json::array());
    EXPECT_EQ(select(json("text"), "$[0]"), json::array());
}

TEST_F(JsonPathIndexTest, UnionsKeepTheirOrderAndDuplicates) {
    EXPECT_EQ(select(doc_, "$.store.book[0,2].title"), json::array({kSayings, kMoby}));
    EXPECT_EQ(select(doc_, "$.store.book[2, 0].title"), json::array({kMoby, kSayings}));
    EXPECT_EQ(select(doc_, "$.store.book[0,-1,7].title"), json::array({kSayings, kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[1,1].title"), json::array({kSword, kSword}));
    EXPECT_EQ(select(doc_, "$.store.book[0, 2:].title"), json::array({kSayings, kMoby, kLord}));
}

// ---- Slices ----------------------------------------------------------------------------------

TEST_F(JsonPathSliceTest, SlicesOfTheBooks) {
    EXPECT_EQ(select(doc_, "$.store.book[0:2].title"), json::array({kSayings, kSword}));
    EXPECT_EQ(select(doc_, "$.store.book[:2].title"), json::array({kSayings, kSword}));
    EXPECT_EQ(select(doc_, "$.store.book[-2:].title"), json::array({kMoby, kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[1:3].title"), json::array({kSword, kMoby}));
    EXPECT_EQ(select(doc_, "$.store.book[ 1 : 3 ].title"), json::array({kSword, kMoby}));
    EXPECT_EQ(select(doc_, "$.store.bicycle[0:1]"), json::array());
}

TEST(JsonPathSliceSemanticsTest, FollowsPython) {
    const json digits = json::array({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    EXPECT_EQ(select(digits, "$[:]"), digits);
    EXPECT_EQ(select(digits, "$[::2]"), json::array({0, 2, 4, 6, 8}));
    EXPECT_EQ(select(digits, "$[1:9:3]"), json::array({1, 4, 7}));
    EXPECT_EQ(select(digits, "$[::-1]"), json::array({9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
    EXPECT_EQ(select(digits, "$[::-3]"), json::array({9, 6, 3, 0}));
    EXPECT_EQ(select(digits, "$[8:2:-2]"), json::array({8, 6, 4}));
    EXPECT_EQ(select(digits, "$[-3:]"), json::array({7, 8, 9}));
    EXPECT_EQ(select(digits, "$[:-7]"), json::array({0, 1, 2}));
    EXPECT_EQ(select(digits, "$[-2:-5:-1]"), json::array({8, 7, 6}));
    EXPECT_EQ(select(digits, "$[5:2]"), json::array());
    EXPECT_EQ(select(digits, "$[2:5:-1]"), json::array());
    EXPECT_EQ(select(digits, "$[::0]"), json::array());
    EXPECT_EQ(select(digits, "$[100:]"), json::array());
    EXPECT_EQ(select(digits, "$[-100:100]"), digits);
    EXPECT_EQ(select(digits, "$[100:-100:-4]"), json::array({9, 5, 1}));
}

TEST(JsonPathSliceSemanticsTest, ExtremeBoundsDoNotOverflow) {
    const json digits = json::array({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    EXPECT_EQ(select(digits, "$[-9223372036854775808:9223372036854775807]"), digits);
    EXPECT_EQ(select(digits, "$[0:10:9223372036854775807]"), json::array({0}));
    EXPECT_EQ(select(digits, "$[9:0:-9223372036854775808]"), json::array({9}));
    EXPECT_EQ(select(digits, "$[9223372036854775807:-9223372036854775808:-1]").size(), 10u);
    EXPECT_EQ(select(json::array(), "$[::-1]"), json::array());
    EXPECT_EQ(select(json::array(), "$[:]"), json::array());
}

// ---- Recursive descent -----------------------------------------------------------------------

TEST_F(JsonPathDescentTest, DescendantNames) {
    EXPECT_EQ(select(doc_, "$..author"),
              json::array({"Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"}));
    // Pre-order, members in nlohmann's sorted key order: "bicycle" comes before "book".
    EXPECT_EQ(select(doc_, "$.store..price"), json::array({19.95, 8.95, 12.99, 8.99, 22.99}));
    EXPECT_EQ(select(doc_, "$..book[2].title"), json::array({kMoby}));
    EXPECT_EQ(select(doc_, "$..book[-1:].title"), json::array({kLord}));
    EXPECT_EQ(select(doc_, "$..nothing"), json::array());
}

TEST_F(JsonPathDescentTest, DescendantWildcardSelectsEveryNodeBelowTheStart) {
    // 2 at the root, 2 in store, 4 books, 18 book members and 2 bicycle members.
    EXPECT_EQ(count(doc_, "$..*"), 28u);
    EXPECT_EQ(count(doc_, "$..[*]"), 28u);
    EXPECT_EQ(select(doc_, "$.store.bicycle..*"), json::array({"red", 19.95}));
    EXPECT_EQ(select(json(5), "$..*"), json::array());
}

TEST_F(JsonPathDescentTest, DescendantBrackets) {
    EXPECT_EQ(select(doc_, "$..[0].author"), json::array({"Nigel Rees"}));
    EXPECT_EQ(select(doc_, "$..['color','isbn']"),
              json::array({"red", "0-553-21311-3", "0-395-19395-8"}));
    EXPECT_EQ(select(json::parse("[[1, 2], [3, [4, 5]]]"), "$..[0]"),
              json::array({json::array({1, 2}), 1, 3, 4}));
}

TEST_F(JsonPathDescentTest, DescendantFilter) {
    // The store's bicycle member and the last book; the filter sees object member values too.
    EXPECT_EQ(select(doc_, "$..[?(@.price > 19)].price"), json::array({19.95, 22.99}));
    EXPECT_EQ(select(doc_, "$..[?(@.isbn)].title"), json::array({kMoby, kLord}));
}

// ---- Filters ---------------------------------------------------------------------------------

TEST_F(JsonPathFilterTest, ComparisonOperators) {
    EXPECT_EQ(select(doc_, "$.store.book[?(@.price < 10)].title"), json::array({kSayings, kMoby}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.price <= 8.99)].title"),
              json::array({kSayings, kMoby}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.price > 20)].title"), json::array({kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.price >= 12.99)].title"),
              json::array({kSword, kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.price == 8.95)].title"), json::array({kSayings}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.price != 8.95)].title"),
              json::array({kSword, kMoby, kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.price<10)].title"), json::array({kSayings, kMoby}));
    EXPECT_EQ(select(doc_, "$.store.book[?( 10 > @.price )].title"),
              json::array({kSayings, kMoby}));
}

TEST_F(JsonPathFilterTest, FilterWithoutParentheses) {
    EXPECT_EQ(select(doc_, "$.store.book[?@.isbn].title"), json::array({kMoby, kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[?@.price < 10 && @.isbn].title"), json::array({kMoby}));
    EXPECT_EQ(select(doc_, "$.store.book[0, ?@.price > 20].title"), json::array({kSayings, kLord}));
}

TEST_F(JsonPathFilterTest, ExistenceAndNegation) {
    EXPECT_EQ(select(doc_, "$.store.book[?(@.isbn)].title"), json::array({kMoby, kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[?(!@.isbn)].title"), json::array({kSayings, kSword}));
    EXPECT_EQ(select(doc_, "$.store.book[?(!(@.price < 10))].title"), json::array({kSword, kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[?(!!@.isbn)].title"), json::array({kMoby, kLord}));
    // Existence, not truthiness: false and null members exist.
    EXPECT_EQ(select(json::parse(R"([{"f": false}, {"f": null}, {"g": 1}])"), "$[?(@.f)]"),
              json::parse(R"([{"f": false}, {"f": null}])"));
}

TEST_F(JsonPathFilterTest, LogicalOperatorsAndPrecedence) {
    EXPECT_EQ(select(doc_, "$.store.book[?(@.category == 'fiction' && @.price < 10)].title"),
              json::array({kMoby}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.price < 9 || @.price > 20)].title"),
              json::array({kSayings, kMoby, kLord}));
    // && binds tighter than ||.
    EXPECT_EQ(select(doc_, "$.store.book[?(@.price < 9 || @.isbn && @.price > 20)].title"),
              json::array({kSayings, kMoby, kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[?((@.price < 9 || @.isbn) && @.price > 20)].title"),
              json::array({kLord}));
    EXPECT_EQ(select(doc_,
                     "$.store.book[?(@.category == 'reference' || (@.isbn && @.price > 20))]"
                     ".title"),
              json::array({kSayings, kLord}));
}

TEST_F(JsonPathFilterTest, StringLiterals) {
    EXPECT_EQ(select(doc_, "$.store.book[?(@.author == \"Herman Melville\")].title"),
              json::array({kMoby}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.title == 'Sword of Honour')].price"),
              json::array({12.99}));
    EXPECT_EQ(select(json::parse(R"([{"q": "it's"}, {"q": "its"}])"), R"($[?(@.q == 'it\'s')])"),
              json::parse(R"([{"q": "it's"}])"));
    // Strings order lexicographically (bytewise).
    EXPECT_EQ(select(doc_, "$.store.book[?(@.author < 'I')].author"),
              json::array({"Evelyn Waugh", "Herman Melville"}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.category >= 'g')].category"),
              json::array({"reference"}));
}

TEST(JsonPathFilterLiteralTest, NumbersBooleansAndNull) {
    const json values = json::parse(R"([5, 10, 15, 10.0, "20", true, null, -2.5e1])");
    EXPECT_EQ(select(values, "$[?(@ > 10)]"), json::array({15}));
    EXPECT_EQ(select(values, "$[?(@ == 10)]"), json::parse("[10, 10.0]"));
    EXPECT_EQ(select(values, "$[?(@ < -20)]"), json::parse("[-25.0]"));
    EXPECT_EQ(select(values, "$[?(@ == -25)]"), json::parse("[-25.0]"));
    EXPECT_EQ(select(values, "$[?(@ == -2.5E+1)]"), json::parse("[-25.0]"));

    const json flags = json::parse(R"([{"f": true}, {"f": false}, {"f": null}, {}])");
    EXPECT_EQ(select(flags, "$[?(@.f == true)]"), json::parse(R"([{"f": true}])"));
    EXPECT_EQ(select(flags, "$[?(@.f == false)]"), json::parse(R"([{"f": false}])"));
    EXPECT_EQ(select(flags, "$[?(@.f == null)]"), json::parse(R"([{"f": null}])"));
    EXPECT_EQ(select(flags, "$[?(@.f != null)]"), json::parse(R"([{"f": true}, {"f": false}])"));
    EXPECT_EQ(select(flags, "$[?(true)]").size(), 4u);
    EXPECT_EQ(select(flags, "$[?(false)]"), json::array());
}

TEST(JsonPathFilterLiteralTest, IntegerAndFloatCompareNumerically) {
    const json doc = json::parse(R"([{"a": 1}, {"a": 1.0}, {"a": "1"}, {"a": true}])");
    EXPECT_EQ(select(doc, "$[?(@.a == 1)]"), json::parse(R"([{"a": 1}, {"a": 1.0}])"));
    EXPECT_EQ(select(doc, "$[?(@.a == 1.0)]"), json::parse(R"([{"a": 1}, {"a": 1.0}])"));
    EXPECT_EQ(select(json::parse(R"({"a": 1, "b": 1.0})"), "$[?(@ == $.b)]").size(), 2u);
    // Unsigned values beyond int64 still order correctly against negative numbers.
    const json big = json::parse(R"([{"a": 18446744073709551615}, {"a": -1}, {"a": 0.5}])");
    EXPECT_EQ(select(big, "$[?(@.a > -1)]"),
              json::parse(R"([{"a": 18446744073709551615}, {"a": 0.5}])"));
    EXPECT_EQ(select(big, "$[?(@.a == 18446744073709551615)].a").size(), 1u);
    EXPECT_EQ(select(big, "$[?(@.a < 0)]"), json::parse(R"([{"a": -1}])"));
}

TEST(JsonPathFilterLiteralTest, DifferentTypesAreNeverEqualOrOrdered) {
    const json doc = json::parse(R"([{"a": 1}, {"a": "1"}, {"a": true}, {"a": null}, {"a": [1]}])");
    EXPECT_EQ(select(doc, "$[?(@.a == '1')]"), json::parse(R"([{"a": "1"}])"));
    EXPECT_EQ(select(doc, "$[?(@.a < '2')]"), json::parse(R"([{"a": "1"}])"));
    EXPECT_EQ(select(doc, "$[?(@.a < 2)]"), json::parse(R"([{"a": 1}])"));
    EXPECT_EQ(select(doc, "$[?(@.a != 1)]").size(), 4u);
    EXPECT_EQ(select(doc, "$[?(@.a <= null)]"), json::parse(R"([{"a": null}])"));
}

TEST_F(JsonPathFilterTest, MissingSideMakesComparisonFalse) {
    EXPECT_EQ(select(doc_, "$.store.book[?(@.isbn != 'x')].title"), json::array({kMoby, kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.nothing == @.nothing)]"), json::array());
    EXPECT_EQ(select(doc_, "$.store.book[?(@.nothing != 1)]"), json::array());
    EXPECT_EQ(select(doc_, "$.store.book[?(@.price < $.nothing)]"), json::array());
    EXPECT_EQ(select(doc_, "$.store.book[?(!(@.nothing == 1))]").size(), 4u);
}

TEST_F(JsonPathFilterTest, AbsolutePathsInsideFilters) {
    EXPECT_EQ(select(doc_, "$.store.book[?(@.price > $.expensive)].title"),
              json::array({kSword, kLord}));
    EXPECT_EQ(select(doc_, "$..book[?(@.price > $['store']['bicycle'].price)].title"),
              json::array({kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[?($.expensive)].title").size(), 4u);
}

TEST(JsonPathFilterPathTest, NestedRelativePaths) {
    const json doc = json::parse(R"([{"a": {"b": 1}}, {"a": {"b": 2}}, {"a": [5, 6]},
                                     {"x y": 3}, {"a": {"b": {"c": "deep"}}}])");
    EXPECT_EQ(select(doc, "$[?(@.a.b == 2)]"), json::parse(R"([{"a": {"b": 2}}])"));
    EXPECT_EQ(select(doc, "$[?(@['x y'] == 3)]"), json::parse(R"([{"x y": 3}])"));
    EXPECT_EQ(select(doc, "$[?(@.a[0] == 5)]"), json::parse(R"([{"a": [5, 6]}])"));
    EXPECT_EQ(select(doc, "$[?(@.a[-1] == 6)]"), json::parse(R"([{"a": [5, 6]}])"));
    EXPECT_EQ(select(doc, "$[?(@..c == 'deep')]"), json::parse(R"([{"a": {"b": {"c": "deep"}}}])"));
    EXPECT_EQ(select(doc, "$[?(@.a.b)]").size(), 3u);
}

TEST(JsonPathFilterPathTest, MultiNodeSidesMatchIfAnyPairMatches) {
    const json doc = json::parse(R"([{"tags": ["a", "b"]}, {"tags": ["c"]}, {"tags": []}])");
    EXPECT_EQ(select(doc, "$[?(@.tags[*] == 'b')]"), json::parse(R"([{"tags": ["a", "b"]}])"));
    EXPECT_EQ(select(doc, "$[?(@.tags[?(@ == 'c')])]"), json::parse(R"([{"tags": ["c"]}])"));
}

TEST(JsonPathFilterPathTest, StructuredValuesCompareDeeply) {
    const json doc = json::parse(R"([{"a": [1, {"x": 2}], "b": [1.0, {"x": 2}]},
                                     {"a": [1], "b": [2]},
                                     {"a": {"k": 1}, "b": {"k": 1, "j": 2}},
                                     {"a": {"k": [true]}, "b": {"k": [true]}}])");
    EXPECT_EQ(select(doc, "$[?(@.a == @.b)]"), json::parse(R"([{"a": [1, {"x": 2}],
                                                               "b": [1.0, {"x": 2}]},
                                                              {"a": {"k": [true]},
                                                               "b": {"k": [true]}}])"));
    EXPECT_EQ(select(doc, "$[?(@.a < @.b)]"), json::array());
}

TEST_F(JsonPathFilterTest, FilterOnObjectsAppliesToMemberValues) {
    EXPECT_EQ(select(doc_, "$.store[?(@.color)]"), json::array({doc_["store"]["bicycle"]}));
    EXPECT_EQ(select(doc_, "$.store.bicycle[?(@ == 'red')]"), json::array({"red"}));
    EXPECT_EQ(select(doc_, "$[?(@ == 10)]"), json::array({10}));
}

TEST_F(JsonPathFilterTest, FilterOnScalarsSelectsNothing) {
    EXPECT_EQ(select(doc_, "$.expensive[?(@ == 10)]"), json::array());
    EXPECT_EQ(select(doc_, "$.store.bicycle.color[?(@)]"), json::array());
    EXPECT_EQ(select(json(nullptr), "$[?(@ == null)]"), json::array());
}

TEST_F(JsonPathFilterTest, RegularExpressions) {
    EXPECT_EQ(select(doc_, "$.store.book[?(@.author =~ /Tolk/)].title"), json::array({kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.author =~ /^herman/i)].title"), json::array({kMoby}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.author =~ /^herman/)].title"), json::array());
    EXPECT_EQ(select(doc_, R"($.store.book[?(@.isbn =~ /^0-\d{3}-/)].title)"),
              json::array({kMoby, kLord}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.author =~ 'Melv')].title"), json::array({kMoby}));
    EXPECT_EQ(select(doc_, "$.store.book[?(@.author=~/Rees$/)].title"), json::array({kSayings}));
    // Only strings match; numbers are not converted.
    EXPECT_EQ(select(doc_, "$.store.book[?(@.price =~ /8/)]"), json::array());
    EXPECT_EQ(select(json::parse(R"([{"p": "a/b"}, {"p": "ab"}])"), R"($[?(@.p =~ /a\/b/)])"),
              json::parse(R"([{"p": "a/b"}])"));
    EXPECT_EQ(select(json::parse(R"(["a\nb", "ab"])"), "$[?(@ =~ /a.b/s)]"), json::array({"a\nb"}));
}

// ---- Robustness ------------------------------------------------------------------------------

// {"x": depth - 1, "child": {"x": depth - 2, "child": ... {"x": 0}}}, built without recursion.
json deepObjects(int depth) {
    json doc = {{"x", 0}};
    for (int i = 1; i < depth; ++i) {
        json outer = json::object();
        outer["x"] = i;
        outer["child"] = std::move(doc);
        doc = std::move(outer);
    }
    return doc;
}

TEST(JsonPathRobustnessTest, TenThousandLevelsDeepDescentDoesNotCrash) {
    const json doc = deepObjects(10000);
    std::vector<const json*> nodes;
    JsonPath::compile("$..x")->evaluate(doc, nodes);
    ASSERT_EQ(nodes.size(), 10000u);
    EXPECT_EQ(*nodes.front(), 9999);
    EXPECT_EQ(*nodes.back(), 0);
    EXPECT_EQ(count(doc, "$..*"), 19999u);
    EXPECT_EQ(count(doc, "$..[?(@.x == 5)].x"), 1u);
    EXPECT_EQ(count(doc, "$..child[?(@ < 3)]"), 3u);  // The "x" members of the innermost three.
}

TEST(JsonPathRobustnessTest, TenThousandLevelsDeepArraysDoNotCrash) {
    json doc = json::array({"leaf"});
    for (int i = 1; i < 10000; ++i) doc = json::array({std::move(doc)});
    EXPECT_EQ(count(doc, "$..[0]"), 10000u);
    EXPECT_EQ(count(doc, "$..[?(@ == 'leaf')]"), 1u);
}

TEST(JsonPathRobustnessTest, DeepEqualityDoesNotRecurse) {
    json doc = json::array();
    doc.push_back(json{{"a", deepObjects(10000)}, {"b", deepObjects(10000)}});
    json different = json{{"a", deepObjects(10000)}, {"b", deepObjects(9999)}};
    doc.push_back(std::move(different));
    std::vector<const json*> nodes;
    JsonPath::compile("$[?(@.a == @.b)]")->evaluate(doc, nodes);
    ASSERT_EQ(nodes.size(), 1u);
    EXPECT_EQ(nodes[0], &doc[0]);
}

TEST(JsonPathRobustnessTest, RunawayWorkIsCutOffAndSelectsNothing) {
    const json doc = deepObjects(3000);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(count(doc, "$..*..*..*"), 0u);  // Would be billions of nodes.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
    EXPECT_EQ(count(doc, "$..x"), 3000u);  // The same document is fine with a sane path.
}

TEST(JsonPathRobustnessTest, OddRoots) {
    EXPECT_EQ(select(json(nullptr), "$"), json::array({nullptr}));
    EXPECT_EQ(select(json(5), "$.a"), json::array());
    EXPECT_EQ(select(json("str"), "$[0:1]"), json::array());
    EXPECT_EQ(select(json::object(), "$..a"), json::array());
    EXPECT_EQ(select(json(nlohmann::json::value_t::discarded), "$..a[?(@ == 1)]"), json::array());
}

TEST(JsonPathRobustnessTest, MovedFromPathSelectsNothing) {
    std::optional<JsonPath> path = JsonPath::compile("$.a");
    ASSERT_TRUE(path.has_value());
    const JsonPath moved = std::move(*path);
    const json doc = {{"a", 1}};
    std::vector<const json*> nodes;
    path->evaluate(doc, nodes);  // NOLINT(bugprone-use-after-move): the point of the test.
    EXPECT_TRUE(nodes.empty());
    moved.evaluate(doc, nodes);
    EXPECT_EQ(nodes.size(), 1u);
}

TEST(JsonPathRobustnessTest, RandomExpressionsNeverThrowOrCrash) {
    const std::vector<std::string> tokens = {
        "$",     "@",    ".",     "..",   "[",   "]",   "(",   ")",    "?",
        "*",     "'a'",  "\"b\"", "a",    "0",   "-1",  ":",   ",",    "==",
        "!=",    "<",    "<=",    ">=",   "=~",  "/x/", "&&",  "||",   "!",
        " ",     "1.5",  "true",  "null", "\\",  "'",   "\"",  "/",    "=",
        "price", "book", "[?(",   "@.",   "$..", "[0]", "[*]", "\xff", std::string(1, '\0'),
        "1e3"};
    const json doc = storeDocument();
    std::mt19937 random(12345);
    int compiled = 0;
    int rejected = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string expr;
        const int length = static_cast<int>(random() % 12);
        for (int j = 0; j < length; ++j) expr += tokens[random() % tokens.size()];
        std::string error;
        std::optional<JsonPath> path;
        EXPECT_NO_THROW(path = JsonPath::compile(expr, &error));
        if (!path) {
            ++rejected;
            EXPECT_NE(error.find(" at position "), std::string::npos) << expr << ": " << error;
            continue;
        }
        ++compiled;
        std::vector<const json*> nodes;
        EXPECT_NO_THROW(path->evaluate(doc, nodes));
        for (const json* node : nodes) ASSERT_NE(node, nullptr);
    }
    EXPECT_GT(compiled, 100);
    EXPECT_GT(rejected, 100);
}

TEST(JsonPathRobustnessTest, ConcurrentEvaluationOfOnePath) {
    const std::optional<JsonPath> path =
        JsonPath::compile("$.store.book[?(@.author =~ /e/ && @.price < 20)].title");
    ASSERT_TRUE(path.has_value());
    const json doc = storeDocument();
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 500; ++i) {
                std::vector<const json*> nodes;
                path->evaluate(doc, nodes);
                if (nodes.size() != 3) ++mismatches;
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace mockd::core
