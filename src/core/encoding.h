// Small encodings shared by the admin APIs: base64 and random (version 4) UUIDs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mockd::core {

std::string base64Encode(std::string_view bytes);
// Standard alphabet, padding optional, whitespace ignored; std::nullopt when malformed.
std::optional<std::string> base64Decode(std::string_view text);

// A random RFC 4122 version 4 UUID in lower case.
std::string newUuid();
// True for the 8-4-4-4-12 hex form (any version, either case).
bool isUuid(std::string_view s);

}  // namespace mockd::core
