#include "protocols/websocket/ws_config.h"

#include "core/duration.h"
#include "core/errors.h"
#include "core/json_fields.h"
#include "protocols/websocket/ws_messages.h"

namespace mockd::protocols::websocket {

namespace {

using core::DecodeContext;
using core::FieldError;

int64_t duration(const Json& j, const char* key, const std::string& where, int64_t dflt) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return dflt;
    if (!it->is_string())
        throw FieldError(where + "." + key,
                         "must be a duration string such as \"100ms\" or \"30s\" (a bare number "
                         "has no unit)");
    std::string error;
    auto ms = core::parseGoDuration(it->get<std::string>(), &error);
    if (!ms) throw FieldError(where + "." + key, error);
    if (*ms < 0) throw FieldError(where + "." + key, "must not be negative");
    return *ms;
}

const Json* objectField(const Json& j, const char* key, const std::string& where) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return nullptr;
    if (!it->is_object()) throw FieldError(where + "." + key, "must be an object");
    return &*it;
}

MessageMatch decodeMatch(const Json& j, const std::string& where, const DecodeContext& ctx) {
    if (!j.is_object()) throw FieldError(where, "must be an object (type, value, ...)");
    core::warnUnknown(j, where, {"type", "value", "path", "messageType"}, ctx);
    MessageMatch m;
    m.type = core::stringField(j, "type", where);
    m.value = core::stringField(j, "value", where);
    m.path = core::stringField(j, "path", where);
    m.messageType = core::stringField(j, "messageType", where);
    static const std::vector<std::string> kTypes = {"exact",  "contains", "prefix",
                                                    "suffix", "regex",    "json"};
    if (std::find(kTypes.begin(), kTypes.end(), m.type) == kTypes.end())
        throw FieldError(where + ".type",
                         "invalid matcher type \"" + m.type +
                             "\" (exact, contains, prefix, suffix, regex or json)");
    if (!m.messageType.empty() && m.messageType != "text" && m.messageType != "binary")
        throw FieldError(where + ".messageType",
                         "must be text or binary, not \"" + m.messageType + "\"");
    if (m.type == "regex") {
        std::string error;
        m.regex = match::Regex::compile(m.value, &error);
        if (!m.regex) throw FieldError(where + ".value", "invalid regex: " + error);
    }
    if (m.type == "json") {
        if (m.path.empty()) throw FieldError(where + ".path", "is required for a json matcher");
        std::string_view p = m.path;
        if (p.starts_with("$.")) p.remove_prefix(2);
        size_t start = 0;
        for (;;) {
            const size_t dot = p.find('.', start);
            std::string key(p.substr(start, dot == std::string_view::npos ? dot : dot - start));
            if (key.empty()) throw FieldError(where + ".path", "is not a dot path: " + m.path);
            m.pathKeys.push_back(std::move(key));
            if (dot == std::string_view::npos) break;
            start = dot + 1;
        }
    }
    return m;
}

Reply decodeReply(const Json& j, const std::string& where, const DecodeContext& ctx) {
    if (!j.is_object()) throw FieldError(where, "must be an object (type, value, delay)");
    core::warnUnknown(j, where, {"type", "value", "delay"}, ctx);
    Reply r;
    r.type = core::stringField(j, "type", where);
    if (r.type != "text" && r.type != "json" && r.type != "binary")
        throw FieldError(where + ".type", "must be text, json or binary, not \"" + r.type + "\"");
    auto v = j.find("value");
    r.value = v == j.end() ? Json(nullptr) : *v;
    if ((r.type == "text" || r.type == "binary") && !r.value.is_string())
        throw FieldError(where + ".value", "must be a string for a " + r.type + " response");
    r.delayMs = duration(j, "delay", where, 0);
    r.prepared = prepareReply(r);
    return r;
}

ScenarioStep decodeStep(const Json& j, const std::string& where, const DecodeContext& ctx) {
    if (!j.is_object()) throw FieldError(where, "must be an object (type, ...)");
    core::warnUnknown(j, where, {"type", "message", "match", "duration", "timeout", "optional"},
                      ctx);
    ScenarioStep st;
    st.type = core::stringField(j, "type", where);
    if (st.type != "send" && st.type != "expect" && st.type != "wait")
        throw FieldError(where + ".type",
                         "invalid scenario step type \"" + st.type + "\" (send, expect or wait)");
    if (const Json* m = objectField(j, "message", where))
        st.message = decodeReply(*m, where + ".message", ctx);
    if (const Json* m = objectField(j, "match", where))
        st.match = decodeMatch(*m, where + ".match", ctx);
    st.durationMs = duration(j, "duration", where, 0);
    st.timeoutMs = duration(j, "timeout", where, 30000);
    st.optional = core::boolField(j, "optional", where, false);
    if (st.type == "send" && !st.message)
        throw FieldError(where + ".message", "a send step needs a message");
    if (st.type == "wait" && st.durationMs <= 0)
        throw FieldError(where + ".duration",
                         "invalid scenario step type: a wait needs a duration above 0");
    if (st.type == "expect" && st.timeoutMs <= 0)
        throw FieldError(where + ".timeout", "must be more than 0");
    return st;
}

Scenario decodeScenario(const Json& j, const std::string& where, const DecodeContext& ctx) {
    core::warnUnknown(j, where, {"name", "steps", "loop", "resetOnReconnect"}, ctx);
    Scenario sc;
    sc.name = core::stringField(j, "name", where);
    auto steps = j.find("steps");
    if (steps == j.end() || !steps->is_array() || steps->empty())
        throw FieldError(where + ".steps", "must list at least one step");
    for (size_t i = 0; i < steps->size(); ++i)
        sc.steps.push_back(
            decodeStep((*steps)[i], where + ".steps[" + std::to_string(i) + "]", ctx));
    sc.loop = core::boolField(j, "loop", where, false);
    sc.resetOnReconnect = core::boolField(j, "resetOnReconnect", where, true);
    // A loop that never waits would flood the client as fast as the socket takes it.
    const bool paced = std::any_of(sc.steps.begin(), sc.steps.end(), [](const ScenarioStep& st) {
        return st.type != "send" || st.message->delayMs > 0;
    });
    if (sc.loop && !paced)
        throw FieldError(where + ".loop",
                         "a looping scenario needs a wait, an expect or a send with a delay");
    return sc;
}

class WebSocketCodec final : public core::MockTypeCodec {
  public:
    std::string_view type() const override { return "websocket"; }
    void decode(const Json& block, const std::string& where, const DecodeContext& ctx,
                core::Mock& mock) const override;
    Json encode(const core::Mock& mock) const override {
        return mock.stream ? mock.stream->encode() : Json::object();
    }
};

bool isTemplate(const Reply& r) { return r.prepared && r.prepared->compiled; }

bool hasTemplates(const WebSocketConfig& c) {
    for (const auto& rule : c.matchers)
        if (rule.response && isTemplate(*rule.response)) return true;
    if (c.defaultResponse && isTemplate(*c.defaultResponse)) return true;
    if (c.scenario)
        for (const auto& st : c.scenario->steps)
            if (st.message && isTemplate(*st.message)) return true;
    return false;
}

void decodeRules(const Json& j, const std::string& where, const DecodeContext& ctx,
                 WebSocketConfig& c) {
    auto it = j.find("matchers");
    if (it == j.end() || it->is_null()) return;
    if (!it->is_array()) throw FieldError(where + ".matchers", "must be a list");
    for (size_t i = 0; i < it->size(); ++i) {
        const std::string w = where + ".matchers[" + std::to_string(i) + "]";
        const Json& rule = (*it)[i];
        if (!rule.is_object()) throw FieldError(w, "must be an object (match, response)");
        core::warnUnknown(rule, w, {"match", "response", "noResponse"}, ctx);
        const Json* m = objectField(rule, "match", w);
        if (!m) throw FieldError(w + ".match", "invalid matcher type (match is required)");
        MessageRule r;
        r.match = decodeMatch(*m, w + ".match", ctx);
        if (const Json* resp = objectField(rule, "response", w))
            r.response = decodeReply(*resp, w + ".response", ctx);
        r.noResponse = core::boolField(rule, "noResponse", w, false);
        c.matchers.push_back(std::move(r));
    }
}

void WebSocketCodec::decode(const Json& j, const std::string& where, const DecodeContext& ctx,
                            core::Mock& mock) const {
    if (!j.is_object()) throw FieldError(where, "must be an object (path, matchers, ...)");
    core::warnUnknown(j, where,
                      {"path", "subprotocols", "requireSubprotocol", "matchers", "defaultResponse",
                       "scenario", "heartbeat", "maxMessageSize", "idleTimeout", "maxConnections",
                       "echoMode", "skipOriginVerify"},
                      ctx);
    auto c = std::make_shared<WebSocketConfig>();
    c->path = core::stringField(j, "path", where);
    if (c->path.empty()) throw FieldError(where + ".path", "path is required");
    if (c->path.front() != '/') throw FieldError(where + ".path", "path must start with /");
    if (auto sp = j.find("subprotocols"); sp != j.end() && !sp->is_null()) {
        if (!sp->is_array()) throw FieldError(where + ".subprotocols", "must be a list of names");
        for (const auto& p : *sp) {
            if (!p.is_string() || p.get<std::string>().empty())
                throw FieldError(where + ".subprotocols", "must be a list of names");
            c->subprotocols.push_back(p.get<std::string>());
        }
    }
    c->requireSubprotocol = core::boolField(j, "requireSubprotocol", where, false);
    decodeRules(j, where, ctx, *c);
    if (const Json* d = objectField(j, "defaultResponse", where))
        c->defaultResponse = decodeReply(*d, where + ".defaultResponse", ctx);
    if (const Json* sc = objectField(j, "scenario", where))
        c->scenario = decodeScenario(*sc, where + ".scenario", ctx);
    if (const Json* h = objectField(j, "heartbeat", where)) {
        core::warnUnknown(*h, where + ".heartbeat", {"enabled", "interval", "timeout"}, ctx);
        c->heartbeat = core::boolField(*h, "enabled", where + ".heartbeat", false);
        c->heartbeatIntervalMs = duration(*h, "interval", where + ".heartbeat", 30000);
        c->heartbeatTimeoutMs = duration(*h, "timeout", where + ".heartbeat", 10000);
        if (c->heartbeat && c->heartbeatIntervalMs <= 0)
            throw FieldError(where + ".heartbeat.interval", "must be more than 0");
    }
    c->maxMessageSize = core::intField(j, "maxMessageSize", where, 0, INT64_MIN, int64_t{1} << 30);
    if (c->maxMessageSize <= 0) c->maxMessageSize = 65536;
    c->idleTimeoutMs = duration(j, "idleTimeout", where, 0);
    c->maxConnections = core::intField(j, "maxConnections", where, 0, 0, 1 << 20);
    if (auto e = j.find("echoMode"); e != j.end() && !e->is_null())
        c->echoMode = core::boolField(j, "echoMode", where, false);
    c->skipOriginVerify = core::boolField(j, "skipOriginVerify", where, true);
    c->templated = hasTemplates(*c);
    // The endpoint is found like any mock: a GET to its path that asks for a WebSocket
    // (`Upgrade: websocket`, as every client writes it); a plain GET there matches nothing.
    mock.matcher = core::HttpMatcher{};
    mock.matcher.method = "GET";
    mock.matcher.path = c->path;
    mock.matcher.headers = {{"Upgrade", "websocket"}};
    mock.stream = std::move(c);
}

Json encodeReply(const Reply& r) {
    Json j = {{"type", r.type}, {"value", r.value}};
    if (r.delayMs) j["delay"] = core::formatGoDuration(r.delayMs);
    return j;
}

Json encodeMatch(const MessageMatch& mt) {
    Json m = {{"type", mt.type}};
    if (!mt.value.empty()) m["value"] = mt.value;
    if (!mt.path.empty()) m["path"] = mt.path;
    if (!mt.messageType.empty()) m["messageType"] = mt.messageType;
    return m;
}

Json encodeScenario(const Scenario& sc) {
    Json steps = Json::array();
    for (const auto& st : sc.steps) {
        Json j = {{"type", st.type}};
        if (st.message) j["message"] = encodeReply(*st.message);
        if (st.match) j["match"] = encodeMatch(*st.match);
        if (st.durationMs) j["duration"] = core::formatGoDuration(st.durationMs);
        if (st.type == "expect") j["timeout"] = core::formatGoDuration(st.timeoutMs);
        if (st.optional) j["optional"] = true;
        steps.push_back(std::move(j));
    }
    Json j = {{"steps", steps}, {"loop", sc.loop}, {"resetOnReconnect", sc.resetOnReconnect}};
    if (!sc.name.empty()) j["name"] = sc.name;
    return j;
}

}  // namespace

Json WebSocketConfig::encode() const {
    Json j = {{"path", path}};
    if (!subprotocols.empty()) j["subprotocols"] = subprotocols;
    if (requireSubprotocol) j["requireSubprotocol"] = true;
    if (!matchers.empty()) {
        Json list = Json::array();
        for (const auto& r : matchers) {
            Json rule = {{"match", encodeMatch(r.match)}};
            if (r.response) rule["response"] = encodeReply(*r.response);
            if (r.noResponse) rule["noResponse"] = true;
            list.push_back(rule);
        }
        j["matchers"] = list;
    }
    if (defaultResponse) j["defaultResponse"] = encodeReply(*defaultResponse);
    if (scenario) j["scenario"] = encodeScenario(*scenario);
    if (heartbeat)
        j["heartbeat"] = {{"enabled", true},
                          {"interval", core::formatGoDuration(heartbeatIntervalMs)},
                          {"timeout", core::formatGoDuration(heartbeatTimeoutMs)}};
    if (maxMessageSize != 65536) j["maxMessageSize"] = maxMessageSize;
    if (idleTimeoutMs) j["idleTimeout"] = core::formatGoDuration(idleTimeoutMs);
    if (maxConnections) j["maxConnections"] = maxConnections;
    if (echoMode) j["echoMode"] = *echoMode;
    if (!skipOriginVerify) j["skipOriginVerify"] = false;
    return j;
}

std::shared_ptr<const core::MockTypeCodec> webSocketMockType() {
    static const auto codec = std::make_shared<WebSocketCodec>();
    return codec;
}

}  // namespace mockd::protocols::websocket
