// Answers requests on the mock port: built-in health endpoints, the best-matching mock, or
// mockd's 404 with near misses.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "http/client.h"
#include "http/cors.h"
#include "http/handler.h"
#include "http/metrics.h"
#include "http/rate_limit.h"
#include "journal/journal.h"
#include "match/registry.h"
#include "state/table.h"

namespace mockd::chaos {
class Controller;
}  // namespace mockd::chaos

namespace mockd::wiremock {
struct TemplateInput;
class WireMockApi;
class WebhookSender;
}  // namespace mockd::wiremock

namespace mockd::engine {

// The HTTP layer's request view and filters, which the engine is built on.
using http::Cors;
using http::Metrics;
using http::RateLimiter;
using http::Request;

// WireMock response templating: off, only for stubs that ask for it (the default), or for every
// stub (--global-response-templating).
enum class Templating { Off, Local, Global };

// Forwarding: `unmatchedUrl` (--proxy-unmatched) takes every request no mock matches; WireMock's
// proxy stubs use the rest.
struct ProxyOptions {
    std::string unmatchedUrl;
    bool preserveHost = false;  // --preserve-host-header
    std::chrono::milliseconds timeout{300000};
};

// Everything a mock engine is built from. None of it changes once the engine serves.
struct EngineConfig {
    match::Registry* registry = nullptr;  // required
    // Optional: the headless engine keeps neither a journal nor metrics.
    journal::Journal* journal = nullptr;
    Metrics* metrics = nullptr;
    state::TableStore* tables = nullptr;
    // Serves WireMock's /__admin API on this port. With `wiremockUnmatched`, requests no stub
    // matches get WireMock's answer (a __files/ file or the plain-text diff) instead of mockd's.
    wiremock::WireMockApi* wiremock = nullptr;
    bool wiremockUnmatched = false;
    Templating templating = Templating::Local;
    // --enable-stub-cors: preflights are answered and every response allows the caller's Origin.
    bool stubCors = false;
    ProxyOptions proxy;
    // mockd's chaos: applies to every request on this port but the /__mockd/ built-ins and
    // WireMock's /__admin (so health checks and the admin API keep working under chaos).
    chaos::Controller* chaos = nullptr;
    // mockd's CORS on the mock port and the per-IP rate limit (null: none).
    std::unique_ptr<Cors> cors;
    std::unique_ptr<RateLimiter> rateLimit;
};

class MockEngine final : public http::Handler {
  public:
    explicit MockEngine(EngineConfig config);
    ~MockEngine() override;

    void handle(const Request& req, http::Response& res) override;

    // /ready answers 503 until this is set (the config is loaded).
    void setReady(bool ready) { ready_.store(ready, std::memory_order_release); }

  private:
    // The filters around route, outermost first: the rate limit, chaos, then WireMock's stub
    // CORS or mockd's.
    void buildFilters();
    static EngineConfig checked(EngineConfig config);
    // The end of the filter chain.
    class Route;
    void route(const Request& req, http::Response& res);
    // No mock matched: a filter's fallback (a preflight), the unmatched proxy, WireMock's or
    // mockd's 404.
    void unmatched(const Request& req, const core::MatchInput& in, http::Response& res,
                   std::chrono::steady_clock::time_point start);
    // The matched mock's response body and headers; returns why it failed (empty when not).
    std::string answer(const Request& req, const core::MatchInput& in, const match::CompiledMock& m,
                       const match::CompiledResponse& cr, http::Response& res) const;
    // A WireMock stub's templated response.
    static void renderWireMock(const core::MatchInput& in, const match::CompiledMock& m,
                               const core::WireMockStub& wm, http::Response& res);
    static void renderWireMockParts(const match::CompiledMock& m, const core::WireMockStub& wm,
                                    const wiremock::TemplateInput& input, http::Response& res);
    // A mock's fault or dribbled body, as the response's delivery.
    static void deliver(const core::HttpResponse& r, http::Response& res);
    void healthBody(http::Response& res) const;
    void readyBody(http::Response& res) const;
    // Answers the 404 and returns the slim near-miss list for the request log.
    std::string noMatch(const Request& req, const class core::MatchInput& in,
                        http::Response& res) const;
    // Journal entry, counters and debug line for one answered request; `error` says why it
    // failed (an unreadable body file, an injected fault), empty when it did not.
    void record(const Request& req, const std::string& mockId, int status,
                std::chrono::steady_clock::time_point start, uint32_t delayMs,
                std::string nearMisses, std::string report = {}, std::string error = {},
                std::shared_ptr<journal::SubEvents> subEvents = nullptr) const;
    // Fires a WireMock stub's webhooks; returns where they log, for the journal entry.
    std::shared_ptr<journal::SubEvents> fireWebhooks(const core::MatchInput& in,
                                                     const core::WireMockStub& wm,
                                                     uint32_t afterMs);

    journal::Entry requestEntry(const Request& req) const;
    void commit(journal::Entry e, std::chrono::steady_clock::time_point start,
                uint32_t delayMs) const;
    bool observing() const;
    // A WireMock proxyBaseUrl stub: the answer comes from the upstream, later.
    void proxyStub(const Request& req, const core::MatchInput& in, const match::CompiledMock& m,
                   const core::WireMockStub& wm, http::Response& res,
                   std::chrono::steady_clock::time_point start);
    // Sends `up` and answers with the upstream's response; `wireMockErrors` picks WireMock's
    // text for an unreachable upstream over mockd's JSON error.
    void forward(http::ClientRequest up, std::string extraHeaders, journal::Entry e,
                 const core::HttpResponse* stubResponse, uint32_t delayMs, bool wireMockErrors,
                 std::chrono::steady_clock::time_point start, http::Response& res);
    // The delay a WireMock stub's response gets: its own or the global one.
    uint32_t wireMockDelay(const core::HttpResponse& r) const;

    // Runs the table action a mock is bound to.
    void tableAction(const Request& req, const class core::MatchInput& in,
                     const match::CompiledMock& m, http::Response& res) const;

    const EngineConfig config_;
    match::Registry& registry_;
    journal::Journal* const journal_;
    Metrics* const metrics_;
    state::TableStore* const tables_;
    wiremock::WireMockApi* const wiremock_;
    const bool wiremockUnmatched_;
    const Templating templating_;
    const ProxyOptions& proxy_;
    std::atomic<bool> ready_{false};
    std::unique_ptr<wiremock::WebhookSender> webhooks_;
    std::unique_ptr<Route> route_;
    http::FilterChain filters_;
};

// Wall clock in microseconds since the epoch.
int64_t nowMicros();

// RFC 3339 UTC time with whole seconds ("2026-11-22T10:00:00Z").
std::string rfc3339Now();

}  // namespace mockd::engine
