// What matchers see of a request: the request view plus query parameters and the JSON body,
// each parsed at most once and only when some mock asks for it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/mock.h"
#include "http/request.h"
#include "wiremock/request_pattern.h"

namespace mockd::match {

class MatchInput final {
  public:
    explicit MatchInput(const http::Request& req) : req_(req) {}

    const http::Request& request() const { return req_; }
    // First decoded value of a query parameter, or nullopt when absent.
    std::optional<std::string_view> query(std::string_view key) const;
    // Every decoded query parameter, in request order.
    const std::vector<std::pair<std::string, std::string>>& queryParams() const;
    // The body parsed as JSON, or nullptr when it is not JSON (or nested too deeply).
    const core::Json* json() const;
    // The request as WireMock's matchers see it, built on first use.
    const wiremock::WmRequest& wm() const;

  private:
    const http::Request& req_;
    mutable bool queryParsed_ = false;
    mutable std::vector<std::pair<std::string, std::string>> query_;
    mutable int jsonState_ = 0;  // 0 not tried, 1 parsed, 2 not JSON
    mutable core::Json json_;
    mutable std::optional<wiremock::WmRequest> wm_;
};

// Maximum nesting of a JSON body we parse; deeper input is treated as not JSON, so that a
// hostile body cannot exhaust the stack.
inline constexpr int kMaxJsonDepth = 512;

// True when `text` nests arrays/objects no deeper than `maxDepth` (strings are skipped).
bool jsonDepthWithin(std::string_view text, int maxDepth);

// Parses a query string into decoded key/value pairs.
void parseQuery(std::string_view raw, std::vector<std::pair<std::string, std::string>>& out);

}  // namespace mockd::match
