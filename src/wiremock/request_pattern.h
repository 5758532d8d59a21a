// A WireMock request pattern (the `request` object of a stub, and the body of /requests/count,
// /requests/find, …) compiled once, matched against live requests and against logged ones.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/match_input.h"
#include "wiremock/matcher.h"

namespace mockd::wiremock {

// A request as WireMock's matchers see it: views of what was received (a live request or a
// request-log entry), with the query, form, cookies and multipart parts decoded on first use.
class WmRequest final : public core::FormatView {
  public:
    WmRequest() = default;
    // A live request (the views point into it).
    explicit WmRequest(const core::Request& req);

    std::string_view method;
    std::string_view url;  // path and query exactly as sent ("/a%20b?x=1")
    std::vector<std::pair<std::string_view, std::string_view>> headers;  // as received, in order
    std::string_view body;
    std::string_view scheme = "http";
    std::string_view clientIp;
    int port = 0;  // the port the request arrived on

    std::string_view path() const;  // url up to '?', still percent-encoded
    std::string_view host() const;  // Host header without the port
    // Every value of a header, case-insensitive name, in order received.
    std::vector<std::string_view> header(std::string_view name) const;
    // Percent-decoded query and form parameters (form: application/x-www-form-urlencoded bodies).
    const std::vector<std::pair<std::string, std::string>>& query() const;
    const std::vector<std::pair<std::string, std::string>>& form() const;
    const std::vector<std::pair<std::string, std::string>>& cookies() const;
    struct Part {
        std::string name;
        std::optional<std::string> fileName;
        std::vector<std::pair<std::string, std::string>> headers;
        std::string body;
    };
    // Parts of a multipart/* body; empty when the request is not multipart.
    const std::vector<Part>& parts() const;
    bool isMultipart() const;

  private:
    mutable std::optional<std::vector<std::pair<std::string, std::string>>> query_, form_, cookies_;
    mutable std::optional<std::vector<Part>> parts_;
};

// One row of the near-miss comparison: what the stub expects, what the request had, and whether
// that part matched. Rows come in WireMock's order (method, url, headers, query, cookies, body…).
struct DiffRow {
    std::string label;     // "Method", "URL", "Header: X-A", "Query: q", "Body", …
    std::string expected;  // the left column ("GET", "/api/x", "equalTo: abc", …)
    std::string actual;    // the right column
    bool matched = false;
};

class RequestPattern {
  public:
    // Compiles a `request` object; `pointer` prefixes PatternError pointers ("/request").
    // Unknown fields, bad matchers and bad regexes throw PatternError as WireMock answers 422.
    static std::shared_ptr<const RequestPattern> compile(const Json& request,
                                                         const std::string& pointer = "/request");

    // Whether every part matches; when not, the distance WireMock's near-miss ranking uses.
    MatchResult match(const WmRequest& req) const;
    // Row-by-row comparison for the plain-text diff report.
    std::vector<DiffRow> diff(const WmRequest& req) const;

    // For the registry's index: the method (empty for ANY) and, when the URL form is an exact
    // `url` or `urlPath`, the literal path every matching request has (decoded as the request
    // path is), else std::nullopt.
    const std::string& method() const { return method_; }
    const std::optional<std::string>& literalPath() const { return literalPath_; }
    // Values of urlPathTemplate's variables for a request this pattern matched.
    std::vector<std::pair<std::string, std::string>> pathParameters(const WmRequest& req) const;

    struct Impl;
    explicit RequestPattern(std::unique_ptr<Impl> impl);
    ~RequestPattern();

  private:
    std::string method_;
    std::optional<std::string> literalPath_;
    std::unique_ptr<Impl> impl_;
};

using RequestPatternPtr = std::shared_ptr<const RequestPattern>;

// The request as WireMock's matchers see it, built once per request.
inline const WmRequest& wmView(const core::MatchInput& in) { return in.view<WmRequest>(); }

// WireMock's plain-text body for an unmatched request: "Request was not matched" and the
// two-column table comparing the closest stub (`stubName` may be empty) with the request.
std::string renderDiffReport(const std::vector<DiffRow>& rows, std::string_view stubName);

}  // namespace mockd::wiremock
