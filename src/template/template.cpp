// Template compilation and rendering for mockd's functions, request data and faker.
#include "template/template.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <ctime>
#include <mutex>
#include <unordered_map>

#include "core/client_cert.h"
#include "core/clock.h"
#include "core/jsonpath.h"
#include "template/faker.h"

namespace mockd::tmpl {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

Template::Arg classify(std::string_view tok) {
    tok = trim(tok);
    if (tok.size() >= 2 && (tok.front() == '"' || tok.front() == '\'') && tok.back() == tok.front())
        return {Template::Arg::Kind::String, std::string(tok.substr(1, tok.size() - 2))};
    double d;
    auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), d);
    if (ec == std::errc() && p == tok.data() + tok.size() && !tok.empty())
        return {Template::Arg::Kind::Number, std::string(tok)};
    return {Template::Arg::Kind::Path, std::string(tok)};
}

// Splits on `sep` (',' or whitespace) outside quotes.
std::vector<Template::Arg> splitArgs(std::string_view s, bool commas) {
    std::vector<Template::Arg> out;
    std::string cur;
    char quote = 0;
    bool any = false;
    auto flush = [&] {
        if (any) out.push_back(classify(cur));
        cur.clear();
        any = false;
    };
    for (char c : s) {
        if (quote) {
            cur += c;
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '"' || c == '\'') {
            quote = c;
            cur += c;
            any = true;
        } else if (commas ? c == ',' : std::isspace(static_cast<unsigned char>(c))) {
            flush();
        } else {
            if (!std::isspace(static_cast<unsigned char>(c))) any = true;
            cur += c;
        }
    }
    flush();
    return out;
}

std::string jsonText(const core::Json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return {};
    return v.dump();
}

std::mutex gSeqMu;
std::unordered_map<std::string, int64_t>& sequences() {
    static auto* m = new std::unordered_map<std::string, int64_t>();
    return *m;
}

std::string uuidFrom(Rng& rng) {
    std::string out;
    fake("uuid", {}, rng, out);
    return out;
}

// An array index in a body path: digits only, and one too large for size_t selects nothing.
bool arrayIndex(std::string_view key, size_t& idx) {
    auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), idx);
    return !key.empty() && ec == std::errc() && p == key.data() + key.size();
}

std::string formatDouble(double v, int precision) {
    char buf[64];
    if (precision >= 0) {
        std::snprintf(buf, sizeof buf, "%.*f", std::min(precision, 15), v);
        return buf;
    }
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, ec == std::errc() ? p : buf);
}

std::string rfc3339Local() {
    time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char buf[40];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    long off = tm.tm_gmtoff;
    if (off == 0) return std::string(buf, n) + "Z";
    char z[24];
    std::snprintf(z, sizeof z, "%c%02ld:%02ld", off < 0 ? '-' : '+', std::labs(off) / 3600,
                  (std::labs(off) % 3600) / 60);
    return std::string(buf, n) + z;
}

class Renderer {
  public:
    Renderer(const RequestData& d, Rng& rng) : d_(d), rng_(rng) {}

    // The value of an argument: literal text, or a path evaluated like an expression.
    std::string arg(const Template::Arg& a) {
        if (a.kind != Template::Arg::Kind::Path) return a.text;
        std::string out;
        eval(a.key, a.text, {}, out);
        return out;
    }

    void eval(const std::string& name, std::string_view original,
              const std::vector<Template::Arg>& args, std::string& out) {
        if (name.starts_with("request.")) {
            request(original.substr(8), out);
            return;
        }
        if (name.starts_with("mtls.")) {
            mtls(original.substr(5), out);
            return;
        }
        if (name.starts_with("faker.")) {
            std::vector<std::string> a;
            for (const auto& x : args) a.push_back(arg(x));
            fake(name.substr(6), a, rng_, out);
            return;
        }
        auto num = [&](size_t i, double def) {
            if (i >= args.size()) return def;
            std::string v = arg(args[i]);
            char* end = nullptr;
            double d = std::strtod(v.c_str(), &end);
            return end != v.c_str() ? d : def;
        };
        // Arguments are any text: a huge or NaN number saturates instead of overflowing.
        auto whole = [&](size_t i, double def) -> int64_t {
            double d = num(i, def);
            return std::isnan(d) ? 0 : static_cast<int64_t>(std::clamp(d, -9.0e18, 9.0e18));
        };
        if (name == "uuid") {
            out += uuidFrom(rng_);
        } else if (name == "uuid.short") {
            out += uuidFrom(rng_).substr(0, 8);
        } else if (name == "random") {
            char buf[9];
            std::snprintf(buf, sizeof buf, "%08x", rng_.next());
            out += buf;
        } else if (name == "random.int" || name == "randomint") {
            int64_t lo = whole(0, 0), hi = whole(1, 100);
            if (args.size() == 1) hi = lo, lo = 0;
            out += std::to_string(rng_.between(std::min(lo, hi), std::max(lo, hi)));
        } else if (name == "random.float" || name == "randomfloat") {
            double lo = num(0, 0), hi = num(1, 1);
            out += formatDouble(
                lo + rng_.unit() * (hi - lo),
                args.size() >= 3 ? static_cast<int>(std::clamp<int64_t>(whole(2, 2), -1, 15)) : -1);
        } else if (name == "random.string" || name == "randomstring") {
            static const char kAlnum[] =
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            auto n = static_cast<int64_t>(std::clamp(num(0, 10), 0.0, 65536.0));
            for (int64_t i = 0; i < n; ++i) out += kAlnum[rng_.between(0, 61)];
        } else if (name == "random.element" || name == "randomelement") {
            if (!args.empty())
                out += arg(args[static_cast<size_t>(
                    rng_.between(0, static_cast<int64_t>(args.size()) - 1))]);
        } else if (name == "now") {
            out += rfc3339Local();
        } else if (name == "timestamp" || name == "timestamp.unix") {
            out += std::to_string(std::time(nullptr));
        } else if (name == "timestamp.unix_ms") {
            out += std::to_string(core::nowMicros() / 1000);
        } else if (name == "timestamp.iso") {
            std::string iso = core::isoNow(6);  // trailing zeros trimmed, as RFC3339Nano does
            size_t z = iso.size() - 1;
            size_t end = z;
            while (end > 0 && iso[end - 1] == '0') --end;
            if (iso[end - 1] == '.') --end;
            out += iso.substr(0, end) + "Z";
        } else if (name == "sequence") {
            std::string key = args.empty() ? "default" : arg(args[0]);
            int64_t start = whole(1, 1);
            std::lock_guard lock(gSeqMu);
            auto [it, inserted] = sequences().try_emplace(key, start);
            out += std::to_string(it->second++);
        } else if (name == "upper" || name == "lower") {
            std::string v = args.empty() ? "" : arg(args[0]);
            for (auto& c : v)
                c = static_cast<char>(name == "upper"
                                          ? std::toupper(static_cast<unsigned char>(c))
                                          : std::tolower(static_cast<unsigned char>(c)));
            out += v;
        } else if (name == "default") {
            std::string v = args.empty() ? "" : arg(args[0]);
            out += v.empty() && args.size() > 1 ? arg(args[1]) : v;
        }
        // Anything else renders empty.
    }

  private:
    void request(std::string_view path, std::string& out) {
        const core::Request& req = *d_.req;
        auto rest = [&](std::string_view prefix) -> std::optional<std::string_view> {
            if (path.size() > prefix.size() && core::iequals(path.substr(0, prefix.size()), prefix))
                return path.substr(prefix.size());
            return std::nullopt;
        };
        if (core::iequals(path, "method"))
            out += req.method;
        else if (core::iequals(path, "path"))
            out += req.path;
        else if (core::iequals(path, "url"))
            out += req.target;
        else if (core::iequals(path, "rawBody"))
            out += req.body;
        else if (auto q = rest("query.")) {
            if (auto v = d_.in->query(*q)) out += *v;
        } else if (auto h = rest("header.")) {
            out += req.header(*h);
        } else if (auto h2 = rest("headers.")) {
            out += req.header(*h2);
        } else if (auto p = rest("pathParam.")) {
            capture(*p, out);
        } else if (auto g = rest("pathPattern.")) {
            capture(*g, out);
        } else if (auto b = rest("body.")) {
            const core::Json* doc = d_.in->json();
            if (!doc) return;
            const core::Json* cur = doc;
            size_t start = 0;
            std::string_view p2 = *b;
            while (cur && start <= p2.size()) {
                size_t dot = p2.find('.', start);
                std::string key(p2.substr(start, dot - start));
                if (cur->is_object() && cur->contains(key))
                    cur = &(*cur)[key];
                else if (size_t idx = 0;
                         cur->is_array() && arrayIndex(key, idx) && idx < cur->size())
                    cur = &(*cur)[idx];
                else
                    cur = nullptr;
                if (dot == std::string_view::npos) break;
                start = dot + 1;
            }
            if (cur) out += jsonText(*cur);
        } else if (auto jp = rest("jsonPath.")) {
            const core::Json* doc = d_.in->json();
            if (!doc) return;
            std::string expr = jp->starts_with("$") ? std::string(*jp) : "$." + std::string(*jp);
            if (auto compiled = core::JsonPath::compile(expr)) {
                std::vector<const core::Json*> found;
                compiled->evaluate(*doc, found);
                if (!found.empty()) out += jsonText(*found.front());
            }
        }
    }

    // The client certificate's fields (first value of each list); all empty without one.
    void mtls(std::string_view field, std::string& out) {
        const core::ClientCert* c = d_.req->clientCert;
        if (!c || !c->present) return;
        auto first = [&](const std::vector<std::string>& v) {
            if (!v.empty()) out += v.front();
        };
        if (field == "cn")
            out += c->cn;
        else if (field == "o")
            out += c->o;
        else if (field == "ou")
            out += c->ou;
        else if (field == "serial")
            out += c->serial;
        else if (field == "fingerprint")
            out += c->fingerprint;
        else if (field == "notBefore")
            out += c->notBefore;
        else if (field == "notAfter")
            out += c->notAfter;
        else if (field == "verified")
            out += c->verified ? "true" : "false";
        else if (field == "issuer.cn")
            out += c->issuerCn;
        else if (field == "san.dns")
            first(c->sanDns);
        else if (field == "san.email")
            first(c->sanEmail);
        else if (field == "san.ip")
            first(c->sanIp);
        else if (field == "san.uri")
            first(c->sanUri);
    }

    void capture(std::string_view name, std::string& out) {
        if (!d_.captures) return;
        for (const auto& [k, v] : *d_.captures)
            if (k == name) {
                out += v;
                return;
            }
    }

    const RequestData& d_;
    Rng& rng_;
};

}  // namespace

namespace {
// The "}}" that ends the expression starting at `from`, skipping quoted arguments; a quote left
// open falls back to the first "}}" (a stray apostrophe must not swallow the template).
size_t findClose(std::string_view text, size_t from) {
    char quote = 0;
    for (size_t i = from; i + 1 < text.size(); ++i) {
        const char c = text[i];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '}' && text[i + 1] == '}') {
            return i;
        }
    }
    return text.find("}}", from);
}
}  // namespace

bool parseSeed(std::string_view text, int64_t& out) {
    text = trim(text);
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && p == text.data() + text.size() && !text.empty();
}

Template Template::compile(std::string_view text) {
    Template t;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t open = text.find("{{", pos);
        size_t close = open == std::string_view::npos ? open : findClose(text, open + 2);
        if (open == std::string_view::npos || close == std::string_view::npos) {
            // No (complete) expression left: the rest is text, unclosed braces included.
            t.parts_.push_back({std::string(text.substr(pos)), false, {}, {}, {}});
            break;
        }
        Part part;
        part.literal = std::string(text.substr(pos, open - pos));
        std::string_view expr = trim(text.substr(open + 2, close - open - 2));
        size_t nameEnd = 0;
        while (nameEnd < expr.size() && expr[nameEnd] != '(' &&
               !std::isspace(static_cast<unsigned char>(expr[nameEnd])))
            ++nameEnd;
        std::string_view name = expr.substr(0, nameEnd);
        std::string_view rest = trim(expr.substr(nameEnd));
        part.hasExpr = !name.empty();
        part.name = lower(name);
        if (!rest.empty() && rest.front() == '(') {
            size_t end = rest.rfind(')');
            part.args = splitArgs(
                rest.substr(1, end == std::string_view::npos ? rest.size() - 1 : end - 1), true);
        } else if (!rest.empty()) {
            part.args = splitArgs(rest, false);
        }
        // request.* keeps its original case for header and query names.
        if (part.name.starts_with("request.")) part.name = "request." + std::string(name.substr(8));
        // mtls.* field names are case-sensitive, as mockd's are.
        if (part.name.starts_with("mtls.")) part.name = "mtls." + std::string(name.substr(5));
        // Lookup keys are computed here so that rendering lower-cases nothing.
        part.key = lower(part.name);
        for (auto& a : part.args)
            if (a.kind == Arg::Kind::Path) a.key = lower(a.text);
        t.parts_.push_back(std::move(part));
        t.dynamic_ = true;
        pos = close + 2;
    }
    return t;
}

void Template::render(const RequestData& data, Rng& rng, std::string& out) const {
    Renderer r(data, rng);
    for (const auto& p : parts_) {
        out += p.literal;
        if (!p.hasExpr) continue;
        r.eval(p.key, p.name, p.args, out);
    }
}

}  // namespace mockd::tmpl
