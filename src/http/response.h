// Serialising HTTP/1.1 responses straight into a connection's output buffer.
#pragma once

#include <string>
#include <string_view>

namespace mockd::http {

std::string_view reasonPhrase(int status);

// The current time as an IMF-fixdate, cached per thread and refreshed once a second.
std::string_view httpDate();

// Content-Type mockd picks for a body when the mock sets none.
std::string_view sniffContentType(std::string_view body);

struct ResponseHead {
    int status = 200;
    std::string_view contentType;   // empty: no Content-Type header
    std::string_view extraHeaders;  // pre-formatted "Name: value\r\n" lines
    bool close = false;
    std::string_view reason = {};  // empty: the standard reason phrase
};

// Appends a whole response. With `headOnly` the body is left out but Content-Length still
// gives its size, as for HEAD.
void appendResponse(std::string& out, const ResponseHead& head, std::string_view body,
                    bool headOnly);

// Appends a JSON error body response: {"error": code, "message": message}.
void appendJsonError(std::string& out, int status, std::string_view code, std::string_view message,
                     bool close);

// Appends "Name: value\r\n", dropping CR/LF from both so a header cannot be split.
void appendHeaderLine(std::string& out, std::string_view name, std::string_view value);

}  // namespace mockd::http
