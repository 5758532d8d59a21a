// Postman collections v2.0 and v2.1 → one mock per request, answered by its first saved
// response. `:name` path variables become `{name}` so that they match.
#include <functional>
#include <map>
#include <set>

#include "portability/importers.h"

namespace mockd::portability {

namespace {

std::string substitute(std::string s, const std::map<std::string, std::string>& vars) {
    for (size_t at = s.find("{{"); at != std::string::npos; at = s.find("{{", at)) {
        size_t end = s.find("}}", at + 2);
        if (end == std::string::npos) break;
        auto it = vars.find(s.substr(at + 2, end - at - 2));
        if (it == vars.end()) {
            at = end + 2;
            continue;
        }
        s.replace(at, end + 2 - at, it->second);
        at += it->second.size();
    }
    return s;
}

// The path of a Postman URL: the `path` segments when given, else what follows the host of
// `raw` (which may itself be a {{variable}}).
std::string urlPath(const Json& url, const std::map<std::string, std::string>& vars) {
    std::string path;
    if (url.is_object() && url.contains("path")) {
        const Json& segs = url["path"];
        if (segs.is_string()) {
            path = segs.get<std::string>();
        } else if (segs.is_array()) {
            for (const auto& seg : segs) {
                std::string s = seg.is_string()   ? seg.get<std::string>()
                                : seg.is_object() ? str(seg, "value")
                                                  : "";
                path += "/" + s;
            }
        }
    } else {
        std::string raw = url.is_string() ? url.get<std::string>() : str(url, "raw");
        raw = substitute(raw, vars);
        raw = raw.substr(0, raw.find_first_of("?#"));
        size_t scheme = raw.find("://");
        size_t start = scheme == std::string::npos ? 0 : scheme + 3;
        if (raw.starts_with("{{")) start = raw.find("}}") + 2;
        size_t slash = raw.find('/', start);
        path = slash == std::string::npos ? "" : raw.substr(slash);
        if (scheme == std::string::npos && !raw.starts_with("{{") && raw.starts_with("/"))
            path = raw;
    }
    path = substitute(path, vars);
    if (!path.starts_with("/")) path = "/" + path;
    return bracedParams(path);
}

bool unresolved(const std::string& s) { return s.find("{{") != std::string::npos; }

class PostmanImporter {
  public:
    PostmanImporter(const Json& doc, std::vector<std::string>& w) : warnings_(w) {
        if (auto v = doc.find("variable"); v != doc.end() && v->is_array())
            for (const auto& var : *v)
                if (var.is_object() && var.contains("key") && var["key"].is_string())
                    vars_[var["key"].get<std::string>()] =
                        var.contains("value") && var["value"].is_string()
                            ? var["value"].get<std::string>()
                            : (var.contains("value") ? var["value"].dump() : "");
    }

    void walk(const Json& items, const std::string& folder) {
        if (!items.is_array()) return;
        for (const auto& item : items) {
            if (!item.is_object()) continue;
            std::string name = str(item, "name");
            if (item.contains("item")) {
                walk(item["item"], folder.empty() ? name : folder + " / " + name);
            } else if (item.contains("request")) {
                mocks_.push_back(mockOf(item, name));
            }
        }
    }

    Json mocks() { return std::move(mocks_); }

  private:
    std::vector<std::string>& warnings_;
    std::map<std::string, std::string> vars_;
    std::set<std::string> ids_;
    Json mocks_ = Json::array();

    Json mockOf(const Json& item, const std::string& name) {
        const Json& req = item["request"];
        std::string method = req.is_object() ? upperCase(str(req, "method")) : "GET";
        if (method.empty()) method = "GET";
        const Json url = req.is_string() ? req : req.value("url", Json(""));
        const std::string path = urlPath(url, vars_);
        std::string key = method + " " + path;
        std::string id = stableId("http_", "postman " + key);
        for (int n = 2; !ids_.insert(id).second; ++n)
            id = stableId("http_", "postman " + key + "#" + std::to_string(n));
        Json mock = httpMock(id, name.empty() ? key : name);
        Json matcher = {{"method", method}, {"path", path}};
        if (url.is_object() && url.contains("query") && url["query"].is_array())
            for (const auto& q : url["query"]) {
                if (!q.is_object() || q.value("disabled", false)) continue;
                std::string k = substitute(str(q, "key"), vars_),
                            v = substitute(str(q, "value"), vars_);
                if (k.empty()) continue;
                if (unresolved(v)) {
                    warnings_.push_back(key + ": query " + k +
                                        " uses an unset variable; not matched");
                    continue;
                }
                matcher["queryParams"][k] = v;
            }
        if (req.is_object() && req.contains("header") && req["header"].is_array())
            for (const auto& h : req["header"]) {
                if (!h.is_object() || h.value("disabled", false)) continue;
                std::string k = str(h, "key"), v = substitute(str(h, "value"), vars_);
                std::string lk = lowerCase(k);
                if (k.empty() || lk == "content-type" || lk == "content-length" || lk == "accept")
                    continue;
                if (unresolved(v)) {
                    warnings_.push_back(key + ": header " + k +
                                        " uses an unset variable; not matched");
                    continue;
                }
                matcher["headers"][k] = v;
            }
        mock["http"]["matcher"] = std::move(matcher);
        mock["http"]["response"] = responseOf(item);
        return mock;
    }

    Json responseOf(const Json& item) {
        auto saved = item.find("response");
        if (saved == item.end() || !saved->is_array() || saved->empty() || !(*saved)[0].is_object())
            return {{"statusCode", 200},
                    {"headers", {{"Content-Type", "application/json"}}},
                    {"body", defaultBody(200)}};
        const Json& r = (*saved)[0];
        int code = r.contains("code") && r["code"].is_number_integer() ? r["code"].get<int>() : 0;
        Json out = {{"statusCode", code >= 100 && code <= 599 ? code : 200}};
        if (r.contains("header") && r["header"].is_array())
            for (const auto& h : r["header"]) {
                std::string k = str(h, "key");
                std::string lk = lowerCase(k);
                if (k.empty() || lk == "content-length" || lk == "transfer-encoding" ||
                    lk == "connection" || lk == "content-encoding")
                    continue;
                out["headers"][k] = substitute(str(h, "value"), vars_);
            }
        if (r.contains("body") && r["body"].is_string())
            out["body"] = substitute(r["body"].get<std::string>(), vars_);
        return out;
    }
};

}  // namespace

Json postmanToCollection(const Json& doc, std::vector<std::string>& warnings) {
    if (!doc.is_object()) throw ImportError("a Postman collection is a JSON object");
    const Json info = doc.value("info", Json::object());
    const std::string schema = info.is_object() ? str(info, "schema") : "";
    if (schema.find("postman") == std::string::npos)
        throw ImportError("not a Postman collection (info.schema does not name Postman's schema)");
    if (schema.find("v1.") != std::string::npos)
        throw ImportError("Postman collection v1 is not supported (export it as v2.1)");
    PostmanImporter importer(doc, warnings);
    importer.walk(doc.value("item", Json::array()), "");
    Json mocks = importer.mocks();
    if (mocks.empty()) throw ImportError("the Postman collection has no requests");
    return collectionOf(str(info, "name"), std::move(mocks));
}

}  // namespace mockd::portability
