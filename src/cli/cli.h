// Command-line entry point: parses the command and its flags and runs it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mockd::cli {

int run(int argc, char** argv);

// "10s", "500ms", "2m", "1h" or plain seconds. Returns false on bad input.
bool parseDuration(std::string_view text, std::chrono::milliseconds& out);
// "1048576", "64KiB", "64KB", "10MiB", "10MB", "1GiB". Returns false on bad input.
bool parseSize(std::string_view text, uint64_t& out);

}  // namespace mockd::cli
