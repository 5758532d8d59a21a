// Small encodings shared by every layer: base64, UUIDs, percent-decoding, header lines.
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

// %XX escapes decoded (a malformed one is kept as written); `plusAsSpace` for query strings and
// form bodies.
std::string percentDecode(std::string_view s, bool plusAsSpace = false);

// The content type a body looks like when its mock names none: JSON, XML or plain text.
std::string_view sniffContentType(std::string_view body);

// Appends "Name: value\r\n", dropping CR and LF (and ':' from the name) so that no value can
// start a header of its own.
void appendHeaderLine(std::string& out, std::string_view name, std::string_view value);

}  // namespace mockd::core
