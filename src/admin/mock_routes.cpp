// /mocks: list, create, replace, patch, toggle and delete mocks; per-mock verification and
// invocations.
#include <string_view>
#include <unordered_map>

#include "admin/admin_call.h"
#include "core/mock_codec.h"

namespace mockd::admin {

namespace {

// The answer to a create or an update: {"id", "action", "message", "mock"}.
void replyStored(const Reply& r, int status, const core::Mock& stored, const char* action,
                 const std::string& verb) {
    r.json(status, {{"id", stored.id},
                    {"action", action},
                    {"message", verb + stored.type + " mock"},
                    {"mock", mockJson(stored)}});
}

}  // namespace

void AdminApi::listMocks(Call& c) {
    size_t offset = 0, limit = SIZE_MAX;
    if (!readPage(c.req, c.r, offset, limit)) return;
    auto type = queryParam(c.req, "type");
    auto enabled = queryParam(c.req, "enabled");
    auto search = queryParam(c.req, "search");
    if (enabled && *enabled != "true" && *enabled != "false") {
        c.r.error(400, "validation_error", "enabled must be true or false");
        return;
    }
    Json list = Json::array();
    size_t total = 0;
    // Held for the loop: a range-for keeps only all()'s reference, not the snapshot.
    const auto snap = registry_.snapshot();
    for (const auto& compiled : snap->all()) {
        const auto& m = compiled->mock();
        if (type && m.type != *type) continue;
        if (enabled && m.enabled != (*enabled == "true")) continue;
        if (search && m.id.find(*search) == std::string::npos &&
            m.name.find(*search) == std::string::npos &&
            m.matcher.path.find(*search) == std::string::npos)
            continue;
        if (total++ < offset || list.size() >= limit) continue;
        list.push_back(liveMockJson(*compiled));
    }
    const size_t count = list.size();
    c.r.json(200, {{"mocks", std::move(list)}, {"total", total}, {"count", count}});
}

void AdminApi::createMock(Call& c) {
    auto body = parseBody(c.req, c.r);
    if (!body) return;
    core::Mock m;
    try {
        m = core::decodeMock(*body, "mock", {});
        if (!body->contains("id") || (*body)["id"].is_null() || (*body)["id"] == "")
            m.id = core::generateMockId(m.type);
        if (registry_.get(m.id)) {
            c.r.error(409, "duplicate_id", "a mock with id \"" + m.id + "\" already exists");
            return;
        }
        m.extra = withTimestamps(m.extra, nullptr);
        auto stored = registry_.upsert(std::move(m));
        changed({.mocks = {stored->id}});
        replyStored(c.r, 201, *stored, "created", "Created ");
    } catch (const core::FieldError& e) {
        c.r.invalid(e, "mock.");
    }
}

void AdminApi::deleteMocks(Call& c) {
    registry_.clear();
    changed({.allMocks = true});
    c.r.noContent();
}

void AdminApi::bulkMocks(Call& c) {
    auto body = parseBody(c.req, c.r);
    if (!body) return;
    if (body->is_object() && body->contains("mocks")) body = (*body)["mocks"];
    if (!body->is_array()) {
        c.r.error(400, "validation_error", "the body must be a JSON array of mocks");
        return;
    }
    // mockd: ?replace=true lets a batch overwrite the mocks it names (re-running the same
    // batch); without it an id that already exists is a conflict, not an update.
    const bool replace = queryParam(c.req, "replace").value_or("") == "true";
    std::vector<core::Mock> mocks;
    try {
        for (size_t i = 0; i < body->size(); ++i) {
            auto m = core::decodeMock((*body)[i], "[" + std::to_string(i) + "]", {});
            m.extra = withTimestamps(m.extra, nullptr);
            mocks.push_back(std::move(m));
        }
        // Checked before anything changes, so a refused batch leaves every mock as it was.
        std::unordered_map<std::string_view, size_t> firstIndex;
        firstIndex.reserve(mocks.size());
        for (size_t i = 0; i < mocks.size(); ++i) {
            auto [seen, added] = firstIndex.emplace(mocks[i].id, i);
            if (!added) {
                c.r.error(400, "duplicate_id",
                          "duplicate mock ID '" + mocks[i].id + "' at index " + std::to_string(i) +
                              " (also at index " + std::to_string(seen->second) + ")");
                return;
            }
            if (!replace && registry_.get(mocks[i].id)) {
                c.r.error(409, "already_exists",
                          "a mock with id \"" + mocks[i].id + "\" (index " + std::to_string(i) +
                              ") already exists; send ?replace=true to replace it");
                return;
            }
        }
        registry_.upsertAll(mocks);
    } catch (const core::FieldError& e) {
        c.r.invalid(e);
        return;
    }
    Change change;
    for (const auto& m : mocks) change.mocks.push_back(m.id);
    changed(change);
    Json list = Json::array();
    for (const auto& m : mocks) list.push_back(mockJson(*registry_.get(m.id)));
    c.r.json(201, {{"created", mocks.size()}, {"mocks", std::move(list)}});
}

// Every route under /mocks/{id} answers 404 for an unknown id before it looks at the method.
bool AdminApi::mockExists(Call& c) {
    const std::string id = c.param("id");
    if (registry_.get(id)) return true;
    c.r.error(404, "not_found", "no mock with id \"" + id + "\"");
    return false;
}

void AdminApi::getMock(Call& c) {
    const std::string id = c.param("id");
    if (const auto compiled = registry_.compiled(id)) {
        c.r.json(200, liveMockJson(*compiled));
    } else {
        c.r.error(404, "not_found", "no mock with id \"" + id + "\"");
    }
}

void AdminApi::deleteMock(Call& c) {
    const std::string id = c.param("id");
    registry_.remove(id);
    changed({.mocks = {id}});
    c.r.noContent();
}

void AdminApi::updateMock(Call& c) {
    const std::string id = c.param("id");
    core::MockPtr existing = registry_.get(id);
    if (!existing) {
        c.r.error(404, "not_found", "no mock with id \"" + id + "\"");
        return;
    }
    auto body = parseBody(c.req, c.r);
    if (!body) return;
    if (!body->is_object()) {
        c.r.error(400, "validation_error", "the body must be a JSON object");
        return;
    }
    Json merged = *body;
    if (c.method == "PATCH") {
        merged = mockJson(*existing);
        merged.merge_patch(*body);
    }
    merged["id"] = id;
    try {
        core::Mock m = core::decodeMock(merged, "mock", {});
        m.extra = withTimestamps(m.extra, existing.get());
        registry_.check(m);
        auto stored = registry_.upsert(std::move(m));
        changed({.mocks = {stored->id}});
        replyStored(c.r, 200, *stored, "updated", "Updated ");
    } catch (const core::FieldError& e) {
        c.r.invalid(e, "mock.");
    }
}

void AdminApi::toggleMock(Call& c) {
    const std::string id = c.param("id");
    core::MockPtr existing = registry_.get(id);
    auto stored = existing ? registry_.setEnabled(id, !existing->enabled) : nullptr;
    if (!stored) {
        c.r.error(404, "not_found", "no mock with id \"" + id + "\"");
        return;
    }
    changed({.mocks = {id}});
    c.r.json(200, {{"id", id},
                   {"action", "toggled"},
                   {"message", stored->enabled ? "Mock enabled" : "Mock disabled"},
                   {"mock", mockJson(*stored)}});
}

void AdminApi::mockCalls(Call& c) {
    const std::string id = c.param("id");
    const auto compiled = registry_.compiled(id);
    if (!compiled) {
        c.r.noRoute(c.req);
        return;
    }
    Json j = {{"mockId", id}, {"callCount", compiled->stats().calls.load()}};
    if (int64_t last = compiled->stats().lastCalledUs.load()) j["lastCalledAt"] = isoMicros(last);
    c.r.json(200, j);
}

namespace {

// The criteria of POST /mocks/{id}/verify; false once it has answered 400.
struct Criteria {
    std::optional<uint64_t> atLeast, atMost, exactly;
    bool never = false;
};

bool readCriteria(const Json& body, const Reply& r, Criteria& out) {
    for (const char* k : {"atLeast", "atMost", "exactly", "never"}) {
        auto it = body.find(k);
        if (it == body.end() || it->is_null()) continue;
        if (std::string_view(k) == "never") {
            if (!it->is_boolean()) {
                r.error(400, "validation_error", "never must be true or false");
                return false;
            }
            out.never = it->get<bool>();
            continue;
        }
        if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<int64_t>() >= 0)) {
            r.error(400, "validation_error", std::string(k) + " must be a whole number >= 0");
            return false;
        }
        auto v = it->get<uint64_t>();
        if (std::string_view(k) == "atLeast")
            out.atLeast = v;
        else if (std::string_view(k) == "atMost")
            out.atMost = v;
        else
            out.exactly = v;
    }
    if (!out.never && !out.atLeast && !out.atMost && !out.exactly) {
        r.error(400, "missing_criteria", "give at least one of exactly, atLeast, atMost or never");
        return false;
    }
    return true;
}

}  // namespace

void AdminApi::verifyMock(Call& c) {
    const auto compiled = registry_.compiled(c.param("id"));
    if (!compiled) {
        c.r.noRoute(c.req);
        return;
    }
    const uint64_t actual = compiled->stats().calls.load();
    auto body = parseBody(c.req, c.r);
    if (!body) return;
    if (!body->is_object()) {
        c.r.error(400, "validation_error", "the body must be a JSON object");
        return;
    }
    Criteria want;
    if (!readCriteria(*body, c.r, want)) return;
    bool passed;
    std::string expected;
    if (want.never) {
        passed = actual == 0;
        expected = "never (0 times)";
    } else if (want.exactly) {
        passed = actual == *want.exactly;
        expected = "exactly " + std::to_string(*want.exactly) + " time(s)";
    } else {
        passed =
            (!want.atLeast || actual >= *want.atLeast) && (!want.atMost || actual <= *want.atMost);
        if (want.atLeast) expected = "at least " + std::to_string(*want.atLeast) + " time(s)";
        if (want.atMost)
            expected += (expected.empty() ? "" : " and ") + std::string("at most ") +
                        std::to_string(*want.atMost) + " time(s)";
    }
    std::string message = passed
                              ? "Verification passed: called " + std::to_string(actual) + " time(s)"
                              : "Verification failed: expected " + expected + ", but was called " +
                                    std::to_string(actual) + " time(s)";
    c.r.json(
        200,
        {{"passed", passed}, {"actual", actual}, {"expected", expected}, {"message", message}});
}

void AdminApi::clearInvocations(Call& c) {
    const std::string id = c.param("id");
    const auto compiled = registry_.compiled(id);
    if (!compiled) {
        c.r.noRoute(c.req);
        return;
    }
    size_t cleared = journal_.clearMock(id);
    compiled->stats().calls.store(0);
    compiled->stats().lastCalledUs.store(0);
    compiled->progress().rearm();  // its `times` count its matches
    c.r.json(200, {{"message", "Invocations cleared"}, {"mockId", id}, {"cleared", cleared}});
}

void AdminApi::mockInvocations(Call& c) {
    const std::string id = c.param("id");
    if (!registry_.compiled(id)) {
        c.r.noRoute(c.req);
        return;
    }
    size_t offset = 0, limit = 100;
    if (!readPage(c.req, c.r, offset, limit)) return;
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
    c.r.json(200, {{"invocations", std::move(list)}, {"count", count}, {"total", total}});
}

}  // namespace mockd::admin
