// Reads mocks in mockd's JSON shape (the same shape in YAML configs and the admin API) into the
// internal model, with one clear error per bad field and a warning per unknown one.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "core/mock.h"

namespace mockd::core {

struct DecodeContext {
    // Directory that relative `bodyFile` paths resolve against; a file outside it is refused.
    std::filesystem::path baseDir;
    // Called once per unknown field with its path (e.g. "mocks[2].http.matcher.pth").
    std::function<void(const std::string& field)> onUnknownField;
};

// Decodes one mock; `where` is the JSON path used in messages ("mocks[3]").
// Throws FieldError naming the field.
Mock decodeMock(const Json& j, const std::string& where, const DecodeContext& ctx);

// Decodes a binding ({table, action, operation?, response?}); `where` names it in errors.
StatefulBinding decodeBinding(const Json& j, const std::string& where);

// Encodes a mock back to mockd's JSON shape (for export and admin answers).
Json encodeMock(const Mock& m);

// A certificate fingerprint as matchers compare it: without a "sha256:"/"SHA256:" prefix and
// colons, lower case.
std::string normalizeFingerprint(std::string_view text);

// Generates a mockd-style id: "<type>_<16 hex>".
std::string generateMockId(const std::string& type);

}  // namespace mockd::core
