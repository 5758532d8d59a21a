#include "portability/formats.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/json_schema.h"
#include "portability/importers.h"
#include "portability/openapi_paths.h"
#include "portability/regex_sample.h"
#include "portability/schema_sample.h"

namespace mockd::portability {
namespace {

TEST(ImportFormats, DetectsFormatsInMockdsOrder) {
    EXPECT_EQ(detectFormat(R"({"version":"1.0","mocks":[]})", "a.json"), Format::Mockd);
    EXPECT_EQ(detectFormat("version: \"1.0\"\nmocks: []\n", "a.yaml"), Format::Mockd);
    EXPECT_EQ(detectFormat(R"({"request":{"method":"GET"},"response":{"status":200}})", ""),
              Format::WireMock);
    EXPECT_EQ(detectFormat(R"(  {"mappings":[]})", "stdin"), Format::WireMock);
    EXPECT_EQ(detectFormat(R"([{"request":{"url":"/a"},"response":{}}])", ""), Format::WireMock);
    EXPECT_EQ(detectFormat(R"({"openapi":"3.0.0","paths":{}})", "spec.json"), Format::OpenApi);
    EXPECT_EQ(detectFormat("openapi: 3.0.0\npaths: {}\n", "spec.yml"), Format::OpenApi);
    EXPECT_EQ(detectFormat("openapi: 3.0.0\npaths: {}\n", ""), Format::OpenApi);
    EXPECT_EQ(detectFormat(R"({"swagger":"2.0"})", ""), Format::OpenApi);
    EXPECT_EQ(detectFormat(R"({"info":{},"item":[]})", ""), Format::Postman);
    EXPECT_EQ(detectFormat(R"({"log":{"entries":[]}})", ""), Format::Har);
    EXPECT_EQ(detectFormat("{}", "x.har"), Format::Har);  // the extension decides
    EXPECT_EQ(detectFormat(R"({"routes":[],"port":3000})", ""), Format::Mockoon);
    EXPECT_EQ(detectFormat("curl -X POST https://x/y", "curly.json"), Format::Curl);
    EXPECT_EQ(detectFormat("<wsdl:definitions xmlns:wsdl=\"x\"/>", ""), Format::Wsdl);
    EXPECT_EQ(detectFormat("anything", "service.wsdl"), Format::Wsdl);
    // A .json file is never read as YAML, and an unrecognised document is unknown.
    EXPECT_EQ(detectFormat("openapi: 3.0.0\n", "spec.json"), Format::Unknown);
    EXPECT_EQ(detectFormat("{ not json", ""), Format::Unknown);
    EXPECT_EQ(detectFormat(R"({"hello": 1})", ""), Format::Unknown);
    EXPECT_EQ(detectFormat("x", "notes.txt"), Format::Unknown);
    EXPECT_EQ(detectFormat("  mocks: []\n  version: '1.0'\n", "set.data"), Format::Mockd);
}

TEST(ImportFormats, ParsesFormatNamesWithAliases) {
    EXPECT_EQ(parseFormat("YAML"), Format::Mockd);
    EXPECT_EQ(parseFormat("native"), Format::Mockd);
    EXPECT_EQ(parseFormat("Swagger"), Format::OpenApi);
    EXPECT_EQ(parseFormat("oas"), Format::OpenApi);
    EXPECT_EQ(parseFormat("mockoon"), Format::Mockoon);
    EXPECT_EQ(parseFormat("insomnia"), Format::Unknown);
}

const Json kPetstore = Json::parse(R"({
  "openapi": "3.0.3", "info": {"title": "Pets"},
  "paths": {
    "/pets/{petId}": {
      "get": {"operationId": "getPet", "summary": "Get a pet",
        "responses": {
          "404": {"description": "no"},
          "200": {"description": "ok", "headers": {"X-Rate": {"schema": {"type": "integer", "minimum": 5, "maximum": 5}}},
                  "content": {"text/plain": {"example": "x"},
                              "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}},
      "delete": {"responses": {"204": {"description": "gone"}}}
    },
    "/pets": {
      "post": {"operationId": "addPet", "responses": {"default": {"description": "d"}}},
      "get": {"responses": {"200": {"content": {"application/json": {"examples": {"one": {"value": [{"id": 7}]}}}}}}}
    }
  },
  "components": {"schemas": {
    "Pet": {"type": "object", "required": ["id", "name"],
            "properties": {"id": {"type": "integer", "format": "int64", "minimum": 1},
                           "name": {"type": "string", "maxLength": 3},
                           "tag": {"type": "string", "enum": ["a", "b"]},
                           "owner": {"$ref": "#/components/schemas/Owner"}}},
    "Owner": {"type": "object", "properties": {"pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
                                                "email": {"type": "string", "format": "email"}}}
  }}
})");

TEST(OpenApiImport, OneMockPerOperationWithDeterministicChoices) {
    std::string text = kPetstore.dump();
    auto r = importDocument(text, Format::OpenApi, {});
    const Json& mocks = r.collection["mocks"];
    ASSERT_EQ(mocks.size(), 4u);
    EXPECT_EQ(r.collection["name"], "Pets");
    // Paths in lexical order, then GET, POST, PUT, DELETE, ...
    EXPECT_EQ(mocks[0]["http"]["matcher"], Json({{"method", "GET"}, {"path", "/pets"}}));
    EXPECT_EQ(mocks[1]["operationId"], "addPet");
    EXPECT_EQ(mocks[2]["name"], "Get a pet");
    EXPECT_EQ(mocks[3]["name"], "DELETE /pets/{petId}");

    // examples{} is used; default → 200 with mockd's default body.
    EXPECT_EQ(Json::parse(mocks[0]["http"]["response"]["body"].get<std::string>()),
              Json::parse(R"([{"id": 7}])"));
    EXPECT_EQ(mocks[1]["http"]["response"]["statusCode"], 200);
    EXPECT_EQ(Json::parse(mocks[1]["http"]["response"]["body"].get<std::string>()),
              Json({{"status", "ok"}}));

    // 200 over 404, JSON over text/plain, the schema honoured, recursion cut short.
    const Json& get = mocks[2]["http"]["response"];
    EXPECT_EQ(get["statusCode"], 200);
    EXPECT_EQ(get["headers"]["Content-Type"], "application/json");
    EXPECT_EQ(get["headers"]["X-Rate"], "5");
    Json pet = Json::parse(get["body"].get<std::string>());
    EXPECT_GE(pet["id"].get<int64_t>(), 1);
    EXPECT_LE(pet["name"].get<std::string>().size(), 3u);
    EXPECT_TRUE(pet["tag"] == "a" || pet["tag"] == "b");
    EXPECT_NE(pet["owner"]["email"].get<std::string>().find('@'), std::string::npos);
    EXPECT_EQ(pet["owner"]["pets"], Json::array());  // Pet inside Pet: cut short

    EXPECT_EQ(mocks[3]["http"]["response"]["statusCode"], 204);
    EXPECT_FALSE(mocks[3]["http"]["response"].contains("body"));

    // The same document and seed give the same mocks; ids are stable.
    EXPECT_EQ(importDocument(text, Format::OpenApi, {}).collection, r.collection);
    EXPECT_EQ(mocks[2]["id"], stableId("http_", "GET /pets/{petId}"));
}

TEST(OpenApiImport, SwaggerTwoUsesBasePathAndProduces) {
    Json doc =
        Json::parse(R"({"swagger": "2.0", "basePath": "/v2/", "produces": ["application/json"],
      "paths": {"/users": {"get": {"responses": {"200": {"schema": {"type": "array", "minItems": 2,
         "items": {"$ref": "#/definitions/User"}}}}}}},
      "definitions": {"User": {"type": "object", "properties": {"email": {"type": "string"}}}}})");
    auto r = importDocument(doc.dump(), Format::OpenApi, {});
    const Json& m = r.collection["mocks"][0];
    EXPECT_EQ(m["http"]["matcher"]["path"], "/v2/users");
    Json users = Json::parse(m["http"]["response"]["body"].get<std::string>());
    ASSERT_EQ(users.size(), 2u);
    EXPECT_NE(users[0]["email"].get<std::string>().find('@'), std::string::npos);
}

TEST(OpenApiImport, RefusesWhatIsNotASpec) {
    EXPECT_THROW(importDocument(R"({"openapi": "4.0", "paths": {"/a": {}}})", Format::OpenApi, {}),
                 ImportError);
    auto none = importDocument(R"({"openapi": "3.1.0", "webhooks": {}})", Format::OpenApi, {});
    EXPECT_TRUE(none.collection["mocks"].empty());
    ASSERT_EQ(none.warnings.size(), 1u);
    EXPECT_NE(none.warnings[0].find("no paths"), std::string::npos);
    EXPECT_THROW(importDocument("{nope", Format::OpenApi, {}), ImportError);
}

TEST(SchemaSampler, HonoursConstraints) {
    Json root = Json::object();
    SchemaSampler s(root, 7);
    EXPECT_EQ(
        s.sample(Json::parse(
            R"({"type": "integer", "minimum": 10, "exclusiveMinimum": true, "maximum": 11})")),
        11);
    EXPECT_EQ(s.sample(Json::parse(R"({"type": "integer", "minimum": 3, "multipleOf": 5})")), 5);
    EXPECT_EQ(s.sample(Json::parse(R"({"type": ["null", "boolean"], "const": true})")), true);
    EXPECT_EQ(
        s.sample(Json::parse(R"({"type": "string", "minLength": 9})")).get<std::string>().size(),
        9u);
    Json obj = s.sample(Json::parse(
        R"({"type": "object", "minProperties": 2, "additionalProperties": {"type": "integer", "maximum": 0}})"));
    ASSERT_EQ(obj.size(), 2u);
    EXPECT_LE(obj.begin()->get<int>(), 0);
    Json allOf = s.sample(
        Json::parse(R"({"allOf": [{"type": "object", "properties": {"a": {"type": "boolean"}}},
                                                    {"properties": {"b": {"type": "string", "format": "date"}}}]})"));
    EXPECT_TRUE(allOf["a"].is_boolean());
    EXPECT_EQ(allOf["b"], "2025-01-15");
    std::string id =
        s.sample(Json::parse(R"({"type": "string", "pattern": "^cus_[a-zA-Z0-9]{4}$"})"));
    EXPECT_EQ(id.size(), 8u);
    EXPECT_TRUE(id.starts_with("cus_"));
}

TEST(SchemaSampler, TagsOneOfBranchesWithTheirDiscriminator) {
    Json root = Json::parse(R"({"components": {"schemas": {
        "Cat": {"type": "object", "properties": {"kind": {"type": "string"}, "meow": {"type": "boolean"}}}}}})");
    SchemaSampler s(root, 1);
    Json v = s.sample(Json::parse(R"({"oneOf": [{"$ref": "#/components/schemas/Cat"}],
        "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat"}}})"));
    EXPECT_EQ(v["kind"], "cat");
    EXPECT_TRUE(v["meow"].is_boolean());
    EXPECT_TRUE(s.sample(Json::parse(R"({"$ref": "#/nope"})")).is_null());
    EXPECT_EQ(s.unresolvedRefs().count("#/nope"), 1u);
}

TEST(SchemaSample, ExamplesThatContradictTheirSchemaAreNotUsed) {
    Json root = Json::parse(R"({"components": {"schemas": {
        "DateTime": {"type": "string", "format": "date-time"},
        "Result": {"type": "object",
            "example": {"project": {"created": "1472660939.152", "name": "p"}},
            "properties": {"project": {"allOf": [{"$ref": "#/components/schemas/Project"}]}}},
        "Good": {"type": "object", "example": {"project": {"created": "2024-01-02T03:04:05Z"}},
            "properties": {"project": {"$ref": "#/components/schemas/Project"}}},
        "Project": {"type": "object", "properties": {
            "created": {"allOf": [{"$ref": "#/components/schemas/DateTime"}]},
            "name": {"type": "string"}}}}}})");
    SchemaSampler s(root, 1);
    Json bad = s.sample(root["components"]["schemas"]["Result"]);
    EXPECT_NE(bad["project"]["created"], "1472660939.152");  // generated instead
    EXPECT_TRUE(
        core::jsonSchemaFormatHolds("date-time", bad["project"]["created"].get<std::string>()))
        << bad;
    Json good = s.sample(root["components"]["schemas"]["Good"]);
    EXPECT_EQ(good["project"]["created"], "2024-01-02T03:04:05Z");  // the spec's own example
    EXPECT_FALSE(s.plausible(7, Json::parse(R"({"type": "string"})")));
    EXPECT_FALSE(s.plausible("x", Json::parse(R"({"enum": ["a"]})")));
    EXPECT_FALSE(
        s.plausible(Json::object(), Json::parse(R"({"type": "object", "required": ["a"]})")));
    EXPECT_TRUE(s.plausible(nullptr, Json::parse(R"({"type": "string", "nullable": true})")));
}

TEST(RegexSample, BuildsMatchingStrings) {
    std::mt19937_64 rng(3);
    for (const char* p : {"^[A-Z]{2}\\d{3}$", "(foo|bar)+baz", "^\\w+@\\w+\\.com$", "[^abc]x?",
                          "^(?:v[0-9]+)/(?<name>[a-z]{2,})$", "a{2,5}b*c+"}) {
        auto v = sampleForPattern(p, rng);
        ASSERT_TRUE(v.has_value()) << p;
    }
    EXPECT_FALSE(sampleForPattern("(a)\\1", rng).has_value());  // back-reference
    EXPECT_FALSE(sampleForPattern("(?=x)x", rng).has_value());  // look-ahead
    EXPECT_FALSE(sampleForPattern("[unclosed", rng).has_value());
}

TEST(RegexSample, GrowsToAMinimumLength) {
    std::mt19937_64 rng(3);
    EXPECT_EQ(sampleForPattern("^[0-9]+$", rng, 12)->size(), 12u);
    auto hex = sampleForPattern("^(?:[0-9a-fA-F][0-9a-fA-F])+$", rng, 16);
    ASSERT_TRUE(hex.has_value());
    EXPECT_EQ(hex->size(), 16u);
    auto arn = sampleForPattern("arn:(aws[a-zA-Z0-9-]*):cassandra:.+.*", rng, 20);
    ASSERT_TRUE(arn.has_value());
    EXPECT_GE(arn->size(), 20u);
    // It cannot grow: the shortest comes back, and the caller sees it does not fit.
    EXPECT_EQ(sampleForPattern("^[a-z]{3}$", rng, 10)->size(), 3u);
}

TEST(OpenApiPaths, FragmentsAreHeaderOrQueryConditions) {
    auto aws = splitPathKey("/#X-Amz-Target=AmazonAthena.ListWorkGroups");
    EXPECT_EQ(aws.path, "/");
    ASSERT_EQ(aws.conditions.size(), 1u);
    EXPECT_EQ(aws.conditions[0].name, "X-Amz-Target");
    EXPECT_EQ(*aws.conditions[0].value, "AmazonAthena.ListWorkGroups");
    conditionPlaces(aws.conditions, Json::object(), Json::object());
    EXPECT_EQ(aws.conditions[0].place, "header");
    auto q = splitPathKey("/api/v1/groups#searchQuery&limit!");
    EXPECT_EQ(q.path, "/api/v1/groups");
    ASSERT_EQ(q.conditions.size(), 2u);
    EXPECT_FALSE(q.conditions[0].value.has_value());
    EXPECT_TRUE(q.conditions[1].absent);
    conditionPlaces(q.conditions, Json::object(),
                    Json::parse(R"({"parameters": [{"name": "searchQuery", "in": "query"}]})"));
    EXPECT_EQ(q.conditions[0].place, "query");
    auto route = splitPathKey("/app#/users/{id}");  // a hash route: no conditions
    EXPECT_EQ(route.path, "/app");
    EXPECT_TRUE(route.conditions.empty());
}

TEST(OpenApiImport, FragmentOperationsAreReachableByRealClients) {
    auto imported = importDocument(R"({"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {
          "/#X-Amz-Target=Svc.ListThings": {"post": {"operationId": "ListThings", "responses": {"200": {"description": "ok"}}}},
          "/#X-Amz-Target=Svc.GetThing": {"post": {"operationId": "GetThing", "responses": {"200": {"description": "ok"}}}},
          "/items#Action=Describe": {"get": {"operationId": "Describe", "responses": {"200": {"description": "ok"}}}}}})",
                                   Format::OpenApi, {});
    const Json& mocks = imported.collection["mocks"];
    ASSERT_EQ(mocks.size(), 3u);
    for (const auto& m : mocks) {
        const Json& matcher = m["http"]["matcher"];
        EXPECT_EQ(matcher["path"].get<std::string>().find('#'), std::string::npos) << matcher;
        if (m["operationId"] == "GetThing") {
            EXPECT_EQ(matcher["path"], "/");
            EXPECT_EQ(matcher["headers"]["X-Amz-Target"], "Svc.GetThing");
        }
        if (m["operationId"] == "Describe") {
            EXPECT_EQ(matcher["queryParams"]["Action"], "Describe");
        }
    }
}

TEST(PostmanImport, FoldersVariablesAndPathVariables) {
    Json doc = Json::parse(
        R"({"info": {"name": "Shop", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
      "variable": [{"key": "base", "value": "https://api.example.com"}, {"key": "tok", "value": "abc"}],
      "item": [{"name": "Users", "item": [
         {"name": "Get user", "request": {"method": "get", "url": {"raw": "{{base}}/users/:id?v=1",
            "path": ["users", ":id"], "query": [{"key": "v", "value": "1"}, {"key": "off", "value": "x", "disabled": true}]},
            "header": [{"key": "Authorization", "value": "Bearer {{tok}}"}, {"key": "Accept", "value": "*/*"},
                       {"key": "X-Missing", "value": "{{nope}}"}]},
          "response": [{"code": 404, "header": [{"key": "X-A", "value": "1"}], "body": "{\"error\": \"none\"}"}]}]},
        {"name": "Health", "request": "https://api.example.com/health"}]})");
    auto r = importDocument(doc.dump(), Format::Postman, {});
    const Json& mocks = r.collection["mocks"];
    ASSERT_EQ(mocks.size(), 2u);
    const Json& m = mocks[0]["http"]["matcher"];
    EXPECT_EQ(m["path"], "/users/{id}");
    EXPECT_EQ(m["method"], "GET");
    EXPECT_EQ(m["queryParams"], Json({{"v", "1"}}));
    EXPECT_EQ(m["headers"], Json({{"Authorization", "Bearer abc"}}));
    EXPECT_EQ(mocks[0]["http"]["response"]["statusCode"], 404);
    EXPECT_EQ(mocks[1]["http"]["matcher"]["path"], "/health");
    EXPECT_EQ(mocks[1]["http"]["response"]["statusCode"], 200);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("X-Missing"), std::string::npos);
    EXPECT_THROW(importDocument(R"({"info": {"schema": "x"}, "item": []})", Format::Postman, {}),
                 ImportError);
}

TEST(HarImport, FirstEntryPerRouteWithoutStaticAssets) {
    Json doc = Json::parse(R"({"log": {"version": "1.2", "entries": [
      {"request": {"method": "GET", "url": "https://h/api/items?page=2"},
       "response": {"status": 200, "headers": [{"name": "content-type", "value": "x"}, {"name": "X-Id", "value": "9"},
                                               {"name": "Content-Encoding", "value": "gzip"}],
                    "content": {"mimeType": "application/json", "text": "eyJhIjoxfQ==", "encoding": "base64"}}},
      {"request": {"method": "GET", "url": "https://h/api/items?page=3"}, "response": {"status": 500}},
      {"request": {"method": "GET", "url": "https://h/app.js"}, "response": {"status": 200}},
      {"request": {"method": "POST", "url": "https://h/api/items"}, "response": {"status": 0}}]}})");
    auto r = importDocument(doc.dump(), Format::Har, {});
    ASSERT_EQ(r.collection["mocks"].size(), 1u);
    const Json& m = r.collection["mocks"][0]["http"];
    EXPECT_EQ(m["matcher"]["queryParams"], Json({{"page", "2"}}));
    EXPECT_EQ(m["response"]["body"], R"({"a":1})");
    EXPECT_EQ(m["response"]["headers"],
              Json({{"Content-Type", "application/json"}, {"X-Id", "9"}}));
    EXPECT_EQ(r.warnings.size(), 1u);  // the POST without a response
    ImportOptions all;
    all.includeStatic = true;
    EXPECT_EQ(importDocument(doc.dump(), Format::Har, all).collection["mocks"].size(), 2u);
}

TEST(CurlImport, ReadsMultiLineCommands) {
    auto r = importDocument(
        "curl -X POST 'https://api.example.com/v1/orders?dry=1' \\\n"
        "  -H 'Content-Type: application/json' -H \"X-Key: k 1\" \\\n"
        "  -u user:pw --data '{\"a\": 1}'",
        Format::Curl, {});
    const Json& m = r.collection["mocks"][0]["http"];
    EXPECT_EQ(m["matcher"]["path"], "/v1/orders");
    EXPECT_EQ(m["matcher"]["method"], "POST");
    EXPECT_EQ(m["matcher"]["queryParams"], Json({{"dry", "1"}}));
    EXPECT_EQ(m["matcher"]["headers"]["X-Key"], "k 1");
    EXPECT_EQ(m["matcher"]["headers"]["Authorization"], "Basic dXNlcjpwdw==");
    EXPECT_EQ(m["matcher"]["bodyEquals"], R"({"a": 1})");
    EXPECT_EQ(m["response"]["statusCode"], 201);
    EXPECT_EQ(m["response"]["headers"]["Content-Type"], "application/json");
    auto g = importDocument("curl -G https://x/search -d q=cats", Format::Curl, {});
    EXPECT_EQ(g.collection["mocks"][0]["http"]["matcher"]["queryParams"], Json({{"q", "cats"}}));
    EXPECT_EQ(g.collection["mocks"][0]["http"]["matcher"]["method"], "GET");
    EXPECT_THROW(importDocument("curl -s", Format::Curl, {}), ImportError);
    EXPECT_THROW(importDocument("curl 'open", Format::Curl, {}), ImportError);
}

TEST(MockoonImport, RoutesRulesTemplatesAndCrud) {
    Json doc = Json::parse(R"({"name": "Env", "endpointPrefix": "api", "latency": 5,
      "data": [{"id": "b1", "value": "[{\"id\": \"1\", \"n\": \"x\"}]"}],
      "routes": [
        {"uuid": "r1", "type": "http", "method": "get", "endpoint": "users/:id", "responses": [
           {"statusCode": 200, "body": "{\"id\": \"{{urlParam 'id'}}\", \"q\": \"{{queryParam 'q'}}\"}", "latency": 10,
            "headers": [{"key": "Content-Type", "value": "application/json"}], "rules": []},
           {"statusCode": 404, "body": "none", "rules": [{"target": "query", "modifier": "missing", "value": "1"}]}]},
        {"uuid": "r2", "type": "crud", "endpoint": "things", "documentation": "things",
         "responses": [{"databucketID": "b1"}]},
        {"uuid": "r3", "enabled": false, "method": "get", "endpoint": "off", "responses": [{}]}]})");
    auto r = importDocument(doc.dump(), Format::Mockoon, {});
    const Json& mocks = r.collection["mocks"];
    ASSERT_EQ(mocks.size(), 2u + 6u);
    EXPECT_EQ(mocks[0]["http"]["matcher"]["path"], "/api/users/{id}");
    EXPECT_EQ(mocks[0]["http"]["response"]["body"],
              R"({"id": "{{request.pathParam.id}}", "q": "{{request.query.q}}"})");
    EXPECT_EQ(mocks[0]["http"]["response"]["delayMs"], 15);
    EXPECT_EQ(mocks[1]["http"]["matcher"]["queryParams"]["missing"], "1");
    EXPECT_GT(mocks[1]["http"]["priority"].get<int>(), mocks[0]["http"]["priority"].get<int>());
    EXPECT_EQ(r.collection["tables"][0]["name"], "things");
    EXPECT_EQ(r.collection["tables"][0]["seedData"][0]["n"], "x");
    EXPECT_EQ(mocks[4]["http"]["matcher"]["path"], "/api/things/{id}");
    EXPECT_EQ(mocks[4]["http"]["statefulBinding"]["action"], "get");
}

TEST(WireMockImport, ConvertsWireMockStubs) {
    Json doc = Json::parse(R"({"mappings": [
        {"id": "s1", "name": "one", "priority": 1,
         "request": {"method": "POST", "url": "/a?x=1&y=2",
                     "headers": {"X-K": {"equalTo": "v"}, "X-C": {"contains": "mid"},
                                 "X-R": {"matches": "re.*"}},
                     "bodyPatterns": [{"contains": "urgent"}, {"equalToJson": {"a": 1}}]},
         "response": {"status": 201, "jsonBody": {"ok": true},
                      "headers": {"X-Out": "o"}, "fixedDelayMilliseconds": 30}},
        {"request": {"method": "ANY", "urlPathPattern": "/re/.*",
                     "queryParameters": {"q": {"equalTo": "cats"}}},
         "response": {"base64Body": "aGVsbG8="}},
        {"request": {"urlPathTemplate": "/users/{id}"}, "response": {"body": "u"}}
    ]})");
    std::vector<std::string> warnings;
    Json c = wireMockToCollection(doc, "/nonexistent", warnings);
    ASSERT_EQ(c["mocks"].size(), 3u);
    const Json& a = c["mocks"][0];
    EXPECT_EQ(a["id"], "s1");
    EXPECT_EQ(a["name"], "one");
    EXPECT_EQ(a["http"]["priority"], 4);
    const Json& m = a["http"]["matcher"];
    EXPECT_EQ(m["method"], "POST");
    EXPECT_EQ(m["path"], "/a");
    EXPECT_EQ(m["queryParams"], Json({{"x", "1"}, {"y", "2"}}));
    EXPECT_EQ(m["headers"], Json({{"X-K", "v"}, {"X-C", "*mid*"}}));
    EXPECT_EQ(m["bodyContains"], "urgent");
    const Json& r = a["http"]["response"];
    EXPECT_EQ(r["statusCode"], 201);
    EXPECT_EQ(r["body"], R"({"ok":true})");
    EXPECT_EQ(r["headers"]["Content-Type"], "application/json");
    EXPECT_EQ(r["headers"]["X-Out"], "o");
    EXPECT_EQ(r["delayMs"], 30);

    const Json& b = c["mocks"][1];
    EXPECT_EQ(b["id"], "wiremock-2");
    EXPECT_FALSE(b["http"]["matcher"].contains("method"));
    EXPECT_EQ(b["http"]["matcher"]["pathPattern"], "/re/.*");
    EXPECT_EQ(b["http"]["matcher"]["queryParams"]["q"], "cats");
    EXPECT_EQ(b["http"]["response"]["statusCode"], 200);
    EXPECT_EQ(b["http"]["response"]["body"], "hello");
    EXPECT_FALSE(b["http"].contains("priority"));

    EXPECT_EQ(c["mocks"][2]["http"]["matcher"]["path"], "/users/{id}");

    // X-R (matches) and equalToJson cannot be carried over: one warning each.
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_NE(warnings[0].find("X-R"), std::string::npos);
    EXPECT_NE(warnings[1].find("equalToJson"), std::string::npos);
}

TEST(WireMockImport, InlinesBodyFiles) {
    auto dir = std::filesystem::temp_directory_path() / "mockd_import_formats_test";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "greeting.txt") << "hi there";
    Json stub =
        Json::parse(R"({"request":{"url":"/g"},"response":{"bodyFileName":"greeting.txt"}})");
    std::vector<std::string> warnings;
    Json c = wireMockToCollection(stub, dir, warnings);
    EXPECT_EQ(c["mocks"][0]["http"]["response"]["body"], "hi there");
    EXPECT_TRUE(warnings.empty());
    std::filesystem::remove_all(dir);
}

TEST(WireMockImport, RefusesDocumentsWithoutStubs) {
    std::vector<std::string> warnings;
    EXPECT_THROW(wireMockToCollection(Json::parse(R"({"mappings": []})"), ".", warnings),
                 ImportError);
    EXPECT_THROW(wireMockToCollection(Json::parse(R"([{"response": {}}])"), ".", warnings),
                 ImportError);
}

}  // namespace
}  // namespace mockd::portability
