// User regular expressions: RE2 (linear time) for everything it accepts; a pattern RE2 refuses
// (lookaround, backreferences, possessive quantifiers: Java regexes WireMock users write) runs on
// PCRE2 under a match limit, so it still works and still cannot hang the server.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace mockd::match {

class Regex final {
  public:
    // Compiles `pattern`; on a syntax error that neither engine accepts returns nullptr and sets
    // *error to a one-line message naming the problem.
    static std::shared_ptr<const Regex> compile(std::string_view pattern, std::string* error);

    // True when the whole of `text` matches (Java's Pattern.matches; WireMock's `matches`).
    bool fullMatch(std::string_view text) const;
    // True when some part of `text` matches (Java's Matcher.find).
    bool partialMatch(std::string_view text) const;
    // The first match of capture group `group` (0 = whole match), or false when nothing matches.
    bool extract(std::string_view text, int group, std::string* out) const;

    const std::string& pattern() const { return pattern_; }
    bool usesPcre2() const { return pcre_ != nullptr; }

    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

  private:
    Regex() = default;
    struct Re2Impl;
    struct PcreImpl;
    std::string pattern_;
    std::unique_ptr<Re2Impl> re2_;
    std::unique_ptr<PcreImpl> pcre_;
};

}  // namespace mockd::match
