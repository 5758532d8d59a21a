// Go's duration strings ("100ms", "1.5s", "2m30s", "1h"), as mockd's WebSocket and GraphQL
// mocks write their times. A bare number has no unit and is not a duration (mockd refuses it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mockd::core {

// The duration in milliseconds, fractions kept ("500us" is 0.5), or nullopt with `error`
// saying why.
std::optional<double> parseGoDurationMs(std::string_view text, std::string* error = nullptr);
// The same, rounded down to whole milliseconds.
std::optional<int64_t> parseGoDuration(std::string_view text, std::string* error = nullptr);

// A duration as Go prints it, for milliseconds ("1.5s", "100ms", "2m0s", "0s").
std::string formatGoDuration(int64_t ms);

}  // namespace mockd::core
