// A mock compiled for matching: path pattern, regexes, header conditions and JSONPaths built
// once, plus the response head serialised ahead of time.
#pragma once

#include <re2/re2.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/jsonpath.h"
#include "core/match_input.h"
#include "core/mock.h"
#include "match/path_pattern.h"
#include "match/value_matcher.h"
#include "template/template.h"

namespace mockd::match {

// The request view and JSONPath live in core, below every layer that reads requests.
using core::JsonPath;
using core::MatchInput;

// mockd's header condition, compiled onto the value-matcher engine (match/value_matcher.h):
// exact, prefix*, *suffix or *contains*. A header that is absent or empty never meets it.
struct HeaderCondition {
    enum class Kind { Exact, Prefix, Suffix, Contains };
    std::string name;
    std::string expected;  // as written
    Kind kind = Kind::Exact;
    std::string needle;
    ValueMatcherPtr value;
    bool test(std::string_view actual) const { return !actual.empty() && value->test(actual); }
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

// Where a mock is in its response sequence and how many of its `times` it has used. A new
// definition of the mock (PUT, PATCH, bulk replace, config reload) starts with fresh progress;
// enabling or disabling keeps it; a reset of verification re-arms it.
struct MockProgress {
    std::atomic<uint64_t> timesUsed{0};
    std::atomic<uint64_t> nextResponse{0};
    void rearm() {
        timesUsed.store(0, std::memory_order_relaxed);
        nextResponse.store(0, std::memory_order_relaxed);
    }
};

// One response of a mock with its head serialised and templates compiled ahead of time.
class CompiledResponse final {
  public:
    const core::HttpResponse& response() const { return *response_; }
    const std::string& headers() const { return headerLines_; }
    bool userContentType() const { return userContentType_; }
    std::string_view staticContentType() const { return contentType_; }
    const tmpl::Template* bodyTemplate() const { return bodyTemplate_ ? &*bodyTemplate_ : nullptr; }
    const std::vector<std::pair<std::string, tmpl::Template>>& headerTemplates() const {
        return headerTemplates_;
    }
    bool templated() const { return bodyTemplate_ || !headerTemplates_.empty(); }

  private:
    friend class CompiledMock;
    const core::HttpResponse* response_ = nullptr;  // inside the compiled mock's Mock
    std::string headerLines_;
    std::optional<tmpl::Template> bodyTemplate_;
    std::vector<std::pair<std::string, tmpl::Template>> headerTemplates_;
    bool userContentType_ = false;
    std::string contentType_;
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
    // `progress` is carried over only when the definition is unchanged (enable/disable).
    static std::shared_ptr<const CompiledMock> compile(core::MockPtr mock,
                                                       std::shared_ptr<MockStats> stats = {},
                                                       std::shared_ptr<MockProgress> progress = {});

    const core::Mock& mock() const { return *mock_; }
    const core::MockPtr& mockPtr() const { return mock_; }
    const PathPattern& path() const { return path_; }
    bool hasPathPattern() const { return pathRegex_ != nullptr; }
    // Set for a mock of another format (a WireMock stub): it matches by that format's matcher.
    const core::FormatStub* format() const { return mock_->format.get(); }
    const std::optional<std::string>& literalPath() const { return literalPath_; }
    // Matched by requests when enabled: HTTP mocks, and mocks of a protocol that is answered on
    // the mock port through a stream (a WebSocket endpoint's upgrade).
    bool enabled() const {
        return mock_->enabled && (mock_->type == "http" || mock_->stream != nullptr);
    }
    // Total points when every criterion holds (mockd's specificity score).
    int score() const { return score_; }
    MockStats& stats() const { return *stats_; }
    const std::shared_ptr<MockStats>& statsPtr() const { return stats_; }
    MockProgress& progress() const { return *progress_; }
    const std::shared_ptr<MockProgress>& progressPtr() const { return progress_; }

    // Called after a request matched, so that exactly `times` requests get this mock however
    // many race, and the state a format matcher depends on (a WireMock scenario) is checked
    // and moved in one step.
    enum class Claim {
        Taken,
        UsedUp,  // its `times` are used up: the request falls through to the next candidate
        Stale,   // its format matcher's state moved since the match: match the request again
    };
    Claim claim() const;
    bool exhausted() const {
        return mock_->times &&
               progress_->timesUsed.load(std::memory_order_relaxed) >= *mock_->times;
    }
    // The response for this match: the single one, or the next of the sequence.
    const CompiledResponse& nextResponse() const;
    const std::vector<CompiledResponse>& responses() const { return responses_; }

    // True when every criterion holds for the request made with `method`.
    bool matches(const MatchInput& in, std::string_view method) const;
    // Path captures ({name}, wildcards, regex named groups) of a request this mock matched.
    Captures captures(const MatchInput& in) const;
    // Field-by-field comparison, never stopping at the first failure.
    NearMiss analyse(const MatchInput& in) const;
    // analyse()'s score alone, without building the report: ranks every mock cheaply so that
    // only the closest few get a full analysis.
    int nearMissScore(const MatchInput& in) const;
    // nearMissScore() of a request that meets the method alone (or nothing, without a method).
    int methodOnlyScore() const;
    // The conditions beyond method and path, for the snapshot's near-miss index.
    const std::vector<HeaderCondition>& headerConditions() const { return headers_; }
    const std::vector<std::pair<std::string, std::string>>& queryConditions() const {
        return query_;
    }
    bool hasBodyConditions() const;
    // True when some body condition can hold for an empty body.
    bool bodyConditionsAcceptEmpty() const;

    // Parts of the first (or only) response prepared at compile time.
    const std::string& responseHeaders() const { return responses_.front().headers(); }
    bool userContentType() const { return responses_.front().userContentType(); }
    std::string_view staticContentType() const { return responses_.front().staticContentType(); }
    // Templates, when the body or a header value holds "{{ ... }}".
    const tmpl::Template* bodyTemplate() const { return responses_.front().bodyTemplate(); }
    const std::vector<std::pair<std::string, tmpl::Template>>& headerTemplates() const {
        return responses_.front().headerTemplates();
    }
    bool templated() const { return responses_.front().templated(); }

  private:
    // The points of matcher.mtls against a request's certificate: all its conditions or none.
    int mtlsScore(const core::ClientCert* cert) const;
    static void compileFormat(CompiledMock& c);
    static CompiledResponse compileResponse(const core::HttpResponse& r);

    core::MockPtr mock_;
    std::shared_ptr<MockStats> stats_;
    std::shared_ptr<MockProgress> progress_;
    std::vector<CompiledResponse> responses_;  // never empty
    PathPattern path_;
    std::shared_ptr<const RE2> pathRegex_;
    std::vector<HeaderCondition> headers_;
    std::vector<std::pair<std::string, std::string>> query_;
    std::vector<ValueMatcherPtr> queryValues_;   // query_[i]'s value, compiled
    ValueMatcherPtr bodyEquals_, bodyContains_;  // matcher.bodyEquals, bodyContains
    // mockd's query condition: the first value meets the expected one; an empty expected value
    // is also met by an absent parameter.
    bool queryHolds(size_t i, const MatchInput& in) const {
        auto actual = in.query(query_[i].first);
        return actual ? queryValues_[i]->test(*actual) : query_[i].second.empty();
    }
    std::shared_ptr<const RE2> bodyRegex_;
    std::vector<JsonPathCondition> jsonPaths_;
    std::optional<std::string> literalPath_;
    std::shared_ptr<const RE2> cnRegex_;  // matcher.mtls.cnPattern
    std::string fingerprint_;             // matcher.mtls.fingerprint, normalised
    int mtlsMax_ = 0;                     // the points of the mtls conditions
    bool never_ = false;                  // path and pathPattern together never match, as in mockd
    int score_ = 0;
};

using CompiledMockPtr = std::shared_ptr<const CompiledMock>;

// Quotes a string as Go's %q does (for messages that must read like mockd's).
std::string goQuote(std::string_view s);

}  // namespace mockd::match
