// JSON Schema on valijson: dialect translation to draft 7, RE2 patterns, leaf violations.
#include "core/json_schema.h"

#include <re2/re2.h>

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/constraint_builder.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/encoding.h"
#include "core/request_validation.h"
#include "core/stack.h"

namespace mockd::core {

namespace {

// The keywords a translated `pattern` and `format` are written as, which valijson leaves to
// Re2Pattern and FormatCheck.
constexpr const char* kRe2Pattern = "x-mockd-pattern";
constexpr const char* kFormat = "x-mockd-format";
constexpr int kMaxDepth = 512;

// 2019-09 and 2020-12 keywords with no draft 7 equivalent.
const std::set<std::string> kUncheckable = {
    "unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$dynamicAnchor",
    "$recursiveRef",         "$recursiveAnchor", "minContains", "maxContains"};
// Keywords whose values are data, not schemas: nothing under them is translated.
const std::set<std::string> kDataKeywords = {"enum",    "const",    "default",
                                             "example", "examples", "x-examples"};

std::string pointerToken(const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
}

// `pattern` keywords are searched (ECMA-262 `pattern` is unanchored) with RE2.
class Re2Pattern final : public valijson::constraints::PolyConstraint {
  public:
    explicit Re2Pattern(std::shared_ptr<const RE2> re) : re_(std::move(re)) {}
    bool validate(const valijson::adapters::Adapter& target,
                  const std::vector<std::string>& context,
                  valijson::ValidationResults* results) const override {
        if (!target.isString()) return true;
        if (RE2::PartialMatch(target.getString(), *re_)) return true;
        if (results) results->pushError(context, "must match the pattern " + re_->pattern());
        return false;
    }

  private:
    std::shared_ptr<const RE2> re_;
    Constraint* cloneInto(void* at) const override { return new (at) Re2Pattern(*this); }
    size_t sizeOf() const override { return sizeof(Re2Pattern); }
};

class Re2PatternBuilder final : public valijson::ConstraintBuilder {
  public:
    valijson::constraints::Constraint* make(
        const valijson::adapters::Adapter& node) const override {
        std::string source;
        if (!node.getString(source)) throw std::runtime_error("pattern must be a string");
        RE2::Options options;
        options.set_log_errors(false);
        auto re = std::make_shared<const RE2>(source, options);
        if (!re->ok()) throw std::runtime_error("pattern " + source + ": " + re->error());
        return new Re2Pattern(std::move(re));
    }
};

bool leapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool validDate(const std::string& year, int month, int day) {
    static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
    return month != 2 || day < 29 || leapYear(std::atoi(year.c_str()));
}

// RFC 3339 dates and times (as JSON Schema's date, time and date-time), and the formats mockd's
// field rules know (email, uuid, ipv4, ipv6), on strings only: JSON Schema's `format` says
// nothing about other values. Other formats are annotations.
bool formatHoldsForSchema(const std::string& format, const std::string& s) {
    static const RE2 kDate(R"(^(\d{4})-(\d{2})-(\d{2})$)");
    static const RE2 kTime(
        R"(^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$)");
    static const RE2 kDateTime(
        R"(^(\d{4})-(\d{2})-(\d{2})[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?)"
        R"(([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$)");
    std::string year;
    int month = 0, day = 0;
    if (format == "date")
        return RE2::FullMatch(s, kDate, &year, &month, &day) && validDate(year, month, day);
    if (format == "date-time")
        return RE2::PartialMatch(s, kDateTime, &year, &month, &day) && validDate(year, month, day);
    if (format == "time") return RE2::FullMatch(s, kTime);
    if (format == "email" || format == "uuid" || format == "ipv4" || format == "ipv6")
        return core::formatHolds(format, s);
    return true;
}

class FormatCheck final : public valijson::constraints::PolyConstraint {
  public:
    explicit FormatCheck(std::string format) : format_(std::move(format)) {}
    bool validate(const valijson::adapters::Adapter& target,
                  const std::vector<std::string>& context,
                  valijson::ValidationResults* results) const override {
        if (!target.isString() || formatHoldsForSchema(format_, target.getString())) return true;
        if (results) results->pushError(context, "must be a valid " + format_);
        return false;
    }

  private:
    std::string format_;
    Constraint* cloneInto(void* at) const override { return new (at) FormatCheck(*this); }
    size_t sizeOf() const override { return sizeof(FormatCheck); }
};

class FormatCheckBuilder final : public valijson::ConstraintBuilder {
  public:
    valijson::constraints::Constraint* make(
        const valijson::adapters::Adapter& node) const override {
        std::string format;
        if (!node.getString(format)) throw std::runtime_error("format must be a string");
        return new FormatCheck(std::move(format));
    }
};

struct Translator {
    SchemaDialect dialect;
    OpenApiDirection direction;
    std::vector<std::string> unchecked;

    void nullable(Json& s, const char* key) {
        auto n = s.find(key);
        if (n == s.end() || !n->is_boolean()) return;
        if (n->get<bool>()) {
            if (auto t = s.find("type"); t != s.end() && t->is_string())
                *t = Json::array({*t, "null"});
            if (auto e = s.find("enum"); e != s.end() && e->is_array() &&
                                         std::find(e->begin(), e->end(), nullptr) == e->end())
                e->push_back(nullptr);
        }
        s.erase(n);
    }

    // OpenAPI 3.0 (JSON Schema draft 4/5): `exclusiveMinimum: true` qualifies `minimum`.
    static void booleanBounds(Json& s) {
        for (const auto& [exclusive, bound] :
             {std::pair{"exclusiveMinimum", "minimum"}, std::pair{"exclusiveMaximum", "maximum"}}) {
            auto e = s.find(exclusive);
            if (e == s.end() || !e->is_boolean()) continue;
            if (e->get<bool>() && s.contains(bound)) {
                *e = s[bound];
                s.erase(bound);
            } else {
                s.erase(e);
            }
        }
    }

    // 2020-12's array and dependency keywords as draft 7 spells them.
    static void from2020(Json& s) {
        if (auto p = s.find("prefixItems"); p != s.end() && p->is_array()) {
            Json tuple = *p;
            s.erase(p);
            if (auto items = s.find("items"); items != s.end()) {
                s["additionalItems"] = *items;
                s.erase("items");
            }
            s["items"] = std::move(tuple);
        }
        for (const char* key : {"dependentRequired", "dependentSchemas"}) {
            auto d = s.find(key);
            if (d == s.end() || !d->is_object()) continue;
            Json& deps = s["dependencies"];
            if (!deps.is_object()) deps = Json::object();
            for (auto it = d->begin(); it != d->end(); ++it) deps[it.key()] = it.value();
            s.erase(key);
        }
        // 2020-12 applies the keywords beside a $ref; draft 7 ignores them.
        if (auto r = s.find("$ref"); r != s.end() && s.size() > 1) {
            Json ref = {{"$ref", *r}};
            s.erase(r);
            Json& all = s["allOf"];
            if (!all.is_array()) all = Json::array();
            all.push_back(std::move(ref));
        }
    }

    static void format(Json& s) {
        auto f = s.find("format");
        if (f == s.end() || !f->is_string()) return;
        s[kFormat] = *f;
        s.erase("format");
    }

    void pattern(Json& s, const std::string& at) {
        auto p = s.find("pattern");
        if (p == s.end() || !p->is_string()) return;
        RE2::Options options;
        options.set_log_errors(false);
        RE2 re(p->get<std::string>(), options);
        if (re.ok())
            s[kRe2Pattern] = *p;
        else
            unchecked.push_back(at + "/pattern: " + p->get<std::string>() +
                                " is not a pattern RE2 can run (" + re.error() + ")");
        s.erase("pattern");
    }

    // OpenAPI: a readOnly property is sent by the server only, a writeOnly one by the client.
    const char* barred() const {
        return direction == OpenApiDirection::Request    ? "readOnly"
               : direction == OpenApiDirection::Response ? "writeOnly"
                                                         : nullptr;
    }

    static bool says(const Json& s, const char* key) {
        auto it = s.find(key);
        return it != s.end() && it->is_boolean() && it->get<bool>();
    }

    void oneWay(Json& s) {
        const char* key = barred();
        if (!key) return;
        if (says(s, key)) {
            Json& all = s["allOf"];
            if (!all.is_array()) all = Json::array();
            all.push_back({{"type", "null"}});
        }
        auto req = s.find("required");
        auto props = s.find("properties");
        if (req == s.end() || !req->is_array() || props == s.end() || !props->is_object()) return;
        Json kept = Json::array();
        for (const auto& name : *req) {
            auto p = name.is_string() ? props->find(name.get<std::string>()) : props->end();
            if (p == props->end() || !p->is_object() || !says(*p, key)) kept.push_back(name);
        }
        *req = std::move(kept);
    }

    void object(Json& s, const std::string& at) {
        if (dialect == SchemaDialect::OpenApi30) {
            nullable(s, "nullable");
            nullable(s, "x-nullable");
            booleanBounds(s);
            if (auto t = s.find("type"); t != s.end() && *t == "file") s.erase(t);  // Swagger 2
        } else if (dialect == SchemaDialect::Draft2020) {
            from2020(s);
        }
        pattern(s, at);
        format(s);
        oneWay(s);
        for (const auto& key : kUncheckable)
            if (s.contains(key)) unchecked.push_back(at + "/" + key + ": not checked");
    }

    void walk(Json& j, const std::string& at, int depth) {
        if (depth > kMaxDepth) return;
        if (j.is_array()) {
            for (size_t i = 0; i < j.size(); ++i)
                walk(j[i], at + "/" + std::to_string(i), depth + 1);
            return;
        }
        if (!j.is_object()) return;
        object(j, at);
        for (auto it = j.begin(); it != j.end(); ++it)
            if (!kDataKeywords.count(it.key()))
                walk(it.value(), at + "/" + pointerToken(it.key()), depth + 1);
    }

    // The $refs valijson cannot follow, left out (and named): one to another document (none is
    // fetched), one to the whole document, one that is no JSON pointer, and a chain of $refs
    // that comes back to itself with no schema between (valijson would follow it forever).
    void refs(Json& document, Json& j, const std::string& at, int depth) {
        if (depth > kMaxDepth) return;
        if (j.is_array()) {
            for (size_t i = 0; i < j.size(); ++i)
                refs(document, j[i], at + "/" + std::to_string(i), depth + 1);
            return;
        }
        if (!j.is_object()) return;
        if (auto r = j.find("$ref"); r != j.end() && r->is_string()) {
            const std::string problem = refProblem(document, r->get<std::string>());
            if (!problem.empty()) {
                unchecked.push_back(at + "/$ref: " + r->get<std::string>() + " " + problem +
                                    ": not checked");
                j.erase("$ref");
            }
        }
        for (auto it = j.begin(); it != j.end(); ++it)
            if (!kDataKeywords.count(it.key()))
                refs(document, it.value(), at + "/" + pointerToken(it.key()), depth + 1);
    }

    static const Json* target(const Json& document, const std::string& ref) {
        if (ref.size() < 2 || ref[0] != '#' || ref[1] != '/') return nullptr;
        try {
            return &document.at(Json::json_pointer(percentDecode(ref.substr(1))));
        } catch (const std::exception&) {
            return nullptr;
        }
    }

    static std::string refProblem(const Json& document, const std::string& ref) {
        if (!ref.starts_with('#')) return "points outside the document";
        if (ref == "#" || ref == "#/") return "names the whole document";
        std::set<std::string> seen{ref};
        const Json* t = target(document, ref);
        if (!t) return "names nothing in the document";
        for (int hops = 0; t && t->is_object(); ++hops) {
            auto next = t->find("$ref");
            if (next == t->end() || !next->is_string()) return "";
            if (hops > 64 || !seen.insert(next->get<std::string>()).second)
                return "comes back to itself";
            t = target(document, next->get<std::string>());
        }
        return "";
    }
};

// valijson's error context ("<root>", "[items]", "[0]") as a dotted field ("items.0").
std::string fieldOf(const std::vector<std::string>& context) {
    std::string field;
    for (const auto& part : context) {
        if (part == "<root>") continue;
        std::string p = part;
        if (p.size() >= 2 && p.front() == '[' && p.back() == ']') p = p.substr(1, p.size() - 2);
        if (p.size() >= 2 && p.front() == '"' && p.back() == '"') p = p.substr(1, p.size() - 2);
        field += (field.empty() ? "" : ".") + p;
    }
    return field;
}

// How deeply a value nests (arrays and objects), counted up to `limit`.
size_t depthOf(const Json& root, size_t limit) {
    size_t deepest = 0;
    std::vector<std::pair<const Json*, size_t>> stack{{&root, 1}};
    while (!stack.empty()) {
        auto [j, d] = stack.back();
        stack.pop_back();
        if (!j->is_structured()) continue;
        deepest = std::max(deepest, d);
        if (deepest > limit) return deepest;
        for (const auto& c : *j) stack.emplace_back(&c, d + 1);
    }
    return deepest;
}

// valijson recurses once per level of the value.
constexpr size_t kMaxValueDepth = 256;

// The longest property name in a value: valijson matches names against `patternProperties`
// with std::regex, which recurses once per character.
size_t longestKey(const Json& j, int depth = 0) {
    size_t m = 0;
    if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it) m = std::max(m, it.key().size());
    if (j.is_structured() && depth < 256)
        for (const auto& c : j) m = std::max(m, longestKey(c, depth + 1));
    return m;
}

}  // namespace

std::vector<std::string> translateToDraft7(Json& document, SchemaDialect dialect,
                                           OpenApiDirection direction) {
    Translator t{dialect, direction, {}};
    t.walk(document, "", 0);
    t.refs(document, document, "", 0);
    return std::move(t.unchecked);
}

bool jsonSchemaFormatHolds(const std::string& format, const std::string& value) {
    return formatHoldsForSchema(format, value);
}

struct JsonSchema::Compiled {
    valijson::Schema schema;
};

JsonSchema::~JsonSchema() = default;

std::shared_ptr<const JsonSchema> JsonSchema::compile(Json& translated, const std::string& pointer,
                                                      bool draft4) {
    auto out = std::make_shared<JsonSchema>();
    out->compiled_ = std::make_unique<Compiled>();
    valijson::SchemaParser parser(draft4 ? valijson::SchemaParser::kDraft4
                                         : valijson::SchemaParser::kDraft7);
    parser.addConstraintBuilder(kRe2Pattern, new Re2PatternBuilder);  // the parser owns them
    parser.addConstraintBuilder(kFormat, new FormatCheckBuilder);
    if (pointer.empty() || !translated.is_object()) {
        parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(translated),
                              out->compiled_->schema);
        return out;
    }
    // A draft 7 root that is only a $ref is the schema it names, and its other refs still
    // resolve against the whole document.
    std::optional<Json> rootRef;
    if (auto r = translated.find("$ref"); r != translated.end()) rootRef = *r;
    translated["$ref"] = "#" + pointer;
    try {
        parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(translated),
                              out->compiled_->schema);
    } catch (...) {
        rootRef ? void(translated["$ref"] = *rootRef) : void(translated.erase("$ref"));
        throw;
    }
    rootRef ? void(translated["$ref"] = *rootRef) : void(translated.erase("$ref"));
    return out;
}

bool JsonSchema::validate(const Json& value, std::vector<SchemaViolation>* out) const {
    if (depthOf(value, kMaxValueDepth) > kMaxValueDepth) {
        if (out) out->push_back({"", "nests deeper than 256 levels: not checked"});
        return false;
    }
    // A property name too long for this thread's stack is reported instead of checked.
    const size_t longest = longestKey(value);
    if (longest > 256 && longest * 4096 + (size_t{8} << 20) > stackRemaining()) {
        if (out) out->push_back({"", "a property name in the value is too long to check"});
        return false;
    }
    thread_local valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter adapter(value);
    if (validator.validate(compiled_->schema, adapter, out ? &results : nullptr)) return true;
    if (!out) return false;
    const size_t before = out->size();
    std::vector<SchemaViolation> errors;
    valijson::ValidationResults::Error e;
    while (results.popError(e)) errors.push_back({fieldOf(e.context), e.description});
    // Keep the leaves: valijson's "failed to validate ..." for an object, an array or a
    // combinator only repeats what its children say, at the same field or below.
    auto summary = [](const SchemaViolation& e) {
        return e.message.find("ailed to validate") != std::string::npos;
    };
    for (const auto& error : errors) {
        const std::string& field = error.field;  // (clang 14 cannot capture bindings)
        const bool repeated =
            summary(error) &&
            std::any_of(errors.begin(), errors.end(), [&](const SchemaViolation& o) {
                return !summary(o) && o.field.starts_with(field) &&
                       (field.empty() || o.field.size() == field.size() ||
                        o.field[field.size()] == '.');
            });
        if (!repeated) out->push_back(error);
    }
    if (out->size() == before) out->push_back({"", "does not match the schema"});
    return false;
}

size_t JsonSchema::countViolations(const Json& value) const {
    if (depthOf(value, kMaxValueDepth) > kMaxValueDepth) return 1;
    thread_local valijson::Validator validator;
    valijson::ValidationResults results;
    if (validator.validate(compiled_->schema, valijson::adapters::NlohmannJsonAdapter(value),
                           &results))
        return 0;
    return std::max<size_t>(1, results.numErrors());
}

std::shared_ptr<const JsonSchema> SchemaSet::at(const std::string& pointer) const {
    std::lock_guard lock(mutex_);
    if (auto it = compiled_.find(pointer); it != compiled_.end()) return it->second;
    if (auto it = refused_.find(pointer); it != refused_.end())
        throw std::runtime_error(it->second);
    try {
        return compiled_[pointer] = JsonSchema::compile(document_, pointer);
    } catch (const std::exception& e) {
        refused_[pointer] = e.what();
        throw;
    }
}

}  // namespace mockd::core
