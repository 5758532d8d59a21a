// Imports of other tools' documents into mockd collections: which format a document is in, and
// the conversion of each format into a native collection (`{"version": "1.0", "mocks": [...]}`)
// that the config loader and the admin API then read like any mockd file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/mock.h"

namespace mockd::portability {

using core::Json;

// A document that cannot be imported, with the reason in one line.
class ImportError final : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The import formats, named as `mockd import --format` names them.
enum class Format { Unknown, Mockd, OpenApi, Postman, Har, WireMock, Curl, Wsdl, Mockoon };

std::string formatName(Format f);

// `--format` names, case-insensitive, with mockd's aliases (native, json, yaml, yml, swagger,
// oas). Unknown names give Format::Unknown.
Format parseFormat(std::string_view name);

// The names `--format` accepts, for messages.
const std::vector<std::string>& formatNames();

// Detects a document's format by mockd's rules: the text first (a curl command, WSDL), then the
// file's extension, then the keys of the parsed document. `filename` may be empty or "stdin".
Format detectFormat(std::string_view text, std::string_view filename);

struct ImportOptions {
    std::filesystem::path baseDir = ".";  // WireMock body files live under baseDir/__files
    bool includeStatic = false;           // HAR: keep scripts, styles, images and fonts
    uint64_t seed = 1;                    // generated example values depend only on this
};

struct ImportResult {
    Format format = Format::Unknown;
    Json collection;                    // a native collection
    std::vector<std::string> warnings;  // what could not be carried over, one line each
};

// Converts a document of a known format (never Unknown) into a native collection. A mockd
// document is returned as parsed. Throws ImportError.
ImportResult importDocument(std::string_view text, Format format, const ImportOptions& options);

// Parses JSON, or YAML when the text is not JSON. Throws ImportError naming `what`.
Json parseDocument(std::string_view text, const std::string& what);

}  // namespace mockd::portability
