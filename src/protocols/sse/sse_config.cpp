#include "protocols/sse/sse_config.h"

#include <array>

#include "core/errors.h"
#include "core/json_fields.h"

namespace mockd::protocols::sse {

namespace {

using core::DecodeContext;
using core::FieldError;

constexpr int64_t kMaxMs = int64_t{24} * 3600 * 1000;  // a day
constexpr int64_t kMaxCount = int64_t{1} << 40;

int64_t ms(const Json& j, const char* key, const std::string& where, int64_t dflt = 0) {
    return core::intField(j, key, where, dflt, 0, kMaxMs);
}

const Json* objectField(const Json& j, const char* key, const std::string& where) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return nullptr;
    if (!it->is_object()) throw FieldError(where + "." + key, "must be an object");
    return &*it;
}

Event decodeEvent(const Json& j, const std::string& where, const DecodeContext& ctx) {
    if (!j.is_object()) throw FieldError(where, "must be an object (type, data, id, ...)");
    core::warnUnknown(j, where, {"type", "data", "id", "retry", "comment", "delay"}, ctx);
    Event e;
    auto data = j.find("data");
    if (data == j.end() || data->is_null()) throw FieldError(where + ".data", "data is required");
    e.data = *data;
    e.type = core::stringField(j, "type", where);
    e.id = core::stringField(j, "id", where);
    // A line break would end the field early and smuggle in another one.
    for (const auto& [field, value] : {std::pair{"type", &e.type}, {"id", &e.id}})
        if (value->find_first_of("\r\n") != std::string::npos)
            throw FieldError(where + "." + field, "must not contain a line break");
    e.comment = core::stringField(j, "comment", where);
    e.retryMs = ms(j, "retry", where);
    if (auto d = j.find("delay"); d != j.end() && !d->is_null()) e.delayMs = ms(j, "delay", where);
    return e;
}

std::vector<Event> decodeEvents(const Json& list, const std::string& where,
                                const DecodeContext& ctx) {
    if (!list.is_array()) throw FieldError(where, "must be a list of events");
    std::vector<Event> out;
    for (size_t i = 0; i < list.size(); ++i)
        out.push_back(decodeEvent(list[i], where + "[" + std::to_string(i) + "]", ctx));
    return out;
}

Timing decodeTiming(const Json& j, const std::string& where, const DecodeContext& ctx) {
    core::warnUnknown(
        j, where, {"fixedDelay", "randomDelay", "perEventDelays", "burst", "initialDelay"}, ctx);
    Timing t;
    if (auto f = j.find("fixedDelay"); f != j.end() && !f->is_null())
        t.fixedDelayMs = ms(j, "fixedDelay", where);
    if (const Json* r = objectField(j, "randomDelay", where)) {
        const std::string w = where + ".randomDelay";
        core::warnUnknown(*r, w, {"min", "max"}, ctx);
        const int64_t lo = core::intField(*r, "min", w, 0, INT64_MIN, kMaxMs);
        if (lo < 0) throw FieldError(w + ".min", "min must be >= 0");
        const int64_t hi = core::intField(*r, "max", w, 0, INT64_MIN, kMaxMs);
        if (hi < lo) throw FieldError(w + ".max", "max must be >= min");
        t.randomDelayMs = std::pair{lo, hi};
    }
    if (auto p = j.find("perEventDelays"); p != j.end() && !p->is_null()) {
        if (!p->is_array()) throw FieldError(where + ".perEventDelays", "must be a list of ms");
        for (size_t i = 0; i < p->size(); ++i) {
            const Json& v = (*p)[i];
            if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > kMaxMs)
                throw FieldError(
                    where + ".perEventDelays[" + std::to_string(i) + "]",
                    "must be a whole number of ms from 0 to " + std::to_string(kMaxMs));
            t.perEventDelaysMs.push_back(v.get<int64_t>());
        }
    }
    if (const Json* b = objectField(j, "burst", where)) {
        const std::string w = where + ".burst";
        core::warnUnknown(*b, w, {"count", "interval", "pause"}, ctx);
        t.burst = Timing::Burst{core::intField(*b, "count", w, 0, 0, kMaxCount),
                                ms(*b, "interval", w), ms(*b, "pause", w)};
    }
    t.initialDelayMs = ms(j, "initialDelay", where);
    return t;
}

Lifecycle decodeLifecycle(const Json& j, const std::string& where, const DecodeContext& ctx) {
    core::warnUnknown(j, where,
                      {"keepaliveInterval", "maxEvents", "timeout", "connectionTimeout",
                       "simulateDisconnect", "termination"},
                      ctx);
    Lifecycle l;
    constexpr int64_t kDay = 86400;
    l.keepaliveSeconds = core::intField(j, "keepaliveInterval", where, 0, INT64_MIN, kDay);
    if (l.keepaliveSeconds != 0 && l.keepaliveSeconds < 5)
        throw FieldError(where + ".keepaliveInterval", "must be 0 (disabled) or >= 5 seconds");
    l.maxEvents = core::intField(j, "maxEvents", where, 0, 0, kMaxCount);
    l.timeoutSeconds = core::intField(j, "timeout", where, 0, 0, kDay);
    l.connectionTimeoutSeconds = core::intField(j, "connectionTimeout", where, 0, 0, kDay);
    if (auto s = j.find("simulateDisconnect"); s != j.end() && !s->is_null())
        l.simulateDisconnect = core::intField(j, "simulateDisconnect", where, 0, 0, kMaxCount);
    if (const Json* t = objectField(j, "termination", where)) {
        const std::string w = where + ".termination";
        core::warnUnknown(*t, w, {"type", "finalEvent", "errorEvent", "closeDelay"}, ctx);
        l.terminationType = core::stringField(*t, "type", w, "graceful");
        // mockd's CLI writes "complete"; it means the same as graceful.
        if (l.terminationType == "complete") l.terminationType = "graceful";
        static constexpr std::array<std::string_view, 3> kTypes = {"graceful", "abrupt", "error"};
        if (std::find(kTypes.begin(), kTypes.end(), l.terminationType) == kTypes.end())
            throw FieldError(w + ".type", "must be graceful, abrupt or error, not \"" +
                                              l.terminationType + "\"");
        if (auto f = t->find("finalEvent"); f != t->end() && !f->is_null())
            l.finalEvent = decodeEvent(*f, w + ".finalEvent", ctx);
        if (auto e = t->find("errorEvent"); e != t->end() && !e->is_null())
            l.errorEvent = decodeEvent(*e, w + ".errorEvent", ctx);
        l.closeDelayMs = ms(*t, "closeDelay", w);
    }
    return l;
}

RateLimit decodeRateLimit(const Json& j, const std::string& where, const DecodeContext& ctx) {
    core::warnUnknown(j, where, {"eventsPerSecond", "burstSize", "strategy", "headers"}, ctx);
    RateLimit r;
    auto eps = j.find("eventsPerSecond");
    if (eps != j.end() && !eps->is_null() && !eps->is_number())
        throw FieldError(where + ".eventsPerSecond", "must be a number");
    r.eventsPerSecond = eps == j.end() || eps->is_null() ? 0 : eps->get<double>();
    if (!(r.eventsPerSecond > 0)) throw FieldError(where + ".eventsPerSecond", "must be > 0");
    r.burstSize = core::intField(j, "burstSize", where, 0, 0, kMaxCount);
    r.strategy = core::stringField(j, "strategy", where, "wait");
    if (r.strategy != "wait" && r.strategy != "drop" && r.strategy != "error")
        throw FieldError(where + ".strategy",
                         "must be wait, drop or error, not \"" + r.strategy + "\"");
    r.headers = core::boolField(j, "headers", where, false);
    return r;
}

Generator decodeGenerator(const Json& j, const std::string& where, const DecodeContext& ctx) {
    core::warnUnknown(j, where, {"type", "count", "sequence", "random", "template"}, ctx);
    Generator g;
    g.type = core::stringField(j, "type", where);
    // A stream's events are made when it starts: their number is bounded.
    g.count = core::intField(j, "count", where, 0, 0, kMaxGeneratedEvents);
    if (g.type == "sequence") {
        const Json* s = objectField(j, "sequence", where);
        if (!s) throw FieldError(where + ".sequence", "is required for a sequence generator");
        const std::string w = where + ".sequence";
        core::warnUnknown(*s, w, {"start", "increment", "format"}, ctx);
        g.start = core::intField(*s, "start", w, 0, -kMaxCount, kMaxCount);
        g.increment = core::intField(*s, "increment", w, 0, -kMaxCount, kMaxCount);
        g.format = core::stringField(*s, "format", w);
    } else if (g.type == "random") {
        const Json* r = objectField(j, "random", where);
        const Json* schema = r ? objectField(*r, "schema", where + ".random") : nullptr;
        if (!schema) throw FieldError(where + ".random.schema", "is required (an object)");
        core::warnUnknown(*r, where + ".random", {"schema"}, ctx);
        g.randomSchema = *schema;
    } else if (g.type == "template") {
        const Json* t = objectField(j, "template", where);
        if (!t) throw FieldError(where + ".template", "is required for a template generator");
        const std::string w = where + ".template";
        core::warnUnknown(*t, w, {"events", "repeat"}, ctx);
        auto ev = t->find("events");
        if (ev == t->end() || ev->is_null() || ev->empty())
            throw FieldError(w + ".events", "must list at least one event");
        g.templateEvents = decodeEvents(*ev, w + ".events", ctx);
        g.repeat = core::intField(*t, "repeat", w, 0, 0, kMaxGeneratedEvents);
    } else {
        throw FieldError(where + ".type",
                         "must be sequence, random or template, not \"" + g.type + "\"");
    }
    return g;
}

class SseCodec final : public core::StreamAnswerCodec {
  public:
    std::string_view key() const override { return "sse"; }
    std::shared_ptr<const core::StreamAnswer> decode(const Json& j, const std::string& where,
                                                     const DecodeContext& ctx) const override;
};

std::shared_ptr<const core::StreamAnswer> SseCodec::decode(const Json& j, const std::string& where,
                                                           const DecodeContext& ctx) const {
    if (!j.is_object()) throw FieldError(where, "must be an object (events, timing, ...)");
    core::warnUnknown(j, where,
                      {"events", "generator", "template", "templateParams", "timing", "lifecycle",
                       "rateLimit", "resume"},
                      ctx);
    auto c = std::make_shared<SseConfig>();
    int sources = 0;
    for (const char* key : {"events", "generator", "template"})
        if (auto it = j.find(key); it != j.end() && !it->is_null()) ++sources;
    if (sources == 0) throw FieldError(where, "one of events, generator, or template is required");
    if (sources > 1)
        throw FieldError(where, "events, generator, and template are mutually exclusive");
    if (auto ev = j.find("events"); ev != j.end() && !ev->is_null())
        c->events = decodeEvents(*ev, where + ".events", ctx);
    if (const Json* g = objectField(j, "generator", where))
        c->generator = decodeGenerator(*g, where + ".generator", ctx);
    c->templateName = core::stringField(j, "template", where);
    if (j.contains("template") && !knownTemplate(c->templateName))
        throw FieldError(where + ".template", "unknown template \"" + c->templateName +
                                                  "\" (openai-chat, notification-stream)");
    if (const Json* p = objectField(j, "templateParams", where)) c->templateParams = *p;
    if (const Json* t = objectField(j, "timing", where))
        c->timing = decodeTiming(*t, where + ".timing", ctx);
    if (const Json* l = objectField(j, "lifecycle", where))
        c->lifecycle = decodeLifecycle(*l, where + ".lifecycle", ctx);
    if (const Json* r = objectField(j, "rateLimit", where))
        c->rateLimit = decodeRateLimit(*r, where + ".rateLimit", ctx);
    if (const Json* r = objectField(j, "resume", where)) {
        const std::string w = where + ".resume";
        core::warnUnknown(*r, w, {"enabled", "bufferSize", "maxAge"}, ctx);
        c->resume.enabled = core::boolField(*r, "enabled", w, false);
        c->resume.bufferSize = core::intField(*r, "bufferSize", w, 0, INT64_MIN, kMaxCount);
        if (c->resume.enabled && c->resume.bufferSize <= 0)
            throw FieldError(w + ".bufferSize", "must be > 0 when resume is enabled");
        c->resume.maxAgeSeconds = core::intField(*r, "maxAge", w, 0, 0, 86400);
    }
    return c;
}

class ChunkedCodec final : public core::StreamAnswerCodec {
  public:
    std::string_view key() const override { return "chunked"; }
    std::shared_ptr<const core::StreamAnswer> decode(const Json& j, const std::string& where,
                                                     const DecodeContext& ctx) const override;
};

std::shared_ptr<const core::StreamAnswer> ChunkedCodec::decode(const Json& j,
                                                               const std::string& where,
                                                               const DecodeContext& ctx) const {
    if (!j.is_object()) throw FieldError(where, "must be an object (data, chunkSize, ...)");
    core::warnUnknown(
        j, where, {"data", "dataFile", "ndjsonItems", "chunkSize", "chunkDelay", "format"}, ctx);
    auto c = std::make_shared<ChunkedConfig>();
    c->data = core::stringField(j, "data", where);
    c->dataFile = core::stringField(j, "dataFile", where);
    if (auto items = j.find("ndjsonItems"); items != j.end() && !items->is_null()) {
        if (!items->is_array() || items->empty())
            throw FieldError(where + ".ndjsonItems", "must be a non-empty list");
        c->ndjsonItems = *items;
    }
    const int given = !c->data.empty() + !c->dataFile.empty() + c->ndjsonItems.has_value();
    if (given == 0) throw FieldError(where, "one of data, dataFile, or ndjsonItems is required");
    if (given > 1)
        throw FieldError(where, "data, dataFile, and ndjsonItems are mutually exclusive");
    if (!c->dataFile.empty() &&
        (c->dataFile.front() == '/' || c->dataFile.find("..") != std::string::npos))
        throw FieldError(where + ".dataFile", "path must be relative and cannot contain '..'");
    c->resolvedDataFile = ctx.baseDir.empty() ? c->dataFile : (ctx.baseDir / c->dataFile).string();
    c->chunkSize = core::intField(j, "chunkSize", where, 0, 0, int64_t{16} << 20);
    c->chunkDelayMs = ms(j, "chunkDelay", where);
    c->format = core::stringField(j, "format", where);
    if (!c->format.empty() && c->format != "ndjson")
        throw FieldError(where + ".format",
                         "must be ndjson or left out, not \"" + c->format + "\"");
    // mockd answers ndjsonItems without format: ndjson with an empty body; they are NDJSON here.
    if (c->ndjsonItems) c->format = "ndjson";
    return c;
}

Json encodeEvent(const Event& e) {
    Json j = Json::object();
    if (!e.type.empty()) j["type"] = e.type;
    j["data"] = e.data;
    if (!e.id.empty()) j["id"] = e.id;
    if (e.retryMs) j["retry"] = e.retryMs;
    if (!e.comment.empty()) j["comment"] = e.comment;
    if (e.delayMs) j["delay"] = *e.delayMs;
    return j;
}

Json encodeEvents(const std::vector<Event>& events) {
    Json list = Json::array();
    for (const auto& e : events) list.push_back(encodeEvent(e));
    return list;
}

Json encodeGenerator(const Generator& g) {
    Json j = {{"type", g.type}};
    if (g.count) j["count"] = g.count;
    if (g.type == "sequence") {
        j["sequence"] = {{"start", g.start}, {"increment", g.increment}};
        if (!g.format.empty()) j["sequence"]["format"] = g.format;
    } else if (g.type == "random") {
        j["random"] = {{"schema", g.randomSchema}};
    } else {
        j["template"] = {{"events", encodeEvents(g.templateEvents)}};
        if (g.repeat) j["template"]["repeat"] = g.repeat;
    }
    return j;
}

Json encodeTiming(const Timing& t) {
    Json j = Json::object();
    if (t.fixedDelayMs) j["fixedDelay"] = *t.fixedDelayMs;
    if (t.randomDelayMs)
        j["randomDelay"] = {{"min", t.randomDelayMs->first}, {"max", t.randomDelayMs->second}};
    if (!t.perEventDelaysMs.empty()) j["perEventDelays"] = t.perEventDelaysMs;
    if (t.burst)
        j["burst"] = {{"count", t.burst->count},
                      {"interval", t.burst->intervalMs},
                      {"pause", t.burst->pauseMs}};
    if (t.initialDelayMs) j["initialDelay"] = t.initialDelayMs;
    return j;
}

Json encodeLifecycle(const Lifecycle& l) {
    Json j = Json::object();
    if (l.keepaliveSeconds) j["keepaliveInterval"] = l.keepaliveSeconds;
    if (l.maxEvents) j["maxEvents"] = l.maxEvents;
    if (l.timeoutSeconds) j["timeout"] = l.timeoutSeconds;
    if (l.connectionTimeoutSeconds) j["connectionTimeout"] = l.connectionTimeoutSeconds;
    if (l.simulateDisconnect) j["simulateDisconnect"] = *l.simulateDisconnect;
    if (!l.terminationType.empty() || l.finalEvent || l.errorEvent || l.closeDelayMs) {
        Json t = {{"type", l.terminationType.empty() ? "graceful" : l.terminationType}};
        if (l.finalEvent) t["finalEvent"] = encodeEvent(*l.finalEvent);
        if (l.errorEvent) t["errorEvent"] = encodeEvent(*l.errorEvent);
        if (l.closeDelayMs) t["closeDelay"] = l.closeDelayMs;
        j["termination"] = t;
    }
    return j;
}

}  // namespace

Json SseConfig::encode() const {
    Json j = Json::object();
    if (generator)
        j["generator"] = encodeGenerator(*generator);
    else if (!templateName.empty())
        j["template"] = templateName;
    else
        j["events"] = encodeEvents(events);
    if (!templateParams.empty()) j["templateParams"] = templateParams;
    j["timing"] = encodeTiming(timing);
    j["lifecycle"] = encodeLifecycle(lifecycle);
    if (rateLimit)
        j["rateLimit"] = {{"eventsPerSecond", rateLimit->eventsPerSecond},
                          {"burstSize", rateLimit->burstSize},
                          {"strategy", rateLimit->strategy},
                          {"headers", rateLimit->headers}};
    j["resume"] = {{"enabled", resume.enabled},
                   {"bufferSize", resume.bufferSize},
                   {"maxAge", resume.maxAgeSeconds}};
    return j;
}

Json ChunkedConfig::encode() const {
    Json j = Json::object();
    if (!data.empty()) j["data"] = data;
    if (!dataFile.empty()) j["dataFile"] = dataFile;
    if (ndjsonItems) j["ndjsonItems"] = *ndjsonItems;
    if (chunkSize) j["chunkSize"] = chunkSize;
    if (chunkDelayMs) j["chunkDelay"] = chunkDelayMs;
    if (!format.empty()) j["format"] = format;
    return j;
}

std::shared_ptr<const core::StreamAnswerCodec> sseCodec() {
    static const auto codec = std::make_shared<SseCodec>();
    return codec;
}

std::shared_ptr<const core::StreamAnswerCodec> chunkedCodec() {
    static const auto codec = std::make_shared<ChunkedCodec>();
    return codec;
}

bool knownTemplate(std::string_view name) {
    return name == "openai-chat" || name == "notification-stream";
}

}  // namespace mockd::protocols::sse
