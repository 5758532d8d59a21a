// OpenAPI request validation on the mock port: --validate-spec, --validate-fail,
// --validate-response, and the config file's serverConfig.validation under them.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/mock.h"
#include "http/filter.h"

namespace mockd::cli {

struct SpecValidationFlags {
    std::string specFile;   // --validate-spec
    bool fail = false;      // --validate-fail
    bool response = false;  // --validate-response
};

// The filter that checks requests against the spec, or null when validation is off. The spec is
// read and compiled here, so a broken one stops start-up. `serverConfig` may be null;
// `configDir` is where its relative specFile resolves; `fetchUrl` reads a specUrl. Warnings (a
// rule the spec states that cannot be checked) go to the log. Throws std::runtime_error naming
// the flag or field.
std::unique_ptr<http::Filter> specValidationFilter(
    const SpecValidationFlags& flags, const core::Json* serverConfig,
    const std::filesystem::path& configDir,
    const std::function<std::string(const std::string&)>& fetchUrl,
    std::vector<std::string> exemptPrefixes = {});

}  // namespace mockd::cli
