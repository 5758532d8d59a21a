// How the engine answers mocks of other formats than mockd's, and requests no mock matched, in
// another dialect: a format's layer (wiremock/, above the engine) implements these interfaces and
// the command line hands them to the engine. The engine itself knows no format.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/match_input.h"
#include "http/client.h"
#include "http/handler.h"
#include "journal/journal.h"
#include "match/compiled_mock.h"

namespace mockd::engine {

// One request a mock matched, as its responder sees it.
struct MatchedCall {
    const http::Request& request;
    const core::MatchInput& input;
    const match::CompiledMock& mock;
    // The single response, or this match's place in the mock's sequence.
    const match::CompiledResponse& response;
};

// The answer when an upstream cannot be reached: `url` was tried and failed with `up.error`.
// Null: mockd's JSON error (502, or 504 on a timeout).
using ProxyFailure = std::function<void(const std::string& url, const http::ClientResponse& up,
                                        http::Response& res)>;

// An answer that comes from an upstream server, later (a proxy stub).
struct Forward {
    http::ClientRequest request;
    std::string extraHeaders;  // header lines added to the upstream's
    uint32_t delayMs = 0;
    core::Dribble dribble;
    ProxyFailure failure;
};

// What a responder did besides filling in the response.
struct Outcome {
    std::string error;  // why the answer is a failure (the request log's error), empty if not
    std::shared_ptr<journal::SubEvents> subEvents;  // what fired after the answer (webhooks)
    std::optional<Forward> forward;                 // set: the upstream answers instead
};

// Answers the mocks of one format: fills in the whole response (status, headers, body and its
// delivery: delay, fault, dribble), or asks for a forward.
class FormatResponder {
  public:
    virtual ~FormatResponder() = default;
    // The format it answers (core::FormatStub::format()).
    virtual std::string_view format() const = 0;
    virtual Outcome respond(const MatchedCall& call, http::Response& res) = 0;
};

// Answers the mocks whose answer streams (core::StreamAnswer: server-sent events, chunked
// streams), one responder per field; the protocol that decodes the field brings it.
class StreamResponder {
  public:
    virtual ~StreamResponder() = default;
    // The field it answers (core::StreamAnswer::key()).
    virtual std::string_view key() const = 0;
    // Fills the head and the stream (Response::stream); the exchange already names the mock.
    virtual void respond(const MatchedCall& call, http::Response& res) = 0;
};

// Answers what no mock matched in another dialect than mockd's 404 with near misses (WireMock's
// plain-text diff), and the failures of --proxy-unmatched the same way.
class UnmatchedResponder {
  public:
    virtual ~UnmatchedResponder() = default;
    // `report` receives what the request log keeps of the answer.
    virtual void unmatched(const http::Request& req, const core::MatchInput& in,
                           http::Response& res, std::string* report) const = 0;
    virtual ProxyFailure proxyFailure() const = 0;
};

// A handler served under a path prefix on the mock port ahead of every mock (WireMock's
// /__admin): the prefix itself and everything below it.
struct Mount {
    std::string prefix;
    http::Handler* handler = nullptr;
};

}  // namespace mockd::engine
