// Wall-clock helpers.
#include "core/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace mockd::core {

int64_t nowMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string isoUtc(int64_t micros, int digits) {
    time_t secs = static_cast<time_t>(micros / 1'000'000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[48];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    auto frac = static_cast<int>(micros % 1'000'000);
    if (digits == 3)
        std::snprintf(buf + n, sizeof buf - n, ".%03dZ", frac / 1000);
    else if (digits == 6)
        std::snprintf(buf + n, sizeof buf - n, ".%06dZ", frac);
    else
        std::snprintf(buf + n, sizeof buf - n, "Z");
    return buf;
}

}  // namespace mockd::core
