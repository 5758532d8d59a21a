// Streaming mocks from the command line: mockd's `add --sse` and `add websocket` flags, and the
// `sse`/`websocket` add, list, get, delete and status commands built on them.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/admin_client.h"

namespace mockd::cli {

struct SseFlags {
    bool sse = false;
    std::vector<std::string> events;
    int64_t delay = 100, repeat = 1, keepalive = 0;
    std::string templateName;
    // Whether any flag asks for an SSE answer (mockd: --sse, --sse-event or --sse-template).
    bool wanted() const { return sse || !events.empty() || !templateName.empty(); }
};

// `withSwitch` adds `--sse` itself (for `mockd add`; `mockd sse add` is SSE already).
void addSseFlags(CLI::App* cmd, SseFlags& f, bool withSwitch);
// The `http.sse` block the flags describe. Throws ClientError on a flag it cannot honour.
nlohmann::json sseBlock(const SseFlags& f);

struct WebsocketFlags {
    bool echo = false;
    std::string message;
};

void addWebsocketFlags(CLI::App* cmd, WebsocketFlags& f);
// A `type: websocket` mock on `path` as mockd's `add websocket` makes it.
nlohmann::json websocketMock(const std::string& path, const WebsocketFlags& f);

// The mock on the same endpoint as `mock` (same method and path or pattern for http, same path for
// websocket), or "".
std::string sameEndpoint(const AdminClient& c, const nlohmann::json& mock);

// Creates `mock`, or replaces the mock `existing` names; prints the outcome.
int createOrReplace(const AdminClient& c, nlohmann::json mock, const std::string& existing,
                    bool json);

// `list` for one kind of streaming mock: those `keep` selects, as a table or JSON.
int listMocks(const AdminClient& c, const std::function<bool(const nlohmann::json&)>& keep,
              bool json);

}  // namespace mockd::cli
