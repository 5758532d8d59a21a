// The pieces of an SSE stream that do not depend on time: mockd's wire format byte for byte,
// the events of each source, the delay rules and the token bucket.
#include "protocols/sse/sse_events.h"

#include <gtest/gtest.h>

#include "core/errors.h"

namespace mockd::protocols::sse {
namespace {

Event event(Json data) {
    Event e;
    e.data = std::move(data);
    return e;
}

TEST(SseWire, FieldsInMockdsOrderWithoutSpaces) {
    Event e = event("hello");
    e.type = "greeting";
    e.id = "7";
    e.retryMs = 1500;
    e.comment = "first\nsecond";
    EXPECT_EQ(wireEvent(e, dataText(e.data)),
              ":first\n:second\nevent:greeting\nid:7\nretry:1500\ndata:hello\n\n");
}

TEST(SseWire, EachLineOfDataIsADataLineAndObjectsAreCompactJson) {
    EXPECT_EQ(wireEvent(event("a\nb"), "a\nb"), "data:a\ndata:b\n\n");
    EXPECT_EQ(wireEvent(event("a\n"), "a\n"), "data:a\ndata:\n\n");  // a trailing newline
    EXPECT_EQ(wireEvent(event("x\ry"), "x\ry"), "data:x\ry\n\n");    // \r is not a break
    Json obj = {{"b", 1}, {"a", "<&>"}};
    EXPECT_EQ(dataText(obj), R"({"a":"<&>","b":1})");
    EXPECT_EQ(dataText(42), "42");
}

TEST(SseDelays, PrecedenceAndBurst) {
    Timing t;
    t.fixedDelayMs = 100;
    t.perEventDelaysMs = {5, 6};
    tmpl::Rng rng(1);
    DelayPlan plan(t);
    Event own = event("x");
    own.delayMs = 0;
    EXPECT_EQ(plan.next(own, 0, rng), 0);  // the event's own delay, even 0
    EXPECT_EQ(plan.next(event("x"), 1, rng), 6);
    EXPECT_EQ(plan.next(event("x"), 2, rng), 100);

    Timing b;
    b.burst = Timing::Burst{3, 10, 1000};
    b.fixedDelayMs = 7;
    DelayPlan burst(b);
    std::vector<int64_t> got;
    for (int i = 0; i < 6; ++i) got.push_back(burst.next(event("x"), 10, rng));
    EXPECT_EQ(got, (std::vector<int64_t>{10, 10, 1000, 10, 10, 1000}));

    Timing r;
    r.randomDelayMs = std::pair<int64_t, int64_t>{20, 30};
    DelayPlan random(r);
    for (int i = 0; i < 200; ++i) {
        const int64_t d = random.next(event("x"), 10, rng);
        EXPECT_GE(d, 20);
        EXPECT_LE(d, 30);
    }
}

TEST(SseBucket, StartsFullRefillsAtTheRate) {
    using Clock = TokenBucket::Clock;
    const auto t0 = Clock::now();
    TokenBucket bucket(2.0, 0, t0);  // burst defaults to the rate
    EXPECT_TRUE(bucket.take(t0));
    EXPECT_TRUE(bucket.take(t0));
    EXPECT_FALSE(bucket.take(t0));
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(bucket.wait(t0)).count(), 500);
    EXPECT_TRUE(bucket.take(t0 + std::chrono::milliseconds(500)));
}

TEST(SseSources, SequenceRandomAndTemplateGenerators) {
    tmpl::Rng rng(7);
    SseConfig c;
    Generator g;
    g.type = "sequence";
    g.count = 3;
    g.start = 10;
    g.increment = 5;
    g.format = "n=%d (%d)";
    c.generator = g;
    auto seq = streamEvents(c, rng);
    ASSERT_EQ(seq.size(), 3u);
    EXPECT_EQ(seq[2].data, "n=20 (20)");
    EXPECT_EQ(seq[2].id, "20");

    g.type = "random";
    g.count = 0;  // 100
    g.randomSchema = {
        {"id", "$uuid"}, {"n", "$random(1,3)"}, {"c", "$pick(red, blue)"}, {"keep", "plain"}};
    c.generator = g;
    auto random = streamEvents(c, rng);
    ASSERT_EQ(random.size(), 100u);
    for (const auto& e : random) {
        EXPECT_EQ(e.data["id"].get<std::string>().size(), 36u);
        EXPECT_GE(e.data["n"].get<int>(), 1);
        EXPECT_LE(e.data["n"].get<int>(), 3);
        EXPECT_TRUE(e.data["c"] == "red" || e.data["c"] == "blue") << e.data;
        EXPECT_EQ(e.data["keep"], "plain");
    }
    EXPECT_EQ(random[99].id, "100");

    g.type = "template";
    g.templateEvents = {event("a"), event("b")};
    g.repeat = 3;
    g.count = 5;
    c.generator = g;
    auto tmpl = streamEvents(c, rng);
    ASSERT_EQ(tmpl.size(), 5u);
    EXPECT_EQ(tmpl[4].data, "a");
    EXPECT_EQ(tmpl[4].id, "5");
}

TEST(SseSources, OpenAiChatChunksEndWithDone) {
    tmpl::Rng rng(3);
    SseConfig c;
    c.templateName = "openai-chat";
    c.templateParams = {{"tokens", {"Hi", " there"}}, {"model", "m1"}, {"delayPerToken", 30}};
    auto events = streamEvents(c, rng);
    ASSERT_EQ(events.size(), 3u);
    const Json& first = events[0].data;
    EXPECT_EQ(first["object"], "chat.completion.chunk");
    EXPECT_EQ(first["model"], "m1");
    EXPECT_EQ(first["choices"][0]["delta"]["content"], "Hi");
    EXPECT_TRUE(first["choices"][0]["finish_reason"].is_null());
    EXPECT_EQ(events[1].data["choices"][0]["finish_reason"], "stop");
    EXPECT_EQ(first["id"], events[1].data["id"]);  // one id per stream
    EXPECT_EQ(first["id"].get<std::string>().size(), 9u + 24u);
    EXPECT_EQ(events[0].delayMs, 30);
    EXPECT_EQ(events[2].data, "[DONE]");
    EXPECT_FALSE(events[2].delayMs);

    c.templateParams = {{"includeDone", false}};
    auto defaults = streamEvents(c, rng);
    ASSERT_EQ(defaults.size(), 8u);  // Hello ! How can I help you ?
    EXPECT_EQ(defaults[7].data["choices"][0]["delta"]["content"], "?");
}

TEST(SseSources, NotificationStream) {
    tmpl::Rng rng(3);
    SseConfig c;
    c.templateName = "notification-stream";
    c.templateParams = {
        {"messages", {{{"payload", {{"n", 1}}}}, {{"type", "alert"}, {"payload", "x"}}}},
        {"interval", 250}};
    auto events = streamEvents(c, rng);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].type, "notification");
    EXPECT_EQ(events[1].type, "alert");
    EXPECT_EQ(events[1].delayMs, 250);
}

core::Json decodeError(const Json& block) {
    try {
        sseCodec()->decode(block, "mocks[0].http.sse", {});
    } catch (const core::FieldError& e) {
        return {{"field", e.field()}, {"message", e.what()}};
    }
    return nullptr;
}

TEST(SseConfig, MockdsValidationMessagesNameTheField) {
    EXPECT_EQ(decodeError(Json::object())["message"],
              "one of events, generator, or template is required");
    EXPECT_EQ(decodeError({{"events", Json::array()}, {"template", "openai-chat"}})["message"],
              "events, generator, and template are mutually exclusive");
    EXPECT_EQ(decodeError({{"events", {{{"type", "x"}}}}})["field"],
              "mocks[0].http.sse.events[0].data");
    EXPECT_EQ(decodeError({{"events", Json::array()},
                           {"lifecycle", {{"keepaliveInterval", 3}}}})["message"],
              "must be 0 (disabled) or >= 5 seconds");
    EXPECT_EQ(decodeError({{"events", Json::array()},
                           {"timing", {{"randomDelay", {{"min", 5}, {"max", 1}}}}}})["field"],
              "mocks[0].http.sse.timing.randomDelay.max");
    EXPECT_EQ(decodeError({{"events", Json::array()}, {"resume", {{"enabled", true}}}})["message"],
              "must be > 0 when resume is enabled");
    EXPECT_EQ(decodeError(
                  {{"events", Json::array()}, {"rateLimit", {{"eventsPerSecond", 0}}}})["message"],
              "must be > 0");
    // Beyond mockd, which accepts these and then sends nothing:
    EXPECT_EQ(decodeError({{"template", "openai"}})["field"], "mocks[0].http.sse.template");
    EXPECT_EQ(decodeError({{"generator", {{"type", "fibonacci"}}}})["field"],
              "mocks[0].http.sse.generator.type");
    EXPECT_EQ(decodeError({{"events", {{{"data", "x"}, {"id", "a\nb"}}}}})["field"],
              "mocks[0].http.sse.events[0].id");
    EXPECT_EQ(decodeError({{"events", {{{"data", "x"}, {"delay", -1}}}}})["field"],
              "mocks[0].http.sse.events[0].delay");
}

TEST(SseConfig, EncodesWhatItDecodes) {
    Json block = {{"events", {{{"type", "t"}, {"data", {{"a", 1}}}, {"id", "1"}, {"delay", 5}}}},
                  {"timing", {{"fixedDelay", 10}, {"initialDelay", 20}}},
                  {"lifecycle",
                   {{"maxEvents", 3},
                    {"keepaliveInterval", 15},
                    {"termination", {{"type", "graceful"}, {"finalEvent", {{"data", "bye"}}}}}}},
                  {"rateLimit", {{"eventsPerSecond", 2.5}, {"strategy", "drop"}}},
                  {"resume", {{"enabled", true}, {"bufferSize", 10}}}};
    auto decoded = sseCodec()->decode(block, "sse", {});
    Json again = decoded->encode();
    auto twice = sseCodec()->decode(again, "sse", {});
    EXPECT_EQ(twice->encode(), again);
    EXPECT_EQ(again["events"][0]["data"]["a"], 1);
    EXPECT_EQ(again["lifecycle"]["termination"]["finalEvent"]["data"], "bye");
    EXPECT_EQ(again["rateLimit"]["strategy"], "drop");
}

TEST(ChunkedConfig, OneSourceAndASafePath) {
    auto err = [](const Json& block) -> std::string {
        try {
            chunkedCodec()->decode(block, "c", {});
        } catch (const core::FieldError& e) {
            return e.field() + ": " + e.what();
        }
        return "";
    };
    EXPECT_EQ(err(Json::object()), "c: one of data, dataFile, or ndjsonItems is required");
    EXPECT_EQ(err({{"data", "x"}, {"dataFile", "f"}}),
              "c: data, dataFile, and ndjsonItems are mutually exclusive");
    EXPECT_EQ(err({{"dataFile", "../etc/passwd"}}),
              "c.dataFile: path must be relative and cannot contain '..'");
    EXPECT_EQ(err({{"data", "x"}, {"format", "csv"}}),
              "c.format: must be ndjson or left out, not \"csv\"");
    // ndjsonItems are NDJSON without format: ndjson (mockd answers them with an empty body).
    auto items = chunkedCodec()->decode({{"ndjsonItems", {1, 2}}}, "c", {});
    EXPECT_EQ(items->encode()["format"], "ndjson");
}

}  // namespace
}  // namespace mockd::protocols::sse
