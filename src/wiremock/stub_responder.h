// Answers WireMock stubs on the mock port: the stub's response (templated when the stub or
// --global-response-templating asks), its delay (its own, else the global one), its fault or
// dribble, its webhooks after the answer, and proxyBaseUrl stubs by forwarding.
#pragma once

#include <chrono>
#include <memory>

#include "engine/responder.h"
#include "wiremock/stub.h"

namespace mockd::wiremock {

class WireMockApi;
class WebhookSender;
struct TemplateInput;

// WireMock response templating: off, only for stubs that ask for it (the default), or for every
// stub (--global-response-templating).
enum class Templating { Off, Local, Global };

struct ResponderOptions {
    // The global delays of /__admin/settings (null: none).
    const WireMockApi* api = nullptr;
    Templating templating = Templating::Local;
    // Webhooks log what they sent for the request journal.
    bool journal = false;
    // Proxy stubs: --preserve-host-header and the upstream timeout.
    bool preserveHost = false;
    std::chrono::milliseconds proxyTimeout{300000};
};

// WireMock's 500 for an upstream that cannot be reached.
engine::ProxyFailure wireMockProxyFailure();

class StubResponder final : public engine::FormatResponder {
  public:
    explicit StubResponder(ResponderOptions options);
    ~StubResponder() override;

    std::string_view format() const override { return kFormatName; }
    engine::Outcome respond(const engine::MatchedCall& call, http::Response& res) override;

  private:
    bool templated(const Stub& stub) const;
    // The plain (untemplated) answer; returns why it failed, empty when it did not.
    std::string answer(const engine::MatchedCall& call, http::Response& res) const;
    engine::Outcome proxy(const engine::MatchedCall& call, const Stub& stub, http::Response& res);
    // The stub's fixed delay or else the global one, plus its distribution or else the global
    // one.
    uint32_t delayOf(const core::HttpResponse& r) const;
    std::shared_ptr<journal::SubEvents> fireWebhooks(const core::MatchInput& in, const Stub& stub,
                                                     uint32_t afterMs);

    const ResponderOptions options_;
    std::unique_ptr<WebhookSender> webhooks_;
};

}  // namespace mockd::wiremock
