#include "http/response.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace mockd::http {
namespace {

TEST(Response, SniffsContentTypeLikeMockd) {
    EXPECT_EQ(sniffContentType(" {\"a\":1}\n"), "application/json");
    EXPECT_EQ(sniffContentType("[1,2]"), "application/json");
    EXPECT_EQ(sniffContentType("<a/>"), "application/xml");
    EXPECT_EQ(sniffContentType("{not closed"), "text/plain");
    EXPECT_EQ(sniffContentType(""), "text/plain");
}

Response answer(int status, std::string_view contentType, std::string body) {
    Response r;
    r.status = status;
    r.contentType = contentType;
    r.setBody(std::move(body));
    return r;
}

TEST(Response, SerialisesHeadAndBody) {
    std::string out;
    Response r = answer(201, "application/json", "{}");
    r.addHeader("X-A", "1");
    WirePlan plan = writeResponse(r, true, out);
    EXPECT_TRUE(
        out.starts_with("HTTP/1.1 201 Created\r\nX-A: 1\r\nContent-Type: application/json\r\n"
                        "Content-Length: 2\r\nDate: "));
    EXPECT_TRUE(out.ends_with("\r\nConnection: close\r\n\r\n{}"));
    EXPECT_FALSE(plan.close);  // the connection knows it closes; the response did not ask
    out.clear();
    Response head = answer(200, "text/plain", "hello");
    head.headOnly = true;
    writeResponse(head, false, out);
    EXPECT_NE(out.find("Content-Length: 5\r\n"), std::string::npos);
    EXPECT_TRUE(out.ends_with("\r\n\r\n"));  // HEAD: no body
    EXPECT_EQ(out.find("Connection"), std::string::npos);
    out.clear();
    writeResponse(answer(204, {}, "ignored"), false, out);
    EXPECT_EQ(out.find("Content-Length"), std::string::npos);
    EXPECT_TRUE(out.ends_with("\r\n\r\n"));
}

TEST(Response, HeadersInFilterHandlerOrder) {
    std::string out;
    const std::string fixed = "X-Fixed: 1\r\n";
    Response r = answer(200, "text/plain", "x");
    r.fixedHeaders = fixed;
    r.addHeader("X-Own", "2");
    r.prependHeaders("X-Inner: 3\r\n");
    r.prependHeaders("X-Outer: 4\r\n");
    writeResponse(r, false, out);
    EXPECT_TRUE(
        out.starts_with("HTTP/1.1 200 OK\r\nX-Outer: 4\r\nX-Inner: 3\r\nX-Fixed: "
                        "1\r\nX-Own: 2\r\nContent-Type: text/plain\r\n"))
        << out;
}

TEST(Response, BorrowedBodyIsWrittenUntilReplaced) {
    auto body = std::make_shared<const std::string>("static body");
    Response r;
    r.bodyRef = body.get();
    r.keepAlive = body;
    std::string out;
    writeResponse(r, false, out);
    EXPECT_TRUE(out.ends_with("\r\n\r\nstatic body"));
    r.setBody("own");
    EXPECT_EQ(r.bodyRef, nullptr);
    EXPECT_EQ(r.bodyBytes(), "own");
}

TEST(Response, DribbledBodyIsChunked) {
    std::string out;
    Response r = answer(200, "text/plain", "abcdefghij");
    r.delivery.dribblePieces = 5;
    r.delivery.dribbleTotalMs = 1000;
    WirePlan plan = writeResponse(r, false, out);
    EXPECT_NE(out.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
    EXPECT_EQ(out.find("Content-Length"), std::string::npos);
    EXPECT_TRUE(out.ends_with("\r\n\r\n"));  // the head only: every piece comes later
    ASSERT_EQ(plan.chunks.size(), 5u);
    EXPECT_EQ(plan.chunks[0], "2\r\nab\r\n");
    EXPECT_EQ(plan.chunkIntervalMs, 200u);
    // The first piece with the head (chaos' dribble), a fixed interval.
    out.clear();
    r.delivery.dribbleTotalMs = 0;
    r.delivery.dribbleIntervalMs = 30;
    r.delivery.dribbleFirstWithHead = true;
    plan = writeResponse(r, false, out);
    EXPECT_TRUE(out.ends_with("\r\n\r\n2\r\nab\r\n"));
    EXPECT_EQ(plan.chunks.size(), 4u);
    EXPECT_EQ(plan.chunkIntervalMs, 30u);
    // HEAD and bodyless answers are never dribbled.
    out.clear();
    r.headOnly = true;
    plan = writeResponse(r, false, out);
    EXPECT_TRUE(plan.chunks.empty());
    EXPECT_NE(out.find("Content-Length: 10"), std::string::npos);
}

TEST(Response, FaultsReplaceTheResponse) {
    using Fault = Delivery::Fault;
    Response r = answer(200, "text/plain", "body");
    std::string out = "earlier";
    r.delivery.fault = Fault::Reset;
    WirePlan plan = writeResponse(r, false, out);
    EXPECT_TRUE(plan.reset && plan.close);
    EXPECT_EQ(out, "earlier");
    r.delivery.fault = Fault::Empty;
    plan = writeResponse(r, false, out);
    EXPECT_TRUE(plan.close && !plan.reset);
    EXPECT_EQ(out, "earlier");
    out.clear();
    r.delivery.fault = Fault::MalformedChunk;
    plan = writeResponse(r, false, out);
    EXPECT_TRUE(plan.close);
    EXPECT_TRUE(out.starts_with("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n")) << out;
    EXPECT_EQ(out.find("body"), std::string::npos);
    // On a connection that closes anyway, WireMock sends no chunked head.
    out.clear();
    writeResponse(r, true, out);
    EXPECT_EQ(out.find("Transfer-Encoding"), std::string::npos);
    out.clear();
    r.delivery.fault = Fault::RandomData;
    writeResponse(r, false, out);
    EXPECT_FALSE(out.starts_with("HTTP/"));
}

TEST(Response, TruncatedBodyKeepsItsLengthAndCloses) {
    std::string out;
    Response r = answer(200, "text/plain", std::string(100, 'a'));
    r.delivery.truncateBody = 10;
    WirePlan plan = writeResponse(r, false, out);
    EXPECT_NE(out.find("Content-Length: 100\r\n"), std::string::npos);
    EXPECT_TRUE(out.ends_with("\r\n\r\n" + std::string(10, 'a')));
    EXPECT_TRUE(plan.close);
}

TEST(Response, StreamHeadHasNoLengthAndCloses) {
    std::string out;
    Response r = answer(200, "text/event-stream", "event: connected\n\n");
    r.stream = [](std::shared_ptr<Stream>) {};
    writeResponse(r, false, out);
    EXPECT_EQ(out.find("Content-Length"), std::string::npos);
    EXPECT_TRUE(out.ends_with("Connection: close\r\n\r\nevent: connected\n\n"));
}

TEST(Response, ShapesAnAnswerThatComesLater) {
    Response r;
    Response delivered;
    r.later = [](boost::asio::io_context&, Completion done) {
        Response up;
        up.status = 201;
        done(std::move(up));
    };
    r.prependHeaders("X-Cors: 1\r\n");
    r.shape([](Response& a) { a.delivery.delayMs += 5; });
    boost::asio::io_context ctx;
    r.later(ctx, [&](Response a) { delivered = std::move(a); });
    EXPECT_EQ(delivered.status, 201);
    EXPECT_EQ(delivered.filterHeaders, "X-Cors: 1\r\n");
    EXPECT_EQ(delivered.delivery.delayMs, 5u);
    EXPECT_TRUE(r.filterHeaders.empty());
}

TEST(Response, HeaderLinesCannotBeSplit) {
    std::string out;
    appendHeaderLine(out, "X-Evil", "a\r\nSet-Cookie: x=1");
    EXPECT_EQ(out, "X-Evil: aSet-Cookie: x=1\r\n");
}

}  // namespace
}  // namespace mockd::http
