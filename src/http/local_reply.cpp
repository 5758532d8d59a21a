#include "http/local_reply.h"

#include "log/log.h"

namespace mockd::http::local_reply {

namespace {
// A local reply replaces whatever the handler had put in the response.
void replace(Response& res, int status, std::string_view contentType, std::string headers,
             std::string body) {
    res.status = status;
    res.reason.clear();
    res.fixedHeaders = {};
    res.headers = std::move(headers);
    res.contentType = contentType;
    res.setBody(std::move(body));
}
}  // namespace

void mockdError(Response& res, int status, std::string_view code, std::string_view message) {
    std::string body = "{\"error\":\"";
    log::appendJsonEscaped(body, code);
    body += "\",\"message\":\"";
    log::appendJsonEscaped(body, message);
    body += "\"}";
    replace(res, status, "application/json", {}, std::move(body));
}

void goError(Response& res, int status) {
    replace(res, status, "text/plain; charset=utf-8", "X-Content-Type-Options: nosniff\r\n",
            std::string(reasonPhrase(status)) + "\n");
}

void jettyError(Response& res, int status, std::string_view message, std::string headers) {
    std::string escaped;
    for (char c : message) {
        if (c == '<')
            escaped += "&lt;";
        else if (c == '>')
            escaped += "&gt;";
        else if (c == '&')
            escaped += "&amp;";
        else if (c == '\'')
            escaped += "&apos;";
        else
            escaped += c;
    }
    replace(res, status, "text/html;charset=iso-8859-1", std::move(headers),
            "<html><body><h2>HTTP ERROR " + std::to_string(status) + " " + escaped +
                "</h2></body></html>");
}

void text(Response& res, int status, std::string_view contentType, std::string body) {
    replace(res, status, contentType, {}, std::move(body));
}

}  // namespace mockd::http::local_reply
