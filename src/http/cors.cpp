#include "http/cors.h"

#include <algorithm>

#include "http/response.h"

namespace mockd::http {

namespace {
std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}
}  // namespace

Cors::Cors(CorsConfig c) : config_(std::move(c)) {
    wildcard_ = std::find(config_.allowOrigins.begin(), config_.allowOrigins.end(), "*") !=
                config_.allowOrigins.end();
    const CorsConfig defaults;
    appendHeaderLine(
        fixedLines_, "Access-Control-Allow-Methods",
        joined(config_.allowMethods.empty() ? defaults.allowMethods : config_.allowMethods));
    appendHeaderLine(
        fixedLines_, "Access-Control-Allow-Headers",
        joined(config_.allowHeaders.empty() ? defaults.allowHeaders : config_.allowHeaders));
    if (!config_.exposeHeaders.empty())
        appendHeaderLine(fixedLines_, "Access-Control-Expose-Headers",
                         joined(config_.exposeHeaders));
    if (config_.allowCredentials)
        appendHeaderLine(fixedLines_, "Access-Control-Allow-Credentials", "true");
    appendHeaderLine(fixedLines_, "Access-Control-Max-Age",
                     std::to_string(config_.maxAge > 0 ? config_.maxAge : 86400));
}

std::string_view Cors::allowOrigin(std::string_view origin) const {
    if (!config_.enabled) return {};
    if (wildcard_) {
        // A credentialed response may not say "*": it names the caller instead.
        if (config_.allowCredentials) return origin;
        return "*";
    }
    if (origin.empty()) return {};
    for (const auto& o : config_.allowOrigins)
        if (o == origin) return origin;
    return {};
}

std::string Cors::headerLines(std::string_view allowOrigin) const {
    std::string out;
    appendHeaderLine(out, "Access-Control-Allow-Origin", allowOrigin);
    out += fixedLines_;
    return out;
}

}  // namespace mockd::http
