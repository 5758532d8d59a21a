#include "wiremock/recorder.h"

#include <gtest/gtest.h>

namespace mockd::wiremock {

namespace {
// The pointer and detail a record spec is refused with, or "(accepted)".
std::pair<std::string, std::string> refusal(const char* spec) {
    try {
        parseRecordSpec(OJson::parse(spec));
    } catch (const PatternError& e) {
        return {e.pointer(), e.what()};
    }
    return {"(accepted)", ""};
}

Exchange get(std::string url, std::string body, Headers responseHeaders = {}) {
    Exchange e;
    e.method = "GET";
    e.url = url;
    auto q = url.find('?');
    e.path = url.substr(0, q);
    if (q != std::string::npos) e.query = url.substr(q + 1);
    e.proxied = true;
    e.status = 200;
    e.responseBody = std::move(body);
    e.responseHeaders = std::move(responseHeaders);
    return e;
}
}  // namespace

TEST(RecordSpec, DefaultsAreWireMocks) {
    RecordSpec s = parseRecordSpec(OJson::object());
    EXPECT_TRUE(s.persist);
    EXPECT_TRUE(s.repeatsAsScenarios);
    EXPECT_FALSE(s.idsOutput);
    EXPECT_FALSE(s.extractThresholds);
    EXPECT_EQ(s.bodyMatcher, RecordSpec::BodyMatcher::Auto);
}

TEST(RecordSpec, RefusesWhatWireMockRefuses) {
    EXPECT_EQ(refusal(R"({"bogus":1})").first, "/bogus");
    EXPECT_EQ(refusal(R"({"bogus":1})").second,
              "Unrecognized field \"bogus\" (class "
              "com.github.tomakehurst.wiremock.recording.RecordSpec), not marked as ignorable");
    EXPECT_EQ(refusal(R"({"outputFormat":"XYZ"})"),
              std::make_pair(std::string("/outputFormat"), std::string("Invalid output format")));
    EXPECT_EQ(refusal(R"({"persist":"x"})").first, "/persist");
    EXPECT_EQ(refusal(R"({"captureHeaders":{"A":{"bad":1}}})").first, "/captureHeaders/A/bad");
    EXPECT_EQ(
        refusal(R"({"requestBodyPattern":{"matcher":"equalTo","ignoreArrayOrder":true}})").first,
        "/requestBodyPattern/ignoreArrayOrder");
    EXPECT_EQ(refusal(R"({"extractBodyCriteria":{"textSizeThreshold":"abc"}})").second,
              "Invalid size string: \"abc\"");
    EXPECT_EQ(refusal(R"({"filters":{"ids":["zz"]}})").first, "/filters/ids/0");
    EXPECT_EQ(refusal("[]").first, "/");
    // WireMock reads filters unwrapped: fields a request pattern lacks are ignored.
    EXPECT_EQ(refusal(R"({"filters":{"urlx":"/"}})").first, "(accepted)");
    EXPECT_EQ(refusal(R"({"outputFormat":"ids"})").first, "(accepted)");
    EXPECT_EQ(refusal(R"({"requestBodyPattern":{"matcher":"nope"}})").first, "(accepted)");
}

TEST(RecordSpec, SizesReadAsWireMockReadsThem) {
    auto t = [](const char* v) {
        std::string spec =
            std::string(R"({"extractBodyCriteria":{"textSizeThreshold":)") + v + "}}";
        return parseRecordSpec(OJson::parse(spec)).extractThresholds->first;
    };
    EXPECT_EQ(t("12"), 12);
    EXPECT_EQ(t(R"("1.5 kb")"), 1536);
    EXPECT_EQ(t(R"("2,5 KB")"), 2560);
    EXPECT_EQ(t(R"("1 M")"), 1024 * 1024);
    // An absent threshold never extracts.
    EXPECT_EQ(
        parseRecordSpec(OJson::parse(R"({"extractBodyCriteria":{}})")).extractThresholds->second,
        INT64_MAX);
}

TEST(RecorderNames, FollowWireMocksRules) {
    EXPECT_EQ(safeNameFromPath("/api/items/1"), "api_items_1");
    EXPECT_EQ(safeNameFromPath("/q3/a b/C.json"), "q3_a-b_c.json");
    EXPECT_EQ(safeNameFromPath("/"), "");
    EXPECT_EQ(pathParts("/api//items/1/"), "api-items-1");
    EXPECT_EQ(pathParts("/"), "");
    EXPECT_EQ(fileExtension("/x", "application/json; charset=utf-8", "{}"), "json");
    EXPECT_EQ(fileExtension("/x", "text/plain", "{}"), "txt");
    EXPECT_EQ(fileExtension("/x", "image/png", ""), "png");
    EXPECT_EQ(fileExtension("/a/b.csv?x=1", "application/octet-stream", "1,2"), "csv");
    EXPECT_EQ(fileExtension("/x", "", "[1]"), "json");
    EXPECT_EQ(fileExtension("/x", "", "<a/>"), "xml");
    EXPECT_EQ(fileExtension("/x", "", "form"), "txt");
    // UUID.nameUUIDFromBytes("ZsGtQ"), the id WireMock gave the mapping recorded as ZsGtQ.
    EXPECT_EQ(nameUuid("ZsGtQ"), "66223993-95be-38cf-a6cf-1359f80f5476");
    EXPECT_EQ(veryShortId().size(), 5u);
}

TEST(RecorderStubs, QueryBecomesExactParametersAndTextBodyStaysInline) {
    RecordSpec spec;
    auto stubs = generateStubs({get("/s?b=2&a=x%20y&b=1", "hi",
                                    {{"Content-Type", "text/plain"}, {"Content-Length", "2"}})},
                               spec);
    ASSERT_EQ(stubs.size(), 1u);
    const OJson& s = stubs[0].json;
    EXPECT_EQ(s["request"]["urlPath"], "/s");
    EXPECT_EQ(s["request"]["queryParameters"].dump(),
              R"({"b":{"hasExactly":[{"equalTo":"2"},{"equalTo":"1"}]},)"
              R"("a":{"hasExactly":[{"equalTo":"x y"}]}})");
    EXPECT_EQ(s["response"]["body"], "hi");
    EXPECT_EQ(s["response"]["headers"].dump(), R"({"Content-Type":"text/plain"})");
    EXPECT_EQ(s["persistent"], true);
    EXPECT_EQ(s["name"], "s");
}

TEST(RecorderStubs, RepeatsBecomeScenariosOldestFirst) {
    RecordSpec spec;
    // Newest first, as the journal lists them: B, A, B, A.
    auto stubs =
        generateStubs({get("/B", "b2"), get("/A", "a2"), get("/B", "b1"), get("/A", "a1")}, spec);
    ASSERT_EQ(stubs.size(), 4u);
    EXPECT_EQ(stubs[0].json["scenarioName"], "scenario-1-B");
    EXPECT_EQ(stubs[0].json["requiredScenarioState"], "scenario-1-B-2");
    EXPECT_FALSE(stubs[0].json.contains("newScenarioState"));
    EXPECT_EQ(stubs[2].json["requiredScenarioState"], "Started");
    EXPECT_EQ(stubs[2].json["newScenarioState"], "scenario-1-B-2");
    EXPECT_EQ(stubs[1].json["scenarioName"], "scenario-2-A");

    spec.repeatsAsScenarios = false;
    auto deduped = generateStubs({get("/B", "b2"), get("/B", "b1")}, spec);
    ASSERT_EQ(deduped.size(), 1u);
    EXPECT_EQ(deduped[0].json["response"]["base64Body"], "YjI=");  // the newest answer stays
}

TEST(RecorderStubs, BodiesOverTheThresholdGoToFiles) {
    RecordSpec spec = parseRecordSpec(
        OJson::parse(R"({"extractBodyCriteria":{"textSizeThreshold":3,"binarySizeThreshold":0}})"));
    auto stubs =
        generateStubs({get("/t", "abc", {{"Content-Type", "text/plain"}}),
                       get("/j", "[1,2]", {{"Content-Type", "application/json"}}), get("/b", "x")},
                      spec);
    ASSERT_EQ(stubs.size(), 3u);
    EXPECT_TRUE(stubs[0].bodyFile.empty());  // three characters are not over three
    EXPECT_EQ(stubs[1].bodyFile, "j-" + stubs[1].json["id"].get<std::string>() + ".json");
    EXPECT_EQ(stubs[1].json["response"]["bodyFileName"], stubs[1].bodyFile);
    EXPECT_FALSE(stubs[1].json["response"].contains("body"));
    EXPECT_EQ(stubs[2].bodyFile, "b-" + stubs[2].json["id"].get<std::string>() + ".txt");
}

TEST(RecorderStubs, BodyPatternsByContentType) {
    RecordSpec spec;
    auto with = [&](const char* ct, const char* body) {
        Exchange e = get("/p", "");
        e.method = "POST";
        e.requestBody = body;
        if (*ct) e.requestHeaders = {{"content-type", ct}};
        return generateStubs({e}, spec)[0].json["request"]["bodyPatterns"][0].dump();
    };
    EXPECT_EQ(with("application/json", "{}"),
              R"({"equalToJson":"{}","ignoreArrayOrder":true,"ignoreExtraElements":true})");
    EXPECT_EQ(with("text/xml", "<a/>"), R"({"equalToXml":"<a/>"})");
    EXPECT_EQ(with("application/octet-stream", "abc"), R"({"binaryEqualTo":"YWJj"})");
    EXPECT_EQ(with("multipart/form-data", "x"), R"({"anything":"anything"})");
    EXPECT_EQ(with("", "a=1"), R"({"equalTo":"a=1","caseInsensitive":false})");
    spec.bodyMatcher = RecordSpec::BodyMatcher::EqualTo;
    EXPECT_EQ(with("application/json", "{}"), R"({"equalTo":"{}"})");
}

}  // namespace mockd::wiremock
