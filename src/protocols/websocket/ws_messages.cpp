#include "protocols/websocket/ws_messages.h"

#include "core/encoding.h"
#include "core/match_input.h"
#include "template/template.h"

namespace mockd::protocols::websocket {

namespace {

// A JSON value as mockd compares it with a matcher's string: strings as they are, numbers in
// their shortest form, objects and arrays as compact JSON with sorted keys.
std::string comparable(const Json& v) {
    if (v.is_string()) return v.get<std::string>();
    return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

const Json* atPath(const Json& doc, const std::vector<std::string>& keys) {
    const Json* at = &doc;
    for (const auto& k : keys) {
        if (!at->is_object()) return nullptr;
        auto it = at->find(k);
        if (it == at->end()) return nullptr;
        at = &*it;
    }
    return at->is_null() ? nullptr : at;
}

std::string why(const MessageMatch& m, const Message& msg) {
    if (!m.messageType.empty() && (m.messageType == "binary") != msg.binary)
        return "the message is " + std::string(msg.binary ? "binary" : "text") + ", not " +
               m.messageType;
    if (m.type == "json") {
        Json doc = Json::parse(msg.data, nullptr, false);
        if (doc.is_discarded() || !doc.is_object()) return "the message is not a JSON object";
        const Json* v = atPath(doc, m.pathKeys);
        if (!v) return m.path + " is missing";
        return m.path + " is " + comparable(*v) + ", not " + m.value;
    }
    return "the message does not " +
           std::string(m.type == "exact"      ? "equal"
                       : m.type == "contains" ? "contain"
                       : m.type == "prefix"   ? "start with"
                       : m.type == "suffix"   ? "end with"
                                              : "match") +
           " \"" + m.value + "\"";
}

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

}  // namespace

bool matches(const MessageMatch& m, const Message& msg) {
    if (!m.messageType.empty() && (m.messageType == "binary") != msg.binary) return false;
    const std::string& p = msg.data;
    if (m.type == "exact") return p == m.value;
    if (m.type == "contains") return p.find(m.value) != std::string::npos;
    if (m.type == "prefix") return p.starts_with(m.value);
    if (m.type == "suffix") return p.ends_with(m.value);
    if (m.type == "regex") return m.regex && m.regex->partialMatch(p);
    if (m.type == "json") {
        Json doc = Json::parse(p, nullptr, false);
        if (doc.is_discarded() || !doc.is_object()) return false;
        const Json* v = atPath(doc, m.pathKeys);
        return v && comparable(*v) == m.value;
    }
    return false;
}

int firstMatch(const WebSocketConfig& c, const Message& msg) {
    for (size_t i = 0; i < c.matchers.size(); ++i)
        if (matches(c.matchers[i].match, msg)) return static_cast<int>(i);
    return -1;
}

Json nearMisses(const WebSocketConfig& c, const Message& msg) {
    Json out = Json::array();
    for (size_t i = 0; i < c.matchers.size() && out.size() < 3; ++i)
        out.push_back({{"matcher", i},
                       {"type", c.matchers[i].match.type},
                       {"reason", why(c.matchers[i].match, msg)}});
    return out;
}

std::shared_ptr<const PreparedReply> prepareReply(const Reply& r) {
    auto p = std::make_shared<PreparedReply>();
    if (r.type == "binary") return p;
    p->text = r.type == "json" ? r.value.dump(-1, ' ', false, Json::error_handler_t::replace)
                               : r.value.get<std::string>();
    if (p->text.find("{{") != std::string::npos)
        p->compiled = std::make_shared<const tmpl::Template>(
            tmpl::Template::compile(replaceAll(p->text, "{{message}}", "{{request.rawBody}}")));
    return p;
}

Message renderReply(const Reply& r, const Message* in, const core::Request& handshake,
                    tmpl::Rng& rng) {
    Message out;
    if (r.type == "binary") {
        out.binary = true;
        const std::string& text = r.value.get_ref<const std::string&>();
        // Base64 when it is, else the string's own bytes (mockd's rule).
        auto decoded = core::base64Decode(text);
        out.data = decoded ? std::move(*decoded) : text;
        return out;
    }
    const std::shared_ptr<const PreparedReply> prepared = r.prepared ? r.prepared : prepareReply(r);
    if (!prepared->compiled) {
        out.data = prepared->text;
        return out;
    }
    // The message is the request's body for the template: rawBody and body.<path> read it.
    core::Request req = handshake;
    req.method = "GET";
    req.body = in ? std::string_view(in->data) : std::string_view();
    core::MatchInput input(req);
    prepared->compiled->render({&req, &input, nullptr}, rng, out.data);
    return out;
}

}  // namespace mockd::protocols::websocket
