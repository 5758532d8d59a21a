// A WebSocket mock's config and the messages it answers: the input is a JSON `websocket` block,
// a NUL byte, then a message (its first byte picks text or binary). Bad configs must be a
// FieldError; any message is matched, answered and described without a crash.
#include <cstring>
#include <string_view>

#include "core/errors.h"
#include "protocols/websocket/ws_messages.h"

namespace ws = mockd::protocols::websocket;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    const size_t nul = in.find('\0');
    if (nul == std::string_view::npos || nul + 1 >= in.size()) return 0;
    ws::Json block = ws::Json::parse(in.substr(0, nul), nullptr, false);
    if (block.is_discarded()) return 0;
    mockd::core::Mock mock;
    try {
        ws::webSocketMockType()->decode(block, "websocket", {}, mock);
    } catch (const mockd::core::FieldError&) {
        return 0;
    }
    const auto& config = static_cast<const ws::WebSocketConfig&>(*mock.stream);
    const std::string_view rest = in.substr(nul + 1);
    ws::Message msg{(rest[0] & 1) != 0, std::string(rest.substr(1))};
    const int index = ws::firstMatch(config, msg);
    (void)ws::nearMisses(config, msg);
    mockd::core::Request handshake;
    handshake.method = "GET";
    handshake.path = handshake.rawPath = handshake.target = config.path;
    mockd::tmpl::Rng rng(1);
    size_t bytes = 0;
    if (index >= 0 && config.matchers[static_cast<size_t>(index)].response)
        bytes += ws::renderReply(*config.matchers[static_cast<size_t>(index)].response, &msg,
                                 handshake, rng)
                     .data.size();
    if (config.defaultResponse)
        bytes += ws::renderReply(*config.defaultResponse, &msg, handshake, rng).data.size();
    if (ws::webSocketMockType()->encode(mock) != config.encode()) __builtin_trap();
    return bytes == SIZE_MAX;
}
