// Structured logging for the server: text or JSON lines on stderr, written by a background
// thread so that a slow or full pipe drops lines (and counts them) instead of stalling a worker.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace mockd::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3, Off = 4 };
enum class Format { Text, Json };

struct Field {
    std::string_view key;
    std::string value;
    bool quoted = true;  // false for numbers and booleans in JSON output

    Field(std::string_view k, std::string_view v) : key(k), value(v) {}
    Field(std::string_view k, const char* v) : key(k), value(v) {}
    Field(std::string_view k, const std::string& v) : key(k), value(v) {}
    template <typename N>
    requires std::is_arithmetic_v<N> Field(std::string_view k, N v)
        : key(k), value(std::to_string(v)), quoted(false) {}
};

// Parses "debug|info|warn|warning|error|off"; returns false on an unknown name.
bool parseLevel(std::string_view name, Level& out);

void init(Level level, Format format);
bool enabled(Level level);
void write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
// Lines dropped because the output could not keep up.
uint64_t dropped();
// Waits (bounded) until queued lines are written; call before exiting.
void flush();

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
    write(Level::Debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) {
    write(Level::Info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) {
    write(Level::Warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<Field> f = {}) {
    write(Level::Error, m, f);
}

// Appends `s` to `out` as the body of a JSON string (without the quotes).
void appendJsonEscaped(std::string& out, std::string_view s);

}  // namespace mockd::log
