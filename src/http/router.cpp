// Path segments for the router (the matching itself is in the header, a template).
#include "http/router.h"

#include "match/path_pattern.h"

namespace mockd::http {

std::vector<std::string_view> pathSegments(std::string_view path) {
    std::vector<std::string_view> out;
    match::splitSegments(path, out);
    if (out.size() == 1 && out[0].empty()) out.clear();
    return out;
}

std::string_view routeParam(const RouteParams& params, std::string_view name) {
    for (const auto& [k, v] : params)
        if (k == name) return v;
    return {};
}

}  // namespace mockd::http
