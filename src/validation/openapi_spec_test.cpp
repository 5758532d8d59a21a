#include "validation/openapi_spec.h"

#include <gtest/gtest.h>

#include "core/yaml_json.h"

namespace mockd::validation {
namespace {

const char* kPetstore = R"(
openapi: 3.0.3
info: {title: pets, version: "1"}
servers: [{url: "https://api.example.com/v1"}]
paths:
  /pets:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
        - {name: tags, in: query, schema: {type: array, items: {type: string, enum: [a, b]}}}
        - {name: X-Team, in: header, required: true, schema: {type: string, pattern: "^[a-z]+$"}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      responses:
        "201": {description: created}
  /pets/{id}:
    parameters:
      - {$ref: "#/components/parameters/Id"}
    get:
      responses:
        "200": {description: ok}
        default: {description: error}
  /pets/mine:
    get:
      responses:
        "200": {description: ok}
  /files/{name}.{ext}:
    get:
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
        - {name: ext, in: path, required: true, schema: {type: string, enum: [json, xml]}}
      responses:
        "200": {description: ok}
components:
  parameters:
    Id: {name: id, in: path, required: true, schema: {type: integer, format: int64}}
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string, minLength: 1}
        tag: {type: string, nullable: true}
)";

struct Fixture : ::testing::Test {
    std::vector<std::string> warnings;
    std::shared_ptr<const OpenApiSpec> spec =
        OpenApiSpec::load(core::parseYaml(kPetstore), warnings, true);
    std::string target, body;
    std::vector<core::Header> headers;

    std::vector<ValidationProblem> check(std::string method, std::string t, std::string b = "") {
        target = std::move(t);
        body = std::move(b);
        core::Request req;
        methodText = std::move(method);
        req.method = methodText;
        req.target = target;
        const size_t q = target.find('?');
        req.rawPath = std::string_view(target).substr(0, q);
        req.path = req.rawPath;
        if (q != std::string::npos) req.rawQuery = std::string_view(target).substr(q + 1);
        req.headers = headers;
        req.body = body;
        return spec->checkRequest(req);
    }
    std::string methodText;
};

std::string codes(const std::vector<ValidationProblem>& ps) {
    std::string out;
    for (const auto& p : ps)
        out += (out.empty() ? "" : ",") + p.location + ":" + p.field + ":" + p.code;
    return out;
}

TEST_F(Fixture, LoadsEveryOperation) {
    EXPECT_EQ(spec->operationCount(), 5u);
    EXPECT_TRUE(warnings.empty()) << warnings[0];
}

TEST_F(Fixture, GoodRequestsPass) {
    headers = {{"x-team", "core"}};
    EXPECT_EQ(codes(check("GET", "/pets?limit=10&tags=a&tags=b")), "");
    headers = {{"Content-Type", "application/json"}};
    EXPECT_EQ(codes(check("POST", "/pets", R"({"name":"rex","tag":null})")), "");
    EXPECT_EQ(codes(check("GET", "/pets/42")), "");
    EXPECT_EQ(codes(check("GET", "/v1/pets/42")), "");  // under the server's base path
    EXPECT_EQ(codes(check("GET", "/files/report.json")), "");
    EXPECT_EQ(codes(check("HEAD", "/pets/mine")), "");  // HEAD as GET
}

TEST_F(Fixture, EveryViolationIsListed) {
    headers = {};
    auto ps = check("GET", "/pets?limit=0&tags=c");
    EXPECT_EQ(codes(ps), "query:limit:schema,query:tags.0:schema,header:X-Team:required");
    headers = {{"X-TEAM", "Core"}};
    EXPECT_EQ(codes(check("GET", "/pets?limit=abc")), "query:limit:schema,header:X-Team:schema");
}

TEST_F(Fixture, PathValuesAreCoercedAndLiteralPathsWin) {
    EXPECT_EQ(codes(check("GET", "/pets/abc")), "path:id:schema");
    EXPECT_EQ(codes(check("GET", "/pets/mine")), "");
    EXPECT_EQ(codes(check("GET", "/files/report.csv")), "path:ext:schema");
}

TEST_F(Fixture, Bodies) {
    headers = {{"Content-Type", "application/json"}};
    EXPECT_EQ(codes(check("POST", "/pets")), "body::required");
    EXPECT_EQ(codes(check("POST", "/pets", "{")), "body::invalid_json");
    // readOnly id is not required in a request; the name's rules are.
    auto ps = check("POST", "/pets", R"({"name":"","tag":5})");
    EXPECT_EQ(codes(ps), "body:$.name:schema,body:$.tag:schema");
    // The server assigns the id: a client that sends one breaks the spec.
    EXPECT_EQ(codes(check("POST", "/pets", R"({"id":3,"name":"rex"})")), "body:$.id:schema");
    headers = {{"Content-Type", "text/plain"}};
    EXPECT_EQ(codes(check("POST", "/pets", "rex")), "header:Content-Type:content_type");
}

TEST_F(Fixture, NoRoute) {
    auto ps = check("GET", "/cats");
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_EQ(ps[0].code, "no_route");
    ps = check("DELETE", "/pets");
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_NE(ps[0].message.find("no DELETE operation"), std::string::npos);
}

TEST_F(Fixture, Responses) {
    core::Request req;
    req.method = "GET";
    req.rawPath = "/pets";
    EXPECT_TRUE(
        spec->checkResponse(req, 200, "application/json", R"([{"id":1,"name":"a"}])").empty());
    auto ps = spec->checkResponse(req, 200, "application/json", R"([{"id":1,"name":"a","tag":3}])");
    EXPECT_EQ(codes(ps), "response:$[0].tag:schema");
    // The server must send the readOnly id it assigns.
    ps = spec->checkResponse(req, 200, "application/json", R"([{"name":"a"}])");
    EXPECT_EQ(codes(ps), "response:$[0]:schema");
    EXPECT_EQ(codes(spec->checkResponse(req, 404, "", "")), "response:status:status");
    req.rawPath = "/pets/1";
    EXPECT_TRUE(spec->checkResponse(req, 500, "", "").empty());  // default
}

TEST(OpenApiSpec, Swagger2Parameters) {
    const char* doc = R"({
      "swagger": "2.0", "basePath": "/api", "info": {"title": "t", "version": "1"},
      "paths": {"/items/{id}": {"put": {
        "consumes": ["application/json"],
        "parameters": [
          {"name": "id", "in": "path", "required": true, "type": "integer"},
          {"name": "ids", "in": "query", "type": "array", "items": {"type": "integer"},
           "collectionFormat": "pipes"},
          {"name": "body", "in": "body", "required": true,
           "schema": {"type": "object", "required": ["n"], "properties": {"n": {"type": "number", "x-nullable": true}}}}],
        "responses": {"200": {"description": "ok", "schema": {"type": "object"}}}}}}})";
    std::vector<std::string> warnings;
    auto spec = OpenApiSpec::load(core::Json::parse(doc), warnings, true);
    core::Request req;
    req.method = "PUT";
    req.rawPath = "/api/items/7";
    req.rawQuery = "ids=1|2|x";
    std::vector<core::Header> headers = {{"Content-Type", "application/json"}};
    req.headers = headers;
    req.body = R"({"n":null})";
    EXPECT_EQ(codes(spec->checkRequest(req)), "query:ids.2:schema");
    req.body = R"({})";
    req.rawQuery = "";
    EXPECT_EQ(codes(spec->checkRequest(req)), "body::schema");  // the body itself: no field
}

TEST(OpenApiSpec, OperationsToldApartByAFragmentsHeader) {
    std::vector<std::string> w;
    auto spec = OpenApiSpec::load(core::parseYaml(R"(
openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  "/#X-Amz-Target=Svc.Get":
    post:
      requestBody:
        required: true
        content: {application/json: {schema: {type: object, required: [Id]}}}
      responses: {"200": {description: ok}}
  "/#X-Amz-Target=Svc.List":
    post:
      requestBody:
        content: {application/json: {schema: {type: object, properties: {Max: {type: integer}}}}}
      responses: {"200": {description: ok}}
)"),
                                  w);
    core::Request req;
    req.method = "POST";
    req.rawPath = "/";
    std::vector<core::Header> headers = {{"X-Amz-Target", "Svc.List"},
                                         {"Content-Type", "application/json"}};
    req.headers = headers;
    req.body = R"({"Max": 5})";
    EXPECT_EQ(codes(spec->checkRequest(req)), "");
    headers[0].value = "Svc.Get";
    req.headers = headers;
    EXPECT_EQ(codes(spec->checkRequest(req)), "body::schema");  // Get requires Id
}

TEST(OpenApiSpec, FormBodiesAndDeepObjectsInBracketNotation) {
    std::vector<std::string> w;
    auto spec = OpenApiSpec::load(core::parseYaml(R"(
openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  /customers:
    post:
      parameters:
        - name: filter
          in: query
          style: deepObject
          schema: {type: object, additionalProperties: false, properties: {age: {type: integer}}}
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {$ref: "#/components/schemas/New"}
      responses: {"200": {description: ok}}
components:
  schemas:
    New:
      type: object
      additionalProperties: false
      properties:
        email: {type: string}
        limit: {type: integer}
        metadata: {type: object, additionalProperties: {type: string}}
        expand: {type: array, items: {type: string}}
        items: {type: array, items: {type: object, properties: {qty: {type: integer}}}}
)"),
                                  w);
    EXPECT_TRUE(w.empty());
    core::Request req;
    req.method = "POST";
    req.rawPath = "/customers";
    req.rawQuery = "filter[age]=30";
    std::vector<core::Header> headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    req.headers = headers;
    req.body = "email=a%40b.co&limit=5&metadata[tier]=gold&expand[]=x&expand[]=y&items[0][qty]=2";
    EXPECT_EQ(codes(spec->checkRequest(req)), "");
    req.rawQuery = "filter[age]=old";
    req.body = "limit=x&items[0][qty]=z&extra=1";
    EXPECT_EQ(codes(spec->checkRequest(req)),
              "query:filter.age:schema,body:$.items[0].qty:schema,body:$.limit:schema,"
              "body::schema");  // the last: `extra` is no property of the form
}

TEST(OpenApiSpec, RefusesWhatIsNotASpec) {
    std::vector<std::string> w;
    EXPECT_THROW(OpenApiSpec::load(core::Json::array(), w), std::runtime_error);
    EXPECT_THROW(OpenApiSpec::load({{"openapi", "2.0"}, {"paths", core::Json::object()}}, w),
                 std::runtime_error);
    EXPECT_THROW(OpenApiSpec::load({{"openapi", "3.0.0"}}, w), std::runtime_error);
}

TEST(OpenApiSpec, ExternalRefsAreWarnedNotGuessed) {
    std::vector<std::string> w;
    auto spec = OpenApiSpec::load(core::parseYaml(R"(
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "other.yaml#/Thing"}
      responses: {"200": {description: ok}}
)"),
                                  w);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NE(w[0].find("other.yaml#/Thing points outside the document: not checked"),
              std::string::npos)
        << w[0];
    core::Request req;
    req.method = "POST";
    req.rawPath = "/a";
    req.body = "[1]";
    EXPECT_EQ(codes(spec->checkRequest(req)), "");  // not checked, not guessed
}

}  // namespace
}  // namespace mockd::validation
