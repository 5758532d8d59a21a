// /requests (the request log, its live stream) and /verify (resetting verification).
#include "admin/admin_call.h"

namespace mockd::admin {

namespace {

Json entryJson(const journal::Entry& e) {
    Json headers = Json::object();
    for (const auto& [k, v] : e.headers) headers[k].push_back(v);
    Json j = {{"id", e.id()},
              {"timestamp", isoMicros(e.timestampUs)},
              {"protocol", std::string(e.protocol)},
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
    if (!e.nearMissesJson.empty()) j["nearMisses"] = Json::parse(e.nearMissesJson, nullptr, false);
    if (e.live)
        j[std::string(e.protocol)] = Json::parse(e.live->json(), nullptr, false);
    else if (!e.protocolJson.empty())
        j[std::string(e.protocol)] = Json::parse(e.protocolJson, nullptr, false);
    return j;
}

}  // namespace

void AdminApi::resetVerification(Call& c) {
    size_t cleared = journal_.clear();
    // `times` and sequences start over too: a test that resets verification between cases gets
    // every limited mock back. Held for the loop: a range-for keeps only all()'s reference.
    const auto snap = registry_.snapshot();
    for (const auto& mock : snap->all()) {
        mock->stats().calls.store(0);
        mock->stats().lastCalledUs.store(0);
        mock->progress().rearm();
    }
    c.r.json(200, {{"message", "All verification data cleared"}, {"cleared", cleared}});
}

void AdminApi::clearRequests(Call& c) {
    size_t n = journal_.clear();
    c.r.json(200, {{"message", "Request log cleared"}, {"cleared", n}});
}

void AdminApi::listRequests(Call& c) {
    size_t offset = 0, limit = 100;
    if (!readPage(c.req, c.r, offset, limit)) return;
    journal::Filter f;
    if (auto v = queryParam(c.req, "method")) {
        f.method = *v;
        for (auto& c : f.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (auto v = queryParam(c.req, "path")) f.pathContains = *v;
    if (auto v = queryParam(c.req, "matched")) f.mockId = *v;
    if (auto v = queryParam(c.req, "mockId")) f.mockId = *v;
    if (auto v = queryParam(c.req, "status")) {
        size_t s = 0;
        if (!parseSize(v, s)) {
            c.r.error(400, "validation_error", "status must be a number");
            return;
        }
        f.status = static_cast<int>(s);
    }
    if (auto v = queryParam(c.req, "unmatchedOnly")) f.unmatchedOnly = *v == "true";
    if (auto v = queryParam(c.req, "matchedOnly")) f.matchedOnly = *v == "true";
    if (auto v = queryParam(c.req, "hasError")) {
        // mockd reads it with Go's ParseBool.
        static constexpr std::string_view kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
        static constexpr std::string_view kFalse[] = {"0", "f", "F", "FALSE", "false", "False"};
        if (std::find(std::begin(kTrue), std::end(kTrue), *v) != std::end(kTrue)) {
            f.hasError = true;
        } else if (std::find(std::begin(kFalse), std::end(kFalse), *v) != std::end(kFalse)) {
            f.hasError = false;
        } else {
            c.r.error(400, "validation_error", "hasError must be true or false");
            return;
        }
    }
    if (auto v = queryParam(c.req, "protocol")) f.protocol = *v;
    size_t total = 0;
    Json list = Json::array();
    for (const auto& e : journal_.list(f, offset, limit, &total)) list.push_back(entryJson(*e));
    const size_t count = list.size();
    c.r.json(200, {{"requests", std::move(list)}, {"count", count}, {"total", total}});
}

void AdminApi::streamRequests(Call& c) {
    c.res.contentType = "text/event-stream";
    c.res.addHeader("Cache-Control", "no-cache");
    c.res.setBody("event: connected\ndata: {\"status\":\"connected\"}\n\n");
    journal::Journal* journal = &journal_;
    c.res.stream = [journal](std::shared_ptr<http::Stream> stream) {
        uint64_t token = journal->subscribe([stream](const journal::EntryPtr& e) {
            stream->push("event: request\ndata: " +
                         entryJson(*e).dump(-1, ' ', false, Json::error_handler_t::replace) +
                         "\n\n");
        });
        stream->onClose([journal, token] { journal->unsubscribe(token); });
    };
}

void AdminApi::getRequest(Call& c) {
    const std::string id = c.param("id");
    auto e = journal_.find(id);
    if (!e) {
        c.r.error(404, "not_found", "no request with id \"" + id + "\"");
        return;
    }
    c.r.json(200, entryJson(*e));
}

}  // namespace mockd::admin
