// mockd's `type: websocket` mock: the endpoint's path and handshake rules, how it answers each
// message (matchers, a default response, echo), heartbeats and limits. Times are Go duration
// strings ("100ms", "30s"), as in mockd.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/mock_codec.h"
#include "match/regex.h"

namespace mockd::protocols::websocket {

using core::Json;

// What a message must be for a matcher to take it.
struct MessageMatch {
    std::string type;  // exact, contains, prefix, suffix, regex, json
    std::string value;
    std::string path;         // json: a dot path ("user.id", "$.user.id")
    std::string messageType;  // text, binary, or empty for both
    std::shared_ptr<const match::Regex> regex;
    std::vector<std::string> pathKeys;  // `path` split at the dots
};

// An answer: `text` (a string), `json` (any value, sent as compact JSON) or `binary` (base64,
// or the string's bytes when it is not base64); templated.
struct PreparedReply;  // see ws_messages.h

struct Reply {
    std::string type;
    Json value;
    int64_t delayMs = 0;
    // Made once as the mock is read (the payload's text, its template compiled); a reply made
    // otherwise is prepared as it is sent.
    std::shared_ptr<const PreparedReply> prepared;
};

struct MessageRule {
    MessageMatch match;
    std::optional<Reply> response;
    bool noResponse = false;
};

// A per-connection script (mockd's `scenario`): it starts when the client connects and runs
// beside the matchers. `send` a message (after its delay), `wait` a while, or `expect` a message
// (the first that matches, or any without `match`; at most `timeout`, then the scenario ends
// unless the step is `optional`). After the last step it starts again with `loop`.
struct ScenarioStep {
    std::string type;  // send, expect, wait
    std::optional<Reply> message;
    std::optional<MessageMatch> match;
    int64_t durationMs = 0;
    int64_t timeoutMs = 30000;
    bool optional = false;
};

struct Scenario {
    std::string name;
    std::vector<ScenarioStep> steps;
    bool loop = false;
    bool resetOnReconnect = true;  // each connection runs its own copy from the first step
};

class WebSocketConfig final : public core::StreamAnswer {
  public:
    std::string path;
    std::vector<std::string> subprotocols;
    bool requireSubprotocol = false;
    std::vector<MessageRule> matchers;
    std::optional<Reply> defaultResponse;
    std::optional<Scenario> scenario;
    bool heartbeat = false;
    int64_t heartbeatIntervalMs = 30000, heartbeatTimeoutMs = 10000;
    int64_t maxMessageSize = 65536;
    int64_t idleTimeoutMs = 0;     // 0: none
    int64_t maxConnections = 0;    // 0: no limit
    std::optional<bool> echoMode;  // unset: on when there are no matchers
    bool skipOriginVerify = true;
    // Some reply is a template: a connection keeps its handshake request for them to read.
    bool templated = false;

    bool echoes() const { return echoMode.value_or(matchers.empty() && !scenario); }
    std::string_view key() const override { return "websocket"; }
    Json encode() const override;
};

// The codec of the `websocket` mock type.
std::shared_ptr<const core::MockTypeCodec> webSocketMockType();

}  // namespace mockd::protocols::websocket
