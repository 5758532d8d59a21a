// OpenAPI 3.0/3.1 and Swagger 2.0 → one mock per operation. Choices are deterministic where
// mockd's depend on map order: the status, the media type and every generated value.
#include <array>

#include "portability/importers.h"
#include "portability/openapi_paths.h"
#include "portability/schema_sample.h"

namespace mockd::portability {

namespace {

constexpr std::array<const char*, 8> kMethods = {"get",   "post", "put",     "delete",
                                                 "patch", "head", "options", "trace"};

// Headers the server writes itself: a declared one would contradict the real framing.
bool ownedByServer(const std::string& name) {
    const std::string n = lowerCase(name);
    return n == "content-type" || n == "content-length" || n == "transfer-encoding" ||
           n == "connection";
}

// The status mockd answers with: 200, 201, 202 or 204 first, then the lowest other 2xx, then a
// 2XX range or default (both 200), then the lowest status the operation lists.
int chooseStatus(const Json& responses, std::string& key) {
    key.clear();
    if (!responses.is_object() || responses.empty()) return 200;
    for (const char* s : {"200", "201", "202", "204"})
        if (responses.contains(s)) return std::stoi(key = s);
    int best = 0;
    std::string bestKey;
    for (auto it = responses.begin(); it != responses.end(); ++it) {
        const std::string& k = it.key();
        if (k.size() != 3 || !std::isdigit((unsigned char)k[0]) ||
            !std::isdigit((unsigned char)k[1]) || !std::isdigit((unsigned char)k[2]))
            continue;
        int code = std::stoi(k);
        bool better = best == 0 || (code / 100 == 2 && best / 100 != 2) ||
                      ((code / 100 == 2) == (best / 100 == 2) && code < best);
        if (better) {
            best = code;
            bestKey = k;
        }
    }
    if (best / 100 == 2) return key = bestKey, best;
    for (const char* range : {"2XX", "2xx", "default"})
        if (responses.contains(range)) return key = range, 200;
    if (best >= 100 && best <= 599) return key = bestKey, best;
    key = responses.begin().key();
    return 200;
}

// OpenAPI matches concrete paths before templated ones. Among templated paths of one shape
// (`/items/{id}/all` and `/items/{id}/{part}`, `/page-{n}.atom` and `/{q}.atom`) the one with
// more literal text must win, so an imported mock ranks by its literal segments (a hundred
// each) and the literal characters of partly templated ones.
int literalRank(const std::string& path) {
    if (path.find('{') == std::string::npos) return 0;  // concrete paths outrank by score
    int segments = 0, chars = 0;
    size_t start = 1;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        std::string seg = path.substr(start, end == std::string::npos ? end : end - start);
        if (seg.find('{') == std::string::npos) {
            segments += !seg.empty();
        } else {
            bool inParam = false;
            for (char c : seg) {
                if (c == '{' || c == '}')
                    inParam = c == '{';
                else
                    chars += !inParam;
            }
        }
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return segments * 100 + std::min(chars, 99);
}

// The media type to answer with: JSON when the operation offers it, else the first listed.
std::string chooseMedia(const Json& content) {
    if (content.contains("application/json")) return "application/json";
    for (auto it = content.begin(); it != content.end(); ++it)
        if (it.key().find("json") != std::string::npos) return it.key();
    return content.begin().key();
}

bool isJsonMedia(const std::string& media) {
    return media.find("json") != std::string::npos || media == "*/*";
}

std::string bodyText(const Json& value, const std::string& media) {
    if (value.is_string() && !isJsonMedia(media)) return value.get<std::string>();
    return value.dump(2);
}

class OpenApiImporter {
  public:
    OpenApiImporter(const Json& doc, const ImportOptions& options, std::vector<std::string>& w)
        : doc_(doc), sampler_(doc, options.seed), warnings_(w) {
        swagger_ = doc.contains("swagger");
        if (swagger_) {
            std::string base = doc.value("basePath", Json("")).is_string()
                                   ? doc.value("basePath", std::string())
                                   : std::string();
            while (base.ends_with("/")) base.pop_back();
            if (!base.empty() && !base.starts_with("/")) base = "/" + base;
            basePath_ = base;
        }
    }

    Json run() {
        Json mocks = Json::array();
        const Json& paths = doc_["paths"];
        for (auto p = paths.begin(); p != paths.end(); ++p) {
            const Json* item = deref(*p);
            if (!item || !item->is_object()) continue;
            std::string path = p.key();
            if (!path.starts_with("/")) path = "/" + path;
            for (const char* method : kMethods) {
                auto op = item->find(method);
                if (op == item->end() || !op->is_object()) continue;
                Json mock = operation(*op, upperCase(method), basePath_ + path);
                fragmentConditions(path, *item, *op, mock["http"]);
                mocks.push_back(std::move(mock));
            }
        }
        for (const auto& ref : sampler_.unresolvedRefs())
            warnings_.push_back("$ref " + ref + " is not in the document; its values are null");
        std::string title = "Imported API";
        if (auto info = doc_.find("info"); info != doc_.end() && info->is_object() &&
                                           info->contains("title") && (*info)["title"].is_string())
            title = (*info)["title"].get<std::string>();
        return collectionOf(title, std::move(mocks));
    }

  private:
    const Json& doc_;
    SchemaSampler sampler_;
    std::vector<std::string>& warnings_;
    bool swagger_ = false;
    std::string basePath_;

    // "/#X-Amz-Target=Svc.Op": the client sends "/" and the value in its header (see
    // openapi_paths.h). A query value is matched; a query name alone cannot be (an empty
    // expected value accepts an absent parameter), so the path alone tells it.
    static void fragmentConditions(const std::string& key, const Json& item, const Json& op,
                                   Json& http) {
        SplitPathKey split = splitPathKey(key);
        if (split.path == key) return;
        conditionPlaces(split.conditions, item, op);
        Json& matcher = http["matcher"];
        const std::string full = matcher["path"].get<std::string>();
        matcher["path"] = full.substr(0, full.size() - key.size()) + split.path;
        for (const auto& c : split.conditions) {
            if (c.absent) continue;
            if (c.place == "header")
                matcher["headers"][c.name] = c.value ? *c.value : "*";
            else if (c.value)
                matcher["queryParams"][c.name] = *c.value;
        }
        if (int rank = literalRank(matcher["path"].get<std::string>()); rank > 0)
            http["priority"] = rank;
        else
            http.erase("priority");
    }

    const Json* deref(const Json& j) {
        const Json* cur = &j;
        for (int hops = 0; hops < 16 && cur->is_object() && cur->contains("$ref"); ++hops) {
            const Json& ref = (*cur)["$ref"];
            if (!ref.is_string()) return nullptr;
            cur = sampler_.resolve(ref.get<std::string>());
            if (!cur) return nullptr;
        }
        return cur;
    }

    Json operation(const Json& op, const std::string& method, const std::string& path) {
        std::string name;
        for (const char* key : {"summary", "operationId"})
            if (name.empty() && op.contains(key) && op[key].is_string()) name = op[key];
        if (name.empty()) name = method + " " + path;
        Json mock = httpMock(stableId("http_", method + " " + path), name);
        if (op.contains("operationId") && op["operationId"].is_string())
            mock["operationId"] = op["operationId"];
        mock["http"]["matcher"] = {{"method", method}, {"path", path}};
        if (int rank = literalRank(path); rank > 0) mock["http"]["priority"] = rank;
        std::string statusKey;
        const Json noResponses = Json::object();
        const Json& responses =
            op.contains("responses") && op["responses"].is_object() ? op["responses"] : noResponses;
        const int status = chooseStatus(responses, statusKey);
        Json response = {{"statusCode", status}};
        const Json* declared = statusKey.empty() ? nullptr : deref(responses[statusKey]);
        Json headers = Json::object();
        std::string body;
        if (declared && declared->is_object()) {
            responseHeaders(*declared, headers);
            body = swagger_ ? swaggerBody(op, *declared, headers) : openApiBody(*declared, headers);
        }
        const bool bodiless = status == 204 || status == 304 || status < 200 || method == "HEAD";
        if (bodiless) {
            body.clear();
            headers.erase("Content-Type");
        } else if (body.empty()) {
            body = defaultBody(status);
            if (!body.empty() && !headers.contains("Content-Type"))
                headers["Content-Type"] = "application/json";
        }
        if (!headers.empty()) response["headers"] = std::move(headers);
        if (!body.empty()) response["body"] = std::move(body);
        mock["http"]["response"] = std::move(response);
        return mock;
    }

    void responseHeaders(const Json& declared, Json& headers) {
        auto hs = declared.find("headers");
        if (hs == declared.end() || !hs->is_object()) return;
        for (auto it = hs->begin(); it != hs->end(); ++it) {
            if (ownedByServer(it.key())) continue;
            const Json* h = deref(*it);
            if (!h || !h->is_object()) continue;
            Json v;
            if (h->contains("example")) {
                v = (*h)["example"];
            } else if (h->contains("schema")) {
                v = sampler_.sample((*h)["schema"], it.key());
            } else if (swagger_ && h->contains("type")) {
                v = sampler_.sample(*h, it.key());
            }
            if (v.is_null() || v.is_object() || v.is_array()) continue;
            headers[it.key()] = v.is_string() ? v.get<std::string>() : v.dump();
        }
    }

    std::string openApiBody(const Json& declared, Json& headers) {
        auto content = declared.find("content");
        if (content == declared.end() || !content->is_object() || content->empty()) return {};
        const std::string media = chooseMedia(*content);
        headers["Content-Type"] = media == "*/*" ? "application/json" : media;
        const Json* m = deref((*content)[media]);
        if (!m || !m->is_object()) return {};
        // The spec's example, when it meets the schema (real specs' examples often do not).
        const Json* schema = m->contains("schema") ? &(*m)["schema"] : nullptr;
        auto fits = [&](const Json& v) { return !schema || sampler_.plausible(v, *schema); };
        if (m->contains("example") && fits((*m)["example"]))
            return bodyText((*m)["example"], media);
        if (auto ex = m->find("examples"); ex != m->end() && ex->is_object() && !ex->empty()) {
            const Json* first = deref(ex->begin().value());
            if (first && first->is_object() && first->contains("value") && fits((*first)["value"]))
                return bodyText((*first)["value"], media);
        }
        if (m->contains("schema")) {
            Json v = sampler_.sample((*m)["schema"]);
            if (!v.is_null()) return bodyText(v, media);
        }
        return {};
    }

    std::string swaggerBody(const Json& op, const Json& declared, Json& headers) {
        std::string media = "application/json";
        for (const Json* src : {&op, &doc_})
            if (auto p = src->find("produces");
                p != src->end() && p->is_array() && !p->empty() && (*p)[0].is_string()) {
                media = (*p)[0].get<std::string>();
                break;
            }
        if (auto ex = declared.find("examples");
            ex != declared.end() && ex->is_object() && !ex->empty()) {
            headers["Content-Type"] = media;
            return bodyText(ex->contains(media) ? (*ex)[media] : ex->begin().value(), media);
        }
        if (declared.contains("schema")) {
            headers["Content-Type"] = media;
            Json v = sampler_.sample(declared["schema"]);
            if (!v.is_null()) return bodyText(v, media);
        }
        return {};
    }
};

}  // namespace

Json openApiToCollection(const Json& doc, const ImportOptions& options,
                         std::vector<std::string>& warnings) {
    if (!doc.is_object() || !(doc.contains("openapi") || doc.contains("swagger")))
        throw ImportError("not a valid OpenAPI 3.x or Swagger 2.0 specification");
    const Json& version = doc.contains("openapi") ? doc["openapi"] : doc["swagger"];
    const std::string v = version.is_string() ? version.get<std::string>() : version.dump();
    if (doc.contains("openapi") ? !v.starts_with("3.") : !v.starts_with("2."))
        throw ImportError("unsupported OpenAPI version " + v + " (3.0, 3.1 or Swagger 2.0)");
    auto paths = doc.find("paths");
    if (paths != doc.end() && !paths->is_null() && !paths->is_object())
        throw ImportError("paths must be an object of path templates");
    if (paths == doc.end() || paths->is_null() || paths->empty()) {
        // OpenAPI 3.1 allows a document of webhooks or components alone.
        warnings.push_back("the specification describes no paths, so it gives no mocks");
        return collectionOf(doc.value("info", Json::object()).value("title", "Imported API"),
                            Json::array());
    }
    return OpenApiImporter(doc, options, warnings).run();
}

}  // namespace mockd::portability
