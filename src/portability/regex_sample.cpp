// A small recursive-descent walk over a regular expression that emits one matching string.
// Repetitions take their minimum (at least one for `+`), alternatives the first branch unless
// the random source picks another, classes their first member; RE2 then confirms the result.
#include "portability/regex_sample.h"

#include <re2/re2.h>

#include <optional>

namespace mockd::portability {

namespace {

class Sampler {
  public:
    Sampler(std::string_view p, std::mt19937_64& rng) : p_(p), rng_(rng) {}

    bool run(std::string& out) {
        if (!alternation(out)) return false;
        return i_ == p_.size();
    }

    // Where the sample can grow: after the last top-level atom of the chosen branch whose
    // quantifier has no upper bound (`+`, `*`, `{n,}`), more copies of it still match.
    struct Growable {
        size_t at = 0;
        std::string atom;
    };
    const std::optional<Growable>& growable() const { return growable_; }

  private:
    std::string_view p_;
    size_t i_ = 0;
    std::mt19937_64& rng_;
    int depth_ = 0;
    bool recording_ = false;  // in the chosen branch of the top level
    bool unbounded_ = false;  // the last quantifier read has no upper bound
    std::optional<Growable> growable_;

    bool more() const { return i_ < p_.size(); }
    char peek() const { return p_[i_]; }

    bool alternation(std::string& out) {
        if (++depth_ > 50) return false;
        std::string chosen;
        bool have = false;
        for (;;) {
            std::string branch;
            const bool top = depth_ == 1;  // a group's alternation leaves recording_ alone
            if (top) recording_ = !have;
            if (!sequence(branch)) return false;
            if (top) recording_ = false;
            if (!have) {
                chosen = std::move(branch);
                have = true;
            }
            if (more() && peek() == '|') {
                ++i_;
                continue;
            }
            break;
        }
        --depth_;
        out += chosen;
        return true;
    }

    bool sequence(std::string& out) {
        while (more() && peek() != '|' && peek() != ')') {
            std::string atom;
            if (!parseAtom(atom)) return false;
            auto [lo, ok] = quantifier();
            if (!ok) return false;
            for (int k = 0; k < lo; ++k) out += atom;
            if (recording_ && depth_ == 1 && unbounded_ && !atom.empty())
                growable_ = Growable{out.size(), atom};
        }
        return true;
    }

    // The minimum repeat count of the quantifier after an atom (1 when there is none).
    std::pair<int, bool> quantifier() {
        unbounded_ = false;
        if (!more()) return {1, true};
        int lo = 1;
        char c = peek();
        if (c == '*' || c == '?') {
            lo = 0;
            unbounded_ = c == '*';
            ++i_;
        } else if (c == '+') {
            unbounded_ = true;
            ++i_;
        } else if (c == '{') {
            size_t close = p_.find('}', i_);
            if (close == std::string_view::npos) return {1, true};  // a literal brace
            std::string_view body = p_.substr(i_ + 1, close - i_ - 1);
            size_t digits = 0;
            while (digits < body.size() && std::isdigit((unsigned char)body[digits])) ++digits;
            if (digits == 0 || digits > 4) return {1, true};
            lo = std::stoi(std::string(body.substr(0, digits)));
            unbounded_ = body.substr(digits) == ",";
            i_ = close + 1;
        } else {
            return {1, true};
        }
        if (more() && (peek() == '?' || peek() == '+')) ++i_;  // lazy or possessive
        return {lo, true};
    }

    bool parseAtom(std::string& out) {
        char c = p_[i_++];
        switch (c) {
            case '^':
            case '$':
                return true;
            case '.':
                out += 'a';
                return true;
            case '(':
                return group(out);
            case '[':
                return charClass(out);
            case '\\':
                return escape(out, false);
            default:
                out += c;
                return true;
        }
    }

    bool group(std::string& out) {
        if (more() && peek() == '?') {
            ++i_;
            if (!more()) return false;
            char kind = p_[i_++];
            if (kind == '<' && more() && (peek() == '=' || peek() == '!')) return false;
            if (kind == '=' || kind == '!') return false;  // look-ahead
            if (kind == '<' || kind == 'P') {              // named group
                if (kind == 'P' && more() && peek() == '<') ++i_;
                size_t close = p_.find('>', i_);
                if (close == std::string_view::npos) return false;
                i_ = close + 1;
            } else if (kind != ':') {
                return false;
            }
        }
        if (!alternation(out)) return false;
        if (!more() || peek() != ')') return false;
        ++i_;
        return true;
    }

    // One character of a class escape such as \d; `inClass` allows \b as backspace.
    bool escape(std::string& out, bool inClass) {
        if (!more()) return false;
        char e = p_[i_++];
        switch (e) {
            case 'd':
                out += '0' + static_cast<char>(rng_() % 10);
                return true;
            case 'w':
                out += 'a';
                return true;
            case 's':
                out += ' ';
                return true;
            case 'D':
            case 'W':
            case 'S':
                out += '-';
                return true;
            case 'n':
                out += '\n';
                return true;
            case 't':
                out += '\t';
                return true;
            case 'r':
                out += '\r';
                return true;
            case 'b':
                if (inClass) out += '\b';
                return true;
            case 'B':
                return inClass ? (out += 'B', true) : true;
            case 'x':
                return hexChar(out, 2);
            case 'u':
                return hexChar(out, 4);
            default:
                if (std::isdigit((unsigned char)e) && e != '0') return false;  // back-reference
                out += e;
                return true;
        }
    }

    bool hexChar(std::string& out, size_t n) {
        if (i_ + n > p_.size()) return false;
        unsigned long v = std::stoul(std::string(p_.substr(i_, n)), nullptr, 16);
        i_ += n;
        if (v >= 0x80) return false;
        out += static_cast<char>(v);
        return true;
    }

    // A class yields its first member; a negated one the first printable character outside it.
    bool charClass(std::string& out) {
        bool negated = more() && peek() == '^';
        if (negated) ++i_;
        std::string members;
        bool first = true;
        while (more() && (peek() != ']' || first)) {
            first = false;
            std::string one;
            if (peek() == '\\') {
                ++i_;
                if (!escape(one, true)) return false;
            } else {
                one += p_[i_++];
            }
            if (more() && peek() == '-' && i_ + 1 < p_.size() && p_[i_ + 1] != ']' &&
                one.size() == 1) {
                ++i_;
                char hi = p_[i_] == '\\' ? (i_ + 1 < p_.size() ? p_[i_ + 1] : '\0') : p_[i_];
                i_ += p_[i_] == '\\' ? 2 : 1;
                for (int ch = (unsigned char)one[0]; ch <= (unsigned char)hi && ch < 128; ++ch)
                    members += static_cast<char>(ch);
                continue;
            }
            members += one;
        }
        if (!more()) return false;
        ++i_;  // ]
        if (!negated) {
            if (members.empty()) return false;
            out += members[rng_() % members.size()];
            return true;
        }
        for (char ch : std::string_view("aZ0_-x .")) {
            if (members.find(ch) == std::string::npos) {
                out += ch;
                return true;
            }
        }
        return false;
    }
};

}  // namespace

std::optional<std::string> sampleForPattern(std::string_view pattern, std::mt19937_64& rng,
                                            size_t minLength) {
    if (pattern.size() > 2000) return std::nullopt;
    std::string out;
    Sampler s(pattern, rng);
    try {
        if (!s.run(out)) return std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (out.size() < minLength && s.growable() && minLength <= 4096) {
        const auto& g = *s.growable();
        std::string more;
        while (out.size() + more.size() < minLength) more += g.atom;
        out.insert(g.at, more);
    }
    RE2::Options opts;
    opts.set_log_errors(false);
    std::string re2Syntax(pattern);  // ECMA's (?<name>...) is (?P<name>...) in RE2
    for (size_t at = re2Syntax.find("(?<"); at != std::string::npos; at = re2Syntax.find("(?<", at))
        if (at + 3 < re2Syntax.size() && re2Syntax[at + 3] != '=' && re2Syntax[at + 3] != '!')
            re2Syntax.insert(at + 2, 1, 'P'), at += 4;
        else
            at += 3;
    RE2 re(re2Syntax, opts);
    if (!re.ok() || !RE2::PartialMatch(out, re)) return std::nullopt;
    return out;
}

}  // namespace mockd::portability
