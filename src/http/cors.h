// mockd's CORS on the mock port: which origins may read responses, the headers that say so, and
// preflights no mock answers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/filter.h"

namespace mockd::http {

struct CorsConfig {
    bool enabled = true;
    // Exact origins, or "*". The default lets local dev servers call the mocks.
    std::vector<std::string> allowOrigins = {"http://localhost:3000", "http://localhost:4290",
                                             "http://localhost:5173", "http://127.0.0.1:3000",
                                             "http://127.0.0.1:4290", "http://127.0.0.1:5173"};
    std::vector<std::string> allowMethods = {"GET",    "POST",    "PUT", "PATCH",
                                             "DELETE", "OPTIONS", "HEAD"};
    std::vector<std::string> allowHeaders = {"Content-Type", "Authorization", "X-Requested-With",
                                             "Accept", "Origin"};
    std::vector<std::string> exposeHeaders;
    bool allowCredentials = false;
    int maxAge = 86400;  // seconds; 0 or less: 86400
};

class Cors {
  public:
    explicit Cors(CorsConfig c);
    // The Access-Control-Allow-Origin value for a request's Origin; empty: no CORS headers.
    std::string_view allowOrigin(std::string_view origin) const;
    // Every CORS header line for that value ("Name: value\r\n" each).
    std::string headerLines(std::string_view allowOrigin) const;

  private:
    CorsConfig config_;
    bool wildcard_ = false;
    std::string fixedLines_;  // everything after Access-Control-Allow-Origin
};

// mockd's CORS: an allowed origin gets the CORS headers on every response, and an OPTIONS
// request the handler has nothing for is a preflight: 200 for an allowed origin, else 403. A
// disallowed origin's other requests are answered without CORS headers. Requests under `exempt`
// (the handlers mounted on the port, such as WireMock's /__admin, which has none) are left alone.
class CorsFilter final : public Filter {
  public:
    CorsFilter(const Cors& cors, std::vector<std::string> exempt)
        : cors_(cors), exempt_(std::move(exempt)) {}
    void apply(const core::Request& req, Response& res, const Next& next) override;

  private:
    const Cors& cors_;
    std::vector<std::string> exempt_;
};

// WireMock's --enable-stub-cors: a preflight (OPTIONS with Origin and
// Access-Control-Request-Method) is answered before any stub sees it, and every other response
// names the caller's Origin.
class StubCorsFilter final : public Filter {
  public:
    void apply(const core::Request& req, Response& res, const Next& next) override;
};

}  // namespace mockd::http
