// mockd collections written in other tools' formats: OpenAPI 3.1, Postman v2.1, Insomnia v4 and
// WireMock mappings. Each takes the native collection (as GET /config gives it) and notes what
// its format cannot carry in `warnings`.
#pragma once

#include <string>
#include <vector>

#include "portability/formats.h"

namespace mockd::portability {

enum class ExportFormat { Unknown, Mockd, OpenApi, Postman, Insomnia, WireMock };

// `mockd export -f` names, case-insensitive: mockd (native, json, yaml, yml), openapi
// (swagger, oas), postman, insomnia, wiremock.
ExportFormat parseExportFormat(std::string_view name);

struct ExportOptions {
    std::string title = "mockd";                    // the API's or collection's name
    std::string baseUrl = "http://localhost:4280";  // where requests go (Postman, Insomnia)
};

Json exportCollection(const Json& collection, ExportFormat format, const ExportOptions& options,
                      std::vector<std::string>& warnings);

}  // namespace mockd::portability
