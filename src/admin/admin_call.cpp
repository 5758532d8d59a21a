// Helpers the admin route handlers share: mockd's reply shapes, query and body parsing.
#include "admin/admin_call.h"

#include "core/clock.h"
#include "core/match_input.h"
#include "core/mock_codec.h"
#include "engine/mock_engine.h"
#include "http/local_reply.h"
#include "http/response.h"

namespace mockd::admin {

void Reply::json(int status, const Json& body) const {
    res.status = status;
    res.contentType = "application/json";
    // Logged requests and mocks built from them carry bytes that need not be UTF-8.
    res.setBody(body.dump(-1, ' ', false, Json::error_handler_t::replace));
}
void Reply::error(int status, std::string_view code, std::string_view message) const {
    http::local_reply::mockdError(res, status, code, message);
}
void Reply::invalid(const core::FieldError& e, std::string_view root) const {
    std::string field = e.field();
    if (!root.empty() && field.starts_with(root)) field = field.substr(root.size());
    json(400, {{"error", "validation_error"},
               {"message", field + ": " + e.what()},
               {"details", {{"field", field}}}});
}
void Reply::noContent() const { res.status = 204; }
void Reply::text(int status, std::string_view contentType, std::string_view body) const {
    res.status = status;
    // Owned: the content type may come from the caller's temporary.
    http::appendHeaderLine(res.headers, "Content-Type", contentType);
    res.setBody(std::string(body));
}
void Reply::noRoute(const Request& req) const {
    error(404, "not_found",
          "no admin route " + std::string(req.method) + " " + std::string(req.path));
}

std::string isoMicros(int64_t us) { return core::isoUtc(us, 6); }

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

bool readPage(const Request& req, const Reply& r, size_t& offset, size_t& limit) {
    if (parseSize(queryParam(req, "offset"), offset) && parseSize(queryParam(req, "limit"), limit))
        return true;
    r.error(400, "validation_error", "offset and limit must be whole numbers");
    return false;
}

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

// Read-only: a PUT of the same document ignores `usage` and re-arms the mock.
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

}  // namespace mockd::admin
