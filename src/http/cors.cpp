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

void CorsFilter::apply(const core::Request& req, Response& res, const Next& next) {
    if (underAny(req.path, exempt_)) return next(req, res);
    const std::string_view allow = cors_.allowOrigin(req.header("Origin"));
    if (allow.empty() && req.method != "OPTIONS") return next(req, res);
    bool preflight = false;
    if (req.method == "OPTIONS")
        res.fallback = [this, allow, &preflight](Response& r) {
            preflight = true;
            if (allow.empty())
                r.status = 403;
            else
                r.headers = cors_.headerLines(allow);
        };
    next(req, res);
    res.fallback = nullptr;
    if (!preflight && !allow.empty()) res.prependHeaders(cors_.headerLines(allow));
}

void StubCorsFilter::apply(const core::Request& req, Response& res, const Next& next) {
    const std::string_view origin = req.header("Origin");
    if (req.method == "OPTIONS" && !origin.empty() &&
        !req.header("Access-Control-Request-Method").empty()) {
        std::string allowed;
        for (char c : req.header("Access-Control-Request-Headers"))
            if (c != ' ' && c != '\t') allowed += c;
        res.addHeader("Vary", "Origin");
        res.addHeader("Access-Control-Allow-Origin", origin);
        res.addHeader("Access-Control-Allow-Credentials", "true");
        res.addHeader("Access-Control-Max-Age", "1800");
        res.addHeader("Access-Control-Allow-Methods", "OPTIONS,GET,POST,PUT,PATCH,DELETE");
        res.addHeader("Access-Control-Allow-Headers", allowed);
        return;
    }
    std::string headers;
    appendHeaderLine(headers, "Vary", "Origin");
    if (!origin.empty()) {
        appendHeaderLine(headers, "Access-Control-Allow-Origin", origin);
        appendHeaderLine(headers, "Access-Control-Allow-Credentials", "true");
    }
    next(req, res);
    res.prependHeaders(std::move(headers));
}

}  // namespace mockd::http
