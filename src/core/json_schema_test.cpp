#include "core/json_schema.h"

#include <gtest/gtest.h>

namespace mockd::core {
namespace {

std::shared_ptr<const JsonSchema> compiled(Json schema, SchemaDialect d = SchemaDialect::Draft7,
                                           std::vector<std::string>* unchecked = nullptr) {
    auto u = translateToDraft7(schema, d);
    if (unchecked) *unchecked = u;
    return JsonSchema::compile(schema);
}

TEST(JsonSchema, PatternsRunOnRe2AndAreSearched) {
    auto s = compiled({{"type", "string"}, {"pattern", "^[a-z]+-\\d+$"}});
    EXPECT_TRUE(s->validate("abc-12"));
    std::vector<SchemaViolation> v;
    EXPECT_FALSE(s->validate("ABC-12", &v));
    ASSERT_EQ(v.size(), 1u);
    EXPECT_NE(v[0].message.find("pattern"), std::string::npos);
    // ECMA-262 patterns are unanchored.
    EXPECT_TRUE(compiled({{"pattern", "b"}})->validate("abc"));
}

TEST(JsonSchema, CatastrophicPatternsAreLinear) {
    // (a+)+$ backtracks exponentially in std::regex; RE2 answers at once.
    auto s = compiled({{"type", "string"}, {"pattern", "^(a+)+$"}});
    EXPECT_FALSE(s->validate(std::string(5000, 'a') + "!"));
}

TEST(JsonSchema, PatternRe2CannotRunIsNamed) {
    std::vector<std::string> unchecked;
    auto s = compiled({{"properties", {{"x", {{"pattern", "(?=a)a"}}}}}}, SchemaDialect::Draft7,
                      &unchecked);
    ASSERT_EQ(unchecked.size(), 1u);
    EXPECT_NE(unchecked[0].find("/properties/x/pattern"), std::string::npos);
    EXPECT_TRUE(s->validate({{"x", "b"}}));  // left out, not guessed
}

TEST(JsonSchema, FormatsOnStringsOnly) {
    auto dt = compiled({{"format", "date-time"}});
    EXPECT_TRUE(dt->validate("2024-02-29T10:00:00Z"));
    EXPECT_FALSE(dt->validate("2023-02-29T10:00:00Z"));  // not a leap year
    EXPECT_FALSE(dt->validate("yesterday"));
    EXPECT_TRUE(dt->validate(1617954808.068));  // a number is not a string: format says nothing
    EXPECT_TRUE(compiled({{"format", "date"}})->validate("2024-12-31"));
    EXPECT_FALSE(compiled({{"format", "date"}})->validate("2024-13-01"));
    EXPECT_FALSE(compiled({{"format", "uuid"}})->validate("not-a-uuid"));
    EXPECT_TRUE(compiled({{"format", "int64"}})->validate("anything"));  // an annotation
    // A long string is checked, not refused (no std::regex recursion).
    EXPECT_FALSE(dt->validate(std::string(100000, '9')));
}

TEST(JsonSchema, OpenApi30Nullable) {
    auto s = compiled({{"type", "object"},
                       {"properties",
                        {{"a", {{"type", "string"}, {"nullable", true}}},
                         {"b", {{"type", "string"}, {"enum", {"x"}}, {"nullable", true}}}}}},
                      SchemaDialect::OpenApi30);
    EXPECT_TRUE(s->validate({{"a", nullptr}, {"b", nullptr}}));
    EXPECT_FALSE(s->validate({{"a", 1}}));
}

TEST(JsonSchema, OpenApi30BooleanExclusiveBounds) {
    auto s = compiled({{"type", "integer"}, {"minimum", 1}, {"exclusiveMinimum", true}},
                      SchemaDialect::OpenApi30);
    EXPECT_FALSE(s->validate(1));
    EXPECT_TRUE(s->validate(2));
}

TEST(JsonSchema, Draft2020PrefixItemsAndDependentRequired) {
    std::vector<std::string> unchecked;
    auto s = compiled({{"type", "array"},
                       {"prefixItems", {{{"type", "integer"}}, {{"type", "string"}}}},
                       {"items", false}},
                      SchemaDialect::Draft2020, &unchecked);
    EXPECT_TRUE(unchecked.empty());
    EXPECT_TRUE(s->validate({1, "a"}));
    EXPECT_FALSE(s->validate({"a", 1}));
    EXPECT_FALSE(s->validate({1, "a", 3}));
    auto d = compiled({{"dependentRequired", {{"card", {"cvc"}}}}}, SchemaDialect::Draft2020);
    EXPECT_FALSE(d->validate({{"card", 1}}));
    EXPECT_TRUE(d->validate({{"card", 1}, {"cvc", 2}}));
}

TEST(JsonSchema, Draft2020KeywordsBesideRefApply) {
    Json doc = {{"$defs", {{"n", {{"type", "integer"}}}}},
                {"properties", {{"x", {{"$ref", "#/$defs/n"}, {"minimum", 5}}}}}};
    translateToDraft7(doc, SchemaDialect::Draft2020);
    auto s = JsonSchema::compile(doc);
    EXPECT_FALSE(s->validate({{"x", 3}}));
    EXPECT_TRUE(s->validate({{"x", 7}}));
}

TEST(JsonSchema, UncheckableKeywordsAreListed) {
    std::vector<std::string> unchecked;
    compiled({{"unevaluatedProperties", false}}, SchemaDialect::Draft2020, &unchecked);
    ASSERT_EQ(unchecked.size(), 1u);
    EXPECT_NE(unchecked[0].find("unevaluatedProperties"), std::string::npos);
}

TEST(JsonSchema, DataIsNotTranslated) {
    // An enum value that looks like a schema keeps its `pattern` key.
    auto s = compiled({{"enum", {{{"pattern", "x"}}}}});
    EXPECT_TRUE(s->validate({{"pattern", "x"}}));
}

TEST(JsonSchema, ReadOnlyAndWriteOnlyTravelOneWay) {
    const Json doc = {{"type", "object"},
                      {"required", {"id", "name", "password"}},
                      {"properties",
                       {{"id", {{"type", "string"}, {"readOnly", true}}},
                        {"password", {{"type", "string"}, {"writeOnly", true}}},
                        {"name", {{"type", "string"}}}}}};
    Json request = doc, response = doc, either = doc;
    translateToDraft7(request, SchemaDialect::OpenApi30, OpenApiDirection::Request);
    translateToDraft7(response, SchemaDialect::OpenApi30, OpenApiDirection::Response);
    translateToDraft7(either, SchemaDialect::OpenApi30);
    auto in = JsonSchema::compile(request), out = JsonSchema::compile(response),
         both = JsonSchema::compile(either);
    EXPECT_TRUE(in->validate({{"name", "x"}, {"password", "p"}}));
    EXPECT_FALSE(in->validate({{"name", "x"}, {"password", "p"}, {"id", "7"}}));
    EXPECT_FALSE(in->validate({{"name", "x"}}));  // password is required of the client
    EXPECT_TRUE(out->validate({{"name", "x"}, {"id", "7"}}));
    EXPECT_FALSE(out->validate({{"name", "x"}, {"id", "7"}, {"password", "p"}}));
    EXPECT_FALSE(both->validate({{"name", "x"}}));
}

TEST(JsonSchema, SubschemaOfADocumentWithRefs) {
    Json doc = {{"components",
                 {{"schemas",
                   {{"Pet",
                     {{"type", "object"},
                      {"required", {"name"}},
                      {"properties", {{"tag", {{"$ref", "#/components/schemas/Tag"}}}}}}},
                    {"Tag", {{"type", "string"}}}}}}}};
    SchemaSet set(doc);
    auto pet = set.at("/components/schemas/Pet");
    std::vector<SchemaViolation> v;
    EXPECT_FALSE(pet->validate({{"tag", 3}}, &v));
    ASSERT_EQ(v.size(), 2u);  // name missing, tag not a string
    EXPECT_TRUE(pet->validate({{"name", "rex"}, {"tag", "good"}}));
    EXPECT_EQ(set.at("/components/schemas/Pet"), pet);  // compiled once
    EXPECT_FALSE(set.document().contains("$ref"));      // the document is left as it was
    EXPECT_THROW(set.at("/components/schemas/Nothing"), std::runtime_error);
}

TEST(JsonSchema, RefsValijsonCannotFollowAreLeftOutAndNamed) {
    Json doc = Json::parse(R"({"definitions": {"a": {"$ref": "#/definitions/b"},
        "b": {"$ref": "#/definitions/a"}, "c": {"$ref": "/elsewhere"}, "d": {"$ref": "#"},
        "e": {"$ref": "#/nowhere"}, "f": {"type": "array", "items": {"$ref": "#/definitions/f"}}}})");
    auto unchecked = translateToDraft7(doc, SchemaDialect::OpenApi30);
    ASSERT_EQ(unchecked.size(), 4u);  // breaking a's loop is enough for b
    EXPECT_NE(unchecked[0].find("/definitions/a/$ref: #/definitions/b comes back to itself"),
              std::string::npos)
        << unchecked[0];
    SchemaSet set(doc);
    for (const char* at :
         {"/definitions/a", "/definitions/b", "/definitions/c", "/definitions/d", "/definitions/e"})
        EXPECT_TRUE(set.at(at)->validate(42)) << at;  // left out: anything goes
    // A schema that refers to itself through a schema (a tree) is fine.
    EXPECT_TRUE(set.at("/definitions/f")->validate(Json::parse("[[[]], []]")));
    EXPECT_FALSE(set.at("/definitions/f")->validate(Json::parse("[[1]]")));
}

TEST(JsonSchema, ValuesNestedTooDeeplyAreNotChecked) {
    auto s = compiled({{"type", "array"}});
    Json deep = Json::array();
    for (int i = 0; i < 300; ++i) deep = Json::array({deep});
    std::vector<SchemaViolation> v;
    EXPECT_FALSE(s->validate(deep, &v));
    EXPECT_NE(v[0].message.find("deeper than 256"), std::string::npos);
}

TEST(JsonSchema, ViolationsAreLeavesWithDottedFields) {
    auto s = compiled(Json::parse(R"({"type": "object", "properties": {"items": {"type": "array",
        "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}}})"));
    std::vector<SchemaViolation> v;
    EXPECT_FALSE(s->validate(Json::parse(R"({"items": [{"sku": "a"}, {"sku": 2}]})"), &v));
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].field, "items.1.sku");
    EXPECT_GT(s->countViolations(Json::parse(R"({"items": [{"sku": 2}]})")), 0u);
    EXPECT_EQ(s->countViolations(Json::parse(R"({"items": []})")), 0u);
}

}  // namespace
}  // namespace mockd::core
