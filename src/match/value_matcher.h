// The one value-matcher engine, for every mock format: equalTo, contains, matches, absent,
// and/or/not, equalToJson, matchesJsonPath, matchesJsonSchema, equalToXml, matchesXPath, the
// date matchers, binaryEqualTo, matchesPathTemplate, and the multi-value forms (hasExactly /
// includes), with the operator objects spelled as WireMock spells them in JSON (the richest
// format; mockd's conditions compile onto the same objects: match/compiled_mock.cpp). Compiled
// once when a mock is added; evaluated without throwing.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mockd::match {

using Json = nlohmann::json;

// A stub or pattern WireMock would refuse: HTTP 422, code 10, "Error parsing JSON".
// `pointer` is a JSON pointer into the submitted document ("/request/headers/X-A"), `detail`
// reads like WireMock's (e.g. `{"bogus":"1"} is not a valid match operation`).
class PatternError final : public std::runtime_error {
  public:
    PatternError(std::string pointer, const std::string& detail)
        : std::runtime_error(detail), pointer_(std::move(pointer)) {}
    const std::string& pointer() const { return pointer_; }

  private:
    std::string pointer_;
};

// The outcome of one comparison. `distance` is 0 for an exact match and 1 for a total miss, as
// WireMock scores near misses (a match always has distance 0).
struct MatchResult {
    bool matched = false;
    double distance = 1.0;
    static MatchResult exact() { return {true, 0.0}; }
    static MatchResult miss(double d = 1.0) { return {false, d}; }
};

class ValueMatcher {
  public:
    virtual ~ValueMatcher() = default;
    // `actual` is std::nullopt when the value is absent (header/query/cookie not sent, no body).
    virtual MatchResult match(std::optional<std::string_view> actual) const = 0;
    // Whether it matches, without the distance of a miss (which near-miss reports need and
    // matching does not).
    virtual bool test(std::optional<std::string_view> actual) const {
        return match(actual).matched;
    }
    // The operator key ("equalTo", "matchesJsonPath", …), for reports.
    virtual std::string_view name() const = 0;
    // The expected value as WireMock prints it in the near-miss diff's left column.
    virtual std::string expected() const = 0;
    // True for `absent: true` (and patterns that accept absence, such as not/or over absent).
    virtual bool acceptsAbsent() const { return false; }
};

using ValueMatcherPtr = std::shared_ptr<const ValueMatcher>;

// Compiles one matcher object such as {"equalTo": "x", "caseInsensitive": true}. `pointer` is
// where the object sits in the submitted document (for PatternError). `binaryAllowed` is true
// only inside bodyPatterns (binaryEqualTo). Throws PatternError.
ValueMatcherPtr compileValueMatcher(const Json& spec, const std::string& pointer,
                                    bool binaryAllowed = false);

// The operators as objects, for formats that do not spell them in JSON (mockd's conditions).
ValueMatcherPtr equalTo(std::string expected, bool caseInsensitive = false);
ValueMatcherPtr containing(std::string needle);
// Operators no JSON spelling has: the value starts or ends with a text (mockd's "prefix*" and
// "*suffix" header values).
ValueMatcherPtr startingWith(std::string prefix);
ValueMatcherPtr endingWith(std::string suffix);

// A matcher over every value of a multi-valued field (headers, query and form parameters):
// a plain matcher passes when any value matches; {"hasExactly": [...]} and {"includes": [...]}
// as WireMock defines them.
class MultiValueMatcher {
  public:
    virtual ~MultiValueMatcher() = default;
    // `values` is empty when the field is absent.
    virtual MatchResult match(const std::vector<std::string_view>& values) const = 0;
    virtual std::string expected() const = 0;
    virtual std::string_view name() const = 0;
};

using MultiValueMatcherPtr = std::shared_ptr<const MultiValueMatcher>;

MultiValueMatcherPtr compileMultiValueMatcher(const Json& spec, const std::string& pointer);

// The left column of WireMock's diff for a body pattern: "[equalTo]\n<expected>" for string
// patterns, the expression for a plain matchesJsonPath / matchesXPath, "<expression>
// [<sub-operator>] <sub-expected>" for their advanced form, and the base64 operand for
// binaryEqualTo.
std::string bodyDiffExpected(const ValueMatcher& matcher);

// A JSON string literal as Jackson writes it (WireMock's JSON output).
void appendJacksonString(std::string& out, std::string_view s);

// Jackson's default pretty printer, as WireMock prints JSON: one object member per line
// ("key" : value), arrays inline, "{ }" and "[ ]" when empty; compact past a nesting limit.
std::string jacksonPrettyJson(const nlohmann::ordered_json& j);

// Response templating's XML helpers. Names match by local name (WireMock's templating parses
// namespace-unaware): `/Envelope/Body` selects `soap:Envelope/soap:Body`.
struct XPathResult {
    enum class Status { Ok, BadXml, BadXPath } status = Status::Ok;
    std::vector<std::string> values;  // elements as indented XML, text and attributes as text
};
XPathResult xpathValues(std::string_view xml, const std::string& expression);
// The document re-serialised like the JDK's transformer (indented, or compact); nullopt when the
// text is not XML.
std::optional<std::string> formatXmlText(std::string_view xml, bool pretty);

}  // namespace mockd::match
