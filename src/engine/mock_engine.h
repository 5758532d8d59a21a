// Answers requests on the mock port: built-in health endpoints, the best-matching mock, or
// mockd's 404 with near misses.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "engine/request_log.h"
#include "engine/responder.h"
#include "http/client.h"
#include "http/cors.h"
#include "http/filter.h"
#include "http/handler.h"
#include "http/metrics.h"
#include "http/rate_limit.h"
#include "journal/journal.h"
#include "match/registry.h"
#include "state/table.h"

namespace mockd::chaos {
class Controller;
}  // namespace mockd::chaos

namespace mockd::engine {

// The HTTP layer's request view and filters, which the engine is built on.
using http::Cors;
using http::Metrics;
using http::RateLimiter;
using http::Request;

// Forwarding: `unmatchedUrl` (--proxy-unmatched) takes every request no mock matches; the format
// responders' proxy stubs use the rest.
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
    // Handlers served ahead of every mock under their prefix (WireMock's /__admin API).
    std::vector<Mount> mounts;
    // Answer the mocks of other formats than mockd's (WireMock stubs), by format name.
    std::vector<FormatResponder*> responders;
    // Answer the mocks that stream (`http.sse`, `http.chunked`), by field.
    std::vector<StreamResponder*> streamers;
    // Answers what no mock matched in its dialect instead of mockd's 404 (WireMock's answer: a
    // __files/ file or the plain-text diff); null: mockd's.
    const UnmatchedResponder* unmatched = nullptr;
    // A HEAD request no mock matches is tried as a GET (mockd's way; WireMock's is not to).
    bool headAsGet = true;
    // --enable-stub-cors: preflights are answered and every response allows the caller's Origin.
    bool stubCors = false;
    ProxyOptions proxy;
    // mockd's chaos: applies to every request on this port but the /__mockd/ built-ins and the
    // mounts (so health checks and the admin API keep working under chaos).
    chaos::Controller* chaos = nullptr;
    // mockd's CORS on the mock port and the per-IP rate limit (null: none).
    std::unique_ptr<Cors> cors;
    std::unique_ptr<RateLimiter> rateLimit;
    // Filters around the route inside the request log, so that the log shows what they answer
    // (--validate-spec's check).
    std::vector<std::shared_ptr<http::Filter>> innerFilters;
};

class MockEngine final : public http::Handler {
  public:
    explicit MockEngine(EngineConfig config);
    ~MockEngine() override;

    void handle(const Request& req, http::Response& res) override;

    // /ready answers 503 until this is set (the config is loaded).
    void setReady(bool ready) { ready_.store(ready, std::memory_order_release); }

  private:
    // The filters around route, outermost first: the rate limit, chaos, the stub CORS of
    // --enable-stub-cors or mockd's, then the request log.
    void buildFilters();
    static EngineConfig checked(EngineConfig config);
    // The end of the filter chain.
    class Route;
    void route(const Request& req, http::Response& res);
    // No mock matched: a filter's fallback (a preflight), the unmatched proxy, the unmatched
    // responder's answer or mockd's 404.
    void unmatched(const Request& req, const core::MatchInput& in, http::Response& res);
    // The matched mock's response body and headers; returns why it failed (empty when not).
    std::string answer(const Request& req, const core::MatchInput& in, const match::CompiledMock& m,
                       const match::CompiledResponse& cr, http::Response& res) const;
    // A mock of another format, answered by its format's responder.
    void answerByFormat(const MatchedCall& call, http::Response& res);
    FormatResponder* responderFor(std::string_view format) const;
    // A mock whose answer streams, answered by its field's responder.
    void answerStream(const MatchedCall& call, http::Response& res);
    bool refusedByValidation(const http::Request& req, const core::MatchInput& in,
                             const match::CompiledMock& m, http::Response& res);
    void healthBody(http::Response& res) const;
    void readyBody(http::Response& res) const;
    // Answers the 404 and returns the slim near-miss list for the request log.
    std::string noMatch(const Request& req, const class core::MatchInput& in,
                        http::Response& res) const;
    // Sends the forward's request and answers with the upstream's response, later.
    void forward(Forward fw, http::Response& res);

    // Runs the table action a mock is bound to.
    void tableAction(const Request& req, const class core::MatchInput& in,
                     const match::CompiledMock& m, http::Response& res) const;

    const EngineConfig config_;
    match::Registry& registry_;
    journal::Journal* const journal_;
    Metrics* const metrics_;
    state::TableStore* const tables_;
    const UnmatchedResponder* const unmatched_;
    const ProxyOptions& proxy_;
    std::atomic<bool> ready_{false};
    std::unique_ptr<Route> route_;
    http::FilterChain filters_;
};

// Wall clock in microseconds since the epoch.
int64_t nowMicros();

// RFC 3339 UTC time with whole seconds ("2026-11-22T10:00:00Z").
std::string rfc3339Now();

}  // namespace mockd::engine
