// Request validation: mockd's field validators with problem codes, and JSON Schema bodies
// (2020-12, as mockd reads them, on core::JsonSchema; keywords it cannot check are named at load).
#include "core/request_validation.h"

#include <re2/re2.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "core/encoding.h"
#include "core/errors.h"
#include "core/json_fields.h"
#include "core/json_schema.h"
#include "core/json_text.h"
#include "core/mock_codec.h"

namespace mockd::core {

namespace {

const std::set<std::string> kTypes = {"string", "number", "integer", "boolean", "array", "object"};
const std::set<std::string> kFormats = {"email", "uuid", "date", "datetime", "date-time", "uri",
                                        "url",   "ipv4", "ipv6", "ip",       "hostname"};
}  // namespace

bool formatHolds(const std::string& f, const std::string& s) {
    static const RE2 kEmail(R"(^[^@\s]+@[^@\s]+\.[^@\s]+$)");
    static const RE2 kUuid(
        R"(^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)");
    static const RE2 kDate(R"(^\d{4}-\d{2}-\d{2}$)");
    static const RE2 kDateTime(
        R"(^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$)");
    static const RE2 kUri(R"(^[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#]+\S*$)");
    static const RE2 kIpv4(
        R"(^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$)");
    static const RE2 kIpv6(R"(^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*$)");
    static const RE2 kHost(
        R"(^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$)");
    if (f == "email") return RE2::FullMatch(s, kEmail);
    if (f == "uuid") return RE2::FullMatch(s, kUuid);
    if (f == "date") return RE2::FullMatch(s, kDate);
    if (f == "datetime" || f == "date-time") return RE2::FullMatch(s, kDateTime);
    if (f == "uri" || f == "url") return RE2::FullMatch(s, kUri);
    if (f == "ipv4") return RE2::FullMatch(s, kIpv4);
    if (f == "ipv6") return RE2::FullMatch(s, kIpv6);
    if (f == "ip") return RE2::FullMatch(s, kIpv4) || RE2::FullMatch(s, kIpv6);
    return s.size() <= 253 && RE2::FullMatch(s, kHost);
}

namespace {

std::string typeOf(const Json& v) {
    if (v.is_string()) return "string";
    if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
    if (v.is_number_float())
        return v.get<double>() == std::trunc(v.get<double>()) ? "integer" : "number";
    if (v.is_boolean()) return "boolean";
    if (v.is_array()) return "array";
    if (v.is_object()) return "object";
    return "null";
}

size_t runes(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

// A path, query or header value as the rule's type wants it: "42" is 42 for an integer rule.
Json coerced(const std::string& text, const Json& rule) {
    const std::string type = rule.is_object() ? valueOr<std::string>(rule, "type", "") : "";
    if (type == "integer" || type == "number") {
        auto j = Json::parse(text, nullptr, false);
        if (!j.is_discarded() && j.is_number()) return j;
    } else if (type == "boolean") {
        if (text == "true") return true;
        if (text == "false") return false;
    } else if (type == "array") {  // a comma-separated list
        Json list = Json::array();
        std::stringstream ss(text);
        for (std::string item; std::getline(ss, item, ',');) list.push_back(item);
        return list;
    }
    return text;
}

// The values at a dot path; an array on the way applies the rest of the path to every element
// (mockd's rule), naming them "items[0].sku".
void valuesAt(const Json& doc, const std::string& path, size_t from, const std::string& shown,
              std::vector<std::pair<std::string, const Json*>>& out) {
    if (from > path.size()) return out.push_back({shown, &doc});
    if (doc.is_array()) {
        for (size_t i = 0; i < doc.size(); ++i)
            valuesAt(doc[i], path, from, shown + "[" + std::to_string(i) + "]", out);
        return;
    }
    size_t dot = path.find('.', from);
    std::string key = path.substr(from, dot == std::string::npos ? dot : dot - from);
    if (!doc.is_object() || !doc.contains(key)) return;
    valuesAt(doc[key], path, dot == std::string::npos ? path.size() + 1 : dot + 1,
             shown.empty() ? key : shown + "." + key, out);
}

}  // namespace

void checkFieldRule(const std::string& name, const Json& v, const Json& rule,
                    const std::string& location, std::vector<ValidationProblem>& out) {
    if (!rule.is_object()) return;
    auto fail = [&](const char* code, const std::string& why, Json expected = nullptr,
                    bool custom = false) {
        std::string message = why;
        if (custom && rule.contains("message") && rule["message"].is_string())
            message = rule["message"].get<std::string>();
        out.push_back({name, location, code, message, v, std::move(expected)});
    };
    if (v.is_null()) {
        if (valueOr(rule, "required", false)) return fail("required", "is required");
        if (rule.contains("type") && !valueOr(rule, "nullable", false))
            fail("type", "must not be null", rule["type"]);
        return;
    }
    if (auto t = rule.find("type"); t != rule.end() && t->is_string()) {
        const std::string want = *t, got = typeOf(v);
        if (!(want == got || (want == "number" && got == "integer")))
            return fail(
                "type",
                "must be " +
                    std::string(want == "integer" || want == "array" || want == "object" ? "an "
                                                                                         : "a ") +
                    want + ", not " + got,
                want);
    }
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        if (auto m = rule.find("minLength");
            m != rule.end() && m->is_number() && runes(s) < m->get<size_t>())
            fail("min_length", "must be at least " + m->dump() + " characters", *m);
        if (auto m = rule.find("maxLength");
            m != rule.end() && m->is_number() && runes(s) > m->get<size_t>())
            fail("max_length", "must be at most " + m->dump() + " characters", *m);
        if (auto p = rule.find("pattern"); p != rule.end() && p->is_string()) {
            RE2 re(p->get<std::string>(), RE2::Quiet);
            if (!re.ok() || !RE2::PartialMatch(s, re))
                fail("pattern", "must match " + p->get<std::string>(), *p, true);
        }
        if (auto f = rule.find("format");
            f != rule.end() && f->is_string() && kFormats.count(*f) && !formatHolds(*f, s))
            fail("format", "must be a valid " + f->get<std::string>(), *f, true);
    }
    if (v.is_number()) {
        const double d = v.get<double>();
        auto bound = [&](const char* key, const char* code, const char* op, auto broken) {
            if (auto m = rule.find(key);
                m != rule.end() && m->is_number() && broken(d, m->get<double>()))
                fail(code, std::string("must be ") + op + " " + m->dump(), *m);
        };
        bound("min", "min", ">=", [](double a, double b) { return a < b; });
        bound("max", "max", "<=", [](double a, double b) { return a > b; });
        bound("exclusiveMin", "exclusive_min", ">", [](double a, double b) { return a <= b; });
        bound("exclusiveMax", "exclusive_max", "<", [](double a, double b) { return a >= b; });
    }
    if (v.is_array()) {
        if (auto m = rule.find("minItems");
            m != rule.end() && m->is_number() && v.size() < m->get<size_t>())
            fail("min_items", "must have at least " + m->dump() + " items", *m);
        if (auto m = rule.find("maxItems");
            m != rule.end() && m->is_number() && v.size() > m->get<size_t>())
            fail("max_items", "must have at most " + m->dump() + " items", *m);
        if (valueOr(rule, "uniqueItems", false)) {
            std::set<std::string> seen;
            for (const auto& e : v)
                if (!seen.insert(jsonText(e)).second) {
                    fail("unique_items", "must not repeat items");
                    break;
                }
        }
        if (auto items = rule.find("items"); items != rule.end())
            for (size_t i = 0; i < v.size(); ++i)
                checkFieldRule(name + "[" + std::to_string(i) + "]", v[i], *items, location, out);
    }
    if (auto e = rule.find("enum"); e != rule.end() && e->is_array()) {
        bool found = false;
        for (const auto& x : *e)
            found = found || x == v ||
                    (x.is_number() && v.is_number() && x.get<double>() == v.get<double>());
        if (!found) fail("enum", "must be one of " + e->dump(), *e);
    }
    if (auto props = rule.find("properties");
        props != rule.end() && props->is_object() && v.is_object())
        for (auto it = props->begin(); it != props->end(); ++it) {
            const std::string child = name + "." + it.key();
            if (v.contains(it.key()))
                checkFieldRule(child, v[it.key()], it.value(), location, out);
            else if (valueOr(it.value(), "required", false))
                out.push_back({child, location, "required", "is required", nullptr, nullptr});
        }
}

void checkRuleShape(const Json& rule, const std::string& where) {
    if (!rule.is_object()) throw FieldError(where, "must be an object (a field rule)");
    if (auto t = rule.find("type"); t != rule.end() && (!t->is_string() || !kTypes.count(*t)))
        throw FieldError(where + ".type",
                         "must be string, number, integer, boolean, array or object");
    if (auto f = rule.find("format"); f != rule.end() && (!f->is_string() || !kFormats.count(*f)))
        throw FieldError(where + ".format",
                         "must be email, uuid, date, date-time, uri, ipv4, ipv6, ip or hostname");
    if (auto p = rule.find("pattern"); p != rule.end()) {
        RE2 re(p->is_string() ? p->get<std::string>() : "(", RE2::Quiet);
        if (!re.ok()) throw FieldError(where + ".pattern", "invalid regular expression");
    }
    if (auto items = rule.find("items"); items != rule.end())
        checkRuleShape(*items, where + ".items");
    if (auto props = rule.find("properties"); props != rule.end()) {
        if (!props->is_object()) throw FieldError(where + ".properties", "must be an object");
        for (auto it = props->begin(); it != props->end(); ++it)
            checkRuleShape(it.value(), where + ".properties." + it.key());
    }
}

struct RequestValidation::Schema {
    std::shared_ptr<const JsonSchema> compiled;
};

RequestValidation::~RequestValidation() = default;

namespace {

std::vector<std::pair<std::string, Json>> ruleMap(const Json& j, const char* key,
                                                  const std::string& where) {
    std::vector<std::pair<std::string, Json>> out;
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return out;
    if (!it->is_object()) throw FieldError(where + "." + key, "must be an object of name -> rule");
    for (auto r = it->begin(); r != it->end(); ++r) {
        checkRuleShape(r.value(), where + "." + key + "." + r.key());
        out.emplace_back(r.key(), r.value());
    }
    return out;
}

Json readSchemaFile(const std::string& ref, const std::string& where, const DecodeContext& ctx) {
    if (ref.find("..") != std::string::npos)
        throw FieldError(where, "must not leave the config's directory (no ..)");
    std::filesystem::path p(ref);
    if (p.is_relative()) p = ctx.baseDir / p;
    std::ifstream in(p, std::ios::binary);
    if (!in) throw FieldError(where, "cannot read " + p.string());
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = Json::parse(ss.str(), nullptr, false);
    if (j.is_discarded()) throw FieldError(where, p.string() + " is not JSON");
    return j;
}

}  // namespace

std::shared_ptr<const RequestValidation> RequestValidation::decode(const Json& j,
                                                                   const std::string& where,
                                                                   const DecodeContext& ctx) {
    if (!j.is_object()) throw FieldError(where, "must be an object");
    warnUnknown(j, where,
                {"required", "fields", "schema", "schemaRef", "pathParams", "queryParams",
                 "headers", "mode", "failStatus"},
                ctx);
    auto v = std::make_shared<RequestValidation>();
    v->raw_ = j;
    v->mode_ = stringField(j, "mode", where, "strict");
    if (v->mode_ != "strict" && v->mode_ != "warn" && v->mode_ != "permissive")
        throw FieldError(where + ".mode", "must be strict, warn or permissive");
    v->failStatus_ = static_cast<int>(intField(j, "failStatus", where, 400, 400, 599));
    if (auto r = j.find("required"); r != j.end() && !r->is_null()) {
        if (!r->is_array()) throw FieldError(where + ".required", "must be a list of field names");
        for (const auto& f : *r) {
            if (!f.is_string())
                throw FieldError(where + ".required", "must be a list of field names");
            v->required_.push_back(f);
        }
    }
    v->fields_ = ruleMap(j, "fields", where);
    v->pathParams_ = ruleMap(j, "pathParams", where);
    v->queryParams_ = ruleMap(j, "queryParams", where);
    v->headers_ = ruleMap(j, "headers", where);
    Json schema;
    if (auto s = j.find("schema"); s != j.end() && !s->is_null()) schema = *s;
    if (auto s = j.find("schemaRef"); s != j.end() && !s->is_null()) {
        if (!s->is_string()) throw FieldError(where + ".schemaRef", "must be a file path");
        schema = readSchemaFile(*s, where + ".schemaRef", ctx);
    }
    if (!schema.is_null()) {
        if (!schema.is_object() && !schema.is_boolean())
            throw FieldError(where + ".schema", "must be a JSON Schema object");
        std::vector<std::string> unchecked = translateToDraft7(schema, SchemaDialect::Draft2020);
        if (ctx.onUnknownField)
            for (const auto& u : unchecked) {  // "/properties/tags/unevaluatedItems: ..."
                std::string field = u.substr(0, u.find(": "));
                std::replace(field.begin(), field.end(), '/', '.');
                ctx.onUnknownField(where + ".schema" + field);
            }
        v->schema_ = std::make_unique<Schema>();
        try {
            v->schema_->compiled = JsonSchema::compile(schema);
        } catch (const std::exception& e) {
            throw FieldError(where + ".schema",
                             std::string("not a valid JSON Schema: ") + e.what());
        }
    }
    if (v->required_.empty() && v->fields_.empty() && v->pathParams_.empty() &&
        v->queryParams_.empty() && v->headers_.empty() && !v->schema_)
        return nullptr;  // nothing to check: mockd counts such a block as empty
    return v;
}

namespace {

std::optional<std::string> queryValue(std::string_view query, const std::string& name) {
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        size_t eq = pair.find('=');
        if (percentDecode(pair.substr(0, eq), true) == name)
            return eq == std::string_view::npos ? "" : percentDecode(pair.substr(eq + 1), true);
    }
    return std::nullopt;
}

void checkParam(const std::string& name, const std::optional<std::string>& text, const Json& rule,
                const char* location, std::vector<ValidationProblem>& out) {
    if (!text) {
        if (valueOr(rule, "required", false))
            out.push_back({name, location, "required", "is required", nullptr, nullptr});
        return;
    }
    checkFieldRule(name, coerced(*text, rule), rule, location, out);
}

}  // namespace

void RequestValidation::checkBody(std::string_view text,
                                  std::vector<ValidationProblem>& out) const {
    if (required_.empty() && fields_.empty() && !schema_) return;
    Json body = Json::object();  // an empty body is an empty object: `required` still holds
    const bool blank = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (!blank) {
        body = Json::parse(text.begin(), text.end(), nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
            out.push_back(
                {"", "body", "invalid_json", "the body must be a JSON object", nullptr, nullptr});
            return;
        }
    }
    if (schema_) {
        std::vector<SchemaViolation> violations;
        schema_->compiled->validate(body, &violations);
        for (auto& v : violations)
            out.push_back(
                {std::move(v.field), "body", "schema", std::move(v.message), nullptr, nullptr});
        return;  // mockd: a schema replaces `required` and `fields`
    }
    for (const auto& name : required_)
        if (!body.contains(name) || body[name].is_null())
            out.push_back({name, "body", "required", "is required", nullptr, nullptr});
    for (const auto& [path, rule] : fields_) {
        std::vector<std::pair<std::string, const Json*>> found;
        valuesAt(body, path, 0, "", found);
        if (found.empty() && valueOr(rule, "required", false) &&
            std::find(required_.begin(), required_.end(), path) == required_.end())
            out.push_back({path, "body", "required", "is required", nullptr, nullptr});
        for (const auto& [shown, value] : found) checkFieldRule(shown, *value, rule, "body", out);
    }
}

std::vector<ValidationProblem> RequestValidation::check(const Request& req,
                                                        const Captures& pathParams) const {
    std::vector<ValidationProblem> out;
    for (const auto& [name, rule] : pathParams_) {
        std::optional<std::string> value;
        for (const auto& [k, v] : pathParams)
            if (k == name) value = v;
        checkParam(name, value, rule, "path", out);
    }
    for (const auto& [name, rule] : queryParams_)
        checkParam(name, queryValue(req.rawQuery, name), rule, "query", out);
    for (const auto& [name, rule] : headers_) {
        std::optional<std::string> value;
        if (req.hasHeader(name)) value = std::string(req.header(name));
        checkParam(name, value, rule, "header", out);
    }
    checkBody(req.body, out);
    return out;
}

bool RequestValidation::rejects(const std::vector<ValidationProblem>& problems) const {
    if (problems.empty() || mode_ == "warn") return false;
    if (mode_ == "strict") return true;
    return std::any_of(problems.begin(), problems.end(),
                       [](const ValidationProblem& p) { return p.code == "required"; });
}

std::string problemJson(int status, const std::vector<ValidationProblem>& problems) {
    Json errors = Json::array();
    for (const auto& p : problems) {
        Json e = {{"field", p.field},
                  {"location", p.location},
                  {"code", p.code},
                  {"message", p.field.empty() ? p.message : p.field + ": " + p.message}};
        if (!p.received.is_null()) e["received"] = p.received;
        if (!p.expected.is_null()) e["expected"] = p.expected;
        errors.push_back(std::move(e));
    }
    const std::string detail = problems.size() == 1
                                   ? errors[0]["message"].get<std::string>()
                                   : std::to_string(problems.size()) + " validation errors";
    return Json{{"type", "validation_error"},
                {"title", "Request Validation Failed"},
                {"status", status},
                {"detail", detail},
                {"errors", std::move(errors)}}
        .dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string problemSummary(const std::vector<ValidationProblem>& problems) {
    std::string all;
    for (const auto& p : problems)
        all += (all.empty() ? "" : "; ") + p.location + " " +
               (p.field.empty() ? "" : p.field + ": ") + p.message;
    return all;
}

std::string RequestValidation::problemBody(const std::vector<ValidationProblem>& problems) const {
    return problemJson(failStatus_, problems);
}

}  // namespace mockd::core
