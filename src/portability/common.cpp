// Pieces every converter uses: the shape of an imported mock, stable ids, default bodies.
#include <algorithm>
#include <cctype>

#include "core/encoding.h"
#include "portability/importers.h"

namespace mockd::portability {

Json httpMock(const std::string& id, const std::string& name) {
    Json mock = {{"id", id}, {"type", "http"}, {"enabled", true}};
    if (!name.empty()) mock["name"] = name;
    mock["http"] = {{"matcher", Json::object()}, {"response", Json::object()}};
    return mock;
}

Json collectionOf(const std::string& name, Json mocks) {
    Json c = {{"version", "1.0"}, {"mocks", std::move(mocks)}};
    if (!name.empty()) c["name"] = name;
    return c;
}

std::string stableId(std::string_view prefix, std::string_view key) {
    // 64-bit FNV-1a: stable across runs and builds, which std::hash is not.
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : key) {
        h ^= c;
        h *= 1099511628211ull;
    }
    static const char* kHex = "0123456789abcdef";
    std::string out(prefix);
    for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(h >> shift) & 0xF];
    return out;
}

std::string upperCase(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string lowerCase(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string defaultBody(int status) {
    switch (status) {
        case 200:
            return Json{{"status", "ok"}}.dump(2);
        case 201:
            return Json{{"id", 1}, {"created", true}}.dump(2);
        case 204:
            return "";
        case 400:
            return Json{{"error", "Bad Request"}}.dump(2);
        case 401:
            return Json{{"error", "Unauthorized"}}.dump(2);
        case 403:
            return Json{{"error", "Forbidden"}}.dump(2);
        case 404:
            return Json{{"error", "Not Found"}}.dump(2);
        case 500:
            return Json{{"error", "Internal Server Error"}}.dump(2);
        default:
            return Json{{"status", status}}.dump(2);
    }
}

std::string str(const Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string bracedParams(const std::string& path) {
    std::string out;
    for (size_t i = 0; i < path.size(); ++i) {
        if (path[i] == ':' && i > 0 && path[i - 1] == '/' && i + 1 < path.size() &&
            path[i + 1] != '/') {
            size_t end = path.find('/', i);
            out += "{" + path.substr(i + 1, end == std::string::npos ? end : end - i - 1) + "}";
            i = end == std::string::npos ? path.size() : end - 1;
        } else {
            out += path[i];
        }
    }
    return out;
}

bool validUtf8(std::string_view s) {
    try {
        (void)Json(std::string(s)).dump();  // the JSON writer checks UTF-8 exactly
        return true;
    } catch (const Json::exception&) {
        return false;
    }
}

Json queryPairs(std::string_view query) {
    Json out = Json::object();
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        size_t eq = pair.find('=');
        // A decoded part that is not UTF-8 (%ff) stays as written: JSON strings must be text.
        auto decoded = [](std::string_view raw) {
            std::string d = core::percentDecode(raw, true);
            return validUtf8(d) ? d : std::string(raw);
        };
        std::string name = decoded(pair.substr(0, eq));
        if (!out.contains(name))
            out[name] = eq == std::string_view::npos ? "" : decoded(pair.substr(eq + 1));
    }
    return out;
}

}  // namespace mockd::portability
