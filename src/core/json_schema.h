// JSON Schema checks for request validation, matchers and OpenAPI specs, on valijson (draft 7),
// with what valijson does not do as mockd needs: `pattern` runs on RE2 (linear time; valijson's
// std::regex backtracks without bound on some patterns), OpenAPI 3.0's dialect and JSON Schema
// 2020-12 (OpenAPI 3.1, mockd's `validation.schema`) are translated to draft 7 first, and every
// keyword no translation reaches is reported so that a loader names it in a warning.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/mock.h"

namespace mockd::core {

enum class SchemaDialect {
    Draft7,
    OpenApi30,  // OpenAPI 3.0 and Swagger 2.0: nullable (x-nullable), boolean exclusive bounds
    Draft2020,  // JSON Schema 2020-12 and OpenAPI 3.1: prefixItems, dependentRequired, ...
};

// Which way a schema's values travel, for OpenAPI's readOnly (server to client only) and
// writeOnly (client to server only): a property that may not travel this way is not required,
// and only null is accepted for it.
enum class OpenApiDirection { Either, Request, Response };

// Rewrites `document` in place as draft 7 (every schema in it, wherever it sits: a whole OpenAPI
// document translates as one). Returns one line per keyword that cannot be checked, as "at: what"
// with `at` a JSON pointer into the document; the keyword is then left out of the checks.
std::vector<std::string> translateToDraft7(Json& document, SchemaDialect dialect,
                                           OpenApiDirection direction = OpenApiDirection::Either);

// Whether a string meets a JSON Schema `format` as the checks here read it: RFC 3339 `date`,
// `time` and `date-time`, and `email`, `uuid`, `ipv4`, `ipv6`; any other format holds.
bool jsonSchemaFormatHolds(const std::string& format, const std::string& value);

struct SchemaViolation {
    std::string field;  // dotted path into the value ("items.0.sku"), empty for the value itself
    std::string message;
};

class JsonSchema {
  public:
    // Compiles the schema at `pointer` ("" for the root) of a document already translated with
    // translateToDraft7; $refs resolve inside the document, which is left as it was. Throws
    // std::runtime_error naming what valijson refused.
    // `draft4`: read as draft 4 (WireMock's V4), where draft 7 is the rule.
    static std::shared_ptr<const JsonSchema> compile(Json& translated,
                                                     const std::string& pointer = "",
                                                     bool draft4 = false);
    ~JsonSchema();

    // Whether `value` holds. When not and `out` is given, the violations are appended, leaves
    // only (a parent's "failed to validate" repeats its children).
    bool validate(const Json& value, std::vector<SchemaViolation>* out = nullptr) const;
    // How many constraints `value` breaks, parents included (0 when it holds): a distance.
    size_t countViolations(const Json& value) const;

  private:
    struct Compiled;
    std::unique_ptr<Compiled> compiled_;
};

// Many schemas of one large document (an OpenAPI spec), each compiled the first time it is
// asked for: a spec with hundreds of operations starts without compiling what no request uses.
// Safe to call from any thread.
class SchemaSet {
  public:
    explicit SchemaSet(Json translated) : document_(std::move(translated)) {}
    SchemaSet(const SchemaSet&) = delete;
    SchemaSet& operator=(const SchemaSet&) = delete;
    // The schema at `pointer`, or throws std::runtime_error (and again on every later call).
    std::shared_ptr<const JsonSchema> at(const std::string& pointer) const;
    const Json& document() const { return document_; }

  private:
    mutable Json document_;  // compile() borrows its root for a moment, under the mutex
    mutable std::mutex mutex_;
    mutable std::map<std::string, std::shared_ptr<const JsonSchema>> compiled_;
    mutable std::map<std::string, std::string> refused_;
};

}  // namespace mockd::core
