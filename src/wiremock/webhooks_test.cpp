#include "wiremock/webhooks.h"

#include <gtest/gtest.h>

#include "wiremock/matcher.h"
#include "wiremock/templating.h"

namespace mockd::wiremock {

namespace {
nlohmann::json parse(const char* s) { return nlohmann::json::parse(s); }
}  // namespace

TEST(Webhooks, ReadsBothListenerFormsAndSkipsOtherListeners) {
    auto hooks = decodeWebhooks(parse(R"({
        "serveEventListeners": [
            {"name": "webhook", "parameters": {"method": "POST", "url": "http://h/a",
             "headers": {"X-A": ["1", "2"]}, "body": "b", "extra": 7}},
            {"name": "something-else", "parameters": {}}],
        "postServeActions": {"webhook": {"url": "http://h/legacy"}}})"));
    ASSERT_EQ(hooks.size(), 2u);
    EXPECT_EQ(hooks[0]->method.first, "POST");
    EXPECT_EQ(hooks[0]->url.first, "http://h/a");
    ASSERT_EQ(hooks[0]->headers.size(), 2u);  // one entry per value
    EXPECT_EQ(hooks[0]->headers[1].second.first, "2");
    EXPECT_TRUE(hooks[0]->hasBody);
    EXPECT_EQ(hooks[0]->parameters, nlohmann::ordered_json::parse(R"({"extra": 7})"));
    EXPECT_EQ(hooks[1]->method.first, "GET");  // WireMock's default
    EXPECT_EQ(hooks[1]->url.first, "http://h/legacy");
}

TEST(Webhooks, TemplatesCompileOnceAndSyntaxErrorsAreKept) {
    auto hooks = decodeWebhooks(parse(R"({"serveEventListeners": [
        {"name": "webhook", "parameters": {"url": "http://h/{{originalRequest.path}}"}},
        {"name": "webhook", "parameters": {"url": "http://h/{{#if}}"}}]})"));
    ASSERT_EQ(hooks.size(), 2u);
    EXPECT_NE(hooks[0]->url.second, nullptr);
    EXPECT_TRUE(hooks[0]->error.empty());
    EXPECT_FALSE(hooks[1]->error.empty());
}

TEST(Webhooks, BadInputIsAPatternError) {
    EXPECT_THROW(decodeWebhooks(parse(R"({"serveEventListeners": "webhook"})")), PatternError);
    EXPECT_THROW(decodeWebhooks(parse(R"({"serveEventListeners": [5]})")), PatternError);
    EXPECT_THROW(decodeWebhooks(parse(R"({"serveEventListeners": [{"name": "webhook",
        "parameters": {"url": "http://h", "base64Body": "not base64!"}}]})")),
                 PatternError);
}

TEST(Webhooks, TheQueueIsBounded) {
    // Three webhooks held back by a long delay: the third finds the queue full and is dropped,
    // which the serve event's log says.
    WebhookSender sender(2);
    Webhook hook;
    hook.method.first = "POST";
    hook.url.first = "http://127.0.0.1:9/never";
    hook.delay.kind = core::DelayDistribution::Kind::Fixed;
    hook.delay.a = 60000;
    auto log = std::make_shared<journal::SubEvents>();
    TemplateInput input;
    for (int i = 0; i < 3; ++i) sender.fire(hook, input, 0, log);
    EXPECT_EQ(sender.pending(), 2u);
    auto events = log->all();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_NE(events[0].find("\"type\":\"ERROR\""), std::string::npos);
    EXPECT_NE(events[0].find("webhook queue full (2 pending)"), std::string::npos);
}

}  // namespace mockd::wiremock
