// The spec check on the mock port: refuse with mockd's problem+json, or answer and mark.
#include "validation/spec_filter.h"

#include <algorithm>

#include "http/local_reply.h"
#include "log/log.h"

namespace mockd::validation {

SpecValidationFilter::SpecValidationFilter(std::shared_ptr<const OpenApiSpec> spec,
                                           SpecValidationOptions options)
    : spec_(std::move(spec)), options_(std::move(options)) {}

bool SpecValidationFilter::refuses(const std::vector<ValidationProblem>& problems) const {
    if (!options_.failOnError || options_.mode == "warn") return false;
    if (options_.mode == "strict") return true;
    return std::any_of(problems.begin(), problems.end(),
                       [](const ValidationProblem& p) { return p.code == "required"; });
}

void SpecValidationFilter::apply(const core::Request& req, http::Response& res,
                                 const http::Next& next) {
    // mockd's health and readiness answers stay reachable whatever the spec says.
    if (req.path.starts_with("/__mockd/") || http::underAny(req.path, options_.exempt))
        return next(req, res);
    std::vector<ValidationProblem> problems;
    if (options_.validateRequest) problems = spec_->checkRequest(req);
    if (!problems.empty() && refuses(problems)) {
        if (options_.logWarnings)
            log::warn("request refused: it breaks the OpenAPI spec",
                      {{"method", req.method},
                       {"path", req.rawPath},
                       {"problems", core::problemSummary(problems)}});
        http::local_reply::text(res, options_.failStatus, "application/problem+json",
                                core::problemJson(options_.failStatus, problems));
        if (options_.onRefusal)
            options_.onRefusal(
                res, "request breaks the OpenAPI spec: " + core::problemSummary(problems));
        return;
    }
    if (!problems.empty() && options_.logWarnings)
        log::warn("request breaks the OpenAPI spec (answered)",
                  {{"method", req.method},
                   {"path", req.rawPath},
                   {"problems", core::problemSummary(problems)}});
    next(req, res);
    if (!problems.empty()) {
        std::string lines;
        http::appendHeaderLine(lines, "X-Mockd-Validation-Warnings", "true");
        http::appendHeaderLine(lines, "X-Mockd-Validation-Errors", std::to_string(problems.size()));
        res.prependHeaders(std::move(lines));
    }
    if (options_.validateResponse) checkAnswer(req, res);
}

// The answer against the operation's declared responses: logged and marked, never changed
// (the mock said what it says; the spec says whether that is what the real API would).
void SpecValidationFilter::checkAnswer(const core::Request& req, http::Response& res) const {
    if (res.stream || res.upgrade) return;
    // A later answer (a proxied one) outlives the request's views: keep copies.
    auto method = std::make_shared<std::string>(req.method);
    auto path = std::make_shared<std::string>(req.rawPath);
    auto spec = spec_;
    const bool logWarnings = options_.logWarnings;
    res.shape([spec, method, path, logWarnings](http::Response& answer) {
        core::Request view;
        view.method = *method;
        view.rawPath = *path;
        const auto problems =
            spec->checkResponse(view, answer.status, answer.contentType, answer.bodyBytes());
        if (problems.empty()) return;
        if (logWarnings)
            log::warn("response breaks the OpenAPI spec",
                      {{"method", *method},
                       {"path", *path},
                       {"status", answer.status},
                       {"problems", core::problemSummary(problems)}});
        answer.addHeader("X-Mockd-Response-Validation-Errors", std::to_string(problems.size()));
    });
}

}  // namespace mockd::validation
