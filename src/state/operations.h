// Custom operations: named multi-step procedures over tables (read, create, update, delete, set,
// list, validate) with expression-valued fields and optional all-or-nothing consistency.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "state/expr.h"
#include "state/table.h"

namespace mockd::state {

struct OperationStep {
    std::string type;  // read, create, update, delete, set, list, validate
    std::string resource;
    Expr id;
    std::string as;                                    // variable that receives the result
    std::vector<std::pair<std::string, Expr>> set;     // create/update fields
    std::vector<std::pair<std::string, Expr>> filter;  // list
    std::string var;                                   // set
    Expr value;                                        // set
    Expr condition;                                    // validate
    std::string errorMessage;
    int errorStatus = 400;
};

struct Operation {
    std::string name;
    bool atomic = false;  // consistency: atomic rolls every table back when a step fails
    std::vector<OperationStep> steps;
    std::vector<std::pair<std::string, Expr>> response;
    Json raw;
};

// Throws core::FieldError naming the field ("customOperations[0].steps[2].condition").
Operation decodeOperation(const Json& j, const std::string& where);

struct OperationResult {
    int status = 200;
    Json body;
};

// Runs an operation with `input` (the request body). Never throws: failures become results.
OperationResult runOperation(const Operation& op, const Json& input, TableStore& tables);

}  // namespace mockd::state
