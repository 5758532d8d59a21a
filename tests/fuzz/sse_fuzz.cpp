// The `http.sse` and `http.chunked` decoders, and what a stream makes of a decoded config: its
// events, their wire bytes and delays. Bad input must be a FieldError; a config that decodes
// encodes to JSON that decodes to the same config.
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/errors.h"
#include "protocols/sse/sse_config.h"
#include "protocols/sse/sse_events.h"

using mockd::protocols::sse::Json;
namespace sse = mockd::protocols::sse;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const bool chunked = (data[0] & 1) != 0;
    Json block = Json::parse(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1),
                             nullptr, false);
    if (block.is_discarded()) return 0;
    auto codec = chunked ? sse::chunkedCodec() : sse::sseCodec();
    std::shared_ptr<const mockd::core::StreamAnswer> decoded;
    try {
        decoded = codec->decode(block, "sse", {});
    } catch (const mockd::core::FieldError&) {
        return 0;
    }
    const Json encoded = decoded->encode();
    if (codec->decode(encoded, "sse", {})->encode() != encoded) __builtin_trap();
    if (chunked) return 0;
    const auto& config = static_cast<const sse::SseConfig&>(*decoded);
    mockd::tmpl::Rng rng(1);
    auto events = sse::streamEvents(config, rng);
    sse::DelayPlan plan(config.timing);
    size_t bytes = 0;
    for (size_t i = 0; i < events.size() && i < 1000; ++i) {
        bytes += sse::wireEvent(events[i], sse::dataText(events[i].data)).size();
        if (plan.next(events[i], i, rng) < 0) __builtin_trap();
    }
    return bytes == SIZE_MAX;
}
