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
#include "http/local_reply.h"
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
using http::iequals;
using http::ProxySpec;
using http::proxyUrl;
using http::Response;
using http::sniffContentType;
using http::upstreamRequest;
using http::upstreamResponse;

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
void serverErrorPage(Response& res, const std::string& message, std::string extraHeaders = {}) {
    http::local_reply::jettyError(res, 500, message, std::move(extraHeaders));
}

void jsonAnswer(Response& res, int status, std::string body) {
    res.status = status;
    res.contentType = "application/json";
    res.setBody(std::move(body));
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

void MockEngine::healthBody(Response& res) const {
    jsonAnswer(res, 200, "{\"status\":\"healthy\",\"timestamp\":\"" + rfc3339Now() + "\"}\n");
}

void MockEngine::readyBody(Response& res) const {
    if (!ready_.load(std::memory_order_acquire)) {
        jsonAnswer(res, 503,
                   "{\"status\":\"initializing\",\"timestamp\":\"" + rfc3339Now() + "\"}\n");
        return;
    }
    size_t count = registry_.current()->size();
    jsonAnswer(res, 200,
               "{\"checks\":{\"mocks\":{\"count\":" + std::to_string(count) +
                   ",\"status\":\"ok\"}},\"status\":\"ready\"}\n");
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

MockEngine::MockEngine(EngineConfig config)
    : config_(checked(std::move(config))),
      registry_(*config_.registry),
      journal_(config_.journal),
      metrics_(config_.metrics),
      tables_(config_.tables),
      wiremock_(config_.wiremock),
      wiremockUnmatched_(config_.wiremockUnmatched && config_.wiremock),
      templating_(config_.templating),
      proxy_(config_.proxy),
      webhooks_(std::make_unique<wiremock::WebhookSender>()),
      route_(std::make_unique<Route>(*this)) {
    buildFilters();
}

EngineConfig MockEngine::checked(EngineConfig config) {
    if (!config.registry) throw std::invalid_argument("a mock engine needs a registry");
    return config;
}

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

class MockEngine::Route final : public http::Handler {
  public:
    explicit Route(MockEngine& engine) : engine_(engine) {}
    void handle(const Request& req, Response& res) override { engine_.route(req, res); }

  private:
    MockEngine& engine_;
};

void MockEngine::buildFilters() {
    // Outermost, as in mockd: every request on the port counts, and a refused one is answered
    // before anything else sees it.
    if (config_.rateLimit)
        filters_.add(std::make_unique<http::RateLimitFilter>(*config_.rateLimit));
    if (config_.chaos)
        filters_.add(std::make_unique<chaos::ChaosFilter>(*config_.chaos, wiremock_ != nullptr));
    if (config_.stubCors)
        filters_.add(std::make_unique<http::StubCorsFilter>());
    else if (config_.cors)
        filters_.add(std::make_unique<http::CorsFilter>(*config_.cors, wiremock_ != nullptr));
}

void MockEngine::handle(const Request& req, Response& res) { filters_.run(req, res, *route_); }

void MockEngine::route(const Request& req, Response& res) {
    const bool head = req.method == "HEAD";
    if (req.path.starts_with("/__mockd/")) {
        if (req.path == "/__mockd/health") return healthBody(res);
        if (req.path == "/__mockd/ready") return readyBody(res);
    }
    if (wiremock_ && req.path.starts_with("/__admin") &&
        (req.path.size() == 8 || req.path[8] == '/'))
        return wiremock_->handle(req, res);
    const bool observe = observing();
    const auto start =
        observe ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    core::MatchInput in(req);
    std::shared_ptr<const match::Snapshot> snap = registry_.current();
    const match::CompiledMock* m = snap->find(in, req.method);
    if (!m && head && !wiremockUnmatched_) m = snap->find(in, "GET");
    if (!m) return unmatched(req, in, res, start);
    // The response may borrow the mock's headers and body: the snapshot keeps them alive.
    res.keepAlive = std::move(snap);

    const core::Mock& mock = m->mock();
    // The single response, or this match's place in the mock's sequence.
    const match::CompiledResponse& cr = m->nextResponse();
    const core::HttpResponse& r = cr.response();
    m->stats().calls.fetch_add(1, std::memory_order_relaxed);
    m->stats().lastCalledUs.store(nowMicros(), std::memory_order_relaxed);
    const core::WireMockStub* wmStub = m->wiremock();
    // As in WireMock, a proxy stub forwards even when it also names a fault.
    if (wmStub && wmStub->proxy) return proxyStub(req, in, *m, *wmStub, res, start);
    std::string error = answer(req, in, *m, cr, res);
    res.delivery.delayMs = r.delayMs;
    if (wmStub) {
        res.delivery.delayMs = wireMockDelay(r);
    } else {
        res.delivery.delayMs += r.delayDistribution.sample();
    }
    if (r.fault != core::Fault::None || r.dribble.chunks > 0) deliver(r, res);
    if (r.fault != core::Fault::None && error.empty())
        error = "injected fault " + std::string(core::faultName(r.fault));
    // Webhooks go out once the answer is sent, so after its delay.
    std::shared_ptr<journal::SubEvents> fired;
    if (wmStub && !wmStub->webhooks.empty())
        fired = fireWebhooks(in, *wmStub, res.delivery.delayMs);
    if (observe)
        record(req, mock.id, res.status, start, res.delivery.delayMs, {}, {}, std::move(error),
               std::move(fired));
}

void MockEngine::unmatched(const Request& req, const core::MatchInput& in, Response& res,
                           std::chrono::steady_clock::time_point start) {
    const bool observe = observing();
    if (res.fallback) {
        auto answer = std::move(res.fallback);
        res.fallback = nullptr;
        return answer(res);
    }
    if (!proxy_.unmatchedUrl.empty()) {
        ProxySpec spec;
        spec.url = proxyUrl(proxy_.unmatchedUrl, req, {});
        spec.preserveHost = proxy_.preserveHost;
        spec.timeout = proxy_.timeout;
        journal::Entry e = observe ? requestEntry(req) : journal::Entry{};
        return forward(upstreamRequest(req, spec), {}, std::move(e), nullptr, 0, wiremockUnmatched_,
                       start, res);
    }
    if (wiremockUnmatched_) {
        std::string report;
        wiremock_->unmatched(req, in, res, &report);
        if (observe) record(req, {}, res.status, start, 0, {}, std::move(report));
    } else if (req.path == "/health") {
        healthBody(res);
    } else if (req.path == "/ready") {
        readyBody(res);
    } else {
        std::string slim = noMatch(req, in, res);
        if (observe) record(req, {}, 404, start, 0, std::move(slim));
    }
}

std::string MockEngine::answer(const Request& req, const core::MatchInput& in,
                               const match::CompiledMock& m, const match::CompiledResponse& cr,
                               Response& res) const {
    const core::HttpResponse& r = cr.response();
    const core::WireMockStub* wmStub = m.wiremock();
    res.status = r.statusCode;
    if (wmStub && wmStub->hasTemplates() &&
        (templating_ == Templating::Global ||
         (templating_ == Templating::Local && wmStub->responseTemplate))) {
        renderWireMock(in, m, *wmStub, res);
        return {};
    }
    if (m.mock().binding) {
        tableAction(req, in, m, res);
        return {};
    }
    res.reason = r.statusMessage;
    res.fixedHeaders = cr.headers();
    if (!cr.templated() && !(r.body.empty() && !r.bodyFile.empty())) {
        res.contentType = cr.staticContentType();
        res.bodyRef = &r.body;
        return {};
    }
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
    core::Captures caps = m.captures(in);
    tmpl::RequestData data{&req, &in, &caps};
    for (const auto& [name, tpl] : cr.headerTemplates()) {
        std::string value;
        tpl.render(data, rng, value);
        res.addHeader(name, value);
    }
    std::string error;
    if (cr.bodyTemplate()) {
        cr.bodyTemplate()->render(data, rng, res.body);
    } else if (r.body.empty() && !r.bodyFile.empty()) {
        std::string raw;
        if (!readFile(r.bodyFile, raw, error)) {
            // (A stub's own 500 or 502 is an answer like any other: only a failure replaces it.)
            if (wmStub) {
                serverErrorPage(res, error);
            } else {
                http::local_reply::mockdError(res, 502, "body_file_error", error);
            }
            return error;
        }
        if (raw.find("{{") != std::string::npos && !wmStub) {
            compiledFile<MockdFile>(r.bodyFile, raw, [](const std::string& t, MockdFile& f) {
                f.compiled = tmpl::Template::compile(t);
            }).compiled.render(data, rng, res.body);
        } else {
            res.body = std::move(raw);
        }
    } else {
        res.body = r.body;
    }
    if (!cr.userContentType()) res.contentType = sniffContentType(res.body);
    return {};
}

uint32_t MockEngine::wireMockDelay(const core::HttpResponse& r) const {
    // WireMock: the stub's fixed delay or else the global one, plus the stub's distribution or
    // else the global one.
    if (!wiremock_) return r.delayMs + r.delayDistribution.sample();
    uint32_t delay = r.delaySet ? r.delayMs : wiremock_->globalDelayMs();
    return delay + (r.delayDistribution.empty() ? wiremock_->sampleGlobalDistribution()
                                                : r.delayDistribution.sample());
}

void MockEngine::proxyStub(const Request& req, const core::MatchInput& in,
                           const match::CompiledMock& m, const core::WireMockStub& wm,
                           Response& res, std::chrono::steady_clock::time_point start) {
    const core::WireMockProxy& px = *wm.proxy;
    const core::Mock& mock = m.mock();
    const core::HttpResponse& r = mock.response;
    ProxySpec spec;
    std::string base = px.baseUrl;
    const bool templated = templating_ == Templating::Global ||
                           (templating_ == Templating::Local && wm.responseTemplate);
    std::string stubHeaders;
    appendHeaderLine(stubHeaders, "Matched-Stub-Id", mock.id);
    if (!mock.name.empty()) appendHeaderLine(stubHeaders, "Matched-Stub-Name", mock.name);
    if (templated) {
        // The upstream URL and the added request headers are templates too.
        auto fail = [&](const std::string& message, std::string extra) {
            serverErrorPage(res, message, std::move(extra));
            if (observing()) record(req, mock.id, res.status, start, 0, {}, {}, message);
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
    forward(upstreamRequest(req, spec), std::move(extra), std::move(e), &r, delay, true, start,
            res);
}

void MockEngine::forward(http::ClientRequest up, std::string extraHeaders, journal::Entry e,
                         const core::HttpResponse* stubResponse, uint32_t delayMs,
                         bool wireMockErrors, std::chrono::steady_clock::time_point start,
                         Response& res) {
    core::Dribble dribble = stubResponse ? stubResponse->dribble : core::Dribble{};
    const bool observe = observing();
    const bool head = res.headOnly;
    auto request = std::make_shared<http::ClientRequest>(std::move(up));
    res.later = [this, request, extra = std::move(extraHeaders), e = std::move(e), dribble, delayMs,
                 head, wireMockErrors, observe,
                 start](boost::asio::io_context& ctx, http::Completion done) mutable {
        const std::string url = request->url;
        http::fetch(ctx, std::move(*request),
                    [this, url, extra = std::move(extra), e = std::move(e), dribble, delayMs, head,
                     wireMockErrors, observe, start,
                     done = std::move(done)](http::ClientResponse up) mutable {
                        Response answer;
                        answer.headOnly = head;
                        answer.delivery.delayMs = delayMs;
                        if (up.status == 0) {
                            if (wireMockErrors) {
                                // WireMock's answer when the upstream cannot be reached.
                                answer.status = 500;
                                answer.setBody(
                                    "Network failure trying to make a proxied request from "
                                    "WireMock to " +
                                    url + "\r\n" + up.error);
                            } else {
                                http::local_reply::mockdError(
                                    answer, up.timedOut ? 504 : 502, "proxy_error",
                                    "Forwarding to " + url + " failed: " + up.error);
                            }
                            e.error = "proxy: " + up.error;
                        } else {
                            upstreamResponse(up, extra, head, answer, config_.stubCors);
                        }
                        if (dribble.chunks > 0) {
                            core::HttpResponse r;
                            r.dribble = dribble;
                            deliver(r, answer);
                        }
                        if (observe) {
                            auto p = std::make_shared<journal::Proxied>();
                            p->url = url;
                            p->status = up.status;
                            p->headers = std::move(up.headers);
                            p->body = std::move(up.body);
                            p->error = std::move(up.error);
                            e.status = answer.status;
                            e.proxied = std::move(p);
                            commit(std::move(e), start, delayMs);
                        }
                        done(std::move(answer));
                    });
    };
}

void MockEngine::renderWireMock(const core::MatchInput& in, const match::CompiledMock& m,
                                const core::WireMockStub& wm, Response& res) {
    if (!wm.templateError.empty()) return serverErrorPage(res, wm.templateError);
    const wiremock::TemplateInput input = templateInput(in, wm);

    try {
        renderWireMockParts(m, wm, input, res);
    } catch (const wiremock::TemplateError& e) {
        serverErrorPage(res, e.what());
    } catch (const wiremock::TemplateRuntimeError& e) {
        std::string stub;
        appendHeaderLine(stub, "Matched-Stub-Id", m.mock().id);
        if (!m.mock().name.empty()) appendHeaderLine(stub, "Matched-Stub-Name", m.mock().name);
        serverErrorPage(res, e.what(), std::move(stub));
    }
}

void MockEngine::renderWireMockParts(const match::CompiledMock& m, const core::WireMockStub& wm,
                                     const wiremock::TemplateInput& input, Response& res) {
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
                return serverErrorPage(res, "bodyFileName must stay inside __files: " + name);
        std::string path =
            wm.bodyFileTemplate
                ? (std::filesystem::path(wm.filesDir) / rel).lexically_normal().string()
                : r.bodyFile;
        std::string raw, err;
        if (!readFile(path, raw, err)) return serverErrorPage(res, err);
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
            if (!f.compiled) return serverErrorPage(res, f.error);
            body = f.compiled->render(input);
        } else {
            body = std::move(raw);
        }
    } else {
        body = r.body;
    }
    res.status = r.statusCode;
    res.reason = r.statusMessage;
    res.headers = std::move(headers);
    res.setBody(std::move(body));
}

void MockEngine::deliver(const core::HttpResponse& r, Response& res) {
    using Fault = http::Delivery::Fault;
    switch (r.fault) {
        case core::Fault::ConnectionReset:
            res.delivery.fault = Fault::Reset;
            return;
        case core::Fault::EmptyResponse:
            res.delivery.fault = Fault::Empty;
            return;
        case core::Fault::MalformedChunk:
            res.delivery.fault = Fault::MalformedChunk;
            return;
        case core::Fault::RandomData:
            res.delivery.fault = Fault::RandomData;
            return;
        case core::Fault::None:
            break;
    }
    res.delivery.dribblePieces = r.dribble.chunks;
    res.delivery.dribbleTotalMs = r.dribble.totalMs;
}

void MockEngine::tableAction(const Request& req, const core::MatchInput& in,
                             const match::CompiledMock& m, Response& res) const {
    const core::StatefulBinding& b = *m.mock().binding;
    auto send = [&](int status, std::string body) {
        res.status = status;
        res.fixedHeaders = m.responseHeaders();
        res.contentType = body.empty() ? std::string_view() : "application/json";
        res.setBody(std::move(body));
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

std::string MockEngine::noMatch(const Request& req, const core::MatchInput& in,
                                Response& res) const {
    auto misses = registry_.current()->nearMisses(in, 3);
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
    res.addHeader("X-Mockd-Near-Misses", std::to_string(misses.size()));
    jsonAnswer(res, 404, std::move(body));
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
