// How a WebSocket mock answers one message: which of its matchers takes it (mockd's match types
// on the raw payload, RE2 regexes, a dot path into a JSON object), what a reply's bytes are once
// templated, and, for a message no matcher takes, how close each came.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/request.h"
#include "protocols/websocket/ws_config.h"
#include "template/rng.h"
#include "template/template.h"

namespace mockd::protocols::websocket {

struct Message {
    bool binary = false;
    std::string data;
};

bool matches(const MessageMatch& m, const Message& msg);
// The index of the first matcher that takes the message, or -1.
int firstMatch(const WebSocketConfig& c, const Message& msg);
// Why each matcher did not take the message: [{index, type, reason}], for the request log.
Json nearMisses(const WebSocketConfig& c, const Message& msg);

// A reply's payload as text (a JSON value serialised) and, when it is a template, compiled,
// with `{{message}}` read as `{{request.rawBody}}`: the message is data, never template source.
struct PreparedReply {
    std::string text;
    std::shared_ptr<const tmpl::Template> compiled;
};
std::shared_ptr<const PreparedReply> prepareReply(const Reply& r);

// The frame a reply sends, templated with the message (`{{message}}`, `{{request.rawBody}}`,
// `{{request.body.<path>}}`) and the handshake request (`{{request.path}}`, headers, query).
Message renderReply(const Reply& r, const Message* in, const core::Request& handshake,
                    tmpl::Rng& rng);

}  // namespace mockd::protocols::websocket
