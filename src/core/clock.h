// Wall-clock helpers shared by logs, the request log, tables and health answers.
#pragma once

#include <cstdint>
#include <string>

namespace mockd::core {

// Microseconds since the epoch.
int64_t nowMicros();

// RFC 3339 UTC time with `digits` fractional digits (0, 3 or 6): "2026-11-22T10:00:00.123Z".
std::string isoUtc(int64_t micros, int digits);
inline std::string isoNow(int digits) { return isoUtc(nowMicros(), digits); }

}  // namespace mockd::core
