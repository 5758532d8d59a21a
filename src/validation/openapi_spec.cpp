// OpenAPI request checks: loading (parameters, bodies and responses per operation, schemas
// compiled once), routing by path template, and the checks themselves.
#include "validation/openapi_spec.h"

#include <array>
#include <charconv>
#include <cmath>
#include <mutex>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "core/encoding.h"
#include "core/match_input.h"
#include "log/log.h"
#include "portability/openapi_paths.h"

namespace mockd::validation {

using core::JsonSchema;

// A schema of the spec, compiled the first time a request needs it: a large spec (Stripe's has
// 452 operations over one graph of schemas) starts without compiling what no request uses. One
// that cannot be compiled is logged once and left unchecked.
class LazySchema {
  public:
    LazySchema() = default;
    LazySchema(const core::SchemaSet& set, std::string pointer, std::string what)
        : state_(std::make_shared<State>()) {
        state_->set = &set;
        state_->pointer = std::move(pointer);
        state_->what = std::move(what);
    }
    explicit LazySchema(std::shared_ptr<const JsonSchema> ready) {
        if (!ready) return;
        state_ = std::make_shared<State>();
        std::call_once(state_->once, [] {});
        state_->compiled = std::move(ready);
    }
    explicit operator bool() const { return state_ != nullptr; }

    // Null when there is nothing to check.
    const JsonSchema* get() const {
        if (!state_) return nullptr;
        State& s = *state_;
        std::call_once(s.once, [&s] {
            try {
                s.compiled = s.set->at(s.pointer);
            } catch (const std::exception& e) {
                log::warn("OpenAPI validation: " + s.what + " is not checked",
                          {{"reason", e.what()}});
            }
        });
        return s.compiled.get();
    }

  private:
    struct State {
        const core::SchemaSet* set = nullptr;
        std::string pointer, what;
        std::once_flag once;
        std::shared_ptr<const JsonSchema> compiled;
    };
    std::shared_ptr<State> state_;
};

struct OpenApiSpec::Param {
    std::string name, in;  // in: path, query, header, cookie or formData
    bool required = false;
    LazySchema schema;           // empty: only presence is checked
    std::string type, itemType;  // what a text value is coerced to
    std::string pointer;      // its schema in the document (coercing an object's texts), or empty
    char separator = ',';     // an array in one value
    bool repeated = false;    // an array as the name repeated (form, multi)
    bool deepObject = false;  // name[prop]=value
};

struct OpenApiSpec::Media {
    std::string type;  // "application/json", "text/*", "*/*"
    LazySchema schema;
    std::string pointer;  // its schema in the document (coercing a form's texts), or empty
};

struct OpenApiSpec::Operation {
    std::string method, path;  // "GET", "/pets/{id}" (the spec's key, fragment and all)
    // What tells this operation from others on the same path (a key's fragment: openapi_paths.h).
    std::vector<portability::PathCondition> conditions;
    std::vector<std::string> pathNames;
    std::vector<Param> params;
    bool bodyRequired = false;
    std::vector<Media> body;  // empty: the operation declares no body
    std::vector<Param> formFields;
    std::map<std::string, std::vector<Media>> responses;  // status key → its bodies
};

struct OpenApiSpec::Node {
    struct Templated {
        std::vector<std::string> parts;  // literal, name, literal, name, ..., literal
        std::unique_ptr<Node> next;
        size_t literalChars = 0;
    };
    std::unordered_map<std::string, std::unique_ptr<Node>> literal;
    std::vector<Templated> templated;  // more literal text first
    std::map<std::string, std::vector<const Operation*>> methods;
    bool isPath = false;
};

namespace {

constexpr std::array<const char*, 8> kMethods = {"get",     "put",  "post",  "delete",
                                                 "options", "head", "patch", "trace"};

std::string pointerToken(const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool flag(const Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

std::string text(const Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Splits "/a/{b}.json" into segments; a templated one into literal and name parts.
std::vector<std::string> splitPath(std::string_view path) {
    std::vector<std::string> out;
    size_t start = path.starts_with('/') ? 1 : 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        out.emplace_back(path.substr(start, end - start));
        start = end + 1;
    }
    if (!out.empty() && out.back().empty() && out.size() > 1) out.pop_back();  // a trailing '/'
    return out;
}

std::vector<std::string> templateParts(const std::string& segment) {
    std::vector<std::string> parts(1);
    bool inName = false;
    for (char c : segment) {
        if (c == '{' && !inName) {
            inName = true;
            parts.emplace_back();
        } else if (c == '}' && inName) {
            inName = false;
            parts.emplace_back();
        } else {
            parts.back() += c;
        }
    }
    if (inName) return {segment};  // an unclosed brace is literal text
    return parts;
}

// Whether `segment` fits the parts from `at` on; the names' values go to `values`.
bool fitParts(const std::vector<std::string>& parts, size_t at, std::string_view segment,
              std::vector<std::string>& values) {
    if (at == parts.size()) return segment.empty();
    const std::string& lit = parts[at];
    if (at % 2 == 0) {
        if (!segment.starts_with(lit)) return false;
        return fitParts(parts, at + 1, segment.substr(lit.size()), values);
    }
    // A name: the shortest non-empty value after which the rest still fits.
    for (size_t n = 1; n <= segment.size(); ++n) {
        values.emplace_back(segment.substr(0, n));
        if (fitParts(parts, at + 1, segment.substr(n), values)) return true;
        values.pop_back();
    }
    return false;
}

// The path part of a server URL ("https://api.x.com/v1" → "/v1"), its variables at their
// defaults.
std::string serverPath(const Json& server) {
    std::string url = text(server, "url");
    if (auto vars = server.find("variables"); vars != server.end() && vars->is_object())
        for (auto it = vars->begin(); it != vars->end(); ++it)
            if (it->is_object()) {
                const std::string name = "{" + it.key() + "}";
                for (size_t at; (at = url.find(name)) != std::string::npos;)
                    url.replace(at, name.size(), text(*it, "default"));
            }
    if (auto scheme = url.find("://"); scheme != std::string::npos) {
        size_t slash = url.find('/', scheme + 3);
        url = slash == std::string::npos ? "" : url.substr(slash);
    }
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

std::string dollarPath(const std::string& dotted) {
    if (dotted.empty()) return "";
    std::string out = "$";
    size_t start = 0;
    while (start <= dotted.size()) {
        size_t end = dotted.find('.', start);
        if (end == std::string::npos) end = dotted.size();
        const std::string part = dotted.substr(start, end - start);
        bool index = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
        out += index ? "[" + part + "]" : "." + part;
        start = end + 1;
    }
    return out;
}

// A text value as the type its parameter declares; left a string when it is not one (the
// schema then says so).
Json coerce(const std::string& value, const std::string& type) {
    if (type == "integer") {
        int64_t n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec == std::errc() && end == value.data() + value.size() && !value.empty()) return n;
    } else if (type == "number") {
        char* end = nullptr;
        double d = std::strtod(value.c_str(), &end);
        if (!value.empty() && end == value.c_str() + value.size() && std::isfinite(d) &&
            value.find_first_of("xXnN") == std::string::npos)
            return d;
    } else if (type == "boolean") {
        if (value == "true") return true;
        if (value == "false") return false;
    }
    return value;
}

// A query string or form body as name/value pairs, by the one decoder the matchers use.
std::vector<std::pair<std::string, std::string>> formPairs(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> out;
    core::parseQuery(text, out);
    return out;
}

std::vector<std::pair<std::string, std::string>> cookiePairs(std::string_view header) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!header.empty()) {
        size_t semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        while (pair.starts_with(' ')) pair.remove_prefix(1);
        size_t eq = pair.find('=');
        if (eq != std::string_view::npos)
            out.emplace_back(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
    }
    return out;
}

bool isJsonMedia(std::string_view media) {
    return media.find("json") != std::string_view::npos || media == "*/*";
}

std::string mediaOf(std::string_view contentType) {
    return lower(contentType.substr(0, contentType.find(';')));
}

// The declared media that takes `contentType`: exact, then type/*, then */*.
template <typename List>
auto findMedia(const List& media, const std::string& contentType) -> decltype(&media[0]) {
    for (const auto& m : media)
        if (lower(m.type) == contentType) return &m;
    const std::string family = contentType.substr(0, contentType.find('/')) + "/*";
    for (const auto& m : media)
        if (m.type == family) return &m;
    for (const auto& m : media)
        if (m.type == "*/*") return &m;
    return nullptr;
}

}  // namespace

// Reads the document's operations; helpers that need the document live here.
class SpecReader {
  public:
    SpecReader(const Json& original, core::SchemaSet& requests, core::SchemaSet* responses,
               std::vector<std::string>& warnings)
        : doc_(original), requests_(requests), responses_(responses), warnings_(warnings) {
        swagger_ = doc_.contains("swagger");
    }

    std::unique_ptr<OpenApiSpec::Operation> operation(const std::string& path,
                                                      const std::string& method);

  private:
    const Json& doc_;
    core::SchemaSet& requests_;
    core::SchemaSet* responses_;  // null: response bodies are not checked
    std::vector<std::string>& warnings_;
    bool swagger_ = false;

    // Follows local $refs from `pointer`; empty when one leads nowhere.
    std::string resolve(std::string pointer, int hops = 0) const;
    const Json* at(const std::string& pointer) const {
        try {
            return &doc_.at(Json::json_pointer(pointer));
        } catch (const std::exception&) {
            return nullptr;
        }
    }
    std::string typeAt(const std::string& pointer, int depth = 0) const;
    LazySchema compile(const std::string& pointer, const std::string& what, bool response = false);
    LazySchema compileSwaggerParam(const Json& param, const std::string& what);
    OpenApiSpec::Param param(const std::string& pointer, const std::string& what);
    void requestBody(const std::string& pointer, OpenApiSpec::Operation& op);
    std::vector<OpenApiSpec::Media> content(const std::string& pointer, const std::string& what,
                                            bool response = false);
    std::vector<std::string> consumes(const Json& op, const char* key) const;
};

std::string SpecReader::resolve(std::string pointer, int hops) const {
    const Json* j = at(pointer);
    if (!j) return "";
    auto ref = j->is_object() ? j->find("$ref") : j->end();
    if (!j->is_object() || ref == j->end() || !ref->is_string()) return pointer;
    const std::string r = ref->get<std::string>();
    if (!r.starts_with('#') || hops > 16) return "";
    return resolve(core::percentDecode(r.substr(1)), hops + 1);
}

// The JSON type a schema's values have (the first of a list that is not null; an allOf/oneOf/
// anyOf's first branch that says), for coercing text values.
std::string SpecReader::typeAt(const std::string& pointer, int depth) const {
    const std::string p = resolve(pointer);
    const Json* s = p.empty() ? nullptr : at(p);
    if (!s || !s->is_object() || depth > 8) return "";
    if (auto t = s->find("type"); t != s->end()) {
        if (t->is_string()) return t->get<std::string>();
        if (t->is_array())
            for (const auto& one : *t)
                if (one.is_string() && one != "null") return one.get<std::string>();
    }
    for (const char* key : {"allOf", "oneOf", "anyOf"})
        if (auto list = s->find(key); list != s->end() && list->is_array())
            for (size_t i = 0; i < list->size(); ++i) {
                std::string t = typeAt(p + "/" + key + "/" + std::to_string(i), depth + 1);
                if (!t.empty()) return t;
            }
    if (s->contains("properties")) return "object";
    if (s->contains("items")) return "array";
    return "";
}

LazySchema SpecReader::compile(const std::string& pointer, const std::string& what, bool response) {
    if (response && !responses_) return {};
    return LazySchema(response ? *responses_ : requests_, pointer, what);
}

// Swagger 2.0: a parameter other than the body is its own schema.
LazySchema SpecReader::compileSwaggerParam(const Json& param, const std::string& what) {
    Json schema = Json::object();
    for (auto it = param.begin(); it != param.end(); ++it)
        if (it.key() != "name" && it.key() != "in" && it.key() != "required" &&
            it.key() != "description" && it.key() != "collectionFormat" &&
            it.key() != "allowEmptyValue")
            schema[it.key()] = it.value();
    if (schema.value("type", "") == "file") return {};
    std::vector<std::string> unchecked = core::translateToDraft7(
        schema, core::SchemaDialect::OpenApi30, core::OpenApiDirection::Request);
    for (const auto& u : unchecked) warnings_.push_back(what + u);
    try {
        return LazySchema(JsonSchema::compile(schema));
    } catch (const std::exception& e) {
        warnings_.push_back(what + ": not checked (" + e.what() + ")");
        return {};
    }
}

OpenApiSpec::Param SpecReader::param(const std::string& pointer, const std::string& what) {
    OpenApiSpec::Param p;
    const Json& j = *at(pointer);
    p.name = text(j, "name");
    p.in = text(j, "in");
    p.required = p.in == "path" || flag(j, "required");
    std::string style = text(j, "style");
    bool explode = j.contains("explode") ? flag(j, "explode") : style.empty() || style == "form";
    if (swagger_) {
        p.schema = compileSwaggerParam(j, what);
        p.type = text(j, "type");
        if (auto items = j.find("items"); items != j.end() && items->is_object())
            p.itemType = text(*items, "type");
        const std::string format =
            j.contains("collectionFormat") ? text(j, "collectionFormat") : "csv";
        p.repeated = format == "multi";
        p.separator = format == "ssv"     ? ' '
                      : format == "tsv"   ? '\t'
                      : format == "pipes" ? '|'
                                          : ',';
        return p;
    }
    std::string schemaPointer = pointer + "/schema";
    if (!j.contains("schema")) {  // `content`: one media type whose schema the value meets
        if (auto c = j.find("content"); c != j.end() && c->is_object() && !c->empty())
            schemaPointer = pointer + "/content/" + pointerToken(c->begin().key()) + "/schema";
    }
    if (at(schemaPointer)) {
        p.schema = compile(schemaPointer, what);
        p.type = typeAt(schemaPointer);
        const std::string s = resolve(schemaPointer);
        if (p.type == "array" && !s.empty()) p.itemType = typeAt(s + "/items");
        p.pointer = schemaPointer;
    }
    p.repeated =
        (p.in == "query" || p.in == "cookie") && explode && (style.empty() || style == "form");
    p.separator = style == "spaceDelimited" ? ' ' : style == "pipeDelimited" ? '|' : ',';
    p.deepObject = style == "deepObject";
    return p;
}

std::vector<OpenApiSpec::Media> SpecReader::content(const std::string& pointer,
                                                    const std::string& what, bool response) {
    std::vector<OpenApiSpec::Media> out;
    const Json* c = at(pointer);
    if (!c || !c->is_object()) return out;
    for (auto it = c->begin(); it != c->end(); ++it) {
        OpenApiSpec::Media m{it.key(), {}, {}};
        const std::string schema = pointer + "/" + pointerToken(it.key()) + "/schema";
        if (it->is_object() && it->contains("schema")) {
            const std::string media = lower(it.key());
            if (isJsonMedia(media) || media == "application/x-www-form-urlencoded")
                m.schema = compile(schema, what + " " + it.key(), response);
            if (media == "application/x-www-form-urlencoded") m.pointer = schema;
        }
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<std::string> SpecReader::consumes(const Json& op, const char* key) const {
    std::vector<std::string> out;
    const Json* list = op.contains(key) ? &op[key] : doc_.contains(key) ? &doc_[key] : nullptr;
    if (list && list->is_array())
        for (const auto& m : *list)
            if (m.is_string()) out.push_back(m);
    if (out.empty()) out.push_back("application/json");
    return out;
}

void SpecReader::requestBody(const std::string& pointer, OpenApiSpec::Operation& op) {
    const std::string p = resolve(pointer);
    const Json* b = p.empty() ? nullptr : at(p);
    if (!b || !b->is_object()) return;
    op.bodyRequired = flag(*b, "required");
    op.body = content(p + "/content", op.method + " " + op.path + " request body");
}

std::unique_ptr<OpenApiSpec::Operation> SpecReader::operation(const std::string& path,
                                                              const std::string& method) {
    auto op = std::make_unique<OpenApiSpec::Operation>();
    op->method = lower(method);
    for (char& c : op->method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    op->path = path;
    const std::string itemPointer = "/paths/" + pointerToken(path);
    const std::string opPointer = itemPointer + "/" + method;
    const std::string name = op->method + " " + path;
    // Path-level parameters, overridden by the operation's of the same name and place.
    std::vector<std::pair<std::pair<std::string, std::string>, std::string>> params;
    for (const std::string& owner : {itemPointer, opPointer}) {
        const Json* list = at(owner + "/parameters");
        if (!list || !list->is_array()) continue;
        for (size_t i = 0; i < list->size(); ++i) {
            const std::string p = resolve(owner + "/parameters/" + std::to_string(i));
            const Json* j = p.empty() ? nullptr : at(p);
            if (!j || !j->is_object()) {
                warnings_.push_back(name + " parameter " + std::to_string(i) +
                                    ": its $ref leads nowhere; not checked");
                continue;
            }
            const std::pair<std::string, std::string> key{text(*j, "in"), text(*j, "name")};
            auto same = std::find_if(params.begin(), params.end(),
                                     [&](const auto& one) { return one.first == key; });
            if (same != params.end())
                same->second = p;
            else
                params.emplace_back(key, p);
        }
    }
    for (const auto& [key, p] : params) {
        const auto& [in, pname] = key;
        const std::string what = name + " " + in + " parameter " + pname;
        if (in == "body") {
            op->bodyRequired = flag(*at(p), "required");
            for (const auto& media : consumes(*at(opPointer), "consumes"))
                op->body.push_back(
                    {media,
                     isJsonMedia(lower(media)) ? compile(p + "/schema", what) : LazySchema(),
                     {}});
            continue;
        }
        if (in == "header" && (lower(pname) == "accept" || lower(pname) == "content-type" ||
                               lower(pname) == "authorization"))
            continue;  // OpenAPI: such a header parameter is ignored
        if (in != "path" && in != "query" && in != "header" && in != "cookie" && in != "formData") {
            warnings_.push_back(what + ": unknown location, not checked");
            continue;
        }
        (in == "formData" ? op->formFields : op->params).push_back(param(p, what));
    }
    if (!op->formFields.empty()) {
        const auto media = consumes(*at(opPointer), "consumes");
        bool urlencoded = std::find(media.begin(), media.end(),
                                    "application/x-www-form-urlencoded") != media.end();
        if (!urlencoded)
            warnings_.push_back(name + ": form fields in multipart bodies are not checked");
    }
    if (at(opPointer + "/requestBody")) requestBody(opPointer + "/requestBody", *op);
    if (const Json* responses = at(opPointer + "/responses"); responses && responses->is_object())
        for (auto it = responses->begin(); it != responses->end(); ++it) {
            const std::string rp = resolve(opPointer + "/responses/" + pointerToken(it.key()));
            const Json* r = rp.empty() ? nullptr : at(rp);
            std::vector<OpenApiSpec::Media> media;
            const std::string what = name + " response " + it.key();
            if (r && r->is_object() && swagger_ && r->contains("schema")) {
                for (const auto& m : consumes(*at(opPointer), "produces"))
                    media.push_back(
                        {m,
                         isJsonMedia(lower(m)) ? compile(rp + "/schema", what, true) : LazySchema(),
                         {}});
            } else if (r && r->is_object()) {
                media = content(rp + "/content", what, true);
            }
            op->responses[it.key()] = std::move(media);
        }
    return op;
}

OpenApiSpec::OpenApiSpec() : root_(std::make_unique<Node>()) {}
OpenApiSpec::~OpenApiSpec() = default;

std::shared_ptr<const OpenApiSpec> OpenApiSpec::load(Json document,
                                                     std::vector<std::string>& warnings,
                                                     bool responseBodies) {
    if (!document.is_object())
        throw std::runtime_error("an OpenAPI spec must be a JSON or YAML object");
    const std::string openapi = text(document, "openapi");
    const bool swagger = text(document, "swagger") == "2.0";
    if (!swagger && !openapi.starts_with("3."))
        throw std::runtime_error(
            "not an OpenAPI spec: it has neither `openapi: 3.x` nor `swagger: \"2.0\"`");
    auto paths = document.find("paths");
    if (paths == document.end() || !paths->is_object())
        throw std::runtime_error("the spec has no `paths` object");
    auto spec = std::shared_ptr<OpenApiSpec>(new OpenApiSpec());
    const auto dialect = openapi.starts_with("3.1") ? core::SchemaDialect::Draft2020
                                                    : core::SchemaDialect::OpenApi30;
    Json requests = document;
    for (const auto& u :
         core::translateToDraft7(requests, dialect, core::OpenApiDirection::Request))
        warnings.push_back("spec " + u);
    spec->requestSchemas_ = std::make_unique<core::SchemaSet>(std::move(requests));
    if (responseBodies) {
        Json responses = document;
        core::translateToDraft7(responses, dialect, core::OpenApiDirection::Response);
        spec->responseSchemas_ = std::make_unique<core::SchemaSet>(std::move(responses));
    }
    if (swagger) {
        std::string base = text(document, "basePath");
        while (!base.empty() && base.back() == '/') base.pop_back();
        if (!base.empty()) spec->basePaths_.push_back(base);
    } else if (auto servers = document.find("servers");
               servers != document.end() && servers->is_array()) {
        for (const auto& s : *servers) {
            std::string base = s.is_object() ? serverPath(s) : "";
            if (!base.empty() && std::find(spec->basePaths_.begin(), spec->basePaths_.end(),
                                           base) == spec->basePaths_.end())
                spec->basePaths_.push_back(base);
        }
    }
    SpecReader reader(document, *spec->requestSchemas_, spec->responseSchemas_.get(), warnings);
    for (auto it = paths->begin(); it != paths->end(); ++it) {
        if (!it->is_object()) continue;
        const portability::SplitPathKey key = portability::splitPathKey(it.key());
        Node* node = spec->insert(key.path);
        for (const char* method : kMethods) {
            if (!it->contains(method) || !(*it)[method].is_object()) continue;
            auto op = reader.operation(it.key(), method);
            op->conditions = key.conditions;
            portability::conditionPlaces(op->conditions, *it, (*it)[method]);
            for (const auto& segment : splitPath(key.path)) {
                auto parts = templateParts(segment);
                for (size_t i = 1; i < parts.size(); i += 2) op->pathNames.push_back(parts[i]);
            }
            node->methods[op->method].push_back(op.get());
            spec->operations_.push_back(std::move(op));
        }
    }
    return spec;
}

OpenApiSpec::Node* OpenApiSpec::insert(const std::string& path) {
    Node* node = root_.get();
    for (const auto& segment : splitPath(path)) {
        std::vector<std::string> parts = templateParts(segment);
        if (parts.size() == 1) {
            auto& next = node->literal[segment];
            if (!next) next = std::make_unique<Node>();
            node = next.get();
            continue;
        }
        auto same = std::find_if(node->templated.begin(), node->templated.end(),
                                 [&](const Node::Templated& t) { return t.parts == parts; });
        if (same == node->templated.end()) {
            size_t chars = 0;
            for (size_t i = 0; i < parts.size(); i += 2) chars += parts[i].size();
            node->templated.push_back({parts, std::make_unique<Node>(), chars});
            std::stable_sort(
                node->templated.begin(), node->templated.end(),
                [](const auto& a, const auto& b) { return a.literalChars > b.literalChars; });
            same = std::find_if(node->templated.begin(), node->templated.end(),
                                [&](const Node::Templated& t) { return t.parts == parts; });
        }
        node = same->next.get();
    }
    node->isPath = true;
    return node;
}

namespace {

using Node = OpenApiSpec::Node;

// Whether the request carries what tells the operation apart (its key's fragment).
bool conditionsHold(const OpenApiSpec::Operation& op, const core::Request& req,
                    const std::vector<std::pair<std::string, std::string>>& query);
using Operation = OpenApiSpec::Operation;

const Node* walk(const Node& node, const std::vector<std::string>& segments, size_t at,
                 std::vector<std::string>& values) {
    if (at == segments.size()) return node.isPath ? &node : nullptr;
    if (auto it = node.literal.find(segments[at]); it != node.literal.end())
        if (const Node* found = walk(*it->second, segments, at + 1, values)) return found;
    for (const auto& t : node.templated) {
        const size_t mark = values.size();
        if (fitParts(t.parts, 0, segments[at], values))
            if (const Node* found = walk(*t.next, segments, at + 1, values)) return found;
        values.resize(mark);
    }
    return nullptr;
}

}  // namespace

const OpenApiSpec::Operation* OpenApiSpec::route(const core::Request& req,
                                                 std::vector<std::string>& values,
                                                 bool& pathKnown) const {
    std::vector<std::string_view> candidates{req.rawPath};
    for (const auto& base : basePaths_)
        if (req.rawPath.starts_with(base) &&
            (req.rawPath.size() == base.size() || req.rawPath[base.size()] == '/'))
            candidates.push_back(req.rawPath.substr(base.size()));
    pathKnown = false;
    for (std::string_view path : candidates) {
        std::vector<std::string> segments;
        for (const auto& s : splitPath(path)) segments.push_back(core::percentDecode(s));
        values.clear();
        const Node* node = walk(*root_, segments, 0, values);
        if (!node) continue;
        pathKnown = true;
        std::string method(req.method);
        auto m = node->methods.find(method);
        if (m == node->methods.end() && method == "HEAD") m = node->methods.find("GET");
        if (m == node->methods.end()) continue;
        if (m->second.size() == 1) return m->second.front();
        // Operations told apart by a header or query value: the one whose values the request
        // has, else the one that asks for none, else the first (whose checks then say what is
        // missing).
        const auto query = formPairs(req.rawQuery);
        for (const Operation* op : m->second)
            if (!op->conditions.empty() && conditionsHold(*op, req, query)) return op;
        for (const Operation* op : m->second)
            if (op->conditions.empty()) return op;
        return m->second.front();
    }
    return nullptr;
}

namespace {

// Form fields as a value: "a[b]=1&a[c][]=2&t=x&t=y" → {"a": {"b": "1", "c": ["2"]}, "t": ["x",
// "y"]} (the bracket notation of deepObject and of SDKs such as Stripe's; a repeated name is a
// list). Values stay text; coerceTexts gives them their types.
Json nestedForm(const std::vector<std::pair<std::string, std::string>>& pairs) {
    Json out = Json::object();
    for (const auto& [key, text] : pairs) {
        std::vector<std::string> path{key.substr(0, key.find('['))};
        for (size_t at = key.find('['); at != std::string::npos; at = key.find('[', at + 1)) {
            const size_t close = key.find(']', at);
            if (close == std::string::npos) break;
            path.push_back(key.substr(at + 1, close - at - 1));
        }
        Json* node = &out;
        for (size_t i = 0; i < path.size(); ++i) {
            const std::string& token = path[i];
            const bool last = i + 1 == path.size();
            const bool index = !token.empty() && token.size() <= 6 &&
                               token.find_first_not_of("0123456789") == std::string::npos;
            if (node->is_null()) *node = token.empty() || index ? Json::array() : Json::object();
            if (node->is_array()) {
                const size_t at = token.empty() || !index ? node->size() : std::stoul(token);
                if (at > 1000) break;  // a sparse index is not a list to build
                while (node->size() <= at) node->push_back(nullptr);
                node = &(*node)[at];
            } else if (node->is_object()) {
                Json& slot = (*node)[token];
                if (last && path.size() == 1 && !slot.is_null()) {  // a repeated name
                    if (!slot.is_array()) slot = Json::array({slot});
                    slot.push_back(text);
                    node = nullptr;
                    break;
                }
                node = &slot;
            } else {
                node = nullptr;  // text already there: the rest has no place
                break;
            }
        }
        if (node && node->is_null()) *node = text;
    }
    return out;
}

bool conditionsHold(const OpenApiSpec::Operation& op, const core::Request& req,
                    const std::vector<std::pair<std::string, std::string>>& query) {
    for (const auto& c : op.conditions) {
        std::optional<std::string> sent;
        if (c.place == "header") {
            if (req.hasHeader(c.name)) sent = std::string(req.header(c.name));
        } else {
            for (const auto& [k, v] : query)
                if (k == c.name && !sent) sent = v;
        }
        if (c.absent ? sent.has_value() : !sent || (c.value && *sent != *c.value)) return false;
    }
    return true;
}

void schemaProblems(const JsonSchema& schema, const Json& value, const std::string& field,
                    const std::string& location, bool dotted, std::vector<ValidationProblem>& out) {
    std::vector<core::SchemaViolation> violations;
    if (schema.validate(value, &violations)) return;
    for (auto& v : violations) {
        std::string where =
            dotted ? dollarPath(v.field) : field + (v.field.empty() ? "" : "." + v.field);
        out.push_back({where, location, "schema", std::move(v.message),
                       value.is_structured() ? Json() : value, nullptr});
    }
}

// A parameter's value from its texts (every value of its name, in order): coerced to its type,
// an array split or gathered, an object from name[prop] pairs.
Json paramValue(const OpenApiSpec::Param& p, const std::vector<std::string>& texts) {
    if (p.type == "array") {
        Json items = Json::array();
        std::vector<std::string> parts;
        if (p.repeated) {
            parts = texts;
        } else {
            std::string_view rest = texts.front();
            while (true) {
                size_t sep = rest.find(p.separator);
                parts.emplace_back(rest.substr(0, sep));
                if (sep == std::string_view::npos) break;
                rest.remove_prefix(sep + 1);
            }
            if (texts.front().empty()) parts.clear();
        }
        for (const auto& part : parts) items.push_back(coerce(part, p.itemType));
        return items;
    }
    if (p.type == "object") {
        Json parsed = Json::parse(texts.front(), nullptr, false);
        return parsed.is_object() ? parsed : Json(texts.front());
    }
    return coerce(texts.front(), p.type);
}

}  // namespace

namespace {

// The JSON types a schema allows a value, in its own and its branches' `type`.
void typesOf(const Json& schema, const Json& root, std::set<std::string>& out, int depth) {
    const Json* s = &schema;
    for (int hops = 0; s->is_object() && s->contains("$ref") && hops < 16; ++hops) {
        const Json& ref = (*s)["$ref"];
        if (!ref.is_string() || !ref.get_ref<const std::string&>().starts_with('#')) return;
        try {
            s = &root.at(Json::json_pointer(core::percentDecode(ref.get<std::string>().substr(1))));
        } catch (const std::exception&) {
            return;
        }
    }
    if (!s->is_object() || depth > 8) return;
    if (auto t = s->find("type"); t != s->end()) {
        if (t->is_string()) out.insert(t->get<std::string>());
        if (t->is_array())
            for (const auto& one : *t)
                if (one.is_string()) out.insert(one.get<std::string>());
    }
    for (const char* key : {"allOf", "anyOf", "oneOf"})
        if (auto list = s->find(key); list != s->end() && list->is_array())
            for (const auto& branch : *list) typesOf(branch, root, out, depth + 1);
}

// The schema a value's part has: a property's (or additionalProperties'), or the items'.
const Json* partSchema(const Json& schema, const Json& root, const std::string& key, bool item,
                       int depth = 0) {
    const Json* s = &schema;
    for (int hops = 0; s->is_object() && s->contains("$ref") && hops < 16; ++hops) {
        const Json& ref = (*s)["$ref"];
        if (!ref.is_string() || !ref.get_ref<const std::string&>().starts_with('#')) return nullptr;
        try {
            s = &root.at(Json::json_pointer(core::percentDecode(ref.get<std::string>().substr(1))));
        } catch (const std::exception&) {
            return nullptr;
        }
    }
    if (!s->is_object() || depth > 8) return nullptr;
    if (item) {
        if (auto it = s->find("items"); it != s->end() && it->is_object()) return &*it;
    } else {
        if (auto props = s->find("properties"); props != s->end() && props->is_object())
            if (auto p = props->find(key); p != props->end()) return &*p;
        if (auto extra = s->find("additionalProperties"); extra != s->end() && extra->is_object())
            return &*extra;
    }
    for (const char* key2 : {"allOf", "anyOf", "oneOf"})
        if (auto list = s->find(key2); list != s->end() && list->is_array())
            for (const auto& branch : *list)
                if (const Json* found = partSchema(branch, root, key, item, depth + 1))
                    return found;
    return nullptr;
}

void coerceValue(Json& value, const Json* schema, const Json& root, int depth) {
    if (!schema || depth > 32) return;
    if (value.is_string()) {
        std::set<std::string> types;
        typesOf(*schema, root, types, 0);
        if (types.count("string")) return;
        for (const char* type : {"integer", "number", "boolean"})
            if (types.count(type)) {
                Json coerced = coerce(value.get<std::string>(), type);
                if (!coerced.is_string()) {
                    value = std::move(coerced);
                    return;
                }
            }
        if (types.count("array")) value = Json::array({value});  // one value of a list
        if (value.is_array())
            coerceValue(value[0], partSchema(*schema, root, "", true), root, depth + 1);
        return;
    }
    if (value.is_object())
        for (auto it = value.begin(); it != value.end(); ++it)
            coerceValue(it.value(), partSchema(*schema, root, it.key(), false), root, depth + 1);
    if (value.is_array())
        for (auto& item : value)
            coerceValue(item, partSchema(*schema, root, "", true), root, depth + 1);
}

}  // namespace

void OpenApiSpec::coerceTexts(Json& value, const std::string& pointer) const {
    if (pointer.empty()) return;
    const Json& root = requestSchemas_->document();
    try {
        coerceValue(value, &root.at(Json::json_pointer(pointer)), root, 0);
    } catch (const std::exception&) {
    }
}

std::vector<ValidationProblem> OpenApiSpec::checkRequest(const core::Request& req) const {
    std::vector<ValidationProblem> out;
    std::vector<std::string> pathValues;
    bool pathKnown = false;
    const Operation* op = route(req, pathValues, pathKnown);
    if (!op) {
        out.push_back({"", "path", "no_route",
                       pathKnown ? "the spec has no " + std::string(req.method) +
                                       " operation for " + std::string(req.rawPath)
                                 : "no path of the spec matches " + std::string(req.rawPath),
                       nullptr, nullptr});
        return out;
    }
    const auto query = formPairs(req.rawQuery);
    const auto cookies = cookiePairs(req.header("Cookie"));
    for (const auto& p : op->params) {
        std::vector<std::string> texts;
        Json value;
        if (p.in == "path") {
            for (size_t i = 0; i < op->pathNames.size() && i < pathValues.size(); ++i)
                if (op->pathNames[i] == p.name) texts.push_back(pathValues[i]);
        } else if (p.in == "header") {
            for (const auto& h : req.headers)
                if (core::iequals(h.name, p.name)) texts.emplace_back(h.value);
        } else {
            const auto& pairs = p.in == "cookie" ? cookies : query;
            for (const auto& [k, v] : pairs)
                if (k == p.name) texts.push_back(v);
            if (p.deepObject) {  // name[prop]=value
                std::vector<std::pair<std::string, std::string>> props;
                for (const auto& [k, v] : pairs)
                    if (k.size() > p.name.size() + 2 && k.starts_with(p.name) &&
                        k[p.name.size()] == '[')
                        props.emplace_back(k, v);
                Json nested = nestedForm(props);
                if (nested.contains(p.name)) {
                    value = std::move(nested[p.name]);
                    coerceTexts(value, p.pointer);
                }
            }
        }
        if (texts.empty() && value.is_null()) {
            if (p.required)
                out.push_back(
                    {p.name, p.in, "required", p.in + " parameter is required", nullptr, nullptr});
            continue;
        }
        if (value.is_null()) value = paramValue(p, texts);
        if (const JsonSchema* schema = p.schema.get())
            schemaProblems(*schema, value, p.name, p.in, false, out);
    }
    checkBody(*op, req, out);
    return out;
}

void OpenApiSpec::checkBody(const Operation& op, const core::Request& req,
                            std::vector<ValidationProblem>& out) const {
    const bool empty = req.body.empty();
    if (!op.formFields.empty()) {
        const auto fields = formPairs(req.body);
        for (const auto& p : op.formFields) {
            std::vector<std::string> texts;
            for (const auto& [k, v] : fields)
                if (k == p.name) texts.push_back(v);
            if (texts.empty()) {
                if (p.required)
                    out.push_back(
                        {p.name, "body", "required", "form field is required", nullptr, nullptr});
                continue;
            }
            if (const JsonSchema* schema = p.schema.get())
                schemaProblems(*schema, paramValue(p, texts), p.name, "body", false, out);
        }
        return;
    }
    if (op.body.empty()) return;
    if (empty) {
        if (op.bodyRequired)
            out.push_back({"", "body", "required", "request body is required", nullptr, nullptr});
        return;
    }
    std::string media = mediaOf(req.header("Content-Type"));
    const Media* m = nullptr;
    if (media.empty()) {
        m = &op.body.front();
        for (const auto& one : op.body)
            if (isJsonMedia(lower(one.type))) m = &one;
    } else {
        m = findMedia(op.body, media);
    }
    if (!m) {
        std::string accepted;
        for (const auto& one : op.body) accepted += (accepted.empty() ? "" : ", ") + one.type;
        out.push_back(
            {"Content-Type", "header", "content_type",
             "Content-Type " + media + " is not one the operation takes (" + accepted + ")", media,
             nullptr});
        return;
    }
    const JsonSchema* schema = m->schema.get();
    if (!schema) return;
    const std::string type = media.empty() ? lower(m->type) : media;
    Json value;
    if (type == "application/x-www-form-urlencoded") {
        value = nestedForm(formPairs(req.body));
        coerceTexts(value, m->pointer);
    } else {
        value = Json::parse(req.body.begin(), req.body.end(), nullptr, false);
        if (value.is_discarded()) {
            out.push_back(
                {"", "body", "invalid_json", "the body is not valid JSON", nullptr, nullptr});
            return;
        }
    }
    schemaProblems(*schema, value, "", "body", true, out);
}

std::vector<ValidationProblem> OpenApiSpec::checkResponse(const core::Request& req, int status,
                                                          std::string_view contentType,
                                                          std::string_view body) const {
    std::vector<ValidationProblem> out;
    std::vector<std::string> pathValues;
    bool pathKnown = false;
    const Operation* op = route(req, pathValues, pathKnown);
    if (!op) return out;
    const std::string code = std::to_string(status);
    auto r = op->responses.find(code);
    if (r == op->responses.end()) r = op->responses.find(code.substr(0, 1) + "XX");
    if (r == op->responses.end()) r = op->responses.find(code.substr(0, 1) + "xx");
    if (r == op->responses.end()) r = op->responses.find("default");
    if (r == op->responses.end()) {
        out.push_back(
            {"status", "response", "status",
             "status " + code + " is not a response " + op->method + " " + op->path + " declares",
             status, nullptr});
        return out;
    }
    if (r->second.empty() || body.empty()) return out;
    const std::string media = mediaOf(contentType);
    const Media* m = media.empty() ? &r->second.front() : findMedia(r->second, media);
    if (!m) {
        out.push_back({"Content-Type", "response", "content_type",
                       "Content-Type " + media + " is not one the response declares", media,
                       nullptr});
        return out;
    }
    const JsonSchema* schema = m->schema.get();
    if (!schema) return out;
    Json value = Json::parse(body.begin(), body.end(), nullptr, false);
    if (value.is_discarded()) {
        out.push_back(
            {"", "response", "invalid_json", "the body is not valid JSON", nullptr, nullptr});
        return out;
    }
    schemaProblems(*schema, value, "", "response", true, out);
    return out;
}

}  // namespace mockd::validation
