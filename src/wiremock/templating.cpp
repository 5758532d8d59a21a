// Handlebars for WireMock stubs: a small parser into a node tree, a renderer with a context stack,
// and WireMock's helpers. Values are JSON with two twists WireMock's model needs: a value may
// print differently from what it holds (a query parameter prints its first value but iterates
// all of them), and a map may hold multi-values whose names compare case-insensitively (headers).
#include "wiremock/templating.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <mutex>
#include <random>
#include <unordered_map>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/jsonpath.h"
#include "core/match_input.h"
#include "core/request.h"
#include "match/path_pattern.h"
#include "match/regex.h"
#include "wiremock/matcher.h"
#include "wiremock/request_pattern.h"
#include "wiremock/stub_codec.h"

namespace mockd::wiremock {

using J = nlohmann::ordered_json;

// ------------------------------------------------------------------------------------ the tree

namespace {

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Call {
    ExprPtr head;
    std::vector<ExprPtr> params;
    std::vector<std::pair<std::string, ExprPtr>> hash;
};

struct Expr {
    enum class Kind { Path, Literal, Sub } kind = Kind::Path;
    // Path: `up` levels of "../", '@' data variables, then the segments.
    int up = 0;
    bool data = false;
    std::vector<std::string> segments;
    J literal;
    Call sub;
    // The head name as written, for helper lookup ("jsonPath", "request.path").
    std::string text;
};

}  // namespace

struct HandlebarsTemplate::Node {
    enum class Kind { Text, Value, Block } kind = Kind::Text;
    std::string text;
    Call call;
    std::vector<Node> body, inverse;
    bool inverted = false;  // {{^x}}: the body renders when x is falsy
};

using Node = HandlebarsTemplate::Node;

HandlebarsTemplate::HandlebarsTemplate(std::vector<Node> nodes) : nodes_(std::move(nodes)) {}
HandlebarsTemplate::~HandlebarsTemplate() = default;

bool hasTemplate(std::string_view text) { return text.find("{{") != std::string_view::npos; }

// ---------------------------------------------------------------------------------- the parser

namespace {

constexpr int kMaxNesting = 64;

class Parser {
  public:
    explicit Parser(std::string_view t) : t_(t) {}

    std::vector<Node> parse() {
        std::vector<Node> out;
        std::string closing;
        parseBody(out, nullptr, 0, closing);
        return out;
    }

  private:
    struct Tag {
        char sigil = 0;  // '#', '/', '^', '!', '{', '&' or 0
        bool elseTag = false;
        std::string_view inner;
        bool stripBefore = false, stripAfter = false, tightAfter = false;
        size_t start = 0;
    };

    [[noreturn]] void fail(const std::string& what, size_t at) const {
        int line = 1, col = 1;
        for (size_t i = 0; i < at && i < t_.size(); ++i) {
            if (t_[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        throw TemplateError(what, line, col);
    }

    // Reads text and tags into `out` until a closing tag or an else (returned in `stop`).
    // Returns the tag that stopped it (else / close), or nullopt at the end of the text.
    std::optional<Tag> parseBody(std::vector<Node>& out, const std::string* blockName, int depth,
                                 std::string& stopName) {
        if (depth > kMaxNesting) fail("blocks are nested too deeply", pos_);
        while (pos_ < t_.size()) {
            size_t open = findOpen(pos_);
            std::string text;
            appendText(text, pos_, open == std::string_view::npos ? t_.size() : open);
            if (open == std::string_view::npos) {
                pos_ = t_.size();
                addText(out, std::move(text));
                break;
            }
            Tag tag = readTag(open);
            // Handlebars.java honours "{{~" on block, else and close tags, not on values.
            const bool valueTag = tag.sigil == 0 && !tag.elseTag;
            if (tag.stripBefore && !valueTag) trimRight(text);
            addText(out, std::move(text));
            // On a value tag "~}}" strips only when it touches the expression or the tag also
            // opened with "{{~" (what Handlebars.java's lexer makes of it).
            if (tag.stripAfter && (!valueTag || tag.stripBefore || tag.tightAfter)) skipSpace();
            if (tag.sigil == '!') continue;
            if (tag.sigil == '/') {
                stopName = std::string(trim(tag.inner));
                if (!blockName)
                    fail("found '{{/" + stopName + "}}' without an open block", tag.start);
                return tag;
            }
            if (tag.elseTag) {
                if (!blockName) fail("found '{{else}}' outside a block", tag.start);
                return tag;
            }
            if (tag.sigil == '#' || tag.sigil == '^') {
                out.push_back(parseBlock(tag, depth + 1));
                continue;
            }
            Node n;
            n.kind = Node::Kind::Value;
            n.call = parseCall(tag.inner, tag.start);
            out.push_back(std::move(n));
        }
        if (blockName) fail("found '<EOF>', expected: '{{/" + *blockName + "}}'", t_.size());
        return std::nullopt;
    }

    Node parseBlock(const Tag& open, int depth) {
        Node n;
        n.kind = Node::Kind::Block;
        n.inverted = open.sigil == '^';
        n.call = parseCall(open.inner, open.start);
        const std::string name = n.call.head->text;
        std::string stop;
        Node* target = &n;
        bool inInverse = false;
        for (;;) {
            std::vector<Node>& into = inInverse ? target->inverse : target->body;
            std::optional<Tag> t = parseBody(into, &name, depth, stop);
            if (!t) fail("found '<EOF>', expected: '{{/" + name + "}}'", t_.size());
            if (t->sigil == '/') {
                if (stop != name) fail("found '" + stop + "', expected: '" + name + "'", t->start);
                return n;
            }
            // {{else}} or {{else helper args}} (an else-if chain: a nested block in the inverse).
            std::string_view rest = trim(t->inner);
            if (inInverse && rest.empty()) fail("a block has two {{else}}", t->start);
            if (!rest.empty()) {
                Node chained;
                chained.kind = Node::Kind::Block;
                chained.call = parseCall(rest, t->start);
                target->inverse.push_back(std::move(chained));
                target = &target->inverse.back();
                inInverse = false;
            } else {
                inInverse = true;
            }
        }
    }

    size_t findOpen(size_t from) const {
        for (size_t i = t_.find("{{", from); i != std::string_view::npos;
             i = t_.find("{{", i + 2)) {
            if (i > 0 && t_[i - 1] == '\\') continue;  // \{{ is literal text
            return i;
        }
        return std::string_view::npos;
    }

    void appendText(std::string& out, size_t from, size_t to) const {
        for (size_t i = from; i < to; ++i) {
            if (t_[i] == '\\' && i + 2 < t_.size() && t_[i + 1] == '{' && t_[i + 2] == '{')
                continue;
            out += t_[i];
        }
    }

    static void addText(std::vector<Node>& out, std::string text) {
        if (text.empty()) return;
        Node n;
        n.text = std::move(text);
        out.push_back(std::move(n));
    }

    static void trimRight(std::string& s) {
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    }
    void skipSpace() {
        while (pos_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[pos_]))) ++pos_;
    }
    static std::string_view trim(std::string_view s) {
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
            s.remove_prefix(1);
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
        return s;
    }

    Tag readTag(size_t open) {
        Tag tag;
        tag.start = open;
        size_t i = open + 2;
        const bool triple = i < t_.size() && t_[i] == '{';
        if (triple) ++i;
        if (i < t_.size() && t_[i] == '~') {
            tag.stripBefore = true;
            ++i;
        }
        if (!triple && i < t_.size() && t_[i] == '!') {
            // {{!-- ... --}} may hold "}}"; {{! ... }} ends at the first "}}".
            const bool dashed = t_.substr(i, 3) == "!--";
            size_t end = dashed ? t_.find("--", i + 3) : t_.find("}}", i);
            if (dashed && end != std::string_view::npos) end = t_.find("}}", end);
            if (end == std::string_view::npos) fail("a comment is not closed", open);
            tag.sigil = '!';
            tag.stripAfter = end > 0 && t_[end - 1] == '~';
            pos_ = end + 2;
            return tag;
        }
        const std::string_view closer = triple ? "}}}" : "}}";
        size_t end = findClose(i, closer);
        if (end == std::string_view::npos)
            fail("found '<EOF>', expected: '" + std::string(closer) + "'", open);
        size_t innerEnd = end;
        if (innerEnd > i && t_[innerEnd - 1] == '~') {
            tag.stripAfter = true;
            --innerEnd;
            tag.tightAfter =
                innerEnd > i && !std::isspace(static_cast<unsigned char>(t_[innerEnd - 1]));
        }
        std::string_view inner = t_.substr(i, innerEnd - i);
        pos_ = end + closer.size();
        if (triple) {
            tag.sigil = '{';
            tag.inner = inner;
            return tag;
        }
        inner = trim(inner);
        if (!inner.empty() &&
            (inner[0] == '#' || inner[0] == '/' || inner[0] == '^' || inner[0] == '&')) {
            tag.sigil = inner[0];
            inner.remove_prefix(1);
        }
        if (tag.sigil == '^' && trim(inner).empty()) {
            tag.sigil = 0;
            tag.elseTag = true;
        } else if (tag.sigil == 0 && (inner == "else" || inner.starts_with("else ") ||
                                      inner.starts_with("else\t") || inner.starts_with("else\n"))) {
            tag.elseTag = true;
            inner.remove_prefix(4);
        }
        if (tag.sigil == '&') tag.sigil = 0;
        tag.inner = inner;
        return tag;
    }

    size_t findClose(size_t from, std::string_view closer) const {
        char quote = 0;
        for (size_t i = from; i < t_.size(); ++i) {
            const char c = t_[i];
            if (quote) {
                if (c == '\\')
                    ++i;
                else if (c == quote)
                    quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (t_.substr(i, closer.size()) == closer) {
                return i;
            }
        }
        return t_.find(closer, from);
    }

    // ---- expressions

    Call parseCall(std::string_view text, size_t at) {
        size_t i = 0;
        Call c = parseCallAt(text, i, at, false);
        skipWs(text, i);
        if (i < text.size()) fail("unexpected '" + std::string(text.substr(i)) + "'", at);
        if (!c.head) fail("found an empty expression", at);
        return c;
    }

    Call parseCallAt(std::string_view s, size_t& i, size_t at, bool inSub) {
        Call c;
        skipWs(s, i);
        if (i >= s.size() || (inSub && s[i] == ')')) return c;
        c.head = parseOperand(s, i, at);
        for (;;) {
            skipWs(s, i);
            if (i >= s.size() || (inSub && s[i] == ')')) break;
            // key=value
            size_t k = i;
            while (k < s.size() &&
                   (std::isalnum(static_cast<unsigned char>(s[k])) || s[k] == '_' || s[k] == '-'))
                ++k;
            if (k > i && k < s.size() && s[k] == '=') {
                std::string key(s.substr(i, k - i));
                i = k + 1;
                c.hash.emplace_back(std::move(key), parseOperand(s, i, at));
                continue;
            }
            c.params.push_back(parseOperand(s, i, at));
        }
        return c;
    }

    static void skipWs(std::string_view s, size_t& i) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    }

    ExprPtr parseOperand(std::string_view s, size_t& i, size_t at) {
        auto e = std::make_shared<Expr>();
        skipWs(s, i);
        if (i >= s.size()) fail("expected a value", at);
        const char c = s[i];
        if (c == '(') {
            ++i;
            e->kind = Expr::Kind::Sub;
            e->sub = parseCallAt(s, i, at, true);
            skipWs(s, i);
            if (i >= s.size() || s[i] != ')') fail("a subexpression is not closed", at);
            ++i;
            if (!e->sub.head) fail("found an empty subexpression", at);
            e->text = e->sub.head->text;
            return e;
        }
        if (c == '"' || c == '\'') {
            std::string v;
            size_t j = i + 1;
            for (; j < s.size() && s[j] != c; ++j) {
                if (s[j] == '\\' && j + 1 < s.size() && s[j + 1] == c) ++j;
                v += s[j];
            }
            if (j >= s.size()) fail("a string is not closed", at);
            i = j + 1;
            e->kind = Expr::Kind::Literal;
            e->literal = v;
            e->text = v;
            return e;
        }
        size_t j = i;
        int brackets = 0;
        while (j < s.size()) {
            const char d = s[j];
            if (d == '[') ++brackets;
            if (d == ']') --brackets;
            if (brackets <= 0 &&
                (std::isspace(static_cast<unsigned char>(d)) || d == ')' || d == '('))
                break;
            ++j;
        }
        // A stray ')' outside a subexpression ends no token: without this check the caller would
        // read the same empty operand forever.
        if (j == i) fail("unexpected '" + std::string(1, s[i]) + "'", at);
        std::string_view tok = s.substr(i, j - i);
        i = j;
        e->text = std::string(tok);
        if (tok == "true" || tok == "false") {
            e->kind = Expr::Kind::Literal;
            e->literal = tok == "true";
            return e;
        }
        if (tok == "null" || tok == "undefined") {
            e->kind = Expr::Kind::Literal;
            return e;
        }
        if (!tok.empty() && (std::isdigit(static_cast<unsigned char>(tok[0])) ||
                             (tok[0] == '-' && tok.size() > 1))) {
            int64_t n = 0;
            auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), n);
            if (ec == std::errc() && p == tok.data() + tok.size()) {
                e->kind = Expr::Kind::Literal;
                e->literal = n;
                return e;
            }
            double d = 0;
            auto [p2, ec2] = std::from_chars(tok.data(), tok.data() + tok.size(), d);
            if (ec2 == std::errc() && p2 == tok.data() + tok.size()) {
                e->kind = Expr::Kind::Literal;
                e->literal = d;
                return e;
            }
        }
        parsePath(tok, *e, at);
        return e;
    }

    void parsePath(std::string_view tok, Expr& e, size_t at) {
        if (tok.starts_with("@")) {
            e.data = true;
            tok.remove_prefix(1);
        }
        while (tok.starts_with("../")) {
            ++e.up;
            tok.remove_prefix(3);
        }
        if (tok == "this" || tok == ".") return;
        if (tok.starts_with("this.") || tok.starts_with("this/")) tok.remove_prefix(5);
        std::string cur;
        for (size_t i = 0; i < tok.size(); ++i) {
            const char c = tok[i];
            if (c == '[') {
                size_t end = tok.find(']', i);
                if (end == std::string_view::npos) fail("a [segment] is not closed", at);
                cur += tok.substr(i + 1, end - i - 1);
                i = end;
            } else if (c == '.' || c == '/') {
                if (!cur.empty()) e.segments.push_back(std::move(cur));
                cur.clear();
            } else {
                cur += c;
            }
        }
        if (!cur.empty()) e.segments.push_back(std::move(cur));
    }

    std::string_view t_;
    size_t pos_ = 0;
};

}  // namespace

std::shared_ptr<const HandlebarsTemplate> HandlebarsTemplate::compile(std::string_view text) {
    Parser p(text);
    return std::make_shared<const HandlebarsTemplate>(p.parse());
}

// ------------------------------------------------------------------------------------- values

namespace {

struct Value {
    J json;                              // what it holds
    std::optional<std::string> display;  // what it prints, when that differs
    bool multiMap = false;               // members are multi-values, names case-insensitive
    bool opaque = false;                 // equals nothing but itself (request.method, an enum)
    bool requestRoot = false;            // the request model (its members print specially)
    std::optional<int64_t> dateMs;       // a date (prints ISO-8601)

    static Value of(J j) {
        Value v;
        v.json = std::move(j);
        return v;
    }
    static Value text(std::string s) { return of(J(std::move(s))); }
};

std::string numberText(const J& j) {
    if (j.is_number_integer()) return j.dump();
    const double d = j.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f", d);
        return buf;
    }
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, ec == std::errc() ? p : buf);
}

constexpr int kMaxPrintDepth = 64;

// Java's toString of what Jackson or the helpers hand back: lists "[a, b]", maps "{k=v}".
void javaText(const J& j, std::string& out, int depth = 0) {
    if (depth > kMaxPrintDepth) return;
    if (j.is_string()) {
        out += j.get_ref<const std::string&>();
    } else if (j.is_number()) {
        out += numberText(j);
    } else if (j.is_boolean()) {
        out += j.get<bool>() ? "true" : "false";
    } else if (j.is_array()) {
        out += '[';
        bool first = true;
        for (const auto& x : j) {
            if (!first) out += ", ";
            first = false;
            javaText(x, out, depth + 1);
        }
        out += ']';
    } else if (j.is_object()) {
        out += '{';
        bool first = true;
        for (const auto& [k, x] : j.items()) {
            if (!first) out += ", ";
            first = false;
            out += k;
            out += '=';
            javaText(x, out, depth + 1);
        }
        out += '}';
    }
}

std::string isoDate(int64_t ms) {
    const int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;  // floor, for dates before 1970
    return core::isoUtc(secs * 1'000'000, 0);
}

std::string print(const Value& v) {
    if (v.display) return *v.display;
    if (v.dateMs) return isoDate(*v.dateMs);
    std::string out;
    if (v.multiMap && v.json.is_object()) {
        // A map of multi-values prints each name with its first value.
        out += '{';
        bool first = true;
        for (const auto& [k, x] : v.json.items()) {
            if (!first) out += ", ";
            first = false;
            out += k;
            out += '=';
            if (x.is_array()) {
                if (!x.empty()) javaText(x[0], out);
            } else {
                javaText(x, out);
            }
        }
        out += '}';
        return out;
    }
    javaText(v.json, out);
    return out;
}

bool truthy(const Value& v) {
    if (v.dateMs) return true;
    const J& j = v.json;
    if (j.is_null()) return false;
    if (j.is_boolean()) return j.get<bool>();
    if (j.is_number()) return j.get<double>() != 0;
    if (j.is_string()) return !j.get_ref<const std::string&>().empty();
    if (j.is_array() || j.is_object()) return !j.empty();
    return true;
}

std::optional<double> number(const Value& v) {
    if (v.json.is_number()) return v.json.get<double>();
    std::string s = print(v);
    if (s.empty()) return std::nullopt;
    double d = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return d;
}

bool ieq(std::string_view a, std::string_view b) { return core::iequals(a, b); }

// A member of `v`: an object key (case-insensitive in a multi-map), or an array index.
std::optional<Value> member(const Value& v, const std::string& name) {
    const J& j = v.json;
    if (j.is_object()) {
        auto it = j.find(name);
        if (it == j.end() && v.multiMap)
            for (auto x = j.begin(); x != j.end(); ++x)
                if (ieq(x.key(), name)) {
                    it = x;
                    break;
                }
        if (it == j.end()) return std::nullopt;
        Value out = Value::of(*it);
        // Header maps anywhere in the model (a multipart part's too) take any case of a name.
        if (name == "headers" && it->is_object()) out.multiMap = true;
        if (v.requestRoot) {
            if (name == "query" || name == "headers" || name == "cookies") out.multiMap = true;
            if (name == "method") out.opaque = true;
            if (name == "path" || name == "pathSegments") {
                const std::string& url = j["url"].get_ref<const std::string&>();
                out.display = url.substr(0, url.find('?'));
                out.opaque = true;
            }
            return out;
        }
        if (v.multiMap && it->is_array()) {
            // Prints its first value; `.[n]` and each reach the others. Like WireMock's
            // parameter objects, it equals no string and contains nothing.
            out.display = it->empty() ? std::string() : print(Value::of((*it)[0]));
            out.opaque = true;
        }
        return out;
    }
    if (j.is_array()) {
        size_t idx = 0;
        auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), idx);
        if (ec != std::errc() || p != name.data() + name.size() || idx >= j.size())
            return std::nullopt;
        return Value::of(j[idx]);
    }
    if (j.is_string() && name == "length")
        return Value::of(J(j.get_ref<const std::string&>().size()));
    return std::nullopt;
}

// ------------------------------------------------------------------------------- the renderer

std::mutex gSettingsMu;
TemplateSettings& settings() {
    static auto* s = new TemplateSettings();
    return *s;
}

std::mt19937_64& rng() {
    thread_local std::mt19937_64 gen{std::random_device{}()};
    return gen;
}

struct Frame {
    Value value;
    J data = J::object();  // @index, @key, @first, @last
};

using Hash = std::vector<std::pair<std::string, Value>>;

const Value* hashGet(const Hash& h, std::string_view k) {
    for (const auto& [name, v] : h)
        if (name == k) return &v;
    return nullptr;
}

std::string hashText(const Hash& h, std::string_view k, std::string def = {}) {
    const Value* v = hashGet(h, k);
    return v ? print(*v) : def;
}

Value error(const std::string& what) { return Value::text("[ERROR: " + what + "]"); }

// Java date patterns (DateTimeFormatter / SimpleDateFormat letters) rendered for a UTC or
// offset time. Quoted text ('T') passes through.
std::string formatDate(int64_t ms, std::string_view pattern, int offsetSeconds) {
    if (pattern == "epoch") return std::to_string(ms);
    if (pattern == "unix") return std::to_string(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    const int64_t shifted = ms + int64_t{offsetSeconds} * 1000;
    time_t secs = static_cast<time_t>(shifted >= 0 ? shifted / 1000 : (shifted - 999) / 1000);
    const int millis = static_cast<int>(((shifted % 1000) + 1000) % 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    static const char* kMonths[] = {"January",   "February", "March",    "April",
                                    "May",       "June",     "July",     "August",
                                    "September", "October",  "November", "December"};
    static const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                  "Thursday", "Friday", "Saturday"};
    std::string out;
    for (size_t i = 0; i < pattern.size();) {
        const char c = pattern[i];
        if (c == '\'') {
            size_t end = pattern.find('\'', i + 1);
            if (end == std::string_view::npos) end = pattern.size();
            if (end == i + 1) out += '\'';
            out += pattern.substr(i + 1, end - i - 1);
            i = end + 1;
            continue;
        }
        if (!std::isalpha(static_cast<unsigned char>(c))) {
            out += c;
            ++i;
            continue;
        }
        size_t n = 1;
        while (i + n < pattern.size() && pattern[i + n] == c) ++n;
        i += n;
        auto num = [&](long v, size_t width) {
            std::string s = std::to_string(v);
            if (s.size() < width) s.insert(0, width - s.size(), '0');
            out += s;
        };
        switch (c) {
            case 'y':
            case 'u':
                if (n == 2)
                    num((tm.tm_year + 1900) % 100, 2);
                else
                    num(tm.tm_year + 1900, n);
                break;
            case 'M':
            case 'L':
                if (n >= 4)
                    out += kMonths[tm.tm_mon];
                else if (n == 3)
                    out += std::string(kMonths[tm.tm_mon]).substr(0, 3);
                else
                    num(tm.tm_mon + 1, n);
                break;
            case 'd':
                num(tm.tm_mday, n);
                break;
            case 'D':
                num(tm.tm_yday + 1, n);
                break;
            case 'H':
                num(tm.tm_hour, n);
                break;
            case 'h':
                num(tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12, n);
                break;
            case 'm':
                num(tm.tm_min, n);
                break;
            case 's':
                num(tm.tm_sec, n);
                break;
            case 'S': {
                std::string frac = std::to_string(millis);
                frac.insert(0, 3 - frac.size(), '0');
                frac.resize(n, '0');
                out += frac;
                break;
            }
            case 'a':
                out += tm.tm_hour < 12 ? "AM" : "PM";
                break;
            case 'E':
                if (n >= 4)
                    out += kDays[tm.tm_wday];
                else
                    out += std::string(kDays[tm.tm_wday]).substr(0, 3);
                break;
            case 'X':
            case 'x':
            case 'Z':
            case 'z': {
                if (offsetSeconds == 0 && (c == 'X')) {
                    out += 'Z';
                    break;
                }
                if (c == 'z') {
                    out += offsetSeconds == 0 ? "UTC" : "GMT";
                    if (offsetSeconds == 0) break;
                }
                const int a = std::abs(offsetSeconds);
                char buf[16];
                if (c == 'Z' || n == 1 || (c != 'z' && n == 2))
                    std::snprintf(buf, sizeof buf, "%c%02d%02d", offsetSeconds < 0 ? '-' : '+',
                                  a / 3600, a / 60 % 60);
                else
                    std::snprintf(buf, sizeof buf, "%c%02d:%02d", offsetSeconds < 0 ? '-' : '+',
                                  a / 3600, a / 60 % 60);
                out += buf;
                break;
            }
            default:
                out.append(n, c);
        }
    }
    return out;
}

// "+3 days", "-1 years", "2 hours" (WireMock's DateOffset).
std::optional<int64_t> applyOffset(int64_t ms, std::string_view offset) {
    while (!offset.empty() && offset.front() == ' ') offset.remove_prefix(1);
    if (offset.empty()) return ms;
    size_t sp = offset.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    std::string_view amountText = offset.substr(0, sp);
    if (amountText.starts_with('+')) amountText.remove_prefix(1);
    int64_t amount = 0;
    auto [p, ec] =
        std::from_chars(amountText.data(), amountText.data() + amountText.size(), amount);
    if (ec != std::errc() || p != amountText.data() + amountText.size()) return std::nullopt;
    std::string unit(offset.substr(sp + 1));
    for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!unit.empty() && unit.back() == 's') unit.pop_back();
    const int64_t second = 1000, minute = 60 * second, hour = 60 * minute, day = 24 * hour;
    if (unit == "second") return ms + amount * second;
    if (unit == "minute") return ms + amount * minute;
    if (unit == "hour") return ms + amount * hour;
    if (unit == "day") return ms + amount * day;
    if (unit == "week") return ms + amount * 7 * day;
    if (unit == "month" || unit == "year") {
        time_t secs = static_cast<time_t>(ms / 1000);
        std::tm tm{};
        gmtime_r(&secs, &tm);
        if (unit == "month")
            tm.tm_mon += static_cast<int>(amount);
        else
            tm.tm_year += static_cast<int>(amount);
        return static_cast<int64_t>(timegm(&tm)) * 1000 + ms % 1000;
    }
    return std::nullopt;
}

// "+02:00", "UTC", "Z", "GMT+1": an offset in seconds (named zones other than UTC/GMT: none).
int zoneOffset(std::string_view tz) {
    if (tz.empty() || tz == "UTC" || tz == "GMT" || tz == "Z") return 0;
    if (tz.starts_with("UTC") || tz.starts_with("GMT")) tz.remove_prefix(3);
    if (tz.empty() || (tz[0] != '+' && tz[0] != '-')) return 0;
    const int sign = tz[0] == '-' ? -1 : 1;
    tz.remove_prefix(1);
    int h = 0, m = 0;
    auto colon = tz.find(':');
    std::string_view hs =
        tz.substr(0, colon == std::string_view::npos ? (tz.size() > 2 ? 2 : tz.size()) : colon);
    std::from_chars(hs.data(), hs.data() + hs.size(), h);
    std::string_view ms = colon != std::string_view::npos ? tz.substr(colon + 1)
                                                          : (tz.size() > 2 ? tz.substr(2) : "");
    std::from_chars(ms.data(), ms.data() + ms.size(), m);
    return sign * (h * 3600 + m * 60);
}

// ISO-8601 and RFC 1123 dates, or epoch millis; a Java pattern given by `format`.
std::optional<int64_t> parseDateText(std::string_view s, std::string_view format) {
    if (format == "epoch" || format == "unix") {
        int64_t n = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec != std::errc()) return std::nullopt;
        return format == "unix" ? n * 1000 : n;
    }
    std::tm tm{};
    std::string str(s);
    const char* end = nullptr;
    if (!format.empty()) {
        // The common Java letters, turned into strptime's.
        std::string f;
        for (size_t i = 0; i < format.size();) {
            char c = format[i];
            size_t n = 1;
            while (i + n < format.size() && format[i + n] == c) ++n;
            if (c == '\'') {
                size_t e = format.find('\'', i + 1);
                if (e == std::string_view::npos) e = format.size();
                f += format.substr(i + 1, e - i - 1);
                i = e + 1;
                continue;
            }
            i += n;
            switch (c) {
                case 'y':
                    f += n == 2 ? "%y" : "%Y";
                    break;
                case 'M':
                    f += n >= 3 ? "%b" : "%m";
                    break;
                case 'd':
                    f += "%d";
                    break;
                case 'H':
                    f += "%H";
                    break;
                case 'm':
                    f += "%M";
                    break;
                case 's':
                    f += "%S";
                    break;
                case 'E':
                    f += "%a";
                    break;
                default:
                    f.append(n, c);
            }
        }
        end = strptime(str.c_str(), f.c_str(), &tm);
        if (!end) return std::nullopt;
        return static_cast<int64_t>(timegm(&tm)) * 1000;
    }
    for (const char* f : {"%Y-%m-%dT%H:%M:%S", "%a, %d %b %Y %H:%M:%S", "%Y-%m-%d"}) {
        tm = {};
        end = strptime(str.c_str(), f, &tm);
        if (!end) continue;
        int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
        std::string_view rest(end);
        if (!rest.empty() && rest[0] == '.') {
            size_t n = 1;
            int frac = 0, digits = 0;
            while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n]))) {
                if (digits < 3) frac = frac * 10 + (rest[n] - '0'), ++digits;
                ++n;
            }
            while (digits < 3) frac *= 10, ++digits;
            ms += frac;
            rest.remove_prefix(n);
        }
        while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
        if (rest == "GMT") rest = "Z";
        ms -= int64_t{zoneOffset(rest)} * 1000;
        return ms;
    }
    return std::nullopt;
}

int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Value dateValue(int64_t ms, const Hash& hash) {
    const int offset = zoneOffset(hashText(hash, "timezone"));
    const std::string format = hashText(hash, "format");
    Value v;
    if (format.empty() && offset == 0) {
        v.dateMs = ms;
        return v;
    }
    v = Value::text(formatDate(ms, format.empty() ? "yyyy-MM-dd'T'HH:mm:ssXXX" : format, offset));
    v.dateMs = ms;
    v.display = print(Value::of(v.json));
    return v;
}

std::optional<int64_t> dateOf(const Value& v) {
    if (v.dateMs) return v.dateMs;
    if (v.json.is_number_integer()) return v.json.get<int64_t>();
    return parseDateText(print(v), {});
}

// BigDecimal-like arithmetic: the result keeps the larger scale (product: the sum of scales).
struct Decimal {
    double value = 0;
    int scale = 0;
};
std::optional<Decimal> decimal(const Value& v) {
    auto d = number(v);
    if (!d) return std::nullopt;
    Decimal out{*d, 0};
    if (v.json.is_number_float()) {
        out.scale = 1;
        std::string s = numberText(v.json);
        if (auto dot = s.find('.'); dot != std::string::npos)
            out.scale = static_cast<int>(s.size() - dot - 1);
    } else if (!v.json.is_number()) {
        std::string s = print(v);
        if (auto dot = s.find('.'); dot != std::string::npos)
            out.scale = static_cast<int>(s.size() - dot - 1);
    }
    return out;
}

std::string decimalText(double v, int scale) {
    if (scale <= 0) {
        return std::to_string(static_cast<long long>(std::llround(v)));
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", std::min(scale, 15), v);
    return buf;
}

class Renderer {
  public:
    Renderer(const TemplateInput& in, J root) : in_(in) {
        Frame f;
        f.value.json = std::move(root);
        stack_.push_back(std::move(f));
    }

    void render(const std::vector<Node>& nodes, std::string& out) {
        if (++depth_ > kMaxNesting * 4) {
            --depth_;
            return;
        }
        for (const auto& n : nodes) {
            if (out.size() > kMaxOutput) break;
            switch (n.kind) {
                case Node::Kind::Text:
                    out += n.text;
                    break;
                case Node::Kind::Value:
                    out += print(call(n.call));
                    break;
                case Node::Kind::Block:
                    block(n, out);
                    break;
            }
        }
        --depth_;
    }

  private:
    static constexpr size_t kMaxOutput = size_t{16} * 1024 * 1024;

    // ---- lookups

    std::optional<Value> lookup(const Expr& e) {
        if (e.data) {
            for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
                if (e.segments.empty()) break;
                if (e.segments[0] == "root") {
                    if (e.segments.size() > 1 && e.segments[1] == in_.requestKey)
                        return walk(request(), e.segments, 2);
                    return walk(stack_.front().value, e.segments, 1);
                }
                auto d = it->data.find(e.segments[0]);
                if (d != it->data.end()) return walk(Value::of(*d), e.segments, 1);
            }
            return std::nullopt;
        }
        if (e.up > 0) {
            if (static_cast<size_t>(e.up) >= stack_.size()) return std::nullopt;
            const size_t at = stack_.size() - 1 - static_cast<size_t>(e.up);
            if (at == 0 && !e.segments.empty() && e.segments[0] == in_.requestKey)
                return walk(request(), e.segments, 1);
            return walk(stack_[at].value, e.segments, 0);
        }
        if (e.segments.empty()) return stack_.back().value;
        if (auto a = vars_.find(e.segments[0]); a != vars_.end())
            return walk(a->second, e.segments, 1);
        // Like Handlebars.java: the innermost context first, then the enclosing ones.
        for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
            auto first = member(it->value, e.segments[0]);
            if (!first && e.segments[0] == in_.requestKey && it + 1 == stack_.rend())
                first = request();
            if (first) return walk(*first, e.segments, 1);
        }
        return std::nullopt;
    }

    std::optional<Value> walk(Value v, const std::vector<std::string>& segs, size_t from) {
        for (size_t i = from; i < segs.size(); ++i) {
            auto next = member(v, segs[i]);
            if (!next) return std::nullopt;
            v = std::move(*next);
        }
        return v;
    }

    // The request model, built on first use.
    const Value& request() {
        if (request_) return *request_;
        Value r;
        r.json = J::object();
        const WmRequest* q = in_.request;
        if (q) {
            std::string url(q->url);
            std::string path(q->path());
            std::string decoded = match::percentDecode(path);
            J segs = J::array();
            J pathObj = J::object();
            size_t start = 1, idx = 0;
            while (start <= decoded.size() && !decoded.empty()) {
                size_t slash = decoded.find('/', start);
                std::string seg = decoded.substr(
                    start, slash == std::string::npos ? std::string::npos : slash - start);
                if (!seg.empty() || slash != std::string::npos) {
                    segs.push_back(seg);
                    pathObj[std::to_string(idx++)] = seg;
                }
                if (slash == std::string::npos) break;
                start = slash + 1;
            }
            for (const auto& [k, v] : in_.pathParams) pathObj[k] = v;
            const std::string host(q->host());
            const std::string base = std::string(q->scheme) + "://" +
                                     (host.empty() ? "localhost" : host) + ":" +
                                     std::to_string(q->port);
            r.json["id"] = in_.requestId;
            r.json["url"] = url;
            r.json["path"] = std::move(pathObj);
            r.json["pathSegments"] = segs;
            r.json["method"] = std::string(q->method);
            r.json["scheme"] = std::string(q->scheme);
            r.json["host"] = host.empty() ? "localhost" : host;
            r.json["port"] = q->port;
            r.json["baseUrl"] = base;
            r.json["clientIp"] = std::string(q->clientIp);
            r.json["body"] = std::string(q->body);
            r.json["bodyAsBase64"] = core::base64Encode(q->body);
            auto multi = [](const auto& pairs) {
                J m = J::object();
                for (const auto& [k, v] : pairs) {
                    std::string key(k);
                    if (!m.contains(key)) m[key] = J::array();
                    m[key].push_back(std::string(v));
                }
                return m;
            };
            auto query = q->query();
            std::stable_sort(query.begin(), query.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
            r.json["query"] = multi(query);
            // Headers as a case-insensitive sorted map (WireMock prints them in that order).
            auto headers = q->headers;
            std::stable_sort(headers.begin(), headers.end(), [](const auto& a, const auto& b) {
                return std::lexicographical_compare(
                    a.first.begin(), a.first.end(), b.first.begin(), b.first.end(),
                    [](char x, char y) { return std::tolower(x) < std::tolower(y); });
            });
            r.json["headers"] = multi(headers);
            r.json["cookies"] = multi(q->cookies());
            // Parts by name, in name order (WireMock keeps them in a sorted map).
            J parts = J::object();
            std::vector<const WmRequest::Part*> sortedParts;
            for (const auto& p : q->parts()) sortedParts.push_back(&p);
            std::stable_sort(sortedParts.begin(), sortedParts.end(),
                             [](const auto* a, const auto* b) { return a->name < b->name; });
            for (const WmRequest::Part* part : sortedParts) {
                const WmRequest::Part& p = *part;
                J h = J::object();
                for (const auto& [k, v] : p.headers) h[k] = v;
                parts[p.name] = {{"name", p.name},
                                 {"headers", h},
                                 {"body", p.body},
                                 {"bodyAsBase64", core::base64Encode(p.body)}};
            }
            r.json["parts"] = std::move(parts);
            r.json["multipart"] = q->isMultipart();
        }
        r.requestRoot = true;
        request_ = std::move(r);
        return *request_;
    }

    // ---- calls

    using Helper = std::function<Value(Renderer&, const std::vector<Value>&, const Hash&)>;

    Value call(const Call& c) {
        const Expr& head = *c.head;
        if (head.kind == Expr::Kind::Path && !head.data && head.up == 0 &&
            head.segments.size() == 1) {
            if (auto h = helpers().find(head.segments[0]); h != helpers().end()) {
                std::vector<Value> params;
                params.reserve(c.params.size());
                for (const auto& p : c.params) params.push_back(eval(*p));
                Hash hash;
                for (const auto& [k, v] : c.hash) hash.emplace_back(k, eval(*v));
                return h->second(*this, params, hash);
            }
        }
        if ((!c.params.empty() || !c.hash.empty()) && head.kind == Expr::Kind::Path)
            throw TemplateError("could not find helper: '" + head.text + "'", 1, 1);
        return eval(head);
    }

    Value eval(const Expr& e) {
        switch (e.kind) {
            case Expr::Kind::Literal:
                return Value::of(e.literal);
            case Expr::Kind::Sub:
                return call(e.sub);
            case Expr::Kind::Path: {
                auto v = lookup(e);
                return v ? *v : Value{};
            }
        }
        return Value{};
    }

    void block(const Node& n, std::string& out) {
        const Call& c = n.call;
        const Expr& head = *c.head;
        const std::string name =
            head.segments.size() == 1 && !head.data && head.up == 0 ? head.segments[0] : "";
        auto param = [&](size_t i) { return i < c.params.size() ? eval(*c.params[i]) : Value{}; };
        if (name == "each") {
            Value list = param(0);
            bool any = false;
            auto run = [&](Value item, J data) {
                any = true;
                Frame f;
                f.value = std::move(item);
                f.data = std::move(data);
                stack_.push_back(std::move(f));
                render(n.body, out);
                stack_.pop_back();
            };
            if (list.json.is_array()) {
                const size_t size = list.json.size();
                for (size_t i = 0; i < size && out.size() <= kMaxOutput; ++i)
                    run(Value::of(list.json[i]),
                        {{"index", i}, {"first", i == 0}, {"last", i + 1 == size}});
            } else if (list.json.is_object()) {
                size_t i = 0;
                const size_t size = list.json.size();
                for (const auto& [k, v] : list.json.items()) {
                    if (out.size() > kMaxOutput) break;
                    Value item = Value::of(v);
                    if (list.multiMap && v.is_array() && !v.empty())
                        item.display = print(Value::of(v[0]));
                    run(std::move(item),
                        {{"key", k}, {"index", i}, {"first", i == 0}, {"last", i + 1 == size}});
                    ++i;
                }
            }
            if (!any) render(n.inverse, out);
            return;
        }
        if (name == "with") {
            Value v = param(0);
            if (!truthy(v)) {
                render(n.inverse, out);
                return;
            }
            Frame f;
            f.value = std::move(v);
            stack_.push_back(std::move(f));
            render(n.body, out);
            stack_.pop_back();
            return;
        }
        if (name == "assign") {
            std::string text;
            render(n.body, text);
            vars_[print(param(0))] = Value::text(std::move(text));
            return;
        }
        static const std::unordered_map<std::string, int> kBlockInput = {
            {"jsonMerge", 1}, {"jsonArrayAdd", 1}, {"parseJson", 0}, {"formatJson", 0},
            {"formatXml", 0}, {"trim", 0},         {"base64", 0}};
        if (auto bi = kBlockInput.find(name); bi != kBlockInput.end()) {
            // The block's text is the helper's input (or, last, the JSON to merge / to add).
            std::string text;
            render(n.body, text);
            std::vector<Value> params;
            for (const auto& e : c.params) params.push_back(eval(*e));
            params.insert(bi->second ? params.end() : params.begin(), Value::text(std::move(text)));
            Hash hash;
            for (const auto& [k, v] : c.hash) hash.emplace_back(k, eval(*v));
            out += print(helpers().at(name)(*this, params, hash));
            return;
        }
        static const std::unordered_map<std::string, bool> kSections = {
            {"eq", true},    {"neq", true},       {"gt", true},       {"gte", true},
            {"lt", true},    {"lte", true},       {"and", true},      {"or", true},
            {"not", true},   {"contains", false}, {"matches", false}, {"isEven", false},
            {"isOdd", false}};
        if (helpers().contains(name) && !n.inverted) {
            // Conditionals take {{else}}; contains/matches/isEven/isOdd render their block or
            // nothing; any other helper prints its value and ignores the block.
            Value v = call(c);
            auto sec = kSections.find(name);
            if (sec == kSections.end())
                out += print(v);
            else if (truthy(v))
                render(n.body, out);
            else if (sec->second)
                render(n.inverse, out);
            return;
        }
        bool yes;
        if (name == "if") {
            yes = truthy(param(0));
        } else if (name == "unless") {
            yes = !truthy(param(0));
        } else {
            Value v = call(c);
            yes = truthy(v);
            if (!helpers().contains(name) && n.inverted == false && truthy(v) &&
                (v.json.is_object() || v.json.is_array())) {
                // A plain value block: iterate a list, or enter an object (Mustache sections).
                if (v.json.is_array()) {
                    for (const auto& item : v.json) {
                        Frame f;
                        f.value = Value::of(item);
                        stack_.push_back(std::move(f));
                        render(n.body, out);
                        stack_.pop_back();
                    }
                } else {
                    Frame f;
                    f.value = v;
                    stack_.push_back(std::move(f));
                    render(n.body, out);
                    stack_.pop_back();
                }
                return;
            }
        }
        if (n.inverted) yes = !yes;
        render(yes ? n.body : n.inverse, out);
    }

    using HelperMap = std::unordered_map<std::string, Helper>;
    static const HelperMap& helpers();
    static void addConditionalHelpers(HelperMap& map);
    static void addStringHelpers(HelperMap& map);
    static void addFormattingHelpers(HelperMap& map);
    static void addMatchingHelpers(HelperMap& map);
    static void addEncodingHelpers(HelperMap& map);
    static void addJsonHelpers(HelperMap& map);
    static void addXmlHelpers(HelperMap& map);
    static void addListHelpers(HelperMap& map);
    static void addVariableHelpers(HelperMap& map);
    static void addSystemHelpers(HelperMap& map);
    static void addRandomHelpers(HelperMap& map);
    static void addDateHelpers(HelperMap& map);
    static void addMathHelpers(HelperMap& map);

    const TemplateInput& in_;
    std::vector<Frame> stack_;
    std::unordered_map<std::string, Value> vars_;
    std::optional<Value> request_;
    int depth_ = 0;
};

// ------------------------------------------------------------------------------------ helpers

std::string str(const std::vector<Value>& p, size_t i) {
    return i < p.size() ? print(p[i]) : std::string();
}

bool equalValues(const Value& a, const Value& b) {
    if (a.opaque || b.opaque) return false;
    if (a.json.is_number() && b.json.is_number())
        return a.json.get<double>() == b.json.get<double>();
    if (a.json.is_string() && b.json.is_string()) return a.json == b.json;
    if (a.json.type() != b.json.type() && !(a.display || b.display)) return false;
    return print(a) == print(b);
}

int compareValues(const Value& a, const Value& b) {
    auto x = number(a), y = number(b);
    if (x && y) return *x < *y ? -1 : (*x > *y ? 1 : 0);
    std::string s = print(a), t = print(b);
    return s < t ? -1 : (s > t ? 1 : 0);
}

J jsonOf(const Value& v, bool* ok) {
    *ok = true;
    if (v.json.is_object() || v.json.is_array()) return v.json;
    std::string s = print(v);
    // Printing and JSONPath recurse: documents nested deeper than any real body are refused.
    if (!core::jsonDepthWithin(s, core::kMaxJsonDepth)) {
        *ok = false;
        return J();
    }
    J out = J::parse(s, nullptr, false);
    if (out.is_discarded()) *ok = false;
    return out;
}

std::string randomChars(size_t n, std::string_view alphabet) {
    std::string out;
    std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
    for (size_t i = 0; i < n; ++i) out += alphabet[pick(rng())];
    return out;
}

std::string uuid4() {
    std::uniform_int_distribution<int> hex(0, 15);
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 36; ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            out += '-';
        else if (i == 14)
            out += '4';
        else if (i == 19)
            out += kHex[8 + hex(rng()) % 4];
        else
            out += kHex[hex(rng())];
    }
    return out;
}

std::string urlEncode(std::string_view s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '*') {
            out += static_cast<char>(c);
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

// ---- Java text formatting (Handlebars.java's string helpers run on java.util.Formatter,
// DecimalFormat and commons-lang's padding)

constexpr size_t kMaxPad = size_t{1} << 20;  // a width or size beyond this is clamped

std::string utf8Char(uint32_t c) {
    std::string o;
    if (c < 0x80) {
        o += static_cast<char>(c);
    } else if (c < 0x800) {
        o += static_cast<char>(0xC0 | (c >> 6));
        o += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        o += static_cast<char>(0xE0 | (c >> 12));
        o += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        o += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        o += static_cast<char>(0xF0 | ((c >> 18) & 0x07));
        o += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        o += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        o += static_cast<char>(0x80 | (c & 0x3F));
    }
    return o;
}

[[noreturn]] void javaThrow(const std::string& what) { throw TemplateRuntimeError(what); }

std::string javaType(const Value& v) {
    const J& j = v.json;
    if (j.is_string()) return "java.lang.String";
    if (j.is_boolean()) return "java.lang.Boolean";
    if (j.is_number_float()) return "java.lang.Double";
    if (j.is_number()) return "java.lang.Integer";
    if (j.is_array()) return "java.util.ArrayList";
    return "java.util.LinkedHashMap";
}

// commons-lang StringUtils.leftPad / rightPad with a (possibly multi-character) pad.
std::string padText(std::string s, size_t size, std::string pad, bool left) {
    if (pad.empty()) pad = " ";
    size = std::min(size, kMaxPad);
    if (s.size() >= size) return s;
    std::string fill;
    while (fill.size() < size - s.size()) fill += pad;
    fill.resize(size - s.size());
    return left ? fill + s : s + fill;
}

// `v` with `frac` fraction digits, rounded half-up from its shortest decimal form (Formatter).
std::string halfUpFixed(double v, int frac) {
    char buf[400];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::fixed);
    std::string s(buf, ec == std::errc() ? p : buf);
    size_t dot = s.find('.');
    if (dot == std::string::npos) dot = s.size();
    std::string digits = s.substr(0, dot) + (dot < s.size() ? s.substr(dot + 1) : "");
    size_t intLen = dot, keep = intLen + static_cast<size_t>(frac);
    if (digits.size() < keep + 1) digits.resize(keep + 1, '0');
    const bool up = digits[keep] >= '5';
    digits.resize(keep);
    if (up) {
        size_t i = keep;
        while (i > 0 && digits[i - 1] == '9') digits[--i] = '0';
        if (i == 0) {
            digits.insert(0, "1");
            ++intLen;
        } else {
            ++digits[i - 1];
        }
    }
    std::string out = (std::signbit(v) ? "-" : "") + digits.substr(0, intLen);
    if (frac > 0) out += "." + digits.substr(intLen);
    return out;
}

void groupDigits(std::string& intPart, size_t group) {
    if (group == 0 || intPart.size() <= group) return;
    std::string out;
    out.reserve(intPart.size() + intPart.size() / group);
    const size_t head = intPart.size() % group == 0 ? group : intPart.size() % group;
    out.append(intPart, 0, head);
    for (size_t i = head; i < intPart.size(); i += group) {
        out += ',';
        out.append(intPart, i, group);
    }
    intPart = std::move(out);
}

// java.util.Formatter: %[index$][flags][width][.precision]conversion for s S b B c d x X o f e E
// g G % n. A wrong argument type or a missing argument throws, as Java does (WireMock: a 500).
std::string javaFormat(const std::string& f, const std::vector<Value>& args, size_t first) {
    std::string out;
    size_t next = first;
    for (size_t i = 0; i < f.size(); ++i) {
        if (f[i] != '%') {
            out += f[i];
            continue;
        }
        size_t j = i + 1;
        auto readInt = [&](size_t& k) {
            size_t n = 0;
            while (k < f.size() && std::isdigit(static_cast<unsigned char>(f[k])))
                n = std::min<size_t>(n * 10 + static_cast<size_t>(f[k++] - '0'), kMaxPad);
            return n;
        };
        std::optional<size_t> index;
        {
            size_t k = j;
            size_t n = readInt(k);
            if (k > j && k < f.size() && f[k] == '$') index = n, j = k + 1;
        }
        std::string flags;
        while (j < f.size() && std::strchr("-#+ 0,(", f[j]) && f[j] != '\0') flags += f[j++];
        const size_t width = readInt(j);
        std::optional<size_t> prec;
        if (j < f.size() && f[j] == '.') {
            ++j;
            prec = readInt(j);
        }
        if (j >= f.size())
            javaThrow("java.util.UnknownFormatConversionException: Conversion = '%'");
        const char conv = f[j];
        i = j;
        auto has = [&](char c) { return flags.find(c) != std::string::npos; };
        std::string text;
        bool numeric = false;
        if (conv == 'n') {
            out += '\n';
            continue;
        }
        if (conv == '%') {
            text = "%";
        } else {
            if (!std::strchr("sSbBcdxXofeEgGhH", conv))
                javaThrow(
                    std::string("java.util.UnknownFormatConversionException: Conversion = '") +
                    conv + "'");
            const size_t at = index ? first + *index - 1 : next++;
            if (at >= args.size() || (index && *index == 0))
                javaThrow(
                    std::string("java.util.MissingFormatArgumentException: Format specifier '%") +
                    conv + "'");
            const Value& v = args[at];
            const J& a = v.json;
            const bool isNull = a.is_null() && !v.dateMs && !v.display;
            auto badType = [&] {
                javaThrow(std::string("java.util.IllegalFormatConversionException: ") + conv +
                          " != " + javaType(v));
            };
            const char lc = static_cast<char>(std::tolower(static_cast<unsigned char>(conv)));
            if (lc == 's' || lc == 'h') {
                text = isNull ? "null" : print(v);
                if (prec && text.size() > *prec) text.resize(*prec);
            } else if (lc == 'b') {
                text = isNull ? "false"
                              : (a.is_boolean() ? (a.get<bool>() ? "true" : "false") : "true");
            } else if (isNull) {
                text = "null";
            } else if (lc == 'c') {
                if (!a.is_number_integer()) badType();
                text = utf8Char(static_cast<uint32_t>(a.get<int64_t>()));
            } else if (lc == 'd' || lc == 'x' || lc == 'o') {
                if (!a.is_number_integer()) badType();
                numeric = true;
                const int64_t n = a.get<int64_t>();
                const bool narrow = n >= INT32_MIN && n <= INT32_MAX;
                if (lc == 'd') {
                    std::string digits =
                        std::to_string(n < 0 ? -(n + 1) + uint64_t{1} : uint64_t(n));
                    if (has(',')) groupDigits(digits, 3);
                    if (n < 0)
                        text = has('(') ? "(" + digits + ")" : "-" + digits;
                    else
                        text = (has('+') ? "+" : has(' ') ? " " : "") + digits;
                } else {
                    const uint64_t u = narrow ? uint64_t(uint32_t(int32_t(n))) : uint64_t(n);
                    char buf[32];
                    std::snprintf(buf, sizeof buf, lc == 'x' ? "%llx" : "%llo",
                                  static_cast<unsigned long long>(u));
                    text = buf;
                    if (has('#')) text.insert(0, lc == 'x' ? "0x" : "0");
                }
            } else {
                if (!a.is_number_float()) badType();
                numeric = true;
                const double d = a.get<double>();
                const int p = static_cast<int>(std::min<size_t>(prec.value_or(6), 300));
                if (lc == 'f') {
                    text = halfUpFixed(d, p);
                    if (has(',')) {
                        const size_t s = text[0] == '-' ? 1 : 0, dot = text.find('.');
                        std::string ip =
                            text.substr(s, dot == std::string::npos ? std::string::npos : dot - s);
                        groupDigits(ip, 3);
                        text = text.substr(0, s) + ip +
                               (dot == std::string::npos ? "" : text.substr(dot));
                    }
                } else {
                    char buf[400];
                    std::snprintf(buf, sizeof buf, lc == 'e' ? "%.*e" : "%.*g", p, d);
                    text = buf;
                }
                if (d >= 0 && has('+'))
                    text.insert(0, "+");
                else if (d >= 0 && has(' '))
                    text.insert(0, " ");
                else if (d < 0 && has('('))
                    text = "(" + text.substr(1) + ")";
            }
            if (std::isupper(static_cast<unsigned char>(conv)))
                for (auto& c : text)
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        if (text.size() < width) {
            if (has('-')) {
                text.append(width - text.size(), ' ');
            } else if (has('0') && numeric) {
                size_t s =
                    (text[0] == '-' || text[0] == '+' || text[0] == ' ' || text[0] == '(') ? 1 : 0;
                if (text.compare(s, 2, "0x") == 0) s += 2;
                text.insert(s, width - text.size(), '0');
            } else {
                text.insert(0, width - text.size(), ' ');
            }
        }
        out += text;
        if (out.size() > kMaxPad * 16) break;
    }
    return out;
}

// java.text.DecimalFormat: the settings the numberFormat helper can give it.
struct NumberStyle {
    int minInt = 1, maxInt = 1 << 30, minFrac = 0, maxFrac = 3;
    size_t group = 3;
    bool grouping = true;
    std::string prefix, suffix;
    int multiplier = 1;
};

NumberStyle numberPattern(std::string_view pat) {
    NumberStyle s;
    pat = pat.substr(0, pat.find(';'));
    const size_t a = pat.find_first_of("#0,."), b = pat.find_last_of("#0,.");
    auto affix = [&](std::string_view t) {
        std::string o;
        for (char c : t)
            if (c != '\'') o += c;
        if (o.find('%') != std::string::npos) s.multiplier = 100;
        if (o.find("\xE2\x80\xB0") != std::string::npos) s.multiplier = 1000;
        return o;
    };
    if (a == std::string_view::npos) {
        s.prefix = affix(pat);
        s.minInt = 0;
        s.maxFrac = 0;
        s.grouping = false;
        return s;
    }
    s.prefix = affix(pat.substr(0, a));
    s.suffix = affix(pat.substr(b + 1));
    std::string_view core = pat.substr(a, b - a + 1);
    const size_t dot = core.find('.');
    std::string_view ip = core.substr(0, dot),
                     fp = dot == std::string_view::npos ? "" : core.substr(dot + 1);
    s.minInt = static_cast<int>(std::count(ip.begin(), ip.end(), '0'));
    const size_t comma = ip.rfind(',');
    s.grouping = comma != std::string_view::npos;
    s.group = s.grouping ? ip.size() - comma - 1 : 0;
    s.minFrac = static_cast<int>(std::count(fp.begin(), fp.end(), '0'));
    s.maxFrac = s.minFrac + static_cast<int>(std::count(fp.begin(), fp.end(), '#'));
    return s;
}

std::string formatNumber(const J& n, const NumberStyle& s) {
    const double v = n.get<double>() * s.multiplier;
    std::string digits;
    if (n.is_number_integer() && s.multiplier == 1) {
        const int64_t i = n.get<int64_t>();
        digits = std::to_string(i < 0 ? -(i + 1) + uint64_t{1} : uint64_t(i));
    } else {
        char buf[400];
        std::snprintf(buf, sizeof buf, "%.*f", std::min(s.maxFrac, 340), std::fabs(v));
        digits = buf;
    }
    const size_t dot = digits.find('.');
    std::string ip = digits.substr(0, dot),
                fp = dot == std::string::npos ? "" : digits.substr(dot + 1);
    while (fp.size() > static_cast<size_t>(s.minFrac) && fp.back() == '0') fp.pop_back();
    ip.erase(0, std::min(ip.find_first_not_of('0'), ip.size()));
    if (ip.size() > static_cast<size_t>(s.maxInt))
        ip.erase(0, ip.size() - static_cast<size_t>(s.maxInt));
    if (ip.size() < static_cast<size_t>(s.minInt))
        ip.insert(0, static_cast<size_t>(s.minInt) - ip.size(), '0');
    if (ip.empty() && fp.empty()) ip = "0";
    if (s.grouping) groupDigits(ip, s.group);
    return (std::signbit(v) && v != 0 ? "-" : "") + s.prefix + ip + (fp.empty() ? "" : "." + fp) +
           s.suffix;
}

// commons-lang WordUtils.wrap(text, length) on spaces, long words left whole.
std::string wordWrap(const std::string& s, size_t len) {
    len = std::max<size_t>(len, 1);
    std::string out;
    size_t off = 0;
    const size_t n = s.size();
    while (off < n) {
        const size_t end = std::min(off + len + 1, n);
        size_t first = s.find(' ', off);
        if (first != std::string::npos && first >= end) first = std::string::npos;
        if (first == off) {
            ++off;
            continue;
        }
        if (n - off <= len) break;
        size_t at = std::string::npos;
        if (first != std::string::npos) {
            at = s.rfind(' ', end - 1);
            if (at < off) at = std::string::npos;
        }
        if (at == std::string::npos) at = s.find(' ', off + len);
        if (at == std::string::npos) {
            out += s.substr(off);
            off = n;
            break;
        }
        out += s.substr(off, at - off) + "\n";
        off = at + 1;
    }
    if (off < n) out += s.substr(off);
    return out;
}

// ---- JSON editing (jsonMerge, jsonRemove, jsonArrayAdd): WireMock's messages on bad input.

// Parses a string parameter; sets `err` to "<what> must be a string" / "<what> is not valid JSON".
std::optional<J> jsonParam(const std::vector<Value>& p, size_t i, const std::string& what,
                           const std::string& typeMsg, std::string& err) {
    if (i >= p.size() || !p[i].json.is_string()) {
        err = typeMsg;
        return std::nullopt;
    }
    const std::string& s = p[i].json.get_ref<const std::string&>();
    J j = core::jsonDepthWithin(s, core::kMaxJsonDepth) ? J::parse(s, nullptr, false)
                                                        : J(J::value_t::discarded);
    if (j.is_discarded()) {
        err = what + " is not valid JSON ('" + s + "')";
        return std::nullopt;
    }
    return j;
}

// The JSON pointers (in `ordered`) of the nodes a JSON path selects, deepest and last first.
std::vector<nlohmann::json::json_pointer> jsonPathPointers(const J& ordered,
                                                           const std::string& expr) {
    std::vector<nlohmann::json::json_pointer> out;
    auto path = core::JsonPath::compile(expr, nullptr, core::JsonPath::Dialect::Jayway);
    if (!path) return out;
    const nlohmann::json plain = nlohmann::json::parse(ordered.dump());
    std::vector<const nlohmann::json*> found;
    path->evaluate(plain, found);
    if (found.empty()) return out;
    std::unordered_map<const nlohmann::json*, nlohmann::json::json_pointer> where;
    std::vector<std::pair<const nlohmann::json*, nlohmann::json::json_pointer>> todo = {
        {&plain, nlohmann::json::json_pointer()}};
    while (!todo.empty()) {
        auto [node, ptr] = todo.back();
        todo.pop_back();
        where.emplace(node, ptr);
        if (node->is_object())
            for (const auto& [k, v] : node->items()) todo.emplace_back(&v, ptr / k);
        else if (node->is_array())
            for (size_t i = 0; i < node->size(); ++i) todo.emplace_back(&(*node)[i], ptr / i);
    }
    for (const auto* f : found)
        if (auto it = where.find(f); it != where.end()) out.push_back(it->second);
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        const std::string sa = a.to_string(), sb = b.to_string();
        const auto da = std::count(sa.begin(), sa.end(), '/'),
                   db = std::count(sb.begin(), sb.end(), '/');
        if (da != db) return da > db;
        if (a.parent_pointer() == b.parent_pointer() && !a.empty() && !b.empty()) {
            size_t ia = 0, ib = 0;
            const std::string& ka = a.back();
            const std::string& kb = b.back();
            auto [p1, e1] = std::from_chars(ka.data(), ka.data() + ka.size(), ia);
            auto [p2, e2] = std::from_chars(kb.data(), kb.data() + kb.size(), ib);
            if (e1 == std::errc() && e2 == std::errc()) return ia > ib;
        }
        return false;
    });
    return out;
}

void jsonMergeInto(J& base, const J& add, int depth) {
    for (const auto& [k, v] : add.items()) {
        if (depth < core::kMaxJsonDepth && v.is_object() && base.contains(k) && base[k].is_object())
            jsonMergeInto(base[k], v, depth + 1);
        else
            base[k] = v;
    }
}

void jsonRemoveNulls(J& j, int depth) {
    if (depth > core::kMaxJsonDepth) return;
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end();) {
            if (it->is_null()) {
                it = j.erase(it);
            } else {
                jsonRemoveNulls(*it, depth + 1);
                ++it;
            }
        }
    } else if (j.is_array()) {
        for (auto& x : j) jsonRemoveNulls(x, depth + 1);
    }
}

// center / ljust / rjust: Handlebars.java's, on commons-lang padding (size= required).
Value padHelper(const std::vector<Value>& p, const Hash& h, int mode) {
    if (p.empty() || !truthy(p[0])) return Value::text(p.size() > 1 ? print(p[1]) : "");
    const Value* size = hashGet(h, "size");
    if (!size || size->json.is_null())
        javaThrow("java.lang.NullPointerException: found 'null', expected 'size'");
    if (!size->json.is_number_integer())
        javaThrow("java.lang.ClassCastException: class " + javaType(*size) +
                  " cannot be cast to class java.lang.Integer");
    const int64_t n = size->json.get<int64_t>();
    const std::string s = print(p[0]), pad = hashText(h, "pad", " ");
    const size_t want = static_cast<size_t>(std::clamp<int64_t>(n, 0, kMaxPad));
    if (mode == 1) return Value::text(padText(s, want, pad, false));
    if (mode == 2) return Value::text(padText(s, want, pad, true));
    if (want <= s.size()) return Value::text(s);
    return Value::text(
        padText(padText(s, s.size() + (want - s.size()) / 2, pad, true), want, pad, false));
}

// xPath / soapXPath: one result prints as itself, several iterate (and print the first).
Value xpathHelper(const std::vector<Value>& p, const Hash& h, const std::string& prefix) {
    const std::string xml = str(p, 0), expr = str(p, 1);
    XPathResult r = xpathValues(xml, prefix + expr);
    if (r.status == XPathResult::Status::BadXml) return error(xml + " is not valid XML");
    if (r.status == XPathResult::Status::BadXPath)
        return error(expr + " is not a valid XPath expression");
    if (r.values.empty()) {
        if (const Value* d = hashGet(h, "default")) return *d;
        return Value::text("");
    }
    if (r.values.size() == 1) return Value::text(std::move(r.values[0]));
    Value v;
    v.json = J::array();
    for (auto& s : r.values) v.json.push_back(std::move(s));
    v.display = v.json[0].get<std::string>();
    return v;
}

void Renderer::addConditionalHelpers(HelperMap& map) {
    using P = const std::vector<Value>&;
    using H = const Hash&;
    map.insert({
        {"eq",
         [](Renderer&, P p, H) { return Value::of(p.size() >= 2 && equalValues(p[0], p[1])); }},
        {"neq",
         [](Renderer&, P p, H) { return Value::of(!(p.size() >= 2 && equalValues(p[0], p[1]))); }},
        {"gt", [](Renderer&, P p,
                  H) { return Value::of(p.size() >= 2 && compareValues(p[0], p[1]) > 0); }},
        {"gte", [](Renderer&, P p,
                   H) { return Value::of(p.size() >= 2 && compareValues(p[0], p[1]) >= 0); }},
        {"lt", [](Renderer&, P p,
                  H) { return Value::of(p.size() >= 2 && compareValues(p[0], p[1]) < 0); }},
        {"lte", [](Renderer&, P p,
                   H) { return Value::of(p.size() >= 2 && compareValues(p[0], p[1]) <= 0); }},
        {"and",
         [](Renderer&, P p, H) {
             bool all = !p.empty();
             for (const auto& v : p) all = all && truthy(v);
             return Value::of(all);
         }},
        {"or",
         [](Renderer&, P p, H) {
             bool any = false;
             for (const auto& v : p) any = any || truthy(v);
             return Value::of(any);
         }},
        {"not", [](Renderer&, P p, H) { return Value::of(p.empty() || !truthy(p[0])); }},
        // Handlebars.java's number helpers print a word (or the given one) when they hold.
        {"isEven",
         [](Renderer&, P p, H) {
             auto n = p.empty() ? std::nullopt : number(p[0]);
             bool yes = n && std::fmod(*n, 2) == 0;
             return Value::text(yes ? (p.size() > 1 ? str(p, 1) : "even") : "");
         }},
        {"isOdd",
         [](Renderer&, P p, H) {
             auto n = p.empty() ? std::nullopt : number(p[0]);
             bool yes = n && std::fmod(std::fabs(*n), 2) == 1;
             return Value::text(yes ? (p.size() > 1 ? str(p, 1) : "odd") : "");
         }},
        {"lookup",
         [](Renderer&, P p, H) {
             if (p.size() < 2) return Value{};
             Value map = p[0];
             auto m = member(map, print(p[1]));
             return m ? *m : Value{};
         }},
    });
}

void Renderer::addStringHelpers(HelperMap& map) {
    using P = const std::vector<Value>&;
    using H = const Hash&;
    map.insert({
        {"upper",
         [](Renderer&, P p, H) {
             std::string s = str(p, 0);
             for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
             return Value::text(s);
         }},
        {"lower",
         [](Renderer&, P p, H) {
             std::string s = str(p, 0);
             for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
             return Value::text(s);
         }},
        {"capitalize",
         [](Renderer&, P p, H h) {
             std::string s = str(p, 0);
             const bool fully = hashText(h, "fully") == "true";
             bool start = true;
             for (auto& c : s) {
                 if (std::isspace(static_cast<unsigned char>(c))) {
                     start = true;
                 } else if (start) {
                     c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                     start = false;
                 } else if (fully) {
                     c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                 }
             }
             return Value::text(s);
         }},
        {"capitalizeFirst",
         [](Renderer&, P p, H) {
             std::string s = str(p, 0);
             if (!s.empty())
                 s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
             return Value::text(s);
         }},
        {"trim",
         [](Renderer&, P p, H) {
             std::string s = str(p, 0);
             size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
             return Value::text(b == std::string::npos ? "" : s.substr(b, e - b + 1));
         }},
        {"replace",
         [](Renderer&, P p, H) {
             std::string s = str(p, 0), a = str(p, 1), b = str(p, 2);
             if (a.empty()) return Value::text(s);
             std::string out;
             for (size_t i = 0;;) {
                 size_t f = s.find(a, i);
                 out += s.substr(i, f == std::string::npos ? std::string::npos : f - i);
                 if (f == std::string::npos) break;
                 out += b;
                 i = f + a.size();
             }
             return Value::text(out);
         }},
        {"substring",
         [](Renderer&, P p, H) {
             std::string s = str(p, 0);
             auto a = p.size() > 1 ? number(p[1]) : std::nullopt;
             auto b = p.size() > 2 ? number(p[2]) : std::nullopt;
             size_t from = a ? std::min(s.size(), static_cast<size_t>(std::max(0.0, *a))) : 0;
             size_t to = b ? std::min(s.size(), static_cast<size_t>(std::max(0.0, *b))) : s.size();
             return Value::text(to > from ? s.substr(from, to - from) : "");
         }},
        {"abbreviate",
         [](Renderer&, P p, H) {
             std::string s = str(p, 0);
             auto n = p.size() > 1 ? number(p[1]) : std::nullopt;
             if (!n || s.size() <= *n || *n < 4) return Value::text(s);
             return Value::text(s.substr(0, static_cast<size_t>(*n) - 3) + "...");
         }},
        {"yesno",
         [](Renderer&, P p, H h) {
             if (p.empty() || p[0].json.is_null())
                 return Value::text(hashText(h, "maybe", "maybe"));
             return Value::text(truthy(p[0]) ? hashText(h, "yes", "yes") : hashText(h, "no", "no"));
         }},
        {"stripTags",
         [](Renderer&, P p, H) {
             std::string s = str(p, 0), out;
             bool tag = false;
             for (char c : s) {
                 if (c == '<')
                     tag = true;
                 else if (c == '>')
                     tag = false;
                 else if (!tag)
                     out += c;
             }
             return Value::text(out);
         }},
        {"cut",
         [](Renderer&, P p, H) {
             std::string s = str(p, 0), a = p.size() > 1 ? str(p, 1) : " ", out;
             if (a.empty()) return Value::text(s);
             for (size_t i = 0; i < s.size();) {
                 if (s.compare(i, a.size(), a) == 0)
                     i += a.size();
                 else
                     out += s[i++];
             }
             return Value::text(out);
         }},
        {"join",
         [](Renderer&, P p, H h) {
             // {{join list sep}} or {{join a b c sep}}: Handlebars.java's join (a list joins
             // alone).
             if (p.empty() || p.size() < 2 || !p.back().json.is_string())
                 javaThrow(
                     "java.lang.NullPointerException: found 'null', expected 'separator' at "
                     "param[" +
                     std::to_string(static_cast<long>(p.size()) - 2) + "]");
             if (!truthy(p[0])) return Value::text("");
             const std::string sep = print(p.back());
             std::vector<Value> items;
             if (p[0].json.is_array()) {
                 for (const auto& x : p[0].json) items.push_back(Value::of(x));
             } else {
                 items.assign(p.begin(), p.end() - 1);
             }
             std::string out = hashText(h, "prefix");
             for (size_t i = 0; i < items.size() && out.size() <= kMaxPad * 16; ++i)
                 out += (i ? sep : "") + print(items[i]);
             return Value::text(out + hashText(h, "suffix"));
         }},
    });
}

void Renderer::addFormattingHelpers(HelperMap& map) {
    using P = const std::vector<Value>&;
    using H = const Hash&;
    map.insert({
        {"center", [](Renderer&, P p, H h) { return padHelper(p, h, 0); }},
        {"ljust", [](Renderer&, P p, H h) { return padHelper(p, h, 1); }},
        {"rjust", [](Renderer&, P p, H h) { return padHelper(p, h, 2); }},
        {"slugify",
         [](Renderer&, P p, H) {
             if (p.empty() || !truthy(p[0])) return Value::text(str(p, 1));
             std::string s = print(p[0]), out;
             size_t b = 0, e = s.size();
             while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
             while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
             for (size_t i = b; i < e; ++i) {
                 const unsigned char c = static_cast<unsigned char>(s[i]);
                 if (std::isalpha(c) || c >= 0x80)
                     out += static_cast<char>(std::tolower(c));
                 else if (std::isspace(c))
                     out += '-';
             }
             return Value::text(out);
         }},
        {"wordWrap",
         [](Renderer&, P p, H) {
             if (p.empty() || !truthy(p[0])) return Value::text(str(p, 1));
             if (p.size() < 2 || p[1].json.is_null())
                 javaThrow("java.lang.NullPointerException: found 'null', expected 'length'");
             if (!p[1].json.is_number_integer())
                 javaThrow("java.lang.ClassCastException: expected an Integer length");
             return Value::text(wordWrap(
                 print(p[0]), static_cast<size_t>(std::max<int64_t>(1, p[1].json.get<int64_t>()))));
         }},
        {"stringFormat",
         [](Renderer&, P p, H) {
             if (p.empty() || !truthy(p[0])) return Value::text(str(p, 1));
             return Value::text(javaFormat(print(p[0]), p, 1));
         }},
        {"numberFormat",
         [](Renderer&, P p, H h) {
             if (p.empty() || !p[0].json.is_number() || p[0].dateMs) return Value::text(str(p, 1));
             NumberStyle s;
             std::string style = p.size() > 1 ? print(p[1]) : "";
             std::string upper = style;
             for (auto& c : upper)
                 c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
             if (upper == "INTEGER") {
                 s.maxFrac = 0;
             } else if (upper == "CURRENCY") {
                 s.prefix = "\xC2\xA4";
                 s.minFrac = s.maxFrac = 2;
             } else if (upper == "PERCENT") {
                 s.multiplier = 100;
                 s.maxFrac = 0;
                 s.suffix = "%";
             } else if (!style.empty() && upper != "DEFAULT") {
                 s = numberPattern(style);
             }
             auto opt = [&](const char* k) -> std::optional<int> {
                 const Value* v = hashGet(h, k);
                 auto n = v ? number(*v) : std::nullopt;
                 if (!n) return std::nullopt;
                 return static_cast<int>(std::clamp(*n, 0.0, 340.0));
             };
             if (const Value* g = hashGet(h, "groupingUsed"))
                 s.grouping = truthy(*g) && print(*g) != "false";
             if (auto n = opt("maximumFractionDigits"))
                 s.maxFrac = *n, s.minFrac = std::min(s.minFrac, *n);
             if (auto n = opt("maximumIntegerDigits"))
                 s.maxInt = *n, s.minInt = std::min(s.minInt, *n);
             if (auto n = opt("minimumFractionDigits"))
                 s.minFrac = *n, s.maxFrac = std::max(s.maxFrac, *n);
             if (auto n = opt("minimumIntegerDigits"))
                 s.minInt = *n, s.maxInt = std::max(s.maxInt, *n);
             return Value::text(formatNumber(p[0].json, s));
         }},
        {"dateFormat",
         [](Renderer&, P p, H h) {
             if (p.empty() || !truthy(p[0])) return Value::text(str(p, 1));
             if (!p[0].dateMs)
                 javaThrow(
                     "java.lang.IllegalArgumentException: found instance of String with value '" +
                     print(p[0]) + "', but expected instance of TemporalAccessor");
             std::string f = p.size() > 1 ? print(p[1]) : hashText(h, "format", "medium");
             if (f == "full")
                 f = "EEEE, MMMM d, y";
             else if (f == "long")
                 f = "MMMM d, y";
             else if (f == "medium")
                 f = "MMM d, y";
             else if (f == "short")
                 f = "M/d/yy";
             return Value::text(formatDate(*p[0].dateMs, f, zoneOffset(hashText(h, "tz"))));
         }},
    });
}

void Renderer::addMatchingHelpers(HelperMap& map) {
    using P = const std::vector<Value>&;
    using H = const Hash&;
    map.insert({
        {"contains",
         [](Renderer&, P p, H) {
             if (p.size() < 2 || p[0].opaque) return Value::of(false);
             if (p[0].json.is_array()) {
                 for (const auto& x : p[0].json)
                     if (equalValues(Value::of(x), p[1])) return Value::of(true);
                 return Value::of(false);
             }
             return Value::of(print(p[0]).find(print(p[1])) != std::string::npos);
         }},
        {"matches",
         [](Renderer&, P p, H) {
             std::string err;
             auto re = match::Regex::compile(str(p, 1), &err);
             return Value::of(re && re->fullMatch(str(p, 0)));
         }},
        {"regexExtract",
         [](Renderer& r, P p, H h) {
             std::string err;
             auto re = match::Regex::compile(str(p, 1), &err);
             if (!re) return error("invalid regex: " + err);
             std::string text = str(p, 0);
             if (p.size() > 2) {
                 // Every group of the first match, into a variable.
                 J groups = J::array();
                 for (int g = 1; g < 32; ++g) {
                     std::string one;
                     if (!re->extract(text, g, &one)) break;
                     groups.push_back(one);
                 }
                 if (groups.empty()) {
                     if (const Value* d = hashGet(h, "default")) return *d;
                     return error("Nothing matched " + str(p, 1));
                 }
                 r.vars_[str(p, 2)] = Value::of(std::move(groups));
                 return Value::text("");
             }
             std::string out;
             if (!re->extract(text, 0, &out)) {
                 if (const Value* d = hashGet(h, "default")) return *d;
                 return error("Nothing matched " + str(p, 1));
             }
             return Value::text(out);
         }},
    });
}

void Renderer::addEncodingHelpers(HelperMap& map) {
    using P = const std::vector<Value>&;
    using H = const Hash&;
    map.insert({
        {"base64",
         [](Renderer&, P p, H h) {
             std::string s = str(p, 0);
             if (hashText(h, "decode") == "true")
                 return Value::text(core::base64Decode(s).value_or(""));
             std::string out = core::base64Encode(s);
             if (hashText(h, "padding") == "false")
                 while (!out.empty() && out.back() == '=') out.pop_back();
             return Value::text(out);
         }},
        {"urlEncode",
         [](Renderer&, P p, H h) {
             std::string s = str(p, 0);
             if (hashText(h, "decode") == "true") {
                 for (auto& c : s)
                     if (c == '+') c = ' ';
                 return Value::text(match::percentDecode(s));
             }
             return Value::text(urlEncode(s));
         }},
    });
}

void Renderer::addJsonHelpers(HelperMap& map) {
    using P = const std::vector<Value>&;
    using H = const Hash&;
    map.insert({
        {"jsonPath",
         [](Renderer&, P p, H h) {
             const Value* def = hashGet(h, "default");
             bool ok = false;
             J doc = p.empty() ? J() : jsonOf(p[0], &ok);
             if (!ok) return def ? *def : error("Unable to parse JSON");
             std::string err;
             auto path = core::JsonPath::compile(str(p, 1), &err, core::JsonPath::Dialect::Jayway);
             if (!path) return def ? *def : error("Invalid JSON path: " + err);
             nlohmann::json plain = nlohmann::json::parse(doc.dump());
             std::vector<const nlohmann::json*> found;
             path->evaluate(plain, found);
             if (found.empty()) return def ? *def : Value::text("");
             // A definite path gives its value; a wildcard or filter gives the list.
             const std::string& e = path->text();
             const bool list = e.find('*') != std::string::npos ||
                               e.find("..") != std::string::npos ||
                               e.find("[?") != std::string::npos ||
                               e.find(',') != std::string::npos || e.find(':') != std::string::npos;
             Value v;
             if (list) {
                 J arr = J::array();
                 for (const auto* x : found) arr.push_back(J::parse(x->dump()));
                 v.json = std::move(arr);
             } else {
                 v.json = J::parse(found[0]->dump());
             }
             if (v.json.is_object() || v.json.is_array()) v.display = jacksonPrettyJson(v.json);
             return v;
         }},
        {"parseJson",
         [](Renderer& r, P p, H) {
             bool ok = false;
             J j = p.empty() ? J() : jsonOf(p[0], &ok);
             if (!ok) return error("Unable to parse JSON");
             Value v = Value::of(std::move(j));
             if (p.size() > 1) {
                 r.vars_[str(p, 1)] = v;
                 return Value::text("");
             }
             return v;
         }},
        {"toJson",
         [](Renderer&, P p, H) {
             if (p.empty()) return Value::text("null");
             if (p[0].dateMs) return Value::text("\"" + isoDate(*p[0].dateMs) + "\"");
             if (p[0].multiMap && p[0].json.is_object()) {
                 // A multi-value prints as its only value, or as the list of them.
                 J m = p[0].json;
                 for (auto& [k, v] : m.items())
                     if (v.is_array() && v.size() == 1) v = J(v[0]);
                 return Value::text(jacksonPrettyJson(m));
             }
             return Value::text(jacksonPrettyJson(p[0].json));
         }},
        {"formatJson",
         [](Renderer&, P p, H h) {
             bool ok = false;
             J j = p.empty() ? J() : jsonOf(p[0], &ok);
             if (!ok) return error("Input is not valid JSON");
             return Value::text(hashText(h, "format") == "compact" ? j.dump()
                                                                   : jacksonPrettyJson(j));
         }},
        {"jsonMerge",
         [](Renderer&, P p, H h) {
             std::string err;
             auto base = jsonParam(p, 0, "Base JSON", "Base JSON parameter must be a string", err);
             if (!base) return error(err);
             if (!base->is_object())
                 return error("Base JSON is not a JSON object ('" + str(p, 0) + "')");
             auto add =
                 jsonParam(p, 1, "JSON to merge", "JSON to merge parameter must be a string", err);
             if (!add) return error(err);
             if (!add->is_object())
                 return error("JSON to merge is not a JSON object ('" + str(p, 1) + "')");
             jsonMergeInto(*base, *add, 0);
             if (hashText(h, "removeNulls") == "true") jsonRemoveNulls(*base, 0);
             return Value::text(base->dump());
         }},
        {"jsonRemove",
         [](Renderer&, P p, H) {
             std::string err;
             auto doc = jsonParam(p, 0, "Input JSON string", "Input JSON must be a string", err);
             if (!doc) return error(err);
             for (const auto& ptr : jsonPathPointers(*doc, str(p, 1))) {
                 if (ptr.empty()) continue;
                 const auto parent = ptr.parent_pointer();
                 if (!doc->contains(parent)) continue;
                 J& container = (*doc)[parent];
                 if (container.is_object()) {
                     container.erase(ptr.back());
                 } else if (container.is_array()) {
                     size_t i = 0;
                     std::from_chars(ptr.back().data(), ptr.back().data() + ptr.back().size(), i);
                     if (i < container.size())
                         container.erase(container.begin() + static_cast<long>(i));
                 }
             }
             return Value::text(doc->dump());
         }},
        {"jsonArrayAdd",
         [](Renderer&, P p, H h) {
             std::string err;
             auto doc = jsonParam(p, 0, "Target JSON", "Base JSON must be a string", err);
             if (!doc) return error(err);
             auto item =
                 jsonParam(p, 1, "Item-to-add JSON", "Item-to-add JSON must be a string", err);
             if (!item) return error(err);
             J* target = doc->is_array() ? &*doc : nullptr;
             const std::string path = hashText(h, "jsonPath");
             if (!path.empty()) {
                 auto ptrs = jsonPathPointers(*doc, path);
                 target = nullptr;
                 if (!ptrs.empty() && (*doc)[ptrs.back()].is_array()) target = &(*doc)[ptrs.back()];
                 if (!target)
                     return error("Target JSON is not a JSON array (root: '" + str(p, 0) +
                                  "', jsonPath: '" + path + "')");
             } else if (!target) {
                 return error("Target JSON is not a JSON array ('" + str(p, 0) + "')");
             }
             target->push_back(std::move(*item));
             if (const Value* m = hashGet(h, "maxItems")) {
                 if (auto n = number(*m); n && *n >= 0 && *n < static_cast<double>(target->size()))
                     target->erase(target->begin(), target->end() - static_cast<long>(*n));
             }
             return Value::text(doc->dump());
         }},
    });
}

void Renderer::addXmlHelpers(HelperMap& map) {
    using P = const std::vector<Value>&;
    using H = const Hash&;
    map.insert({
        {"xPath", [](Renderer&, P p, H h) { return xpathHelper(p, h, ""); }},
        {"soapXPath", [](Renderer&, P p, H h) { return xpathHelper(p, h, "/Envelope/Body/"); }},
        {"formatXml",
         [](Renderer&, P p, H h) {
             auto out = formatXmlText(str(p, 0), hashText(h, "format") != "compact");
             return out ? Value::text(*out) : error("Input is not valid XML");
         }},
    });
}

void Renderer::addListHelpers(HelperMap& map) {
    using P = const std::vector<Value>&;
    using H = const Hash&;
    map.insert({
        {"size",
         [](Renderer&, P p, H) {
             if (p.empty()) return Value::of(0);
             const J& j = p[0].json;
             if (j.is_array() || j.is_object()) return Value::of(J(j.size()));
             return Value::of(J(print(p[0]).size()));
         }},
        {"array",
         [](Renderer&, P p, H) {
             J arr = J::array();
             for (const auto& v : p) arr.push_back(v.dateMs ? J(isoDate(*v.dateMs)) : v.json);
             return Value::of(std::move(arr));
         }},
        {"range",
         [](Renderer&, P p, H) {
             auto a = p.size() > 0 ? number(p[0]) : std::nullopt;
             auto b = p.size() > 1 ? number(p[1]) : std::nullopt;
             if (!a || !b)
                 return error(
                     "The range helper requires both lower and upper bounds as integer values");
             J arr = J::array();
             for (int64_t i = static_cast<int64_t>(*a);
                  i <= static_cast<int64_t>(*b) && arr.size() < 100000; ++i)
                 arr.push_back(i);
             return Value::of(std::move(arr));
         }},
        {"arrayJoin",
         [](Renderer&, P p, H h) {
             std::string sep = str(p, 0), out = hashText(h, "prefix");
             std::vector<Value> items;
             for (size_t i = 1; i < p.size(); ++i) {
                 if (p[i].json.is_array())
                     for (const auto& x : p[i].json) items.push_back(Value::of(x));
                 else
                     items.push_back(p[i]);
             }
             for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + print(items[i]);
             return Value::text(out + hashText(h, "suffix"));
         }},
        {"arrayAdd",
         [](Renderer&, P p, H h) {
             if (p.size() < 2 || !p[0].json.is_array())
                 return error("arrayAdd needs a list and an item");
             J arr = p[0].json;
             std::string pos = hashText(h, "position", "end");
             if (pos == "start") {
                 arr.insert(arr.begin(), p[1].json);
             } else if (pos == "end") {
                 arr.push_back(p[1].json);
             } else {
                 auto n = number(Value::text(pos));
                 if (!n || *n < 0 || *n > arr.size()) return error("position out of range");
                 arr.insert(arr.begin() + static_cast<long>(*n), p[1].json);
             }
             return Value::of(std::move(arr));
         }},
        {"arrayRemove",
         [](Renderer&, P p, H h) {
             if (p.empty() || !p[0].json.is_array()) return error("arrayRemove needs a list");
             J arr = p[0].json;
             if (arr.empty()) return Value::of(std::move(arr));
             std::string pos = hashText(h, "position", "end");
             size_t at = pos == "start" ? 0 : arr.size() - 1;
             if (pos != "start" && pos != "end") {
                 auto n = number(Value::text(pos));
                 if (!n || *n < 0 || *n >= arr.size()) return error("position out of range");
                 at = static_cast<size_t>(*n);
             }
             arr.erase(arr.begin() + static_cast<long>(at));
             return Value::of(std::move(arr));
         }},
    });
}

void Renderer::addVariableHelpers(HelperMap& map) {
    using P = const std::vector<Value>&;
    using H = const Hash&;
    map.insert({
        {"val",
         [](Renderer& r, P p, H h) {
             Value v = p.empty() ? Value{} : p[0];
             if (v.json.is_null() && !v.display && !v.dateMs) {
                 if (const Value* o = hashGet(h, "or"))
                     v = *o;
                 else if (const Value* d = hashGet(h, "default"))
                     v = *d;
             }
             if (const Value* a = hashGet(h, "assign")) {
                 r.vars_[print(*a)] = v;
                 return Value::text("");
             }
             return v;
         }},
        {"formData",
         [](Renderer& r, P p, H h) {
             J form = J::object();
             const bool decode = hashText(h, "urlDecode") == "true";
             std::string body = str(p, 0);
             size_t i = 0;
             while (i <= body.size() && !body.empty()) {
                 size_t amp = body.find('&', i);
                 std::string pair =
                     body.substr(i, amp == std::string::npos ? std::string::npos : amp - i);
                 size_t eq = pair.find('=');
                 std::string k = pair.substr(0, eq),
                             v = eq == std::string::npos ? "" : pair.substr(eq + 1);
                 if (decode) {
                     for (auto& c : v)
                         if (c == '+') c = ' ';
                     v = match::percentDecode(v);
                 }
                 if (!k.empty()) {
                     if (!form.contains(k)) form[k] = J::array();
                     form[k].push_back(v);
                 }
                 if (amp == std::string::npos) break;
                 i = amp + 1;
             }
             Value v = Value::of(std::move(form));
             v.multiMap = true;
             if (p.size() > 1) {
                 r.vars_[str(p, 1)] = v;
                 return Value::text("");
             }
             return v;
         }},
    });
}

void Renderer::addSystemHelpers(HelperMap& map) {
    using P = const std::vector<Value>&;
    using H = const Hash&;
    map.insert({
        {"hostname",
         [](Renderer&, P, H) {
             char buf[256] = {};
             gethostname(buf, sizeof buf - 1);
             return Value::text(buf);
         }},
        {"systemValue",
         [](Renderer&, P, H h) {
             const std::string key = hashText(h, "key");
             const std::string type = hashText(h, "type", "ENVIRONMENT");
             std::vector<std::string> allowed;
             {
                 std::lock_guard lock(gSettingsMu);
                 allowed = settings().permittedSystemKeys;
             }
             bool ok = false;
             for (const auto& pattern : allowed) {
                 std::string err;
                 auto re = match::Regex::compile(pattern, &err);
                 if (re && re->fullMatch(key)) ok = true;
             }
             if (!ok) return error("Access to " + key + " is denied");
             const char* v = type == "ENVIRONMENT" ? std::getenv(key.c_str()) : nullptr;
             if (!v) return Value::text(hashText(h, "default"));
             return Value::text(v);
         }},
    });
}

void Renderer::addRandomHelpers(HelperMap& map) {
    using P = const std::vector<Value>&;
    using H = const Hash&;
    map.insert({
        {"randomValue",
         [](Renderer&, P, H h) {
             const Value* lenV = hashGet(h, "length");
             auto len = lenV ? number(*lenV) : std::nullopt;
             const size_t n = static_cast<size_t>(std::clamp(len.value_or(36), 0.0, 100000.0));
             const std::string type = hashText(h, "type", "ALPHANUMERIC");
             std::string out;
             if (type == "UUID")
                 out = uuid4();
             else if (type == "ALPHABETIC")
                 out = randomChars(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
             else if (type == "NUMERIC")
                 out = randomChars(n, "0123456789");
             else if (type == "HEXADECIMAL")
                 out = randomChars(n, "0123456789abcdef");
             else if (type == "ALPHANUMERIC_AND_SYMBOLS")
                 out = randomChars(n,
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!"
                                   "@#$%^&*()-_=+[]{};:,.<>/?");
             else
                 out = randomChars(
                     n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
             if (hashText(h, "uppercase") == "true")
                 for (auto& c : out)
                     c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
             return Value::text(out);
         }},
        {"randomInt",
         [](Renderer&, P, H h) {
             const Value* lo = hashGet(h, "lower");
             const Value* hi = hashGet(h, "upper");
             int64_t a = lo ? static_cast<int64_t>(number(*lo).value_or(0)) : INT32_MIN;
             int64_t b = hi ? static_cast<int64_t>(number(*hi).value_or(0)) : INT32_MAX;
             if (b <= a) return Value::of(a);
             // The upper bound is exclusive, as Java's nextInt(lower, upper).
             return Value::of(std::uniform_int_distribution<int64_t>(a, b - 1)(rng()));
         }},
        {"randomDecimal",
         [](Renderer&, P, H h) {
             const Value* lo = hashGet(h, "lower");
             const Value* hi = hashGet(h, "upper");
             double a = lo ? number(*lo).value_or(0) : -1e9, b = hi ? number(*hi).value_or(0) : 1e9;
             if (b <= a) return Value::of(a);
             return Value::of(std::uniform_real_distribution<double>(a, b)(rng()));
         }},
        {"pickRandom",
         [](Renderer&, P p, H) {
             std::vector<Value> items;
             for (const auto& v : p) {
                 if (v.json.is_array())
                     for (const auto& x : v.json) items.push_back(Value::of(x));
                 else
                     items.push_back(v);
             }
             if (items.empty()) return Value{};
             return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(rng())];
         }},
    });
}

void Renderer::addDateHelpers(HelperMap& map) {
    using P = const std::vector<Value>&;
    using H = const Hash&;
    map.insert({
        {"now",
         [](Renderer&, P, H h) {
             auto ms = applyOffset(nowMs(), hashText(h, "offset"));
             if (!ms) return error("invalid offset: " + hashText(h, "offset"));
             return dateValue(*ms, h);
         }},
        {"date",
         [](Renderer&, P p, H h) {
             auto ms = p.empty() ? std::nullopt : dateOf(p[0]);
             if (!ms) return error("not a date: " + str(p, 0));
             auto shifted = applyOffset(*ms, hashText(h, "offset"));
             if (!shifted) return error("invalid offset: " + hashText(h, "offset"));
             return dateValue(*shifted, h);
         }},
        {"parseDate",
         [](Renderer&, P p, H h) {
             auto ms = parseDateText(str(p, 0), hashText(h, "format"));
             if (!ms) return error("could not parse the date " + str(p, 0));
             Value v;
             v.dateMs = *ms;
             return v;
         }},
        {"truncateDate",
         [](Renderer&, P p, H) {
             auto ms = p.empty() ? std::nullopt : dateOf(p[0]);
             if (!ms) return error("not a date: " + str(p, 0));
             time_t secs = static_cast<time_t>(*ms / 1000);
             std::tm tm{};
             gmtime_r(&secs, &tm);
             const std::string how = str(p, 1);
             tm.tm_sec = 0;
             if (how != "first minute of hour") tm.tm_min = 0;
             if (how != "first minute of hour" && how != "first hour of day") tm.tm_hour = 0;
             if (how == "first day of month") tm.tm_mday = 1;
             if (how == "first day of year") tm.tm_mday = 1, tm.tm_mon = 0;
             if (how == "first day of next month") tm.tm_mday = 1, tm.tm_mon += 1;
             if (how == "first day of next year") tm.tm_mday = 1, tm.tm_mon = 0, tm.tm_year += 1;
             if (how == "last day of month") tm.tm_mday = 1, tm.tm_mon += 1;
             int64_t out = static_cast<int64_t>(timegm(&tm)) * 1000;
             if (how == "last day of month") out -= 86400000;
             Value v;
             v.dateMs = out;
             return v;
         }},
    });
}

void Renderer::addMathHelpers(HelperMap& map) {
    using P = const std::vector<Value>&;
    using H = const Hash&;
    map.insert({
        {"math",
         [](Renderer&, P p, H) {
             if (p.size() < 3) return error("math needs two numbers and an operator");
             auto a = decimal(p[0]), b = decimal(p[2]);
             const std::string op = print(p[1]);
             if (op != "+" && op != "-" && op != "*" && op != "x" && op != "/" && op != "%")
                 return error(op + " is not a valid mathematical operator");
             if (!a || !b) return error("math needs numbers");
             double v = 0;
             int scale = std::max(a->scale, b->scale);
             if (op == "+") v = a->value + b->value;
             if (op == "-") v = a->value - b->value;
             if (op == "*" || op == "x") v = a->value * b->value, scale = a->scale + b->scale;
             if (op == "/" || op == "%") {
                 if (b->value == 0) return error("Division by zero");
                 v = op == "/" ? a->value / b->value : std::fmod(a->value, b->value);
                 if (op == "/") scale = a->scale;
             }
             if (scale == 0) return Value::of(J(static_cast<int64_t>(std::llround(v))));
             Value out = Value::of(v);
             out.display = decimalText(v, scale);
             return out;
         }},
    });
}

const Renderer::HelperMap& Renderer::helpers() {
    static const auto* table = [] {
        auto* map = new HelperMap;
        addConditionalHelpers(*map);
        addStringHelpers(*map);
        addFormattingHelpers(*map);
        addMatchingHelpers(*map);
        addEncodingHelpers(*map);
        addJsonHelpers(*map);
        addXmlHelpers(*map);
        addListHelpers(*map);
        addVariableHelpers(*map);
        addSystemHelpers(*map);
        addRandomHelpers(*map);
        addDateHelpers(*map);
        addMathHelpers(*map);
        return map;
    }();
    return *table;
}

}  // namespace

void setTemplateSettings(TemplateSettings s) {
    std::lock_guard lock(gSettingsMu);
    settings() = std::move(s);
}

std::string HandlebarsTemplate::render(const TemplateInput& input) const {
    J root = J::object();
    root["parameters"] = input.parameters ? *input.parameters : J::object();
    Renderer r(input, std::move(root));
    std::string out;
    r.render(nodes_, out);
    return out;
}

}  // namespace mockd::wiremock
