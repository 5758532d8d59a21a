// A stub written in WireMock's format, as it rides on the one mock model: the document as
// WireMock echoes it, and what the server needs from it besides the request pattern and the
// response.
#pragma once

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/match_input.h"
#include "core/mock.h"

namespace mockd::wiremock {

class RequestPattern;
class HandlebarsTemplate;
struct Webhook;

// A stub that answers by forwarding the request (proxyBaseUrl).
struct StubProxy {
    std::string baseUrl;
    std::string prefixToRemove;  // proxyUrlPrefixToRemove
    // additionalProxyRequestHeaders, each with its template (null: not templated).
    std::vector<std::pair<std::string, std::string>> addHeaders;
    std::vector<std::shared_ptr<const HandlebarsTemplate>> addHeaderTemplates;
    std::vector<std::string> removeHeaders;  // removeProxyRequestHeaders
    std::shared_ptr<const HandlebarsTemplate> baseUrlTemplate;
};

// The name responders and stubs of WireMock's format go by.
inline constexpr std::string_view kFormatName = "wiremock";

struct Stub final : core::FormatStub {
    core::Json json;  // normalised stub: id, uuid, name, request, response, priority, metadata, …
    std::shared_ptr<const RequestPattern> pattern;
    // What the snapshot matches with: the pattern and the scenario state it requires.
    std::shared_ptr<const core::FormatMatcher> stubMatcher;
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
    std::shared_ptr<const HandlebarsTemplate> bodyTemplate, bodyFileTemplate;
    std::vector<std::pair<std::string, std::shared_ptr<const HandlebarsTemplate>>>
        headerTemplates;        // every response header, in order (null: not templated)
    std::string bodyFileName;   // as written (relative to __files/)
    std::string filesDir;       // the __files/ directory bodyFileName is under
    std::string templateError;  // a syntax error found when compiling, served as a 500
    std::shared_ptr<const StubProxy> proxy;                // set for a proxyBaseUrl stub
    std::vector<std::shared_ptr<const Webhook>> webhooks;  // fired after answering

    // A body file may hold a template too (its text is read per request).
    bool hasTemplates() const {
        return bodyTemplate || !bodyFileName.empty() || !templateError.empty() ||
               std::any_of(headerTemplates.begin(), headerTemplates.end(),
                           [](const auto& h) { return h.second != nullptr; });
    }

    std::string_view format() const override { return kFormatName; }
    const core::FormatMatcher& matcher() const override { return *stubMatcher; }
    // Priority 1 is WireMock's highest: the rank is the priority with its sign turned.
    int rank() const override { return -priority; }
    // Matched-Stub-Id and Matched-Stub-Name, then the stub's headers.
    std::string responseHead(const core::Mock& mock) const override;
};

using StubPtr = std::shared_ptr<const Stub>;

// The WireMock stub a mock carries, or nullptr for a mock of another format.
inline const Stub* stubOf(const core::Mock& mock) {
    const core::FormatStub* f = mock.format.get();
    return f && f->format() == kFormatName ? static_cast<const Stub*>(f) : nullptr;
}

// A copy of the mock's stub to change before storing the mock again (the mock must have one).
inline std::shared_ptr<Stub> copyStub(const core::Mock& mock) {
    return std::make_shared<Stub>(*stubOf(mock));
}

}  // namespace mockd::wiremock
