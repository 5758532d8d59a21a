// The one internal model of a mock: a superset of the mockd and WireMock formats, decoded by
// the codecs and compiled by the matcher into the registry's snapshots.
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

namespace mockd::wiremock {
class RequestPattern;
class HandlebarsTemplate;
struct Webhook;
}  // namespace mockd::wiremock

namespace mockd::core {

class FormatMatcher;
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

// A stub written in WireMock's format: the document as WireMock echoes it, and what the server
// needs from it besides the request pattern and the response.
// A stub that answers by forwarding the request (proxyBaseUrl).
struct WireMockProxy {
    std::string baseUrl;
    std::string prefixToRemove;  // proxyUrlPrefixToRemove
    // additionalProxyRequestHeaders, each with its template (null: not templated).
    std::vector<std::pair<std::string, std::string>> addHeaders;
    std::vector<std::shared_ptr<const wiremock::HandlebarsTemplate>> addHeaderTemplates;
    std::vector<std::string> removeHeaders;  // removeProxyRequestHeaders
    std::shared_ptr<const wiremock::HandlebarsTemplate> baseUrlTemplate;
};

struct WireMockStub {
    Json json;  // normalised stub: id, uuid, name, request, response, priority, metadata, …
    std::shared_ptr<const wiremock::RequestPattern> pattern;
    // What the snapshot matches with: the pattern and the scenario state it requires.
    std::shared_ptr<const FormatMatcher> matcher;
    int priority = 5;  // 1 is the highest
    std::string scenario;
    std::string requiredState;  // empty: any state
    std::string newState;       // empty: no transition
    bool persistent = false;
    std::string file;          // the file under mappings/ it was read from, or empty
    bool sharedFile = false;   // that file holds several stubs ({"mappings": [...]}): read-only
    bool fromLoadDir = false;  // read by `start --load DIR`: config, left alone by /__admin resets
    // Response templating: on for this stub (transformers: ["response-template"]), and the
    // parts compiled once (null where a part has no template).
    bool responseTemplate = false;
    nlohmann::ordered_json transformerParameters = nlohmann::ordered_json::object();
    std::shared_ptr<const wiremock::HandlebarsTemplate> bodyTemplate, bodyFileTemplate;
    std::vector<std::pair<std::string, std::shared_ptr<const wiremock::HandlebarsTemplate>>>
        headerTemplates;        // every response header, in order (null: not templated)
    std::string bodyFileName;   // as written (relative to __files/)
    std::string filesDir;       // the __files/ directory bodyFileName is under
    std::string templateError;  // a syntax error found when compiling, served as a 500
    std::shared_ptr<const WireMockProxy> proxy;                      // set for a proxyBaseUrl stub
    std::vector<std::shared_ptr<const wiremock::Webhook>> webhooks;  // fired after answering
    // A body file may hold a template too (its text is read per request).
    bool hasTemplates() const {
        return bodyTemplate || !bodyFileName.empty() || !templateError.empty() ||
               std::any_of(headerTemplates.begin(), headerTemplates.end(),
                           [](const auto& h) { return h.second != nullptr; });
    }
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
    // Set for stubs in WireMock's format: they match by the WireMock request pattern and order
    // by WireMock's priority.
    std::shared_ptr<const WireMockStub> wiremock;
    // Fields this build does not model yet (other protocols, stateful bindings, validation),
    // kept as written so that nothing the user wrote is lost on export.
    Json extra = Json::object();
};

using MockPtr = std::shared_ptr<const Mock>;

// Process-wide creation counter for Mock::seq (newest wins ties).
uint64_t nextMockSeq();

}  // namespace mockd::core
