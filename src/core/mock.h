// The one internal model of a mock: a superset of the mockd and WireMock formats, decoded by
// the codecs and compiled by the matcher into the registry's snapshots.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mockd::core {

using Json = nlohmann::json;
using KeyValues = std::vector<std::pair<std::string, std::string>>;

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
};

struct HttpResponse {
    int statusCode = 200;
    KeyValues headers;
    std::string body;
    std::string bodyFile;  // absolute, already checked to stay inside its base directory
    uint32_t delayMs = 0;
    std::optional<int64_t> seed;
};

// A mock answered by a table action instead of its static response.
struct StatefulBinding {
    std::string table;
    std::string action;     // list, get, create, update, patch, delete, custom
    std::string operation;  // custom operation name (action custom)
    Json response;          // response shaping that replaces the table's own (or null)
};

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
    std::optional<StatefulBinding> binding;
    // Fields this build does not model yet (other protocols, stateful bindings, validation),
    // kept as written so that nothing the user wrote is lost on export.
    Json extra = Json::object();
};

using MockPtr = std::shared_ptr<const Mock>;

// Process-wide creation counter for Mock::seq (newest wins ties).
uint64_t nextMockSeq();

}  // namespace mockd::core
