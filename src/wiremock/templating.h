// WireMock's response templating: Handlebars templates (blocks, subexpressions, hash arguments,
// else-if chains, whitespace control) compiled once per stub, rendered against WireMock's request
// model with WireMock's helpers (conditionals, strings, JSON, dates, random values, math, ...).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mockd::wiremock {

class WmRequest;

// A syntax error, with the line and column (1-based) where it was found.
class TemplateError final : public std::runtime_error {
  public:
    TemplateError(const std::string& message, int line, int column)
        : std::runtime_error(message), line_(line), column_(column) {}
    int line() const { return line_; }
    int column() const { return column_; }

  private:
    int line_, column_;
};

// A helper that failed while rendering (WireMock: the Java exception of a helper, a 500 that
// still names the stub that matched).
class TemplateRuntimeError final : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// What a template sees besides the helpers: the request and the stub's transformerParameters.
struct TemplateInput {
    const WmRequest* request = nullptr;
    std::string requestId;                                        // the serve event id
    std::vector<std::pair<std::string, std::string>> pathParams;  // urlPathTemplate variables
    const nlohmann::ordered_json* parameters = nullptr;           // transformerParameters
    // The name the request model goes by: webhooks see it as "originalRequest".
    std::string_view requestKey = "request";
};

// Process-wide templating settings (`mockd wiremock` flags).
struct TemplateSettings {
    // --permitted-system-keys: regexes (full match) of the keys systemValue may read.
    std::vector<std::string> permittedSystemKeys = {"wiremock.*"};
};
void setTemplateSettings(TemplateSettings settings);

class HandlebarsTemplate final {
  public:
    // Compiles `text`; throws TemplateError on a syntax error.
    static std::shared_ptr<const HandlebarsTemplate> compile(std::string_view text);
    // Renders; helper errors print "[ERROR: ...]" in place, as WireMock's helpers do. A call
    // of a helper that does not exist throws TemplateError (WireMock answers 500).
    std::string render(const TemplateInput& input) const;

    struct Node;
    explicit HandlebarsTemplate(std::vector<Node> nodes);
    ~HandlebarsTemplate();

  private:
    std::vector<Node> nodes_;
};

using HandlebarsPtr = std::shared_ptr<const HandlebarsTemplate>;

// True when `text` holds a Handlebars tag (and so needs compiling).
bool hasTemplate(std::string_view text);

}  // namespace mockd::wiremock
