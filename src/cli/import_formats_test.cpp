#include "cli/import_formats.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli/admin_client.h"

namespace mockd::cli {
namespace {

using Json = nlohmann::json;

TEST(ImportFormats, DetectsFormats) {
    EXPECT_EQ(detectImportFormat(R"({"version":"1.0","mocks":[]})"), "mockd");
    EXPECT_EQ(detectImportFormat("version: \"1.0\"\nmocks: []\n"), "mockd");
    EXPECT_EQ(detectImportFormat(R"({"request":{"method":"GET"},"response":{"status":200}})"),
              "wiremock");
    EXPECT_EQ(detectImportFormat(R"(  {"mappings":[]})"), "wiremock");
    EXPECT_EQ(detectImportFormat(R"([{"request":{"url":"/a"},"response":{}}])"), "wiremock");
    EXPECT_EQ(detectImportFormat(R"({"openapi":"3.0.0","paths":{}})"), "openapi");
    EXPECT_EQ(detectImportFormat("openapi: 3.0.0\npaths: {}\n"), "openapi");
    EXPECT_EQ(detectImportFormat(R"({"swagger":"2.0"})"), "openapi");
    EXPECT_EQ(detectImportFormat(R"({"info":{},"item":[]})"), "postman");
    EXPECT_EQ(detectImportFormat(R"({"log":{"entries":[]}})"), "har");
    EXPECT_EQ(detectImportFormat(R"({"routes":[],"port":3000})"), "mockoon");
    EXPECT_EQ(detectImportFormat("curl -X POST https://x/y"), "curl");
    EXPECT_EQ(detectImportFormat("<wsdl:definitions xmlns:wsdl=\"x\"/>"), "wsdl");
    EXPECT_EQ(detectImportFormat("{ not json"), "mockd");
}

TEST(ImportFormats, ConvertsWireMockStubs) {
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

TEST(ImportFormats, InlinesBodyFiles) {
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

TEST(ImportFormats, RefusesDocumentsWithoutStubs) {
    std::vector<std::string> warnings;
    EXPECT_THROW(wireMockToCollection(Json::parse(R"({"mappings": []})"), ".", warnings),
                 ClientError);
    EXPECT_THROW(wireMockToCollection(Json::parse(R"([{"response": {}}])"), ".", warnings),
                 ClientError);
}

}  // namespace
}  // namespace mockd::cli
