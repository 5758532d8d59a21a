// Admin API routes.
#include "admin/admin_api.h"

#include "http/mock_engine.h"
#include "http/response.h"

namespace mockd::admin {

net::Outcome AdminApi::handle(const http::Request& req, std::string& out, bool closing) {
    const bool head = req.method == "HEAD";
    if (req.path == "/health") {
        if (req.method != "GET" && !head) {
            http::appendJsonError(
                out, 405, "method_not_allowed",
                "GET /health only; " + std::string(req.method) + " is not allowed", closing);
            return {};
        }
        auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::steady_clock::now() - started_)
                          .count();
        std::string body = "{\"status\":\"ok\",\"uptime\":" + std::to_string(uptime) +
                           ",\"timestamp\":\"" + http::rfc3339Now() + "\"}";
        http::appendResponse(out, {200, "application/json", {}, closing}, body, head);
        return {};
    }
    (void)registry_;
    http::appendJsonError(out, 404, "not_found",
                          "no admin route " + std::string(req.method) + " " + std::string(req.path),
                          closing);
    return {};
}

}  // namespace mockd::admin
