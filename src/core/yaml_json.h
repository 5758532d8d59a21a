// YAML -> JSON conversion (YAML 1.2 core schema for plain scalars) that remembers the source
// line of every value, and the same line lookup for JSON text.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "core/mock.h"

namespace YAML {
class Node;
}

namespace mockd::core {

using LineMap = std::unordered_map<std::string, int>;  // "mocks[2].http.matcher" -> line

// Converts a parsed YAML document; fills `lines` (1-based) for every value.
core::Json yamlToJson(const YAML::Node& node, LineMap& lines);

// Records the line of every value in JSON text (used only when reporting an error).
void jsonLines(std::string_view text, LineMap& lines);

// Serialises JSON as block-style YAML (for exports).
std::string jsonToYaml(const core::Json& doc);

// The line of `field`, or of its nearest ancestor that exists; 0 when unknown.
int lineOf(const LineMap& lines, const std::string& field);

}  // namespace mockd::core
