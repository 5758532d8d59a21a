// HAR (browser network logs) → one mock per method and path, answered as first recorded.
#include <map>

#include "core/encoding.h"
#include "portability/importers.h"

namespace mockd::portability {

namespace {

bool isStaticAsset(const std::string& path, const std::string& mime) {
    static const char* kExt[] = {".js",  ".css",  ".png",   ".jpg", ".jpeg", ".gif", ".svg",
                                 ".ico", ".woff", ".woff2", ".ttf", ".eot",  ".map"};
    const std::string p = lowerCase(path);
    for (const char* e : kExt)
        if (p.ends_with(e)) return true;
    const std::string m = lowerCase(mime);
    for (const char* prefix : {"text/javascript", "application/javascript", "text/css", "image/",
                               "font/", "application/font"})
        if (m.starts_with(prefix)) return true;
    return false;
}

bool droppedHeader(const std::string& name) {
    static const char* kDropped[] = {
        "content-length",   "transfer-encoding", "connection", "date",
        "server",           "x-powered-by",      "set-cookie", "strict-transport-security",
        "content-encoding", "content-type",      "keep-alive"};
    const std::string n = lowerCase(name);
    for (const char* d : kDropped)
        if (n == d) return true;
    return n.starts_with(":");  // HTTP/2 pseudo-headers
}

// The path and query of an absolute or relative URL.
std::pair<std::string, std::string> splitUrl(const std::string& url) {
    size_t scheme = url.find("://");
    size_t start = scheme == std::string::npos ? 0 : url.find('/', scheme + 3);
    if (start == std::string::npos) return {"/", ""};
    std::string rest = url.substr(start);
    rest = rest.substr(0, rest.find('#'));
    size_t q = rest.find('?');
    std::string path = rest.substr(0, q);
    return {path.empty() ? "/" : path, q == std::string::npos ? "" : rest.substr(q + 1)};
}

}  // namespace

Json harToCollection(const Json& doc, const ImportOptions& options,
                     std::vector<std::string>& warnings) {
    const Json* log = doc.is_object() && doc.contains("log") ? &doc["log"] : nullptr;
    if (!log || !log->is_object() || !(*log).contains("entries") || !(*log)["entries"].is_array())
        throw ImportError("not a HAR file (it needs log.entries)");
    std::map<std::pair<std::string, std::string>, Json> byRoute;  // (path, method) → mock
    for (const auto& entry : (*log)["entries"]) {
        if (!entry.is_object()) continue;
        const Json req = entry.value("request", Json::object());
        const Json res = entry.value("response", Json::object());
        if (!req.is_object() || !res.is_object()) continue;
        const std::string method = upperCase(str(req, "method"));
        auto [path, query] = splitUrl(str(req, "url"));
        const Json content = res.value("content", Json::object());
        const std::string mime = content.is_object() ? str(content, "mimeType") : "";
        if (method.empty() || (!options.includeStatic && isStaticAsset(path, mime))) continue;
        if (byRoute.count({path, method})) continue;  // the first answer of each route wins
        const Json statusJson = res.value("status", Json(0));
        const int status = statusJson.is_number_integer() ? statusJson.get<int>() : 0;
        if (status < 100 || status > 599) {
            warnings.push_back(method + " " + path + ": no response was recorded; skipped");
            continue;
        }
        Json mock = httpMock(stableId("http_", "har " + method + " " + path), method + " " + path);
        Json matcher = {{"method", method}, {"path", path}};
        if (Json q = queryPairs(query); !q.empty()) matcher["queryParams"] = std::move(q);
        Json response = {{"statusCode", status}};
        if (res.contains("headers") && res["headers"].is_array())
            for (const auto& h : res["headers"]) {
                std::string name = str(h, "name");
                if (!name.empty() && !droppedHeader(name))
                    response["headers"][name] = str(h, "value");
            }
        if (!mime.empty()) response["headers"]["Content-Type"] = mime;
        std::string body = content.is_object() ? str(content, "text") : "";
        if (content.is_object() && str(content, "encoding") == "base64") {
            auto decoded = core::base64Decode(body);
            if (!decoded) {
                warnings.push_back(method + " " + path +
                                   ": the body is not valid base64; left out");
                body.clear();
            } else {
                body = std::move(*decoded);
            }
        }
        if (!body.empty() && !validUtf8(body)) {
            warnings.push_back(method + " " + path + ": a binary body; left out");
            body.clear();
        }
        if (!body.empty()) response["body"] = std::move(body);
        mock["http"]["matcher"] = std::move(matcher);
        mock["http"]["response"] = std::move(response);
        byRoute.emplace(std::make_pair(path, method), std::move(mock));
    }
    if (byRoute.empty()) throw ImportError("the HAR file has no requests to mock");
    Json mocks = Json::array();
    for (auto& [_, m] : byRoute) mocks.push_back(std::move(m));
    const Json creator = log->value("creator", Json::object());
    const std::string tool = creator.is_object() ? str(creator, "name") : "";
    return collectionOf(tool.empty() ? "Imported from HAR" : "Imported from HAR (" + tool + ")",
                        std::move(mocks));
}

}  // namespace mockd::portability
