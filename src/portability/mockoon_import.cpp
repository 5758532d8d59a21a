// Mockoon environments → one mock per route response (rules as matchers, the first response
// ranked highest) and a table with its CRUD mocks per `crud` route.
#include <map>

#include "portability/importers.h"

namespace mockd::portability {

namespace {

int64_t integer(const Json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) return 0;
    if (it->is_number()) return it->get<int64_t>();
    if (it->is_string()) return std::atoll(it->get<std::string>().c_str());
    return 0;
}

std::string routePath(const std::string& prefix, const std::string& endpoint) {
    std::string raw = "/" + prefix + "/" + endpoint, path;
    for (char c : raw)
        if (!(c == '/' && !path.empty() && path.back() == '/')) path += c;
    if (path.size() > 1 && path.back() == '/') path.pop_back();
    return bracedParams(path);
}

// Mockoon's Handlebars helpers rewritten into mockd's request fields; others are reported.
std::string rewriteTemplate(const std::string& body, const std::string& where,
                            std::vector<std::string>& warnings) {
    static const std::map<std::string, std::string> kWithArg = {{"urlParam", "request.pathParam."},
                                                                {"queryParam", "request.query."},
                                                                {"header", "request.header."},
                                                                {"body", "request.body."},
                                                                {"cookie", "request.cookie."}};
    static const std::map<std::string, std::string> kFaker = {
        {"person.firstName", "faker.firstName"},
        {"person.lastName", "faker.lastName"},
        {"person.fullName", "faker.name"},
        {"internet.email", "faker.email"},
        {"location.city", "faker.city"},
        {"location.country", "faker.country"},
        {"company.name", "faker.company"},
        {"string.uuid", "uuid"},
        {"datatype.uuid", "uuid"},
        {"phone.number", "faker.phone"},
        {"internet.ipv4", "faker.ipv4"},
        {"lorem.sentence", "faker.sentence"},
        {"lorem.word", "faker.word"},
        {"datatype.boolean", "faker.boolean"}};
    std::string out;
    size_t i = 0;
    while (i < body.size()) {
        size_t open = body.find("{{", i);
        if (open == std::string::npos) break;
        size_t close = body.find("}}", open);
        if (close == std::string::npos) break;
        out += body.substr(i, open - i);
        std::string inner = body.substr(open + 2, close - open - 2);
        while (!inner.empty() && inner.front() == ' ') inner.erase(0, 1);
        while (!inner.empty() && inner.back() == ' ') inner.pop_back();
        std::string helper = inner.substr(0, inner.find(' '));
        std::string arg;
        if (size_t q = inner.find_first_of("'\""); q != std::string::npos) {
            size_t q2 = inner.find(inner[q], q + 1);
            arg = inner.substr(q + 1, q2 == std::string::npos ? q2 : q2 - q - 1);
        }
        std::string replacement;
        if (auto it = kWithArg.find(helper); it != kWithArg.end() && !arg.empty())
            replacement = it->second + arg;
        else if (helper == "bodyRaw")
            replacement = "request.rawBody";
        else if (helper == "uuid")
            replacement = "uuid";
        else if (helper == "now")
            replacement = "now";
        else if (helper == "faker")
            replacement = kFaker.count(arg) ? kFaker.at(arg) : "faker.word";
        if (replacement.empty()) {
            warnings.push_back(where + ": template helper " + helper + " is not supported; kept");
            out += body.substr(open, close + 2 - open);
        } else {
            out += "{{" + replacement + "}}";
        }
        i = close + 2;
    }
    out += body.substr(i);
    return out;
}

// A rule as a matcher field; false when the rule has no equivalent (reported by the caller).
bool applyRule(const Json& rule, Json& matcher) {
    const std::string target = str(rule, "target"), modifier = str(rule, "modifier"),
                      value = str(rule, "value"), op = str(rule, "operator");
    if (target == "query" && !modifier.empty()) {
        matcher["queryParams"][modifier] = value;
    } else if (target == "header" && !modifier.empty()) {
        matcher["headers"][modifier] = value;
    } else if (target == "cookie" && !modifier.empty()) {
        std::string prev = matcher["headers"].value("Cookie", "");
        matcher["headers"]["Cookie"] = (prev.empty() ? "" : prev + "; ") + modifier + "=" + value;
    } else if (target == "body" && op == "regex") {
        matcher["bodyPattern"] = value;
    } else if (target == "body" && modifier.starts_with("$")) {
        matcher["bodyJsonPath"][modifier] = value;
    } else if (target == "body") {
        matcher["bodyContains"] = value;
    } else {
        return false;
    }
    return true;
}

}  // namespace

Json mockoonToCollection(const Json& doc, std::vector<std::string>& warnings) {
    if (!doc.is_object() || !doc.contains("routes") || !doc["routes"].is_array() ||
        doc["routes"].empty())
        throw ImportError("the Mockoon environment has no routes");
    const std::string prefix = str(doc, "endpointPrefix");
    const int64_t envLatency = integer(doc, "latency");
    std::map<std::string, Json> buckets;
    if (auto data = doc.find("data"); data != doc.end() && data->is_array())
        for (const auto& b : *data)
            for (const char* k : {"id", "uuid"})
                if (!str(b, k).empty()) buckets[str(b, k)] = b;
    Json mocks = Json::array(), tables = Json::array();
    for (const auto& route : doc["routes"]) {
        if (!route.is_object() || (route.contains("enabled") && route["enabled"] == false))
            continue;
        const std::string path = routePath(prefix, str(route, "endpoint"));
        const std::string method =
            upperCase(str(route, "method").empty() ? "get" : str(route, "method"));
        const std::string uuid = str(route, "uuid");
        if (str(route, "type") == "crud") {
            std::string name = str(route, "documentation").empty() ? str(route, "endpoint")
                                                                   : str(route, "documentation");
            Json table = {{"name", name}, {"idField", "id"}};
            const Json responses = route.value("responses", Json::array());
            const std::string bucketId =
                responses.is_array() && !responses.empty() ? str(responses[0], "databucketID") : "";
            if (auto b = buckets.find(bucketId); b != buckets.end()) {
                Json seed = Json::parse(str(b->second, "value"), nullptr, false);
                if (seed.is_array()) table["seedData"] = seed;
            }
            tables.push_back(table);
            const std::pair<const char*, const char*> kCrud[] = {
                {"GET", "list"},   {"POST", "create"}, {"GET", "get"},
                {"PUT", "update"}, {"PATCH", "patch"}, {"DELETE", "delete"}};
            for (const auto& [m, action] : kCrud) {
                bool item = std::string(action) != "list" && std::string(action) != "create";
                std::string p = item ? path + "/{id}" : path;
                Json mock = httpMock(stableId("mn_", uuid + " " + action), name + " " + action);
                mock["http"] = {{"matcher", {{"method", m}, {"path", p}}},
                                {"statefulBinding", {{"table", name}, {"action", action}}}};
                mocks.push_back(std::move(mock));
            }
            continue;
        }
        const Json responses = route.value("responses", Json::array());
        if (!responses.is_array()) continue;
        for (size_t i = 0; i < responses.size(); ++i) {
            const Json& r = responses[i];
            if (!r.is_object()) continue;
            const std::string where =
                method + " " + path + " (response " + std::to_string(i + 1) + ")";
            std::string name = str(r, "label");
            if (name.empty()) name = str(route, "documentation");
            if (name.empty()) name = "Mockoon Import: " + method + " " + path;
            if (i > 0) name += " (response " + std::to_string(i + 1) + ")";
            Json mock =
                httpMock(stableId("mn_", uuid + "#" + std::to_string(i) + method + path), name);
            Json matcher = {{"method", method}, {"path", path}};
            const Json rules = r.value("rules", Json::array());
            if (rules.is_array())
                for (const auto& rule : rules) {
                    if (rule.value("invert", false) || !applyRule(rule, matcher))
                        warnings.push_back(where + ": a " + str(rule, "target") +
                                           " rule cannot be matched here; left out");
                }
            if (str(route, "responseMode") == "RANDOM" ||
                str(route, "responseMode") == "SEQUENTIAL")
                warnings.push_back(where + ": responseMode " + str(route, "responseMode") +
                                   " is not carried over (the first matching response answers)");
            const bool hasRules = rules.is_array() && !rules.empty();
            const int64_t priority = (hasRules ? 1000 : 0) +
                                     static_cast<int64_t>(responses.size() - i) +
                                     (r.value("default", false) ? 500 : 0);
            int64_t code = integer(r, "statusCode");
            Json response = {{"statusCode", code >= 100 && code <= 599 ? code : 200}};
            for (const Json* hs : {&doc, &r})
                if (auto h = hs->find("headers"); h != hs->end() && h->is_array())
                    for (const auto& kv : *h)
                        if (!str(kv, "key").empty())
                            response["headers"][str(kv, "key")] = str(kv, "value");
            const int64_t delay = integer(r, "latency") + envLatency;
            if (delay > 0) response["delayMs"] = delay;
            if (!str(r, "filePath").empty() && r.value("sendFileAsBody", true)) {
                response["bodyFile"] = str(r, "filePath");
            } else if (!str(r, "body").empty()) {
                response["body"] = r.value("disableTemplating", false)
                                       ? str(r, "body")
                                       : rewriteTemplate(str(r, "body"), where, warnings);
            }
            mock["http"] = {{"priority", priority}, {"matcher", matcher}, {"response", response}};
            mocks.push_back(std::move(mock));
        }
    }
    Json out = collectionOf(str(doc, "name"), std::move(mocks));
    if (!tables.empty()) out["tables"] = std::move(tables);
    return out;
}

}  // namespace mockd::portability
