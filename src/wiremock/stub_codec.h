// WireMock's stub-mapping JSON: decoded into the one mock model (strictly, as WireMock's API
// refuses unknown fields with 422) and printed back the way WireMock prints it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/mock.h"
#include "wiremock/matcher.h"
#include "wiremock/scenarios.h"
#include "wiremock/stub.h"

namespace mockd::wiremock {

using OJson = nlohmann::ordered_json;

// Decodes one stub. `filesDir` is the `__files` directory bodyFileName is relative to;
// `scenarios` the set its scenario (if it names one) lives in. A stub without an id gets a new
// UUID. Throws PatternError (→ 422) with a JSON pointer.
core::Mock decodeStub(const OJson& stub, const std::string& filesDir,
                      std::shared_ptr<Scenarios> scenarios);

// A delayDistribution object (fixed, uniform or lognormal), in stubs and in global settings.
// Throws PatternError at `pointer`.
core::DelayDistribution decodeDelayDistribution(const Json& v, const std::string& pointer);

// The extensions a stub names that this server does not have, each as it appears in a warning:
// `transformer "x"`, `custom matcher "y"`, `serve event listener "z"`. WireMock without the
// extension skips an unknown transformer or listener and never matches an unknown custom
// matcher; so does mockd.
std::vector<std::string> missingExtensions(const core::Mock& stub);

// Logs one warning line for a missing extension (a `--extensions` class, or what
// missingExtensions names), the first time it is named.
void warnMissingExtension(const std::string& name);
// The same for each extension the stub needs.
void warnMissingExtensions(const core::Mock& stub);

// The stub as WireMock prints it: id, name, request, response, uuid, then the other fields.
OJson encodeStub(const core::Mock& mock);

// The stubs of a mapping file or import body: one stub, or {"mappings": [...]}.
std::vector<OJson> stubsOf(const OJson& doc);

// A request pattern as WireMock prints it back: each matcher reduced to the operator WireMock
// reads (and its modifiers), `anything` normalised, JSON schemas as Jackson's pretty text.
void canonicalizeRequest(OJson& request);

// The pointer of an error about the JSON text itself (a syntax error): WireMock's error then has
// an empty `source`.
inline const std::string kSyntaxErrorPointer = "#syntax";

// The error body WireMock sends with 422 for a stub it cannot read.
std::string errorBody(int code, const std::string& title, const std::string& detail = {},
                      const std::string& pointer = {});

}  // namespace mockd::wiremock
