// Loading mockd collections (YAML or JSON files) into mocks, with messages that name the file,
// the line and the field of every problem.
#pragma once

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/mock.h"
#include "match/compiled_mock.h"
#include "state/operations.h"
#include "state/table.h"

namespace mockd::config {

// A configuration problem, already formatted as one line: "file:line: field: message".
class ConfigError final : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct LoadedConfig {
    std::string file;
    std::vector<match::CompiledMockPtr> compiled;  // the mocks, compiled and validated
    std::vector<state::TableDef> tables;
    std::vector<state::Operation> operations;
    core::Json collection;              // the whole document (tables, extend, ... for later use)
    std::vector<std::string> warnings;  // formatted like errors
    // Copies of the mocks, for callers that change them before use.
    std::vector<core::Mock> mocks() const;
};

// Fetches an `imports[].url` document: its body, or a std::runtime_error saying why not. The
// command line installs one (HTTP and HTTPS, 30 s); without one, URL imports are refused.
using UrlFetcher = std::function<std::string(const std::string& url)>;
void setUrlFetcher(UrlFetcher fetcher);

// Reads and decodes a config file. Throws ConfigError.
LoadedConfig loadFile(const std::string& path);

// Decodes config text; `name` is used in messages, `yaml` picks the parser, relative
// bodyFile paths resolve against `baseDir`. `expandEnvironment` expands $NAME references as a
// config file's are; a document posted to the admin API or converted from another format is
// taken as written. Throws ConfigError.
LoadedConfig loadText(std::string_view text, const std::string& name, bool yaml,
                      const std::filesystem::path& baseDir, bool expandEnvironment = true);

// Expands $NAME, ${NAME} and ${NAME:-default} from the environment (unset: empty or the
// default). Anything else after '$' is left as written, so "$.a" and "$1.99" survive.
std::string expandEnv(std::string_view text);

// Rewrites unquoted path values containing {param} inside YAML flow mappings into quoted ones.
// Returns the 1-based lines it changed (empty when nothing needed it).
std::vector<int> quoteFlowMappingPaths(std::string& yaml);

}  // namespace mockd::config
