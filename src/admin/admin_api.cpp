// Admin API routes, mockd's shapes and status codes.
#include "admin/admin_api.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "chaos/chaos.h"
#include "config/loader.h"
#include "config/yaml_json.h"
#include "core/clock.h"
#include "core/errors.h"
#include "core/mock_codec.h"
#include "engine/mock_engine.h"
#include "http/response.h"
#include "log/log.h"
#include "core/match_input.h"
#include "match/path_pattern.h"
#include "state/operations.h"

namespace mockd::admin {

using core::Json;
using core::Request;

namespace {

struct Reply {
    std::string& out;
    bool closing;
    bool head;

    void json(int status, const Json& body) const {
        // Logged requests and mocks built from them carry bytes that need not be UTF-8.
        http::appendResponse(out, {status, "application/json", {}, closing},
                             body.dump(-1, ' ', false, Json::error_handler_t::replace), head);
    }
    void error(int status, std::string_view code, std::string_view message) const {
        http::appendJsonError(out, status, code, message, closing);
    }
    // 400 validation_error naming the field; `root` ("mock.") is the decoder's name for the body.
    void invalid(const core::FieldError& e, std::string_view root = {}) const {
        std::string field = e.field();
        if (!root.empty() && field.starts_with(root)) field = field.substr(root.size());
        json(400, {{"error", "validation_error"},
                   {"message", field + ": " + e.what()},
                   {"details", {{"field", field}}}});
    }
    void noContent() const { http::appendResponse(out, {204, {}, {}, closing}, {}, false); }
    void text(int status, std::string_view contentType, std::string_view body) const {
        http::appendResponse(out, {status, contentType, {}, closing}, body, head);
    }
};

std::string isoMicros(int64_t us) { return core::isoUtc(us, 6); }

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    match::splitSegments(path, out);
    if (out.size() == 1 && out[0].empty()) out.clear();
    return out;
}

std::optional<std::string> queryParam(const Request& req, std::string_view key) {
    std::vector<std::pair<std::string, std::string>> q;
    core::parseQuery(req.rawQuery, q);
    for (auto& [k, v] : q)
        if (k == key) return v;
    return std::nullopt;
}

bool parseSize(const std::optional<std::string>& v, size_t& out) {
    if (!v) return true;
    if (v->empty() || v->size() > 9 || v->find_first_not_of("0123456789") != std::string::npos)
        return false;
    out = std::stoul(*v);
    return true;
}

// Parses a JSON request body; on failure writes the 400 and returns nullopt.
std::optional<Json> parseBody(const Request& req, const Reply& r) {
    if (req.body.empty()) {
        r.error(400, "invalid_json", "the request body is empty; send a JSON document");
        return std::nullopt;
    }
    if (!core::jsonDepthWithin(req.body, core::kMaxJsonDepth)) {
        r.error(400, "invalid_json", "the request body is nested too deeply");
        return std::nullopt;
    }
    try {
        return Json::parse(req.body);
    } catch (const Json::parse_error& e) {
        std::string msg = e.what();
        if (auto p = msg.find("syntax error"); p != std::string::npos) msg = msg.substr(p);
        r.error(400, "invalid_json", "the request body is not valid JSON: " + msg);
        return std::nullopt;
    } catch (const Json::exception& e) {  // a number out of range (1e309)
        r.error(400, "invalid_json",
                std::string("the request body is not valid JSON: ") + e.what());
        return std::nullopt;
    }
}

Json mockJson(const core::Mock& m) { return core::encodeMock(m); }

// A mock as GET shows it: its definition plus, for `times` and `responses`, where it stands
// (read-only; a PUT of the same document ignores it and re-arms the mock).
Json liveMockJson(const match::CompiledMock& c) {
    Json j = core::encodeMock(c.mock());
    const core::Mock& m = c.mock();
    if (!m.times && m.responses.empty()) return j;
    Json usage = Json::object();
    if (m.times) {
        const uint64_t used = std::min(c.progress().timesUsed.load(), *m.times);
        usage["timesUsed"] = used;
        usage["timesRemaining"] = *m.times - used;
    }
    if (!m.responses.empty()) {
        const uint64_t i = c.progress().nextResponse.load(), n = m.responses.size();
        usage["nextResponse"] =
            m.responsesMode == core::SequenceMode::Cycle ? i % n : std::min(i, n - 1);
    }
    j["usage"] = std::move(usage);
    return j;
}

Json withTimestamps(Json j, const core::Mock* previous) {
    std::string now = isoMicros(engine::nowMicros());
    j["createdAt"] = previous && previous->extra.contains("createdAt")
                         ? previous->extra["createdAt"]
                         : Json(now);
    j["updatedAt"] = now;
    return j;
}

std::string requestsTotalLine(const std::string& id, int status, uint64_t n) {
    std::string l = "mockd_requests_total{mock=\"";
    log::appendJsonEscaped(l, id);
    l += "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
    return l;
}

}  // namespace

AdminApi::AdminApi(match::Registry& registry, journal::Journal& journal, http::Metrics& metrics,
                   AdminSettings settings)
    : registry_(registry),
      journal_(journal),
      metrics_(metrics),
      settings_(std::move(settings)),
      started_(std::chrono::steady_clock::now()),
      startedAt_(isoMicros(engine::nowMicros())) {}

http::Outcome AdminApi::handle(const Request& req, std::string& out, bool closing) {
    Reply r{out, closing, req.method == "HEAD"};
    const std::string method = req.method == "HEAD" ? "GET" : std::string(req.method);
    auto seg = segments(req.path);
    auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::steady_clock::now() - started_)
                      .count();
    auto changed = [&] {
        if (settings_.onChange) settings_.onChange();
    };
    auto notAllowed = [&](std::string_view allowed) {
        r.error(405, "method_not_allowed",
                std::string(req.method) + " is not allowed on " + std::string(req.path) +
                    " (allowed: " + std::string(allowed) + ")");
        return http::Outcome{};
    };

    // Open to everyone: liveness and metrics.
    if (req.path == "/health") {
        if (method != "GET") return notAllowed("GET");
        // mockd's key order.
        r.text(200, "application/json",
               "{\"status\":\"ok\",\"uptime\":" + std::to_string(uptime) + ",\"timestamp\":\"" +
                   engine::rfc3339Now() + "\"}");
        return {};
    }
    if (req.path == "/metrics") {
        if (method != "GET") return notAllowed("GET");
        std::string m;
        m +=
            "# HELP mockd_requests_total Requests answered on the mock port, by mock and status.\n";
        m += "# TYPE mockd_requests_total counter\n";
        // Counted by the status actually sent, apart from the verification counts: a reset or
        // a deleted mock must not take a Prometheus counter backwards.
        for (const auto& s : metrics_.requests.samples())
            m += requestsTotalLine(s.mockId, s.status, s.count);
        auto snap = registry_.snapshot();
        size_t enabled = 0;
        for (const auto& c : snap->all())
            if (c->enabled()) ++enabled;
        uint64_t misses = metrics_.matchMisses.load();
        m += "# HELP mockd_match_hits_total Requests that matched a mock.\n# TYPE "
             "mockd_match_hits_total counter\n";
        m += "mockd_match_hits_total " + std::to_string(metrics_.matchHits.load()) + "\n";
        m += "# HELP mockd_match_misses_total Requests that matched no mock.\n# TYPE "
             "mockd_match_misses_total counter\n";
        m += "mockd_match_misses_total " + std::to_string(misses) + "\n";
        m += "# HELP mockd_request_duration_seconds Time to answer a mock request, delays "
             "included.\n";
        m += "# TYPE mockd_request_duration_seconds histogram\n";
        uint64_t cumulative = 0;
        for (size_t i = 0; i < http::Metrics::kBuckets.size(); ++i) {
            cumulative += metrics_.latency[i].load();
            char le[32];
            std::snprintf(le, sizeof le, "%g", http::Metrics::kBuckets[i]);
            m += "mockd_request_duration_seconds_bucket{le=\"" + std::string(le) + "\"} " +
                 std::to_string(cumulative) + "\n";
        }
        cumulative += metrics_.latency.back().load();
        m += "mockd_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative) +
             "\n";
        char sum[48];
        std::snprintf(sum, sizeof sum, "%.6f", metrics_.latencySumUs.load() / 1e6);
        m += "mockd_request_duration_seconds_sum " + std::string(sum) + "\n";
        m += "mockd_request_duration_seconds_count " +
             std::to_string(metrics_.latencyCount.load()) + "\n";
        m += "# HELP mockd_active_connections Open connections on the mock port.\n# TYPE "
             "mockd_active_connections gauge\n";
        m += "mockd_active_connections " +
             std::to_string(settings_.activeConnections ? settings_.activeConnections() : 0) + "\n";
        m += "# HELP mockd_mocks_total Mocks loaded.\n# TYPE mockd_mocks_total gauge\n";
        m += "mockd_mocks_total " + std::to_string(snap->size()) + "\n";
        m += "# HELP mockd_mocks_enabled Mocks enabled.\n# TYPE mockd_mocks_enabled gauge\n";
        m += "mockd_mocks_enabled " + std::to_string(enabled) + "\n";
        m +=
            "# HELP mockd_uptime_seconds Seconds since start.\n# TYPE mockd_uptime_seconds gauge\n";
        m += "mockd_uptime_seconds " + std::to_string(uptime) + "\n";
        r.text(200, "text/plain; version=0.0.4", m);
        return {};
    }

    if (auto denied = http::checkAccess(req, settings_.access)) {
        r.error(denied->status, denied->code, denied->message);
        return {};
    }

    if (seg.empty()) {
        r.error(404, "not_found", "no admin route " + std::string(req.method) + " /");
        return {};
    }
    const std::string_view top = seg[0];

    if (top == "ready" && seg.size() == 1) {
        if (method != "GET") return notAllowed("GET");
        r.json(200, {{"status", "ready"}, {"uptime", uptime}, {"timestamp", engine::rfc3339Now()}});
        return {};
    }
    if (top == "status" && seg.size() == 1) {
        if (method != "GET") return notAllowed("GET");
        auto snap = registry_.snapshot();
        size_t active = 0;
        uint64_t requests = metrics_.matchHits.load() + metrics_.matchMisses.load();
        for (const auto& c : snap->all()) active += c->enabled() ? 1 : 0;
        r.json(200, {{"status", "running"},
                     {"id", "local"},
                     {"name", "mockd"},
                     {"httpPort", settings_.mockPort},
                     {"httpsPort", settings_.httpsPort},
                     {"adminPort", settings_.adminPort},
                     {"uptime", uptime},
                     {"mockCount", snap->size()},
                     {"activeMocks", active},
                     {"requestCount", requests},
                     {"tlsEnabled", settings_.httpsPort != 0},
                     {"version", MOCKD_VERSION},
                     {"protocols", {{"http", {{"enabled", true}, {"port", settings_.mockPort}}}}},
                     {"startedAt", startedAt_}});
        return {};
    }
    if (top == "ports" && seg.size() == 1) {
        if (method != "GET") return notAllowed("GET");
        core::Json ports = {{{"port", settings_.mockPort},
                             {"protocol", "HTTP"},
                             {"component", "Mock Engine"},
                             {"status", "running"}}};
        if (settings_.httpsPort)
            ports.push_back({{"port", settings_.httpsPort},
                             {"protocol", "HTTPS"},
                             {"component", "Mock Engine"},
                             {"status", "running"},
                             {"tls", true}});
        ports.push_back({{"port", settings_.adminPort},
                         {"protocol", "HTTP"},
                         {"component", "Admin API"},
                         {"status", "running"}});
        r.json(200, {{"ports", ports}});
        return {};
    }

    if (top == "mocks") {
        if (seg.size() == 1) {
            if (method == "GET") {
                size_t offset = 0, limit = SIZE_MAX;
                if (!parseSize(queryParam(req, "offset"), offset) ||
                    !parseSize(queryParam(req, "limit"), limit)) {
                    r.error(400, "validation_error", "offset and limit must be whole numbers");
                    return {};
                }
                auto type = queryParam(req, "type");
                auto enabled = queryParam(req, "enabled");
                auto search = queryParam(req, "search");
                if (enabled && *enabled != "true" && *enabled != "false") {
                    r.error(400, "validation_error", "enabled must be true or false");
                    return {};
                }
                Json list = Json::array();
                size_t total = 0;
                // Held for the loop: a range-for keeps only all()'s reference, not the snapshot.
                const auto snap = registry_.snapshot();
                for (const auto& c : snap->all()) {
                    const auto& m = c->mock();
                    if (type && m.type != *type) continue;
                    if (enabled && m.enabled != (*enabled == "true")) continue;
                    if (search && m.id.find(*search) == std::string::npos &&
                        m.name.find(*search) == std::string::npos &&
                        m.matcher.path.find(*search) == std::string::npos)
                        continue;
                    if (total++ < offset || list.size() >= limit) continue;
                    list.push_back(liveMockJson(*c));
                }
                const size_t count = list.size();
                r.json(200, {{"mocks", std::move(list)}, {"total", total}, {"count", count}});
                return {};
            }
            if (method == "POST") {
                auto body = parseBody(req, r);
                if (!body) return {};
                core::Mock m;
                try {
                    m = core::decodeMock(*body, "mock", {});
                    if (!body->contains("id") || (*body)["id"].is_null() || (*body)["id"] == "")
                        m.id = core::generateMockId(m.type);
                    if (registry_.get(m.id)) {
                        r.error(409, "duplicate_id",
                                "a mock with id \"" + m.id + "\" already exists");
                        return {};
                    }
                    m.extra = withTimestamps(m.extra, nullptr);
                    auto stored = registry_.upsert(std::move(m));
                    changed();
                    r.json(201, {{"id", stored->id},
                                 {"action", "created"},
                                 {"message", "Created " + stored->type + " mock"},
                                 {"mock", mockJson(*stored)}});
                } catch (const core::FieldError& e) {
                    r.invalid(e, "mock.");
                }
                return {};
            }
            if (method == "DELETE") {
                registry_.clear();
                changed();
                r.noContent();
                return {};
            }
            return notAllowed("GET, POST, DELETE");
        }
        if (seg.size() == 2 && seg[1] == "bulk") {
            if (method != "POST") return notAllowed("POST");
            auto body = parseBody(req, r);
            if (!body) return {};
            if (body->is_object() && body->contains("mocks")) body = (*body)["mocks"];
            if (!body->is_array()) {
                r.error(400, "validation_error", "the body must be a JSON array of mocks");
                return {};
            }
            // mockd: ?replace=true lets a batch overwrite the mocks it names (re-running the
            // same batch); without it an id that already exists is a conflict, not an update.
            const bool replace = queryParam(req, "replace").value_or("") == "true";
            std::vector<core::Mock> mocks;
            try {
                for (size_t i = 0; i < body->size(); ++i) {
                    auto m = core::decodeMock((*body)[i], "[" + std::to_string(i) + "]", {});
                    m.extra = withTimestamps(m.extra, nullptr);
                    mocks.push_back(std::move(m));
                }
                // Checked before anything changes, so a refused batch leaves every mock as it was.
                for (size_t i = 0; i < mocks.size(); ++i) {
                    for (size_t k = 0; k < i; ++k)
                        if (mocks[k].id == mocks[i].id) {
                            r.error(400, "duplicate_id",
                                    "duplicate mock ID '" + mocks[i].id + "' at index " +
                                        std::to_string(i) + " (also at index " + std::to_string(k) +
                                        ")");
                            return {};
                        }
                    if (!replace && registry_.get(mocks[i].id)) {
                        r.error(409, "already_exists",
                                "a mock with id \"" + mocks[i].id + "\" (index " +
                                    std::to_string(i) +
                                    ") already exists; send ?replace=true to replace it");
                        return {};
                    }
                }
                registry_.upsertAll(mocks);
            } catch (const core::FieldError& e) {
                r.invalid(e);
                return {};
            }
            changed();
            Json list = Json::array();
            for (const auto& m : mocks) list.push_back(mockJson(*registry_.get(m.id)));
            r.json(201, {{"created", mocks.size()}, {"mocks", std::move(list)}});
            return {};
        }
        const std::string id(seg[1]);
        core::MockPtr existing = registry_.get(id);
        if (!existing) {
            r.error(404, "not_found", "no mock with id \"" + id + "\"");
            return {};
        }
        if (seg.size() == 2) {
            if (method == "GET") {
                auto snap = registry_.snapshot();
                for (const auto& c : snap->all())
                    if (c->mock().id == id) {
                        r.json(200, liveMockJson(*c));
                        return {};
                    }
                r.json(200, mockJson(*existing));
                return {};
            }
            if (method == "DELETE") {
                registry_.remove(id);
                changed();
                r.noContent();
                return {};
            }
            if (method == "PUT" || method == "PATCH") {
                auto body = parseBody(req, r);
                if (!body) return {};
                if (!body->is_object()) {
                    r.error(400, "validation_error", "the body must be a JSON object");
                    return {};
                }
                Json merged = *body;
                if (method == "PATCH") {
                    merged = mockJson(*existing);
                    merged.merge_patch(*body);
                }
                merged["id"] = id;
                try {
                    core::Mock m = core::decodeMock(merged, "mock", {});
                    m.extra = withTimestamps(m.extra, existing.get());
                    registry_.check(m);
                    auto stored = registry_.upsert(std::move(m));
                    changed();
                    r.json(200, {{"id", id},
                                 {"action", "updated"},
                                 {"message", "Updated " + stored->type + " mock"},
                                 {"mock", mockJson(*stored)}});
                } catch (const core::FieldError& e) {
                    r.invalid(e, "mock.");
                }
                return {};
            }
            return notAllowed("GET, PUT, PATCH, DELETE");
        }
        const std::string_view action = seg[2];
        const match::CompiledMock* compiled = nullptr;
        auto snap = registry_.snapshot();
        for (const auto& c : snap->all())
            if (c->mock().id == id) compiled = c.get();
        if (seg.size() == 3 && action == "toggle") {
            if (method != "POST") return notAllowed("POST");
            auto stored = registry_.setEnabled(id, !existing->enabled);
            changed();
            r.json(200, {{"id", id},
                         {"action", "toggled"},
                         {"message", stored->enabled ? "Mock enabled" : "Mock disabled"},
                         {"mock", mockJson(*stored)}});
            return {};
        }
        if (seg.size() == 3 && action == "verify" && compiled) {
            const uint64_t actual = compiled->stats().calls.load();
            if (method == "GET") {
                Json j = {{"mockId", id}, {"callCount", actual}};
                if (int64_t last = compiled->stats().lastCalledUs.load())
                    j["lastCalledAt"] = isoMicros(last);
                r.json(200, j);
                return {};
            }
            if (method != "POST") return notAllowed("GET, POST");
            auto body = parseBody(req, r);
            if (!body) return {};
            if (!body->is_object()) {
                r.error(400, "validation_error", "the body must be a JSON object");
                return {};
            }
            std::optional<uint64_t> atLeast, atMost, exactly;
            bool never = false;
            for (const char* k : {"atLeast", "atMost", "exactly", "never"}) {
                auto it = body->find(k);
                if (it == body->end() || it->is_null()) continue;
                if (std::string_view(k) == "never") {
                    if (!it->is_boolean()) {
                        r.error(400, "validation_error", "never must be true or false");
                        return {};
                    }
                    never = it->get<bool>();
                    continue;
                }
                if (!it->is_number_unsigned() &&
                    !(it->is_number_integer() && it->get<int64_t>() >= 0)) {
                    r.error(400, "validation_error",
                            std::string(k) + " must be a whole number >= 0");
                    return {};
                }
                auto v = it->get<uint64_t>();
                if (std::string_view(k) == "atLeast")
                    atLeast = v;
                else if (std::string_view(k) == "atMost")
                    atMost = v;
                else
                    exactly = v;
            }
            if (!never && !atLeast && !atMost && !exactly) {
                r.error(400, "missing_criteria",
                        "give at least one of exactly, atLeast, atMost or never");
                return {};
            }
            bool passed;
            std::string expected;
            if (never) {
                passed = actual == 0;
                expected = "never (0 times)";
            } else if (exactly) {
                passed = actual == *exactly;
                expected = "exactly " + std::to_string(*exactly) + " time(s)";
            } else {
                passed = (!atLeast || actual >= *atLeast) && (!atMost || actual <= *atMost);
                if (atLeast) expected = "at least " + std::to_string(*atLeast) + " time(s)";
                if (atMost)
                    expected += (expected.empty() ? "" : " and ") + std::string("at most ") +
                                std::to_string(*atMost) + " time(s)";
            }
            std::string message =
                passed ? "Verification passed: called " + std::to_string(actual) + " time(s)"
                       : "Verification failed: expected " + expected + ", but was called " +
                             std::to_string(actual) + " time(s)";
            r.json(200, {{"passed", passed},
                         {"actual", actual},
                         {"expected", expected},
                         {"message", message}});
            return {};
        }
        if (seg.size() == 3 && action == "invocations" && compiled) {
            if (method == "DELETE") {
                size_t cleared = journal_.clearMock(id);
                compiled->stats().calls.store(0);
                compiled->stats().lastCalledUs.store(0);
                compiled->progress().rearm();  // its `times` count its matches
                r.json(200,
                       {{"message", "Invocations cleared"}, {"mockId", id}, {"cleared", cleared}});
                return {};
            }
            if (method != "GET") return notAllowed("GET, DELETE");
            size_t offset = 0, limit = 100;
            if (!parseSize(queryParam(req, "offset"), offset) ||
                !parseSize(queryParam(req, "limit"), limit)) {
                r.error(400, "validation_error", "offset and limit must be whole numbers");
                return {};
            }
            journal::Filter f;
            f.mockId = id;
            size_t total = 0;
            Json list = Json::array();
            for (const auto& e : journal_.list(f, offset, limit, &total)) {
                Json headers = Json::object();
                for (const auto& [k, v] : e->headers)
                    if (!headers.contains(k)) headers[k] = v;
                Json inv = {{"id", e->id()},       {"timestamp", isoMicros(e->timestampUs)},
                            {"method", e->method}, {"path", e->path},
                            {"headers", headers},  {"body", e->body}};
                if (!e->query.empty()) {
                    std::vector<std::pair<std::string, std::string>> q;
                    core::parseQuery(e->query, q);
                    Json qp = Json::object();
                    for (auto& [k, v] : q)
                        if (!qp.contains(k)) qp[k] = v;
                    inv["queryParams"] = qp;
                }
                inv["responseStatus"] = e->status;
                list.push_back(std::move(inv));
            }
            const size_t count = list.size();
            r.json(200, {{"invocations", std::move(list)}, {"count", count}, {"total", total}});
            return {};
        }
        r.error(404, "not_found",
                "no admin route " + std::string(req.method) + " " + std::string(req.path));
        return {};
    }

    if (top == "verify" && seg.size() == 1) {
        if (method != "DELETE") return notAllowed("DELETE");
        size_t cleared = journal_.clear();
        // `times` and sequences start over too: a test that resets verification between
        // cases gets every limited mock back.
        // Held for the loop: a range-for keeps only all()'s reference, not the snapshot.
        const auto snap = registry_.snapshot();
        for (const auto& c : snap->all()) {
            c->stats().calls.store(0);
            c->stats().lastCalledUs.store(0);
            c->progress().rearm();
        }
        r.json(200, {{"message", "All verification data cleared"}, {"cleared", cleared}});
        return {};
    }

    if (top == "requests") {
        auto entryJson = [](const journal::Entry& e) {
            Json headers = Json::object();
            for (const auto& [k, v] : e.headers) headers[k].push_back(v);
            Json j = {{"id", e.id()},
                      {"timestamp", isoMicros(e.timestampUs)},
                      {"protocol", "http"},
                      {"method", e.method},
                      {"path", e.path},
                      {"queryString", e.query},
                      {"headers", headers},
                      {"body", e.body},
                      {"bodySize", e.bodySize},
                      {"remoteAddr", e.remoteAddr},
                      {"matchedMockID", e.mockId},
                      {"responseStatus", e.status},
                      {"durationMs", e.durationMs}};
            if (!e.error.empty()) j["error"] = e.error;
            if (e.proxied) {
                j["proxied"] = true;
                j["proxyUrl"] = e.proxied->url;
            }
            if (!e.nearMissesJson.empty())
                j["nearMisses"] = Json::parse(e.nearMissesJson, nullptr, false);
            return j;
        };
        if (seg.size() == 1) {
            if (method == "DELETE") {
                size_t n = journal_.clear();
                r.json(200, {{"message", "Request log cleared"}, {"cleared", n}});
                return {};
            }
            if (method != "GET") return notAllowed("GET, DELETE");
            size_t offset = 0, limit = 100;
            if (!parseSize(queryParam(req, "offset"), offset) ||
                !parseSize(queryParam(req, "limit"), limit)) {
                r.error(400, "validation_error", "offset and limit must be whole numbers");
                return {};
            }
            journal::Filter f;
            if (auto v = queryParam(req, "method")) {
                f.method = *v;
                for (auto& c : f.method)
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            if (auto v = queryParam(req, "path")) f.pathContains = *v;
            if (auto v = queryParam(req, "matched")) f.mockId = *v;
            if (auto v = queryParam(req, "mockId")) f.mockId = *v;
            if (auto v = queryParam(req, "status")) {
                size_t s = 0;
                if (!parseSize(v, s)) {
                    r.error(400, "validation_error", "status must be a number");
                    return {};
                }
                f.status = static_cast<int>(s);
            }
            if (auto v = queryParam(req, "unmatchedOnly")) f.unmatchedOnly = *v == "true";
            if (auto v = queryParam(req, "matchedOnly")) f.matchedOnly = *v == "true";
            if (auto v = queryParam(req, "hasError")) {
                // mockd reads it with Go's ParseBool.
                static constexpr std::string_view kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
                static constexpr std::string_view kFalse[] = {"0",     "f",     "F",
                                                              "FALSE", "false", "False"};
                if (std::find(std::begin(kTrue), std::end(kTrue), *v) != std::end(kTrue)) {
                    f.hasError = true;
                } else if (std::find(std::begin(kFalse), std::end(kFalse), *v) !=
                           std::end(kFalse)) {
                    f.hasError = false;
                } else {
                    r.error(400, "validation_error", "hasError must be true or false");
                    return {};
                }
            }
            if (auto v = queryParam(req, "protocol"); v && *v != "http") {
                r.json(200, {{"requests", Json::array()}, {"count", 0}, {"total", 0}});
                return {};
            }
            size_t total = 0;
            Json list = Json::array();
            for (const auto& e : journal_.list(f, offset, limit, &total))
                list.push_back(entryJson(*e));
            const size_t count = list.size();
            r.json(200, {{"requests", std::move(list)}, {"count", count}, {"total", total}});
            return {};
        }
        if (seg.size() == 2 && seg[1] == "stream") {
            if (method != "GET") return notAllowed("GET");
            out +=
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                "Connection: close\r\n\r\n";
            out += "event: connected\ndata: {\"status\":\"connected\"}\n\n";
            journal::Journal* journal = &journal_;
            http::Outcome o;
            o.stream = [journal, entryJson](std::shared_ptr<http::Stream> stream) {
                uint64_t token =
                    journal->subscribe([stream, entryJson](const journal::EntryPtr& e) {
                        stream->push(
                            "event: request\ndata: " +
                            entryJson(*e).dump(-1, ' ', false, Json::error_handler_t::replace) +
                            "\n\n");
                    });
                stream->onClose([journal, token] { journal->unsubscribe(token); });
            };
            return o;
        }
        if (seg.size() == 2) {
            if (method != "GET") return notAllowed("GET");
            auto e = journal_.find(seg[1]);
            if (!e) {
                r.error(404, "not_found", "no request with id \"" + std::string(seg[1]) + "\"");
                return {};
            }
            r.json(200, entryJson(*e));
            return {};
        }
    }

    if ((top == "state" || top == "reset") && settings_.tables) {
        state::TableStore& tables = *settings_.tables;
        auto info = [](const state::Table& t) {
            return Json{{"name", t.def().name},
                        {"itemCount", t.size()},
                        {"seedCount", t.def().seedData.size()},
                        {"idField", t.def().idField},
                        {"idStrategy", t.def().idStrategy},
                        {"parentField", t.def().parentField}};
        };
        auto resetAll = [&] {
            auto all = tables.all();
            for (auto& t : all) t->reset();
            r.json(200, {{"status", "reset"}, {"tables", all.size()}});
            return http::Outcome{};
        };
        auto resetOne = [&](const std::string& name) {
            auto t = tables.find(name);
            if (!t) {
                r.error(404, "not_found", "no table named \"" + name + "\"");
                return http::Outcome{};
            }
            size_t n = t->reset();
            r.json(200, {{"status", "reset"}, {"table", name}, {"itemCount", n}});
            return http::Outcome{};
        };
        if (top == "reset") {
            if (method != "POST") return notAllowed("POST");
            if (seg.size() == 1) return resetAll();
            if (seg.size() == 2) return resetOne(std::string(seg[1]));
        } else if (seg.size() == 1) {
            if (method != "GET") return notAllowed("GET");
            Json list = Json::array(), names = Json::array();
            size_t items = 0;
            for (const auto& t : tables.all()) {
                list.push_back(info(*t));
                names.push_back(t->def().name);
                items += t->size();
            }
            const size_t total = list.size();
            r.json(200, {{"resources", std::move(list)},
                         {"total", total},
                         {"totalItems", items},
                         {"resourceList", std::move(names)}});
            return {};
        } else if (seg.size() == 2 && seg[1] == "reset") {
            if (method != "POST") return notAllowed("POST");
            return resetAll();
        } else if (seg[1] == "operations") {
            if (seg.size() == 2) {
                if (method == "GET") {
                    Json list = Json::array();
                    for (const auto& op : tables.operations())
                        list.push_back({{"name", op->name},
                                        {"stepCount", op->steps.size()},
                                        {"consistency", op->atomic ? "atomic" : "best_effort"}});
                    r.json(200, list);
                    return {};
                }
                if (method != "POST") return notAllowed("GET, POST");
                auto body = parseBody(req, r);
                if (!body) return {};
                try {
                    auto op = state::decodeOperation(*body, "operation");
                    for (size_t k = 0; k < op.steps.size(); ++k)
                        if (!op.steps[k].resource.empty() && !tables.find(op.steps[k].resource))
                            throw core::FieldError(
                                "operation.steps[" + std::to_string(k) + "].resource",
                                "no table named \"" + op.steps[k].resource + "\"");
                    const bool existed = tables.findOperation(op.name) != nullptr;
                    const std::string name = op.name;
                    const size_t steps = op.steps.size();
                    tables.putOperation(std::make_shared<const state::Operation>(std::move(op)));
                    changed();
                    r.json(existed ? 200 : 201, {{"name", name},
                                                 {"stepCount", steps},
                                                 {"action", existed ? "updated" : "created"}});
                } catch (const core::FieldError& e) {
                    r.invalid(e, "operation.");
                }
                return {};
            }
            const std::string name(seg[2]);
            auto op = tables.findOperation(name);
            if (!op) {
                r.error(404, "not_found", "no custom operation named \"" + name + "\"");
                return {};
            }
            if (seg.size() == 3) {
                if (method == "GET") {
                    r.json(200, op->raw);
                    return {};
                }
                if (method == "DELETE") {
                    tables.removeOperation(name);
                    changed();
                    r.noContent();
                    return {};
                }
                return notAllowed("GET, DELETE");
            }
            if (seg.size() == 4 && seg[3] == "execute") {
                if (method != "POST") return notAllowed("POST");
                Json input = Json::object();
                if (!req.body.empty()) {
                    auto body = parseBody(req, r);
                    if (!body) return {};
                    input = std::move(*body);
                }
                auto result = state::runOperation(*op, input, tables);
                r.json(result.status, result.body);
                return {};
            }
        } else if (seg[1] == "resources") {
            if (seg.size() == 2) {
                if (method == "GET") {
                    Json list = Json::array();
                    for (const auto& t : tables.all()) list.push_back(info(*t));
                    const size_t total = list.size();
                    r.json(200, {{"resources", std::move(list)}, {"total", total}});
                    return {};
                }
                if (method != "POST") return notAllowed("GET, POST");
                auto body = parseBody(req, r);
                if (!body) return {};
                try {
                    auto def = state::decodeTable(*body, "table");
                    if (tables.find(def.name)) {
                        r.error(409, "duplicate_id", "a table named \"" + def.name + "\" exists");
                        return {};
                    }
                    auto t = tables.put(std::move(def));
                    changed();
                    r.json(201, info(*t));
                } catch (const core::FieldError& e) {
                    r.invalid(e, "table.");
                }
                return {};
            }
            const std::string name(seg[2]);
            auto t = tables.find(name);
            if (!t) {
                r.error(404, "not_found", "no table named \"" + name + "\"");
                return {};
            }
            if (seg.size() == 3) {
                if (method == "GET") {
                    r.json(200, info(*t));
                    return {};
                }
                if (method == "DELETE") {
                    size_t n = t->clear();
                    r.json(200, {{"status", "cleared"}, {"table", name}, {"cleared", n}});
                    return {};
                }
                return notAllowed("GET, DELETE");
            }
            if (seg.size() == 4 && seg[3] == "reset") {
                if (method != "POST") return notAllowed("POST");
                return resetOne(name);
            }
            if (seg.size() == 4 && seg[3] == "unregister") {
                if (method != "POST") return notAllowed("POST");
                tables.remove(name);
                changed();
                r.json(200, {{"status", "unregistered"}, {"table", name}});
                return {};
            }
            if (seg[3] == "items") {
                auto sendResult = [&](const state::ActionResult& res, std::string_view action) {
                    auto [status, text] = state::render(res, t->def(), Json::object(), action);
                    if (text.empty())
                        r.noContent();
                    else
                        r.text(status, "application/json", text);
                    return http::Outcome{};
                };
                if (seg.size() == 4) {
                    if (method == "GET") {
                        std::vector<std::pair<std::string, std::string>> q;
                        core::parseQuery(req.rawQuery, q);
                        return sendResult(t->list(q, std::nullopt), "list");
                    }
                    if (method != "POST") return notAllowed("GET, POST");
                    auto body = parseBody(req, r);
                    if (!body) return {};
                    return sendResult(t->create(std::move(*body), std::nullopt), "create");
                }
                if (seg.size() == 5) {
                    const std::string id(seg[4]);
                    if (method == "GET") return sendResult(t->get(id), "get");
                    if (method == "DELETE") return sendResult(t->remove(id), "delete");
                    if (method == "PUT" || method == "PATCH") {
                        auto body = parseBody(req, r);
                        if (!body) return {};
                        return sendResult(
                            method == "PUT" ? t->update(id, std::move(*body)) : t->patch(id, *body),
                            method == "PUT" ? "update" : "patch");
                    }
                    return notAllowed("GET, PUT, PATCH, DELETE");
                }
            }
        }
    }

    if (top == "config" && seg.size() == 1) {
        if (method == "GET") {
            Json mocks = Json::array();
            // Held for the loop: a range-for keeps only all()'s reference, not the snapshot.
            const auto snap = registry_.snapshot();
            for (const auto& c : snap->all()) mocks.push_back(mockJson(c->mock()));
            Json doc = {{"version", "1.0"},
                        {"kind", "MockCollection"},
                        {"name", queryParam(req, "name").value_or("mockd-export")},
                        {"mocks", std::move(mocks)}};
            if (settings_.tables) {
                Json tables = Json::array();
                for (const auto& t : settings_.tables->all()) tables.push_back(t->def().raw);
                if (!tables.empty()) doc["tables"] = std::move(tables);
            }
            std::string_view accept = req.header("Accept");
            if (accept.find("yaml") != std::string_view::npos ||
                queryParam(req, "format").value_or("") == "yaml") {
                r.text(200, "application/yaml", config::jsonToYaml(doc));
            } else {
                r.json(200, doc);
            }
            return {};
        }
        if (method != "POST") return notAllowed("GET, POST");
        const bool yaml = req.header("Content-Type").find("yaml") != std::string_view::npos;
        bool replace = queryParam(req, "replace").value_or("") == "true";
        const bool dryRun = queryParam(req, "dryRun").value_or("") == "true";
        std::string text(req.body);
        bool isYaml = yaml;
        if (!yaml) {
            auto body = parseBody(req, r);
            if (!body) return {};
            if (body->is_object() && body->contains("config")) {
                if (auto it = body->find("replace"); it != body->end() && it->is_boolean())
                    replace = replace || it->get<bool>();
                text = (*body)["config"].dump();
            }
        } else if (text.empty()) {
            r.error(400, "invalid_yaml", "the request body is empty");
            return {};
        }
        try {
            auto cfg = config::loadText(text, "config", isYaml, std::filesystem::current_path());
            if (dryRun) {
                r.json(
                    200,
                    {{"dryRun", true}, {"mocks", cfg.compiled.size()}, {"warnings", cfg.warnings}});
                return {};
            }
            std::vector<core::Mock> mocks = cfg.mocks();
            for (auto& m : mocks) m.extra = withTimestamps(m.extra, nullptr);
            const size_t n = mocks.size();
            if (settings_.tables) {
                if (replace) {
                    settings_.tables->replaceAll(std::move(cfg.tables));
                } else {
                    for (auto& t : cfg.tables) settings_.tables->put(std::move(t));
                }
            }
            if (replace)
                registry_.replaceAll(std::move(mocks));
            else
                registry_.upsertAll(std::move(mocks));
            changed();
            r.json(200, {{"message", "Imported " + std::to_string(n) + " mock(s)"},
                         {"imported", n},
                         {"replaced", replace},
                         {"total", registry_.snapshot()->size()},
                         {"warnings", cfg.warnings}});
        } catch (const config::ConfigError& e) {
            r.error(400, "validation_error", e.what());
        } catch (const core::FieldError& e) {
            r.error(400, "validation_error", e.field() + ": " + e.what());
        }
        return {};
    }

    if (top == "chaos" && settings_.chaos) {
        chaos::Controller& c = *settings_.chaos;
        const size_t n = seg.size();
        if (n == 1) {
            if (method == "GET") {
                r.json(200, c.configJson());
                return {};
            }
            if (method != "PUT") return notAllowed("GET, PUT");
            auto body = parseBody(req, r);
            if (!body) return {};
            try {
                c.apply(chaos::parseConfig(*body));
            } catch (const chaos::ConfigError& e) {
                r.error(400, "validation_error", e.what());
                return {};
            }
            r.json(200, {{"status", "ok"}});
            return {};
        }
        const std::string_view sub = seg[1];
        if (sub == "stats" && n == 2) {
            if (method != "GET") return notAllowed("GET");
            r.json(200, c.statsJson());
            return {};
        }
        if (sub == "stats" && n == 3 && seg[2] == "reset") {
            if (method != "POST") return notAllowed("POST");
            c.resetStats();
            r.json(200, {{"message", "chaos stats reset"}});
            return {};
        }
        if (sub == "faults" && n == 2) {
            if (method != "GET") return notAllowed("GET");
            r.json(200, c.faultsJson());
            return {};
        }
        if (sub == "circuit-breakers" && n == 4 && (seg[3] == "trip" || seg[3] == "reset")) {
            if (method != "POST") return notAllowed("POST");
            const std::string key(seg[2]);
            const bool trip = seg[3] == "trip";
            std::string err = trip ? c.trip(key) : c.resetBreaker(key);
            if (!err.empty()) {
                r.error(404, "not_found", err);
                return {};
            }
            r.json(200, {{"message", trip ? "circuit breaker tripped" : "circuit breaker reset"},
                         {"key", key}});
            return {};
        }
        if (sub == "profiles" && n == 2) {
            if (method != "GET") return notAllowed("GET");
            Json list = Json::array();
            for (const auto& p : chaos::profiles()) list.push_back(chaos::profileJson(p));
            r.json(200, list);
            return {};
        }
        if (sub == "profiles" && (n == 3 || (n == 4 && seg[3] == "apply"))) {
            if (method != (n == 3 ? "GET" : "POST")) return notAllowed(n == 3 ? "GET" : "POST");
            const chaos::Profile* p = chaos::findProfile(seg[2]);
            if (!p) {
                r.error(404, "not_found", "chaos profile not found: " + std::string(seg[2]));
                return {};
            }
            if (n == 3) {
                r.json(200, chaos::profileJson(*p));
                return {};
            }
            c.apply(p->config);
            r.json(200, {{"status", "ok"},
                         {"profile", p->name},
                         {"message", "chaos profile applied: " + p->description}});
            return {};
        }
    }

    r.error(404, "not_found",
            "no admin route " + std::string(req.method) + " " + std::string(req.path));
    return {};
}

}  // namespace mockd::admin
