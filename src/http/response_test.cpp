#include "http/response.h"

#include <gtest/gtest.h>

namespace mockd::http {
namespace {

TEST(Response, SniffsContentTypeLikeMockd) {
    EXPECT_EQ(sniffContentType(" {\"a\":1}\n"), "application/json");
    EXPECT_EQ(sniffContentType("[1,2]"), "application/json");
    EXPECT_EQ(sniffContentType("<a/>"), "application/xml");
    EXPECT_EQ(sniffContentType("{not closed"), "text/plain");
    EXPECT_EQ(sniffContentType(""), "text/plain");
}

TEST(Response, SerialisesHeadAndBody) {
    std::string out;
    appendResponse(out, {201, "application/json", "X-A: 1\r\n", true}, "{}", false);
    EXPECT_TRUE(
        out.starts_with("HTTP/1.1 201 Created\r\nX-A: 1\r\nContent-Type: application/json\r\n"
                        "Content-Length: 2\r\nDate: "));
    EXPECT_TRUE(out.ends_with("\r\nConnection: close\r\n\r\n{}"));
    out.clear();
    appendResponse(out, {200, "text/plain", {}, false}, "hello", true);
    EXPECT_NE(out.find("Content-Length: 5\r\n"), std::string::npos);
    EXPECT_TRUE(out.ends_with("\r\n\r\n"));  // HEAD: no body
    out.clear();
    appendResponse(out, {204, {}, {}, false}, "ignored", false);
    EXPECT_EQ(out.find("Content-Length"), std::string::npos);
    EXPECT_TRUE(out.ends_with("\r\n\r\n"));
}

TEST(Response, HeaderLinesCannotBeSplit) {
    std::string out;
    appendHeaderLine(out, "X-Evil", "a\r\nSet-Cookie: x=1");
    EXPECT_EQ(out, "X-Evil: aSet-Cookie: x=1\r\n");
}

}  // namespace
}  // namespace mockd::http
