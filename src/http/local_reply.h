// Answers the server makes itself (errors, refusals, failures inside the server), one formatter
// per dialect, so that every such answer of a dialect has the same shape wherever it arises.
#pragma once

#include <string>
#include <string_view>

#include "http/response.h"

namespace mockd::http::local_reply {

// mockd's JSON error: {"error": code, "message": message}.
void mockdError(Response& res, int status, std::string_view code, std::string_view message);

// Go's http.Error, as mockd's chaos answers: the status text and a newline, as text/plain.
void goError(Response& res, int status);

// Jetty's HTML error page, as WireMock answers a failure inside the server (a template that
// does not compile, a body file it cannot read). `headers` are kept ("Matched-Stub-Id: ...").
void jettyError(Response& res, int status, std::string_view message, std::string headers = {});

// Plain text: WireMock's proxy network failure, the connection's own 400 and 431.
void text(Response& res, int status, std::string_view contentType, std::string body);

}  // namespace mockd::http::local_reply
