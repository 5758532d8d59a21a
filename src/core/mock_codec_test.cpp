// The mockd codec's `responses`, `responsesMode` and `times`: decoding, errors and round trips.
#include "core/mock_codec.h"

#include <gtest/gtest.h>

#include "core/errors.h"

namespace mockd::core {
namespace {

Mock decode(const std::string& http) {
    return decodeMock(
        Json::parse(R"({"id":"m","type":"http","http":{"matcher":{"path":"/p"})" + http + "}}"),
        "mock", {});
}

// The field and message of the error decoding `http` gives.
std::string errorOf(const std::string& http) {
    try {
        decode(http);
    } catch (const FieldError& e) {
        return e.field() + ": " + e.what();
    }
    return "(no error)";
}

TEST(MockCodecSequence, DecodesResponsesAndMode) {
    Mock m = decode(
        R"(,"responses":[{"statusCode":201},{"statusCode":500,"body":"x"}],"responsesMode":"cycle","times":4)");
    ASSERT_EQ(m.responses.size(), 2u);
    EXPECT_EQ(m.responses[1].statusCode, 500);
    EXPECT_EQ(m.response.statusCode, 201);  // the first of the sequence
    EXPECT_EQ(m.responsesMode, SequenceMode::Cycle);
    EXPECT_EQ(m.times, 4u);
}

TEST(MockCodecSequence, DefaultsToStickAtLastAndNoLimit) {
    Mock m = decode(R"(,"responses":[{"statusCode":201}])");
    EXPECT_EQ(m.responsesMode, SequenceMode::Last);
    EXPECT_FALSE(m.times);
    EXPECT_FALSE(decode("").times);
}

TEST(MockCodecSequence, RoundTrips) {
    Mock m = decode(R"(,"responses":[{"statusCode":201},{"statusCode":202}],"times":3)");
    Json j = encodeMock(m);
    EXPECT_FALSE(j["http"].contains("response"));
    EXPECT_EQ(j["http"]["responses"].size(), 2u);
    EXPECT_EQ(j["http"]["responsesMode"], "last");
    EXPECT_EQ(j["http"]["times"], 3);
    Mock back = decodeMock(j, "mock", {});
    EXPECT_EQ(back.responses.size(), 2u);
    EXPECT_EQ(back.times, 3u);
}

TEST(MockCodecSequence, LegacyShapeAcceptsThemToo) {
    Mock m = decodeMock(
        Json::parse(
            R"({"id":"l","matcher":{"path":"/l"},"responses":[{"statusCode":204}],"times":1})"),
        "mock", {});
    EXPECT_EQ(m.responses.size(), 1u);
    EXPECT_EQ(m.times, 1u);
}

TEST(MockCodecSequence, RejectsBadInputClearly) {
    EXPECT_EQ(errorOf(R"(,"responses":[])"),
              "mock.http.responses: must list at least one response (or use response for a "
              "single one)");
    EXPECT_EQ(errorOf(R"(,"responses":{"statusCode":200})"),
              "mock.http.responses: must be an array of responses, not an object");
    EXPECT_EQ(errorOf(R"(,"response":{},"responses":[{}])"),
              "mock.http.responses: cannot be given together with response; put every response "
              "of the sequence in responses");
    EXPECT_EQ(errorOf(R"(,"responses":[{"statusCode":99}])"),
              "mock.http.responses[0].statusCode: must be between 100 and 599, not 99");
    EXPECT_EQ(errorOf(R"(,"responses":[{}],"responsesMode":"loop")"),
              "mock.http.responsesMode: must be \"last\" (repeat the last response) or \"cycle\" "
              "(start again), not \"loop\"");
    EXPECT_EQ(errorOf(R"(,"responsesMode":"cycle")"),
              "mock.http.responsesMode: needs responses (a response sequence)");
    EXPECT_EQ(errorOf(R"(,"times":0)"),
              "mock.http.times: must be 1 or more, not 0 (to stop a mock from matching, set "
              "enabled: false)");
    EXPECT_EQ(errorOf(R"(,"times":-3)"),
              "mock.http.times: must be 1 or more, not -3 (to stop a mock from matching, set "
              "enabled: false)");
    EXPECT_EQ(errorOf(R"(,"times":2.5)"),
              "mock.http.times: must be a whole number of matches (1 or more), not 2.5");
    EXPECT_EQ(errorOf(R"(,"times":"5")"),
              "mock.http.times: must be a whole number of matches (1 or more), not a string");
    EXPECT_EQ(errorOf(R"(,"times":true)"),
              "mock.http.times: must be a whole number of matches (1 or more), not a boolean");
    EXPECT_EQ(errorOf(R"(,"times":1e300)"),
              "mock.http.times: must be a whole number of matches (1 or more), not 1e+300");
    EXPECT_EQ(decode(R"(,"times":2.0)").times, 2u);
    EXPECT_EQ(decode(R"(,"times":18446744073709551615)").times, uint64_t{INT64_MAX});
}

// Mock types and HTTP fields not served yet are refused by name, never accepted and served as
// something else.
TEST(MockCodecUnbuilt, OtherMockTypesAreRefusedNamingTheType) {
    for (std::string type : {"websocket", "graphql", "grpc", "mqtt", "soap", "oauth"}) {
        try {
            decodeMock(Json::parse(R"({"type":")" + type + R"(",")" + type + R"(":{"path":"/x"}})"),
                       "mocks[0]", {});
            ADD_FAILURE() << type << " was accepted";
        } catch (const FieldError& e) {
            EXPECT_EQ(e.field(), "mocks[0].type");
            EXPECT_NE(std::string(e.what()).find("\"" + type + "\" is not supported yet"),
                      std::string::npos)
                << e.what();
        }
    }
}

TEST(MockCodecUnbuilt, StreamFieldsWithoutTheirProtocolAreRefused) {
    EXPECT_EQ(errorOf(R"(,"sse":{"events":[{"data":"x"}]})"),
              "mock.http.sse: is not supported yet (server-sent event streams)");
    EXPECT_EQ(errorOf(R"(,"chunked":{"chunks":["a"]})"),
              "mock.http.chunked: is not supported yet (chunked and NDJSON streams)");
    // Validation is part of the HTTP mock: decoded here, its bad rules named by field.
    EXPECT_EQ(errorOf(R"(,"validation":{"mode":"strict"})"), "(no error)");
    EXPECT_EQ(errorOf(R"(,"validation":{"fields":{"a":{"type":"text"}}})"),
              "mock.http.validation.fields.a.type: must be string, number, integer, boolean, "
              "array or object");
    EXPECT_EQ(errorOf(R"(,"sse":null)"), "(no error)");  // null is absent
}

TEST(MockCodecUnbuilt, AProtocolBlockBesideHttpIsRefused) {
    try {
        decodeMock(Json::parse(R"({"type":"http","http":{"matcher":{"path":"/p"}},"grpc":{}})"),
                   "m", {});
        ADD_FAILURE() << "accepted";
    } catch (const FieldError& e) {
        EXPECT_EQ(e.field(), "m.grpc");
    }
}

}  // namespace
}  // namespace mockd::core
