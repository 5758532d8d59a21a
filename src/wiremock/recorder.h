// WireMock's recorder: the record spec of /__admin/recordings/{start,snapshot}, turning proxied
// exchanges into stubs as WireMock's snapshot does (request pattern, response, body files,
// repeats as scenarios), and the mapping files of the standalone --record-mappings recorder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "wiremock/stub_codec.h"

namespace mockd::wiremock {

using Headers = std::vector<std::pair<std::string, std::string>>;

// One served request and what was answered, as the recorder reads it from the journal.
struct Exchange {
    std::string id;      // the serve event's UUID
    std::string method;  // as sent
    std::string url;     // path and query as sent
    std::string path;    // percent-decoded, without the query
    std::string query;   // raw, without '?'
    Headers requestHeaders;
    std::string requestBody;
    bool proxied = false;
    int status = 0;
    Headers responseHeaders;
    std::string responseBody;
};

struct RecordSpec {
    std::string targetBaseUrl;  // start only
    // `filters`: a request pattern (only the fields a request pattern has; WireMock reads it
    // unwrapped and ignores the rest), the serve event ids, and whether unproxied events count.
    std::optional<OJson> filterPattern;
    std::optional<std::vector<std::string>> ids;
    bool allowNonProxied = false;
    struct Capture {
        std::string name;
        std::optional<bool> caseInsensitive;
    };
    std::vector<Capture> captureHeaders;
    enum class BodyMatcher { Auto, EqualTo, EqualToJson, EqualToXml };
    BodyMatcher bodyMatcher = BodyMatcher::Auto;
    std::optional<bool> ignoreArrayOrder, ignoreExtraElements, caseInsensitive;
    // extractBodyCriteria: bodies longer than these go to __files/ (absent: never).
    std::optional<std::pair<int64_t, int64_t>> extractThresholds;  // text, binary
    bool idsOutput = false;
    bool persist = true;
    bool repeatsAsScenarios = true;
};

// Reads a record spec as WireMock does: unknown fields, wrong types and bad values throw
// PatternError with WireMock's pointer and Jackson-style detail (→ 422 code 10).
RecordSpec parseRecordSpec(const OJson& body);

struct GeneratedStub {
    OJson json;            // the stub, fields in WireMock's order
    std::string bodyFile;  // under __files/, when the body was extracted
    std::string bodyBytes;
};

// The stubs a snapshot makes from `exchanges` (newest first, already filtered), newest first:
// duplicates dropped or chained into scenarios, bodies extracted by the spec's thresholds.
std::vector<GeneratedStub> generateStubs(const std::vector<Exchange>& exchanges,
                                         const RecordSpec& spec);

// --record-mappings: the request pattern the standalone recorder writes for `e` (it also decides
// whether an equal request was already received).
OJson standaloneRequestPattern(const Exchange& e);

struct StandaloneRecording {
    std::string mappingFile;  // under mappings/
    std::string bodyFile;     // under __files/
    OJson mapping;
    std::string body;
};
// The two files the standalone recorder writes for a proxied exchange; `fileId` is the short
// random id both names carry (the stub's UUID is derived from it).
StandaloneRecording standaloneRecording(const Exchange& e, const OJson& requestPattern,
                                        const std::string& fileId);
// Five random letters and digits, as WireMock's VeryShortIdGenerator.
std::string veryShortId();

// Helpers with WireMock's exact naming rules (exposed for the unit tests).
std::string safeNameFromPath(std::string_view decodedPath);
std::string pathParts(std::string_view decodedPath);
std::string fileExtension(std::string_view url, std::string_view contentType,
                          std::string_view body);
bool isTextMimeType(std::string_view mimeType);
// Java's UUID.nameUUIDFromBytes: an MD5 (version 3) UUID.
std::string nameUuid(std::string_view bytes);

}  // namespace mockd::wiremock
