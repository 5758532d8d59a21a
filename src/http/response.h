// Serialising HTTP/1.1 responses straight into a connection's output buffer.
#pragma once

#include <string>
#include <string_view>

#include "core/encoding.h"

namespace mockd::http {

std::string_view reasonPhrase(int status);

// The current time as an IMF-fixdate, cached per thread and refreshed once a second.
std::string_view httpDate();

// Content-Type mockd picks for a body when the mock sets none (core/encoding.h).
using core::sniffContentType;

struct ResponseHead {
    int status = 200;
    std::string_view contentType;   // empty: no Content-Type header
    std::string_view extraHeaders;  // pre-formatted "Name: value\r\n" lines
    bool close = false;
    std::string_view reason = {};  // empty: the standard reason phrase
    bool chunked = false;  // no Content-Length: the caller frames the body (extraHeaders says so)
};

// Appends a whole response. With `headOnly` the body is left out but Content-Length still
// gives its size, as for HEAD.
void appendResponse(std::string& out, const ResponseHead& head, std::string_view body,
                    bool headOnly);

// Rewrites the whole response appended at `at` (head and Content-Length body) into a head with
// "Transfer-Encoding: chunked", moving its body into `body`. False (and nothing changed) when
// the response has no Content-Length.
bool toChunked(std::string& out, size_t at, std::string& body);

// Appends a JSON error body response: {"error": code, "message": message}.
void appendJsonError(std::string& out, int status, std::string_view code, std::string_view message,
                     bool close);

// Appends "Name: value\r\n", dropping CR/LF from both so a header cannot be split.
using core::appendHeaderLine;

}  // namespace mockd::http
