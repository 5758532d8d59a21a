// JSONPath (Goessner / ojg dialect) for mockd's bodyJsonPath matcher: compile once at config load,
// evaluate on every request body without throwing and with bounded stack use and work.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mockd::core {

namespace jsonpath_detail {
struct Program;
}  // namespace jsonpath_detail

// An immutable compiled path. Copies are cheap and share the compiled program, and one instance
// may be evaluated from many threads at once.
class JsonPath final {
  public:
    // Where the two libraries we follow differ: ojg (mockd's matcher) applies a filter to the
    // members of an object; Jayway (WireMock's matchers and helpers) to the object itself, so
    // "$[?(@.n == 2)]" selects the document {"n":2}.
    enum class Dialect { Ojg, Jayway };

    // Compiles an expression like "$.store.book[?(@.price < 10)].title". On failure returns
    // std::nullopt and sets *error (if non-null) to a short human message naming the position.
    // Positions are 0-based byte offsets into `expr`.
    [[nodiscard]] static std::optional<JsonPath> compile(std::string_view expr,
                                                         std::string* error = nullptr,
                                                         Dialect dialect = Dialect::Ojg);

    // Appends pointers to every node the path selects in `root` (document order), never throws.
    // Object members are visited in nlohmann::json's key order. An evaluation that would exceed
    // an internal work limit (millions of visited nodes, only reachable with paths such as
    // $..*..*..* on huge bodies) appends nothing rather than a partial, misleading result.
    void evaluate(const nlohmann::json& root, std::vector<const nlohmann::json*>& out) const;

    // The expression exactly as given to compile().
    [[nodiscard]] const std::string& text() const { return text_; }

  private:
    JsonPath(std::string text, std::shared_ptr<const jsonpath_detail::Program> program);

    std::string text_;
    std::shared_ptr<const jsonpath_detail::Program> program_;
};

}  // namespace mockd::core
