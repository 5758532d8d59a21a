// Recursive-descent parser to a tree, evaluated directly. Depth and size are capped.
#include "state/expr.h"

#include <cmath>
#include <vector>

#include "core/clock.h"
#include "core/json_text.h"

namespace mockd::state {

using core::Json;

struct Expr::Node {
    enum class Kind { Literal, Var, Member, Index, Call, Unary, Binary, Ternary, Array, Object };
    Kind kind;
    Json value;        // Literal
    std::string name;  // Var, Member (field), Call (function), Unary/Binary (operator)
    std::vector<std::shared_ptr<const Node>> kids;
    std::vector<std::string> keys;  // Object
};

namespace {

using NodePtr = std::shared_ptr<const Expr::Node>;
using Kind = Expr::Node::Kind;
constexpr size_t kMaxSource = 4096;
constexpr int kMaxDepth = 64;
constexpr size_t kMaxString = 1 << 20;

class Parser {
  public:
    explicit Parser(std::string_view s) : s_(s) {}

    NodePtr parseAll() {
        auto n = ternary(0);
        skip();
        if (pos_ < s_.size()) fail("unexpected '" + std::string(1, s_[pos_]) + "'");
        return n;
    }

  private:
    [[noreturn]] void fail(const std::string& why) const {
        throw ExprError(why + " at position " + std::to_string(pos_) + " in \"" + std::string(s_) +
                        "\"");
    }
    void skip() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    bool eat(std::string_view tok) {
        skip();
        if (s_.substr(pos_, tok.size()) != tok) return false;
        // Word operators must not run into an identifier ("and" vs "android").
        if (std::isalpha(static_cast<unsigned char>(tok[0])) && pos_ + tok.size() < s_.size() &&
            (std::isalnum(static_cast<unsigned char>(s_[pos_ + tok.size()])) ||
             s_[pos_ + tok.size()] == '_'))
            return false;
        pos_ += tok.size();
        return true;
    }
    NodePtr make(Kind k, std::string name, std::vector<NodePtr> kids, Json value = nullptr) {
        auto n = std::make_shared<Expr::Node>();
        n->kind = k;
        n->name = std::move(name);
        n->kids = std::move(kids);
        n->value = std::move(value);
        return n;
    }
    void deeper(int d) const {
        if (d > kMaxDepth) fail("expression nested too deeply");
    }

    NodePtr ternary(int d) {
        deeper(d);
        auto c = orExpr(d + 1);
        if (eat("?")) {
            auto a = ternary(d + 1);
            if (!eat(":")) fail("expected ':'");
            auto b = ternary(d + 1);
            return make(Kind::Ternary, "?", {c, a, b});
        }
        return c;
    }
    NodePtr orExpr(int d) {
        auto l = andExpr(d + 1);
        while (eat("||") || eat("or")) l = make(Kind::Binary, "||", {l, andExpr(d + 1)});
        return l;
    }
    NodePtr andExpr(int d) {
        auto l = compare(d + 1);
        while (eat("&&") || eat("and")) l = make(Kind::Binary, "&&", {l, compare(d + 1)});
        return l;
    }
    NodePtr compare(int d) {
        auto l = add(d + 1);
        for (const char* op :
             {"==", "!=", "<=", ">=", "<", ">", "in", "contains", "startsWith", "endsWith"})
            if (eat(op)) return make(Kind::Binary, op, {l, add(d + 1)});
        return l;
    }
    NodePtr add(int d) {
        auto l = mul(d + 1);
        for (;;) {
            if (eat("+"))
                l = make(Kind::Binary, "+", {l, mul(d + 1)});
            else if (eat("-"))
                l = make(Kind::Binary, "-", {l, mul(d + 1)});
            else
                return l;
        }
    }
    NodePtr mul(int d) {
        auto l = unary(d + 1);
        for (;;) {
            if (eat("*"))
                l = make(Kind::Binary, "*", {l, unary(d + 1)});
            else if (eat("/"))
                l = make(Kind::Binary, "/", {l, unary(d + 1)});
            else if (eat("%"))
                l = make(Kind::Binary, "%", {l, unary(d + 1)});
            else
                return l;
        }
    }
    NodePtr unary(int d) {
        deeper(d);
        if (eat("!") || eat("not")) return make(Kind::Unary, "!", {unary(d + 1)});
        if (eat("-")) return make(Kind::Unary, "-", {unary(d + 1)});
        return postfix(d + 1);
    }
    NodePtr postfix(int d) {
        auto n = primary(d + 1);
        for (;;) {
            if (eat(".")) {
                n = make(Kind::Member, ident(), {n});
            } else if (eat("[")) {
                auto i = ternary(d + 1);
                if (!eat("]")) fail("expected ']'");
                n = make(Kind::Index, "", {n, i});
            } else {
                return n;
            }
        }
    }
    std::string ident() {
        skip();
        size_t b = pos_;
        while (pos_ < s_.size() &&
               (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
            ++pos_;
        if (b == pos_ || std::isdigit(static_cast<unsigned char>(s_[b]))) fail("expected a name");
        return std::string(s_.substr(b, pos_ - b));
    }
    NodePtr primary(int d) {
        skip();
        if (pos_ >= s_.size()) fail("unexpected end");
        char c = s_[pos_];
        if (c == '(') {
            ++pos_;
            auto n = ternary(d + 1);
            if (!eat(")")) fail("expected ')'");
            return n;
        }
        if (c == '[') {
            ++pos_;
            std::vector<NodePtr> items;
            if (!eat("]")) {
                do items.push_back(ternary(d + 1));
                while (eat(","));
                if (!eat("]")) fail("expected ']'");
            }
            return make(Kind::Array, "", std::move(items));
        }
        if (c == '{') {
            ++pos_;
            auto n = std::make_shared<Expr::Node>();
            n->kind = Kind::Object;
            if (!eat("}")) {
                do {
                    skip();
                    std::string key = (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\''))
                                          ? str()
                                          : ident();
                    if (!eat(":")) fail("expected ':'");
                    n->keys.push_back(key);
                    n->kids.push_back(ternary(d + 1));
                } while (eat(","));
                if (!eat("}")) fail("expected '}'");
            }
            return n;
        }
        if (c == '"' || c == '\'') return make(Kind::Literal, "", {}, str());
        if (std::isdigit(static_cast<unsigned char>(c))) {
            size_t b = pos_;
            while (pos_ < s_.size() &&
                   (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.'))
                ++pos_;
            std::string num(s_.substr(b, pos_ - b));
            if (num.find('.') != std::string::npos)
                return make(Kind::Literal, "", {}, std::stod(num));
            if (num.size() > 18) fail("number too large");
            return make(Kind::Literal, "", {}, std::stoll(num));
        }
        std::string id = ident();
        if (id == "true") return make(Kind::Literal, "", {}, true);
        if (id == "false") return make(Kind::Literal, "", {}, false);
        if (id == "nil" || id == "null") return make(Kind::Literal, "", {}, nullptr);
        if (eat("(")) {
            std::vector<NodePtr> args;
            if (!eat(")")) {
                do args.push_back(ternary(d + 1));
                while (eat(","));
                if (!eat(")")) fail("expected ')'");
            }
            return make(Kind::Call, id, std::move(args));
        }
        return make(Kind::Var, id, {});
    }
    std::string str() {
        char q = s_[pos_++];
        std::string out;
        while (pos_ < s_.size() && s_[pos_] != q) {
            if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) {
                char e = s_[++pos_];
                out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
            } else {
                out += s_[pos_];
            }
            ++pos_;
        }
        if (pos_ >= s_.size()) fail("unterminated string");
        ++pos_;
        return out;
    }

    std::string_view s_;
    size_t pos_ = 0;
};

double num(const Json& v, const char* op) {
    if (!v.is_number())
        throw ExprError(std::string("'") + op + "' needs numbers, not " + core::jsonText(v));
    return v.get<double>();
}

Json numberResult(double d) {
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15)
        return static_cast<int64_t>(d);
    return d;
}

std::string text(const Json& v) { return v.is_string() ? v.get<std::string>() : core::jsonText(v); }

Json evalNode(const Expr::Node& n, const Json& env);

Json call(const Expr::Node& n, const Json& env) {
    std::vector<Json> a;
    for (const auto& k : n.kids) a.push_back(evalNode(*k, env));
    auto need = [&](size_t count) {
        if (a.size() != count)
            throw ExprError(n.name + "() takes " + std::to_string(count) + " argument(s)");
    };
    if (n.name == "len") {
        need(1);
        if (a[0].is_string()) return a[0].get_ref<const std::string&>().size();
        if (a[0].is_array() || a[0].is_object()) return a[0].size();
        return 0;
    }
    if (n.name == "upper" || n.name == "lower") {
        need(1);
        std::string s = text(a[0]);
        for (auto& c : s)
            c = static_cast<char>(n.name == "upper" ? std::toupper(static_cast<unsigned char>(c))
                                                    : std::tolower(static_cast<unsigned char>(c)));
        return s;
    }
    if (n.name == "string") {
        need(1);
        return text(a[0]);
    }
    if (n.name == "int" || n.name == "float") {
        need(1);
        double d = a[0].is_number()   ? a[0].get<double>()
                   : a[0].is_string() ? std::strtod(a[0].get<std::string>().c_str(), nullptr)
                                      : 0.0;
        if (n.name == "int") return static_cast<int64_t>(d);
        return d;
    }
    if (n.name == "abs") {
        need(1);
        return numberResult(std::fabs(num(a[0], "abs")));
    }
    if (n.name == "min" || n.name == "max") {
        if (a.empty()) throw ExprError(n.name + "() needs arguments");
        double r = num(a[0], n.name.c_str());
        for (const auto& v : a)
            r = n.name == "min" ? std::min(r, num(v, "min")) : std::max(r, num(v, "max"));
        return numberResult(r);
    }
    if (n.name == "now") {
        need(0);
        return core::isoNow(3);
    }
    throw ExprError("unknown function " + n.name + "()");
}

Json evalNode(const Expr::Node& n, const Json& env) {
    switch (n.kind) {
        case Kind::Literal:
            return n.value;
        case Kind::Var: {
            auto it = env.find(n.name);
            return it == env.end() ? Json() : *it;
        }
        case Kind::Member: {
            Json base = evalNode(*n.kids[0], env);
            if (base.is_object()) {
                auto it = base.find(n.name);
                return it == base.end() ? Json() : *it;
            }
            return nullptr;
        }
        case Kind::Index: {
            Json base = evalNode(*n.kids[0], env);
            Json i = evalNode(*n.kids[1], env);
            if (base.is_array() && i.is_number_integer()) {
                auto k = i.get<int64_t>();
                if (k < 0) k += static_cast<int64_t>(base.size());
                return k >= 0 && static_cast<size_t>(k) < base.size() ? base[static_cast<size_t>(k)]
                                                                      : Json();
            }
            if (base.is_object() && i.is_string()) {
                auto it = base.find(i.get<std::string>());
                return it == base.end() ? Json() : *it;
            }
            return nullptr;
        }
        case Kind::Call:
            return call(n, env);
        case Kind::Unary: {
            Json v = evalNode(*n.kids[0], env);
            if (n.name == "!") return !truthy(v);
            return numberResult(-num(v, "-"));
        }
        case Kind::Ternary:
            return truthy(evalNode(*n.kids[0], env)) ? evalNode(*n.kids[1], env)
                                                     : evalNode(*n.kids[2], env);
        case Kind::Array: {
            Json arr = Json::array();
            for (const auto& k : n.kids) arr.push_back(evalNode(*k, env));
            return arr;
        }
        case Kind::Object: {
            Json obj = Json::object();
            for (size_t i = 0; i < n.kids.size(); ++i) obj[n.keys[i]] = evalNode(*n.kids[i], env);
            return obj;
        }
        case Kind::Binary:
            break;
    }
    const std::string& op = n.name;
    Json l = evalNode(*n.kids[0], env);
    if (op == "&&") return truthy(l) ? Json(truthy(evalNode(*n.kids[1], env))) : Json(false);
    if (op == "||") return truthy(l) ? Json(true) : Json(truthy(evalNode(*n.kids[1], env)));
    Json r = evalNode(*n.kids[1], env);
    if (op == "==") return l == r;
    if (op == "!=") return l != r;
    if (op == "<" || op == "<=" || op == ">" || op == ">=") {
        bool lt, eq;
        if (l.is_number() && r.is_number()) {
            lt = l.get<double>() < r.get<double>();
            eq = l.get<double>() == r.get<double>();
        } else if (l.is_string() && r.is_string()) {
            lt = l.get_ref<const std::string&>() < r.get_ref<const std::string&>();
            eq = l == r;
        } else {
            throw ExprError("cannot compare " + core::jsonText(l) + " with " + core::jsonText(r));
        }
        if (op == "<") return lt;
        if (op == "<=") return lt || eq;
        if (op == ">") return !lt && !eq;
        return !lt;
    }
    if (op == "in") {
        if (r.is_array()) return std::find(r.begin(), r.end(), l) != r.end();
        if (r.is_object()) return l.is_string() && r.contains(l.get<std::string>());
        return false;
    }
    if (op == "contains") return text(l).find(text(r)) != std::string::npos;
    if (op == "startsWith") return text(l).starts_with(text(r));
    if (op == "endsWith") return text(l).ends_with(text(r));
    if (op == "+" && (l.is_string() || r.is_string())) {
        std::string s = text(l) + text(r);
        if (s.size() > kMaxString) throw ExprError("string result too large");
        return s;
    }
    double a = num(l, op.c_str()), b = num(r, op.c_str());
    if (op == "+") return numberResult(a + b);
    if (op == "-") return numberResult(a - b);
    if (op == "*") return numberResult(a * b);
    if (b == 0) throw ExprError("division by zero");
    if (op == "/") return numberResult(a / b);
    return numberResult(std::fmod(a, b));
}

}  // namespace

bool truthy(const Json& v) {
    if (v.is_null()) return false;
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number()) return v.get<double>() != 0;
    if (v.is_string() || v.is_array() || v.is_object()) return !v.empty();
    return true;
}

Expr Expr::compile(std::string_view source) {
    if (source.size() > kMaxSource) throw ExprError("expression longer than 4096 characters");
    Expr e;
    e.source_ = std::string(source);
    Parser p(e.source_);
    e.root_ = p.parseAll();
    return e;
}

Json Expr::eval(const Json& env) const {
    if (!root_) return nullptr;
    return evalNode(*root_, env);
}

}  // namespace mockd::state
