// The mock port's request handler.
#include "engine/mock_engine.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "chaos/chaos.h"
#include "core/body_file.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/match_input.h"
#include "core/mock_codec.h"
#include "core/request_validation.h"
#include "http/local_reply.h"
#include "http/proxy.h"
#include "http/response.h"
#include "log/log.h"
#include "state/operations.h"
#include "template/template.h"

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

struct MockdFile {
    std::string text;
    tmpl::Template compiled;
};

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

MockEngine::MockEngine(EngineConfig config)
    : config_(checked(std::move(config))),
      registry_(*config_.registry),
      journal_(config_.journal),
      metrics_(config_.metrics),
      tables_(config_.tables),
      unmatched_(config_.unmatched),
      proxy_(config_.proxy),
      route_(std::make_unique<Route>(*this)) {
    buildFilters();
}

EngineConfig MockEngine::checked(EngineConfig config) {
    if (!config.registry) throw std::invalid_argument("a mock engine needs a registry");
    for (const auto& mount : config.mounts)
        if (!mount.handler || mount.prefix.empty())
            throw std::invalid_argument("a mount needs a path prefix and a handler");
    return config;
}

MockEngine::~MockEngine() = default;

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
    std::vector<std::string> mounted;
    for (const auto& mount : config_.mounts) mounted.push_back(mount.prefix);
    if (config_.chaos) filters_.add(std::make_unique<chaos::ChaosFilter>(*config_.chaos, mounted));
    if (config_.stubCors)
        filters_.add(std::make_unique<http::StubCorsFilter>());
    else if (config_.cors)
        filters_.add(std::make_unique<http::CorsFilter>(*config_.cors, mounted));
    // Innermost: the request log sees the route's answer before any filter shapes it, for
    // exactly the requests the route answers.
    filters_.add(std::make_unique<RequestLogFilter>(journal_, metrics_));
    for (const auto& f : config_.innerFilters) filters_.add(f);
}

void MockEngine::handle(const Request& req, Response& res) { filters_.run(req, res, *route_); }

void MockEngine::route(const Request& req, Response& res) {
    const bool head = req.method == "HEAD";
    if (req.path.starts_with("/__mockd/")) {
        if (req.path == "/__mockd/health") return healthBody(res);
        if (req.path == "/__mockd/ready") return readyBody(res);
    }
    for (const auto& mount : config_.mounts)
        if (http::underPrefix(req.path, mount.prefix)) return mount.handler->handle(req, res);
    core::MatchInput in(req);
    std::shared_ptr<const match::Snapshot> snap = registry_.current();
    const match::CompiledMock* m = snap->find(in, req.method);
    if (!m && head && config_.headAsGet) m = snap->find(in, "GET");
    if (!m) return unmatched(req, in, res);
    // The response may borrow the mock's headers and body: the snapshot keeps them alive.
    res.keepAlive = std::move(snap);

    const core::Mock& mock = m->mock();
    // The single response, or this match's place in the mock's sequence.
    const match::CompiledResponse& cr = m->nextResponse();
    const core::HttpResponse& r = cr.response();
    m->stats().calls.fetch_add(1, std::memory_order_relaxed);
    m->stats().lastCalledUs.store(nowMicros(), std::memory_order_relaxed);
    if (m->format()) return answerByFormat({req, in, *m, cr}, res);
    if (mock.validation && refusedByValidation(req, in, *m, res)) return;
    if (mock.stream) return answerStream({req, in, *m, cr}, res);
    std::string error = answer(req, in, *m, cr, res);
    res.delivery.delayMs = r.delayMs + r.delayDistribution.sample();
    if (r.fault != core::Fault::None || r.dribble.chunks > 0) http::deliverAsMocked(r, res);
    if (r.fault != core::Fault::None && error.empty())
        error = "injected fault " + std::string(core::faultName(r.fault));
    noteExchange(res, mock.id, {}, {}, std::move(error));
}

// `http.validation`: a request that breaks the mock's rules gets mockd's problem+json answer
// (strict, or permissive for a missing value); in warn mode it is logged and answered.
bool MockEngine::refusedByValidation(const Request& req, const core::MatchInput& in,
                                     const match::CompiledMock& m, Response& res) {
    const core::RequestValidation& v = *m.mock().validation;
    const auto problems = v.check(req, m.captures(in));
    if (problems.empty()) return false;
    if (!v.rejects(problems)) {
        log::warn(v.warns() ? "request failed validation (answered: mode warn)"
                            : "request failed validation (answered: mode permissive)",
                  {{"mock", m.mock().id}, {"problems", core::problemSummary(problems)}});
        return false;
    }
    http::local_reply::text(res, v.failStatus(), "application/problem+json",
                            v.problemBody(problems));
    noteExchange(res, m.mock().id, {}, {}, "request validation failed");
    return true;
}

FormatResponder* MockEngine::responderFor(std::string_view format) const {
    for (FormatResponder* r : config_.responders)
        if (r->format() == format) return r;
    return nullptr;
}

void MockEngine::answerStream(const MatchedCall& call, Response& res) {
    const core::Mock& mock = call.mock.mock();
    const std::string_view key = mock.stream->key();
    for (StreamResponder* r : config_.streamers)
        if (r->key() == key) {
            noteExchange(res, mock.id);
            return r->respond(call, res);
        }
    // Only a server built without the protocol gets here (a test harness).
    std::string error = "no responder for " + std::string(key) + " streams";
    http::local_reply::mockdError(res, 500, "no_responder", error);
    noteExchange(res, mock.id, {}, {}, std::move(error));
}

void MockEngine::answerByFormat(const MatchedCall& call, Response& res) {
    const core::Mock& mock = call.mock.mock();
    const std::string_view format = call.mock.format()->format();
    FormatResponder* responder = responderFor(format);
    Outcome out;
    if (responder) {
        out = responder->respond(call, res);
    } else {
        // Only a server built without the format's responder gets here (a test harness).
        out.error = "no responder for mocks in the " + std::string(format) + " format";
        http::local_reply::mockdError(res, 500, "no_responder", out.error);
    }
    noteExchange(res, mock.id, {}, {}, std::move(out.error), std::move(out.subEvents));
    if (out.forward) forward(std::move(*out.forward), res);
}

void MockEngine::unmatched(const Request& req, const core::MatchInput& in, Response& res) {
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
        Forward fw;
        fw.request = upstreamRequest(req, spec);
        if (unmatched_) fw.failure = unmatched_->proxyFailure();
        noteExchange(res, {});
        return forward(std::move(fw), res);
    }
    if (unmatched_) {
        std::string report;
        unmatched_->unmatched(req, in, res, &report);
        noteExchange(res, {}, {}, std::move(report));
    } else if (req.path == "/health") {
        healthBody(res);
    } else if (req.path == "/ready") {
        readyBody(res);
    } else {
        noteExchange(res, {}, noMatch(req, in, res));
    }
}

std::string MockEngine::answer(const Request& req, const core::MatchInput& in,
                               const match::CompiledMock& m, const match::CompiledResponse& cr,
                               Response& res) const {
    const core::HttpResponse& r = cr.response();
    res.status = r.statusCode;
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
        if (!core::readBodyFile(r.bodyFile, raw, error)) {
            // (A mock's own 502 is an answer like any other: only a failure replaces it.)
            http::local_reply::mockdError(res, 502, "body_file_error", error);
            return error;
        }
        if (raw.find("{{") != std::string::npos) {
            core::compiledFile<MockdFile>(r.bodyFile, raw, [](const std::string& t, MockdFile& f) {
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

void MockEngine::forward(Forward fw, Response& res) {
    const bool head = res.headOnly;
    auto shared = std::make_shared<Forward>(std::move(fw));
    // With a request log, the answer carries what the upstream said for its entry.
    const bool logged = res.exchange != nullptr;
    res.later = [this, shared, logged, head](boost::asio::io_context& ctx,
                                             http::Completion done) mutable {
        const std::string url = shared->request.url;
        http::fetch(ctx, std::move(shared->request),
                    [this, url, shared, logged, head,
                     done = std::move(done)](http::ClientResponse up) mutable {
                        const Forward& fw = *shared;
                        Response answer;
                        answer.headOnly = head;
                        answer.delivery.delayMs = fw.delayMs;
                        std::shared_ptr<Exchange> exchange =
                            logged ? std::make_shared<Exchange>() : nullptr;
                        if (up.status == 0) {
                            if (fw.failure) {
                                fw.failure(url, up, answer);
                            } else {
                                http::local_reply::mockdError(
                                    answer, up.timedOut ? 504 : 502, "proxy_error",
                                    "Forwarding to " + url + " failed: " + up.error);
                            }
                            if (exchange) exchange->entry.error = "proxy: " + up.error;
                        } else {
                            upstreamResponse(up, fw.extraHeaders, head, answer, config_.stubCors);
                        }
                        if (fw.dribble.chunks > 0) {
                            core::HttpResponse r;
                            r.dribble = fw.dribble;
                            http::deliverAsMocked(r, answer);
                        }
                        if (exchange) {
                            answer.exchange = exchange;
                            auto p = std::make_shared<journal::Proxied>();
                            p->url = url;
                            p->status = up.status;
                            p->headers = std::move(up.headers);
                            p->body = std::move(up.body);
                            p->error = std::move(up.error);
                            exchange->entry.proxied = std::move(p);
                        }
                        done(std::move(answer));
                    });
    };
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
