#include "chaos/chaos.h"

#include <gtest/gtest.h>

#include "http/response.h"

namespace mockd::chaos {
namespace {

core::Request request(std::string_view method, std::string_view path) {
    core::Request r;
    r.method = method;
    r.path = path;
    r.rawPath = path;
    return r;
}

// Runs one request through an injector whose mock answers 200 with `body`, and writes the
// response as the connection would.
struct Served {
    struct {
        uint32_t delayMs = 0;
        bool reset = false, close = false;
        std::vector<std::string> chunks;
        uint32_t chunkIntervalMs = 0;
    } outcome;
    std::string out;
    bool mockCalled = false;
};

Served serve(Injector& inj, std::string_view path, const std::string& body = "hello world",
             std::string_view method = "GET") {
    Served s;
    auto req = request(method, path);
    http::Response res;
    res.headOnly = method == "HEAD";
    inj.serve(req, res, [&] {
        s.mockCalled = true;
        res.contentType = "text/plain";
        res.setBody(body);
    });
    http::WirePlan plan = http::writeResponse(res, false, s.out);
    s.outcome.delayMs = res.delivery.delayMs;
    s.outcome.reset = plan.reset;
    s.outcome.close = plan.close;
    s.outcome.chunks = std::move(plan.chunks);
    s.outcome.chunkIntervalMs = plan.chunkIntervalMs;
    return s;
}

Injector make(const char* json) { return Injector(parseConfig(Json::parse(json))); }

std::string bodyOf(const std::string& out) { return out.substr(out.find("\r\n\r\n") + 4); }

TEST(ChaosDuration, ReadsGoDurations) {
    EXPECT_EQ(parseGoDuration("250ms"), 250.0);
    EXPECT_EQ(parseGoDuration("1.5s"), 1500.0);
    EXPECT_EQ(parseGoDuration("1m30s"), 90'000.0);
    EXPECT_EQ(parseGoDuration("0"), 0.0);
    EXPECT_EQ(parseGoDuration("500us"), 0.5);
    EXPECT_FALSE(parseGoDuration("10"));
    EXPECT_FALSE(parseGoDuration("fast"));
    EXPECT_FALSE(parseGoDuration(""));
}

TEST(ChaosConfig, RejectsWhatCannotWorkWithTheField) {
    auto fails = [](const char* json) {
        try {
            parseConfig(Json::parse(json));
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(fails(R"({"enabled":true,"rules":[{"pathPattern":"(","faults":[]}]})")
                  .find("rules[0].pathPattern"),
              std::string::npos);
    EXPECT_NE(fails(R"({"enabled":true,"latency":{"min":"soon","max":"1s"}})").find("latency.min"),
              std::string::npos);
    EXPECT_NE(fails(R"({"enabled":true,"bandwidth":{"bytesPerSecond":0,"probability":1}})")
                  .find("bytesPerSecond: must be > 0"),
              std::string::npos);
    EXPECT_NE(fails(R"({"enabled":true,"rules":[{"pathPattern":"/","faults":[{"type":"boom"}]}]})")
                  .find("rules[0].faults[0].type: unknown fault type \"boom\""),
              std::string::npos);
    EXPECT_NE(fails(R"({"enabled":true,"rules":[{"pathPattern":"/","faults":[
                  {"type":"timeout","duration":"forever"}]}]})")
                  .find("rules[0].faults[0].duration"),
              std::string::npos);
    EXPECT_NE(fails(R"({"enabled":"yes"})").find("enabled"), std::string::npos);
    // Disabled configurations are not validated: they only switch chaos off.
    EXPECT_EQ(fails(R"({"enabled":false,"latency":{"min":"soon"}})"), "");
}

TEST(ChaosConfig, ClampsProbabilitiesAndMergesFlatFaultKeys) {
    Config c = parseConfig(Json::parse(R"({"enabled":true,
        "latency":{"min":"10ms","max":"20ms","probability":7},
        "rules":[{"pathPattern":"/x","faults":[{"type":"circuit_breaker","probability":-1,
                  "tripAfter":3,"openStatusCode":500,"config":{"tripAfter":2}}]}]})"));
    EXPECT_EQ(c.latency->probability, 1.0);
    EXPECT_EQ(c.rules[0].faults[0].probability, 0.0);
    EXPECT_EQ(c.rules[0].faults[0].config["tripAfter"], 2);  // "config" wins
    EXPECT_EQ(c.rules[0].faults[0].config["openStatusCode"], 500);
    Json back = toJson(c);
    EXPECT_EQ(back["latency"]["min"], "10ms");
    EXPECT_EQ(back["rules"][0]["faults"][0]["type"], "circuit_breaker");
    EXPECT_FALSE(back["rules"][0].contains("probability"));
}

TEST(ChaosConfig, ReadsTheConfigFileShapeWithGlobal) {
    Config c = parseConfig(Json::parse(
        R"({"enabled":true,"global":{"errorRate":{"probability":0.5,"statusCodes":[502]}}})"));
    ASSERT_TRUE(c.errorRate);
    EXPECT_EQ(c.errorRate->statusCodes, std::vector<int>{502});
}

TEST(ChaosProfiles, TheTenBuiltInsSortedByName) {
    const auto& ps = profiles();
    ASSERT_EQ(ps.size(), 10u);
    for (size_t i = 1; i < ps.size(); ++i) EXPECT_LT(ps[i - 1].name, ps[i].name);
    const Profile* p = findProfile("mobile-3g");
    ASSERT_NE(p, nullptr);
    Json j = profileJson(*p);
    EXPECT_EQ(j["config"]["bandwidth"]["bytesPerSecond"], 51200);
    EXPECT_EQ(j["config"]["latency"]["min"], "300ms");
    EXPECT_EQ(findProfile("nope"), nullptr);
}

TEST(ChaosInjector, GlobalErrorAnswersWithGoStatusText) {
    Injector inj(findProfile("offline")->config);
    auto s = serve(inj, "/a");
    EXPECT_FALSE(s.mockCalled);
    EXPECT_TRUE(s.out.starts_with("HTTP/1.1 503 "));
    EXPECT_EQ(bodyOf(s.out), "Service Unavailable\n");
    EXPECT_NE(s.out.find("text/plain; charset=utf-8"), std::string::npos);
    Json st = inj.statsJson();
    EXPECT_EQ(st["totalRequests"], 1);
    EXPECT_EQ(st["errorsInjected"], 1);
    EXPECT_EQ(st["faultsByType"]["error"], 1);
}

TEST(ChaosInjector, LatencyDelaysTheMockAnswer) {
    auto inj = make(R"({"enabled":true,"latency":{"min":"40ms","max":"60ms","probability":1}})");
    auto s = serve(inj, "/a");
    EXPECT_TRUE(s.mockCalled);
    EXPECT_GE(s.outcome.delayMs, 40u);
    EXPECT_LE(s.outcome.delayMs, 60u);
    EXPECT_EQ(inj.statsJson()["latencyInjected"], 1);
}

TEST(ChaosInjector, AMatchingRuleReplacesTheGlobalSettings) {
    auto inj = make(R"({"enabled":true,"errorRate":{"probability":1},
        "rules":[{"pathPattern":"^/calm","methods":["POST"],"faults":[]}]})");
    EXPECT_TRUE(serve(inj, "/calm", "x", "POST").mockCalled);
    EXPECT_FALSE(serve(inj, "/calm", "x", "GET").mockCalled);  // the method does not match
    EXPECT_FALSE(serve(inj, "/other").mockCalled);
}

TEST(ChaosInjector, RuleProbabilityZeroNeverFires) {
    auto inj = make(R"({"enabled":true,"rules":[{"pathPattern":"/","probability":0,
        "faults":[{"type":"error","probability":1}]}]})");
    for (int i = 0; i < 20; ++i) EXPECT_TRUE(serve(inj, "/a").mockCalled);
}

TEST(ChaosInjector, ConnectionFaults) {
    auto reset = make(R"({"enabled":true,"rules":[{"pathPattern":"/",
        "faults":[{"type":"connection_reset","probability":1}]}]})");
    auto s = serve(reset, "/a");
    EXPECT_TRUE(s.outcome.reset);
    EXPECT_FALSE(s.mockCalled);

    auto empty = make(R"({"enabled":true,"rules":[{"pathPattern":"/",
        "faults":[{"type":"empty_response","probability":1}]}]})");
    s = serve(empty, "/a");
    EXPECT_TRUE(s.out.starts_with("HTTP/1.1 200 "));
    EXPECT_NE(s.out.find("Content-Length: 0"), std::string::npos);
    EXPECT_EQ(bodyOf(s.out), "");

    auto timeout = make(R"({"enabled":true,"rules":[{"pathPattern":"/",
        "faults":[{"type":"timeout","probability":1,"config":{"duration":"1500ms"}}]}]})");
    s = serve(timeout, "/a");
    EXPECT_EQ(s.outcome.delayMs, 1500u);
    EXPECT_TRUE(s.out.starts_with("HTTP/1.1 504 "));
    EXPECT_EQ(timeout.statsJson()["timeoutsInjected"], 1);
}

TEST(ChaosInjector, BodyFaults) {
    const std::string body(2000, 'a');
    auto corrupt = make(R"({"enabled":true,"rules":[{"pathPattern":"/",
        "faults":[{"type":"corrupt_body","probability":1,"corruptRate":1.0}]}]})");
    auto s = serve(corrupt, "/a", body);
    EXPECT_EQ(bodyOf(s.out).size(), body.size()) << s.out.substr(0, 200);
    EXPECT_NE(bodyOf(s.out), body);

    auto partial = make(R"({"enabled":true,"rules":[{"pathPattern":"/",
        "faults":[{"type":"partial_response","probability":1,"maxBytes":100}]}]})");
    s = serve(partial, "/a", body);
    EXPECT_EQ(bodyOf(s.out), std::string(100, 'a'));
    EXPECT_NE(s.out.find("Content-Length: 2000"), std::string::npos);
    EXPECT_TRUE(s.outcome.close);

    auto slow = make(R"({"enabled":true,"bandwidth":{"bytesPerSecond":1000,"probability":1}})");
    s = serve(slow, "/a", body);
    EXPECT_NE(s.out.find("Transfer-Encoding: chunked"), std::string::npos);
    EXPECT_EQ(s.outcome.chunks.size(), 19u);  // 20 pieces of 100 bytes, the first sent at once
    EXPECT_EQ(s.outcome.chunkIntervalMs, 100u);

    auto dribble = make(R"({"enabled":true,"rules":[{"pathPattern":"/","faults":[
        {"type":"chunked_dribble","probability":1,"chunkSize":500,"chunkDelay":"50ms",
         "initialDelay":"20ms"}]}]})");
    s = serve(dribble, "/a", body);
    EXPECT_EQ(s.outcome.chunks.size(), 3u);
    EXPECT_EQ(s.outcome.chunkIntervalMs, 50u);
    EXPECT_EQ(s.outcome.delayMs, 20u);
}

TEST(ChaosInjector, CircuitBreakerTripsAfterNAndResets) {
    auto inj = make(R"({"enabled":true,"rules":[{"pathPattern":"/","faults":[
        {"type":"circuit_breaker","probability":1,"tripAfter":3,"openDuration":"1h"}]}]})");
    EXPECT_TRUE(serve(inj, "/a").mockCalled);
    EXPECT_TRUE(serve(inj, "/a").mockCalled);
    auto s = serve(inj, "/a");
    EXPECT_FALSE(s.mockCalled);
    EXPECT_TRUE(s.out.starts_with("HTTP/1.1 503 "));
    EXPECT_NE(s.out.find("Retry-After: 3600"), std::string::npos);
    EXPECT_NE(s.out.find("X-Circuit-State: open"), std::string::npos);
    EXPECT_EQ(bodyOf(s.out),
              R"({"error":"circuit breaker open","state":"open","retry_after":3600})");
    Json f = inj.faultsJson();
    EXPECT_EQ(f["circuitBreakers"]["0:0"]["state"], "open");
    EXPECT_EQ(f["circuitBreakers"]["0:0"]["totalTrips"], 1);
    EXPECT_TRUE(inj.resetBreaker("0:0"));
    EXPECT_TRUE(serve(inj, "/a").mockCalled);
    EXPECT_TRUE(inj.trip("0:0"));
    EXPECT_FALSE(serve(inj, "/a").mockCalled);
    EXPECT_FALSE(inj.trip("1:0"));
}

TEST(ChaosInjector, CircuitBreakerGoesHalfOpenAfterTheOpenDuration) {
    auto inj = make(R"({"enabled":true,"rules":[{"pathPattern":"/","faults":[
        {"type":"circuit_breaker","probability":1,"openDuration":"1ms","halfOpenErrorRate":0,
         "successThreshold":2}]}]})");
    inj.trip("0:0");
    // Poll until the open period has passed (no fixed sleep).
    Json f;
    for (int i = 0; i < 1000; ++i) {
        f = inj.faultsJson();
        if (f["circuitBreakers"]["0:0"]["state"] == "half_open") break;
    }
    ASSERT_EQ(f["circuitBreakers"]["0:0"]["state"], "half_open");
    EXPECT_TRUE(serve(inj, "/a").mockCalled);
    EXPECT_TRUE(serve(inj, "/a").mockCalled);
    EXPECT_EQ(inj.faultsJson()["circuitBreakers"]["0:0"]["state"], "closed");
}

TEST(ChaosInjector, RetryAfterLimitsThenLetsOneThrough) {
    auto inj = make(R"({"enabled":true,"rules":[{"pathPattern":"/","faults":[
        {"type":"retry_after","probability":1,"retryAfter":"1h"}]}]})");
    auto s = serve(inj, "/a");
    EXPECT_TRUE(s.out.starts_with("HTTP/1.1 429 "));
    EXPECT_NE(s.out.find("Retry-After: 3600"), std::string::npos);
    EXPECT_NE(bodyOf(s.out).find(R"("error":"Too Many Requests")"), std::string::npos);
    Json f = inj.faultsJson()["retryAfterTrackers"]["0:0"];
    EXPECT_EQ(f["isLimited"], true);
    EXPECT_EQ(f["retryAfterMs"], 3'600'000);
}

TEST(ChaosInjector, ProgressiveDegradationSlowsThenFails) {
    auto inj = make(R"({"enabled":true,"rules":[{"pathPattern":"/","faults":[
        {"type":"progressive_degradation","probability":1,"initialDelay":"10ms",
         "delayIncrement":"10ms","maxDelay":"25ms","errorAfter":3,"errorCode":503}]}]})");
    EXPECT_EQ(serve(inj, "/a").outcome.delayMs, 10u);
    EXPECT_EQ(serve(inj, "/a").outcome.delayMs, 20u);
    EXPECT_EQ(serve(inj, "/a").outcome.delayMs, 25u);
    auto s = serve(inj, "/a");
    EXPECT_FALSE(s.mockCalled);
    EXPECT_TRUE(s.out.starts_with("HTTP/1.1 503 "));
    EXPECT_EQ(bodyOf(s.out),
              R"({"error":"Service Unavailable","degradation":{"request_count":4,"delay_ms":25}})");
    EXPECT_EQ(inj.faultsJson()["progressiveDegradations"]["0:0"]["isErroring"], true);
}

TEST(ChaosController, SwapsAndReportsTheLiveConfiguration) {
    Controller c;
    EXPECT_FALSE(c.active());
    EXPECT_EQ(c.configJson(), Json({{"enabled", false}}));
    EXPECT_EQ(c.trip("0:0"), "chaos is not enabled");
    c.apply(findProfile("flaky")->config);
    EXPECT_TRUE(c.active());
    ASSERT_NE(c.current(), nullptr);
    EXPECT_EQ(c.configJson()["errorRate"]["statusCodes"], Json({500, 502, 503}));
    EXPECT_EQ(c.trip("0:0"), "circuit breaker \"0:0\" not found");
    c.apply(Config{});
    EXPECT_FALSE(c.active());
    EXPECT_EQ(c.statsJson()["totalRequests"], 0);
}

TEST(ChaosSimpleConfig, ReadsARangeOrOneValue) {
    Config c = simpleConfig("50ms-200ms", 0.1, 503);
    EXPECT_EQ(c.latency->minMs, 50u);
    EXPECT_EQ(c.latency->maxMs, 200u);
    EXPECT_EQ(c.errorRate->defaultCode, 503);
    EXPECT_EQ(simpleConfig("200ms", 0, 500).latency->maxMs, 200u);
    EXPECT_THROW(simpleConfig("slow", 0, 500), ConfigError);
}

}  // namespace
}  // namespace mockd::chaos
