// Path keys with a fragment: the path a client sends and the values that tell operations apart.
#include "portability/openapi_paths.h"

#include <cctype>

namespace mockd::portability {

namespace {

bool nameChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == ':' || c == '$';
}

bool plainName(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!nameChar(c)) return false;
    return true;
}

}  // namespace

SplitPathKey splitPathKey(const std::string& key) {
    SplitPathKey out;
    const size_t hash = key.find('#');
    out.path = key.substr(0, hash);
    if (out.path.empty()) out.path = "/";
    if (hash == std::string::npos) return out;
    const std::string fragment = key.substr(hash + 1);
    size_t start = 0;
    while (start <= fragment.size()) {
        size_t end = fragment.find('&', start);
        if (end == std::string::npos) end = fragment.size();
        std::string item = fragment.substr(start, end - start);
        start = end + 1;
        if (item.empty()) continue;
        PathCondition c;
        const size_t eq = item.find('=');
        if (eq != std::string::npos) {
            c.name = item.substr(0, eq);
            c.value = item.substr(eq + 1);
        } else if (item.back() == '!') {
            c.name = item.substr(0, item.size() - 1);
            c.absent = true;
        } else {
            c.name = item;
        }
        if (!plainName(c.name) || (c.value && c.value->find('/') != std::string::npos)) {
            out.conditions.clear();  // a hash route, not conditions
            return out;
        }
        out.conditions.push_back(std::move(c));
    }
    return out;
}

void conditionPlaces(std::vector<PathCondition>& conditions, const core::Json& pathItem,
                     const core::Json& op) {
    for (auto& c : conditions) {
        c.place.clear();
        for (const core::Json* owner : {&op, &pathItem}) {
            auto params = owner->find("parameters");
            if (params == owner->end() || !params->is_array()) continue;
            for (const auto& p : *params)
                if (p.is_object() && p.value("name", core::Json()) == c.name &&
                    p.value("in", core::Json()).is_string()) {
                    const std::string in = p["in"].get<std::string>();
                    if (in == "header" || in == "query") c.place = in;
                }
            if (!c.place.empty()) break;
        }
        if (c.place.empty()) {
            std::string lower = c.name;
            for (char& ch : lower)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            c.place = lower.starts_with("x-amz-") ? "header" : "query";
        }
    }
}

}  // namespace mockd::portability
