// JSONPath compiler and evaluator. The document is walked with explicit stacks, never by recursion,
// because request bodies are untrusted and may be nested arbitrarily deep.
#include "core/jsonpath.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>

namespace mockd::core {
namespace jsonpath_detail {

using Json = nlohmann::json;

// Only the path grammar recurses (parentheses, '!', filters inside filters), and evaluation follows
// the same tree, so capping it keeps both the parser and the evaluator within a small stack.
constexpr int kMaxNesting = 64;

// Paths like $..a..b are quadratic in the body's depth; a cap keeps one hostile body from stalling
// a server thread. Generous enough that real bodies (a few MB) never reach it.
constexpr std::size_t kMaxWork = std::size_t{1} << 23;

enum class SelectorKind { kName, kWildcard, kIndex, kSlice, kFilter };

struct Selector {
    SelectorKind kind = SelectorKind::kName;
    std::string name;
    std::int64_t index = 0;
    std::optional<std::int64_t> start;
    std::optional<std::int64_t> end;
    std::int64_t step = 1;
    int filter = -1;  // Index into Program::exprs.
};

struct Step {
    bool descendant = false;  // '..': apply the selectors to the node and all its descendants.
    std::vector<Selector> selectors;
};

struct Path {
    bool absolute = true;  // '$' starts at the document root, '@' at the filter's current node.
    std::vector<Step> steps;
};

enum class OperandKind { kPath, kLiteral, kRegex };

struct Operand {
    OperandKind kind = OperandKind::kLiteral;
    int index = -1;  // Into Program::paths, literals or regexes, by kind.
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe, kMatch };

enum class ExprKind { kOr, kAnd, kNot, kExists, kTruthy, kCompare };

struct Expr {
    ExprKind kind = ExprKind::kExists;
    // n-ary rather than binary so that long "a || b || c ..." chains do not build a deep tree.
    std::vector<int> children;
    CompareOp op = CompareOp::kEq;
    Operand lhs;
    Operand rhs;
};

struct Program {
    Path main;
    std::vector<Path> paths;  // Paths used as filter operands.
    std::vector<Expr> exprs;
    std::vector<Json> literals;
    std::vector<std::unique_ptr<RE2>> regexes;
    bool filterObjectItself = false;  // Jayway: a filter on an object tests the object
};

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Dot-notation names stop at anything the grammar gives a meaning to, so "@.price<10" works
// without spaces; other bytes (including UTF-8 and '$', '@', '-') are part of the name.
bool isNameChar(char ch) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) return true;
    if (c <= 0x20 || c == 0x7f) return false;
    constexpr std::string_view kReserved = ".[]()'\",=!<>&|~*?\\";
    return kReserved.find(ch) == std::string_view::npos;
}

bool isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_';
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void appendUtf8(std::uint32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Parser final {
  public:
    Parser(std::string_view text, Program& program) : text_(text), program_(program) {}

    bool parse() {
        while (isSpace(peek())) ++pos_;
        if (atEnd()) return fail("empty expression");
        const char first = peek();
        if (first == '$' || first == '@') {
            ++pos_;
        } else if (isNameChar(first) || first == '*') {
            // "a.b" is shorthand for "$.a.b".
            Step step;
            if (!parseMember(step, "'$'")) return false;
            program_.main.steps.push_back(std::move(step));
        } else if (first != '.' && first != '[') {
            return expected("'$' or a member name");
        }
        if (!parseSegments(program_.main)) return false;
        skipSpace();
        if (!atEnd()) return expected("'.', '[' or the end of the expression");
        return true;
    }

    [[nodiscard]] const std::string& error() const { return error_; }

  private:
    [[nodiscard]] bool atEnd() const { return pos_ >= text_.size(); }

    // '\0' past the end: never a character the grammar looks for, so callers need no bounds check.
    [[nodiscard]] char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }

    [[nodiscard]] bool startsWith(std::string_view token) const {
        return text_.substr(std::min(pos_, text_.size())).starts_with(token);
    }

    void skipSpace() {
        while (isSpace(peek())) ++pos_;
    }

    bool failAt(std::string message, std::size_t at) {
        if (error_.empty()) error_ = std::move(message) + " at position " + std::to_string(at);
        return false;
    }

    bool fail(std::string message) { return failAt(std::move(message), pos_); }

    [[nodiscard]] std::string describeCurrent() const {
        if (atEnd()) return "end of expression";
        const auto c = static_cast<unsigned char>(peek());
        if (c < 0x20 || c >= 0x7f) {
            constexpr char kHex[] = "0123456789abcdef";
            return std::string("byte 0x") + kHex[c >> 4] + kHex[c & 0xF];
        }
        return std::string("'") + static_cast<char>(c) + "'";
    }

    bool expected(std::string_view what) {
        return fail("expected " + std::string(what) + " but found " + describeCurrent());
    }

    bool enter() {
        if (++depth_ > kMaxNesting) return fail("expression nested too deeply");
        return true;
    }

    void leave() { --depth_; }

    int addExpr(Expr expr) {
        program_.exprs.push_back(std::move(expr));
        return static_cast<int>(program_.exprs.size() - 1);
    }

    bool parseSegments(Path& path) {
        while (!atEnd()) {
            Step step;
            if (peek() == '.' && peek(1) == '.') {
                pos_ += 2;
                step.descendant = true;
                if (peek() == '[') {
                    if (!parseBracket(step)) return false;
                } else if (!parseMember(step, "'..'")) {
                    return false;
                }
            } else if (peek() == '.') {
                ++pos_;
                if (!parseMember(step, "'.'")) return false;
            } else if (peek() == '[') {
                if (!parseBracket(step)) return false;
            } else {
                break;
            }
            path.steps.push_back(std::move(step));
        }
        return true;
    }

    // A dot-notation member: a name or '*'.
    bool parseMember(Step& step, std::string_view after) {
        Selector selector;
        if (peek() == '*') {
            ++pos_;
            selector.kind = SelectorKind::kWildcard;
        } else if (isNameChar(peek())) {
            const std::size_t start = pos_;
            while (isNameChar(peek())) ++pos_;
            selector.name = std::string(text_.substr(start, pos_ - start));
        } else {
            return expected("a member name or '*' after " + std::string(after));
        }
        step.selectors.push_back(std::move(selector));
        return true;
    }

    bool parseBracket(Step& step) {
        const std::size_t open = pos_;
        ++pos_;
        for (;;) {
            Selector selector;
            if (!parseSelector(selector)) return false;
            step.selectors.push_back(std::move(selector));
            skipSpace();
            if (peek() == ',') {
                ++pos_;
            } else if (peek() == ']') {
                ++pos_;
                return true;
            } else if (atEnd()) {
                return failAt("unclosed '['", open);
            } else {
                return expected("',' or ']'");
            }
        }
    }

    bool parseSelector(Selector& selector) {
        skipSpace();
        if (atEnd()) return expected("a selector");
        const char c = peek();
        if (c == '*') {
            ++pos_;
            selector.kind = SelectorKind::kWildcard;
            return true;
        }
        if (c == '\'' || c == '"') {
            selector.kind = SelectorKind::kName;
            return parseQuoted(selector.name);
        }
        if (c == '?') {
            ++pos_;
            selector.kind = SelectorKind::kFilter;
            if (!enter()) return false;
            if (!parseOr(selector.filter)) return false;
            leave();
            return true;
        }
        if (c == '-' || c == ':' || isDigit(c)) return parseIndexOrSlice(selector);
        return expected("a selector");
    }

    bool parseIndexOrSlice(Selector& selector) {
        std::optional<std::int64_t> first;
        if (!parseOptionalInt(first)) return false;
        skipSpace();
        if (peek() != ':') {
            selector.kind = SelectorKind::kIndex;
            selector.index = first.value_or(0);  // Always set: the caller saw '-' or a digit.
            return true;
        }
        ++pos_;
        selector.kind = SelectorKind::kSlice;
        selector.start = first;
        skipSpace();
        if (!parseOptionalInt(selector.end)) return false;
        skipSpace();
        if (peek() == ':') {
            ++pos_;
            skipSpace();
            std::optional<std::int64_t> step;
            if (!parseOptionalInt(step)) return false;
            selector.step = step.value_or(1);
        }
        return true;
    }

    bool parseOptionalInt(std::optional<std::int64_t>& value) {
        if (peek() != '-' && !isDigit(peek())) return true;
        const std::size_t start = pos_;
        if (peek() == '-') ++pos_;
        if (!isDigit(peek())) return expected("a digit");
        while (isDigit(peek())) ++pos_;
        std::int64_t parsed = 0;
        const char* begin = text_.data() + start;
        const char* end = text_.data() + pos_;
        const auto [ptr, ec] = std::from_chars(begin, end, parsed);
        if (ec != std::errc() || ptr != end) return failAt("integer out of range", start);
        value = parsed;
        return true;
    }

    bool parseHex4(std::uint32_t& value) {
        value = 0;
        for (int i = 0; i < 4; ++i) {
            const int digit = hexValue(peek());
            if (digit < 0) return expected("a hex digit in \\u escape");
            value = value * 16 + static_cast<std::uint32_t>(digit);
            ++pos_;
        }
        return true;
    }

    // Single- or double-quoted string with JSON escapes. Unknown escapes are kept verbatim so that
    // a quoted regex like '\d+' still reaches RE2 intact.
    bool parseQuoted(std::string& out) {
        const std::size_t start = pos_;
        const char quote = peek();
        ++pos_;
        for (;;) {
            if (atEnd()) return failAt("unterminated string", start);
            const char c = text_[pos_++];
            if (c == quote) return true;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (atEnd()) return failAt("unterminated string", start);
            const char e = text_[pos_++];
            switch (e) {
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case '\'':
                case '"':
                case '\\':
                case '/':
                    out += e;
                    break;
                case 'u': {
                    const std::size_t escape = pos_ - 2;
                    std::uint32_t cp = 0;
                    if (!parseHex4(cp)) return false;
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        std::uint32_t low = 0;
                        if (!startsWith("\\u")) return failAt("unpaired surrogate", escape);
                        pos_ += 2;
                        if (!parseHex4(low)) return false;
                        if (low < 0xDC00 || low > 0xDFFF) {
                            return failAt("unpaired surrogate", escape);
                        }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        return failAt("unpaired surrogate", escape);
                    }
                    appendUtf8(cp, out);
                    break;
                }
                default:
                    out += '\\';
                    out += e;
                    break;
            }
        }
    }

    bool parseOr(int& out) {
        int first = -1;
        if (!parseAnd(first)) return false;
        skipSpace();
        if (!startsWith("||")) {
            out = first;
            return true;
        }
        Expr expr;
        expr.kind = ExprKind::kOr;
        expr.children.push_back(first);
        while (startsWith("||")) {
            pos_ += 2;
            int next = -1;
            if (!parseAnd(next)) return false;
            expr.children.push_back(next);
            skipSpace();
        }
        out = addExpr(std::move(expr));
        return true;
    }

    bool parseAnd(int& out) {
        int first = -1;
        if (!parseUnary(first)) return false;
        skipSpace();
        if (!startsWith("&&")) {
            out = first;
            return true;
        }
        Expr expr;
        expr.kind = ExprKind::kAnd;
        expr.children.push_back(first);
        while (startsWith("&&")) {
            pos_ += 2;
            int next = -1;
            if (!parseUnary(next)) return false;
            expr.children.push_back(next);
            skipSpace();
        }
        out = addExpr(std::move(expr));
        return true;
    }

    bool parseUnary(int& out) {
        skipSpace();
        if (peek() != '!' || peek(1) == '=') return parsePrimary(out);
        if (!enter()) return false;
        ++pos_;
        Expr expr;
        expr.kind = ExprKind::kNot;
        int inner = -1;
        if (!parseUnary(inner)) return false;
        leave();
        expr.children.push_back(inner);
        out = addExpr(std::move(expr));
        return true;
    }

    bool parsePrimary(int& out) {
        skipSpace();
        if (peek() == '(') {
            if (!enter()) return false;
            ++pos_;
            if (!parseOr(out)) return false;
            skipSpace();
            if (peek() != ')') return expected("')'");
            ++pos_;
            leave();
            return true;
        }
        Expr expr;
        if (!parseOperand(expr.lhs, false)) return false;
        skipSpace();
        const std::optional<CompareOp> op = parseCompareOp();
        if (!op) {
            if (peek() == '=') return fail("use '==' to compare");
            expr.kind = expr.lhs.kind == OperandKind::kPath ? ExprKind::kExists : ExprKind::kTruthy;
            out = addExpr(std::move(expr));
            return true;
        }
        expr.kind = ExprKind::kCompare;
        expr.op = *op;
        if (!parseOperand(expr.rhs, *op == CompareOp::kMatch)) return false;
        out = addExpr(std::move(expr));
        return true;
    }

    std::optional<CompareOp> parseCompareOp() {
        struct Token {
            std::string_view text;
            CompareOp op;
        };
        // Two-character operators first so that "<=" is not read as "<".
        static constexpr Token kTokens[] = {
            {"==", CompareOp::kEq}, {"!=", CompareOp::kNe},    {"<=", CompareOp::kLe},
            {">=", CompareOp::kGe}, {"=~", CompareOp::kMatch}, {"<", CompareOp::kLt},
            {">", CompareOp::kGt},
        };
        for (const Token& token : kTokens) {
            if (startsWith(token.text)) {
                pos_ += token.text.size();
                return token.op;
            }
        }
        return std::nullopt;
    }

    bool parseOperand(Operand& operand, bool regex) {
        skipSpace();
        if (atEnd()) return expected(regex ? "a regular expression" : "a value");
        const std::size_t start = pos_;
        const char c = peek();
        if (regex) {
            if (c == '/') return parseRegexLiteral(operand);
            if (c == '\'' || c == '"') {
                std::string pattern;
                if (!parseQuoted(pattern)) return false;
                return addRegex(pattern, "", start, operand);
            }
            return expected("a regular expression like /pattern/");
        }
        if (c == '@' || c == '$') {
            ++pos_;
            Path path;
            path.absolute = c == '$';
            if (!parseSegments(path)) return false;
            program_.paths.push_back(std::move(path));
            operand.kind = OperandKind::kPath;
            operand.index = static_cast<int>(program_.paths.size() - 1);
            return true;
        }
        Json literal;
        if (c == '\'' || c == '"') {
            std::string value;
            if (!parseQuoted(value)) return false;
            literal = std::move(value);
        } else if (c == '-' || isDigit(c)) {
            if (!parseNumber(literal)) return false;
        } else if (isWordChar(c)) {
            while (isWordChar(peek())) ++pos_;
            const std::string_view word = text_.substr(start, pos_ - start);
            if (word == "true") {
                literal = true;
            } else if (word == "false") {
                literal = false;
            } else if (word == "null") {
                literal = nullptr;
            } else {
                return failAt("unknown literal '" + std::string(word) + "'", start);
            }
        } else {
            return expected("a value");
        }
        program_.literals.push_back(std::move(literal));
        operand.kind = OperandKind::kLiteral;
        operand.index = static_cast<int>(program_.literals.size() - 1);
        return true;
    }

    bool parseNumber(Json& out) {
        const std::size_t start = pos_;
        if (peek() == '-') ++pos_;
        if (!isDigit(peek())) return expected("a digit");
        while (isDigit(peek())) ++pos_;
        bool integral = true;
        if (peek() == '.' && isDigit(peek(1))) {
            integral = false;
            ++pos_;
            while (isDigit(peek())) ++pos_;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            ++pos_;
            if (peek() == '+' || peek() == '-') ++pos_;
            if (!isDigit(peek())) return expected("an exponent");
            while (isDigit(peek())) ++pos_;
        }
        const char* begin = text_.data() + start;
        const char* end = text_.data() + pos_;
        if (integral) {
            std::int64_t value = 0;
            const auto [ptr, ec] = std::from_chars(begin, end, value);
            if (ec == std::errc() && ptr == end) {
                out = value;
                return true;
            }
            // nlohmann parses 2^63..2^64-1 as uint64, so the literal must too to compare equal.
            std::uint64_t unsignedValue = 0;
            const auto [uptr, uec] = std::from_chars(begin, end, unsignedValue);
            if (uec == std::errc() && uptr == end) {
                out = unsignedValue;
                return true;
            }
        }
        double value = 0;
        const auto [ptr, ec] = std::from_chars(begin, end, value);
        if (ec != std::errc() || ptr != end || !std::isfinite(value)) {
            return failAt("number out of range", start);
        }
        out = value;
        return true;
    }

    // /pattern/flags, where "\/" stands for '/' and other escapes are RE2's.
    bool parseRegexLiteral(Operand& operand) {
        const std::size_t start = pos_;
        ++pos_;
        std::string pattern;
        for (;;) {
            if (atEnd()) return failAt("unterminated regular expression", start);
            const char c = text_[pos_++];
            if (c == '/') break;
            if (c == '\\' && !atEnd()) {
                const char e = text_[pos_++];
                if (e != '/') pattern += '\\';
                pattern += e;
                continue;
            }
            pattern += c;
        }
        std::string flags;
        while (peek() >= 'a' && peek() <= 'z') {
            if (peek() != 'i' && peek() != 'm' && peek() != 's') {
                return fail("unknown regular expression flag");
            }
            flags += text_[pos_++];
        }
        return addRegex(pattern, flags, start, operand);
    }

    bool addRegex(const std::string& pattern, const std::string& flags, std::size_t start,
                  Operand& operand) {
        RE2::Options options;
        options.set_log_errors(false);
        const std::string full = flags.empty() ? pattern : "(?" + flags + ")" + pattern;
        auto regex = std::make_unique<RE2>(full, options);
        if (!regex->ok()) return failAt("invalid regular expression: " + regex->error(), start);
        program_.regexes.push_back(std::move(regex));
        operand.kind = OperandKind::kRegex;
        operand.index = static_cast<int>(program_.regexes.size() - 1);
        return true;
    }

    std::string_view text_;
    Program& program_;
    std::size_t pos_ = 0;
    int depth_ = 0;
    std::string error_;
};

// Three-way numeric comparison across int64, uint64 and double; nullopt when a NaN is involved.
// Dispatches on type() because nlohmann's get_ptr<number_integer_t*> also accepts unsigned values.
std::optional<int> compareNumbers(const Json& a, const Json& b) {
    using Type = Json::value_t;
    auto order = [](auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); };
    if (a.type() == Type::number_float || b.type() == Type::number_float) {
        // long double holds every int64 and uint64 exactly on the platforms mockd builds for.
        auto widen = [](const Json& j) -> long double {
            switch (j.type()) {
                case Type::number_float:
                    return *j.get_ptr<const Json::number_float_t*>();
                case Type::number_unsigned:
                    return *j.get_ptr<const Json::number_unsigned_t*>();
                case Type::number_integer:
                    return *j.get_ptr<const Json::number_integer_t*>();
                default:
                    return 0;
            }
        };
        const long double x = widen(a);
        const long double y = widen(b);
        if (std::isnan(x) || std::isnan(y)) return std::nullopt;
        return order(x, y);
    }
    const bool aUnsigned = a.type() == Type::number_unsigned;
    const bool bUnsigned = b.type() == Type::number_unsigned;
    if (aUnsigned && bUnsigned) {
        return order(*a.get_ptr<const Json::number_unsigned_t*>(),
                     *b.get_ptr<const Json::number_unsigned_t*>());
    }
    if (!aUnsigned && !bUnsigned) {
        return order(*a.get_ptr<const Json::number_integer_t*>(),
                     *b.get_ptr<const Json::number_integer_t*>());
    }
    if (aUnsigned) {
        const std::int64_t y = *b.get_ptr<const Json::number_integer_t*>();
        return y < 0 ? 1
                     : order(*a.get_ptr<const Json::number_unsigned_t*>(),
                             static_cast<std::uint64_t>(y));
    }
    const std::int64_t x = *a.get_ptr<const Json::number_integer_t*>();
    return x < 0
               ? -1
               : order(static_cast<std::uint64_t>(x), *b.get_ptr<const Json::number_unsigned_t*>());
}

class Evaluator final {
  public:
    Evaluator(const Program& program, const Json& root) : program_(program), root_(root) {}

    [[nodiscard]] bool exhausted() const { return exhausted_; }

    void select(const Path& path, const Json& current, std::vector<const Json*>& out) {
        std::vector<const Json*> nodes{path.absolute ? &root_ : &current};
        std::vector<const Json*> next;
        for (const Step& step : path.steps) {
            next.clear();
            for (const Json* node : nodes) {
                if (step.descendant) {
                    descend(step, *node, next);
                } else {
                    applyStep(step, *node, next);
                }
                if (exhausted_) return;
            }
            nodes.swap(next);
            if (nodes.empty()) return;
        }
        out.insert(out.end(), nodes.begin(), nodes.end());
    }

  private:
    bool spend() {
        if (work_ >= kMaxWork) {
            exhausted_ = true;
            return false;
        }
        ++work_;
        return true;
    }

    // Pre-order walk with an explicit stack: bodies may be nested far deeper than a thread's stack.
    void descend(const Step& step, const Json& start, std::vector<const Json*>& out) {
        std::vector<const Json*> stack{&start};
        while (!stack.empty()) {
            const Json* node = stack.back();
            stack.pop_back();
            if (!spend()) return;
            applyStep(step, *node, out);
            if (exhausted_) return;
            if (node->is_structured()) {
                for (auto it = node->rbegin(); it != node->rend(); ++it) stack.push_back(&*it);
            }
        }
    }

    void applyStep(const Step& step, const Json& node, std::vector<const Json*>& out) {
        for (const Selector& selector : step.selectors) {
            applySelector(selector, node, out);
            if (exhausted_) return;
        }
    }

    void push(const Json& node, std::vector<const Json*>& out) {
        if (spend()) out.push_back(&node);
    }

    void applySelector(const Selector& selector, const Json& node, std::vector<const Json*>& out) {
        switch (selector.kind) {
            case SelectorKind::kName:
                if (node.is_object()) {
                    const auto it = node.find(selector.name);
                    if (it != node.end()) push(*it, out);
                }
                return;
            case SelectorKind::kWildcard:
                if (!node.is_structured()) return;
                for (const Json& child : node) {
                    push(child, out);
                    if (exhausted_) return;
                }
                return;
            case SelectorKind::kIndex: {
                if (!node.is_array()) return;
                const auto size = static_cast<std::int64_t>(node.size());
                const std::int64_t index =
                    selector.index < 0 ? selector.index + size : selector.index;
                if (index >= 0 && index < size) push(node[static_cast<std::size_t>(index)], out);
                return;
            }
            case SelectorKind::kSlice:
                if (node.is_array()) applySlice(selector, node, out);
                return;
            case SelectorKind::kFilter:
                if (!node.is_structured()) return;
                if (node.is_object() && program_.filterObjectItself) {
                    if (!spend()) return;
                    const bool keep = test(selector.filter, node);
                    if (!exhausted_ && keep) push(node, out);
                    return;
                }
                for (const Json& child : node) {
                    if (!spend()) return;
                    const bool keep = test(selector.filter, child);
                    if (exhausted_) return;
                    if (keep) push(child, out);
                }
                return;
        }
    }

    // Python slice semantics. Loop steps are checked against the remaining distance before being
    // added, so extreme start/end/step values from the path cannot overflow.
    void applySlice(const Selector& selector, const Json& node, std::vector<const Json*>& out) {
        const auto size = static_cast<std::int64_t>(node.size());
        const std::int64_t step = selector.step;
        if (step == 0) return;
        auto normalize = [size](std::int64_t v) { return v < 0 ? v + size : v; };
        auto at = [&node](std::int64_t i) -> const Json& {
            return node[static_cast<std::size_t>(i)];
        };
        if (step > 0) {
            const std::int64_t lo =
                selector.start ? std::clamp(normalize(*selector.start), std::int64_t{0}, size) : 0;
            const std::int64_t hi =
                selector.end ? std::clamp(normalize(*selector.end), std::int64_t{0}, size) : size;
            for (std::int64_t i = lo; i < hi; i += step) {
                push(at(i), out);
                if (exhausted_ || step >= hi - i) return;
            }
        } else {
            const std::int64_t hi =
                selector.start ? std::clamp(normalize(*selector.start), std::int64_t{-1}, size - 1)
                               : size - 1;
            const std::int64_t lo =
                selector.end ? std::clamp(normalize(*selector.end), std::int64_t{-1}, size - 1)
                             : -1;
            for (std::int64_t i = hi; i > lo; i += step) {
                push(at(i), out);
                if (exhausted_ || step <= -(i - lo)) return;
            }
        }
    }

    bool test(int index, const Json& current) {
        const Expr& expr = program_.exprs[static_cast<std::size_t>(index)];
        switch (expr.kind) {
            case ExprKind::kOr:
                for (int child : expr.children) {
                    if (test(child, current)) return true;
                }
                return false;
            case ExprKind::kAnd:
                for (int child : expr.children) {
                    if (!test(child, current)) return false;
                }
                return true;
            case ExprKind::kNot:
                return !test(expr.children.front(), current);
            case ExprKind::kExists: {
                std::vector<const Json*> nodes;
                resolve(expr.lhs, current, nodes);
                return !nodes.empty();
            }
            case ExprKind::kTruthy: {
                const Json& literal = program_.literals[static_cast<std::size_t>(expr.lhs.index)];
                return !literal.is_null() && literal != Json(false);
            }
            case ExprKind::kCompare:
                return compare(expr, current);
        }
        return false;
    }

    void resolve(const Operand& operand, const Json& current, std::vector<const Json*>& out) {
        const auto index = static_cast<std::size_t>(operand.index);
        if (operand.kind == OperandKind::kPath) {
            select(program_.paths[index], current, out);
        } else if (operand.kind == OperandKind::kLiteral) {
            out.push_back(&program_.literals[index]);
        }
    }

    // A side that selects several nodes compares true if any pair does (so "@.tags[*] == 'x'"
    // means "some tag is x"); a side that selects nothing makes every comparison false.
    bool compare(const Expr& expr, const Json& current) {
        std::vector<const Json*> left;
        resolve(expr.lhs, current, left);
        if (left.empty()) return false;
        if (expr.op == CompareOp::kMatch) {
            const RE2& regex = *program_.regexes[static_cast<std::size_t>(expr.rhs.index)];
            for (const Json* node : left) {
                if (!spend()) return false;
                const auto* text = node->get_ptr<const Json::string_t*>();
                if (text != nullptr && RE2::PartialMatch(*text, regex)) return true;
            }
            return false;
        }
        std::vector<const Json*> right;
        resolve(expr.rhs, current, right);
        for (const Json* l : left) {
            for (const Json* r : right) {
                if (!spend()) return false;
                if (holds(expr.op, *l, *r)) return true;
                if (exhausted_) return false;
            }
        }
        return false;
    }

    bool holds(CompareOp op, const Json& a, const Json& b) {
        switch (op) {
            case CompareOp::kEq:
                return equal(a, b);
            case CompareOp::kNe:
                return !equal(a, b);
            case CompareOp::kLt:
                return less(a, b);
            case CompareOp::kLe:
                return less(a, b) || equal(a, b);
            case CompareOp::kGt:
                return less(b, a);
            case CompareOp::kGe:
                return less(b, a) || equal(a, b);
            case CompareOp::kMatch:
                return false;  // Handled by compare().
        }
        return false;
    }

    static bool less(const Json& a, const Json& b) {
        if (a.is_number() && b.is_number()) return compareNumbers(a, b) == -1;
        const auto* x = a.get_ptr<const Json::string_t*>();
        const auto* y = b.get_ptr<const Json::string_t*>();
        return x != nullptr && y != nullptr && *x < *y;
    }

    // Deep equality where 1 == 1.0 at any depth. Iterative because nlohmann's operator== recurses.
    bool equal(const Json& a, const Json& b) {
        std::vector<std::pair<const Json*, const Json*>> stack{{&a, &b}};
        while (!stack.empty()) {
            const auto [x, y] = stack.back();
            stack.pop_back();
            if (!spend()) return false;
            if (x->is_number() && y->is_number()) {
                if (compareNumbers(*x, *y) != 0) return false;
                continue;
            }
            if (x->type() != y->type() || x->size() != y->size()) return false;
            if (x->is_array()) {
                for (std::size_t i = 0; i < x->size(); ++i) stack.emplace_back(&(*x)[i], &(*y)[i]);
            } else if (x->is_object()) {
                for (auto it = x->begin(); it != x->end(); ++it) {
                    const auto other = y->find(it.key());
                    if (other == y->end()) return false;
                    stack.emplace_back(&it.value(), &*other);
                }
            } else if (*x != *y) {
                return false;
            }
        }
        return true;
    }

    const Program& program_;
    const Json& root_;
    std::size_t work_ = 0;
    bool exhausted_ = false;
};

}  // namespace
}  // namespace jsonpath_detail

JsonPath::JsonPath(std::string text, std::shared_ptr<const jsonpath_detail::Program> program)
    : text_(std::move(text)), program_(std::move(program)) {}

std::optional<JsonPath> JsonPath::compile(std::string_view expr, std::string* error,
                                          Dialect dialect) {
    try {
        auto program = std::make_shared<jsonpath_detail::Program>();
        program->filterObjectItself = dialect == Dialect::Jayway;
        jsonpath_detail::Parser parser(expr, *program);
        if (!parser.parse()) {
            if (error != nullptr) *error = parser.error();
            return std::nullopt;
        }
        return JsonPath(std::string(expr), std::move(program));
    } catch (...) {
        // Only allocation can fail here; short enough for the small-string buffer.
        if (error != nullptr) *error = "out of memory";
        return std::nullopt;
    }
}

void JsonPath::evaluate(const nlohmann::json& root, std::vector<const nlohmann::json*>& out) const {
    if (!program_) return;  // Moved-from.
    try {
        jsonpath_detail::Evaluator evaluator(*program_, root);
        std::vector<const nlohmann::json*> selected;
        evaluator.select(program_->main, root, selected);
        if (!evaluator.exhausted()) out.insert(out.end(), selected.begin(), selected.end());
    } catch (...) {
        // Only allocation can throw; a request must not take the server down, so select nothing.
    }
}

}  // namespace mockd::core
