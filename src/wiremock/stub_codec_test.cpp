#include "wiremock/stub_codec.h"

#include <gtest/gtest.h>

#include "core/encoding.h"
#include "wiremock/request_pattern.h"

namespace mockd::wiremock {

namespace {
Json parse(const char* s) { return Json::parse(s); }

std::string pointerOf(const char* stub) {
    try {
        decodeStub(parse(stub), "/files", std::make_shared<Scenarios>());
    } catch (const PatternError& e) {
        return e.pointer();
    }
    return "(accepted)";
}
}  // namespace

TEST(StubCodec, EmptyStubMatchesAnythingWith200) {
    core::Mock m = decodeStub(Json::object(), "/files", std::make_shared<Scenarios>());
    EXPECT_TRUE(core::isUuid(m.id));
    ASSERT_TRUE(stubOf(m));
    EXPECT_EQ(m.response.statusCode, 200);
    EXPECT_EQ(stubOf(m)->priority, 5);
    auto out = encodeStub(m);
    EXPECT_EQ(out["id"], m.id);
    EXPECT_EQ(out["uuid"], m.id);
    EXPECT_EQ(out["request"]["method"], "ANY");
    EXPECT_EQ(out["response"]["status"], 200);
}

TEST(StubCodec, TimesIsMockdsExtension) {
    core::Mock m = decodeStub(parse(R"({"request":{"url":"/t"},"times":3})"), "/files",
                              std::make_shared<Scenarios>());
    EXPECT_EQ(m.times, 3u);
    EXPECT_EQ(encodeStub(m)["times"], 3);
    EXPECT_FALSE(
        decodeStub(parse(R"({"request":{"url":"/t"}})"), "/files", std::make_shared<Scenarios>())
            .times);
    EXPECT_FALSE(encodeStub(decodeStub(Json::object(), "/files", std::make_shared<Scenarios>()))
                     .contains("times"));
    EXPECT_EQ(pointerOf(R"({"times":0})"), "/times");
    EXPECT_EQ(pointerOf(R"({"times":-1})"), "/times");
    EXPECT_EQ(pointerOf(R"({"times":1.5})"), "/times");
    EXPECT_EQ(pointerOf(R"({"times":"2"})"), "/times");
}

TEST(StubCodec, ResponseForms) {
    auto m = decodeStub(parse(R"({"id":"8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7","name":"n",
        "priority":1,"request":{"method":"GET","url":"/a"},
        "response":{"status":201,"statusMessage":"Made","headers":{"X-A":["1","2"],"X-B":"b"},
                    "jsonBody":{"x":1},"fixedDelayMilliseconds":20}})"),
                        "/files", std::make_shared<Scenarios>());
    EXPECT_EQ(m.id, "8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7");
    EXPECT_EQ(m.name, "n");
    EXPECT_EQ(stubOf(m)->priority, 1);
    EXPECT_EQ(m.response.statusCode, 201);
    EXPECT_EQ(m.response.statusMessage, "Made");
    EXPECT_EQ(m.response.body, R"({"x":1})");
    EXPECT_EQ(m.response.delayMs, 20u);
    ASSERT_EQ(m.response.headers.size(), 3u);
    EXPECT_EQ(m.response.headers[0], (std::pair<std::string, std::string>{"X-A", "1"}));
    EXPECT_EQ(m.response.headers[1], (std::pair<std::string, std::string>{"X-A", "2"}));

    auto b = decodeStub(parse(R"({"response":{"base64Body":"aGVsbG8="}})"), "/files",
                        std::make_shared<Scenarios>());
    EXPECT_EQ(b.response.body, "hello");
    auto f = decodeStub(parse(R"({"response":{"bodyFileName":"dir/a.json"}})"), "/files",
                        std::make_shared<Scenarios>());
    EXPECT_EQ(f.response.bodyFile, "/files/dir/a.json");
}

TEST(StubCodec, UuidAliasAndBasicAuthAlias) {
    auto m = decodeStub(parse(R"({"uuid":"8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7",
        "request":{"basicAuth":{"username":"u","password":"p"}}})"),
                        "/f", std::make_shared<Scenarios>());
    EXPECT_EQ(m.id, "8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7");
    auto out = encodeStub(m);
    EXPECT_TRUE(out["request"].contains("basicAuthCredentials"));
    EXPECT_FALSE(out["request"].contains("basicAuth"));
}

TEST(StubCodec, ScenarioFields) {
    auto m = decodeStub(parse(R"({"scenarioName":"cart","requiredScenarioState":"Started",
        "newScenarioState":"added"})"),
                        "/f", std::make_shared<Scenarios>());
    EXPECT_EQ(stubOf(m)->scenario, "cart");
    EXPECT_EQ(stubOf(m)->requiredState, "Started");
    EXPECT_EQ(stubOf(m)->newState, "added");
    // Without a scenario name the states mean nothing.
    auto n =
        decodeStub(parse(R"({"requiredScenarioState":"x"})"), "/f", std::make_shared<Scenarios>());
    EXPECT_TRUE(stubOf(n)->requiredState.empty());
}

TEST(StubCodec, RejectsWhatWireMockRejects) {
    EXPECT_EQ(pointerOf(R"({"bogus":1})"), "/bogus");
    EXPECT_EQ(pointerOf(R"({"response":{"bodyx":"a"}})"), "/response/bodyx");
    EXPECT_EQ(pointerOf(R"({"id":"not-a-uuid"})"), "/id");
    EXPECT_EQ(pointerOf(R"({"response":{"base64Body":"%%%"}})"), "/response/base64Body");
    EXPECT_EQ(pointerOf(R"({"response":{"bodyFileName":"../etc/passwd"}})"),
              "/response/bodyFileName");
    EXPECT_EQ(pointerOf(R"({"response":{"body":"a","jsonBody":{}}})"), "/response");
    EXPECT_EQ(pointerOf(R"({"priority":"high"})"), "/priority");
    EXPECT_EQ(pointerOf(R"({"request":"GET /"})"), "/request");
    EXPECT_EQ(pointerOf(R"({"$schema":"x","persistent":true})"), "(accepted)");
}

TEST(StubCodec, MappingsWrapper) {
    EXPECT_EQ(stubsOf(parse(R"({"mappings":[{},{}]})")).size(), 2u);
    EXPECT_EQ(stubsOf(parse(R"({"request":{}})")).size(), 1u);
    EXPECT_THROW(stubsOf(parse(R"({"mappings":{}})")), PatternError);
}

TEST(StubCodec, ErrorBodyShape) {
    auto body = Json::parse(errorBody(10, "Error parsing JSON", "detail", "/request/urlx"));
    ASSERT_EQ(body["errors"].size(), 1u);
    EXPECT_EQ(body["errors"][0]["code"], 10);
    EXPECT_EQ(body["errors"][0]["source"]["pointer"], "/request/urlx");
    EXPECT_EQ(body["errors"][0]["title"], "Error parsing JSON");
    EXPECT_EQ(body["errors"][0]["detail"], "detail");
    auto bare = Json::parse(errorBody(10, "x is not a valid UUID"));
    EXPECT_FALSE(bare["errors"][0].contains("source"));
    auto syntax = Json::parse(errorBody(10, "Error parsing JSON", "bad", kSyntaxErrorPointer));
    EXPECT_EQ(syntax["errors"][0]["source"], Json::object());
}

}  // namespace mockd::wiremock
