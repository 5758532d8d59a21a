// mockd path patterns: exact paths, {param} segments (whole or mixed like {name}.json),
// a trailing /* prefix, and * wildcards anywhere, with mockd's scores and captures.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/encoding.h"
#include "core/request.h"

namespace mockd::match {

using core::Captures;

class PathPattern final {
  public:
    enum class Kind { Any, Exact, Params, Prefix, Wildcard };

    // `pattern` is the mock's path as written; it is URL-unescaped here, as mockd does.
    static PathPattern compile(std::string_view pattern);

    // `path` is the request's decoded path. Captures (when asked for) get {name} values, or
    // "0", "1", ... for wildcards.
    bool match(std::string_view path, Captures* captures = nullptr) const;

    Kind kind() const { return kind_; }
    // Points this pattern scores when it matches (0 for Any).
    int score() const;
    const std::string& text() const { return text_; }
    // For the index: number of segments (Params kind) and the first segment when literal.
    size_t segmentCount() const { return segments_.size(); }
    std::string_view firstLiteralSegment() const;

  private:
    struct Segment {
        enum class Type { Literal, Param, Mixed } type = Type::Literal;
        std::string text;                  // literal text or param name
        std::shared_ptr<const RE2> regex;  // Mixed: ^lit(.+)lit$
        std::vector<std::string> names;    // Mixed: the params in order
    };
    Kind kind_ = Kind::Any;
    std::string text_;                 // unescaped pattern
    std::vector<Segment> segments_;    // Params
    std::vector<std::string> pieces_;  // Wildcard: the text between stars
    bool endsWithStar_ = false;
};

// Splits "a/b/c" (after trimming slashes on both ends) into segments.
void splitSegments(std::string_view path, std::vector<std::string_view>& out);

using core::percentDecode;

}  // namespace mockd::match
