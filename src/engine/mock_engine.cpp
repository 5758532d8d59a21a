// The mock port's request handler.
#include "engine/mock_engine.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "chaos/chaos.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/match_input.h"
#include "http/proxy.h"
#include "http/response.h"
#include "log/log.h"
#include "state/operations.h"
#include "template/template.h"
#include "wiremock/admin_api.h"
#include "wiremock/request_pattern.h"
#include "wiremock/templating.h"
#include "wiremock/webhooks.h"

namespace mockd::engine {

using http::appendHeaderLine;
using http::appendJsonError;
using http::appendResponse;
using http::appendUpstreamResponse;
using http::iequals;
using http::ProxySpec;
using http::proxyUrl;
using http::ResponseHead;
using http::sniffContentType;
using http::toChunked;
using http::upstreamRequest;

namespace {

constexpr size_t kMaxLoggedBody = 64 * 1024;

// Go's encoder escapes these inside strings; copying it keeps bodies byte-identical to mockd's.
std::string goHtmlEscape(std::string s) {
    size_t at = s.find_first_of("<>&");
    if (at == std::string::npos) return s;
    std::string out;
    out.reserve(s.size() + 16);
    size_t run = 0;
    for (; at != std::string::npos; at = s.find_first_of("<>&", at + 1)) {
        out.append(s, run, at - run);
        out += s[at] == '<' ? "\\u003c" : s[at] == '>' ? "\\u003e" : "\\u0026";
        run = at + 1;
    }
    out.append(s, run, std::string::npos);
    return out;
}

void appendJsonString(std::string& out, std::string_view s) {
    out += '"';
    log::appendJsonEscaped(out, s);
    out += '"';
}

bool readFile(const std::string& path, std::string& out, std::string& err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        err = "failed to read bodyFile: open " + path + ": " + std::strerror(errno);
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

// A body file is read on every request (it may change), but compiled again only when its text
// did: each worker keeps the last compiled text of a few files. `Entry` has `text` and whatever
// `compile(text, entry)` fills in.
template <typename Entry, typename Compile>
const Entry& compiledFile(const std::string& path, const std::string& text, Compile compile) {
    thread_local std::unordered_map<std::string, Entry> cache;
    auto it = cache.find(path);
    if (it != cache.end() && it->second.text == text) return it->second;
    if (cache.size() >= 64) cache.clear();
    Entry& e = cache[path];
    e = Entry{};
    e.text = text;
    compile(text, e);
    return e;
}

struct MockdFile {
    std::string text;
    tmpl::Template compiled;
};

struct WireMockFile {
    std::string text;
    wiremock::HandlebarsPtr compiled;
    std::string error;
};

// WireMock answers a template it cannot compile or a body file it cannot read with Jetty's
// server error page.
int serverErrorPage(std::string& out, const std::string& message, bool closing, bool head,
                    std::string_view extraHeaders = {}) {
    std::string escaped;
    for (char c : message) {
        if (c == '<')
            escaped += "&lt;";
        else if (c == '>')
            escaped += "&gt;";
        else if (c == '&')
            escaped += "&amp;";
        else if (c == '\'')
            escaped += "&apos;";
        else
            escaped += c;
    }
    appendResponse(out, {500, "text/html;charset=iso-8859-1", extraHeaders, closing},
                   "<html><body><h2>HTTP ERROR 500 " + escaped + "</h2></body></html>", head);
    return 500;
}

// response.delete.preserve: a delete that keeps the item (soft delete).
bool preserves(const core::Json& cfg) {
    if (!cfg.is_object()) return false;
    auto del = cfg.find("delete");
    if (del == cfg.end() || !del->is_object()) return false;
    auto p = del->find("preserve");
    return p != del->end() && *p == true;
}

}  // namespace

std::string rfc3339Now() { return core::isoNow(0); }

void MockEngine::healthBody(std::string& out, bool headOnly, bool closing) const {
    std::string body = "{\"status\":\"healthy\",\"timestamp\":\"" + rfc3339Now() + "\"}\n";
    appendResponse(out, {200, "application/json", {}, closing}, body, headOnly);
}

void MockEngine::readyBody(std::string& out, bool headOnly, bool closing) const {
    if (!ready_.load(std::memory_order_acquire)) {
        std::string body = "{\"status\":\"initializing\",\"timestamp\":\"" + rfc3339Now() + "\"}\n";
        appendResponse(out, {503, "application/json", {}, closing}, body, headOnly);
        return;
    }
    size_t count = registry_.current().size();
    std::string body = "{\"checks\":{\"mocks\":{\"count\":" + std::to_string(count) +
                       ",\"status\":\"ok\"}},\"status\":\"ready\"}\n";
    appendResponse(out, {200, "application/json", {}, closing}, body, headOnly);
}

int64_t nowMicros() { return core::nowMicros(); }

namespace {
// What a WireMock stub's templates see of a request.
wiremock::TemplateInput templateInput(const core::MatchInput& in, const core::WireMockStub& wm) {
    wiremock::TemplateInput input;
    input.request = &wiremock::wmView(in);
    input.requestId = core::newUuid();
    input.pathParams = wm.pattern->pathParameters(wiremock::wmView(in));
    input.parameters = &wm.transformerParameters;
    return input;
}
}  // namespace

MockEngine::MockEngine(match::Registry& registry, journal::Journal* journal, Metrics* metrics,
                       state::TableStore* tables)
    : registry_(registry),
      journal_(journal),
      metrics_(metrics),
      tables_(tables),
      webhooks_(std::make_unique<wiremock::WebhookSender>()) {}

MockEngine::~MockEngine() = default;

std::shared_ptr<journal::SubEvents> MockEngine::fireWebhooks(const core::MatchInput& in,
                                                             const core::WireMockStub& wm,
                                                             uint32_t afterMs) {
    auto log = journal_ ? std::make_shared<journal::SubEvents>() : nullptr;
    const wiremock::TemplateInput input = templateInput(in, wm);
    for (const auto& hook : wm.webhooks) webhooks_->fire(*hook, input, afterMs, log);
    return log;
}

journal::Entry MockEngine::requestEntry(const Request& req) const {
    journal::Entry e;
    e.timestampUs = nowMicros();
    e.method = req.method;
    e.path = req.path;
    if (req.rawPath != req.path) e.rawPath = req.rawPath;
    e.query = req.rawQuery;
    e.localPort = req.localPort;
    if (!journal_) return e;  // the debug line needs only the method and path
    e.headers.reserve(req.headers.size());
    for (const auto& h : req.headers) e.headers.emplace_back(h.name, h.value);
    // The log keeps the start of large bodies so that 10,000 entries stay small;
    // bodySize still reports the whole size.
    e.body = req.body.substr(0, kMaxLoggedBody);
    e.bodySize = req.body.size();
    e.remoteAddr = req.remoteAddress;
    return e;
}

bool MockEngine::observing() const {
    return journal_ || metrics_ || log::enabled(log::Level::Debug);
}

void MockEngine::record(const Request& req, const std::string& mockId, int status,
                        std::chrono::steady_clock::time_point start, uint32_t delayMs,
                        std::string nearMisses, std::string report, std::string error,
                        std::shared_ptr<journal::SubEvents> subEvents) const {
    journal::Entry e;
    if (journal_ || log::enabled(log::Level::Debug)) e = requestEntry(req);
    e.subEvents = std::move(subEvents);
    e.mockId = mockId;
    e.status = status;
    e.nearMissesJson = std::move(nearMisses);
    e.report = std::move(report);
    e.error = std::move(error);
    commit(std::move(e), start, delayMs);
}

void MockEngine::commit(journal::Entry e, std::chrono::steady_clock::time_point start,
                        uint32_t delayMs) const {
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const double seconds = std::chrono::duration<double>(elapsed).count() + delayMs / 1000.0;
    if (metrics_) {
        (e.mockId.empty() ? metrics_->matchMisses : metrics_->matchHits)
            .fetch_add(1, std::memory_order_relaxed);
        metrics_->observe(seconds);
        metrics_->requests.add(e.mockId, e.status);
    }
    if (log::enabled(log::Level::Debug)) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
        log::debug(e.mockId.empty() ? "request unmatched" : "request matched",
                   {{"method", e.method},
                    {"path", e.path},
                    {"status", e.status},
                    {"mock_id", e.mockId},
                    {"delay_ms", delayMs},
                    {"duration_us", static_cast<int64_t>(us)}});
    }
    if (journal_) {
        e.durationMs = seconds * 1000.0;
        journal_->record(std::move(e));
    }
}

void MockEngine::setCors(std::unique_ptr<Cors> cors) { cors_ = std::move(cors); }
void MockEngine::setRateLimit(std::unique_ptr<RateLimiter> limiter) {
    limiter_ = std::move(limiter);
}

namespace {
// Adds header lines to the response appended at `start` (after its status line), or to the
// answer that comes later (a proxied request).
void addHeaders(http::Outcome& o, std::string& out, size_t start, std::string lines) {
    auto insert = [](std::string& text, size_t at, const std::string& add) {
        const size_t eol = text.find("\r\n", at);
        if (eol != std::string::npos) text.insert(eol + 2, add);
    };
    if (o.later) {
        auto inner = std::move(o.later);
        o.later = [inner = std::move(inner), lines = std::move(lines), insert](
                      boost::asio::io_context& ctx, http::Completion done) {
            inner(ctx,
                  [lines, insert, done = std::move(done)](std::string bytes, http::Outcome how) {
                      insert(bytes, 0, lines);
                      done(std::move(bytes), std::move(how));
                  });
        };
        return;
    }
    insert(out, start, lines);
}
}  // namespace

http::Outcome MockEngine::handle(const Request& req, std::string& out, bool closing) {
    if (!limiter_) return guarded(req, out, closing);
    // Outermost, as in mockd: every request on the port counts, and a refused one is answered
    // before anything else sees it.
    const RateLimiter::Decision d = limiter_->take(req);
    std::string lines;
    appendHeaderLine(lines, "X-RateLimit-Limit", std::to_string(d.limit));
    appendHeaderLine(lines, "X-RateLimit-Remaining", std::to_string(d.remaining));
    appendHeaderLine(lines, "X-RateLimit-Reset", std::to_string(d.reset));
    if (!d.allowed) {
        appendHeaderLine(lines, "Retry-After", std::to_string(d.reset));
        appendResponse(
            out, {429, "application/json", lines, closing},
            R"({"error":"rate_limit_exceeded","message":"Too many requests. Please slow down."})",
            req.method == "HEAD");
        return {};
    }
    const size_t start = out.size();
    http::Outcome o = guarded(req, out, closing);
    addHeaders(o, out, start, std::move(lines));
    return o;
}

http::Outcome MockEngine::guarded(const Request& req, std::string& out, bool closing) {
    // With chaos off this costs one atomic load.
    if (chaos_ && chaos_->active() && !req.path.starts_with("/__mockd/") &&
        !(wiremock_ && req.path.starts_with("/__admin") &&
          (req.path.size() == 8 || req.path[8] == '/'))) {
        if (auto injector = chaos_->current())
            return injector->serve(req, out, closing, [&] { return dispatch(req, out, closing); });
    }
    return dispatch(req, out, closing);
}

http::Outcome MockEngine::dispatch(const Request& req, std::string& out, bool closing) {
    if (stubCors_) return withCors(req, out, closing);
    if (cors_ && !(wiremock_ && req.path.starts_with("/__admin")))
        return withMockdCors(req, out, closing);
    return route(req, out, closing);
}

// mockd's CORS: an allowed origin gets the CORS headers on every response, and an OPTIONS request
// no mock matches is a preflight: 200 for an allowed origin, else 403. A disallowed origin's
// other requests are answered without CORS headers.
http::Outcome MockEngine::withMockdCors(const Request& req, std::string& out, bool closing) {
    const std::string_view allow = cors_->allowOrigin(req.header("Origin"));
    if (allow.empty() && req.method != "OPTIONS") return route(req, out, closing);
    const size_t start = out.size();
    bool preflight = false;
    http::Outcome o = route(req, out, closing, req.method == "OPTIONS" ? &preflight : nullptr);
    if (!preflight && !allow.empty()) addHeaders(o, out, start, cors_->headerLines(allow));
    return o;
}

// WireMock's CORS filter: a preflight (OPTIONS with Origin and Access-Control-Request-Method) is
// answered before any stub sees it, and every other response names the caller's Origin.
http::Outcome MockEngine::withCors(const Request& req, std::string& out, bool closing) {
    const std::string_view origin = req.header("Origin");
    if (req.method == "OPTIONS" && !origin.empty() &&
        !req.header("Access-Control-Request-Method").empty()) {
        std::string headers, allowed;
        for (char c : req.header("Access-Control-Request-Headers"))
            if (c != ' ' && c != '\t') allowed += c;
        appendHeaderLine(headers, "Vary", "Origin");
        appendHeaderLine(headers, "Access-Control-Allow-Origin", origin);
        appendHeaderLine(headers, "Access-Control-Allow-Credentials", "true");
        appendHeaderLine(headers, "Access-Control-Max-Age", "1800");
        appendHeaderLine(headers, "Access-Control-Allow-Methods",
                         "OPTIONS,GET,POST,PUT,PATCH,DELETE");
        appendHeaderLine(headers, "Access-Control-Allow-Headers", allowed);
        appendResponse(out, {200, {}, headers, closing}, {}, false);
        return {};
    }
    std::string headers;
    appendHeaderLine(headers, "Vary", "Origin");
    if (!origin.empty()) {
        appendHeaderLine(headers, "Access-Control-Allow-Origin", origin);
        appendHeaderLine(headers, "Access-Control-Allow-Credentials", "true");
    }
    const size_t start = out.size();
    http::Outcome o = route(req, out, closing);
    addHeaders(o, out, start, std::move(headers));
    return o;
}

http::Outcome MockEngine::route(const Request& req, std::string& out, bool closing,
                                bool* preflight) {
    const bool head = req.method == "HEAD";
    if (req.path.starts_with("/__mockd/")) {
        if (req.path == "/__mockd/health") {
            healthBody(out, head, closing);
            return {};
        }
        if (req.path == "/__mockd/ready") {
            readyBody(out, head, closing);
            return {};
        }
    }
    if (wiremock_ && req.path.starts_with("/__admin") &&
        (req.path.size() == 8 || req.path[8] == '/'))
        return wiremock_->handle(req, out, closing);
    const bool observe = observing();
    const auto start =
        observe ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    core::MatchInput in(req);
    const match::Snapshot& snap = registry_.current();
    const match::CompiledMock* m = snap.find(in, req.method);
    if (!m && head && !wiremockUnmatched_) m = snap.find(in, "GET");
    if (!m) {
        if (preflight) {
            *preflight = true;
            const std::string_view allow = cors_->allowOrigin(req.header("Origin"));
            if (allow.empty())
                appendResponse(out, {403, {}, {}, closing}, {}, false);
            else
                appendResponse(out, {200, {}, cors_->headerLines(allow), closing}, {}, false);
            return {};
        }
        if (!proxy_.unmatchedUrl.empty()) {
            ProxySpec spec;
            spec.url = proxyUrl(proxy_.unmatchedUrl, req, {});
            spec.preserveHost = proxy_.preserveHost;
            spec.timeout = proxy_.timeout;
            journal::Entry e = observe ? requestEntry(req) : journal::Entry{};
            return forward(upstreamRequest(req, spec), {}, std::move(e), nullptr, 0, closing, head,
                           wiremockUnmatched_, start);
        }
        if (wiremockUnmatched_) {
            std::string report;
            int status = wiremock_->unmatched(req, in, out, closing, &report);
            if (observe) record(req, {}, status, start, 0, {}, std::move(report));
        } else if (req.path == "/health") {
            healthBody(out, head, closing);
        } else if (req.path == "/ready") {
            readyBody(out, head, closing);
        } else {
            std::string slim = noMatch(req, in, out, closing);
            if (observe) record(req, {}, 404, start, 0, std::move(slim));
        }
        return {};
    }

    const core::Mock& mock = m->mock();
    // The single response, or this match's place in the mock's sequence.
    const match::CompiledResponse& cr = m->nextResponse();
    const core::HttpResponse& r = cr.response();
    const size_t at = out.size();
    m->stats().calls.fetch_add(1, std::memory_order_relaxed);
    m->stats().lastCalledUs.store(nowMicros(), std::memory_order_relaxed);
    ResponseHead h;
    h.status = r.statusCode;
    h.reason = r.statusMessage;
    h.extraHeaders = cr.headers();
    h.close = closing;
    int status = r.statusCode;
    std::string error;
    const core::WireMockStub* wmStub = m->wiremock();
    // As in WireMock, a proxy stub forwards even when it also names a fault.
    if (wmStub && wmStub->proxy) return proxyStub(req, in, *m, *wmStub, out, closing, head, start);
    if (wmStub && wmStub->hasTemplates() &&
        (templating_ == Templating::Global ||
         (templating_ == Templating::Local && wmStub->responseTemplate))) {
        status = renderWireMock(in, *m, *wmStub, out, closing, head);
    } else if (mock.binding) {
        status = tableAction(req, in, *m, out, closing);
    } else if (cr.templated() || (r.body.empty() && !r.bodyFile.empty())) {
        // Seeded generator: ?_mockd_seed, then X-Mockd-Seed, then the response's seed.
        int64_t seed = 0;
        bool seeded = false;
        if (auto q = in.query("_mockd_seed"); q && tmpl::parseSeed(*q, seed))
            seeded = true;
        else if (auto hs = req.header("X-Mockd-Seed"); !hs.empty() && tmpl::parseSeed(hs, seed))
            seeded = true;
        else if (r.seed)
            seed = *r.seed, seeded = true;
        tmpl::Rng rng = seeded ? tmpl::Rng(static_cast<uint64_t>(seed)) : tmpl::Rng::unseeded();
        core::Captures caps = m->captures(in);
        tmpl::RequestData data{&req, &in, &caps};
        thread_local std::string body, headers;
        body.clear();
        headers.assign(cr.headers());
        for (const auto& [name, t] : cr.headerTemplates()) {
            std::string value;
            t.render(data, rng, value);
            appendHeaderLine(headers, name, value);
        }
        h.extraHeaders = headers;
        if (cr.bodyTemplate()) {
            cr.bodyTemplate()->render(data, rng, body);
        } else if (r.body.empty() && !r.bodyFile.empty()) {
            std::string raw;
            if (!readFile(r.bodyFile, raw, error)) {
                if (m->wiremock()) {
                    status = serverErrorPage(out, error, closing, head);
                } else {
                    appendJsonError(out, 502, "body_file_error", error, closing);
                    status = 502;
                }
            } else if (raw.find("{{") != std::string::npos && !m->wiremock()) {
                compiledFile<MockdFile>(r.bodyFile, raw, [](const std::string& t, MockdFile& f) {
                    f.compiled = tmpl::Template::compile(t);
                }).compiled.render(data, rng, body);
            } else {
                body = std::move(raw);
            }
        } else {
            body = r.body;
        }
        // (A stub's own 500 or 502 is an answer like any other: only a failure skips it.)
        if (error.empty()) {
            if (!cr.userContentType()) h.contentType = sniffContentType(body);
            appendResponse(out, h, body, head);
        }
    } else {
        h.contentType = cr.staticContentType();
        appendResponse(out, h, r.body, head);
    }
    http::Outcome outcome;
    outcome.delayMs = r.delayMs;
    if (const core::WireMockStub* wm = m->wiremock()) {
        wiremock::WireMockApi::served(*wm);
        outcome.delayMs = wireMockDelay(r);
    } else {
        outcome.delayMs += r.delayDistribution.sample();
    }
    if (r.fault != core::Fault::None || r.dribble.chunks > 0)
        deliver(r, status, head, at, out, outcome);
    if (r.fault != core::Fault::None && error.empty())
        error = "injected fault " + std::string(core::faultName(r.fault));
    // Webhooks go out once the answer is sent, so after its delay.
    std::shared_ptr<journal::SubEvents> fired;
    if (wmStub && !wmStub->webhooks.empty()) fired = fireWebhooks(in, *wmStub, outcome.delayMs);
    if (observe)
        record(req, mock.id, status, start, outcome.delayMs, {}, {}, std::move(error),
               std::move(fired));
    return outcome;
}

uint32_t MockEngine::wireMockDelay(const core::HttpResponse& r) const {
    // WireMock: the stub's fixed delay or else the global one, plus the stub's distribution or
    // else the global one.
    if (!wiremock_) return r.delayMs + r.delayDistribution.sample();
    uint32_t delay = r.delaySet ? r.delayMs : wiremock_->globalDelayMs();
    return delay + (r.delayDistribution.empty() ? wiremock_->sampleGlobalDistribution()
                                                : r.delayDistribution.sample());
}

http::Outcome MockEngine::proxyStub(const Request& req, const core::MatchInput& in,
                                    const match::CompiledMock& m, const core::WireMockStub& wm,
                                    std::string& out, bool closing, bool head,
                                    std::chrono::steady_clock::time_point start) {
    const core::WireMockProxy& px = *wm.proxy;
    const core::Mock& mock = m.mock();
    const core::HttpResponse& r = mock.response;
    wiremock::WireMockApi::served(wm);
    ProxySpec spec;
    std::string base = px.baseUrl;
    const bool templated = templating_ == Templating::Global ||
                           (templating_ == Templating::Local && wm.responseTemplate);
    std::string stubHeaders;
    appendHeaderLine(stubHeaders, "Matched-Stub-Id", mock.id);
    if (!mock.name.empty()) appendHeaderLine(stubHeaders, "Matched-Stub-Name", mock.name);
    if (templated) {
        // The upstream URL and the added request headers are templates too.
        auto fail = [&](const std::string& message, std::string_view extra) {
            int status = serverErrorPage(out, message, closing, head, extra);
            if (observing()) record(req, mock.id, status, start, 0, {}, {}, message);
            return http::Outcome{};
        };
        if (!wm.templateError.empty()) return fail(wm.templateError, {});
        const wiremock::TemplateInput input = templateInput(in, wm);
        try {
            if (px.baseUrlTemplate) base = px.baseUrlTemplate->render(input);
            for (size_t i = 0; i < px.addHeaders.size(); ++i) {
                const auto& t = px.addHeaderTemplates[i];
                spec.addHeaders.emplace_back(px.addHeaders[i].first,
                                             t ? t->render(input) : px.addHeaders[i].second);
            }
        } catch (const wiremock::TemplateError& e) {
            return fail(e.what(), {});
        } catch (const wiremock::TemplateRuntimeError& e) {
            return fail(e.what(), stubHeaders);
        }
    } else {
        spec.addHeaders = px.addHeaders;
    }
    spec.url = proxyUrl(base, req, px.prefixToRemove);
    spec.removeHeaders = px.removeHeaders;
    spec.preserveHost = proxy_.preserveHost;
    spec.timeout = proxy_.timeout;
    // The stub's own response headers are added to the upstream's.
    std::string extra;
    for (const auto& [name, value] : r.headers)
        if (!iequals(name, "Content-Length") && !iequals(name, "Transfer-Encoding") &&
            !iequals(name, "Connection") && !iequals(name, "Date"))
            appendHeaderLine(extra, name, value);
    // (No Matched-Stub-Id: the answer is the upstream's, as WireMock sends it.)
    journal::Entry e = observing() ? requestEntry(req) : journal::Entry{};
    e.mockId = mock.id;
    const uint32_t delay = wireMockDelay(r);
    // (Sent while the upstream answers, not after: the request model is gone by then.)
    if (!wm.webhooks.empty()) e.subEvents = fireWebhooks(in, wm, delay);
    return forward(upstreamRequest(req, spec), std::move(extra), std::move(e), &r, delay, closing,
                   head, true, start);
}

http::Outcome MockEngine::forward(http::ClientRequest up, std::string extraHeaders,
                                  journal::Entry e, const core::HttpResponse* stubResponse,
                                  uint32_t delayMs, bool closing, bool head, bool wireMockErrors,
                                  std::chrono::steady_clock::time_point start) {
    http::Outcome o;
    core::Dribble dribble = stubResponse ? stubResponse->dribble : core::Dribble{};
    const bool observe = observing();
    auto request = std::make_shared<http::ClientRequest>(std::move(up));
    o.later = [this, request, extra = std::move(extraHeaders), e = std::move(e), dribble, delayMs,
               closing, head, wireMockErrors, observe,
               start](boost::asio::io_context& ctx, http::Completion done) mutable {
        const std::string url = request->url;
        http::fetch(
            ctx, std::move(*request),
            [this, url, extra = std::move(extra), e = std::move(e), dribble, delayMs, closing, head,
             wireMockErrors, observe, start,
             done = std::move(done)](http::ClientResponse res) mutable {
                std::string bytes;
                http::Outcome how;
                how.delayMs = delayMs;
                int status = 0;
                if (res.status == 0) {
                    if (wireMockErrors) {
                        // WireMock's answer when the upstream cannot be reached.
                        status = 500;
                        appendResponse(bytes, {500, {}, {}, closing},
                                       "Network failure trying to make a proxied "
                                       "request from WireMock to " +
                                           url + "\r\n" + res.error,
                                       head);
                    } else {
                        status = res.timedOut ? 504 : 502;
                        appendJsonError(bytes, status, "proxy_error",
                                        "Forwarding to " + url + " failed: " + res.error, closing);
                    }
                    e.error = "proxy: " + res.error;
                } else {
                    status = appendUpstreamResponse(res, extra, closing, head, bytes, stubCors_);
                }
                if (dribble.chunks > 0) {
                    core::HttpResponse r;
                    r.dribble = dribble;
                    deliver(r, status, head, 0, bytes, how);
                }
                if (observe) {
                    auto p = std::make_shared<journal::Proxied>();
                    p->url = url;
                    p->status = res.status;
                    p->headers = std::move(res.headers);
                    p->body = std::move(res.body);
                    p->error = std::move(res.error);
                    e.status = status;
                    e.proxied = std::move(p);
                    commit(std::move(e), start, delayMs);
                }
                done(std::move(bytes), std::move(how));
            });
    };
    return o;
}

int MockEngine::renderWireMock(const core::MatchInput& in, const match::CompiledMock& m,
                               const core::WireMockStub& wm, std::string& out, bool closing,
                               bool head) {
    if (!wm.templateError.empty()) return serverErrorPage(out, wm.templateError, closing, head);
    const wiremock::TemplateInput input = templateInput(in, wm);

    try {
        return renderWireMockParts(m, wm, input, out, closing, head);
    } catch (const wiremock::TemplateError& e) {
        return serverErrorPage(out, e.what(), closing, head);
    } catch (const wiremock::TemplateRuntimeError& e) {
        std::string stub;
        appendHeaderLine(stub, "Matched-Stub-Id", m.mock().id);
        if (!m.mock().name.empty()) appendHeaderLine(stub, "Matched-Stub-Name", m.mock().name);
        return serverErrorPage(out, e.what(), closing, head, stub);
    }
}

int MockEngine::renderWireMockParts(const match::CompiledMock& m, const core::WireMockStub& wm,
                                    const wiremock::TemplateInput& input, std::string& out,
                                    bool closing, bool head) {
    const core::Mock& mock = m.mock();
    const core::HttpResponse& r = mock.response;
    std::string headers;
    appendHeaderLine(headers, "Matched-Stub-Id", mock.id);
    if (!mock.name.empty()) appendHeaderLine(headers, "Matched-Stub-Name", mock.name);
    for (size_t i = 0; i < r.headers.size(); ++i) {
        const auto& [name, value] = r.headers[i];
        if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
            iequals(name, "Connection") || iequals(name, "Date"))
            continue;
        const auto* t =
            i < wm.headerTemplates.size() ? wm.headerTemplates[i].second.get() : nullptr;
        appendHeaderLine(headers, name, t ? t->render(input) : value);
    }

    std::string body;
    if (wm.bodyTemplate) {
        body = wm.bodyTemplate->render(input);
    } else if (!wm.bodyFileName.empty()) {
        std::string name =
            wm.bodyFileTemplate ? wm.bodyFileTemplate->render(input) : wm.bodyFileName;
        std::filesystem::path rel(name);
        for (const auto& part : rel)
            if (part == "..")
                return serverErrorPage(out, "bodyFileName must stay inside __files: " + name,
                                       closing, head);
        std::string path =
            wm.bodyFileTemplate
                ? (std::filesystem::path(wm.filesDir) / rel).lexically_normal().string()
                : r.bodyFile;
        std::string raw, err;
        if (!readFile(path, raw, err)) return serverErrorPage(out, err, closing, head);
        if (wiremock::hasTemplate(raw)) {
            const WireMockFile& f =
                compiledFile<WireMockFile>(path, raw, [&](const std::string& t, WireMockFile& e) {
                    try {
                        e.compiled = wiremock::HandlebarsTemplate::compile(t);
                    } catch (const wiremock::TemplateError& te) {
                        e.error = path + ":" + std::to_string(te.line()) + ":" +
                                  std::to_string(te.column()) + ": " + te.what();
                    }
                });
            if (!f.compiled) return serverErrorPage(out, f.error, closing, head);
            body = f.compiled->render(input);
        } else {
            body = std::move(raw);
        }
    } else {
        body = r.body;
    }
    ResponseHead h{r.statusCode, {}, headers, closing, r.statusMessage};
    appendResponse(out, h, body, head);
    return r.statusCode;
}

// Turns the response appended at `at` into a fault or a dribbled body.
void MockEngine::deliver(const core::HttpResponse& r, int status, bool head, size_t at,
                         std::string& out, http::Outcome& outcome) {
    switch (r.fault) {
        case core::Fault::ConnectionReset:
            outcome.reset = true;
            return;
        case core::Fault::EmptyResponse:
            out.resize(at);
            outcome.close = true;
            return;
        case core::Fault::MalformedChunk: {
            // WireMock sends no chunked head when the client asked to close the connection.
            const bool closing = out.find("\r\nConnection: close\r\n", at) != std::string::npos;
            out.resize(at);
            ResponseHead h{status, {}, closing ? "" : "Transfer-Encoding: chunked\r\n", true};
            h.chunked = true;
            appendResponse(out, h, {}, true);
            out += core::garbageBytes();
            outcome.close = true;
            return;
        }
        case core::Fault::RandomData:
            out.resize(at);
            out += core::garbageBytes();
            outcome.close = true;
            return;
        case core::Fault::None:
            break;
    }
    if (head || status < 200 || status == 204 || status == 304) return;
    std::string body;
    if (!toChunked(out, at, body)) return;
    outcome.chunks = core::chunkFrames(body, r.dribble.chunks);
    outcome.chunkIntervalMs =
        r.dribble.totalMs / static_cast<uint32_t>(std::max<size_t>(outcome.chunks.size(), 1));
}

int MockEngine::tableAction(const Request& req, const core::MatchInput& in,
                            const match::CompiledMock& m, std::string& out, bool closing) const {
    const core::StatefulBinding& b = *m.mock().binding;
    const bool head = req.method == "HEAD";
    auto send = [&](int status, std::string_view body) {
        ResponseHead h{status, body.empty() ? std::string_view() : "application/json",
                       m.responseHeaders(), closing};
        appendResponse(out, h, body, head);
        return status;
    };
    auto fail = [&](int status, const std::string& message) {
        core::Json e = {{"error", message}, {"resource", b.table}, {"statusCode", status}};
        // Table data and ids can come from request bytes that need not be UTF-8.
        return send(status, e.dump(-1, ' ', false, core::Json::error_handler_t::replace));
    };
    if (b.action == "custom") {
        auto op = tables_ ? tables_->findOperation(b.operation) : nullptr;
        if (!op) return fail(404, "no custom operation named \"" + b.operation + "\"");
        core::Json input = core::Json::object();
        std::string_view ct = req.header("Content-Type");
        if (ct.find("application/x-www-form-urlencoded") != std::string_view::npos) {
            input = state::formToJson(req.body);
        } else if (req.body.find_first_not_of(" \t\r\n") != std::string_view::npos) {
            if (core::jsonDepthWithin(req.body, core::kMaxJsonDepth))
                input = core::Json::parse(req.body, nullptr, false);
            if (input.is_discarded()) return fail(400, "the request body is not valid JSON");
        }
        auto result = state::runOperation(*op, input, *tables_);
        return send(result.status,
                    result.body.dump(-1, ' ', false, core::Json::error_handler_t::replace));
    }
    std::shared_ptr<state::Table> table = tables_ ? tables_->find(b.table) : nullptr;
    if (!table) return fail(404, "no table named \"" + b.table + "\"");
    const core::Json& responseCfg = b.response.is_object() ? b.response : table->def().response;
    // Errors found before the table acts (bad body, too large) are shaped like the table's own
    // (errors: wrap, codeMap, ...), so a client sees one error format.
    auto reject = [&](int status, const char* code, std::string message) {
        state::ActionResult e;
        e.status = status;
        e.errorCode = code;
        e.message = std::move(message);
        auto [shapedStatus, text] = state::render(e, table->def(), responseCfg, b.action);
        return send(shapedStatus, text);
    };

    // The item id is the last path parameter; a parent id (for parentField) the one before.
    core::Captures caps = m.captures(in);
    const bool itemAction =
        b.action == "get" || b.action == "update" || b.action == "patch" || b.action == "delete";
    std::optional<std::string> id, parent;
    if (itemAction) {
        if (caps.empty())
            return reject(400, "VALIDATION_ERROR",
                          "the mock's path has no {id} parameter for " + b.action);
        id = caps.back().second;
        if (caps.size() >= 2) parent = caps[caps.size() - 2].second;
    } else if (!caps.empty()) {
        parent = caps.back().second;
    }

    core::Json body;
    if (b.action == "create" || b.action == "update" || b.action == "patch") {
        constexpr size_t kMaxItemBody = 1024 * 1024;
        if (req.body.size() > kMaxItemBody)
            return reject(413, "PAYLOAD_TOO_LARGE", "the request body is larger than 1 MiB");
        std::string_view ct = req.header("Content-Type");
        if (ct.find("application/x-www-form-urlencoded") != std::string_view::npos) {
            body = state::formToJson(req.body);
        } else if (req.body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
            body = core::Json::object();
        } else {
            if (core::jsonDepthWithin(req.body, core::kMaxJsonDepth))
                body = core::Json::parse(req.body, nullptr, false);
            if (body.is_discarded() || body.is_null())
                return reject(400, "VALIDATION_ERROR", "the request body is not valid JSON");
        }
    }
    state::ActionResult result;
    std::vector<std::pair<std::string, std::string>> query;
    core::parseQuery(req.rawQuery, query);
    if (b.action == "list") {
        result = table->list(query, parent);
    } else if (b.action == "get") {
        result = table->get(*id, parent);
        std::vector<std::string> expand;
        for (const auto& [k, v] : query) {
            if (k != "expand" && k != "expand[]") continue;
            for (size_t start = 0; start <= v.size();) {
                size_t comma = v.find(',', start);
                std::string f = v.substr(start, comma - start);
                if (!f.empty()) expand.push_back(f);
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
        }
        if (!expand.empty() && result.errorCode.empty())
            table->expand(result.body, expand, *tables_);
    } else if (b.action == "create") {
        result = table->create(std::move(body), parent);
    } else if (b.action == "update") {
        result = table->update(*id, std::move(body), parent);
    } else if (b.action == "patch") {
        result = table->patch(*id, body, parent);
    } else if (preserves(responseCfg)) {
        result = table->softRemove(*id, parent);
    } else {
        result = table->remove(*id, parent);
    }
    auto [status, text] = state::render(result, table->def(), responseCfg, b.action);
    return send(status, text);
}

std::string MockEngine::noMatch(const Request& req, const core::MatchInput& in, std::string& out,
                                bool closing) const {
    auto misses = registry_.current().nearMisses(in, 3);
    // Keys in alphabetical order, as mockd's encoder writes a map.
    std::string body =
        "{\"error\":\"no_match\",\"message\":\"No mock matched the request\",\"method\":";
    appendJsonString(body, req.method);
    if (!misses.empty()) {
        body += ",\"nearMisses\":[";
        for (size_t i = 0; i < misses.size(); ++i) {
            const auto& nm = misses[i];
            const core::Mock& mk = nm.mock->mock();
            if (i) body += ',';
            body += "{\"mockId\":";
            appendJsonString(body, mk.id);
            if (!mk.name.empty()) {
                body += ",\"mockName\":";
                appendJsonString(body, mk.name);
            }
            body += ",\"score\":" + std::to_string(nm.score);
            body += ",\"maxPossibleScore\":" + std::to_string(nm.maxScore);
            body += ",\"matchPercentage\":" +
                    std::to_string(nm.maxScore ? nm.score * 100 / nm.maxScore : 0);
            body += ",\"fields\":" + nm.fieldsJson;
            body += ",\"reason\":";
            appendJsonString(body, nm.reason);
            body += '}';
        }
        body += ']';
    }
    body += ",\"path\":";
    appendJsonString(body, req.path);
    body += '}';
    body = goHtmlEscape(std::move(body));
    std::string extra;
    appendHeaderLine(extra, "X-Mockd-Near-Misses", std::to_string(misses.size()));
    appendResponse(out, {404, "application/json", extra, closing}, body, req.method == "HEAD");
    if (!journal_) return {};
    std::string slim = "[";
    for (size_t i = 0; i < misses.size(); ++i) {
        const auto& nm = misses[i];
        if (i) slim += ',';
        slim += "{\"mockId\":";
        appendJsonString(slim, nm.mock->mock().id);
        if (!nm.mock->mock().name.empty()) {
            slim += ",\"mockName\":";
            appendJsonString(slim, nm.mock->mock().name);
        }
        slim += ",\"matchPercentage\":" +
                std::to_string(nm.maxScore ? nm.score * 100 / nm.maxScore : 0) + ",\"reason\":";
        appendJsonString(slim, nm.reason);
        slim += '}';
    }
    slim += ']';
    return slim;
}

}  // namespace mockd::engine
