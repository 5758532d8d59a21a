// A WebSocket mock's answers without a socket: its config as mockd reads it, which matcher takes
// a message, and the bytes of a templated reply.
#include "protocols/websocket/ws_messages.h"

#include <gtest/gtest.h>

#include "core/errors.h"

namespace mockd::protocols::websocket {
namespace {

std::shared_ptr<const WebSocketConfig> decode(const Json& block) {
    core::Mock m;
    webSocketMockType()->decode(block, "mocks[0].websocket", {}, m);
    return std::static_pointer_cast<const WebSocketConfig>(m.stream);
}

std::string decodeError(const Json& block) {
    try {
        decode(block);
    } catch (const core::FieldError& e) {
        return e.field() + ": " + e.what();
    }
    return "";
}

TEST(WebSocketMatch, EachTypeOnTheRawPayload) {
    auto c =
        decode({{"path", "/ws"},
                {"matchers",
                 {{{"match", {{"type", "exact"}, {"value", "a"}}}},
                  {{"match", {{"type", "prefix"}, {"value", "pre"}}}},
                  {{"match", {{"type", "suffix"}, {"value", "fix"}}}},
                  {{"match", {{"type", "contains"}, {"value", "mid"}}}},
                  {{"match", {{"type", "regex"}, {"value", "^n[0-9]+$"}}}},
                  {{"match", {{"type", "json"}, {"path", "$.user.id"}, {"value", "42"}}}},
                  {{"match", {{"type", "exact"}, {"value", "b"}, {"messageType", "binary"}}}}}}});
    EXPECT_EQ(firstMatch(*c, {false, "a"}), 0);
    EXPECT_EQ(firstMatch(*c, {false, "prefix"}), 1);  // the first that matches wins
    EXPECT_EQ(firstMatch(*c, {false, "suffix"}), 2);
    EXPECT_EQ(firstMatch(*c, {false, "amidst"}), 3);
    EXPECT_EQ(firstMatch(*c, {false, "n123"}), 4);
    EXPECT_EQ(firstMatch(*c, {false, "xn123"}), -1);
    EXPECT_EQ(firstMatch(*c, {false, R"({"user":{"id":42}})"}), 5);
    EXPECT_EQ(firstMatch(*c, {false, R"({"user":{"id":"42"}})"}), 5);  // compared as text
    EXPECT_EQ(firstMatch(*c, {false, R"({"user":{"id":null}})"}), -1);
    EXPECT_EQ(firstMatch(*c, {false, R"([{"user":{"id":42}}])"}), -1);  // not an object
    EXPECT_EQ(firstMatch(*c, {false, "b"}), -1);                        // text, not binary
    EXPECT_EQ(firstMatch(*c, {true, "b"}), 6);
    Json misses = nearMisses(*c, {false, "zzz"});
    ASSERT_EQ(misses.size(), 3u);
    EXPECT_EQ(misses[0]["reason"], "the message does not equal \"a\"");
}

TEST(WebSocketReply, TemplatesSeeTheMessageAndTheHandshake) {
    core::Request hs;
    hs.method = "GET";
    hs.path = hs.rawPath = "/ws/chat";
    hs.rawQuery = "user=ada";
    hs.target = "/ws/chat?user=ada";
    tmpl::Rng rng(1);
    Message in{false, R"({"room":"lobby","n":1})"};
    Reply text{"text", "got {{message}} in {{request.body.room}} for {{request.query.user}}", 0,
               nullptr};
    EXPECT_EQ(renderReply(text, &in, hs, rng).data,
              R"(got {"room":"lobby","n":1} in lobby for ada)");
    Reply json{"json", {{"b", 2}, {"a", "{{request.path}}"}}, 0, nullptr};
    EXPECT_EQ(renderReply(json, &in, hs, rng).data, R"({"a":"/ws/chat","b":2})");
    Reply bin{"binary", "AAECAw==", 0, nullptr};
    Message out = renderReply(bin, &in, hs, rng);
    EXPECT_TRUE(out.binary);
    EXPECT_EQ(out.data, std::string("\x00\x01\x02\x03", 4));
    Reply raw{"binary", "not base64!", 0, nullptr};
    EXPECT_EQ(renderReply(raw, &in, hs, rng).data, "not base64!");
}

TEST(WebSocketReply, TheMessageIsDataNeverTemplateSource) {
    core::Request hs;
    tmpl::Rng rng(1);
    Message in{false, "{{request.path}} {{uuid}}"};
    Reply echo{"text", "you said: {{message}}", 0, nullptr};
    EXPECT_EQ(renderReply(echo, &in, hs, rng).data, "you said: {{request.path}} {{uuid}}");
    // Prepared once as the mock is read, it answers the same.
    auto c = decode({{"path", "/ws"},
                     {"defaultResponse", {{"type", "text"}, {"value", "you said: {{message}}"}}}});
    ASSERT_TRUE(c->defaultResponse->prepared && c->defaultResponse->prepared->compiled);
    EXPECT_EQ(renderReply(*c->defaultResponse, &in, hs, rng).data,
              "you said: {{request.path}} {{uuid}}");
}

TEST(WebSocketConfig, KnowsWhetherAnyReplyIsATemplate) {
    // Only then does a connection keep its handshake request for the templates to read.
    EXPECT_FALSE(decode({{"path", "/ws"}})->templated);
    EXPECT_FALSE(
        decode({{"path", "/ws"}, {"defaultResponse", {{"type", "binary"}, {"value", "e3t4fX0="}}}})
            ->templated);
    EXPECT_TRUE(
        decode({{"path", "/ws"},
                {"matchers",
                 {{{"match", {{"type", "exact"}, {"value", "a"}}},
                   {"response", {{"type", "json"}, {"value", {{"q", "{{request.query.q}}"}}}}}}}}})
            ->templated);
    EXPECT_TRUE(decode({{"path", "/ws"},
                        {"scenario",
                         {{"steps",
                           {{{"type", "send"},
                             {"message", {{"type", "text"}, {"value", "hi {{message}}"}}}}}}}}})
                    ->templated);
}

TEST(WebSocketConfig, ErrorsNameTheField) {
    EXPECT_EQ(decodeError({{"path", ""}}), "mocks[0].websocket.path: path is required");
    EXPECT_EQ(decodeError({{"path", "ws"}}), "mocks[0].websocket.path: path must start with /");
    EXPECT_EQ(decodeError({{"path", "/w"}, {"matchers", {{{"match", {{"type", "jsonpath"}}}}}}}),
              "mocks[0].websocket.matchers[0].match.type: invalid matcher type \"jsonpath\" "
              "(exact, contains, prefix, suffix, regex or json)");
    EXPECT_EQ(decodeError({{"path", "/w"}, {"idleTimeout", 100}}).substr(0, 38),
              "mocks[0].websocket.idleTimeout: must b");
    EXPECT_EQ(decodeError({{"path", "/w"}, {"idleTimeout", "100"}}),
              "mocks[0].websocket.idleTimeout: missing unit in duration \"100\"");
    EXPECT_EQ(decodeError({{"path", "/w"},
                           {"matchers",
                            {{{"match", {{"type", "exact"}, {"value", "x"}}},
                              {"response", {{"type", "text"}, {"value", 5}}}}}}}),
              "mocks[0].websocket.matchers[0].response.value: must be a string for a text "
              "response");
    EXPECT_EQ(decodeError({{"path", "/w"}, {"scenario", {{"steps", Json::array()}}}}),
              "mocks[0].websocket.scenario.steps: must list at least one step");
    EXPECT_EQ(decodeError({{"path", "/w"}, {"scenario", {{"steps", {{{"type", "delay"}}}}}}}),
              "mocks[0].websocket.scenario.steps[0].type: invalid scenario step type \"delay\" "
              "(send, expect or wait)");
    EXPECT_EQ(decodeError({{"path", "/w"}, {"scenario", {{"steps", {{{"type", "send"}}}}}}}),
              "mocks[0].websocket.scenario.steps[0].message: a send step needs a message");
    EXPECT_EQ(decodeError({{"path", "/w"}, {"scenario", {{"steps", {{{"type", "wait"}}}}}}}),
              "mocks[0].websocket.scenario.steps[0].duration: invalid scenario step type: a wait "
              "needs a duration above 0");
    const Json send = {{"type", "send"}, {"message", {{"type", "text"}, {"value", "x"}}}};
    EXPECT_EQ(decodeError({{"path", "/w"}, {"scenario", {{"steps", {send}}, {"loop", true}}}}),
              "mocks[0].websocket.scenario.loop: a looping scenario needs a wait, an expect or a "
              "send with a delay");
}

TEST(WebSocketConfig, DefaultsAndRoundTrip) {
    auto plain = decode({{"path", "/echo"}});
    EXPECT_TRUE(plain->echoes());  // no matchers: echo
    EXPECT_EQ(plain->maxMessageSize, 65536);
    Json block = {{"path", "/w"},
                  {"subprotocols", {"a", "b"}},
                  {"matchers",
                   {{{"match", {{"type", "exact"}, {"value", "x"}}},
                     {"response", {{"type", "text"}, {"value", "y"}, {"delay", "1.5s"}}}}}},
                  {"heartbeat", {{"enabled", true}, {"interval", "20s"}, {"timeout", "5s"}}},
                  {"idleTimeout", "2m"},
                  {"echoMode", true},
                  {"scenario",
                   {{"name", "hello"},
                    {"steps",
                     {{{"type", "send"}, {"message", {{"type", "json"}, {"value", {{"hi", 1}}}}}},
                      {{"type", "expect"},
                       {"match", {{"type", "json"}, {"path", "type"}, {"value", "ready"}}},
                       {"timeout", "5s"},
                       {"optional", true}},
                      {{"type", "wait"}, {"duration", "1s"}}}},
                    {"loop", true}}}};
    auto c = decode(block);
    EXPECT_FALSE(decode({{"path", "/w"}, {"matchers", block["matchers"]}})->echoes());
    EXPECT_EQ(c->matchers[0].response->delayMs, 1500);
    Json again = c->encode();
    EXPECT_EQ(again["idleTimeout"], "2m0s");
    EXPECT_EQ(again["matchers"][0]["response"]["delay"], "1.5s");
    EXPECT_EQ(again["scenario"]["steps"][1]["timeout"], "5s");
    EXPECT_FALSE(decode({{"path", "/w"}, {"scenario", block["scenario"]}})->echoes());
    EXPECT_EQ(decode(again)->encode(), again);
}

}  // namespace
}  // namespace mockd::protocols::websocket
