// Format names, detection and the dispatch to each format's converter.
#include "portability/formats.h"

#include <array>
#include <cstdio>
#include <functional>

#include "core/yaml_json.h"
#include "portability/importers.h"

namespace mockd::portability {

namespace {

std::string_view trimmed(std::string_view s) {
    if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::string extensionOf(std::string_view filename) {
    auto slash = filename.find_last_of('/');
    std::string_view base = slash == std::string_view::npos ? filename : filename.substr(slash + 1);
    auto dot = base.find_last_of('.');
    if (dot == std::string_view::npos || dot == 0) return {};
    return lowerCase(std::string(base.substr(dot)));
}

bool isWireMockStub(const Json& j) {
    return j.is_object() && j.contains("request") && j.contains("response");
}

bool hasAny(const Json& j, std::initializer_list<const char*> keys) {
    for (const char* k : keys)
        if (j.contains(k)) return true;
    return false;
}

bool isMockType(const Json& t) {
    static constexpr std::array<std::string_view, 7> kTypes = {
        "http", "websocket", "graphql", "grpc", "soap", "mqtt", "oauth"};
    if (!t.is_string()) return false;
    const auto& s = t.get_ref<const std::string&>();
    for (auto k : kTypes)
        if (s == k) return true;
    return false;
}

// mockd's JSON rules, in its order; a collection of ours (tables, operations) is mockd's too.
Format detectJson(const Json& j) {
    if (j.is_array()) return !j.empty() && isWireMockStub(j[0]) ? Format::WireMock : Format::Mockd;
    if (!j.is_object()) return Format::Unknown;
    if (j.contains("version") && (j.contains("kind") || j.contains("mocks"))) return Format::Mockd;
    if (j.contains("openapi") || j.contains("swagger")) return Format::OpenApi;
    if (j.contains("log")) return Format::Har;
    if (j.contains("info") && j.contains("item")) return Format::Postman;
    if (j.contains("routes") && hasAny(j, {"endpointPrefix", "port"})) return Format::Mockoon;
    if (isWireMockStub(j)) return Format::WireMock;
    if (auto m = j.find("mappings"); m != j.end() && m->is_array()) return Format::WireMock;
    if (hasAny(j, {"mocks", "tables", "statefulResources", "customOperations"}))
        return Format::Mockd;
    if (isMockType(j.value("type", Json())) || (j.contains("matcher") && j.contains("path")))
        return Format::Mockd;
    return Format::Unknown;
}

Format detectYaml(std::string_view text) {
    Json doc;
    try {
        doc = core::parseYaml(text);
    } catch (const core::YamlError&) {
        bool spec = text.find("openapi:") != std::string_view::npos ||
                    text.find("swagger:") != std::string_view::npos;
        return spec ? Format::OpenApi : Format::Unknown;
    }
    if (doc.is_array()) return Format::Mockd;  // a bare list of mocks
    if (!doc.is_object()) return Format::Unknown;
    auto has = [&](const char* key) { return doc.contains(key); };
    if (has("openapi") || has("swagger")) return Format::OpenApi;
    if (has("mocks") || has("tables") || has("statefulResources") || has("customOperations"))
        return Format::Mockd;
    if (doc.value("kind", Json()) == "MockCollection") return Format::Mockd;
    if (has("matcher") && has("path")) return Format::Mockd;
    if (auto t = doc.value("type", Json()); t.is_string() && isMockType(t)) return Format::Mockd;
    return Format::Unknown;
}

}  // namespace

std::string formatName(Format f) {
    switch (f) {
        case Format::Mockd:
            return "mockd";
        case Format::OpenApi:
            return "openapi";
        case Format::Postman:
            return "postman";
        case Format::Har:
            return "har";
        case Format::WireMock:
            return "wiremock";
        case Format::Curl:
            return "curl";
        case Format::Wsdl:
            return "wsdl";
        case Format::Mockoon:
            return "mockoon";
        case Format::Unknown:
            break;
    }
    return "unknown";
}

const std::vector<std::string>& formatNames() {
    static const std::vector<std::string> k = {"mockd",    "openapi", "postman", "har",
                                               "wiremock", "mockoon", "curl",    "wsdl"};
    return k;
}

Format parseFormat(std::string_view name) {
    const std::string n = lowerCase(std::string(name));
    if (n == "mockd" || n == "native" || n == "json" || n == "yaml" || n == "yml")
        return Format::Mockd;
    if (n == "openapi" || n == "swagger" || n == "oas") return Format::OpenApi;
    for (Format f : {Format::Postman, Format::Har, Format::WireMock, Format::Curl, Format::Wsdl,
                     Format::Mockoon})
        if (n == formatName(f)) return f;
    return Format::Unknown;
}

Format detectFormat(std::string_view rawText, std::string_view filename) {
    const std::string_view text = trimmed(rawText);
    if (text.starts_with("curl ") || text.starts_with("curl\t")) return Format::Curl;
    const std::string ext = extensionOf(filename);
    if (ext == ".wsdl") return Format::Wsdl;
    if ((ext.empty() || ext == ".xml") && text.starts_with("<")) {
        for (const char* root :
             {"<definitions", "<wsdl:definitions", "<description", "<wsdl:description"})
            if (text.find(root) != std::string_view::npos) return Format::Wsdl;
        return Format::Unknown;
    }
    if (ext == ".har") return Format::Har;
    if (ext == ".yaml" || ext == ".yml") return detectYaml(rawText);
    auto j = Json::parse(text.begin(), text.end(), nullptr, false, true);
    if (!j.is_discarded()) return detectJson(j);
    // Not JSON: a .json file stays unknown; any other name may be YAML (mockd gives up on
    // other extensions; the content decides here).
    return ext == ".json" ? Format::Unknown : detectYaml(rawText);
}

Json parseDocument(std::string_view rawText, const std::string& what) {
    const std::string_view text = trimmed(rawText);
    if (text.empty()) throw ImportError(what + ": the document is empty");
    if (text.front() == '{' || text.front() == '[') {
        try {
            return Json::parse(text.begin(), text.end(), nullptr, true, true);
        } catch (const Json::exception& e) {  // a syntax error, or a number out of range
            throw ImportError(what + ": invalid JSON: " + e.what());
        }
    }
    if (!validUtf8(rawText)) throw ImportError(what + ": the document is not valid UTF-8");
    try {
        return core::parseYaml(rawText);  // the whole text: trimming a line would break indents
    } catch (const core::YamlError& e) {
        throw ImportError(what + ": invalid YAML at line " + std::to_string(e.line()) + ": " +
                          e.what());
    }
}

namespace {
ImportResult convert(std::string_view text, Format format, const ImportOptions& options);
}  // namespace

ImportResult importDocument(std::string_view text, Format format, const ImportOptions& options) {
    try {
        return convert(text, format, options);
    } catch (const Json::exception& e) {
        // A value of a type the converter did not expect where it did not check: still the
        // document's problem, named as such.
        throw ImportError(formatName(format) + ": unexpected document structure: " + e.what());
    }
}

namespace {
ImportResult convert(std::string_view text, Format format, const ImportOptions& options) {
    ImportResult r;
    r.format = format;
    const std::string what = formatName(format);
    switch (format) {
        case Format::Unknown:
            throw ImportError("the format of the document is not known");
        case Format::Wsdl:
            throw ImportError("importing WSDL comes with SOAP mocks, which are not served yet");
        case Format::Curl:
            if (!validUtf8(text)) throw ImportError("curl: the command is not valid UTF-8");
            r.collection = curlToCollection(trimmed(text), r.warnings);
            return r;
        case Format::Mockd:
            r.collection = parseDocument(text, what);
            return r;
        default:
            break;
    }
    const Json doc = parseDocument(text, what);
    if (format == Format::OpenApi) r.collection = openApiToCollection(doc, options, r.warnings);
    if (format == Format::Postman) r.collection = postmanToCollection(doc, r.warnings);
    if (format == Format::Har) r.collection = harToCollection(doc, options, r.warnings);
    if (format == Format::WireMock)
        r.collection = wireMockToCollection(doc, options.baseDir / "__files", r.warnings);
    if (format == Format::Mockoon) r.collection = mockoonToCollection(doc, r.warnings);
    return r;
}
}  // namespace

}  // namespace mockd::portability
