// The exporters. Only HTTP mocks with a literal or {param} path can be written as a request;
// others (pathPattern, other protocols, streams) are named in a warning.
#include "portability/exports.h"

#include <map>
#include <set>

#include "portability/importers.h"

namespace mockd::portability {

namespace {

// The parts of an HTTP mock the exporters use, read from its JSON form.
struct HttpView {
    std::string id, name, operationId, method, path;
    Json query = Json::object(), headers = Json::object();
    std::string bodyEquals, bodyContains;
    int status = 200;
    Json responseHeaders = Json::object();
    std::string body;
    int64_t delayMs = 0;
    int priority = 0;
};

std::vector<std::string> pathParams(const std::string& path) {
    std::vector<std::string> names;
    for (size_t at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1)) {
        size_t close = path.find('}', at);
        if (close == std::string::npos) break;
        names.push_back(path.substr(at + 1, close - at - 1));
    }
    return names;
}

std::optional<HttpView> viewOf(const Json& mock, std::vector<std::string>& warnings) {
    const std::string id = str(mock, "id");
    const std::string type = str(mock, "type").empty() ? "http" : str(mock, "type");
    if (type != "http" || !mock.contains("http") || !mock["http"].is_object()) {
        warnings.push_back("mock " + id + ": a " + type + " mock has no place in this format");
        return std::nullopt;
    }
    const Json& http = mock["http"];
    const Json matcher = http.value("matcher", Json::object());
    if (http.contains("sse") || http.contains("chunked")) {
        warnings.push_back("mock " + id + ": a streaming answer is exported as its first response");
    }
    HttpView v;
    v.id = id;
    v.name = str(mock, "name");
    v.operationId = str(mock, "operationId");
    v.method = upperCase(str(matcher, "method"));
    v.path = bracedParams(str(matcher, "path"));  // older mockd files write /a/:id
    if (v.path.empty()) {
        warnings.push_back("mock " + id + ": matches by pathPattern or any path; left out");
        return std::nullopt;
    }
    if (matcher.contains("queryParams") && matcher["queryParams"].is_object())
        v.query = matcher["queryParams"];
    if (matcher.contains("headers") && matcher["headers"].is_object())
        v.headers = matcher["headers"];
    v.bodyEquals = str(matcher, "bodyEquals");
    v.bodyContains = str(matcher, "bodyContains");
    if (!str(matcher, "bodyPattern").empty() || matcher.contains("bodyJsonPath"))
        warnings.push_back("mock " + id + ": body patterns and JSONPath conditions left out");
    const Json response = http.contains("response") && http["response"].is_object()
                              ? http["response"]
                              : (http.contains("responses") && http["responses"].is_array() &&
                                         !http["responses"].empty()
                                     ? http["responses"][0]
                                     : Json::object());
    if (response.contains("statusCode") && response["statusCode"].is_number_integer())
        v.status = response["statusCode"].get<int>();
    if (response.contains("headers") && response["headers"].is_object())
        v.responseHeaders = response["headers"];
    v.body = str(response, "body");
    if (!str(response, "bodyFile").empty())
        warnings.push_back("mock " + id + ": its body file is not exported");
    if (response.contains("delayMs") && response["delayMs"].is_number_integer())
        v.delayMs = response["delayMs"].get<int64_t>();
    if (http.contains("priority") && http["priority"].is_number_integer())
        v.priority = http["priority"].get<int>();
    if (http.contains("statefulBinding") || http.contains("statefulOperation"))
        warnings.push_back("mock " + id + ": its table binding is exported as its static response");
    return v;
}

std::vector<HttpView> httpViews(const Json& collection, std::vector<std::string>& warnings) {
    std::vector<HttpView> out;
    const Json mocks =
        collection.is_array() ? collection : collection.value("mocks", Json::array());
    for (const auto& m : mocks)
        if (m.is_object())
            if (auto v = viewOf(m, warnings)) out.push_back(std::move(*v));
    return out;
}

std::string contentTypeOf(const HttpView& v) {
    for (auto it = v.responseHeaders.begin(); it != v.responseHeaders.end(); ++it)
        if (lowerCase(it.key()) == "content-type" && it->is_string()) return it->get<std::string>();
    auto parsed = Json::parse(v.body, nullptr, false);
    return !v.body.empty() && !parsed.is_discarded() && (parsed.is_object() || parsed.is_array())
               ? "application/json"
               : "text/plain";
}

Json toOpenApi(const std::vector<HttpView>& views, const ExportOptions& o) {
    Json paths = Json::object();
    for (const auto& v : views) {
        const std::string method = lowerCase(v.method.empty() ? "GET" : v.method);
        Json op = {{"operationId", v.operationId.empty() ? v.id : v.operationId}};
        if (!v.name.empty()) op["summary"] = v.name;
        Json params = Json::array();
        for (const auto& p : pathParams(v.path))
            params.push_back({{"name", p},
                              {"in", "path"},
                              {"required", true},
                              {"schema", {{"type", "string"}}}});
        for (const char* where : {"query", "header"}) {
            const Json& list = std::string(where) == "query" ? v.query : v.headers;
            for (auto it = list.begin(); it != list.end(); ++it)
                params.push_back({{"name", it.key()},
                                  {"in", where},
                                  {"required", true},
                                  {"schema", {{"type", "string"}}},
                                  {"example", *it}});
        }
        if (!params.empty()) op["parameters"] = std::move(params);
        Json response = {{"description", v.name.empty() ? "the mock's answer" : v.name}};
        const std::string type = contentTypeOf(v);
        if (!v.body.empty()) {
            Json example = v.body;
            if (type.find("json") != std::string::npos) {
                auto parsed = Json::parse(v.body, nullptr, false);
                if (!parsed.is_discarded()) example = parsed;
            }
            response["content"][type] = {{"example", example}};
        }
        for (auto it = v.responseHeaders.begin(); it != v.responseHeaders.end(); ++it)
            if (lowerCase(it.key()) != "content-type")
                response["headers"][it.key()] = {{"schema", {{"type", "string"}}},
                                                 {"example", *it}};
        op["responses"][std::to_string(v.status)] = std::move(response);
        paths[v.path][method] = std::move(op);  // the last mock of a method and path wins
    }
    return {{"openapi", "3.1.0"},
            {"info",
             {{"title", o.title}, {"description", "Exported from mockd"}, {"version", "1.0.0"}}},
            {"servers", Json::array({{{"url", o.baseUrl}}})},
            {"paths", std::move(paths)}};
}

// Path segments as Postman writes them: {id} → :id.
Json postmanPath(const std::string& path, Json& variables) {
    Json segs = Json::array();
    size_t start = 1;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        std::string seg = path.substr(start, end == std::string::npos ? end : end - start);
        if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
            std::string name = seg.substr(1, seg.size() - 2);
            variables.push_back({{"key", name}, {"value", "1"}});
            seg = ":" + name;
        }
        segs.push_back(seg);
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return segs;
}

std::string queryString(const Json& query) {
    std::string q;
    for (auto it = query.begin(); it != query.end(); ++it)
        q += (q.empty() ? "?" : "&") + it.key() + "=" +
             (it->is_string() ? it->get<std::string>() : it->dump());
    return q;
}

Json toPostman(const std::vector<HttpView>& views, const ExportOptions& o) {
    Json items = Json::array();
    for (const auto& v : views) {
        Json variables = Json::array();
        Json url = {{"host", Json::array({"{{baseUrl}}"})},
                    {"path", postmanPath(v.path, variables)}};
        std::string raw = "{{baseUrl}}";
        for (const auto& seg : url["path"]) raw += "/" + seg.get<std::string>();
        url["raw"] = raw + queryString(v.query);
        if (!variables.empty()) url["variable"] = variables;
        Json query = Json::array();
        for (auto it = v.query.begin(); it != v.query.end(); ++it)
            query.push_back({{"key", it.key()},
                             {"value", it->is_string() ? it->get<std::string>() : it->dump()}});
        if (!query.empty()) url["query"] = std::move(query);
        Json headers = Json::array();
        for (auto it = v.headers.begin(); it != v.headers.end(); ++it)
            headers.push_back({{"key", it.key()},
                               {"value", it->is_string() ? it->get<std::string>() : it->dump()}});
        Json request = {
            {"method", v.method.empty() ? "GET" : v.method}, {"header", headers}, {"url", url}};
        const std::string sent = !v.bodyEquals.empty() ? v.bodyEquals : v.bodyContains;
        if (!sent.empty()) request["body"] = {{"mode", "raw"}, {"raw", sent}};
        Json resHeaders = Json::array();
        for (auto it = v.responseHeaders.begin(); it != v.responseHeaders.end(); ++it)
            resHeaders.push_back(
                {{"key", it.key()},
                 {"value", it->is_string() ? it->get<std::string>() : it->dump()}});
        Json saved = {{"name", v.name.empty() ? v.method + " " + v.path : v.name},
                      {"originalRequest", request},
                      {"code", v.status},
                      {"header", resHeaders},
                      {"body", v.body}};
        items.push_back({{"name", v.name.empty() ? v.method + " " + v.path : v.name},
                         {"request", request},
                         {"response", Json::array({saved})}});
    }
    return {{"info",
             {{"name", o.title},
              {"_postman_id", stableId("", o.title)},
              {"schema", "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}}},
            {"variable", Json::array({{{"key", "baseUrl"}, {"value", o.baseUrl}}})},
            {"item", std::move(items)}};
}

Json toInsomnia(const std::vector<HttpView>& views, const ExportOptions& o) {
    Json resources = Json::array();
    resources.push_back(
        {{"_id", "wrk_mockd"}, {"_type", "workspace"}, {"name", o.title}, {"scope", "collection"}});
    resources.push_back({{"_id", "env_mockd"},
                         {"_type", "environment"},
                         {"parentId", "wrk_mockd"},
                         {"name", "Base Environment"},
                         {"data", {{"base_url", o.baseUrl}}}});
    resources.push_back({{"_id", "fld_http"},
                         {"_type", "request_group"},
                         {"parentId", "wrk_mockd"},
                         {"name", "HTTP"}});
    for (const auto& v : views) {
        std::string path = v.path;
        for (const auto& p : pathParams(v.path)) {
            size_t at = path.find("{" + p + "}");
            path.replace(at, p.size() + 2, "1");
        }
        Json headers = Json::array(), params = Json::array();
        for (auto it = v.headers.begin(); it != v.headers.end(); ++it)
            headers.push_back({{"name", it.key()},
                               {"value", it->is_string() ? it->get<std::string>() : it->dump()}});
        for (auto it = v.query.begin(); it != v.query.end(); ++it)
            params.push_back({{"name", it.key()},
                              {"value", it->is_string() ? it->get<std::string>() : it->dump()}});
        Json req = {{"_id", "req_" + v.id},
                    {"_type", "request"},
                    {"parentId", "fld_http"},
                    {"name", v.name.empty() ? v.method + " " + v.path : v.name},
                    {"method", v.method.empty() ? "GET" : v.method},
                    {"url", "{{ _.base_url }}" + path},
                    {"headers", headers},
                    {"parameters", params}};
        const std::string sent = !v.bodyEquals.empty() ? v.bodyEquals : v.bodyContains;
        if (!sent.empty()) req["body"] = {{"mimeType", "application/json"}, {"text", sent}};
        resources.push_back(std::move(req));
    }
    return {{"_type", "export"},
            {"__export_format", 4},
            {"__export_source", "mockd"},
            {"resources", std::move(resources)}};
}

// A UUID-shaped id from the mock's id: WireMock's stub ids are UUIDs.
std::string uuidOf(const std::string& id) {
    std::string h = stableId("", id) + stableId("", id + "#");
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-4" + h.substr(13, 3) + "-8" + h.substr(17, 3) +
           "-" + h.substr(20, 12);
}

Json toWireMock(const std::vector<HttpView>& views, std::vector<std::string>& warnings) {
    Json mappings = Json::array();
    for (const auto& v : views) {
        Json request = {{"method", v.method.empty() ? "ANY" : v.method}};
        request[v.path.find('{') == std::string::npos ? "urlPath" : "urlPathTemplate"] = v.path;
        for (auto it = v.query.begin(); it != v.query.end(); ++it)
            request["queryParameters"][it.key()] = {{"equalTo", *it}};
        for (auto it = v.headers.begin(); it != v.headers.end(); ++it)
            request["headers"][it.key()] = {{"equalTo", *it}};
        if (!v.bodyEquals.empty()) request["bodyPatterns"].push_back({{"equalTo", v.bodyEquals}});
        if (!v.bodyContains.empty())
            request["bodyPatterns"].push_back({{"contains", v.bodyContains}});
        Json response = {{"status", v.status}};
        if (!v.responseHeaders.empty()) response["headers"] = v.responseHeaders;
        if (!v.body.empty()) response["body"] = v.body;
        if (v.delayMs > 0) response["fixedDelayMilliseconds"] = v.delayMs;
        if (v.body.find("{{") != std::string::npos)
            warnings.push_back("mock " + v.id +
                               ": mockd's templates are not WireMock's; the body "
                               "is exported as written");
        Json stub = {{"id", uuidOf(v.id)},
                     {"request", request},
                     {"response", response},
                     {"metadata", {{"mockdId", v.id}}}};
        if (!v.name.empty()) stub["name"] = v.name;
        mappings.push_back(std::move(stub));
    }
    const size_t total = mappings.size();
    return {{"mappings", std::move(mappings)}, {"meta", {{"total", total}}}};
}

}  // namespace

ExportFormat parseExportFormat(std::string_view name) {
    const std::string n = lowerCase(std::string(name));
    if (n == "mockd" || n == "native" || n == "json" || n == "yaml" || n == "yml")
        return ExportFormat::Mockd;
    if (n == "openapi" || n == "swagger" || n == "oas") return ExportFormat::OpenApi;
    if (n == "postman") return ExportFormat::Postman;
    if (n == "insomnia") return ExportFormat::Insomnia;
    if (n == "wiremock") return ExportFormat::WireMock;
    return ExportFormat::Unknown;
}

Json exportCollection(const Json& collection, ExportFormat format, const ExportOptions& options,
                      std::vector<std::string>& warnings) {
    if (format == ExportFormat::Mockd) return collection;
    if (format == ExportFormat::Unknown) throw ImportError("unknown export format");
    const auto views = httpViews(collection, warnings);
    switch (format) {
        case ExportFormat::OpenApi:
            return toOpenApi(views, options);
        case ExportFormat::Postman:
            return toPostman(views, options);
        case ExportFormat::Insomnia:
            return toInsomnia(views, options);
        default:
            return toWireMock(views, warnings);
    }
}

}  // namespace mockd::portability
