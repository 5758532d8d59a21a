// The mock-type seam: a protocol's codec reads and writes the block of its type, and mocks of
// types no protocol serves are refused by name.
#include <gtest/gtest.h>

#include "core/errors.h"
#include "core/mock_codec.h"

namespace mockd::core {
namespace {

// A type of the test's own ("probe"): its block holds one string, kept in `extra`.
class ProbeCodec final : public MockTypeCodec {
  public:
    std::string_view type() const override { return "probe"; }
    void decode(const Json& block, const std::string& where, const DecodeContext&,
                Mock& m) const override {
        auto it = block.find("topic");
        if (it == block.end() || !it->is_string())
            throw FieldError(where + ".topic", "is required (a string)");
        m.extra["probeTopic"] = *it;
    }
    Json encode(const Mock& m) const override { return {{"topic", m.extra.at("probeTopic")}}; }
};

std::string errorOf(const char* text) {
    try {
        decodeMock(Json::parse(text), "mock", {});
    } catch (const FieldError& e) {
        return e.field() + ": " + e.what();
    }
    return "(no error)";
}

struct WithProbe : ::testing::Test {
    static void SetUpTestSuite() { addMockType(std::make_shared<ProbeCodec>()); }
};

TEST_F(WithProbe, ItsCodecDecodesAndEncodesItsBlock) {
    Mock m = decodeMock(Json::parse(R"({"id":"p1","type":"probe","probe":{"topic":"t/1"}})"),
                        "mock", {});
    EXPECT_EQ(m.type, "probe");
    EXPECT_EQ(m.extra["probeTopic"], "t/1");
    Json back = encodeMock(m);
    EXPECT_EQ(back["probe"], Json({{"topic", "t/1"}}));
    EXPECT_EQ(back["type"], "probe");
    EXPECT_FALSE(back.contains("http"));
}

TEST_F(WithProbe, AMockWithoutTypeTakesTheTypeOfItsBlock) {
    Mock m = decodeMock(Json::parse(R"({"probe":{"topic":"x"}})"), "mock", {});
    EXPECT_EQ(m.type, "probe");
    EXPECT_EQ(m.id.rfind("probe_", 0), 0u) << m.id;
}

TEST_F(WithProbe, ItsErrorsNameTheField) {
    EXPECT_EQ(errorOf(R"({"type":"probe","probe":{}})"),
              "mock.probe.topic: is required (a string)");
    EXPECT_EQ(errorOf(R"({"type":"probe"})"), "mock.probe: is required for a mock of type probe");
}

TEST_F(WithProbe, ABlockOfAnotherServedTypeIsRefused) {
    EXPECT_EQ(errorOf(R"({"type":"http","http":{"matcher":{"path":"/"}},"probe":{"topic":"x"}})"),
              "mock.probe: belongs to a mock of type probe, not http");
}

TEST(MockTypes, HttpIsServedFromTheStart) {
    ASSERT_NE(findMockType("http"), nullptr);
    EXPECT_EQ(findMockType("http"), httpMockType().get());
    EXPECT_EQ(findMockType("nosuch"), nullptr);
}

TEST(MockTypes, TypesNoProtocolServesAreRefusedByName) {
    EXPECT_EQ(errorOf(R"({"type":"mqtt","mqtt":{}})"),
              "mock.type: mock type \"mqtt\" is not supported yet (only http mocks are served so "
              "far)");
    EXPECT_EQ(errorOf(R"({"type":"http","http":{"matcher":{"path":"/"}},"grpc":{}})"),
              "mock.grpc: is not supported yet (only http mocks are served so far)");
    EXPECT_EQ(errorOf(R"({"type":"carrier-pigeon"})"),
              "mock.type: unknown mock type \"carrier-pigeon\" (http, websocket, graphql, grpc, "
              "soap, mqtt or oauth)");
}

}  // namespace
}  // namespace mockd::core
