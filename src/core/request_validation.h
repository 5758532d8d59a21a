// Per-mock request validation (`http.validation`, mockd's fields): rules for body fields, path,
// query and header values, or a JSON Schema for the body, checked after the mock matched and
// before it answers. Unlike mockd, an empty body still meets `required`, header names compare
// without case, and path, query and header values are coerced to the rule's type first.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/mock.h"
#include "core/request.h"

namespace mockd::core {

struct DecodeContext;

struct ValidationProblem {
    std::string field;     // "email", "items[2].sku", "X-Team"
    std::string location;  // body, path, query or header
    std::string code;      // required, type, min_length, ..., schema, invalid_json
    std::string message;
    Json received, expected;  // null when not known
};

// mockd's application/problem+json body for failed validation: the problems as `errors`, the
// only message (or "N validation errors") as `detail`.
std::string problemJson(int status, const std::vector<ValidationProblem>& problems);

// The problems on one line, for a log.
std::string problemSummary(const std::vector<ValidationProblem>& problems);

// One rule of mockd's field validators (type, required, nullable, lengths, pattern, format,
// bounds, item counts and rules, enum, nested properties, message); `name` is the field's
// display name. Appends what is wrong with `value`.
void checkFieldRule(const std::string& name, const Json& value, const Json& rule,
                    const std::string& location, std::vector<ValidationProblem>& out);

// Whether `value` is in `format`: email, uuid, date, date-time (or datetime), uri (url), ipv4,
// ipv6, ip or hostname (any other name: hostname).
bool formatHolds(const std::string& format, const std::string& value);

// Refuses a rule this build cannot check (an unknown type or format, a bad pattern).
void checkRuleShape(const Json& rule, const std::string& where);

class RequestValidation {
  public:
    // Throws FieldError naming the field; warns (ctx.onUnknownField) about schema keywords it
    // cannot check.
    static std::shared_ptr<const RequestValidation> decode(const Json& j, const std::string& where,
                                                           const DecodeContext& ctx);
    ~RequestValidation();

    std::vector<ValidationProblem> check(const Request& req, const Captures& pathParams) const;
    // strict: any problem; permissive: only a missing required value; warn: never.
    bool rejects(const std::vector<ValidationProblem>& problems) const;
    bool warns() const { return mode_ == "warn"; }
    int failStatus() const { return failStatus_; }
    // The application/problem+json body mockd answers with.
    std::string problemBody(const std::vector<ValidationProblem>& problems) const;
    const Json& raw() const { return raw_; }

  private:
    struct Schema;
    Json raw_;
    std::string mode_ = "strict";
    int failStatus_ = 400;
    std::vector<std::string> required_;
    std::vector<std::pair<std::string, Json>> fields_, pathParams_, queryParams_, headers_;
    std::unique_ptr<Schema> schema_;
    void checkBody(std::string_view body, std::vector<ValidationProblem>& out) const;
};

}  // namespace mockd::core
