// Field validation for table items.
#include "state/validation.h"

#include <re2/re2.h>

#include <set>

#include "core/errors.h"
#include "core/json_fields.h"
#include "core/json_text.h"
#include "core/request_validation.h"

namespace mockd::state {

namespace {

const std::set<std::string> kTypes = {"string", "number", "integer", "boolean", "array", "object"};
const std::set<std::string> kFormats = {"email", "uuid", "date", "datetime", "date-time",
                                        "uri",   "ipv4", "ipv6", "hostname"};

std::string typeOf(const Json& v) {
    if (v.is_string()) return "string";
    if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
    if (v.is_number()) return "number";
    if (v.is_boolean()) return "boolean";
    if (v.is_array()) return "array";
    if (v.is_object()) return "object";
    return "null";
}

const Json* at(const Json& item, const std::string& path) {
    const Json* cur = &item;
    size_t start = 0;
    while (start <= path.size()) {
        size_t dot = path.find('.', start);
        std::string key = path.substr(start, dot - start);
        if (!cur->is_object() || !cur->contains(key)) return nullptr;
        cur = &(*cur)[key];
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return cur;
}

void checkValue(const std::string& name, const Json& v, const Json& rule,
                std::vector<std::string>& errors, int depth) {
    if (!rule.is_object() || depth > 16) return;
    auto fail = [&](const std::string& why) {
        errors.push_back(name + ": " +
                         (rule.contains("message") && rule["message"].is_string()
                              ? rule["message"].get<std::string>()
                              : why));
    };
    if (v.is_null()) {
        if (!core::valueOr(rule, "nullable", true) || core::valueOr(rule, "required", false))
            fail("must not be null");
        return;
    }
    if (auto t = rule.find("type"); t != rule.end() && t->is_string()) {
        std::string want = *t, got = typeOf(v);
        bool ok = want == got || (want == "number" && got == "integer");
        if (!ok)
            return fail("must be " +
                        (want == "integer" || want == "array" || want == "object"
                             ? std::string("an ")
                             : std::string("a ")) +
                        want + ", not " + got);
    }
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        if (auto m = rule.find("minLength");
            m != rule.end() && m->is_number() && s.size() < m->get<size_t>())
            fail("must be at least " + m->dump() + " characters");
        if (auto m = rule.find("maxLength");
            m != rule.end() && m->is_number() && s.size() > m->get<size_t>())
            fail("must be at most " + m->dump() + " characters");
        if (auto p = rule.find("pattern"); p != rule.end() && p->is_string()) {
            RE2 re(p->get<std::string>(), RE2::Quiet);
            if (re.ok() && !RE2::PartialMatch(s, re)) fail("must match " + p->get<std::string>());
        }
        if (auto f = rule.find("format");
            f != rule.end() && f->is_string() && kFormats.count(*f) && !core::formatHolds(*f, s))
            fail("must be a valid " + f->get<std::string>());
    }
    if (v.is_number()) {
        double d = v.get<double>();
        if (auto m = rule.find("min"); m != rule.end() && m->is_number() && d < m->get<double>())
            fail("must be >= " + m->dump());
        if (auto m = rule.find("max"); m != rule.end() && m->is_number() && d > m->get<double>())
            fail("must be <= " + m->dump());
        if (auto m = rule.find("exclusiveMin");
            m != rule.end() && m->is_number() && d <= m->get<double>())
            fail("must be > " + m->dump());
        if (auto m = rule.find("exclusiveMax");
            m != rule.end() && m->is_number() && d >= m->get<double>())
            fail("must be < " + m->dump());
    }
    if (v.is_array()) {
        if (auto m = rule.find("minItems");
            m != rule.end() && m->is_number() && v.size() < m->get<size_t>())
            fail("must have at least " + m->dump() + " items");
        if (auto m = rule.find("maxItems");
            m != rule.end() && m->is_number() && v.size() > m->get<size_t>())
            fail("must have at most " + m->dump() + " items");
        if (core::valueOr(rule, "uniqueItems", false)) {
            std::set<std::string> seen;
            for (const auto& e : v)
                if (!seen.insert(core::jsonText(e)).second) {
                    fail("must not repeat items");
                    break;
                }
        }
        if (auto items = rule.find("items"); items != rule.end())
            for (size_t i = 0; i < v.size(); ++i)
                checkValue(name + "[" + std::to_string(i) + "]", v[i], *items, errors, depth + 1);
    }
    if (auto e = rule.find("enum");
        e != rule.end() && e->is_array() && std::find(e->begin(), e->end(), v) == e->end())
        fail("must be one of " + e->dump());
    if (auto props = rule.find("properties");
        props != rule.end() && props->is_object() && v.is_object())
        for (auto it = props->begin(); it != props->end(); ++it) {
            const std::string child = name + "." + it.key();
            if (v.contains(it.key()))
                checkValue(child, v[it.key()], it.value(), errors, depth + 1);
            else if (core::valueOr(it.value(), "required", false))
                errors.push_back(child + ": is required");
        }
}

}  // namespace

Validation decodeValidation(const Json& j, const std::vector<Json>& seeds,
                            const std::string& idField, const std::string& where) {
    Validation v;
    if (!j.is_object()) throw core::FieldError(where, "must be an object");
    if (auto m = j.find("mode"); m != j.end() && !m->is_string())
        throw core::FieldError(where + ".mode", "must be strict, warn or permissive");
    v.mode = core::stringField(j, "mode", where, "strict");
    if (v.mode != "strict" && v.mode != "warn" && v.mode != "permissive")
        throw core::FieldError(where + ".mode", "must be strict, warn or permissive");
    if (core::boolField(j, "auto", where, false) && !seeds.empty()) {
        // Types from the first seed; required = present in every seed.
        for (auto it = seeds[0].begin(); it != seeds[0].end(); ++it) {
            if (it.value().is_null() || it.key() == idField || it.key() == "id") continue;
            std::string t = typeOf(it.value());
            v.fields[it.key()] = Json{{"type", t == "integer" ? "number" : t}};
            bool everywhere = std::all_of(seeds.begin(), seeds.end(),
                                          [&](const Json& s) { return s.contains(it.key()); });
            if (everywhere) v.required.push_back(it.key());
        }
    }
    if (auto r = j.find("required"); r != j.end() && r->is_array())
        for (const auto& f : *r)
            if (f.is_string() &&
                std::find(v.required.begin(), v.required.end(), f) == v.required.end())
                v.required.push_back(f);
    if (auto f = j.find("fields"); f != j.end()) {
        if (!f->is_object())
            throw core::FieldError(where + ".fields", "must be an object of field -> rule");
        for (auto it = f->begin(); it != f->end(); ++it) {
            const Json& rule = it.value();
            const std::string rw = where + ".fields." + it.key();
            if (!rule.is_object()) throw core::FieldError(rw, "must be an object");
            if (auto t = rule.find("type");
                t != rule.end() && (!t->is_string() || !kTypes.count(*t)))
                throw core::FieldError(rw + ".type",
                                       "must be string, number, integer, boolean, array or object");
            if (auto fm = rule.find("format");
                fm != rule.end() && (!fm->is_string() || !kFormats.count(*fm)))
                throw core::FieldError(
                    rw + ".format",
                    "must be email, uuid, date, datetime, uri, ipv4, ipv6 or hostname");
            if (auto p = rule.find("pattern"); p != rule.end()) {
                RE2 re(p->is_string() ? p->get<std::string>() : "", RE2::Quiet);
                if (!p->is_string() || !re.ok())
                    throw core::FieldError(rw + ".pattern", "invalid regular expression");
            }
            v.fields[it.key()] = rule;
            if (core::boolField(rule, "required", rw, false) &&
                std::find(v.required.begin(), v.required.end(), it.key()) == v.required.end())
                v.required.push_back(it.key());
        }
    }
    v.onCreate = core::boolField(j, "onCreate", where, true);
    v.onUpdate = core::boolField(j, "onUpdate", where, true);
    return v;
}

std::vector<std::string> validateItem(const Json& item, const Validation& v) {
    std::vector<std::string> errors;
    for (const auto& f : v.required)
        if (!at(item, f)) errors.push_back(f + ": is required");
    for (const auto& [path, rule] : v.fields)
        if (const Json* value = at(item, path)) checkValue(path, *value, rule, errors, 0);
    return errors;
}

}  // namespace mockd::state
