// The converters behind importDocument, one per format, and the pieces they share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "portability/formats.h"

namespace mockd::portability {

Json openApiToCollection(const Json& doc, const ImportOptions& options,
                         std::vector<std::string>& warnings);
Json postmanToCollection(const Json& doc, std::vector<std::string>& warnings);
Json harToCollection(const Json& doc, const ImportOptions& options,
                     std::vector<std::string>& warnings);
Json wireMockToCollection(const Json& doc, const std::filesystem::path& filesDir,
                          std::vector<std::string>& warnings);
Json mockoonToCollection(const Json& doc, std::vector<std::string>& warnings);
Json curlToCollection(std::string_view command, std::vector<std::string>& warnings);

// An HTTP mock in mockd's format, with the matcher and the response still to fill in.
Json httpMock(const std::string& id, const std::string& name);

// A collection of the given mocks.
Json collectionOf(const std::string& name, Json mocks);

// "http_" and 16 hex digits of a hash of `key`: the same document gives the same ids, so an
// import repeated replaces its mocks instead of adding copies.
std::string stableId(std::string_view prefix, std::string_view key);

std::string upperCase(std::string s);
std::string lowerCase(std::string s);

// The body mockd answers when a format gives none: {"status": "ok"} for 200, and so on.
std::string defaultBody(int status);

// The string at `key` of an object, or "" when it is absent or not a string.
std::string str(const Json& j, const char* key);

// `:name` path segments written as `{name}` (Postman, Mockoon and Express-style paths).
std::string bracedParams(const std::string& path);

// Whether `s` is valid UTF-8 (JSON strings must be).
bool validUtf8(std::string_view s);

// Splits "a=1&b=2" into name → value (the first value of each name), percent-decoded.
Json queryPairs(std::string_view query);

}  // namespace mockd::portability
