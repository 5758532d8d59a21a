// The response model's helpers and the HTTP/1.1 codec.
#include "http/response.h"

#include <ctime>

#include "core/delivery.h"
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

void Response::prependHeaders(std::string lines) {
    if (!later) {
        filterHeaders.insert(0, lines);
        return;
    }
    shape([lines = std::move(lines)](Response& res) { res.filterHeaders.insert(0, lines); });
}

void Response::shape(std::function<void(Response&)> fn) {
    if (!later) {
        fn(*this);
        return;
    }
    auto inner = std::move(later);
    later = [inner = std::move(inner), fn = std::move(fn)](boost::asio::io_context& ctx,
                                                           Completion done) {
        inner(ctx, [fn, done = std::move(done)](Response res) {
            fn(res);
            done(std::move(res));
        });
    };
}

namespace {

void appendStatusLine(std::string& out, int status, std::string_view reason) {
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

void appendDateAndEnd(std::string& out, bool close) {
    out += "Date: ";
    out += httpDate();
    out += "\r\n";
    if (close) out += "Connection: close\r\n";
    out += "\r\n";
}

// A malformed chunk: a chunked head (none when the connection closes anyway, as WireMock
// sends it) and bytes that are not a chunk.
void writeMalformedChunk(const Response& res, bool lastOnConnection, std::string& out) {
    appendStatusLine(out, res.status, {});
    if (!lastOnConnection) out += "Transfer-Encoding: chunked\r\n";
    appendDateAndEnd(out, true);
    out += core::garbageBytes();
}

}  // namespace

WirePlan writeResponse(const Response& res, bool lastOnConnection, std::string& out) {
    WirePlan plan;
    const Delivery& d = res.delivery;
    plan.close = d.close;
    switch (d.fault) {
        case Delivery::Fault::Reset:
            plan.reset = plan.close = true;
            return plan;
        case Delivery::Fault::Empty:
            plan.close = true;
            return plan;
        case Delivery::Fault::MalformedChunk:
            writeMalformedChunk(res, lastOnConnection, out);
            plan.close = true;
            return plan;
        case Delivery::Fault::RandomData:
            out += core::garbageBytes();
            plan.close = true;
            return plan;
        case Delivery::Fault::None:
            break;
    }
    const std::string_view body = res.bodyBytes();
    const bool bodyless = res.bodyless();
    const bool streamed = static_cast<bool>(res.stream);
    const bool dribbled = d.dribblePieces > 0 && !res.headOnly && !bodyless && !streamed;
    appendStatusLine(out, res.status, res.reason);
    out += res.filterHeaders;
    out += res.fixedHeaders;
    out += res.headers;
    if (!res.contentType.empty()) {
        out += "Content-Type: ";
        out += res.contentType;
        out += "\r\n";
    }
    if (dribbled || (streamed && res.chunkedStream)) {
        out += "Transfer-Encoding: chunked\r\n";
    } else if (!bodyless && !streamed) {
        out += "Content-Length: ";
        char num[24];
        int n = std::snprintf(num, sizeof num, "%zu", body.size());
        out.append(num, static_cast<size_t>(n));
        out += "\r\n";
    }
    appendDateAndEnd(out, lastOnConnection || streamed);
    if (res.headOnly || bodyless) return plan;
    if (dribbled) {
        plan.chunks = core::chunkFrames(body, d.dribblePieces);
        plan.chunkIntervalMs = d.dribbleTotalMs
                                   ? d.dribbleTotalMs / static_cast<uint32_t>(plan.chunks.size())
                                   : d.dribbleIntervalMs;
        if (d.dribbleFirstWithHead) {
            out += plan.chunks.front();
            plan.chunks.erase(plan.chunks.begin());
        }
        return plan;
    }
    if (streamed && res.chunkedStream) {
        core::appendChunk(out, body);
        return plan;
    }
    if (d.truncateBody && *d.truncateBody < body.size()) {
        out += body.substr(0, *d.truncateBody);
        plan.close = true;
        return plan;
    }
    out += body;
    return plan;
}

void deliverAsMocked(const core::HttpResponse& mocked, Response& res) {
    switch (mocked.fault) {
        case core::Fault::ConnectionReset:
            res.delivery.fault = Delivery::Fault::Reset;
            return;
        case core::Fault::EmptyResponse:
            res.delivery.fault = Delivery::Fault::Empty;
            return;
        case core::Fault::MalformedChunk:
            res.delivery.fault = Delivery::Fault::MalformedChunk;
            return;
        case core::Fault::RandomData:
            res.delivery.fault = Delivery::Fault::RandomData;
            return;
        case core::Fault::None:
            break;
    }
    res.delivery.dribblePieces = mocked.dribble.chunks;
    res.delivery.dribbleTotalMs = mocked.dribble.totalMs;
}

}  // namespace mockd::http
