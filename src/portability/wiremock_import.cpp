// WireMock stub mappings → mockd mocks (a stub, an array of stubs or {"mappings": [...]}).
#include <fstream>
#include <optional>
#include <sstream>

#include "core/encoding.h"
#include "portability/importers.h"

namespace mockd::portability {

namespace {

bool isStub(const Json& j) {
    return j.is_object() && j.contains("request") && !j.contains("mocks");
}

// The one operand of a WireMock string matcher we can express: equalTo (exact) or contains
// (as a *value* wildcard). Empty when the matcher uses another operator.
std::optional<std::string> simpleValue(const Json& m, bool allowContains) {
    if (m.is_string()) return m.get<std::string>();
    if (!m.is_object()) return std::nullopt;
    if (auto it = m.find("equalTo");
        it != m.end() && it->is_string() && !m.value("caseInsensitive", false))
        return it->get<std::string>();
    if (auto it = m.find("contains"); allowContains && it != m.end() && it->is_string())
        return "*" + it->get<std::string>() + "*";
    return std::nullopt;
}

Json convertStub(const Json& stub, size_t index, const std::filesystem::path& filesDir,
                 std::vector<std::string>& warnings) {
    std::string id;
    if (stub.contains("id") && stub["id"].is_string()) id = stub["id"];
    if (id.empty() && stub.contains("uuid") && stub["uuid"].is_string()) id = stub["uuid"];
    if (id.empty()) id = "wiremock-" + std::to_string(index + 1);
    auto warn = [&](const std::string& what) { warnings.push_back("stub " + id + ": " + what); };

    Json mock = {{"id", id}, {"type", "http"}};
    if (stub.contains("name") && stub["name"].is_string()) mock["name"] = stub["name"];
    const Json request = stub.value("request", Json::object());
    Json matcher = Json::object();

    std::string method = request.contains("method") && request["method"].is_string()
                             ? upperCase(request["method"].get<std::string>())
                             : "";
    if (!method.empty() && method != "ANY") matcher["method"] = method;

    auto str = [&](const char* key) -> std::string {
        auto it = request.find(key);
        return it != request.end() && it->is_string() ? it->get<std::string>() : "";
    };
    if (std::string url = str("url"); !url.empty()) {
        size_t q = url.find('?');
        matcher["path"] = url.substr(0, q);
        if (q != std::string::npos) {
            std::stringstream ss(url.substr(q + 1));
            for (std::string pair; std::getline(ss, pair, '&');) {
                if (pair.empty()) continue;
                size_t eq = pair.find('=');
                matcher["queryParams"][pair.substr(0, eq)] =
                    eq == std::string::npos ? "" : pair.substr(eq + 1);
            }
        }
    } else if (std::string p = str("urlPath"); !p.empty()) {
        matcher["path"] = p;
    } else if (std::string t = str("urlPathTemplate"); !t.empty()) {
        matcher["path"] = t;  // {name} segments mean the same in both
    } else if (std::string re = str("urlPattern"); !re.empty()) {
        matcher["pathPattern"] = re;
    } else if (std::string pre = str("urlPathPattern"); !pre.empty()) {
        matcher["pathPattern"] = pre;
    } else {
        matcher["pathPattern"] = "^/.*";  // no URL matcher: every URL
    }

    if (auto it = request.find("headers"); it != request.end() && it->is_object()) {
        for (const auto& [name, m] : it->items()) {
            if (auto v = simpleValue(m, true))
                matcher["headers"][name] = *v;
            else
                warn("header matcher for " + name +
                     " left out (only equalTo and contains carry over)");
        }
    }
    if (auto it = request.find("queryParameters"); it != request.end() && it->is_object()) {
        for (const auto& [name, m] : it->items()) {
            if (auto v = simpleValue(m, false))
                matcher["queryParams"][name] = *v;
            else
                warn("query parameter matcher for " + name +
                     " left out (only equalTo carries over)");
        }
    }
    if (auto it = request.find("bodyPatterns"); it != request.end() && it->is_array()) {
        for (const auto& bp : *it) {
            const char* target = nullptr;
            std::string value;
            if (bp.is_object() && bp.contains("equalTo") && bp["equalTo"].is_string()) {
                target = "bodyEquals";
                value = bp["equalTo"];
            } else if (bp.is_object() && bp.contains("contains") && bp["contains"].is_string()) {
                target = "bodyContains";
                value = bp["contains"];
            } else if (bp.is_object() && bp.contains("matches") && bp["matches"].is_string()) {
                target = "bodyPattern";
                value = bp["matches"];
            }
            if (!target || matcher.contains(target)) {
                warn("body pattern " + bp.dump() +
                     " left out (one equalTo, contains and matches each carry over)");
                continue;
            }
            matcher[target] = value;
        }
    }
    for (const char* key : {"cookies", "basicAuthCredentials", "multipartPatterns",
                            "pathParameters", "customMatcher", "formParameters"})
        if (request.contains(key)) warn(std::string("request.") + key + " left out");

    const Json response = stub.value("response", Json::object());
    Json out = {{"statusCode", response.value("status", 200)}};
    bool contentType = false;
    if (auto it = response.find("headers"); it != response.end() && it->is_object()) {
        for (const auto& [name, v] : it->items()) {
            std::string value;
            if (v.is_string()) {
                value = v.get<std::string>();
            } else if (v.is_array()) {
                for (const auto& part : v)
                    if (part.is_string())
                        value += (value.empty() ? "" : ", ") + part.get<std::string>();
            } else {
                value = v.dump();
            }
            out["headers"][name] = value;
            if (upperCase(name) == "CONTENT-TYPE") contentType = true;
        }
    }
    if (auto it = response.find("body"); it != response.end() && it->is_string()) {
        out["body"] = *it;
    } else if (auto jb = response.find("jsonBody"); jb != response.end()) {
        out["body"] = jb->dump();
        if (!contentType) out["headers"]["Content-Type"] = "application/json";
    } else if (auto b64 = response.find("base64Body"); b64 != response.end() && b64->is_string()) {
        auto decoded = core::base64Decode(b64->get<std::string>());
        if (decoded && validUtf8(*decoded))
            out["body"] = *decoded;
        else
            warn("binary base64Body left out");
    } else if (auto bf = response.find("bodyFileName"); bf != response.end() && bf->is_string()) {
        std::ifstream in(filesDir / bf->get<std::string>(), std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (in && validUtf8(text.str()))
            out["body"] = text.str();
        else
            warn("body file " + (filesDir / bf->get<std::string>()).string() +
                 " could not be read; the body is left out");
    }
    if (auto it = response.find("fixedDelayMilliseconds");
        it != response.end() && it->is_number_integer() && it->get<int64_t>() > 0)
        out["delayMs"] = it->get<int64_t>();
    for (const char* key : {"delayDistribution", "chunkedDribbleDelay", "fault", "proxyBaseUrl"})
        if (response.contains(key)) warn(std::string("response.") + key + " left out");
    if ((response.contains("transformers") && !response["transformers"].empty()) ||
        (stub.contains("transformers") && !stub["transformers"].empty()))
        warn("response templating is not converted; the response is served as written");
    if (stub.contains("scenarioName")) warn("scenario states are ignored");

    mock["http"] = {{"matcher", matcher}, {"response", out}};
    // WireMock: 1 is the highest priority, 5 the default. mockd: higher wins, 0 the default.
    if (auto it = stub.find("priority"); it != stub.end() && it->is_number_integer()) {
        int64_t p = 5 - it->get<int64_t>();
        if (p != 0) mock["http"]["priority"] = p;
    }
    return mock;
}

}  // namespace

Json wireMockToCollection(const Json& doc, const std::filesystem::path& filesDir,
                          std::vector<std::string>& warnings) {
    std::vector<Json> stubs;
    if (doc.is_array()) {
        stubs.assign(doc.begin(), doc.end());
    } else if (doc.is_object() && doc.contains("mappings") && doc["mappings"].is_array()) {
        stubs.assign(doc["mappings"].begin(), doc["mappings"].end());
    } else if (isStub(doc)) {
        stubs.push_back(doc);
    }
    if (stubs.empty()) throw ImportError("no WireMock stub mappings found");
    Json mocks = Json::array();
    for (size_t i = 0; i < stubs.size(); ++i) {
        if (!isStub(stubs[i]))
            throw ImportError("mappings[" + std::to_string(i) +
                              "]: not a WireMock stub (it has no \"request\")");
        mocks.push_back(convertStub(stubs[i], i, filesDir, warnings));
    }
    return {{"version", "1.0"}, {"name", "Imported from WireMock"}, {"mocks", mocks}};
}

}  // namespace mockd::portability
