// Response templates: "{{ ... }}" expressions compiled once (when a mock is added) into parts
// that render without re-parsing. Both call syntaxes (fn(a, b) and fn a b), case-insensitive
// names; an unknown expression renders empty and nothing here ever fails a request.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/match_input.h"
#include "core/request.h"
#include "template/rng.h"

namespace mockd::tmpl {

// What a template can read of the request being answered.
struct RequestData {
    const core::Request* req = nullptr;
    const core::MatchInput* in = nullptr;
    const core::Captures* captures = nullptr;  // {param}s, wildcards and regex groups
};

class Template final {
  public:
    static Template compile(std::string_view text);
    // False when the text has no expression (it can be served as it is).
    bool dynamic() const { return dynamic_; }
    void render(const RequestData& data, Rng& rng, std::string& out) const;

    struct Arg {
        enum class Kind { String, Number, Path } kind;
        std::string text;
        std::string key = {};  // a path's name as looked up (lower case but request.*'s keys)
    };
    struct Part {
        std::string literal;  // text before the expression (or all of it)
        bool hasExpr = false;
        std::string name;  // lower case (request.* keeps the case of its keys)
        std::string key;   // the name as looked up: all lower case, computed once
        std::vector<Arg> args;
    };

  private:
    std::vector<Part> parts_;
    bool dynamic_ = false;
};

// Parses a seed ("42", "-7"); false when it is not a whole number.
bool parseSeed(std::string_view text, int64_t& out);

}  // namespace mockd::tmpl
