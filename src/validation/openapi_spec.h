// An OpenAPI document (3.0, 3.1 or Swagger 2.0) as a request checker for `--validate-spec`: its
// operations as a router over path templates, and for each operation the path, query, header and
// body rules it declares, checked the way an OpenAPI validator checks a request (values coerced
// to the parameter's type first, every violation listed). Responses can be checked too.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_schema.h"
#include "core/request.h"
#include "core/request_validation.h"

namespace mockd::validation {

using core::Json;
using core::ValidationProblem;

class OpenApiSpec {
  public:
    // Reads the document. Throws std::runtime_error naming what is wrong (not OpenAPI, no
    // paths). `warnings` gets one line per rule that cannot be checked. Response bodies are
    // checked only when `responseBodies` (their schemas are compiled apart: readOnly and
    // writeOnly mean the opposite there).
    static std::shared_ptr<const OpenApiSpec> load(Json document,
                                                   std::vector<std::string>& warnings,
                                                   bool responseBodies = false);
    ~OpenApiSpec();

    // Every violation of the request, or one `no_route` problem when no operation of the spec
    // takes its method and path.
    std::vector<ValidationProblem> checkRequest(const core::Request& req) const;
    // Whether the operation declares the response's status, and its body against that
    // response's schema. Nothing when the request has no operation.
    std::vector<ValidationProblem> checkResponse(const core::Request& req, int status,
                                                 std::string_view contentType,
                                                 std::string_view body) const;
    size_t operationCount() const { return operations_.size(); }

    struct Param;
    struct Media;
    struct Operation;
    struct Node;

  private:
    OpenApiSpec();
    std::unique_ptr<core::SchemaSet> requestSchemas_, responseSchemas_;
    std::vector<std::unique_ptr<Operation>> operations_;
    std::unique_ptr<Node> root_;
    std::vector<std::string> basePaths_;  // the servers' (or basePath's) path prefixes

    const Operation* route(const core::Request& req, std::vector<std::string>& values,
                           bool& pathKnown) const;
    Node* insert(const std::string& path);
    void checkBody(const Operation& op, const core::Request& req,
                   std::vector<ValidationProblem>& out) const;
    // Text values (a form's, a deepObject's) given the types the schema at `pointer` of the
    // document says.
    void coerceTexts(Json& value, const std::string& pointer) const;
};

}  // namespace mockd::validation
