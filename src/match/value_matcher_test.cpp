#include "match/value_matcher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "core/stack.h"

namespace mockd::match {
namespace {

ValueMatcherPtr compile(const std::string& json, bool binaryAllowed = false) {
    return compileValueMatcher(Json::parse(json), "/request/bodyPatterns/0", binaryAllowed);
}

bool hit(const ValueMatcherPtr& m, std::optional<std::string_view> value) {
    return m->match(value).matched;
}

// The PatternError a spec raises: detail, and the pointer it names.
std::pair<std::string, std::string> failure(const std::string& json, bool binaryAllowed = false,
                                            const std::string& pointer = "/request/headers/X-A") {
    try {
        compileValueMatcher(Json::parse(json), pointer, binaryAllowed);
    } catch (const PatternError& e) {
        return {e.what(), e.pointer()};
    }
    return {"(no error)", ""};
}

std::pair<std::string, std::string> multiFailure(const std::string& json) {
    try {
        compileMultiValueMatcher(Json::parse(json), "/request/queryParameters/q");
    } catch (const PatternError& e) {
        return {e.what(), e.pointer()};
    }
    return {"(no error)", ""};
}

std::string isoUtc(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// --- string operators -------------------------------------------------------------------------

TEST(EqualToTest, ExactAndCaseInsensitive) {
    auto m = compile(R"({"equalTo": "abc"})");
    EXPECT_TRUE(hit(m, "abc"));
    EXPECT_FALSE(hit(m, "ABC"));
    EXPECT_FALSE(hit(m, std::nullopt));
    EXPECT_EQ(m->name(), "equalTo");
    EXPECT_EQ(m->expected(), "abc");

    auto ci = compile(R"({"equalTo": "A", "caseInsensitive": true})");
    EXPECT_TRUE(hit(ci, "a"));
    EXPECT_FALSE(hit(ci, "b"));
    EXPECT_TRUE(
        hit(compile(R"({"equalTo": "\u00e9t\u00e9", "caseInsensitive": true})"), "\u00c9T\u00c9"));
    // Jackson's asBoolean: only a literal "true" string counts.
    EXPECT_FALSE(hit(compile(R"({"equalTo": "A", "caseInsensitive": "yes"})"), "a"));
    EXPECT_TRUE(hit(compile(R"({"equalTo": "A", "caseInsensitive": "true"})"), "a"));
}

TEST(EqualToTest, DistanceIsNormalisedLevenshtein) {
    auto m = compile(R"({"equalTo": "abcd"})");
    EXPECT_DOUBLE_EQ(m->match("abcd").distance, 0.0);
    EXPECT_DOUBLE_EQ(m->match("abce").distance, 0.25);
    EXPECT_DOUBLE_EQ(m->match("ab").distance, 0.5);
    EXPECT_DOUBLE_EQ(m->match(std::nullopt).distance, 1.0);
    // Long values are estimated, never quadratic.
    std::string big(200000, 'x');
    auto start = std::chrono::steady_clock::now();
    double d = compile(R"({"equalTo": "y"})")->match(big).distance;
    EXPECT_GT(d, 0.9);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(ContainsTest, ContainsAndDoesNotContain) {
    auto c = compile(R"({"contains": "ell"})");
    EXPECT_TRUE(hit(c, "hello"));
    EXPECT_FALSE(hit(c, "help"));
    EXPECT_FALSE(hit(c, std::nullopt));
    auto n = compile(R"({"doesNotContain": "x"})");
    EXPECT_TRUE(hit(n, "abc"));
    EXPECT_FALSE(hit(n, "axc"));
    EXPECT_TRUE(hit(n, std::nullopt));  // absent contains nothing
    EXPECT_TRUE(n->acceptsAbsent());
    EXPECT_EQ(n->name(), "doesNotContain");
}

TEST(RegexMatchTest, WholeValueWithDotAll) {
    auto m = compile(R"({"matches": "a.c"})");
    EXPECT_TRUE(hit(m, "abc"));
    EXPECT_FALSE(hit(m, "xabc"));
    EXPECT_TRUE(hit(m, "a\nc"));  // WireMock compiles with DOTALL
    EXPECT_FALSE(hit(m, std::nullopt));
    auto n = compile(R"({"doesNotMatch": "x.*"})");
    EXPECT_TRUE(hit(n, "a"));
    EXPECT_FALSE(hit(n, "xy"));
    EXPECT_TRUE(hit(n, std::nullopt));
    EXPECT_EQ(n->expected(), "x.*");
}

TEST(RegexMatchTest, JavaOnlyConstructs) {
    EXPECT_TRUE(hit(compile(R"({"matches": "foo(?!bar).*"})"), "foobaz"));
    EXPECT_FALSE(hit(compile(R"({"matches": "foo(?!bar).*"})"), "foobar"));
    EXPECT_TRUE(hit(compile(R"({"matches": "\\p{Alpha}+"})"), "abc"));
    EXPECT_TRUE(hit(compile(R"({"matches": "(\\w)\\1"})"), "aa"));
}

TEST(RegexMatchTest, BadRegexIsAPatternError) {
    auto [detail, pointer] = failure(R"({"matches": "(a"})");
    EXPECT_NE(detail.find("missing closing parenthesis"), std::string::npos) << detail;
    EXPECT_EQ(pointer, "/request/headers/X-A");
    EXPECT_NE(failure(R"({"doesNotMatch": "[z-a]"})").first, "(no error)");
}

TEST(AbsentTest, AnyAbsentKeyMeansAbsent) {
    auto m = compile(R"({"absent": true})");
    EXPECT_TRUE(hit(m, std::nullopt));
    EXPECT_FALSE(hit(m, "a"));
    EXPECT_TRUE(m->acceptsAbsent());
    EXPECT_EQ(m->expected(), "(absent)");
    EXPECT_TRUE(hit(compile(R"({"absent": false})"), std::nullopt));  // WireMock ignores the value
}

TEST(AnythingTest, MatchesEverything) {
    auto m = compile(R"({"anything": "anything"})");
    EXPECT_TRUE(hit(m, "x"));
    EXPECT_TRUE(hit(m, std::nullopt));
    EXPECT_EQ(failure(R"({"anything": 5})").first, "anything operand must be a non-null string");
}

TEST(LogicalTest, NotAndOr) {
    auto n = compile(R"({"not": {"equalTo": "a"}})");
    EXPECT_FALSE(hit(n, "a"));
    EXPECT_TRUE(hit(n, "b"));
    EXPECT_TRUE(hit(n, std::nullopt));
    EXPECT_EQ(n->expected(), "a");

    auto orAbsent = compile(R"({"or": [{"absent": true}, {"equalTo": "a"}]})");
    EXPECT_TRUE(hit(orAbsent, std::nullopt));
    EXPECT_TRUE(hit(orAbsent, "a"));
    EXPECT_FALSE(hit(orAbsent, "b"));
    EXPECT_EQ(orAbsent->expected(), "absent (absent) OR equalTo a");

    auto a = compile(R"({"and": [{"contains": "a"}, {"matches": "a.*"}]})");
    EXPECT_TRUE(hit(a, "abc"));
    EXPECT_FALSE(hit(a, "bac"));
    EXPECT_DOUBLE_EQ(a->match("bac").distance, 0.5);
    EXPECT_EQ(a->expected(), "contains a AND matches a.*");
    EXPECT_EQ(compile(R"({"not": {"and": [{"equalTo": "a"}, {"equalTo": "b"}]}})")->expected(),
              "equalTo a AND equalTo b");
}

TEST(LogicalTest, Errors) {
    EXPECT_EQ(failure(R"({"and": "x"})").first, "and field must be an array of matchers");
    EXPECT_EQ(failure(R"({"or": "x"})").first, "and field must be an array of matchers");
    EXPECT_EQ(failure(R"({"and": [{"contains": "a"}]})").first,
              "Must be constructed with at least two matchers");
    auto [detail, pointer] = failure(R"({"and": [{"equalTo": "a"}, {"bogus": "b"}]})");
    EXPECT_EQ(detail, R"({"bogus":"b"} is not a valid match operation)");
    EXPECT_EQ(pointer, "/request/headers/X-A/1");
    auto notErr = failure(R"({"not": {"bogus": "b"}})");
    EXPECT_EQ(notErr.first, R"({"bogus":"b"} is not a valid match operation)");
    EXPECT_EQ(notErr.second, "/request/headers/X-A");
    EXPECT_EQ(failure(R"({"not": "x"})").first, R"("x" is not a valid match operation)");
}

TEST(CompileTest, UnknownOperatorsAndOperandTypes) {
    EXPECT_EQ(failure(R"({"bogus": "1"})").first,
              R"({"bogus":"1"} is not a valid match operation)");
    EXPECT_EQ(failure(R"({})").first, "{} is not a valid match operation");
    EXPECT_EQ(failure(R"("abc")").first, R"("abc" is not a valid match operation)");
    EXPECT_EQ(failure(R"({"equalTo": 5})").first, "equalTo operand must be a non-null string");
    EXPECT_EQ(failure(R"({"contains": 5})").first, "contains operand must be a non-null string");
    // Extra keys next to an operator are accepted, as WireMock does.
    EXPECT_TRUE(hit(compile(R"({"equalTo": "a", "foo": 1})"), "a"));
}

TEST(BinaryEqualToTest, OnlyInBodies) {
    auto m = compile(R"({"binaryEqualTo": "YWJj"})", true);
    EXPECT_TRUE(hit(m, "abc"));
    EXPECT_FALSE(hit(m, "abd"));
    EXPECT_FALSE(hit(m, std::nullopt));
    EXPECT_EQ(m->name(), "binaryEqualTo");
    EXPECT_EQ(m->expected(), "YWJj");
    EXPECT_EQ(bodyDiffExpected(*m), "YWJj");
    EXPECT_TRUE(hit(compile(R"({"binaryEqualTo": "YQ"})", true), "a"));  // padding is optional

    EXPECT_EQ(failure(R"({"binaryEqualTo": "YWJj"})").first,
              R"({"binaryEqualTo":"YWJj"} is not a valid match operation)");
    EXPECT_EQ(failure(R"({"binaryEqualTo": "!!!"})", true).first, "Illegal base64 character 21");
    EXPECT_EQ(failure(R"({"binaryEqualTo": "Y"})", true).first,
              "Last unit does not have enough valid bits");
    EXPECT_NE(failure(R"({"binaryEqualTo": 5})", true).first, "(no error)");
}

TEST(PathTemplateTest, VariablesAndWildcards) {
    auto m = compile(R"({"matchesPathTemplate": "/a/{id}"})");
    EXPECT_TRUE(hit(m, "/a/1"));
    EXPECT_TRUE(hit(m, "/a/1?x=y"));
    EXPECT_FALSE(hit(m, "/a/1/2"));
    EXPECT_FALSE(hit(m, "/a/"));
    EXPECT_FALSE(hit(m, std::nullopt));
    auto w = compile(R"({"matchesPathTemplate": "/a/**"})");
    EXPECT_TRUE(hit(w, "/a/1/2"));
    EXPECT_TRUE(hit(w, "/a/"));
    EXPECT_FALSE(hit(w, "/a"));
    EXPECT_TRUE(hit(compile(R"({"matchesPathTemplate": "/x.y/{a}"})"), "/x.y/1"));
    EXPECT_FALSE(hit(compile(R"({"matchesPathTemplate": "/x.y/{a}"})"), "/xzy/1"));
}

// --- equalToJson ------------------------------------------------------------------------------

TEST(EqualToJsonTest, ObjectOrStringOperand) {
    auto m = compile(R"({"equalToJson": {"a": 1, "b": [1, 2]}})");
    EXPECT_TRUE(hit(m, R"({"b":[1,2],"a":1.0})"));
    EXPECT_TRUE(hit(m, R"({"a":1e0,"b":[1,2.00]})"));
    EXPECT_FALSE(hit(m, R"({"a":1,"b":[2,1]})"));
    EXPECT_FALSE(hit(m, R"({"a":1,"b":[1,2],"c":3})"));
    EXPECT_FALSE(hit(m, "nope"));
    EXPECT_FALSE(hit(m, std::nullopt));
    auto s = compile(R"({"equalToJson": "{\"a\": 1}"})");
    EXPECT_TRUE(hit(s, R"({"a":1})"));
    EXPECT_FALSE(hit(s, R"({"a":"1"})"));
    EXPECT_TRUE(hit(compile(R"({"equalToJson": 5})"), "5.0"));
    EXPECT_TRUE(hit(compile(R"({"equalToJson": "\"x\""})"), "\"x\""));
    EXPECT_TRUE(hit(compile(R"({"equalToJson": {"a": null}})"), R"({"a":null})"));
    EXPECT_FALSE(hit(compile(R"({"equalToJson": {"a": null}})"), R"({})"));
}

TEST(EqualToJsonTest, IgnoreArrayOrderAndExtraElements) {
    auto order = compile(R"({"equalToJson": {"a": [1, 2]}, "ignoreArrayOrder": true})");
    EXPECT_TRUE(hit(order, R"({"a":[2,1]})"));
    EXPECT_FALSE(hit(order, R"({"a":[2,1,3]})"));
    EXPECT_FALSE(hit(order, R"({"a":[2]})"));
    auto extra = compile(R"({"equalToJson": {"a": [1, 2]}, "ignoreExtraElements": true})");
    EXPECT_TRUE(hit(extra, R"({"a":[1,2,3],"b":1})"));
    EXPECT_FALSE(hit(extra, R"({"a":[2,1,3]})"));
    EXPECT_FALSE(hit(extra, R"({"a":[0,1,2]})"));
    auto both = compile(
        R"({"equalToJson": {"a": [1, 2]}, "ignoreExtraElements": true, "ignoreArrayOrder": true})");
    EXPECT_TRUE(hit(both, R"({"a":[3,2,1],"b":1})"));
    EXPECT_FALSE(hit(both, R"({"a":[2]})"));
    EXPECT_TRUE(hit(compile(R"({"equalToJson": {"a": 1}, "ignoreExtraElements": "true"})"),
                    R"({"a":1,"b":2})"));
    // Objects inside unordered arrays are matched as a whole.
    auto nested = compile(
        R"({"equalToJson": [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}], "ignoreArrayOrder": true})");
    EXPECT_TRUE(hit(nested, R"([{"id":2,"v":"b"},{"id":1,"v":"a"}])"));
    EXPECT_FALSE(hit(nested, R"([{"id":2,"v":"a"},{"id":1,"v":"b"}])"));
}

TEST(EqualToJsonTest, JsonUnitPlaceholders) {
    auto m =
        compile(R"({"equalToJson": {"a": "${json-unit.any-string}", "b": "${json-unit.any-number}",
        "c": "${json-unit.any-boolean}", "d": "${json-unit.ignore}", "e": "${json-unit.regex}[a-z]+"}})");
    EXPECT_TRUE(hit(m, R"({"a":"x","b":1.5,"c":false,"d":null,"e":"abc"})"));
    EXPECT_FALSE(hit(m, R"({"a":1,"b":1.5,"c":false,"d":null,"e":"abc"})"));
    EXPECT_FALSE(hit(m, R"({"a":"x","b":1.5,"c":false,"e":"abc"})"));  // ignore still needs the key
    EXPECT_FALSE(hit(m, R"({"a":"x","b":1.5,"c":false,"d":1,"e":"ab1"})"));
    EXPECT_FALSE(hit(m, R"({"a":"x","b":"1","c":false,"d":1,"e":"ab"})"));
    auto element = compile(R"({"equalToJson": {"a": "${json-unit.ignore-element}", "b": 1}})");
    EXPECT_TRUE(hit(element, R"({"b":1})"));
    EXPECT_TRUE(hit(element, R"({"a":5,"b":1})"));
    EXPECT_TRUE(hit(compile(R"({"equalToJson": {"a": "#{json-unit.ignore}"}})"), R"({"a":5})"));
    auto re = compile(R"({"equalToJson": {"a": "${json-unit.regex}\\d+"}})");
    EXPECT_FALSE(hit(re, R"({"a":5})"));
    EXPECT_TRUE(hit(re, R"({"a":"5"})"));
}

TEST(EqualToJsonTest, ExpectedIsJacksonPrettyPrinted) {
    auto m = compile(R"({"equalToJson": {"a": [1, {"b": []}], "c": {}, "d": 1.5, "e": "x\"y"}})");
    EXPECT_EQ(m->expected(),
              "{\n  \"a\" : [ 1, {\n    \"b\" : [ ]\n  } ],\n  \"c\" : { },\n  \"d\" : 1.5,\n"
              "  \"e\" : \"x\\\"y\"\n}");
    EXPECT_EQ(bodyDiffExpected(*m), "[equalToJson]\n" + m->expected());
    // A string operand keeps its member order.
    EXPECT_EQ(compile(R"({"equalToJson": "{\"z\": 1, \"a\": [ ]}"})")->expected(),
              "{\n  \"z\" : 1,\n  \"a\" : [ ]\n}");
}

TEST(EqualToJsonTest, DistanceRanksCloserDocumentsLower) {
    auto m = compile(R"({"equalToJson": {"a": 1, "b": 2, "c": 3, "d": 4}})");
    double near = m->match(R"({"a":1,"b":2,"c":3,"d":5})").distance;
    double far = m->match(R"({"a":9,"b":9,"c":9,"d":9})").distance;
    EXPECT_GT(near, 0.0);
    EXPECT_LT(near, far);
    EXPECT_DOUBLE_EQ(m->match("not json").distance, 1.0);
}

TEST(EqualToJsonTest, BadJsonOperandIsAPatternError) {
    EXPECT_NE(failure(R"({"equalToJson": "{bad"})").first, "(no error)");
}

// --- matchesJsonPath --------------------------------------------------------------------------

TEST(JsonPathTest, SimpleFormNeedsANonEmptyResult) {
    auto m = compile(R"({"matchesJsonPath": "$.a"})");
    EXPECT_TRUE(hit(m, R"({"a":1})"));
    EXPECT_TRUE(hit(m, R"({"a":false})"));
    EXPECT_TRUE(hit(m, R"({"a":""})"));
    EXPECT_FALSE(hit(m, R"({"a":null})"));
    EXPECT_FALSE(hit(m, R"({"a":[]})"));
    EXPECT_FALSE(hit(m, R"({"a":{}})"));
    EXPECT_FALSE(hit(m, R"({"b":1})"));
    EXPECT_FALSE(hit(m, "[1]"));
    EXPECT_FALSE(hit(m, "nope"));
    EXPECT_FALSE(hit(m, "<a/>"));
    EXPECT_FALSE(hit(m, std::nullopt));
    auto list = compile(R"({"matchesJsonPath": "$.a[*]"})");
    EXPECT_TRUE(hit(list, R"({"a":[1]})"));
    EXPECT_TRUE(hit(list, R"({"a":[null]})"));  // an indefinite path: any result at all
    EXPECT_FALSE(hit(list, R"({"a":[]})"));
    auto filter = compile(R"({"matchesJsonPath": "$.a[?(@.x > 1)]"})");
    EXPECT_TRUE(hit(filter, R"({"a":[{"x":2}]})"));
    EXPECT_FALSE(hit(filter, R"({"a":[{"x":1}]})"));
    // Jayway applies a filter on an object to the object itself.
    auto root = compile(R"({"matchesJsonPath": "$[?(@.n == 2)]"})");
    EXPECT_TRUE(hit(root, R"({"n":2})"));
    EXPECT_FALSE(hit(root, R"({"n":1})"));
    EXPECT_TRUE(hit(filter, R"({"a":{"x":2}})"));
    EXPECT_TRUE(hit(compile(R"({"matchesJsonPath": "$..x"})"), R"({"k":{"x":null}})"));
    EXPECT_EQ(m->expected(), "$.a");
    EXPECT_EQ(bodyDiffExpected(*m), "$.a");
}

TEST(JsonPathTest, AdvancedFormRendersValuesAsWireMock) {
    auto eq = compile(R"({"matchesJsonPath": {"expression": "$.a", "equalTo": "1"}})");
    EXPECT_TRUE(hit(eq, R"({"a":1})"));
    EXPECT_TRUE(hit(eq, R"({"a":"1"})"));
    EXPECT_FALSE(hit(eq, R"({"a":1.0})"));  // a double prints as 1.0
    EXPECT_TRUE(hit(eq, R"({"a":[1]})"));
    EXPECT_TRUE(hit(eq, R"({"a":[2,1]})"));  // a list: any element
    EXPECT_FALSE(hit(eq, R"({"b":1})"));
    EXPECT_EQ(eq->expected(), "$.a");
    EXPECT_EQ(bodyDiffExpected(*eq), "$.a [equalTo] 1");

    EXPECT_TRUE(hit(
        compile(R"({"matchesJsonPath": {"expression": "$.a", "equalTo": "{\n  \"b\" : 1\n}"}})"),
        R"({"a":{"b":1}})"));
    EXPECT_TRUE(hit(compile(R"({"matchesJsonPath": {"expression": "$.a[*]", "contains": "b=1"}})"),
                    R"({"a":[{"b":1}]})"));
    EXPECT_TRUE(hit(compile(R"({"matchesJsonPath": {"expression": "$.a", "equalTo": "[1,2]"}})"),
                    R"({"a":[[1, 2]]})"));
    EXPECT_TRUE(hit(compile(R"({"matchesJsonPath": {"expression": "$.a", "equalTo": "1.0E7"}})"),
                    R"({"a":1e7})"));
    EXPECT_TRUE(hit(compile(R"({"matchesJsonPath": {"expression": "$.a", "equalTo": "true"}})"),
                    R"({"a":true})"));
    auto json = compile(R"({"matchesJsonPath": {"expression": "$.a", "equalToJson": [1,2]}})");
    EXPECT_TRUE(hit(json, R"({"a":[1,2]})"));
    EXPECT_FALSE(hit(json, R"({"a":[2,1]})"));
    auto ci = compile(
        R"({"matchesJsonPath": {"expression": "$.name", "equalTo": "BOB", "caseInsensitive": true}})");
    EXPECT_TRUE(hit(ci, R"({"name":"bob"})"));
}

TEST(JsonPathTest, AdvancedFormAbsence) {
    auto absent = compile(R"({"matchesJsonPath": {"expression": "$.a", "absent": true}})");
    EXPECT_FALSE(hit(absent, R"({"a":1})"));
    EXPECT_TRUE(hit(absent, R"({"b":1})"));
    EXPECT_TRUE(hit(absent, R"({"a":null})"));
    EXPECT_TRUE(hit(absent, R"({"a":[]})"));
    // Nothing selected: other sub-matchers, even negative ones, do not match.
    auto neg = compile(R"({"matchesJsonPath": {"expression": "$.a", "doesNotMatch": "x"}})");
    EXPECT_FALSE(hit(neg, R"({"a":"x"})"));
    EXPECT_FALSE(hit(neg, R"({"b":1})"));
}

TEST(JsonPathTest, Errors) {
    EXPECT_EQ(failure(R"({"matchesJsonPath": 5})").first,
              "expression is required in the advanced matchesJsonPath form");
    EXPECT_EQ(failure(R"({"matchesJsonPath": {"equalTo": "1"}})").first,
              "expression is required in the advanced matchesJsonPath form");
    EXPECT_EQ(failure(R"({"matchesJsonPath": {"expression": "$.a"}})").first,
              R"({"expression":"$.a"} is not a valid match operation)");
    EXPECT_EQ(failure(R"({"matchesJsonPath": {"expression": 5, "equalTo": "x"}})").first,
              "'matchesJsonPath' expected value cannot be null");
    EXPECT_NE(failure(R"({"matchesJsonPath": "$.["})").first, "(no error)");
    EXPECT_NE(failure(R"({"matchesJsonPath": {"expression": "$.a", "matches": "("}})").first,
              "(no error)");
}

// --- matchesJsonSchema ------------------------------------------------------------------------

TEST(JsonSchemaTest, ValidatesBodies) {
    auto m = compile(
        R"({"matchesJsonSchema": {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}}})");
    EXPECT_TRUE(hit(m, R"({"a":1})"));
    EXPECT_FALSE(hit(m, R"({"a":"x"})"));
    EXPECT_FALSE(hit(m, R"({})"));
    EXPECT_FALSE(hit(m, "nope"));
    EXPECT_FALSE(hit(m, "[]"));
    EXPECT_FALSE(hit(m, std::nullopt));
    EXPECT_EQ(m->name(), "matchesJsonSchema");
    EXPECT_EQ(m->expected().substr(0, 4), "{\n  ");
    EXPECT_EQ(bodyDiffExpected(*m).substr(0, 20), "[matchesJsonSchema]\n");
}

TEST(JsonSchemaTest, ScalarsFallBackToText) {
    auto s = compile(R"({"matchesJsonSchema": "{\"type\": \"string\"}"})");
    EXPECT_TRUE(hit(s, "\"x\""));
    EXPECT_TRUE(hit(s, "x"));
    EXPECT_TRUE(hit(s, "5"));
    auto i = compile(R"({"matchesJsonSchema": {"type": "integer"}})");
    EXPECT_TRUE(hit(i, "5"));
    EXPECT_FALSE(hit(i, "x"));
    EXPECT_FALSE(hit(i, "5.5"));
    auto len = compile(R"({"matchesJsonSchema": {"type": "string", "minLength": 2}})");
    EXPECT_FALSE(hit(len, "x"));
    EXPECT_TRUE(hit(len, "xy"));
    EXPECT_TRUE(
        hit(compile(R"({"matchesJsonSchema": {"type": "string", "pattern": "^a+$"}})"), "aaa"));
    EXPECT_FALSE(
        hit(compile(R"({"matchesJsonSchema": {"type": "string", "pattern": "^a+$"}})"), "aab"));
}

TEST(JsonSchemaTest, VersionsAndKeywords) {
    EXPECT_TRUE(hit(compile(R"({"matchesJsonSchema": {"type": "string"}, "schemaVersion": "V4"})"),
                    "\"x\""));
    EXPECT_EQ(failure(R"({"matchesJsonSchema": {"type": "string"}, "schemaVersion": "V5"})").first,
              R"(schemaVersion must be one of [ "V4", "V6", "V7", "V201909", "V202012" ])");
    auto nullable = compile(
        R"({"matchesJsonSchema": {"type": "object", "properties": {"a": {"type": "string", "nullable": true}}}})");
    EXPECT_TRUE(hit(nullable, R"({"a":null})"));
    auto strict = compile(
        R"({"matchesJsonSchema": {"type": "object", "properties": {"a": {"type": "string"}}}})");
    EXPECT_FALSE(hit(strict, R"({"a":null})"));
    auto defs = compile(
        R"({"matchesJsonSchema": {"type": "object", "properties": {"a": {"$ref": "#/$defs/x"}}, "$defs": {"x": {"type": "string", "pattern": "^[a-z]+$"}}}})");
    EXPECT_FALSE(hit(defs, R"({"a":"1"})"));
    EXPECT_TRUE(hit(defs, R"({"a":"ab"})"));
    auto prefix = compile(
        R"({"matchesJsonSchema": {"type": "array", "prefixItems": [{"type": "integer"}], "items": false}})");
    EXPECT_TRUE(hit(prefix, "[1]"));
    EXPECT_FALSE(hit(prefix, "[1,2]"));
    auto deps =
        compile(R"({"matchesJsonSchema": {"type": "object", "dependentRequired": {"a": ["b"]}}})");
    EXPECT_FALSE(hit(deps, R"({"a":1})"));
    EXPECT_TRUE(hit(deps, R"({"a":1,"b":1})"));
    // Format is only an annotation in 2020-12 but asserted in draft 7.
    EXPECT_TRUE(hit(compile(R"({"matchesJsonSchema": {"format": "date-time"}})"), "\"zz\""));
    EXPECT_FALSE(
        hit(compile(R"({"matchesJsonSchema": {"format": "date-time"}, "schemaVersion": "V7"})"),
            "\"zz\""));
    EXPECT_TRUE(hit(compile(R"({"matchesJsonSchema": true})"), "5"));
    EXPECT_FALSE(hit(compile(R"({"matchesJsonSchema": false})"), "5"));
    EXPECT_TRUE(hit(compile(R"({"matchesJsonSchema": {"const": 5}})"), "5"));
    EXPECT_TRUE(hit(compile(R"({"matchesJsonSchema": {"type": "integer"}})"), "5.0"));
}

TEST(JsonSchemaTest, InvalidSchemasNeverMatchAndBadJsonIsRejected) {
    EXPECT_FALSE(hit(compile(R"({"matchesJsonSchema": {"type": "bogus"}})"), "\"x\""));
    EXPECT_NE(failure(R"({"matchesJsonSchema": "{bad"})").first, "(no error)");
}

// --- equalToXml -------------------------------------------------------------------------------

TEST(EqualToXmlTest, WhitespaceCommentsAndSiblingOrder) {
    auto m = compile(R"({"equalToXml": "<a><b>1</b><c x=\"1\"/></a>"})");
    EXPECT_TRUE(hit(m, "<a>\n  <b>1</b>\n  <c x='1'></c>\n</a>"));
    EXPECT_TRUE(hit(m, "<a><c x='1'/><b>1</b></a>"));
    EXPECT_TRUE(hit(m, "<a><b> 1 </b><c x='1'/></a>"));
    EXPECT_TRUE(hit(m, "<?xml version='1.0'?><!-- hi --><a><b>1</b><!--x--><c x='1'/></a>"));
    EXPECT_FALSE(hit(m, "<a><b>1</b><c x='2'/></a>"));
    EXPECT_FALSE(hit(m, "<a><b>1</b><c/></a>"));
    EXPECT_FALSE(hit(m, "<a><b>1</b><c x='1' y='2'/></a>"));
    EXPECT_FALSE(hit(m, "<a><b>1</b><c x='1'/><d/></a>"));
    EXPECT_FALSE(hit(m, "<a><b>1</b></a>"));
    EXPECT_FALSE(hit(m, "nope"));
    EXPECT_FALSE(hit(m, "<a><b>1</b><c x='1'/>"));
    EXPECT_FALSE(hit(m, std::nullopt));
    EXPECT_GT(m->match("<a><b>1</b><c x='2'/></a>").distance, 0.0);
    EXPECT_LT(m->match("<a><b>1</b><c x='2'/></a>").distance, 1.0);
    EXPECT_EQ(m->expected(), "<a>\n  <b>1</b>\n  <c x=\"1\"/>\n</a>");
    EXPECT_EQ(
        compile(R"({"equalToXml": "<a><!-- c --><b y='&amp;' xmlns=\"urn:x\">t&lt;</b><c/></a>"})")
            ->expected(),
        "<a>\n  <!-- c -->\n  <b xmlns=\"urn:x\" y=\"&amp;\">t&lt;</b>\n  <c/>\n</a>");
    EXPECT_TRUE(hit(compile(R"({"equalToXml": "<a>t<!--c-->u</a>"})"), "<a>tu</a>"));
    EXPECT_FALSE(hit(compile(R"({"equalToXml": "<a><![CDATA[x]]></a>"})"), "<a>x</a>"));
}

TEST(EqualToXmlTest, SameNamedSiblingsKeepOrderUnlessIgnored) {
    auto m = compile(R"({"equalToXml": "<a><b>1</b><b>2</b></a>"})");
    EXPECT_FALSE(hit(m, "<a><b>2</b><b>1</b></a>"));
    EXPECT_TRUE(hit(m, "<a><b>1</b><b>2</b></a>"));
    auto any =
        compile(R"({"equalToXml": "<a><b>1</b><b>2</b></a>", "ignoreOrderOfSameNode": true})");
    EXPECT_TRUE(hit(any, "<a><b>2</b><b>1</b></a>"));
}

TEST(EqualToXmlTest, MixedContentNeverMatches) {
    // WireMock sorts children by local name, which text nodes lack.
    EXPECT_FALSE(hit(compile(R"({"equalToXml": "<a><b>1</b>t</a>"})"), "<a><b>1</b>t</a>"));
}

TEST(EqualToXmlTest, Namespaces) {
    auto m = compile(R"({"equalToXml": "<a xmlns=\"urn:x\"><b>1</b></a>"})");
    EXPECT_TRUE(hit(m, R"(<x:a xmlns:x="urn:x"><x:b>1</x:b></x:a>)"));
    EXPECT_FALSE(hit(m, R"(<a xmlns="urn:y"><b>1</b></a>)"));
    EXPECT_FALSE(hit(m, "<a><b>1</b></a>"));
    EXPECT_TRUE(
        hit(compile(R"({"equalToXml": "<a><b>1</b></a>"})"), R"(<a xmlns="urn:y"><b>1</b></a>)"));
    auto exempt = compile(
        R"({"equalToXml": "<a xmlns=\"urn:x\"><b>1</b></a>", "exemptedComparisons": ["NAMESPACE_URI"]})");
    EXPECT_TRUE(hit(exempt, R"(<a xmlns="urn:y"><b>1</b></a>)"));
    EXPECT_TRUE(hit(exempt, "<a><b>1</b></a>"));
    auto none = compile(
        R"({"equalToXml": "<a xmlns=\"urn:x\"><b>1</b></a>", "namespaceAwareness": "NONE"})");
    EXPECT_FALSE(hit(none, R"(<x:a xmlns:x="urn:x"><x:b>1</x:b></x:a>)"));
    EXPECT_TRUE(hit(none, R"(<a xmlns="urn:x"><b>1</b></a>)"));
    EXPECT_FALSE(hit(none, R"(<a xmlns="urn:y"><b>1</b></a>)"));
    auto legacy =
        compile(R"({"equalToXml": "<a><b>1</b><c>2</c></a>", "namespaceAwareness": "LEGACY"})");
    EXPECT_TRUE(hit(legacy, "<a><c>2</c><b>1</b></a>"));
    EXPECT_TRUE(hit(compile(R"({"equalToXml": "<a><p:b xmlns:p=\"urn:p\"/><c/></a>"})"),
                    R"(<a><c/><q:b xmlns:q="urn:p"/></a>)"));
}

TEST(EqualToXmlTest, ExemptedComparisons) {
    EXPECT_TRUE(hit(
        compile(
            R"({"equalToXml": "<a><b>1</b></a>", "exemptedComparisons": ["CHILD_NODELIST_LENGTH"]})"),
        "<a><b>1</b><c/></a>"));
    auto attrs = compile(
        R"({"equalToXml": "<a x=\"1\"/>", "exemptedComparisons": ["ELEMENT_NUM_ATTRIBUTES"]})");
    EXPECT_TRUE(hit(attrs, "<a x='1' y='2'/>"));
    EXPECT_FALSE(hit(attrs, "<a/>"));
    auto lookup =
        compile(R"({"equalToXml": "<a x=\"1\"/>", "exemptedComparisons": ["ATTR_NAME_LOOKUP"]})");
    EXPECT_FALSE(hit(lookup, "<a x='1' y='2'/>"));
    EXPECT_TRUE(hit(lookup, "<a y='1'/>"));
    auto children =
        compile(R"({"equalToXml": "<a><b/><c/></a>", "exemptedComparisons": ["CHILD_LOOKUP"]})");
    EXPECT_FALSE(hit(children, "<a><b/><d/></a>"));  // c and d are paired and compared
    auto names = compile(
        R"({"equalToXml": "<a><b/><c/></a>", "exemptedComparisons": ["CHILD_LOOKUP", "ELEMENT_TAG_NAME"]})");
    EXPECT_TRUE(hit(names, "<a><b/><d/></a>"));
}

TEST(EqualToXmlTest, Placeholders) {
    auto m = compile(
        R"({"equalToXml": "<a><b>${xmlunit.ignore}</b><c x=\"${xmlunit.isNumber}\"/></a>", "enablePlaceholders": true})");
    EXPECT_TRUE(hit(m, "<a><b>zz</b><c x='5'/></a>"));
    EXPECT_TRUE(hit(m, "<a><b/><c x='5'/></a>"));
    EXPECT_FALSE(hit(m, "<a><b>zz</b><c x='q'/></a>"));
    EXPECT_FALSE(hit(m, "<a><b>zz</b><c/></a>"));
    EXPECT_FALSE(
        hit(compile(R"({"equalToXml": "<a><b>${xmlunit.ignore}</b></a>"})"), "<a><b>zz</b></a>"));
    auto custom = compile(
        R"({"equalToXml": "<a><b>[[xmlunit.matchesRegex(\\d+)]]</b></a>", "enablePlaceholders": true,
            "placeholderOpeningDelimiterRegex": "\\[\\[", "placeholderClosingDelimiterRegex": "]]"})");
    EXPECT_TRUE(hit(custom, "<a><b>12</b></a>"));
    EXPECT_FALSE(hit(custom, "<a><b>x</b></a>"));
    EXPECT_FALSE(hit(
        compile(
            R"({"equalToXml": "<a><b>x ${xmlunit.ignore}</b></a>", "enablePlaceholders": true})"),
        "<a><b>x y</b></a>"));
    auto date = compile(
        R"({"equalToXml": "<a><b>${xmlunit.isDateTime}</b></a>", "enablePlaceholders": true})");
    EXPECT_TRUE(hit(date, "<a><b>2020-01-02</b></a>"));
    EXPECT_TRUE(hit(date, "<a><b>2020-01-02T10:00:00Z</b></a>"));
    EXPECT_FALSE(hit(date, "<a><b>yesterday</b></a>"));
    auto text =
        compile(R"({"equalToXml": "<a>${xmlunit.ignore}</a>", "enablePlaceholders": true})");
    EXPECT_TRUE(hit(text, "<a/>"));
    EXPECT_TRUE(hit(text, "<a><b/></a>"));
    auto attr =
        compile(R"({"equalToXml": "<a x=\"${xmlunit.ignore}\"/>", "enablePlaceholders": true})");
    EXPECT_TRUE(hit(attr, "<a/>"));
    EXPECT_TRUE(hit(attr, "<a y='1'/>"));
}

TEST(EqualToXmlTest, Errors) {
    EXPECT_NE(failure(R"({"equalToXml": "<a"})").first, "(no error)");
    EXPECT_EQ(failure(R"({"equalToXml": "<a/>", "exemptedComparisons": ["BOGUS"]})").first,
              "No enum constant wiremock.org.xmlunit.diff.ComparisonType.BOGUS");
    EXPECT_EQ(failure(R"({"equalToXml": 5})").first, "'equalToXml' expected value cannot be null");
    EXPECT_EQ(failure(R"({"equalToXml": "<a/>", "namespaceAwareness": "BOGUS"})").first,
              "No enum constant com.github.tomakehurst.wiremock.matching.EqualToXmlPattern."
              "NamespaceAwareness.BOGUS");
    EXPECT_NE(failure(R"({"equalToXml": "<x:a/>"})").first, "(no error)");  // unbound prefix
}

// --- matchesXPath -----------------------------------------------------------------------------

TEST(XPathTest, SimpleForm) {
    auto m = compile(R"({"matchesXPath": "/a/b"})");
    EXPECT_TRUE(hit(m, "<a><b>1</b></a>"));
    EXPECT_FALSE(hit(m, "<a><c/></a>"));
    EXPECT_FALSE(hit(m, "nope"));
    EXPECT_FALSE(hit(m, ""));
    EXPECT_FALSE(hit(m, std::nullopt));
    EXPECT_TRUE(hit(m, R"(<a xmlns="urn:x"><b>1</b></a>)"));  // no namespaces: names as written
    EXPECT_TRUE(hit(compile(R"j({"matchesXPath": "//b[text()='1']"})j"), "<a><b>1</b></a>"));
    EXPECT_FALSE(hit(compile(R"j({"matchesXPath": "//b[text()='1']"})j"), "<a><b>2</b></a>"));
    EXPECT_TRUE(hit(compile(R"({"matchesXPath": "/a/@id"})"), "<a id=\"1\"/>"));
    EXPECT_FALSE(hit(compile(R"({"matchesXPath": "/a/@id"})"), "<a/>"));
    // A number or boolean result always counts as found.
    EXPECT_TRUE(hit(compile(R"({"matchesXPath": "count(//b) = 5"})"), "<a><b>1</b></a>"));
    // Invalid expressions and unbound prefixes never match (and are not rejected).
    EXPECT_FALSE(hit(compile(R"({"matchesXPath": "/a["})"), "<a/>"));
    EXPECT_FALSE(
        hit(compile(R"({"matchesXPath": "//y:b"})"), R"(<a xmlns:y="urn:x"><y:b>1</y:b></a>)"));
    EXPECT_EQ(m->expected(), "/a/b");
    EXPECT_EQ(bodyDiffExpected(*m), "/a/b");
}

TEST(XPathTest, Namespaces) {
    auto m = compile(R"({"matchesXPath": "//x:b", "xPathNamespaces": {"x": "urn:x"}})");
    EXPECT_TRUE(hit(m, R"(<a xmlns="urn:x"><b>1</b></a>)"));
    EXPECT_TRUE(hit(m, R"(<a xmlns:y="urn:x"><y:b>1</y:b></a>)"));
    EXPECT_FALSE(hit(m, "<a><b/></a>"));
    auto plain = compile(R"({"matchesXPath": "//b", "xPathNamespaces": {"x": "urn:x"}})");
    EXPECT_FALSE(hit(plain, R"(<a xmlns="urn:x"><b>1</b></a>)"));
    EXPECT_TRUE(hit(plain, "<a><b>1</b></a>"));
}

TEST(XPathTest, AdvancedFormRendersNodes) {
    auto text = compile(R"({"matchesXPath": {"expression": "/a/b", "equalTo": "1"}})");
    EXPECT_FALSE(hit(text, "<a><b>1</b></a>"));  // an element renders as XML
    EXPECT_TRUE(hit(compile(R"j({"matchesXPath": {"expression": "/a/b/text()", "equalTo": "1"}})j"),
                    "<a><b>1</b></a>"));
    EXPECT_TRUE(hit(compile(R"({"matchesXPath": {"expression": "/a/b", "equalTo": "<b>1</b>\n"}})"),
                    "<a><b>2</b><b>1</b></a>"));
    EXPECT_TRUE(hit(compile(R"({"matchesXPath": {"expression": "/a/@id", "equalTo": "7"}})"),
                    "<a id=\"7\"/>"));
    EXPECT_TRUE(hit(
        compile(R"({"matchesXPath": {"expression": "/a", "equalTo": "<a>\n  <b>1</b>\n</a>\n"}})"),
        "<a><b>1</b></a>"));
    EXPECT_TRUE(hit(
        compile(R"({"matchesXPath": {"expression": "/a", "equalTo": "<a b=\"2\" z=\"1\"/>\n"}})"),
        "<a z='1' b='2'/>"));
    EXPECT_TRUE(hit(
        compile(
            R"({"matchesXPath": {"expression": "/a", "equalTo": "<a>\n  x\n  <b>1</b>\n  y\n</a>\n"}})"),
        "<a>x<b>1</b>y</a>"));
    EXPECT_TRUE(hit(compile(R"({"matchesXPath": {"expression": "/a", "contains": "<b>1</b>"}})"),
                    "<a><b>1</b></a>"));
    EXPECT_TRUE(hit(compile(R"j({"matchesXPath": {"expression": "count(//b)", "equalTo": "2"}})j"),
                    "<a><b/><b/></a>"));
    EXPECT_TRUE(
        hit(compile(R"j({"matchesXPath": {"expression": "sum(//b)", "equalTo": "1,234.568"}})j"),
            "<a><b>1234.5678</b></a>"));
    EXPECT_TRUE(
        hit(compile(R"({"matchesXPath": {"expression": "/a/b", "equalToXml": "<b>1</b>"}})"),
            "<a><b>1</b></a>"));
    EXPECT_TRUE(hit(
        compile(
            R"j({"matchesXPath": {"expression": "/a/comment()", "equalTo": "[#comment: c]"}})j"),
        "<a><!--c--></a>"));
    auto absent = compile(R"({"matchesXPath": {"expression": "/a/b", "absent": true}})");
    EXPECT_FALSE(hit(absent, "<a/>"));  // no nodes: no match, whatever the sub-matcher
    auto ns = compile(
        R"j({"matchesXPath": {"expression": "//x:b/text()", "equalTo": "1"}, "xPathNamespaces": {"x": "urn:x"}})j");
    EXPECT_TRUE(hit(ns, R"(<a xmlns="urn:x"><b>1</b></a>)"));
    EXPECT_EQ(bodyDiffExpected(*text), "/a/b [equalTo] 1");
}

TEST(XPathTest, Errors) {
    EXPECT_EQ(failure(R"({"matchesXPath": 5})").first,
              "expression is required in the advanced matchesXPath form");
    EXPECT_NE(failure(R"({"matchesXPath": {"expression": "/a", "matches": "("}})").first,
              "(no error)");
}

// --- date-times -------------------------------------------------------------------------------

TEST(DateTimeTest, BeforeWithZonedExpected) {
    auto m = compile(R"({"before": "2021-06-15T12:00:00Z"})");
    EXPECT_FALSE(hit(m, std::nullopt));
    EXPECT_TRUE(hit(m, "2021-06-15T11:59:59Z"));
    EXPECT_FALSE(hit(m, "2021-06-15T12:00:00Z"));
    EXPECT_TRUE(hit(m, "2021-06-15T13:00:00+02:00"));
    EXPECT_TRUE(hit(m, "2021-06-15T11:00:00"));  // a local actual is taken as UTC
    EXPECT_TRUE(hit(m, "2021-06-15"));
    EXPECT_TRUE(hit(m, "Tue, 15 Jun 2021 11:00:00 GMT"));
    EXPECT_FALSE(hit(m, "junk"));
    EXPECT_TRUE(hit(m, "2021-06-15T11:00Z"));
    EXPECT_TRUE(hit(compile(R"({"before": "2021-06-15T12:00:00.5Z"})"), "2021-06-15T12:00:00.4Z"));
    double nearMiss = m->match("2021-06-15T12:00:01Z").distance;
    double farMiss = m->match("2030-01-01T00:00:00Z").distance;
    EXPECT_GT(nearMiss, 0.0);
    EXPECT_LT(nearMiss, farMiss);
}

TEST(DateTimeTest, AfterAndEqualWithLocalExpected) {
    auto after = compile(R"({"after": "2021-06-15T12:00:00"})");
    EXPECT_TRUE(hit(after, "2021-06-15T12:00:01Z"));
    EXPECT_TRUE(hit(after, "2021-06-15T12:00:01"));
    EXPECT_FALSE(hit(after, "2021-06-15T11:00:01-02:00"));  // compared by its local time
    auto eqZ = compile(R"({"equalToDateTime": "2021-06-15T12:00:00Z"})");
    EXPECT_TRUE(hit(eqZ, "2021-06-15T12:00:00Z"));
    EXPECT_TRUE(hit(eqZ, "2021-06-15T14:00:00+02:00"));
    EXPECT_TRUE(hit(eqZ, "2021-06-15T12:00:00.000Z"));
    EXPECT_TRUE(hit(eqZ, "2021-06-15T12:00:00"));
    auto eqL = compile(R"({"equalToDateTime": "2021-06-15T12:00:00"})");
    EXPECT_TRUE(hit(eqL, "2021-06-15T12:00:00Z"));
    EXPECT_FALSE(hit(eqL, "2021-06-15T14:00:00+02:00"));
    auto date = compile(R"({"equalToDateTime": "2021-06-15"})");
    EXPECT_TRUE(hit(date, "2021-06-15T00:00:00Z"));
    EXPECT_TRUE(hit(date, "2021-06-15"));
    EXPECT_FALSE(hit(compile(R"({"before": "garbage"})"), "2000-01-01T00:00:00Z"));
}

TEST(DateTimeTest, NowWithOffsets) {
    auto now = std::chrono::system_clock::now();
    std::string in2Days = isoUtc(now + std::chrono::hours(48));
    std::string in4Days = isoUtc(now + std::chrono::hours(96));
    std::string ago2Hours = isoUtc(now - std::chrono::hours(2));
    for (const char* spec :
         {R"({"before": "now +3 days"})", R"({"before": "+3 days"})", R"({"before": "3 days"})",
          R"({"before": "NOW +3 DAYS"})",
          R"({"before": "now", "expectedOffset": 3, "expectedOffsetUnit": "days"})"}) {
        auto m = compile(spec);
        EXPECT_TRUE(hit(m, in2Days)) << spec;
        EXPECT_FALSE(hit(m, in4Days)) << spec;
    }
    auto hourAgo = compile(R"({"before": "now -1 hours"})");
    EXPECT_TRUE(hit(hourAgo, ago2Hours));
    EXPECT_FALSE(hit(hourAgo, in2Days));
    EXPECT_FALSE(hit(compile(R"({"before": "now +3 days extra"})"), in2Days));
    EXPECT_FALSE(hit(compile(R"({"before": "now +x days"})"), ago2Hours));
    EXPECT_TRUE(hit(compile(R"({"before": "now"})"), "2000-01-01T00:00:00Z"));
    EXPECT_FALSE(hit(compile(R"({"before": "now"})"), "2100-01-01T00:00:00Z"));

    EXPECT_EQ(compile(R"({"before": "now"})")->expected(), "now +0 seconds");
    EXPECT_EQ(compile(R"({"after": "NOW"})")->expected(), "NOW");
    EXPECT_EQ(compile(R"({"before": "now +3 days"})")->expected(), "now +3 days");
    EXPECT_EQ(
        compile(R"({"equalToDateTime": "now", "expectedOffset": -3, "expectedOffsetUnit": "days"})")
            ->expected(),
        "now -3 days");
}

TEST(DateTimeTest, TruncationAppliesToNowAndToActual) {
    auto month = compile(
        R"({"equalToDateTime": "now", "truncateExpected": "first day of month", "truncateActual": "first day of month"})");
    EXPECT_TRUE(hit(month, isoUtc(std::chrono::system_clock::now())));
    EXPECT_FALSE(hit(month, "2020-01-01T00:00:00Z"));
    // A fixed expected value is never truncated.
    auto fixed = compile(
        R"({"equalToDateTime": "2021-06-15T12:34:56Z", "truncateActual": "first hour of day", "truncateExpected": "first hour of day"})");
    EXPECT_FALSE(hit(fixed, "2021-06-15T23:00:00Z"));
    auto day = compile(
        R"({"equalToDateTime": "2021-06-15T00:00:00Z", "truncateActual": "first hour of day"})");
    EXPECT_TRUE(hit(day, "2021-06-15T23:10:00Z"));
    EXPECT_TRUE(hit(
        compile(
            R"({"equalToDateTime": "2021-06-30T00:00:00Z", "truncateActual": "last day of month"})"),
        "2021-06-03T10:00:00Z"));
    EXPECT_TRUE(hit(
        compile(
            R"({"equalToDateTime": "2021-07-01T00:00:00Z", "truncateActual": "first day of next month"})"),
        "2021-06-03T10:00:00Z"));
    EXPECT_TRUE(hit(
        compile(
            R"({"equalToDateTime": "2022-01-01T00:00:00Z", "truncateActual": "first day of next year"})"),
        "2021-06-03T10:00:00Z"));
    EXPECT_TRUE(hit(
        compile(
            R"({"equalToDateTime": "2021-12-31T00:00:00Z", "truncateActual": "last day of year"})"),
        "2021-06-03T10:00:00Z"));
    EXPECT_TRUE(hit(
        compile(
            R"({"equalToDateTime": "2021-06-03T10:00:00Z", "truncateActual": "first minute of hour"})"),
        "2021-06-03T10:59:59Z"));
    // The expected offset only shifts "now".
    auto offset = compile(
        R"({"equalToDateTime": "2021-06-15T00:00:00Z", "expectedOffset": 2, "expectedOffsetUnit": "days"})");
    EXPECT_TRUE(hit(offset, "2021-06-15T00:00:00Z"));
    EXPECT_FALSE(hit(offset, "2021-06-17T00:00:00Z"));
    auto last = compile(
        R"({"before": "now", "expectedOffset": 1, "expectedOffsetUnit": "months", "truncateExpected": "first day of month", "applyTruncationLast": true})");
    EXPECT_TRUE(hit(last, isoUtc(std::chrono::system_clock::now())));
}

TEST(DateTimeTest, ActualFormats) {
    auto m = compile(R"({"before": "2021-06-15T12:00:00Z", "actualFormat": "dd/MM/yyyy HH:mm"})");
    EXPECT_TRUE(hit(m, "15/06/2021 11:59"));
    EXPECT_FALSE(hit(m, "15/06/2021 12:01"));
    EXPECT_FALSE(hit(m, "2021-06-15T11:00:00Z"));
    auto day =
        compile(R"({"equalToDateTime": "2021-06-15T00:00:00Z", "actualFormat": "dd/MM/yyyy"})");
    EXPECT_TRUE(hit(day, "15/06/2021"));
    EXPECT_FALSE(hit(day, "16/06/2021"));
    auto millis = compile(
        R"({"after": "2021-06-15T00:00:00Z", "actualFormat": "yyyy-MM-dd'T'HH:mm:ss.SSSX"})");
    EXPECT_TRUE(hit(millis, "2021-06-15T00:00:00.001Z"));
    EXPECT_FALSE(hit(millis, "2021-06-15T00:00:00.000Z"));
    auto compact =
        compile(R"({"equalToDateTime": "2021-06-15T10:20:00Z", "actualFormat": "yyyyMMddHHmm"})");
    EXPECT_TRUE(hit(compact, "202106151020"));
    auto names = compile(
        R"({"equalToDateTime": "2021-06-15T10:20:00Z", "actualFormat": "EEE, d MMM yyyy HH:mm Z"})");
    EXPECT_TRUE(hit(names, "Tue, 15 Jun 2021 12:20 +0200"));
    EXPECT_TRUE(
        hit(compile(R"({"equalToDateTime": "2021-06-15T10:20:00Z", "actualFormat": "unix"})"),
            "1623752400"));
    EXPECT_TRUE(
        hit(compile(R"({"equalToDateTime": "2021-06-15T10:20:00Z", "actualFormat": "epoch"})"),
            "1623752400000"));
    EXPECT_TRUE(hit(
        compile(
            R"({"equalToDateTime": "2021-06-15T22:20:00Z", "actualFormat": "MM/dd/yyyy hh:mm a"})"),
        "06/15/2021 10:20 PM"));
}

TEST(DateTimeTest, Errors) {
    EXPECT_EQ(failure(R"({"before": "now +3 fortnights"})").first,
              "No enum constant com.github.tomakehurst.wiremock.common.DateTimeUnit.FORTNIGHTS");
    EXPECT_EQ(failure(R"({"before": 5})").first, "'before' expected value cannot be null");
    EXPECT_EQ(failure(R"({"equalToDateTime": "2021-06-15T12:34:56Z", "truncateExpected": "bogus"})")
                  .first,
              "No enum constant com.github.tomakehurst.wiremock.common.DateTimeTruncation.BOGUS");
    EXPECT_EQ(
        failure(
            R"({"equalToDateTime": "2021-06-15T00:00:00Z", "expectedOffset": 2, "expectedOffsetUnit": "fortnights"})")
            .first,
        "No enum constant com.github.tomakehurst.wiremock.common.DateTimeUnit.FORTNIGHTS");
    EXPECT_EQ(
        failure(R"({"equalToDateTime": "2021-06-15T00:00:00Z", "actualFormat": "qq-bad{"})").first,
        "Unknown pattern letter: b");
}

// --- multi-value ------------------------------------------------------------------------------

MultiValueMatcherPtr multi(const std::string& json) {
    return compileMultiValueMatcher(Json::parse(json), "/request/queryParameters/q");
}

bool hitAll(const MultiValueMatcherPtr& m, std::vector<std::string_view> values) {
    return m->match(values).matched;
}

TEST(MultiValueTest, PlainMatcherNeedsAnyValue) {
    auto m = multi(R"({"equalTo": "a"})");
    EXPECT_FALSE(hitAll(m, {}));
    EXPECT_TRUE(hitAll(m, {"a"}));
    EXPECT_TRUE(hitAll(m, {"b", "a"}));
    EXPECT_EQ(m->name(), "equalTo");
    EXPECT_EQ(m->expected(), "a");
    auto n = multi(R"({"doesNotContain": "a"})");
    EXPECT_TRUE(hitAll(n, {}));
    EXPECT_FALSE(hitAll(n, {"a"}));
    EXPECT_TRUE(hitAll(n, {"b", "a"}));
    auto absent = multi(R"({"absent": true})");
    EXPECT_TRUE(hitAll(absent, {}));
    EXPECT_FALSE(hitAll(absent, {"x"}));
    EXPECT_FALSE(hitAll(multi(R"({"not": {"absent": true}})"), {}));
    auto orAbsent = multi(R"({"or": [{"absent": true}, {"equalTo": "a"}]})");
    EXPECT_TRUE(hitAll(orAbsent, {}));
    EXPECT_TRUE(hitAll(orAbsent, {"a"}));
    EXPECT_FALSE(hitAll(orAbsent, {"b"}));
}

TEST(MultiValueTest, HasExactly) {
    auto m = multi(R"({"hasExactly": [{"equalTo": "a"}, {"equalTo": "b"}]})");
    EXPECT_FALSE(hitAll(m, {}));
    EXPECT_FALSE(hitAll(m, {"a"}));
    EXPECT_TRUE(hitAll(m, {"a", "b"}));
    EXPECT_TRUE(hitAll(m, {"b", "a"}));
    EXPECT_FALSE(hitAll(m, {"a", "b", "c"}));
    EXPECT_FALSE(hitAll(m, {"a", "a"}));
    EXPECT_EQ(m->name(), "hasExactly");
    EXPECT_EQ(m->expected(), "equalTo a AND equalTo b");
    EXPECT_FALSE(hitAll(multi(R"({"hasExactly": []})"), {"a"}));
    EXPECT_FALSE(hitAll(multi(R"({"hasExactly": [{"absent": true}]})"), {}));
}

TEST(MultiValueTest, Includes) {
    auto m = multi(R"({"includes": [{"equalTo": "a"}, {"contains": "b"}]})");
    EXPECT_FALSE(hitAll(m, {}));
    EXPECT_FALSE(hitAll(m, {"a"}));
    EXPECT_TRUE(hitAll(m, {"xbx", "a"}));
    EXPECT_TRUE(hitAll(m, {"a", "b", "c"}));
    EXPECT_EQ(m->name(), "includes");
    EXPECT_EQ(m->expected(), "equalTo a AND contains b");
    EXPECT_TRUE(hitAll(multi(R"({"includes": []})"), {"a"}));
    EXPECT_FALSE(hitAll(multi(R"({"includes": []})"), {}));
}

TEST(MultiValueTest, Errors) {
    EXPECT_EQ(multiFailure(R"({})").first, "null is not a valid match operation");
    auto [detail, pointer] = multiFailure(R"({"hasExactly": [{"equalTo": "a"}, {"bogus": "b"}]})");
    EXPECT_EQ(detail, R"({"bogus":"b"} is not a valid match operation)");
    EXPECT_EQ(pointer, "/request/queryParameters/q/hasExactly/1");
    EXPECT_EQ(multiFailure(R"({"includes": [{"matches": "("}]})").second,
              "/request/queryParameters/q/includes/0");
    EXPECT_EQ(multiFailure(R"({"hasExactly": {"equalTo": "a"}})").second,
              "/request/queryParameters/q/hasExactly");
    auto both =
        multiFailure(R"({"hasExactly": [{"equalTo": "a"}], "includes": [{"equalTo": "b"}]})");
    EXPECT_EQ(both.second, "/request/queryParameters/q/includes");
    EXPECT_EQ(multiFailure(R"({"bogus": 1})").first,
              R"({"bogus":1} is not a valid match operation)");
}

// --- hostile input -----------------------------------------------------------------------------

// On a serving thread's deep stack, long strings are checked inline; on a shallow one they are a
// miss, never a stack overflow (and no thread is started per check).
TEST(RobustnessTest, LongStringsAgainstSchemaPatterns) {
    auto m = compile(
        R"({"matchesJsonSchema": {"type": "object", "properties": {"s": {"type": "string", "pattern": "^(a|b)*$"}}}})");
    std::string ok = "{\"s\":\"" + std::string(100000, 'a') + "\"}";
    std::string bad = "{\"s\":\"" + std::string(100000, 'a') + "c\"}";
    bool deepOk = false, deepBad = true, shallowOk = true, shortOk = false;
    core::DeepStackThread([&] {
        deepOk = hit(m, ok);
        deepBad = hit(m, bad);
    }).join();
    core::DeepStackThread(
        [&] {
            shallowOk = hit(m, ok);
            shortOk = hit(m, "{\"s\":\"abab\"}");
        },
        size_t{16} << 20)
        .join();
    EXPECT_TRUE(deepOk);
    EXPECT_FALSE(deepBad);
    EXPECT_FALSE(shallowOk);
    EXPECT_TRUE(shortOk);
}

TEST(RobustnessTest, DeeplyNestedBodies) {
    std::string deepJson = std::string(100000, '[') + std::string(100000, ']');
    for (const char* spec : {R"({"equalToJson": {"a": 1}})", R"({"equalToJson": [[1]]})",
                             R"({"matchesJsonPath": "$..a"})",
                             R"({"matchesJsonPath": {"expression": "$[0]", "equalTo": "x"}})",
                             R"({"matchesJsonPath": {"expression": "$..*", "equalToJson": [1]}})",
                             R"({"matchesJsonSchema": {"type": "array"}})"}) {
        EXPECT_FALSE(hit(compile(spec), deepJson)) << spec;
    }
    std::string deepXml;
    for (int i = 0; i < 20000; ++i) deepXml += "<a>";
    for (int i = 0; i < 20000; ++i) deepXml += "</a>";
    EXPECT_FALSE(hit(compile(R"({"equalToXml": "<a/>"})"), deepXml));
    EXPECT_TRUE(hit(compile(R"({"matchesXPath": "/a/a/a"})"), deepXml));
    EXPECT_FALSE(
        hit(compile(R"({"matchesXPath": {"expression": "/a", "equalTo": "x"}})"), deepXml));
}

TEST(RobustnessTest, LenientJsonAsWireMockReadsIt) {
    // Jackson (equalToJson, matchesJsonSchema): single quotes and trailing text are accepted.
    EXPECT_TRUE(hit(compile(R"({"equalToJson": {"a": "x"}})"), "{'a':'x'}"));
    EXPECT_TRUE(hit(compile(R"({"equalToJson": {"a": 1}})"), "{\"a\":1} trailing"));
    EXPECT_FALSE(hit(compile(R"({"equalToJson": {"a": 1}})"), "{a:1}"));
    EXPECT_TRUE(hit(compile(R"({"equalToJson": "{'a': 1}"})"), "{\"a\":1}"));
    // JsonPath's reader also takes bare words and trailing commas, and plain text as a string.
    auto path = compile(R"({"matchesJsonPath": "$.a"})");
    EXPECT_TRUE(hit(path, "{a:1}"));
    EXPECT_TRUE(hit(path, "{'a':1}"));
    EXPECT_TRUE(hit(path, "{\"a\":1,}"));
    EXPECT_FALSE(hit(path, "{\"a\":"));
    EXPECT_TRUE(hit(compile(R"({"matchesJsonPath": "$"})"), "nope"));
    auto absent = compile(R"({"matchesJsonPath": {"expression": "$.a", "absent": true}})");
    EXPECT_TRUE(hit(absent, "nope"));
    EXPECT_FALSE(hit(absent, "{\"a\":"));
}

// --- concurrency --------------------------------------------------------------------------------

TEST(ConcurrencyTest, OneMatcherManyThreads) {
    auto json = compile(R"({"matchesJsonPath": {"expression": "$.id", "matches": "\\d+"}})");
    auto schema = compile(
        R"({"matchesJsonSchema": {"type": "object", "properties": {"id": {"type": "integer"}}}})");
    auto xml = compile(R"({"matchesXPath": {"expression": "/a/@id", "matches": "\\d+"}})");
    std::vector<std::thread> threads;
    std::vector<int> ok(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 300; ++i) {
                std::string body = "{\"id\":" + std::to_string(i) + "}";
                std::string doc = "<a id=\"" + std::to_string(i) + "\"/>";
                if (hit(json, body) && hit(schema, body) && hit(xml, doc) &&
                    !hit(json, "{\"id\":\"x\"}"))
                    ++ok[static_cast<size_t>(t)];
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int n : ok) EXPECT_EQ(n, 300);
}

TEST(ValueMatcherObjects, AreTheOperatorsTheJsonSpellingCompilesTo) {
    auto json = compileValueMatcher(Json::parse(R"({"equalTo":"abc"})"), "");
    auto made = equalTo("abc");
    for (const char* v : {"abc", "abd", "", "ABC"}) {
        EXPECT_EQ(json->match(std::string_view(v)).matched,
                  made->match(std::string_view(v)).matched)
            << v;
        EXPECT_DOUBLE_EQ(json->match(std::string_view(v)).distance,
                         made->match(std::string_view(v)).distance)
            << v;
    }
    EXPECT_EQ(made->name(), "equalTo");
    EXPECT_EQ(containing("b")->name(), "contains");
}

TEST(ValueMatcherObjects, TestAgreesWithMatchWithoutTheDistance) {
    const ValueMatcherPtr all[] = {equalTo("abc"), equalTo("AbC", true), containing("b"),
                                   startingWith("ab"), endingWith("bc")};
    for (const auto& m : all)
        for (std::optional<std::string_view> v :
             {std::optional<std::string_view>("abc"), std::optional<std::string_view>("xbz"),
              std::optional<std::string_view>(""), std::optional<std::string_view>()})
            EXPECT_EQ(m->test(v), m->match(v).matched)
                << m->name() << " " << v.value_or("(absent)");
    EXPECT_TRUE(startingWith("ab")->test(std::string_view("abc")));
    EXPECT_FALSE(startingWith("ab")->test(std::string_view("cab")));
    EXPECT_TRUE(endingWith("bc")->test(std::string_view("abc")));
    EXPECT_FALSE(endingWith("bc")->test(std::nullopt));
}

}  // namespace
}  // namespace mockd::match
