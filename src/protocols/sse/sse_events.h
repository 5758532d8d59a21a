// What an SSE stream sends, apart from when: the wire format of an event, the events of a
// config (its list, a generator's, a built-in template's), the delay before each, and the rate
// limit's token bucket. Pure functions and small state, so that each is unit-tested alone.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocols/sse/sse_config.h"
#include "template/rng.h"

namespace mockd::protocols::sse {

// The bytes of one event (mockd's, byte for byte): each comment line as ":<line>", then
// "event:", "id:", "retry:" when set, one "data:" line per line of `data`, a blank line.
std::string wireEvent(const Event& e, std::string_view data);
// An event's data as it goes out before templating: a string as it is, else compact JSON.
std::string dataText(const Json& data);

inline constexpr std::string_view kPreamble = "retry:3000\n\n";
inline constexpr std::string_view kKeepalive = ": keepalive\n\n";

// The events a stream sends, in order, with the ids that resume keys on. A generator's count
// bounds them (100 when not given); a template's come from its parameters.
std::vector<Event> streamEvents(const SseConfig& c, tmpl::Rng& rng);

// The delay before each event, by mockd's precedence: the event's own delay, the per-event
// list, a burst, a random range, the fixed delay, none.
class DelayPlan {
  public:
    explicit DelayPlan(const Timing& t) : timing_(t) {}
    int64_t next(const Event& e, size_t index, tmpl::Rng& rng);

  private:
    const Timing& timing_;
    int64_t burstCounter_ = 0;
};

// Tokens for events: `burst` of them at first, refilled at `rate` a second.
class TokenBucket {
  public:
    using Clock = std::chrono::steady_clock;
    TokenBucket(double rate, int64_t burst, Clock::time_point now);
    // Takes a token if one is there.
    bool take(Clock::time_point now);
    // How long until a token is there.
    Clock::duration wait(Clock::time_point now);

  private:
    void refill(Clock::time_point now);
    double rate_, capacity_, tokens_;
    Clock::time_point last_;
};

}  // namespace mockd::protocols::sse
