// WireMock's record spec, snapshot stub generation and standalone recorder files.
#include "wiremock/recorder.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <pugixml.hpp>
#include <random>
#include <regex>

#include "core/encoding.h"
#include "core/json_text.h"
#include "wiremock/request_pattern.h"

namespace mockd::wiremock {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

const std::string* findHeader(const Headers& h, std::string_view name) {
    for (const auto& [k, v] : h)
        if (iequals(k, name)) return &v;
    return nullptr;
}

// The media type of a Content-Type value: the part before any parameters, as WireMock's
// ContentTypeHeader.mimeTypePart() reads it.
std::string mimeOf(const std::string* contentType) {
    if (!contentType) return {};
    std::string m = contentType->substr(0, contentType->find(';'));
    while (!m.empty() && std::isspace(static_cast<unsigned char>(m.back()))) m.pop_back();
    while (!m.empty() && std::isspace(static_cast<unsigned char>(m.front()))) m.erase(m.begin());
    return m;
}

// The name Jackson gives a JSON token in "Cannot deserialize ... from X value" messages.
std::string tokenKind(const OJson& v) {
    if (v.is_array()) return "Array value (token `JsonToken.START_ARRAY`)";
    if (v.is_string()) return "String value (token `JsonToken.VALUE_STRING`)";
    if (v.is_boolean())
        return std::string("Boolean value (token `JsonToken.VALUE_") +
               (v.get<bool>() ? "TRUE" : "FALSE") + "`)";
    if (v.is_number_integer()) return "Integer value (token `JsonToken.VALUE_NUMBER_INT`)";
    if (v.is_number()) return "Floating-point value (token `JsonToken.VALUE_NUMBER_FLOAT`)";
    return "Object value (token `JsonToken.START_OBJECT`)";
}

// "no String-argument constructor/factory method to deserialize from String value ('x')",
// Jackson's complaint when a scalar is given where an object or list is expected.
std::string noScalarCreator(const std::string& cls, const OJson& v) {
    std::string head =
        "Cannot construct instance of `" + cls + "` (although at least one Creator exists): no ";
    if (v.is_string())
        return head +
               "String-argument constructor/factory method to deserialize from String value ('" +
               v.get<std::string>() + "')";
    if (v.is_number_integer())
        return head +
               "int/Int-argument constructor/factory method to deserialize from Number value (" +
               v.dump() + ")";
    if (v.is_boolean())
        return head +
               "boolean/Boolean-argument constructor/factory method to deserialize from boolean "
               "value (" +
               v.dump() + ")";
    if (v.is_number())
        return head +
               "double/Double-argument constructor/factory method to deserialize from Number "
               "value (" +
               v.dump() + ")";
    return "Cannot deserialize value of type `" + cls + "` from " + tokenKind(v);
}

[[noreturn]] void unknownField(const std::string& at, const std::string& key,
                               const std::string& cls) {
    throw PatternError(at + "/" + key, "Unrecognized field \"" + key + "\" (class " + cls +
                                           "), not marked as ignorable");
}

constexpr const char* kPkg = "com.github.tomakehurst.wiremock.recording.";

// A `Boolean` (boxed: null allowed, "true"/"false" strings coerced) or a `boolean`.
std::optional<bool> readBoolean(const OJson& v, const std::string& at, bool primitive) {
    if (v.is_null()) return std::nullopt;
    if (v.is_boolean()) return v.get<bool>();
    const std::string type = primitive ? "boolean" : "java.lang.Boolean";
    if (v.is_string()) {
        std::string s = v.get<std::string>();
        if (s == "true" || (primitive && (s == "True" || s == "TRUE"))) return true;
        if (s == "false" || (primitive && (s == "False" || s == "FALSE"))) return false;
        throw PatternError(at, "Cannot deserialize value of type `" + type + "` from String \"" +
                                   s + "\": only " +
                                   (primitive ? "\"true\"/\"True\"/\"TRUE\" or "
                                                "\"false\"/\"False\"/\"FALSE\" recognized"
                                              : "\"true\" or \"false\" recognized"));
    }
    if (v.is_number_integer()) return v.get<int64_t>() != 0;
    throw PatternError(at, "Cannot deserialize value of type `" + type + "` from " + tokenKind(v));
}

// A size threshold: a number of bytes or a human-readable size ("10 KB", "1,5 mb").
int64_t readSize(const OJson& v) {
    if (v.is_null()) return INT64_MAX;
    if (v.is_number()) return v.get<int64_t>();  // Jackson's asLong truncates a fraction
    std::string in = v.is_string() ? v.get<std::string>() : v.dump();
    std::string s = in;
    std::replace(s.begin(), s.end(), ',', '.');
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
    static const std::regex kSize(R"(^([\d.]+)\s*(\w)?b?$)", std::regex::icase);
    std::smatch m;
    if (!std::regex_search(s, m, kSize))
        throw PatternError("/extractBodyCriteria", "Invalid size string: \"" + in + "\"");
    double scale = 1;
    if (m[2].matched) {
        char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(m.str(2)[0])));
        if (unit == 'G')
            scale = 1024.0 * 1024 * 1024;
        else if (unit == 'M')
            scale = 1024.0 * 1024;
        else if (unit == 'K')
            scale = 1024;
        else
            throw PatternError("/extractBodyCriteria", "Invalid size unit: " + m.str(2));
    }
    char* end = nullptr;
    // Named: `end` points into it, so a temporary would be gone when *end is read.
    const std::string digits = m.str(1);
    double n = std::strtod(digits.c_str(), &end);
    if (!end || *end != '\0')
        throw PatternError("/extractBodyCriteria", "Invalid size string: \"" + in + "\"");
    return static_cast<int64_t>(std::llround(n * scale));
}

// The fields a request pattern has: WireMock reads `filters` as an unwrapped request pattern,
// so anything else there is ignored rather than refused.
constexpr const char* kPatternFields[] = {"url",
                                          "urlPattern",
                                          "urlPath",
                                          "urlPathPattern",
                                          "urlPathTemplate",
                                          "method",
                                          "headers",
                                          "queryParameters",
                                          "formParameters",
                                          "pathParameters",
                                          "cookies",
                                          "basicAuthCredentials",
                                          "bodyPatterns",
                                          "multipartPatterns",
                                          "customMatcher",
                                          "host",
                                          "port",
                                          "scheme",
                                          "clientIp"};

void readFilters(const OJson& v, RecordSpec& spec) {
    if (v.is_null()) return;
    if (!v.is_object())
        throw PatternError("/filters",
                           noScalarCreator(std::string(kPkg) + "ProxiedServeEventFilters", v));
    OJson pattern = OJson::object();
    for (const auto& [k, val] : v.items()) {
        if (k == "ids") {
            if (val.is_null()) continue;
            if (!val.is_array())
                throw PatternError("/filters/ids", noScalarCreator("java.util.ArrayList", val));
            std::vector<std::string> ids;
            for (size_t i = 0; i < val.size(); ++i) {
                const OJson& id = val[i];
                std::string at = "/filters/ids/" + std::to_string(i);
                if (!id.is_string())
                    throw PatternError(
                        at,
                        "Cannot deserialize value of type `java.util.UUID` from " + tokenKind(id));
                std::string s = id.get<std::string>();
                if (!core::isUuid(s))
                    throw PatternError(at,
                                       "Cannot deserialize value of type `java.util.UUID` from "
                                       "String \"" +
                                           s +
                                           "\": UUID has to be represented by standard 36-char "
                                           "representation");
                std::transform(s.begin(), s.end(), s.begin(),
                               [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                ids.push_back(std::move(s));
            }
            spec.ids = std::move(ids);
        } else if (k == "allowNonProxied") {
            spec.allowNonProxied =
                readBoolean(val, "/filters/allowNonProxied", true).value_or(false);
        } else if (std::find_if(std::begin(kPatternFields), std::end(kPatternFields),
                                [&k = k](const char* f) { return k == f; }) !=
                   std::end(kPatternFields)) {
            pattern[k] = val;
        }
    }
    if (!pattern.empty()) spec.filterPattern = std::move(pattern);
}

void readBodyPattern(const OJson& v, RecordSpec& spec) {
    if (v.is_null()) return;
    std::string matcher;
    if (v.is_object())
        if (auto it = v.find("matcher"); it != v.end() && it->is_string()) matcher = *it;
    using M = RecordSpec::BodyMatcher;
    std::string cls = "RequestBodyAutomaticPatternFactory";
    std::vector<std::string> allowed = {"ignoreArrayOrder", "ignoreExtraElements",
                                        "caseInsensitive"};
    spec.bodyMatcher = M::Auto;
    if (matcher == "equalTo") {
        spec.bodyMatcher = M::EqualTo;
        cls = "RequestBodyEqualToPatternFactory";
        allowed = {"caseInsensitive"};
    } else if (matcher == "equalToJson") {
        spec.bodyMatcher = M::EqualToJson;
        cls = "RequestBodyEqualToJsonPatternFactory";
        allowed = {"ignoreArrayOrder", "ignoreExtraElements"};
    } else if (matcher == "equalToXml") {
        spec.bodyMatcher = M::EqualToXml;
        cls = "RequestBodyEqualToXmlPatternFactory";
        allowed = {};
    }
    if (!v.is_object()) throw PatternError("/requestBodyPattern", noScalarCreator(kPkg + cls, v));
    for (const auto& [k, val] : v.items()) {
        if (k == "matcher") continue;
        if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
            unknownField("/requestBodyPattern", k, kPkg + cls);
        std::optional<bool> b = readBoolean(val, "/requestBodyPattern/" + k, false);
        if (k == "ignoreArrayOrder") spec.ignoreArrayOrder = b;
        if (k == "ignoreExtraElements") spec.ignoreExtraElements = b;
        if (k == "caseInsensitive") spec.caseInsensitive = b;
    }
}

}  // namespace

RecordSpec parseRecordSpec(const OJson& body) {
    RecordSpec spec;
    if (!body.is_object())
        throw PatternError("/", "Cannot deserialize value of type `" + std::string(kPkg) +
                                    "RecordSpec` from " + tokenKind(body));
    for (const auto& [k, v] : body.items()) {
        const std::string at = "/" + k;
        if (k == "targetBaseUrl") {
            if (v.is_string())
                spec.targetBaseUrl = v.get<std::string>();
            else if (v.is_number() || v.is_boolean())
                spec.targetBaseUrl = v.dump();  // Jackson coerces scalars to a String
            else if (!v.is_null())
                throw PatternError(
                    at, "Cannot deserialize value of type `java.lang.String` from " + tokenKind(v));
        } else if (k == "filters") {
            readFilters(v, spec);
        } else if (k == "captureHeaders") {
            if (v.is_null()) continue;
            if (!v.is_object())
                throw PatternError(at, noScalarCreator("java.util.LinkedHashMap", v));
            for (const auto& [name, c] : v.items()) {
                RecordSpec::Capture cap{name, std::nullopt};
                if (!c.is_null()) {
                    if (!c.is_object())
                        throw PatternError(
                            at + "/" + name,
                            noScalarCreator(std::string(kPkg) + "CaptureHeadersSpec", c));
                    for (const auto& [ck, cv] : c.items()) {
                        if (ck != "caseInsensitive")
                            unknownField(at + "/" + name, ck,
                                         std::string(kPkg) + "CaptureHeadersSpec");
                        cap.caseInsensitive = readBoolean(cv, at + "/" + name + "/" + ck, false);
                    }
                }
                spec.captureHeaders.push_back(std::move(cap));
            }
        } else if (k == "requestBodyPattern") {
            readBodyPattern(v, spec);
        } else if (k == "extractBodyCriteria") {
            if (v.is_null()) continue;
            if (!v.is_object())
                throw PatternError(
                    at, noScalarCreator(std::string(kPkg) + "ResponseDefinitionBodyMatcher", v));
            int64_t text = INT64_MAX, binary = INT64_MAX;
            if (auto it = v.find("textSizeThreshold"); it != v.end()) text = readSize(*it);
            if (auto it = v.find("binarySizeThreshold"); it != v.end()) binary = readSize(*it);
            spec.extractThresholds = std::make_pair(text, binary);
        } else if (k == "outputFormat") {
            if (v.is_null()) continue;
            std::string f = v.is_string() ? v.get<std::string>() : v.dump();
            std::transform(f.begin(), f.end(), f.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            if (f == "IDS")
                spec.idsOutput = true;
            else if (f != "FULL")
                throw PatternError(at, "Invalid output format");
        } else if (k == "persist") {
            spec.persist = readBoolean(v, at, false).value_or(true);
        } else if (k == "repeatsAsScenarios") {
            spec.repeatsAsScenarios = readBoolean(v, at, false).value_or(true);
        } else if (k == "transformers") {
            // Only extensions supply stub mapping transformers; names no extension has are
            // ignored, as WireMock ignores them.
            if (v.is_null()) continue;
            if (!v.is_array()) throw PatternError(at, noScalarCreator("java.util.ArrayList", v));
        } else if (k == "transformerParameters") {
            if (v.is_null()) continue;
            if (!v.is_object())
                throw PatternError(at,
                                   "Cannot deserialize value of type "
                                   "`com.github.tomakehurst.wiremock.extension.Parameters` "
                                   "from " +
                                       tokenKind(v));
        } else {
            unknownField("", k, std::string(kPkg) + "RecordSpec");
        }
    }
    return spec;
}

// ---- names ----

std::string safeNameFromPath(std::string_view decodedPath) {
    // SafeNames.makeSafeNameFromUrl: '/' becomes '_', whitespace '-', everything but word
    // characters, '-' and '.' goes, leading and trailing '_' are trimmed, 200 characters at most,
    // lower case.
    std::string out;
    for (char c : decodedPath) {
        unsigned char u = static_cast<unsigned char>(c);
        if (c == '/')
            out += '_';
        else if (std::isspace(u))
            out += '-';
        else if (u < 0x80 && (std::isalnum(u) || c == '_' || c == '-' || c == '.'))
            out += static_cast<char>(std::tolower(u));
    }
    size_t b = out.find_first_not_of('_');
    if (b == std::string::npos) return {};
    out = out.substr(b, out.find_last_not_of('_') - b + 1);
    if (out.size() > 200) out.resize(200);
    return out;
}

std::string pathParts(std::string_view decodedPath) {
    std::string out;
    size_t i = 0;
    while (i <= decodedPath.size()) {
        size_t j = decodedPath.find('/', i);
        if (j == std::string_view::npos) j = decodedPath.size();
        if (j > i) {
            if (!out.empty()) out += '-';
            out += decodedPath.substr(i, j - i);
        }
        i = j + 1;
    }
    return out;
}

bool isTextMimeType(std::string_view mime) {
    // ContentTypes.TEXT_MIME_TYPE_PATTERNS: the type contains one of these words.
    for (std::string_view w :
         {"text", "json", "xml", "html", "yaml", "csv", "x-www-form-urlencoded"})
        if (mime.find(w) != std::string_view::npos) return true;
    return false;
}

std::string fileExtension(std::string_view url, std::string_view contentType,
                          std::string_view body) {
    if (!contentType.empty()) {
        std::string ct(contentType);
        std::string mime = mimeOf(&ct);
        if (mime.find("json") != std::string::npos) return "json";
        if (mime.find("xml") != std::string::npos) return "xml";
        if (mime.find("text") != std::string::npos) return "txt";
        static const std::map<std::string, std::string, std::less<>> kCommon = {
            {"image/jpeg", "jpeg"},   {"image/gif", "gif"},       {"image/tiff", "tiff"},
            {"image/png", "png"},     {"image/x-icon", "ico"},    {"image/svg+xml", "svg"},
            {"audio/x-aiff", "aiff"}, {"video/x-ms-asf", "asf"},  {"video/mpeg", "mp2"},
            {"audio/mpeg", "mp3"},    {"video/quicktime", "mov"}, {"application/pdf", "pdf"}};
        if (auto it = kCommon.find(mime); it != kCommon.end()) return it->second;
    }
    std::string_view path = url.substr(0, url.find('?'));
    std::string_view last =
        path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
    if (auto dot = last.rfind('.');
        dot != std::string_view::npos && path.find('/') != std::string_view::npos)
        return std::string(last.substr(dot + 1));
    // The body's own kind: JSON, else XML, else plain text.
    if (OJson::accept(body)) return "json";
    pugi::xml_document doc;
    if (doc.load_buffer(body.data(), body.size()) && doc.document_element()) return "xml";
    return "txt";
}

std::string nameUuid(std::string_view bytes) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_md5(), nullptr);
    md[6] = static_cast<unsigned char>((md[6] & 0x0f) | 0x30);  // version 3
    md[8] = static_cast<unsigned char>((md[8] & 0x3f) | 0x80);  // IETF variant
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += kHex[md[i] >> 4];
        out += kHex[md[i] & 0x0f];
    }
    return out;
}

std::string veryShortId() {
    static const char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    thread_local std::mt19937 rng{std::random_device{}()};
    std::uniform_int_distribution<size_t> pick(0, sizeof kChars - 2);
    std::string out;
    for (int i = 0; i < 5; ++i) out += kChars[pick(rng)];
    return out;
}

// ---- snapshot ----

namespace {

OJson requestPattern(const Exchange& e, const RecordSpec& spec) {
    OJson rq = OJson::object();
    if (e.query.empty()) {
        rq["url"] = e.url;
    } else {
        // A URL with a query becomes its path plus each parameter's exact values, so that
        // parameter order does not matter when the stub is replayed.
        rq["urlPath"] = e.url.substr(0, e.url.find('?'));
    }
    rq["method"] = e.method;
    OJson headers = OJson::object();
    for (const auto& cap : spec.captureHeaders) {
        const std::string* v = findHeader(e.requestHeaders, cap.name);
        if (!v) continue;
        OJson m = {{"equalTo", *v}};
        if (cap.caseInsensitive) m["caseInsensitive"] = *cap.caseInsensitive;
        headers[cap.name] = std::move(m);
    }
    if (!headers.empty()) rq["headers"] = std::move(headers);
    if (!e.query.empty()) {
        WmRequest view;
        view.url = e.url;
        OJson params = OJson::object();
        for (const auto& [k, v] : view.query()) {
            if (!params.contains(k)) params[k] = {{"hasExactly", OJson::array()}};
            params[k]["hasExactly"].push_back({{"equalTo", v}});
        }
        if (!params.empty()) rq["queryParameters"] = std::move(params);
    }
    if (!e.requestBody.empty()) {
        using M = RecordSpec::BodyMatcher;
        const std::string mime = mimeOf(findHeader(e.requestHeaders, "Content-Type"));
        OJson p;
        auto equalTo = [&](std::optional<bool> ci) {
            p = {{"equalTo", e.requestBody}};
            if (ci) p["caseInsensitive"] = *ci;
        };
        auto equalToJson = [&](std::optional<bool> order, std::optional<bool> extra) {
            p = {{"equalToJson", e.requestBody}};
            if (order) p["ignoreArrayOrder"] = *order;
            if (extra) p["ignoreExtraElements"] = *extra;
        };
        switch (spec.bodyMatcher) {
            case M::EqualTo:
                equalTo(spec.caseInsensitive);
                break;
            case M::EqualToJson:
                equalToJson(spec.ignoreArrayOrder, spec.ignoreExtraElements);
                break;
            case M::EqualToXml:
                p = {{"equalToXml", e.requestBody}};
                break;
            case M::Auto:
                if (!mime.empty() && mime.find("json") != std::string::npos) {
                    equalToJson(spec.ignoreArrayOrder.value_or(true),
                                spec.ignoreExtraElements.value_or(true));
                } else if (!mime.empty() && mime.find("xml") != std::string::npos) {
                    p = {{"equalToXml", e.requestBody}};
                } else if (mime == "multipart/form-data") {
                    p = {{"anything", "anything"}};  // WireMock has no matcher for parts here
                } else if (!mime.empty() && !isTextMimeType(mime)) {
                    p = {{"binaryEqualTo", core::base64Encode(e.requestBody)}};
                } else {
                    equalTo(spec.caseInsensitive.value_or(false));
                }
                break;
        }
        rq["bodyPatterns"] = OJson::array({std::move(p)});
    }
    return rq;
}

// The response headers a recorded stub keeps: the length and framing are the replaying
// server's to write.
Headers keptHeaders(const Headers& h) {
    Headers out;
    for (const auto& kv : h)
        if (!iequals(kv.first, "Content-Length") && !iequals(kv.first, "Transfer-Encoding"))
            out.push_back(kv);
    return out;
}

OJson headersJson(const Headers& h) {
    OJson out = OJson::object();
    for (const auto& [k, v] : h) {
        auto it = out.find(k);
        if (it == out.end()) {
            out[k] = v;
        } else {
            if (!it->is_array()) *it = OJson::array({*it});
            it->push_back(v);
        }
    }
    return out;
}

}  // namespace

std::vector<GeneratedStub> generateStubs(const std::vector<Exchange>& exchanges,
                                         const RecordSpec& spec) {
    std::vector<GeneratedStub> out;
    std::vector<std::string> keys;   // each stub's request pattern, for repeats
    std::vector<std::string> paths;  // and its decoded path, for scenario names
    std::map<std::string, int> seen;
    for (const Exchange& e : exchanges) {
        OJson rq = requestPattern(e, spec);
        std::string key = core::jsonText(rq);
        if (++seen[key] > 1 && !spec.repeatsAsScenarios) continue;  // the newest one stays
        GeneratedStub g;
        const std::string id = core::newUuid();
        const std::string name = safeNameFromPath(e.path);
        Headers headers = keptHeaders(e.responseHeaders);
        const std::string* ct = findHeader(headers, "Content-Type");
        const bool text = isTextMimeType(mimeOf(ct));
        OJson rs = {{"status", e.status}};
        bool extract = false;
        if (!e.responseBody.empty() && spec.extractThresholds) {
            // Text is measured when the headers say it is text; anything else is binary.
            int64_t limit =
                ct && text ? spec.extractThresholds->first : spec.extractThresholds->second;
            extract = static_cast<int64_t>(e.responseBody.size()) > limit;
        }
        if (extract) {
            g.bodyFile = (name.empty() ? "" : name) + "-" + id + "." +
                         fileExtension(e.url, ct ? *ct : std::string(), e.responseBody);
            g.bodyBytes = e.responseBody;
            rs["bodyFileName"] = g.bodyFile;
        } else if (!e.responseBody.empty()) {
            if (text)
                rs["body"] = e.responseBody;
            else
                rs["base64Body"] = core::base64Encode(e.responseBody);
        }
        if (!headers.empty()) rs["headers"] = headersJson(headers);
        g.json = {
            {"id", id}, {"name", name}, {"request", rq}, {"response", std::move(rs)}, {"uuid", id}};
        if (spec.persist) g.json["persistent"] = true;
        keys.push_back(std::move(key));
        paths.push_back(e.path);
        out.push_back(std::move(g));
    }
    if (spec.repeatsAsScenarios) {
        // Requests seen more than once become a scenario each, numbered in the order their
        // newest request appears; the states run from the oldest answer to the newest.
        std::vector<std::string> order;
        std::map<std::string, std::vector<size_t>> groups;
        for (size_t i = 0; i < keys.size(); ++i) {
            auto& g = groups[keys[i]];
            if (g.empty()) order.push_back(keys[i]);
            g.push_back(i);
        }
        int index = 0;
        for (const auto& key : order) {
            const auto& members = groups[key];
            if (members.size() < 2) continue;
            ++index;
            const std::string scenario =
                "scenario-" + std::to_string(index) + "-" + pathParts(paths[members.front()]);
            size_t count = 1;
            for (auto it = members.rbegin(); it != members.rend(); ++it, ++count) {
                OJson& s = out[*it].json;
                s["scenarioName"] = scenario;
                s["requiredScenarioState"] =
                    count == 1 ? std::string("Started") : scenario + "-" + std::to_string(count);
                if (count < members.size())
                    s["newScenarioState"] = scenario + "-" + std::to_string(count + 1);
            }
        }
    }
    return out;
}

// ---- the standalone recorder ----

OJson standaloneRequestPattern(const Exchange& e) {
    OJson rq = {{"url", e.url}, {"method", e.method}};
    if (!e.requestBody.empty()) {
        const std::string* ct = findHeader(e.requestHeaders, "Content-Type");
        OJson p;
        if (ct && ct->find("json") != std::string::npos)
            p = {{"equalToJson", e.requestBody},
                 {"ignoreArrayOrder", true},
                 {"ignoreExtraElements", true}};
        else if (ct && ct->find("xml") != std::string::npos)
            p = {{"equalToXml", e.requestBody}};
        else
            p = {{"equalTo", e.requestBody}};
        rq["bodyPatterns"] = OJson::array({std::move(p)});
    }
    return rq;
}

StandaloneRecording standaloneRecording(const Exchange& e, const OJson& requestPattern,
                                        const std::string& fileId) {
    StandaloneRecording r;
    std::string parts = pathParts(e.path);
    if (parts.empty()) parts = "(root)";
    // Unsafe file-name characters in a path segment are dropped.
    std::erase_if(parts, [](char c) {
        return c == '\\' || c == ':' || c == '*' || c == '?' || c == '"' || c == '<' || c == '>' ||
               c == '|' || static_cast<unsigned char>(c) < 0x20;
    });
    Headers headers;
    for (const auto& kv : e.responseHeaders)
        if (!iequals(kv.first, "Content-Length") && !iequals(kv.first, "Content-Encoding") &&
            !iequals(kv.first, "Transfer-Encoding"))
            headers.push_back(kv);
    const std::string* ct = findHeader(e.responseHeaders, "Content-Type");
    r.mappingFile = "mapping-" + parts + "-" + fileId + ".json";
    r.bodyFile = "body-" + parts + "-" + fileId + "." +
                 fileExtension(e.url, ct ? *ct : std::string(), e.responseBody);
    r.body = e.responseBody;
    const std::string id = nameUuid(fileId);
    OJson rs = {{"status", e.status}, {"bodyFileName", r.bodyFile}};
    if (!headers.empty()) rs["headers"] = headersJson(headers);
    r.mapping = {
        {"id", id}, {"request", requestPattern}, {"response", std::move(rs)}, {"uuid", id}};
    return r;
}

}  // namespace mockd::wiremock
