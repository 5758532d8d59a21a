#include "core/request_validation.h"

#include <gtest/gtest.h>

#include "core/errors.h"
#include "core/mock_codec.h"

namespace mockd::core {
namespace {

std::shared_ptr<const RequestValidation> decoded(const char* json,
                                                 std::vector<std::string>* warned = nullptr) {
    DecodeContext ctx;
    if (warned) ctx.onUnknownField = [warned](const std::string& f) { warned->push_back(f); };
    return RequestValidation::decode(Json::parse(json), "v", ctx);
}

struct Call {
    Request req;
    Captures path;
    explicit Call(std::string_view body, std::string_view query = {}) {
        req.method = "POST";
        req.body = body;
        req.rawQuery = query;
    }
};

std::vector<std::string> codes(const std::vector<ValidationProblem>& ps) {
    std::vector<std::string> out;
    for (const auto& p : ps) out.push_back(p.location + ":" + p.field + ":" + p.code);
    return out;
}

TEST(RequestValidation, BodyFieldsAndRequired) {
    auto v = decoded(R"({"required": ["email", "name"], "fields": {
        "email": {"type": "string", "format": "email"},
        "age": {"type": "integer", "min": 18},
        "items.sku": {"type": "string", "pattern": "^SKU-\\d+$", "message": "bad sku"}}})");
    ASSERT_TRUE(v);
    Call ok(R"({"email": "a@b.co", "name": "A", "age": 20, "items": [{"sku": "SKU-1"}]})");
    EXPECT_TRUE(v->check(ok.req, ok.path).empty());
    Call bad(R"({"email": "nope", "age": 17.5, "items": [{"sku": "SKU-1"}, {"sku": "x"}]})");
    EXPECT_EQ(codes(v->check(bad.req, bad.path)),
              (std::vector<std::string>{"body:name:required", "body:age:type", "body:email:format",
                                        "body:items[1].sku:pattern"}));
    // An empty body is an empty object: `required` still holds (mockd skips it).
    Call empty("");
    EXPECT_EQ(codes(v->check(empty.req, empty.path)),
              (std::vector<std::string>{"body:email:required", "body:name:required"}));
    Call notObject("[1, 2]");
    EXPECT_EQ(codes(v->check(notObject.req, notObject.path)),
              (std::vector<std::string>{"body::invalid_json"}));
    auto problems = v->check(bad.req, bad.path);
    EXPECT_EQ(problems[3].message, "bad sku");
    EXPECT_TRUE(v->rejects(problems));
    Json body = Json::parse(v->problemBody(problems));
    EXPECT_EQ(body["title"], "Request Validation Failed");
    EXPECT_EQ(body["status"], 400);
    EXPECT_EQ(body["detail"], "4 validation errors");
    EXPECT_EQ(body["errors"][1]["received"], 17.5);
    EXPECT_EQ(body["errors"][1]["expected"], "integer");
}

TEST(RequestValidation, ParamsAreCoercedAndHeadersIgnoreCase) {
    auto v = decoded(R"({"pathParams": {"id": {"type": "integer", "min": 1}},
        "queryParams": {"limit": {"type": "integer", "max": 50}, "on": {"type": "boolean"},
                        "q": {"required": true}},
        "headers": {"X-Team": {"required": true, "enum": ["blue", "red"]}},
        "mode": "permissive", "failStatus": 422})");
    Call c("", "limit=20&on=true&q=x");
    c.path = {{"id", "7"}};
    c.req.headers.push_back({"x-team", "blue"});
    EXPECT_TRUE(v->check(c.req, c.path).empty());
    Call bad("", "limit=99&on=maybe");
    bad.path = {{"id", "0"}};
    auto problems = v->check(bad.req, bad.path);
    EXPECT_EQ(codes(problems),
              (std::vector<std::string>{"path:id:min", "query:limit:max", "query:on:type",
                                        "query:q:required", "header:X-Team:required"}));
    EXPECT_TRUE(v->rejects(problems));  // permissive: a missing required value
    problems.erase(problems.begin() + 3, problems.end());
    EXPECT_FALSE(v->rejects(problems));  // permissive lets the rest through
    EXPECT_EQ(v->failStatus(), 422);
}

TEST(RequestValidation, SchemaBodies) {
    std::vector<std::string> warned;
    auto v = decoded(R"({"schema": {"type": "object", "required": ["id"],
        "properties": {"id": {"type": "integer"}, "tags": {"type": "array",
                       "items": {"type": "string"}, "unevaluatedItems": false}}}})",
                     &warned);
    EXPECT_EQ(warned, (std::vector<std::string>{"v.schema.properties.tags.unevaluatedItems"}));
    Call ok(R"({"id": 1, "tags": ["a"]})");
    EXPECT_TRUE(v->check(ok.req, ok.path).empty());
    Call bad(R"({"tags": [3]})");
    auto problems = v->check(bad.req, bad.path);
    ASSERT_FALSE(problems.empty());
    for (const auto& p : problems) EXPECT_EQ(p.code, "schema");
    bool sawTag = false;
    for (const auto& p : problems) sawTag = sawTag || p.field == "tags.0";
    EXPECT_TRUE(sawTag);
}

TEST(RequestValidation, BadRulesAreRefusedByField) {
    auto fieldOf = [](const char* json) {
        try {
            decoded(json);
            return std::string("<none>");
        } catch (const FieldError& e) {
            return e.field();
        }
    };
    EXPECT_EQ(fieldOf(R"({"fields": {"a": {"type": "text"}}})"), "v.fields.a.type");
    EXPECT_EQ(fieldOf(R"({"fields": {"a": {"format": "zip"}}})"), "v.fields.a.format");
    EXPECT_EQ(fieldOf(R"({"headers": {"A": {"pattern": "("}}})"), "v.headers.A.pattern");
    EXPECT_EQ(fieldOf(R"({"mode": "lenient", "required": ["a"]})"), "v.mode");
    EXPECT_EQ(fieldOf(R"({"failStatus": 200, "required": ["a"]})"), "v.failStatus");
    EXPECT_EQ(fieldOf(R"({"schemaRef": "../x.json"})"), "v.schemaRef");
    EXPECT_EQ(decoded(R"({"mode": "warn"})"), nullptr);  // nothing to check
}

}  // namespace
}  // namespace mockd::core
