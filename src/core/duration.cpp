#include "core/duration.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace mockd::core {

namespace {

// Nanoseconds per unit, longest names first where one is a prefix of another.
struct Unit {
    std::string_view name;
    double ns;
};
constexpr Unit kUnits[] = {{"ns", 1},   {"us", 1e3}, {"µs", 1e3}, {"μs", 1e3},
                           {"ms", 1e6}, {"s", 1e9},  {"m", 60e9}, {"h", 3600e9}};

bool fail(std::string* error, std::string message) {
    if (error) *error = std::move(message);
    return false;
}

}  // namespace

std::optional<double> parseGoDurationMs(std::string_view text, std::string* error) {
    const std::string quoted = "\"" + std::string(text) + "\"";
    std::string_view s = text;
    bool negative = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    if (s == "0") return 0.0;
    if (s.empty()) return fail(error, "invalid duration " + quoted), std::nullopt;
    double totalNs = 0;
    while (!s.empty()) {
        size_t i = 0;
        bool digits = false;
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
            digits = digits || s[i] != '.';
            ++i;
        }
        if (!digits) return fail(error, "invalid duration " + quoted), std::nullopt;
        const double value = std::strtod(std::string(s.substr(0, i)).c_str(), nullptr);
        s.remove_prefix(i);
        const Unit* unit = nullptr;
        for (const Unit& u : kUnits)
            if (s.starts_with(u.name) && (!unit || u.name.size() > unit->name.size())) unit = &u;
        if (!unit)
            return fail(error, s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))
                                   ? "missing unit in duration " + quoted
                                   : "unknown unit in duration " + quoted),
                   std::nullopt;
        s.remove_prefix(unit->name.size());
        totalNs += value * unit->ns;
        if (totalNs > 9.2e18) return fail(error, "invalid duration " + quoted), std::nullopt;
    }
    const double ms = totalNs / 1e6;
    return negative ? -ms : ms;
}

std::optional<int64_t> parseGoDuration(std::string_view text, std::string* error) {
    auto ms = parseGoDurationMs(text, error);
    if (!ms) return std::nullopt;
    return static_cast<int64_t>(std::floor(*ms));
}

std::string formatGoDuration(int64_t ms) {
    if (ms == 0) return "0s";
    std::string sign = ms < 0 ? "-" : "";
    uint64_t v = ms < 0 ? static_cast<uint64_t>(-ms) : static_cast<uint64_t>(ms);
    if (v < 1000) return sign + std::to_string(v) + "ms";
    std::string out = sign;
    const uint64_t hours = v / 3600000, minutes = v / 60000 % 60;
    if (hours) out += std::to_string(hours) + "h";
    if (hours || minutes) out += std::to_string(minutes) + "m";
    const uint64_t secMs = v % 60000;
    std::string secs = std::to_string(secMs / 1000);
    if (secMs % 1000) {
        std::string frac = std::to_string(1000 + secMs % 1000).substr(1);
        while (frac.back() == '0') frac.pop_back();
        secs += "." + frac;
    }
    return out + secs + "s";
}

}  // namespace mockd::core
