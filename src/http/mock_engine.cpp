// The mock port's request handler.
#include "http/mock_engine.h"

#include <ctime>
#include <fstream>
#include <sstream>

#include "http/response.h"
#include "log/log.h"
#include "match/match_input.h"

namespace mockd::http {

namespace {

// Go's encoder escapes these inside strings; copying it keeps bodies byte-identical to mockd's.
std::string goHtmlEscape(std::string s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (c == '<')
            out += "\\u003c";
        else if (c == '>')
            out += "\\u003e";
        else if (c == '&')
            out += "\\u0026";
        else
            out += c;
    }
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

}  // namespace

std::string rfc3339Now() {
    time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf, n);
}

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

net::Outcome MockEngine::handle(const Request& req, std::string& out, bool closing) {
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
    const auto start = log::enabled(log::Level::Debug) ? std::chrono::steady_clock::now()
                                                       : std::chrono::steady_clock::time_point{};
    match::MatchInput in(req);
    const match::Snapshot& snap = registry_.current();
    const match::CompiledMock* m = snap.find(in, req.method);
    if (!m && head) m = snap.find(in, "GET");
    if (!m) {
        if (req.path == "/health")
            healthBody(out, head, closing);
        else if (req.path == "/ready")
            readyBody(out, head, closing);
        else
            noMatch(req, in, out, closing);
        return {};
    }

    const core::Mock& mock = m->mock();
    const core::HttpResponse& r = mock.response;
    ResponseHead h;
    h.status = r.statusCode;
    h.extraHeaders = m->responseHeaders();
    h.close = closing;
    if (r.body.empty() && !r.bodyFile.empty()) {
        std::string body, err;
        if (!readFile(r.bodyFile, body, err)) {
            appendJsonError(out, 502, "body_file_error", err, closing);
            return {r.delayMs, false};
        }
        if (!m->userContentType()) h.contentType = sniffContentType(body);
        appendResponse(out, h, body, head);
    } else {
        h.contentType = m->staticContentType();
        appendResponse(out, h, r.body, head);
    }
    if (log::enabled(log::Level::Debug)) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
        log::debug("request matched", {{"method", req.method},
                                       {"path", req.path},
                                       {"status", r.statusCode},
                                       {"mock_id", mock.id},
                                       {"score", m->score()},
                                       {"delay_ms", r.delayMs},
                                       {"duration_us", static_cast<int64_t>(us)}});
    }
    return {r.delayMs, false};
}

void MockEngine::noMatch(const Request& req, const match::MatchInput& in, std::string& out,
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
    if (log::enabled(log::Level::Debug))
        log::debug("request unmatched", {{"method", req.method},
                                         {"path", req.path},
                                         {"status", 404},
                                         {"near_misses", static_cast<int64_t>(misses.size())}});
}

}  // namespace mockd::http
