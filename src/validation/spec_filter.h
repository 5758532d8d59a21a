// `--validate-spec`: every request on the mock port checked against an OpenAPI spec before a mock
// answers it (and, with `validateResponse`, every answer against the operation's responses), as
// a filter on the port's chain.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/filter.h"
#include "validation/openapi_spec.h"

namespace mockd::validation {

struct SpecValidationOptions {
    // strict: any violation; permissive: only a missing required value; warn: never. A request
    // is refused only with failOnError; otherwise every violation is a warning.
    std::string mode = "strict";
    bool failOnError = false;  // --validate-fail
    bool validateRequest = true;
    bool validateResponse = false;
    bool logWarnings = true;
    int failStatus = 400;
    // Paths the check leaves alone besides mockd's built-ins (/__mockd/...): mounted handlers.
    std::vector<std::string> exempt;
    // Told of each refusal (with what was wrong), so that the port's request log records it.
    std::function<void(http::Response&, const std::string&)> onRefusal;
};

class SpecValidationFilter final : public http::Filter {
  public:
    SpecValidationFilter(std::shared_ptr<const OpenApiSpec> spec, SpecValidationOptions options);
    void apply(const core::Request& req, http::Response& res, const http::Next& next) override;

  private:
    std::shared_ptr<const OpenApiSpec> spec_;
    SpecValidationOptions options_;
    bool refuses(const std::vector<ValidationProblem>& problems) const;
    void checkAnswer(const core::Request& req, http::Response& res) const;
};

}  // namespace mockd::validation
