// Example generation from schemas. Values are deterministic for a seed: every random choice
// comes from one generator seeded per sample, never from the clock.
#include "portability/schema_sample.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>

#include "core/json_schema.h"
#include "portability/regex_sample.h"

namespace mockd::portability {

namespace {

constexpr int kOptionalDepth = 5;      // optional properties below this depth are left out
constexpr size_t kSoftBudget = 400;    // past this many values only what is required is built
constexpr size_t kHardBudget = 20000;  // and past this nothing more

constexpr const char* kFirstNames[] = {"Alice", "Bob", "Carol", "Dave", "Erin", "Frank"};
constexpr const char* kLastNames[] = {"Smith", "Jones", "Garcia", "Miller", "Davis", "Lopez"};
constexpr const char* kWords[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"};
constexpr const char* kCities[] = {"Springfield", "Riverside", "Fairview", "Madison"};

template <size_t N>
const char* pick(const char* const (&list)[N], std::mt19937_64& rng) {
    return list[rng() % N];
}

std::string uuidFrom(std::mt19937_64& rng) {
    static const char* kHex = "0123456789abcdef";
    std::string u;
    for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) u += '-';
        int v = static_cast<int>(rng() % 16);
        if (i == 12) v = 4;
        if (i == 16) v = 8 + (v % 4);
        u += kHex[v];
    }
    return u;
}

bool isNameLike(std::string_view name, std::initializer_list<std::string_view> keys) {
    for (auto k : keys)
        if (name == k) return true;
    return false;
}

// mockd's property-name hints, for strings without a format.
std::optional<std::string> fromName(std::string lower, std::mt19937_64& rng) {
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::erase(lower, '-');
    if (lower == "email" || (lower.size() > 5 && lower.ends_with("email")))
        return std::string(pick(kFirstNames, rng)) + "@example.com";
    if (isNameLike(lower, {"phone", "mobile", "tel", "phonenumber", "phone_number"}))
        return "+1-555-" + std::to_string(100 + rng() % 900) + "-" +
               std::to_string(1000 + rng() % 9000);
    if (isNameLike(lower, {"firstname", "first_name", "given_name", "givenname"}))
        return std::string(pick(kFirstNames, rng));
    if (isNameLike(lower, {"lastname", "last_name", "surname", "family_name", "familyname"}))
        return std::string(pick(kLastNames, rng));
    if (isNameLike(lower, {"name", "full_name", "fullname", "username", "login"}))
        return std::string(pick(kFirstNames, rng)) + " " + pick(kLastNames, rng);
    if (isNameLike(lower, {"url", "uri", "href", "link", "website"}))
        return std::string("https://example.com/") + pick(kWords, rng);
    if (isNameLike(lower, {"city"})) return std::string(pick(kCities, rng));
    if (isNameLike(lower, {"country"})) return std::string("US");
    if (isNameLike(lower, {"currency"})) return std::string("usd");
    if (isNameLike(lower, {"description", "summary", "bio", "about"}))
        return std::string("An example ") + pick(kWords, rng) + ".";
    if (isNameLike(lower, {"id", "uuid"})) return uuidFrom(rng);
    return std::nullopt;
}

std::optional<std::string> fromFormat(const std::string& format, std::mt19937_64& rng) {
    if (format == "email" || format == "idn-email")
        return std::string(pick(kFirstNames, rng)) + "@example.com";
    if (format == "uuid") return uuidFrom(rng);
    if (format == "uri" || format == "url" || format == "iri" || format == "uri-reference")
        return std::string("https://example.com/") + pick(kWords, rng);
    if (format == "hostname" || format == "idn-hostname")
        return std::string(pick(kWords, rng)) + ".example.com";
    if (format == "ipv4") return "192.0.2." + std::to_string(1 + rng() % 254);
    if (format == "ipv6") return "2001:db8::" + std::to_string(1 + rng() % 9);
    if (format == "date-time") return std::string("2025-01-15T09:30:00Z");
    if (format == "date") return std::string("2025-01-15");
    if (format == "time") return std::string("09:30:00Z");
    if (format == "byte") return std::string("ZXhhbXBsZQ==");
    if (format == "binary") return std::string("example");
    if (format == "password") return std::string("P@ssw0rd!");
    return std::nullopt;
}

bool has(const Json& s, const char* key) {
    auto it = s.find(key);
    return it != s.end() && !it->is_null();
}

double numberAt(const Json& s, const char* key) {
    auto it = s.find(key);
    return it != s.end() && it->is_number() ? it->get<double>() : 0;
}

}  // namespace

SchemaSampler::SchemaSampler(const Json& root, uint64_t seed) : root_(root), rng_(seed) {}

Json SchemaSampler::sample(const Json& schema, std::string_view propertyName) {
    nodes_ = 0;
    active_.clear();
    Out o = generate(schema, propertyName, 0, false);
    return o.omit ? Json() : std::move(o.value);
}

const Json* SchemaSampler::resolve(const std::string& ref) {
    if (!ref.starts_with("#")) {
        unresolved_.insert(ref);
        return nullptr;
    }
    std::string pointer;
    for (size_t i = 1; i < ref.size(); ++i) {  // percent-decoding, as URI fragments need
        if (ref[i] == '%' && i + 2 < ref.size() && std::isxdigit((unsigned char)ref[i + 1]) &&
            std::isxdigit((unsigned char)ref[i + 2])) {
            pointer += static_cast<char>(std::stoi(ref.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            pointer += ref[i];
        }
    }
    try {
        const Json& target = root_.at(Json::json_pointer(pointer));
        return &target;
    } catch (const Json::exception&) {
        unresolved_.insert(ref);
        return nullptr;
    }
}

std::string SchemaSampler::typeOf(const Json& s) const {
    auto t = s.find("type");
    if (t != s.end() && t->is_string()) return t->get<std::string>();
    if (t != s.end() && t->is_array()) {
        for (const auto& x : *t)
            if (x.is_string() && x != "null") return x.get<std::string>();
        if (!t->empty()) return "null";
    }
    if (has(s, "properties") || has(s, "additionalProperties") || has(s, "required"))
        return "object";
    if (has(s, "items")) return "array";
    if (has(s, "pattern") || has(s, "minLength") || has(s, "maxLength") || has(s, "format"))
        return "string";
    if (has(s, "minimum") || has(s, "maximum")) return "number";
    return "";
}

bool SchemaSampler::matchesPattern(const std::string& pattern, const std::string& value) {
    auto it = compiledPatterns_.find(pattern);
    if (it == compiledPatterns_.end()) {
        RE2::Options options;
        options.set_log_errors(false);
        auto re = std::make_shared<const RE2>(pattern, options);
        it = compiledPatterns_.emplace(pattern, re->ok() ? re : nullptr).first;
    }
    const auto* re = static_cast<const RE2*>(it->second.get());
    return !re || RE2::PartialMatch(value, *re);  // a pattern RE2 cannot run says nothing
}

bool SchemaSampler::plausible(const Json& v, const Json& schema, int depth) {
    const Json* s = &schema;
    for (int hops = 0; s->is_object() && s->contains("$ref") && (*s)["$ref"].is_string(); ++hops)
        if (hops > 16 || !(s = resolve((*s)["$ref"].get<std::string>()))) return true;
    if (!s->is_object() || depth > 8) return true;
    if (auto all = s->find("allOf"); all != s->end() && all->is_array())
        for (const auto& part : *all)
            if (!plausible(v, part, depth + 1)) return false;
    for (const char* key : {"oneOf", "anyOf"})
        if (auto some = s->find(key); some != s->end() && some->is_array() && !some->empty() &&
                                      std::none_of(some->begin(), some->end(), [&](const Json& b) {
                                          return plausible(v, b, depth + 1);
                                      }))
            return false;
    if (auto e = s->find("enum");
        e != s->end() && e->is_array() && std::find(e->begin(), e->end(), v) == e->end())
        return false;
    const std::string type = typeOf(*s);
    auto t = s->find("type");
    const bool nullable =
        (has(*s, "nullable") && (*s)["nullable"] == true) ||
        (t != s->end() && t->is_array() && std::find(t->begin(), t->end(), "null") != t->end());
    if (v.is_null()) return nullable || type.empty();
    if (type == "string") {
        if (!v.is_string()) return false;
        const std::string& str = v.get_ref<const std::string&>();
        if (has(*s, "minLength") && str.size() < numberAt(*s, "minLength")) return false;
        if (auto f = s->find("format"); f != s->end() && f->is_string() &&
                                        !core::jsonSchemaFormatHolds(f->get<std::string>(), str))
            return false;
        if (auto p = s->find("pattern");
            p != s->end() && p->is_string() && !matchesPattern(p->get<std::string>(), str))
            return false;
        return true;
    }
    if (type == "integer" || type == "number") {
        if (!v.is_number() || (type == "integer" && !v.is_number_integer() &&
                               std::trunc(v.get<double>()) != v.get<double>()))
            return false;
        const double d = v.get<double>();
        if (has(*s, "minimum") && d < numberAt(*s, "minimum")) return false;
        if (has(*s, "maximum") && d > numberAt(*s, "maximum")) return false;
        return true;
    }
    if (type == "boolean") return v.is_boolean();
    if (type == "array") {
        if (!v.is_array()) return false;
        if (has(*s, "minItems") && v.size() < numberAt(*s, "minItems")) return false;
        if (auto items = s->find("items"); items != s->end())
            for (size_t i = 0; i < v.size() && i < 3; ++i)
                if (!plausible(v[i], *items, depth + 1)) return false;
        return true;
    }
    if (type == "object") {
        if (!v.is_object()) return false;
        if (auto req = s->find("required"); req != s->end() && req->is_array())
            for (const auto& name : *req)
                if (name.is_string() && !v.contains(name.get<std::string>())) return false;
        auto props = s->find("properties");
        if (props != s->end() && props->is_object())
            for (auto it = v.begin(); it != v.end(); ++it) {
                auto p = props->find(it.key());
                if (p != props->end() && !plausible(it.value(), *p, depth + 1)) return false;
                if (p == props->end() && s->contains("additionalProperties") &&
                    (*s)["additionalProperties"] == false)
                    return false;
            }
        return true;
    }
    return true;
}

// allOf's parts folded into one schema: properties and required united, the rest filled in.
Json SchemaSampler::mergedAllOf(const Json& s) {
    Json merged = s;
    merged.erase("allOf");
    for (const auto& rawPart : s["allOf"]) {
        const Json* part = &rawPart;
        if (part->is_object() && part->contains("$ref") && (*part)["$ref"].is_string()) {
            part = resolve((*part)["$ref"].get<std::string>());
            if (!part || std::find(active_.begin(), active_.end(), part) != active_.end()) continue;
        }
        if (!part->is_object()) continue;
        active_.push_back(part);
        Json flat = part->contains("allOf") ? mergedAllOf(*part) : *part;
        active_.pop_back();
        for (auto it = flat.begin(); it != flat.end(); ++it) {
            const std::string& k = it.key();
            if (k == "properties" && it->is_object()) {
                for (auto p = it->begin(); p != it->end(); ++p)
                    if (!merged["properties"].contains(p.key())) merged["properties"][p.key()] = *p;
            } else if (k == "required" && it->is_array()) {
                for (const auto& r : *it) merged["required"].push_back(r);
            } else if (!merged.contains(k)) {
                merged[k] = *it;
            }
        }
    }
    return merged;
}

SchemaSampler::Out SchemaSampler::generate(const Json& s, std::string_view name, int depth,
                                           bool inDocument) {
    if (s.is_boolean()) return s.get<bool>() ? Out{Json(), false} : Out{Json(), true};
    if (!s.is_object() || ++nodes_ > kHardBudget) return {Json(), true};
    if (auto ref = s.find("$ref"); ref != s.end() && ref->is_string()) {
        const Json* target = resolve(ref->get<std::string>());
        if (!target || std::find(active_.begin(), active_.end(), target) != active_.end())
            return {Json(), true};
        active_.push_back(target);
        Out o = generate(*target, name, depth, true);
        active_.pop_back();
        return o;
    }
    if (auto c = s.find("const"); c != s.end()) return {*c};
    if (auto e = s.find("example"); e != s.end() && plausible(*e, s)) return {*e};
    if (auto e = s.find("examples");
        e != s.end() && e->is_array() && !e->empty() && plausible((*e)[0], s))
        return {(*e)[0]};
    if (auto f = s.find("x-mockd-faker"); f != s.end() && f->is_string()) {
        if (auto v = fromFormat(f->get<std::string>(), rng_)) return {*v};
        if (auto v = fromName(f->get<std::string>(), rng_)) return {*v};
    }
    if (auto e = s.find("enum"); e != s.end() && e->is_array() && !e->empty()) {
        std::vector<const Json*> choices;
        for (const auto& v : *e)
            if (!v.is_null()) choices.push_back(&v);
        if (choices.empty()) return {Json()};
        return {*choices[rng_() % choices.size()]};
    }
    if (auto d = s.find("default"); d != s.end() && !d->is_null()) return {*d};
    if (auto a = s.find("allOf"); a != s.end() && a->is_array() && !a->empty()) {
        if (!inDocument) return generate(mergedAllOf(s), name, depth, false);
        auto cached = merged_.find(&s);
        if (cached == merged_.end()) cached = merged_.emplace(&s, mergedAllOf(s)).first;
        return generate(cached->second, name, depth, true);  // the cache outlives the walk
    }
    for (const char* key : {"oneOf", "anyOf"})
        if (auto branches = s.find(key);
            branches != s.end() && branches->is_array() && !branches->empty())
            return oneOf(s, *branches, name, depth);
    return generateTyped(s, name, depth, inDocument);
}

// The first branch that gives a value, merged with the schema around it; a discriminator's
// property is set to the name that selects that branch.
SchemaSampler::Out SchemaSampler::oneOf(const Json& s, const Json& branches, std::string_view name,
                                        int depth) {
    // A schema that is only the choice (descriptions aside) is its branch: no merge, no copy.
    bool bare = true;
    for (auto it = s.begin(); it != s.end() && bare; ++it)
        bare = it.key() == "oneOf" || it.key() == "anyOf" || it.key() == "discriminator" ||
               it.key() == "nullable" || it.key() == "description" || it.key() == "title" ||
               it.key().starts_with("x-");
    for (const auto& branch : branches) {
        if (bare && !s.contains("discriminator")) {
            Out o = generate(branch, name, depth, true);
            if (o.omit) continue;
            return o;
        }
        Json combined = s;
        combined.erase("oneOf");
        combined.erase("anyOf");
        combined.erase("discriminator");
        combined["allOf"] = Json::array({branch});
        Out o = generate(combined, name, depth, false);
        if (o.omit) continue;
        auto disc = s.find("discriminator");
        if (disc != s.end() && disc->is_object() && o.value.is_object() &&
            branch.contains("$ref") && disc->contains("propertyName") &&
            (*disc)["propertyName"].is_string()) {
            std::string ref = branch["$ref"].get<std::string>();
            std::string tag = ref.substr(ref.find_last_of('/') + 1);
            if (auto mapping = disc->find("mapping");
                mapping != disc->end() && mapping->is_object())
                for (auto it = mapping->begin(); it != mapping->end(); ++it)
                    if (*it == ref) tag = it.key();
            o.value[(*disc)["propertyName"].get<std::string>()] = tag;
        }
        return o;
    }
    return {Json(), true};
}

SchemaSampler::Out SchemaSampler::generateTyped(const Json& s, std::string_view name, int depth,
                                                bool inDocument) {
    const std::string type = typeOf(s);
    if (type == "object") return object(s, depth, inDocument);
    if (type == "array") return array(s, name, depth, inDocument);
    if (type == "string") return {string(s, name)};
    if (type == "integer") return {number(s, true)};
    if (type == "number") return {number(s, false)};
    if (type == "boolean") return {Json(rng_() % 2 == 0)};
    return {Json()};
}

SchemaSampler::Out SchemaSampler::object(const Json& s, int depth, bool inDocument) {
    Json out = Json::object();
    std::set<std::string> required;
    if (auto r = s.find("required"); r != s.end() && r->is_array())
        for (const auto& x : *r)
            if (x.is_string()) required.insert(x.get<std::string>());
    const bool lean = depth >= kOptionalDepth || nodes_ > kSoftBudget;
    if (auto props = s.find("properties"); props != s.end() && props->is_object()) {
        for (auto it = props->begin(); it != props->end(); ++it) {
            const bool needed = required.count(it.key()) > 0;
            if (lean && !needed) continue;
            if (it->is_object() && it->value("writeOnly", false) && !needed) continue;
            Out o = generate(*it, it.key(), depth + 1, inDocument);
            if (o.omit && !needed) continue;
            out[it.key()] = std::move(o.value);
        }
    }
    for (const auto& r : required)  // required but not described: any value will do
        if (!out.contains(r)) out[r] = "string";
    auto extra = s.find("additionalProperties");
    const bool extraAllowed = extra == s.end() || !extra->is_boolean() || extra->get<bool>();
    const size_t minProps = static_cast<size_t>(std::max(0.0, numberAt(s, "minProperties")));
    const bool describedExtra = extra != s.end() && extra->is_object() && !extra->empty();
    size_t n = 1;
    while (extraAllowed && (out.size() < minProps || (describedExtra && out.empty() && !lean))) {
        Out o = describedExtra ? generate(*extra, "", depth + 1, inDocument) : Out{Json("string")};
        if (o.omit) break;
        out["additionalProp" + std::to_string(n++)] = std::move(o.value);
    }
    return {std::move(out)};
}

SchemaSampler::Out SchemaSampler::array(const Json& s, std::string_view name, int depth,
                                        bool inDocument) {
    Json out = Json::array();
    const Json* items = nullptr;
    if (auto it = s.find("items"); it != s.end()) {
        items = &*it;
        if (items->is_array()) items = items->empty() ? nullptr : &(*items)[0];
    }
    const size_t minItems = static_cast<size_t>(std::max(0.0, numberAt(s, "minItems")));
    size_t count = std::max<size_t>(minItems, 1);
    if (has(s, "maxItems")) count = std::min(count, static_cast<size_t>(numberAt(s, "maxItems")));
    if (depth >= kOptionalDepth || nodes_ > kSoftBudget) count = minItems;
    const bool unique = s.value("uniqueItems", false);
    for (size_t i = 0; i < count && out.size() < std::max<size_t>(count, 1) * 4; ++i) {
        Out o = items ? generate(*items, name, depth + 1, inDocument) : Out{Json("item")};
        if (o.omit) break;
        if (unique && std::find(out.begin(), out.end(), o.value) != out.end()) {
            if (out.size() >= minItems) break;
            if (o.value.is_string()) o.value = o.value.get<std::string>() + std::to_string(i);
            if (o.value.is_number()) o.value = o.value.get<double>() + static_cast<double>(i);
        }
        out.push_back(std::move(o.value));
    }
    if (out.size() < minItems) return {std::move(out), minItems > 0 && out.empty()};
    return {std::move(out)};
}

Json SchemaSampler::string(const Json& s, std::string_view name) {
    const std::string format =
        s.value("format", Json("")).is_string() ? s.value("format", std::string()) : std::string();
    const size_t minLen = static_cast<size_t>(std::max(0.0, numberAt(s, "minLength")));
    const bool hasMax = has(s, "maxLength");
    const size_t maxLen =
        hasMax ? static_cast<size_t>(std::max(0.0, numberAt(s, "maxLength"))) : SIZE_MAX;
    auto fits = [&](const std::string& v) { return v.size() >= minLen && v.size() <= maxLen; };
    if (auto p = s.find("pattern"); p != s.end() && p->is_string()) {
        const std::string key = p->get<std::string>() + '\0' + std::to_string(minLen);
        auto cached = patterns_.find(key);
        if (cached == patterns_.end())
            cached =
                patterns_
                    .emplace(key, sampleForPattern(p->get_ref<const std::string&>(), rng_, minLen))
                    .first;
        if (cached->second && fits(*cached->second)) return *cached->second;
    }
    if (auto v = fromFormat(format, rng_); v && fits(*v)) return *v;
    if (format.empty() && !has(s, "pattern")) {
        if (auto v = fromName(std::string(name.begin(), name.end()), rng_); v && fits(*v))
            return *v;
    }
    std::string v = "string";
    if (minLen > v.size()) {
        v.clear();
        for (size_t i = 0; i < minLen; ++i) v += static_cast<char>('a' + rng_() % 26);
    }
    if (v.size() > maxLen) v.resize(maxLen);
    return v;
}

Json SchemaSampler::number(const Json& s, bool integer) {
    const bool hasMin = has(s, "minimum"), hasMax = has(s, "maximum");
    double lo = hasMin ? numberAt(s, "minimum") : 0, hi = hasMax ? numberAt(s, "maximum") : 0;
    bool exLo = false, exHi = false;
    if (auto e = s.find("exclusiveMinimum"); e != s.end()) {
        if (e->is_boolean()) exLo = e->get<bool>() && hasMin;
        if (e->is_number() && (!hasMin || e->get<double>() >= lo)) {
            lo = e->get<double>();
            exLo = true;
        }
    }
    if (auto e = s.find("exclusiveMaximum"); e != s.end()) {
        if (e->is_boolean()) exHi = e->get<bool>() && hasMax;
        if (e->is_number() && (!hasMax || e->get<double>() <= hi)) {
            hi = e->get<double>();
            exHi = true;
        }
    }
    const bool anyLo = hasMin || exLo, anyHi = hasMax || exHi;
    if (!anyLo) lo = anyHi ? std::min(0.0, hi - 100) : 0;
    if (!anyHi) hi = lo + 100;
    if (hi < lo) std::swap(hi, lo);
    const double multiple = numberAt(s, "multipleOf");
    if (integer) {
        double a = std::ceil(lo), b = std::floor(hi);
        if (exLo && a == lo) a += 1;
        if (exHi && b == hi) b -= 1;
        if (b < a) b = a;
        auto span = static_cast<uint64_t>(std::min(b - a, 1e15));
        double v = a + static_cast<double>(span ? rng_() % (span + 1) : 0);
        if (multiple > 0) v = std::ceil(a / multiple) * multiple;
        return Json(static_cast<int64_t>(v));
    }
    if (multiple > 0) {
        double v = std::ceil(lo / multiple) * multiple;
        if (exLo && v == lo) v += multiple;
        return Json(v);
    }
    double v = lo + (hi - lo) * static_cast<double>(rng_() % 10000) / 10000.0;
    v = std::round(v * 100) / 100;
    if ((exLo && v <= lo) || v < lo) v = lo + (hi - lo) / 2;
    if ((exHi && v >= hi) || v > hi) v = lo + (hi - lo) / 2;
    return Json(v);
}

}  // namespace mockd::portability
