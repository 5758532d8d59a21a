// Response serialisation helpers shared by the mock engine and the admin endpoints.
#include "http/response.h"

#include <ctime>

#include "http/request.h"
#include "log/log.h"

namespace mockd::http {

std::string_view reasonPhrase(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 101:
            return "Switching Protocols";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 203:
            return "Non-Authoritative Information";
        case 204:
            return "No Content";
        case 205:
            return "Reset Content";
        case 206:
            return "Partial Content";
        case 300:
            return "Multiple Choices";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 303:
            return "See Other";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 402:
            return "Payment Required";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 406:
            return "Not Acceptable";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 410:
            return "Gone";
        case 411:
            return "Length Required";
        case 412:
            return "Precondition Failed";
        case 413:
            return "Request Entity Too Large";
        case 414:
            return "Request URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 417:
            return "Expectation Failed";
        case 418:
            return "I'm a teapot";
        case 422:
            return "Unprocessable Entity";
        case 423:
            return "Locked";
        case 425:
            return "Too Early";
        case 428:
            return "Precondition Required";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 451:
            return "Unavailable For Legal Reasons";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        case 505:
            return "HTTP Version Not Supported";
        case 507:
            return "Insufficient Storage";
        default:
            return "";
    }
}

std::string_view httpDate() {
    thread_local time_t cachedAt = 0;
    thread_local char buf[32];
    thread_local size_t len = 0;
    time_t now = std::time(nullptr);
    if (now != cachedAt) {
        std::tm tm{};
        gmtime_r(&now, &tm);
        len = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        cachedAt = now;
    }
    return {buf, len};
}

static void appendStatusLine(std::string& out, int status, std::string_view reason) {
    out += "HTTP/1.1 ";
    char code[4] = {static_cast<char>('0' + status / 100 % 10),
                    static_cast<char>('0' + status / 10 % 10), static_cast<char>('0' + status % 10),
                    ' '};
    out.append(code, 4);
    if (reason.empty()) {
        out += reasonPhrase(status);
    } else {
        for (char c : reason)
            if (c != '\r' && c != '\n') out += c;
    }
    out += "\r\n";
}

void appendResponse(std::string& out, const ResponseHead& head, std::string_view body,
                    bool headOnly) {
    appendStatusLine(out, head.status, head.reason);
    out += head.extraHeaders;
    if (!head.contentType.empty()) {
        out += "Content-Type: ";
        out += head.contentType;
        out += "\r\n";
    }
    // 1xx, 204 and 304 carry no body and no Content-Length.
    bool bodyless = head.status < 200 || head.status == 204 || head.status == 304;
    if (!bodyless && !head.chunked) {
        out += "Content-Length: ";
        char num[24];
        int n = std::snprintf(num, sizeof num, "%zu", body.size());
        out.append(num, static_cast<size_t>(n));
        out += "\r\n";
    }
    out += "Date: ";
    out += httpDate();
    out += "\r\n";
    if (head.close) out += "Connection: close\r\n";
    out += "\r\n";
    if (!headOnly && !bodyless) out += body;
}

bool toChunked(std::string& out, size_t at, std::string& body) {
    const size_t end = out.find("\r\n\r\n", at);
    if (end == std::string::npos) return false;
    const std::string_view head = std::string_view(out).substr(at, end + 2 - at);
    size_t line = 0;
    while (line < head.size()) {
        size_t next = head.find("\r\n", line);
        if (next == std::string_view::npos) break;
        if (head.size() - line > 15 && iequals(head.substr(line, 15), "Content-Length:")) {
            body.assign(out, end + 4, std::string::npos);
            out.resize(end + 4);
            out.replace(at + line, next + 2 - line, "Transfer-Encoding: chunked\r\n");
            return true;
        }
        line = next + 2;
    }
    return false;
}

void appendJsonError(std::string& out, int status, std::string_view code, std::string_view message,
                     bool close) {
    std::string body = "{\"error\":\"";
    log::appendJsonEscaped(body, code);
    body += "\",\"message\":\"";
    log::appendJsonEscaped(body, message);
    body += "\"}";
    ResponseHead h;
    h.status = status;
    h.contentType = "application/json";
    h.close = close;
    appendResponse(out, h, body, false);
}

}  // namespace mockd::http
