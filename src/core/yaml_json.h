// YAML -> JSON conversion (YAML 1.2 core schema for plain scalars) that remembers the source
// line of every value, and the same line lookup for JSON text.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/mock.h"

namespace YAML {
class Node;
}

namespace mockd::core {

using LineMap = std::unordered_map<std::string, int>;  // "mocks[2].http.matcher" -> line

// A YAML text that cannot be read: the message and its line (1-based; 0 when unknown).
class YamlError : public std::runtime_error {
  public:
    YamlError(int line, const std::string& message) : std::runtime_error(message), line_(line) {}
    int line() const { return line_; }

  private:
    int line_;
};

// Reads the first document of a YAML text (plain scalars by the YAML 1.2 core schema, anchors
// and aliases, `<<` merge keys) straight into JSON, without a node tree; fills `lines`
// (1-based) for every value. Throws YamlError.
core::Json parseYaml(std::string_view text, LineMap& lines);
// The same without the lines (for a document read again for them only when a message needs one).
core::Json parseYaml(std::string_view text);

// Converts a document yaml-cpp parsed; fills `lines` (1-based) for every value. Config reading
// uses parseYaml; this stays as the reference the reader is tested against.
core::Json yamlToJson(const YAML::Node& node, LineMap& lines);

// Records the line of every value in JSON text (used only when reporting an error).
void jsonLines(std::string_view text, LineMap& lines);

// Serialises JSON as block-style YAML (for exports).
std::string jsonToYaml(const core::Json& doc);

// The line of `field`, or of its nearest ancestor that exists; 0 when unknown.
int lineOf(const LineMap& lines, const std::string& field);

}  // namespace mockd::core
