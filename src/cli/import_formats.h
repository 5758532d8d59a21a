// What `mockd import` reads: format names, detection of a document's format, and WireMock stub
// mappings turned into a mockd collection (the CLI posts collections to the admin API).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mockd::cli {

// Every format name `import --format` knows, and those this build can read.
extern const std::vector<std::string> kImportFormats;
extern const std::vector<std::string> kReadableImportFormats;

// The format of a document: mockd, wiremock, openapi, postman, har, mockoon, curl or wsdl.
// Anything that is not recognisably another format is "mockd".
std::string detectImportFormat(std::string_view text);

// WireMock mappings (one stub, {"mappings": [...]} or an array of stubs) as a mockd collection.
// Body files (bodyFileName) are looked up under `filesDir` and inlined. What cannot be carried
// over is left out with a note in `warnings`. Throws ClientError when there are no stubs.
nlohmann::json wireMockToCollection(const nlohmann::json& doc,
                                    const std::filesystem::path& filesDir,
                                    std::vector<std::string>& warnings);

}  // namespace mockd::cli
