// mockd's `http.sse` and `http.chunked` blocks: what a streaming HTTP mock sends and when. The
// fields, units and defaults are mockd's (integers: milliseconds for delays, seconds for
// `keepaliveInterval`, `timeout`, `connectionTimeout` and `resume.maxAge`); where mockd reads a
// field and does nothing with it, this does what mockd's documentation says it does
// (docs/config.md, "Server-sent events").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/mock_codec.h"

namespace mockd::protocols::sse {

using core::Json;

struct Event {
    std::string type;                // the `event:` line
    Json data;                       // a string goes out as it is; anything else as compact JSON
    std::string id;                  // the `id:` line; what Last-Event-ID resumes after
    int64_t retryMs = 0;             // the `retry:` line when > 0
    std::string comment;             // `:` lines before the fields
    std::optional<int64_t> delayMs;  // before this event; beats every timing rule
};

struct Timing {
    std::optional<int64_t> fixedDelayMs;
    std::optional<std::pair<int64_t, int64_t>> randomDelayMs;  // [min, max]
    std::vector<int64_t> perEventDelaysMs;
    struct Burst {
        int64_t count = 0, intervalMs = 0, pauseMs = 0;
    };
    std::optional<Burst> burst;
    int64_t initialDelayMs = 0;
};

struct Lifecycle {
    int64_t keepaliveSeconds = 0;               // 0: none; else 5 or more
    int64_t maxEvents = 0;                      // 0: no limit
    int64_t timeoutSeconds = 0;                 // the stream ends cleanly this long after it began
    int64_t connectionTimeoutSeconds = 0;       // the same, counted from after the initial delay
    std::optional<int64_t> simulateDisconnect;  // cut the connection after this many events
    // How the stream ends: "graceful" (the final event, then a clean end), "abrupt" (a cut,
    // nothing more) or "error" (the error event, then a cut).
    std::string terminationType;
    std::optional<Event> finalEvent, errorEvent;
    int64_t closeDelayMs = 0;
};

struct RateLimit {
    double eventsPerSecond = 0;
    int64_t burstSize = 0;          // 0: the rate
    std::string strategy = "wait";  // wait, drop, error
    bool headers = false;           // X-RateLimit-* on the response
};

struct Resume {
    bool enabled = false;
    int64_t bufferSize = 0;
    int64_t maxAgeSeconds = 0;
};

// The most events a generator makes for one stream (`count`, or a template's events × repeat).
inline constexpr int64_t kMaxGeneratedEvents = 100000;

struct Generator {
    std::string type;   // sequence, random, template
    int64_t count = 0;  // events in all (0: 100)
    int64_t start = 0, increment = 0;
    std::string format;  // sequence: every %d becomes the value
    Json randomSchema;   // random: $uuid, $timestamp, $random(a,b), $pick(a,b,...) leaves
    std::vector<Event> templateEvents;
    int64_t repeat = 0;  // template: times through templateEvents (0: once)
};

class SseConfig final : public core::StreamAnswer {
  public:
    std::vector<Event> events;
    std::optional<Generator> generator;
    std::string templateName;  // openai-chat, notification-stream
    Json templateParams = Json::object();
    Timing timing;
    Lifecycle lifecycle;
    std::optional<RateLimit> rateLimit;
    Resume resume;

    std::string_view key() const override { return "sse"; }
    Json encode() const override;
};

class ChunkedConfig final : public core::StreamAnswer {
  public:
    std::string data;
    std::string dataFile;
    std::string resolvedDataFile;     // dataFile, against the config's directory
    std::optional<Json> ndjsonItems;  // a list
    int64_t chunkSize = 0;            // bytes per chunk (0: 1024)
    int64_t chunkDelayMs = 0;         // between chunks
    std::string format;               // "ndjson" or empty

    std::string_view key() const override { return "chunked"; }
    Json encode() const override;
};

// The codecs of `http.sse` and `http.chunked`.
std::shared_ptr<const core::StreamAnswerCodec> sseCodec();
std::shared_ptr<const core::StreamAnswerCodec> chunkedCodec();

// The built-in templates by name.
bool knownTemplate(std::string_view name);

}  // namespace mockd::protocols::sse
