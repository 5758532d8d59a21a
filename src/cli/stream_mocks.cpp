#include "cli/stream_mocks.h"

#include <cstdio>

namespace mockd::cli {

using Json = nlohmann::json;

void addSseFlags(CLI::App* cmd, SseFlags& f, bool withSwitch) {
    if (withSwitch)
        cmd->add_flag("--sse", f.sse, "Answer with server-sent events (one --sse-event or more)");
    cmd->add_option("--sse-event", f.events,
                    "An event, type:data (data as JSON when it parses; repeat)");
    cmd->add_option("--sse-delay", f.delay, "Milliseconds before each event")
        ->capture_default_str();
    cmd->add_option("--sse-template", f.templateName,
                    "A built-in stream: openai-chat or notification-stream");
    cmd->add_option("--sse-repeat", f.repeat,
                    "Send the events this many times (0: as many as a stream may have)")
        ->capture_default_str();
    cmd->add_option("--sse-keepalive", f.keepalive,
                    "A keep-alive comment every N seconds (0: none, else 5 or more)")
        ->capture_default_str();
}

namespace {

// One --sse-event: "type:data" split at the first colon (data as JSON when it parses), or
// only data. A whole JSON value is data, not a type and data split inside it.
Json sseEvent(const std::string& text) {
    Json whole = Json::parse(text, nullptr, false);
    if (!whole.is_discarded() && (whole.is_object() || whole.is_array()))
        return {{"type", "message"}, {"data", whole}};
    const size_t colon = text.find(':');
    if (colon == std::string::npos) return {{"type", "message"}, {"data", text}};
    const std::string raw = text.substr(colon + 1);
    Json data = Json::parse(raw, nullptr, false);
    return {{"type", text.substr(0, colon)}, {"data", data.is_discarded() ? Json(raw) : data}};
}

// The path a mock answers on, whatever its type.
std::string mockPath(const Json& m) {
    if (m.value("type", "") == "websocket")
        return m.value("websocket", Json::object()).value("path", "");
    return m.value("http", Json::object()).value("matcher", Json::object()).value("path", "");
}

}  // namespace

Json sseBlock(const SseFlags& f) {
    if (f.repeat < 0) throw ClientError("--sse-repeat must be 0 or more");
    Json block = Json::object();
    if (!f.templateName.empty()) {
        block["template"] = f.templateName;
    } else {
        Json events = Json::array();
        for (const auto& e : f.events) events.push_back(sseEvent(e));
        if (events.empty())
            events.push_back({{"type", "message"}, {"data", {{"status", "connected"}}}});
        if (f.repeat == 1) {
            block["events"] = events;
        } else {
            // Repeated: a template generator, bounded (mockd's never ends).
            Json gen = {{"type", "template"}, {"template", {{"events", events}}}};
            gen["template"]["repeat"] = f.repeat > 1 ? f.repeat : 100000;
            block["generator"] = gen;
        }
        block["timing"] = {{"fixedDelay", f.delay}};
    }
    if (f.keepalive) block["lifecycle"] = {{"keepaliveInterval", f.keepalive}};
    return block;
}

void addWebsocketFlags(CLI::App* cmd, WebsocketFlags& f) {
    cmd->add_flag("--echo", f.echo, "Echo every message that no matcher takes");
    cmd->add_option("--message", f.message,
                    "Answer every message with this (JSON when it parses, else text)");
}

Json websocketMock(const std::string& path, const WebsocketFlags& f) {
    if (path.empty()) throw ClientError("--path is required for WebSocket mocks");
    Json ws = {{"path", path}};
    if (f.echo) ws["echoMode"] = true;
    if (!f.message.empty()) {
        Json value = Json::parse(f.message, nullptr, false);
        ws["defaultResponse"] = value.is_discarded() ? Json{{"type", "text"}, {"value", f.message}}
                                                     : Json{{"type", "json"}, {"value", value}};
    }
    return {{"type", "websocket"}, {"websocket", ws}};
}

std::string sameEndpoint(const AdminClient& c, const Json& mock) {
    const std::string type = mock.value("type", "http");
    const Json wanted = mock.value("http", Json::object()).value("matcher", Json::object());
    const std::string path = mockPath(mock);
    Json all = expectOk(c.call("GET", "/mocks"));
    for (const auto& m : all["mocks"]) {
        if (m.value("type", "") != type || mockPath(m) != path) continue;
        const Json matcher = m.value("http", Json::object()).value("matcher", Json::object());
        if (type == "http" && (matcher.value("method", "") != wanted.value("method", "") ||
                               matcher.value("pathPattern", "") != wanted.value("pathPattern", "")))
            continue;
        return m.value("id", "");
    }
    return "";
}

int createOrReplace(const AdminClient& c, Json mock, const std::string& existing, bool json) {
    Json res;
    if (!existing.empty()) {
        mock["id"] = existing;
        res = expectOk(c.call("PUT", "/mocks/" + existing, mock.dump()));
    } else {
        res = expectOk(c.call("POST", "/mocks", mock.dump()));
    }
    if (json)
        printJson(res);
    else
        std::printf("%s mock: %s\n", existing.empty() ? "Created" : "Updated",
                    res.value("id", "").c_str());
    return 0;
}

int listMocks(const AdminClient& c, const std::function<bool(const Json&)>& keep, bool json) {
    Json all = expectOk(c.call("GET", "/mocks"));
    Json mocks = Json::array();
    for (const auto& m : all["mocks"])
        if (keep(m)) mocks.push_back(m);
    if (json) {
        printJson({{"mocks", mocks}, {"count", mocks.size()}});
        return 0;
    }
    std::printf("%-40s %-24s %-30s %s\n", "ID", "NAME", "PATH", "ENABLED");
    for (const auto& m : mocks)
        std::printf("%-40s %-24s %-30s %s\n", m.value("id", "").c_str(),
                    m.value("name", "").c_str(), mockPath(m).c_str(),
                    m.value("enabled", true) ? "yes" : "no");
    std::printf("%zu mock(s)\n", mocks.size());
    return 0;
}

}  // namespace mockd::cli
