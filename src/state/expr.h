// A small, safe expression language for custom operations (a subset of expr-lang): literals,
// variables and member access, arithmetic, comparison, logic, the ternary operator and a few
// functions. No loops and no recursion in the language, and a size limit, so evaluation is
// bounded by the expression's own size.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/mock.h"

namespace mockd::state {

class ExprError final : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Expr final {
  public:
    Expr() = default;
    // Throws ExprError naming the position of the problem.
    static Expr compile(std::string_view source);
    // Evaluates with variables taken from `env` (an object). Throws ExprError (e.g. a division
    // by zero, or arithmetic on a string).
    core::Json eval(const core::Json& env) const;
    const std::string& source() const { return source_; }
    bool empty() const { return !root_; }

    struct Node;

  private:
    std::string source_;
    std::shared_ptr<const Node> root_;
};

// Truthiness as expr-lang sees it: false, null, 0, "" and empty containers are false.
bool truthy(const core::Json& v);

}  // namespace mockd::state
