// The one internal model of a mock, decoded by the codecs and compiled by the matcher into the
// registry's snapshots. What another format needs beyond it (a WireMock stub's pattern,
// templates, webhooks) rides along as a FormatStub, known here only by its interface.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/delivery.h"

namespace mockd::core {

class FormatStub;
class StreamAnswer;
class RequestValidation;
using Json = nlohmann::json;
using KeyValues = std::vector<std::pair<std::string, std::string>>;

// Conditions on the client certificate of an HTTPS request (mockd's matcher.mtls). Every field
// given must hold; a request without a certificate never matches.
struct MtlsMatcher {
    bool requireAuth = false;  // the certificate chains to a configured CA
    std::string cn, cnPattern, ou, o, fingerprint, issuer;
    std::string sanDns, sanEmail, sanIp;
};

struct HttpMatcher {
    std::string method;       // upper case; empty matches any method
    std::string path;         // mockd path syntax: literal, {param}, *, trailing /*
    std::string pathPattern;  // regular expression on the raw path, named groups captured
    KeyValues headers;        // value: exact, or prefix*, *suffix, *contains*
    KeyValues queryParams;    // exact value of the first occurrence
    std::optional<std::string> bodyEquals;
    std::optional<std::string> bodyContains;
    std::optional<std::string> bodyPattern;
    std::vector<std::pair<std::string, Json>> bodyJsonPath;  // path -> expected (or {exists})
    std::optional<MtlsMatcher> mtls;
};

struct HttpResponse {
    int statusCode = 200;
    std::string statusMessage;  // reason phrase; empty: the standard one
    KeyValues headers;
    std::string body;
    std::string bodyFile;  // absolute, already checked to stay inside its base directory
    uint32_t delayMs = 0;
    bool delaySet = false;  // delayMs was given (WireMock: it then beats the global one)
    DelayDistribution delayDistribution;  // added to delayMs
    Dribble dribble;
    Fault fault = Fault::None;
    std::optional<int64_t> seed;
};

// A mock answered by a table action instead of its static response.
struct StatefulBinding {
    std::string table;
    std::string action;     // list, get, create, update, patch, delete, custom
    std::string operation;  // custom operation name (action custom)
    Json response;          // response shaping that replaces the table's own (or null)
};

// What a mock with a response sequence does after its last response.
enum class SequenceMode { Last, Cycle };

struct Mock {
    std::string id;
    std::string type = "http";
    std::string name;
    std::string description;
    bool enabled = true;
    int priority = 0;
    uint64_t seq = 0;  // creation order: a larger number is a newer mock
    HttpMatcher matcher;
    HttpResponse response;
    // mockd extension: successive matches get successive responses (`http.responses`); empty
    // when the mock has a single `response`. `response` then holds the first of them.
    std::vector<HttpResponse> responses;
    SequenceMode responsesMode = SequenceMode::Last;
    // mockd extension: the mock matches only its first `times` requests (`http.times`).
    std::optional<uint64_t> times;
    std::optional<StatefulBinding> binding;
    // Set for a mock written in another format than mockd's (a WireMock stub): it matches by
    // that format's matcher, ranks by its priority, and that format's responder answers it.
    std::shared_ptr<const FormatStub> format;
    // Set for an HTTP mock that answers with a stream instead of `response` (`http.sse`,
    // `http.chunked`): the protocol that decoded it answers it (core/mock_codec.h).
    std::shared_ptr<const StreamAnswer> stream;
    // `http.validation`: the request checks run after the match, before the answer (or null).
    std::shared_ptr<const RequestValidation> validation;
    // Fields this build does not model yet (other protocols, stateful bindings, validation),
    // kept as written so that nothing the user wrote is lost on export.
    Json extra = Json::object();
};

using MockPtr = std::shared_ptr<const Mock>;

// Process-wide creation counter for Mock::seq (newest wins ties).
uint64_t nextMockSeq();

}  // namespace mockd::core
