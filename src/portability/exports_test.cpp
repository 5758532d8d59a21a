#include "portability/exports.h"

#include <gtest/gtest.h>

#include "portability/importers.h"

namespace mockd::portability {
namespace {

const Json kCollection = Json::parse(R"({"version": "1.0", "mocks": [
  {"id": "get-user", "name": "Get user", "type": "http", "http": {
     "matcher": {"method": "GET", "path": "/users/{id}", "queryParams": {"full": "1"}},
     "response": {"statusCode": 200, "headers": {"Content-Type": "application/json", "X-A": "1"},
                  "body": "{\"id\": 7}"}}},
  {"id": "make", "type": "http", "http": {
     "matcher": {"method": "POST", "path": "/users", "bodyContains": "name"},
     "response": {"statusCode": 201, "body": "made", "delayMs": 20}}},
  {"id": "re", "type": "http", "http": {"matcher": {"pathPattern": "^/x"}, "response": {}}},
  {"id": "ws", "type": "websocket", "websocket": {"path": "/ws"}}]})");

// The (method, path, status, body) of each mock of a collection.
std::vector<std::tuple<std::string, std::string, int, std::string>> answers(const Json& c) {
    std::vector<std::tuple<std::string, std::string, int, std::string>> out;
    for (const auto& m : c["mocks"]) {
        const Json& h = m["http"];
        std::string body = h["response"].value("body", "");
        auto parsed = Json::parse(body, nullptr, false);
        if (!parsed.is_discarded()) body = parsed.dump();
        out.emplace_back(h["matcher"].value("method", ""), h["matcher"].value("path", ""),
                         h["response"].value("statusCode", 200), body);
    }
    std::sort(out.begin(), out.end());
    return out;
}

TEST(Exports, OpenApiRoundTripKeepsEveryAnswer) {
    std::vector<std::string> warnings;
    Json spec = exportCollection(kCollection, ExportFormat::OpenApi, {}, warnings);
    EXPECT_EQ(spec["openapi"], "3.1.0");
    const Json& get = spec["paths"]["/users/{id}"]["get"];
    EXPECT_EQ(get["operationId"], "get-user");
    EXPECT_EQ(get["parameters"][0]["in"], "path");
    EXPECT_EQ(get["responses"]["200"]["content"]["application/json"]["example"]["id"], 7);
    EXPECT_EQ(get["responses"]["200"]["headers"]["X-A"]["example"], "1");
    ASSERT_EQ(warnings.size(), 2u);  // the pathPattern mock and the WebSocket mock
    auto back = importDocument(spec.dump(), Format::OpenApi, {});
    EXPECT_EQ(answers(back.collection),
              (decltype(answers(back.collection)){{"GET", "/users/{id}", 200, R"({"id":7})"},
                                                  {"POST", "/users", 201, "made"}}));
}

TEST(Exports, PostmanAndWireMockRoundTrips) {
    std::vector<std::string> warnings;
    Json postman = exportCollection(kCollection, ExportFormat::Postman, {}, warnings);
    EXPECT_EQ(postman["item"][0]["request"]["url"]["raw"], "{{baseUrl}}/users/:id?full=1");
    EXPECT_EQ(postman["item"][0]["request"]["url"]["variable"][0]["key"], "id");
    auto fromPostman = importDocument(postman.dump(), Format::Postman, {});
    auto fromWireMock =
        importDocument(exportCollection(kCollection, ExportFormat::WireMock, {}, warnings).dump(),
                       Format::WireMock, {});
    const auto want = decltype(answers(kCollection)){{"GET", "/users/{id}", 200, R"({"id":7})"},
                                                     {"POST", "/users", 201, "made"}};
    EXPECT_EQ(answers(fromPostman.collection), want);
    EXPECT_EQ(answers(fromWireMock.collection), want);
    EXPECT_EQ(fromWireMock.collection["mocks"][0]["http"]["matcher"]["queryParams"]["full"], "1");
}

TEST(Exports, InsomniaHasOneRequestPerHttpMock) {
    std::vector<std::string> warnings;
    ExportOptions o;
    o.baseUrl = "http://localhost:1234";
    Json doc = exportCollection(kCollection, ExportFormat::Insomnia, o, warnings);
    EXPECT_EQ(doc["__export_format"], 4);
    EXPECT_EQ(doc["resources"][1]["data"]["base_url"], "http://localhost:1234");
    ASSERT_EQ(doc["resources"].size(), 5u);
    EXPECT_EQ(doc["resources"][3]["url"], "{{ _.base_url }}/users/1");
    EXPECT_EQ(doc["resources"][3]["parameters"][0]["name"], "full");
    EXPECT_EQ(parseExportFormat("OAS"), ExportFormat::OpenApi);
    EXPECT_EQ(parseExportFormat("har"), ExportFormat::Unknown);
}

}  // namespace
}  // namespace mockd::portability
