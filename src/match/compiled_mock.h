// A mock compiled for matching: path pattern, regexes, header conditions and JSONPaths built
// once, plus the response head serialised ahead of time.
#pragma once

#include <re2/re2.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/mock.h"
#include "match/jsonpath.h"
#include "match/match_input.h"
#include "match/path_pattern.h"
#include "template/template.h"

namespace mockd::match {

struct HeaderCondition {
    enum class Kind { Exact, Prefix, Suffix, Contains };
    std::string name;
    std::string expected;  // as written
    Kind kind = Kind::Exact;
    std::string needle;
    bool test(std::string_view actual) const;
};

struct JsonPathCondition {
    std::string text;
    JsonPath path;
    core::Json expected;
    int exists = -1;  // -1: compare values; 0/1: {"exists": false/true}
    bool test(const core::Json& doc) const;
};

// Calls of one mock, counted exactly on every match (not derived from the bounded request log).
// Survives updates of the mock with the same id.
struct MockStats {
    std::atomic<uint64_t> calls{0};
    std::atomic<int64_t> lastCalledUs{0};  // wall clock, microseconds since the epoch
};

// Per-field result of comparing a request with a mock, for near-miss reports.
struct NearMiss {
    const class CompiledMock* mock = nullptr;
    int score = 0;
    int maxScore = 0;
    std::string fieldsJson;  // the "fields" array, serialised in mockd's key order
    std::string reason;
};

class CompiledMock final {
  public:
    // Throws core::FieldError (field relative to the mock, e.g. "http.matcher.pathPattern").
    static std::shared_ptr<const CompiledMock> compile(core::MockPtr mock,
                                                       std::shared_ptr<MockStats> stats = {});

    const core::Mock& mock() const { return *mock_; }
    const core::MockPtr& mockPtr() const { return mock_; }
    const PathPattern& path() const { return path_; }
    bool hasPathPattern() const { return pathRegex_ != nullptr; }
    // Set for WireMock stubs: their pattern, and the literal path the index files them under.
    const core::WireMockStub* wiremock() const { return mock_->wiremock.get(); }
    const std::optional<std::string>& literalPath() const { return literalPath_; }
    bool enabled() const { return mock_->enabled && mock_->type == "http"; }
    // Total points when every criterion holds (mockd's specificity score).
    int score() const { return score_; }
    MockStats& stats() const { return *stats_; }
    const std::shared_ptr<MockStats>& statsPtr() const { return stats_; }

    // True when every criterion holds for the request made with `method`.
    bool matches(const MatchInput& in, std::string_view method) const;
    // Path captures ({name}, wildcards, regex named groups) of a request this mock matched.
    Captures captures(const MatchInput& in) const;
    // Field-by-field comparison, never stopping at the first failure.
    NearMiss analyse(const MatchInput& in) const;

    // Response parts prepared at compile time.
    const std::string& responseHeaders() const { return headerLines_; }
    bool userContentType() const { return userContentType_; }
    std::string_view staticContentType() const { return contentType_; }
    // Templates, when the body or a header value holds "{{ ... }}".
    const tmpl::Template* bodyTemplate() const { return bodyTemplate_ ? &*bodyTemplate_ : nullptr; }
    const std::vector<std::pair<std::string, tmpl::Template>>& headerTemplates() const {
        return headerTemplates_;
    }
    bool templated() const { return bodyTemplate_ || !headerTemplates_.empty(); }

  private:
    static void compileWireMock(CompiledMock& c);

    core::MockPtr mock_;
    std::shared_ptr<MockStats> stats_;
    PathPattern path_;
    std::shared_ptr<const RE2> pathRegex_;
    std::vector<HeaderCondition> headers_;
    std::vector<std::pair<std::string, std::string>> query_;
    std::shared_ptr<const RE2> bodyRegex_;
    std::vector<JsonPathCondition> jsonPaths_;
    std::optional<std::string> literalPath_;
    bool never_ = false;  // path and pathPattern together never match, as in mockd
    int score_ = 0;
    std::string headerLines_;
    std::optional<tmpl::Template> bodyTemplate_;
    std::vector<std::pair<std::string, tmpl::Template>> headerTemplates_;
    bool userContentType_ = false;
    std::string contentType_;
};

using CompiledMockPtr = std::shared_ptr<const CompiledMock>;

// Quotes a string as Go's %q does (for messages that must read like mockd's).
std::string goQuote(std::string_view s);

}  // namespace mockd::match
