// JSON text of a value that may hold request bytes: a string that is not UTF-8 is written with
// U+FFFD where the bad bytes were (as Go's encoder does) instead of throwing.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mockd::core {

template <class J>
std::string jsonText(const J& j, int indent = -1) {
    return j.dump(indent, ' ', false, J::error_handler_t::replace);
}

}  // namespace mockd::core
