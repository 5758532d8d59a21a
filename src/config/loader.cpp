// mockd collection loader: env expansion, YAML/JSON parsing, decoding and validation.
#include "config/loader.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "core/errors.h"
#include "core/mock_codec.h"
#include "core/yaml_json.h"
#include "portability/formats.h"

namespace mockd::config {
using core::jsonLines;
using core::LineMap;
using core::lineOf;

namespace fs = std::filesystem;
using core::Json;

namespace {

bool nameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool nameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string formatAt(const std::string& name, int line, const std::string& field,
                     const std::string& msg) {
    std::string out = name;
    if (line > 0) out += ":" + std::to_string(line);
    out += ": ";
    if (!field.empty()) out += field + ": ";
    out += msg;
    return out;
}

bool isKnownTopLevel(const std::string& k) {
    static const std::set<std::string> kKnown = {"version",
                                                 "kind",
                                                 "name",
                                                 "metadata",
                                                 "mocks",
                                                 "serverConfig",
                                                 "tables",
                                                 "extend",
                                                 "imports",
                                                 "statefulResources",
                                                 "customOperations",
                                                 "websocketEndpoints",
                                                 "workspaces",
                                                 "description"};
    return kKnown.count(k) > 0;
}

// Parts of a collection whose behaviour is not built yet. Each is refused by name: a config that
// uses one must not load and then serve something else.
const std::vector<std::pair<std::string, std::string>>& unbuiltTopLevel() {
    static const std::vector<std::pair<std::string, std::string>> k = {
        {"workspaces", "workspaces"},
        {"websocketEndpoints", "WebSocket endpoints"},
    };
    return k;
}

// serverConfig: the sections of protocols not served yet are errors; the settings that mockd
// takes from flags alone are warnings naming the flag.
void checkServerConfig(const Json& sc,
                       const std::function<void(const std::string&, const std::string&)>& fail,
                       const std::function<void(const std::string&, const std::string&)>& warn) {
    if (!sc.is_object()) return;
    static const std::vector<std::pair<std::string, std::string>> kUnbuilt = {
        {"graphql", "GraphQL"}, {"grpc", "gRPC"}, {"oauth", "OAuth"},
        {"soap", "SOAP"},       {"mqtt", "MQTT"}, {"audit", "audit logging"}};
    static const std::vector<std::pair<std::string, std::string>> kFromFlags = {
        {"httpPort", "--port"},
        {"adminPort", "--admin-port"},
        {"managementPort", ""},
        {"logRequests", ""},
        {"maxLogEntries", "--max-log-entries"},
        {"maxBodySize", "--max-body-size"},
        {"readTimeout", "--read-timeout"},
        {"writeTimeout", "--write-timeout"},
        {"maxConnections", "--max-connections"}};
    static const std::set<std::string> kApplied = {"httpsPort", "tls",   "mtls",      "cors",
                                                   "rateLimit", "chaos", "validation"};
    for (auto it = sc.begin(); it != sc.end(); ++it) {
        const std::string field = "serverConfig." + it.key();
        if (kApplied.count(it.key())) continue;
        auto unbuilt = std::find_if(kUnbuilt.begin(), kUnbuilt.end(),
                                    [&](const auto& u) { return u.first == it.key(); });
        if (unbuilt != kUnbuilt.end()) {
            if (!it->is_null()) fail(field, "is not supported yet (" + unbuilt->second + ")");
            continue;
        }
        auto flag = std::find_if(kFromFlags.begin(), kFromFlags.end(),
                                 [&](const auto& f) { return f.first == it.key(); });
        if (flag != kFromFlags.end())
            warn(field, "not read from the config file, ignored" +
                            (flag->second.empty() ? "" : "; set it with " + flag->second));
        else
            warn(field, "unknown field, ignored");
    }
}

}  // namespace

std::string expandEnv(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c != '$' || i + 1 >= text.size()) {
            out += c;
            continue;
        }
        if (text[i + 1] == '{') {
            size_t close = text.find('}', i + 2);
            std::string_view inner = close == std::string_view::npos
                                         ? std::string_view()
                                         : text.substr(i + 2, close - i - 2);
            size_t n = 0;
            while (n < inner.size() && (n == 0 ? nameStart(inner[n]) : nameChar(inner[n]))) ++n;
            bool plain = n > 0 && n == inner.size();
            bool withDefault = n > 0 && inner.substr(n).starts_with(":-");
            if (plain || withDefault) {
                std::string name(inner.substr(0, n));
                const char* v = std::getenv(name.c_str());
                if (v && *v)
                    out += v;
                else if (withDefault)
                    out += inner.substr(n + 2);
                i = close;
                continue;
            }
            out += c;
            continue;
        }
        if (nameStart(text[i + 1])) {
            size_t n = i + 1;
            while (n < text.size() && nameChar(text[n])) ++n;
            std::string name(text.substr(i + 1, n - i - 1));
            if (const char* v = std::getenv(name.c_str())) out += v;
            i = n - 1;
            continue;
        }
        out += c;
    }
    return out;
}

std::vector<int> quoteFlowMappingPaths(std::string& yaml) {
    std::vector<int> changed;
    std::string out;
    out.reserve(yaml.size() + 16);
    int line = 1;
    int flowDepth = 0;  // depth of '{' flow mappings around the current position
    bool lineChanged = false;
    for (size_t i = 0; i < yaml.size(); ++i) {
        char c = yaml[i];
        if (c == '\n') {
            if (lineChanged) changed.push_back(line);
            lineChanged = false;
            ++line;
        }
        if (c == '#' && (i == 0 || yaml[i - 1] == ' ' || yaml[i - 1] == '\n')) {
            size_t eol = yaml.find('\n', i);
            if (eol == std::string::npos) eol = yaml.size();
            out.append(yaml, i, eol - i);
            i = eol - 1;
            continue;
        }
        if (c == '"' || c == '\'') {  // copy quoted scalars untouched
            size_t j = i + 1;
            while (j < yaml.size() && yaml[j] != c && yaml[j] != '\n')
                j += (yaml[j] == '\\' && c == '"') ? 2 : 1;
            out.append(yaml, i, std::min(j + 1, yaml.size()) - i);
            i = std::min(j, yaml.size() - 1);
            continue;
        }
        if (c == '{') ++flowDepth;
        if (c == '}' && flowDepth > 0) --flowDepth;
        out += c;
        // Inside a flow mapping, "path:" followed by an unquoted value that holds a '{'.
        bool keyStart =
            i >= 4 && yaml.compare(i - 4, 5, "path:") == 0 && (i < 5 || !nameChar(yaml[i - 5]));
        if (flowDepth > 0 && keyStart) {
            size_t v = i + 1;
            while (v < yaml.size() && yaml[v] == ' ') ++v;
            if (v >= yaml.size() || yaml[v] != '/') continue;
            size_t e = v;
            int depth = 0;
            bool hasBrace = false;
            while (e < yaml.size() && yaml[e] != '\n') {
                char d = yaml[e];
                if (d == '{') {
                    ++depth;
                    hasBrace = true;
                } else if (d == '}') {
                    if (depth == 0) break;
                    --depth;
                } else if (d == ',' && depth == 0)
                    break;
                ++e;
            }
            if (!hasBrace || depth != 0) continue;
            size_t end = e;
            while (end > v && yaml[end - 1] == ' ') --end;
            out.append(yaml, i + 1, v - i - 1);
            out += '"';
            out.append(yaml, v, end - v);
            out += '"';
            out.append(yaml, end, e - end);
            i = e - 1;
            lineChanged = true;
        }
    }
    if (lineChanged) changed.push_back(line);
    if (!changed.empty()) yaml = std::move(out);
    return changed;
}

namespace {
LoadedConfig decodeText(std::string_view rawText, const std::string& name, bool yaml,
                        const fs::path& baseDir, bool expandEnvironment);
UrlFetcher& urlFetcher();
}  // namespace

void setUrlFetcher(UrlFetcher fetcher) { urlFetcher() = std::move(fetcher); }

LoadedConfig loadText(std::string_view rawText, const std::string& name, bool yaml,
                      const fs::path& baseDir, bool expandEnvironment) {
    try {
        return decodeText(rawText, name, yaml, baseDir, expandEnvironment);
    } catch (const Json::exception& e) {
        // A decoder that read a field of the wrong type without checking it first: still a
        // message about the file, never an exception that ends the process.
        throw ConfigError(name + ": a field has the wrong type: " + e.what());
    }
}

namespace {
// Places a field of the document in its file: "file:line: field: message". The line table of
// a JSON document is built only when a message needs it.
struct FieldLocator {
    const std::string& name;
    const std::string& text;  // the text the document was read from
    bool yaml;
    LineMap& lines;
    std::vector<std::string>& warnings;

    ConfigError error(const std::string& field, const std::string& msg) {
        return ConfigError(formatAt(name, lineOf(lineMap(), field), field, msg));
    }
    void warn(const std::string& field, const std::string& msg) {
        warnings.push_back(formatAt(name, lineOf(lineMap(), field), field, msg));
    }
    // Read once more for its lines, the first time a message needs one: a document that loads
    // without a message (the common case, however large) never pays for them.
    const LineMap& lineMap() {
        if (!lines.empty()) return lines;
        if (!yaml)
            jsonLines(text, lines);
        else
            core::parseYaml(text, lines);
        return lines;
    }
};

// Reads `text`, or a repaired copy of it (which `text` then becomes).
Json parseYaml(std::string& text, const std::string& name, std::vector<std::string>& warnings) {
    try {
        return core::parseYaml(text);
    } catch (const core::YamlError& first) {
        std::string repaired = text;
        auto fixed = quoteFlowMappingPaths(repaired);
        Json doc;
        bool ok = false;
        if (!fixed.empty()) {
            try {
                doc = core::parseYaml(repaired);
                text = std::move(repaired);
                ok = true;
            } catch (const core::YamlError&) {
            }
        }
        if (!ok)
            throw ConfigError(
                formatAt(name, first.line(), "", "invalid YAML: " + std::string(first.what())));
        for (int l : fixed)
            warnings.push_back(formatAt(
                name, l, "",
                "a path with {param} inside a { ... } mapping is not valid YAML; read as "
                "meant. Quote it to silence this warning, e.g. path: \"/api/users/{id}\""));
        return doc;
    }
}

Json parseJson(const std::string& text, const std::string& name) {
    try {
        return Json::parse(text);
    } catch (const Json::parse_error& e) {
        size_t pos = e.byte > 0 ? e.byte - 1 : 0;
        int line = 1;
        for (size_t k = 0; k < pos && k < text.size(); ++k) line += text[k] == '\n';
        std::string msg = e.what();
        if (auto p = msg.find("syntax error"); p != std::string::npos) msg = msg.substr(p);
        throw ConfigError(formatAt(name, line, "", "invalid JSON: " + msg));
    } catch (const Json::exception& e) {  // a number out of range (1e309)
        throw ConfigError(formatAt(name, 0, "", std::string("invalid JSON: ") + e.what()));
    }
}

// The top level: its shape, version, unknown and not-yet-supported sections, serverConfig.
void checkTopLevel(Json& doc, FieldLocator& at) {
    if (doc.is_array()) doc = Json{{"mocks", doc}};  // a bare list of mocks
    if (doc.is_null()) doc = Json::object();
    if (!doc.is_object())
        throw at.error("", "a mock collection must be a mapping with \"mocks\", \"tables\", ...");
    if (auto v = doc.find("version"); v != doc.end() && !v->is_null()) {
        bool ok = (v->is_string() && (*v == "1.0" || *v == "1")) ||
                  (v->is_number() && v->get<double>() == 1.0);
        if (!ok)
            throw at.error("version", "unsupported version " + v->dump() + " (expected \"1.0\")");
    }
    for (auto it = doc.begin(); it != doc.end(); ++it)
        if (!isKnownTopLevel(it.key())) at.warn(it.key(), "unknown field, ignored");
    for (const auto& [key, what] : unbuiltTopLevel())
        if (auto it = doc.find(key); it != doc.end() && !it->is_null() && !it->empty())
            throw at.error(key, "is not supported yet (" + what + ")");
    if (auto sc = doc.find("serverConfig"); sc != doc.end())
        checkServerConfig(
            *sc, [&](const std::string& f, const std::string& m) { throw at.error(f, m); },
            [&](const std::string& f, const std::string& m) { at.warn(f, m); });
    for (const char* k : {"tables", "extend", "imports", "statefulResources", "customOperations"})
        if (auto it = doc.find(k); it != doc.end() && !it->is_null() && !it->is_array())
            throw at.error(k, "must be a list");
}

// Calls decode(item, "key[i]") for each item of the list at `key`; a field error becomes a
// located config error.
template <class Decode>
void forEachItem(const Json& doc, const char* key, FieldLocator& at, Decode&& decode) {
    auto list = doc.find(key);
    if (list == doc.end() || list->is_null()) return;
    for (size_t i = 0; i < list->size(); ++i) {
        std::string where = std::string(key) + "[" + std::to_string(i) + "]";
        try {
            decode((*list)[i], where);
        } catch (const core::FieldError& e) {
            throw at.error(e.field(), e.what());
        }
    }
}

// The names tables and custom operations declare, which bindings must name.
struct StateNames {
    std::set<std::string> tables, operations;

    void checkBinding(const core::StatefulBinding& b, const std::string& where) const {
        if (!b.table.empty() && !tables.count(b.table))
            throw core::FieldError(where + ".table", "no table named \"" + b.table + "\"");
        if (b.action == "custom" && !operations.count(b.operation))
            throw core::FieldError(where + ".operation",
                                   "no custom operation named \"" + b.operation + "\"");
    }
};

StateNames decodeStateful(const Json& doc, FieldLocator& at, LoadedConfig& cfg) {
    StateNames names;
    for (const char* key : {"tables", "statefulResources"})
        forEachItem(doc, key, at, [&](const Json& item, const std::string& where) {
            auto def = state::decodeTable(item, where);
            if (!names.tables.insert(def.name).second)
                throw core::FieldError(where + ".name", "duplicate table \"" + def.name + "\"");
            cfg.tables.push_back(std::move(def));
        });
    forEachItem(doc, "customOperations", at, [&](const Json& item, const std::string& where) {
        auto op = state::decodeOperation(item, where);
        if (!names.operations.insert(op.name).second)
            throw core::FieldError(where + ".name", "duplicate operation \"" + op.name + "\"");
        for (size_t k = 0; k < op.steps.size(); ++k)
            if (!op.steps[k].resource.empty() && !names.tables.count(op.steps[k].resource))
                throw core::FieldError(where + ".steps[" + std::to_string(k) + "].resource",
                                       "no table named \"" + op.steps[k].resource + "\"");
        cfg.operations.push_back(std::move(op));
    });
    return names;
}

std::vector<core::Mock> decodeMocks(const Json& doc, FieldLocator& at,
                                    const core::DecodeContext& ctx, const StateNames& names) {
    std::vector<core::Mock> mocks;
    auto m = doc.find("mocks");
    if (m == doc.end() || m->is_null()) return mocks;
    if (!m->is_array()) throw at.error("mocks", "must be a list of mocks");
    std::set<std::string> ids;
    mocks.reserve(m->size());
    forEachItem(doc, "mocks", at, [&](const Json& item, const std::string& where) {
        core::Mock mock = core::decodeMock(item, where, ctx);
        if (!ids.insert(mock.id).second)
            throw core::FieldError(where + ".id", "duplicate mock id \"" + mock.id + "\"");
        if (mock.binding)
            names.checkBinding(*mock.binding,
                               where + (mock.binding->table.empty() ? ".http.statefulOperation"
                                                                    : ".http.statefulBinding"));
        mocks.push_back(std::move(mock));
    });
    return mocks;
}

UrlFetcher& urlFetcher() {
    static UrlFetcher fetcher;
    return fetcher;
}

// An import's document: its text, the name its format is detected by, where its relative
// references resolve, and how messages name it.
struct ImportedText {
    std::string text, filename, ref;
    fs::path baseDir;
};

ImportedText readImport(const std::string& path, const std::string& where,
                        const fs::path& baseDir) {
    const fs::path file = fs::path(path).is_absolute() ? fs::path(path) : baseDir / path;
    std::ifstream in(file, std::ios::binary);
    if (!in) throw core::FieldError(where + ".path", "cannot read " + file.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return {ss.str(), file.filename().string(), path, file.parent_path()};
}

// `url` (when there is no `path`, which wins as in mockd): fetched once, at load. The last
// segment of the URL's path names the document for format detection.
ImportedText fetchImport(const Json& e, const std::string& where) {
    const auto url = e.find("url");
    if (url == e.end()) throw core::FieldError(where + ".path", "is required (or give url)");
    if (!url->is_string() || url->get<std::string>().empty())
        throw core::FieldError(where + ".url", "must be an http:// or https:// URL");
    const std::string u = url->get<std::string>();
    if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0)
        throw core::FieldError(where + ".url", "must be an http:// or https:// URL");
    if (!urlFetcher())
        throw core::FieldError(where + ".url", "imports by URL are not available here");
    ImportedText out;
    try {
        out.text = urlFetcher()(u);
    } catch (const std::exception& err) {
        throw core::FieldError(where + ".url", "cannot fetch " + u + ": " + err.what());
    }
    std::string pathPart = u.substr(u.find("//") + 2);
    pathPart = pathPart.substr(0, pathPart.find_first_of("?#"));
    const size_t slash = pathPart.rfind('/');
    out.filename = slash == std::string::npos ? "" : pathPart.substr(slash + 1);
    out.ref = u;
    return out;
}

// `imports`: documents of any import format, converted and appended after the file's own
// mocks (and tables). `as` names the import: its mocks' operationIds become "<as>.<operationId>"
// so that `extend` can address them, and their ids change with it so that two imports of one
// document do not collide.
void appendImports(Json& doc, FieldLocator& at, const fs::path& baseDir) {
    forEachItem(doc, "imports", at, [&](const Json& e, const std::string& where) {
        if (!e.is_object()) throw core::FieldError(where, "must be {path, format, as}");
        for (auto it = e.begin(); it != e.end(); ++it)
            if (it.key() != "path" && it.key() != "url" && it.key() != "format" && it.key() != "as")
                at.warn(where + "." + it.key(), "unknown field, ignored");
        const std::string path = e.value("path", Json("")).is_string() ? e.value("path", "") : "";
        ImportedText source =
            path.empty() ? fetchImport(e, where) : readImport(path, where, baseDir);
        using namespace portability;
        const std::string formatName =
            e.value("format", Json("")).is_string() ? e.value("format", "") : "";
        Format format = formatName.empty() ? detectFormat(source.text, source.filename)
                                           : parseFormat(formatName);
        if (format == Format::Unknown)
            throw core::FieldError(
                where + (!formatName.empty() ? ".format"
                         : path.empty()      ? ".url"
                                             : ".path"),
                formatName.empty() ? "cannot tell the format of " + source.ref + " (give format)"
                                   : "unknown import format \"" + formatName + "\"");
        ImportOptions options;
        options.baseDir = source.baseDir;
        ImportResult r;
        try {
            r = importDocument(source.text, format, options);
        } catch (const ImportError& err) {
            throw core::FieldError(where, "import " + source.ref + ": " + err.what());
        }
        for (const auto& w : r.warnings) at.warn(where, w);
        Json& c = r.collection;
        const std::string as = e.value("as", Json("")).is_string() ? e.value("as", "") : "";
        Json mocks = c.is_array() ? c : c.value("mocks", Json::array());
        for (auto& m : mocks) {
            if (as.empty() || !m.is_object()) continue;
            if (m.contains("operationId") && m["operationId"].is_string())
                m["operationId"] = as + "." + m["operationId"].get<std::string>();
            if (m.contains("id") && m["id"].is_string())
                m["id"] = as + "." + m["id"].get<std::string>();
        }
        for (auto& m : mocks) doc["mocks"].push_back(std::move(m));
        if (c.is_object())
            for (const char* key : {"tables", "statefulResources", "customOperations"})
                if (auto t = c.find(key); t != c.end() && t->is_array())
                    for (auto& item : *t) doc[key].push_back(std::move(item));
    });
}

// The mock an `extend` names: by id, then by operationId (an import's `as` included), then by
// "METHOD /path".
std::vector<core::Mock>::iterator findExtendTarget(std::vector<core::Mock>& mocks,
                                                   const std::string& name) {
    auto it =
        std::find_if(mocks.begin(), mocks.end(), [&](const core::Mock& m) { return m.id == name; });
    if (it != mocks.end()) return it;
    it = std::find_if(mocks.begin(), mocks.end(), [&](const core::Mock& m) {
        auto op = m.extra.find("operationId");
        return op != m.extra.end() && *op == name;
    });
    if (it != mocks.end()) return it;
    const size_t space = name.find(' ');
    if (space == std::string::npos) return mocks.end();
    const std::string method = name.substr(0, space), path = name.substr(space + 1);
    return std::find_if(mocks.begin(), mocks.end(), [&](const core::Mock& m) {
        return m.type == "http" && m.matcher.path == path && m.matcher.method == method;
    });
}

// `extend`: binds mocks of the file to tables after the fact.
void applyExtends(const Json& doc, FieldLocator& at, std::vector<core::Mock>& mocks,
                  const StateNames& names) {
    forEachItem(doc, "extend", at, [&](const Json& e, const std::string& where) {
        if (!e.is_object()) throw core::FieldError(where, "must be {mock, table, action}");
        auto mockId = e.value("mock", Json()).is_string() ? e["mock"].get<std::string>() : "";
        if (mockId.empty())
            throw core::FieldError(where + ".mock",
                                   "is required (a mock id, an operationId or \"METHOD /path\")");
        auto it = findExtendTarget(mocks, mockId);
        if (it == mocks.end())
            throw core::FieldError(where + ".mock",
                                   "no mock with id, operationId or method and "
                                   "path \"" +
                                       mockId + "\"");
        auto b = core::decodeBinding(e, where);
        names.checkBinding(b, where);
        it->binding = std::move(b);
    });
}

LoadedConfig decodeText(std::string_view rawText, const std::string& name, bool yaml,
                        const fs::path& baseDir, bool expandEnvironment) {
    LoadedConfig cfg;
    cfg.file = name;
    std::string text = expandEnvironment ? expandEnv(rawText) : std::string(rawText);
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw ConfigError(name + ": the configuration file is empty");

    LineMap lines;
    Json doc = yaml ? parseYaml(text, name, cfg.warnings) : parseJson(text, name);
    FieldLocator at{name, text, yaml, lines, cfg.warnings};
    checkTopLevel(doc, at);

    core::DecodeContext ctx;
    ctx.baseDir = baseDir;
    ctx.onUnknownField = [&](const std::string& f) { at.warn(f, "unknown field, ignored"); };
    appendImports(doc, at, baseDir);
    const StateNames names = decodeStateful(doc, at, cfg);
    std::vector<core::Mock> mocks = decodeMocks(doc, at, ctx, names);
    applyExtends(doc, at, mocks, names);
    cfg.compiled.reserve(mocks.size());
    for (size_t i = 0; i < mocks.size(); ++i) {
        core::Mock& mock = mocks[i];
        mock.seq = core::nextMockSeq();
        try {
            cfg.compiled.push_back(
                match::CompiledMock::compile(std::make_shared<core::Mock>(std::move(mock))));
        } catch (const core::FieldError& e) {
            throw at.error("mocks[" + std::to_string(i) + "]." + e.field(), e.what());
        }
    }
    cfg.collection = std::move(doc);
    return cfg;
}
}  // namespace

std::vector<core::Mock> LoadedConfig::mocks() const {
    std::vector<core::Mock> out;
    out.reserve(compiled.size());
    for (const auto& c : compiled) out.push_back(c->mock());
    return out;
}

LoadedConfig loadFile(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw ConfigError(path + ": config file not found");
    if (fs::is_directory(path, ec))
        throw ConfigError(path +
                          ": is a directory, not a config file (use --load DIR for a directory)");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot read the config file");
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string ext = fs::path(path).extension().string();
    for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    bool yaml = ext == ".yaml" || ext == ".yml";
    fs::path base = fs::absolute(fs::path(path)).parent_path();
    return loadText(ss.str(), path, yaml, base);
}

}  // namespace mockd::config
