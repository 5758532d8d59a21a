#include "wiremock/request_pattern.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace mockd::wiremock {
namespace {

// Owns the strings a WmRequest views.
struct TestRequest {
    std::string method = "GET";
    std::string url = "/";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string scheme = "http";
    std::string clientIp = "127.0.0.1";
    int port = 18080;

    TestRequest& header(std::string k, std::string v) {
        headers.emplace_back(std::move(k), std::move(v));
        return *this;
    }
    WmRequest view() const {
        WmRequest r;
        r.method = method;
        r.url = url;
        for (const auto& [k, v] : headers) r.headers.emplace_back(k, v);
        r.body = body;
        r.scheme = scheme;
        r.clientIp = clientIp;
        r.port = port;
        return r;
    }
};

TestRequest req(std::string method, std::string url, std::string body = {}) {
    TestRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.body = std::move(body);
    r.headers.emplace_back("Host", "localhost:18080");
    return r;
}

RequestPatternPtr pattern(const char* json) { return RequestPattern::compile(Json::parse(json)); }

bool matches(const char* json, const TestRequest& r) {
    return pattern(json)->match(r.view()).matched;
}

double distance(const char* json, const TestRequest& r) {
    auto m = pattern(json)->match(r.view());
    return m.matched ? 0.0 : m.distance;
}

std::string report(const char* json, const TestRequest& r, std::string_view name = {}) {
    auto p = pattern(json);
    auto w = r.view();
    EXPECT_FALSE(p->match(w).matched);
    return renderDiffReport(p->diff(w), name);
}

// Compiles `json` and returns the PatternError it raises as "pointer|message".
std::string compileError(const char* json) {
    try {
        pattern(json);
    } catch (const PatternError& e) {
        return e.pointer() + "|" + e.what();
    }
    return "no error";
}

using Params = std::vector<std::pair<std::string, std::string>>;

// ---------------------------------------------------------------------------------------------
// WmRequest

TEST(WmRequest, PathAndHost) {
    TestRequest r = req("GET", "/a%20b/c?x=1&y");
    WmRequest w = r.view();
    EXPECT_EQ(w.path(), "/a%20b/c");
    EXPECT_EQ(w.host(), "localhost");

    TestRequest v6;
    v6.header("host", "[::1]:8080");
    EXPECT_EQ(v6.view().host(), "[::1]");
    TestRequest none;
    EXPECT_EQ(none.view().host(), "");
    TestRequest noPort;
    noPort.header("Host", "example.com");
    EXPECT_EQ(noPort.view().host(), "example.com");
}

TEST(WmRequest, HeadersAreCaseInsensitiveAndKeepOrder) {
    TestRequest r = req("GET", "/");
    r.header("X-A", "1").header("x-a", "2").header("X-B", "3").header("X-A", "4");
    auto values = r.view().header("X-a");
    ASSERT_EQ(values.size(), 3u);
    EXPECT_EQ(values[0], "1");
    EXPECT_EQ(values[1], "2");
    EXPECT_EQ(values[2], "4");
    EXPECT_TRUE(r.view().header("X-C").empty());
}

TEST(WmRequest, QueryIsDecodedLikeWireMock) {
    TestRequest r = req("GET", "/x?a=1&a=2&b=x+y%2Bz&c=%E2%82%AC&d&e=f=g&&=v&bad=%zz&");
    WmRequest w = r.view();
    Params expected = {{"a", "1"},   {"a", "2"}, {"b", "x y+z"}, {"c", "\xE2\x82\xAC"}, {"d", ""},
                       {"e", "f=g"}, {"", ""},   {"", "v"},      {"bad", "%zz"}};
    EXPECT_EQ(w.query(), expected);
    EXPECT_TRUE(req("GET", "/x").view().query().empty());
    EXPECT_EQ(req("GET", "/x?").view().query(), (Params{{"", ""}}));
    EXPECT_TRUE(req("GET", "/x?&").view().query().empty());
}

TEST(WmRequest, FormNeedsUrlEncodedContentType) {
    TestRequest r = req("POST", "/f", "a=1+2&a=%33&&k&=v&x=y=z");
    EXPECT_TRUE(r.view().form().empty());
    r.header("Content-Type", "Application/X-WWW-Form-Urlencoded; charset=UTF-8");
    Params expected = {{"a", "1 2"}, {"a", "3"}, {"k", ""}, {"", "v"}, {"x", "y=z"}};
    EXPECT_EQ(r.view().form(), expected);
}

TEST(WmRequest, Cookies) {
    TestRequest r = req("GET", "/");
    r.header("Cookie", "a=1; b=\"x y\"; c=; $Version=1; d=e=f;g = h ;  i=j,k=l; a=2");
    r.header("cookie", "m=n");
    Params expected = {{"a", "1"}, {"b", "x y"}, {"c", ""}, {"d", "e=f"},
                       {"g", "h"}, {"a", "2"},   {"m", "n"}};
    EXPECT_EQ(r.view().cookies(), expected);
}

TEST(WmRequest, MultipartFormData) {
    TestRequest r =
        req("POST", "/m",
            "preamble\r\n--BB\r\nContent-Disposition: form-data; name=n1; "
            "filename=\"a b.txt\"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n"
            "\r\n--BB\r\nContent-Type: text/plain\r\n\r\nno name\r\n--BB\r\n"
            "Content-Disposition: form-data; name=\"n2\"\r\n\r\n\r\n--BB--\r\nepilogue");
    EXPECT_FALSE(r.view().isMultipart());
    EXPECT_TRUE(r.view().parts().empty());
    r.header("Content-Type", " Multipart/Form-Data; boundary=\"BB\"");
    WmRequest w = r.view();
    EXPECT_TRUE(w.isMultipart());
    const auto& parts = w.parts();
    ASSERT_EQ(parts.size(), 2u);  // the part without a field or file name is skipped
    EXPECT_EQ(parts[0].name, "n1");
    EXPECT_EQ(parts[0].fileName, std::optional<std::string>("a b.txt"));
    ASSERT_EQ(parts[0].headers.size(), 2u);
    EXPECT_EQ(parts[0].headers[1],
              (std::pair<std::string, std::string>{"Content-Type", "text/plain"}));
    EXPECT_EQ(parts[0].body, "line1\r\nline2\r\n");
    EXPECT_EQ(parts[1].name, "n2");
    EXPECT_FALSE(parts[1].fileName.has_value());
    EXPECT_EQ(parts[1].body, "");
}

TEST(WmRequest, OtherMultipartTypesKeepEveryPartUnnamed) {
    TestRequest r =
        req("POST", "/m",
            "--BB\r\nContent-Type: text/plain\r\n\r\nhello x\r\n--BB\r\n"
            "Content-Disposition: form-data; name=\"n1\"\r\nX-Y: z\r\n\r\nsecond\r\n--BB--");
    r.header("Content-Type", "multipart/related; boundary=BB");
    WmRequest w = r.view();
    const auto& parts = w.parts();
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].name, "");
    EXPECT_EQ(parts[0].body, "hello x");
    EXPECT_EQ(parts[1].name, "");
    EXPECT_EQ(parts[1].body, "second");
    ASSERT_EQ(parts[1].headers.size(), 2u);
    EXPECT_EQ(parts[1].headers[1].second, "z");

    TestRequest noBoundary = req("POST", "/m", "junk");
    noBoundary.header("Content-Type", "multipart/form-data");
    EXPECT_TRUE(noBoundary.view().isMultipart());
    EXPECT_TRUE(noBoundary.view().parts().empty());
}

// ---------------------------------------------------------------------------------------------
// compile()

TEST(RequestPatternCompile, UnknownFieldsAreRejectedWithJacksonMessages) {
    EXPECT_EQ(compileError(R"({"urlx":"/a"})"),
              "/request/urlx|Unrecognized field \"urlx\" (class "
              "com.github.tomakehurst.wiremock.matching.RequestPattern), not marked as ignorable");
    EXPECT_EQ(compileError(R"({"basicAuth":{"username":"u","password":"p","x":1}})"),
              "/request/basicAuth/x|Unrecognized field \"x\" (class "
              "com.github.tomakehurst.wiremock.client.BasicCredentials), not marked as ignorable");
    EXPECT_EQ(compileError(R"({"multipartPatterns":[{"x":1}]})"),
              "/request/multipartPatterns/0/x|Unrecognized field \"x\" (class "
              "com.github.tomakehurst.wiremock.matching.MultipartValuePattern), not marked as "
              "ignorable");
    EXPECT_EQ(compileError(R"({"customMatcher":{"name":"x","bogus":1}})"),
              "/request/customMatcher/bogus|Unrecognized field \"bogus\" (class "
              "com.github.tomakehurst.wiremock.matching.CustomMatcherDefinition), not marked as "
              "ignorable");
    // Read-only properties WireMock tolerates.
    EXPECT_EQ(compileError(R"({"name":"x","expected":{},"urlMatcher":1,"matcher":[]})"),
              "no error");
    EXPECT_EQ(compileError(R"({"multipartPatterns":[{"matchAny":true,"matchAll":false}]})"),
              "no error");
}

TEST(RequestPatternCompile, WrongTypes) {
    EXPECT_EQ(compileError(R"({"headers":"x"})"),
              "/request/headers|Cannot construct instance of `java.util.LinkedHashMap` (although "
              "at least one Creator exists): no String-argument constructor/factory method to "
              "deserialize from String value ('x')");
    EXPECT_EQ(compileError(R"({"headers":[]})"),
              "/request/headers|Cannot deserialize value of type "
              "`java.util.LinkedHashMap<java.lang.String,com.github.tomakehurst.wiremock.matching."
              "MultiValuePattern>` from Array value (token `JsonToken.START_ARRAY`)");
    EXPECT_EQ(compileError(R"({"cookies":5})"),
              "/request/cookies|Cannot deserialize value of type "
              "`java.util.LinkedHashMap<java.lang.String,com.github.tomakehurst.wiremock.matching."
              "StringValuePattern>` from Integer value (token `JsonToken.VALUE_NUMBER_INT`)");
    EXPECT_EQ(compileError(R"({"bodyPatterns":{}})"),
              "/request/bodyPatterns|Cannot deserialize value of type "
              "`java.util.ArrayList<com.github.tomakehurst.wiremock.matching.ContentPattern<java."
              "lang.Object>>` from Object value (token `JsonToken.START_OBJECT`)");
    EXPECT_EQ(compileError(R"({"url":{"a":1}})"),
              "/request/url|Cannot deserialize value of type `java.lang.String` from Object value "
              "(token `JsonToken.START_OBJECT`)");
    EXPECT_EQ(compileError(R"({"method":123})"),
              "/request/method|Cannot construct instance of "
              "`com.github.tomakehurst.wiremock.http.RequestMethod` (although at least one Creator "
              "exists): no int/Int-argument constructor/factory method to deserialize from Number "
              "value (123)");
    EXPECT_EQ(compileError(R"({"port":"abc"})"),
              "/request/port|Cannot deserialize value of type `java.lang.Integer` from String "
              "\"abc\": not a valid `java.lang.Integer` value");
    EXPECT_EQ(compileError(R"({"port":99999999999})"),
              "/request/port|Numeric value (99999999999) out of range of int (-2147483648 - "
              "2147483647)");
    EXPECT_EQ(compileError(R"({"port":true})"),
              "/request/port|Cannot deserialize value of type `java.lang.Integer` from Boolean "
              "value (token `JsonToken.VALUE_TRUE`)");
    EXPECT_EQ(compileError(R"({"multipartPatterns":[{"matchingType":"SOME"}]})"),
              "/request/multipartPatterns/0/matchingType|Cannot deserialize value of type "
              "`com.github.tomakehurst.wiremock.matching.MultipartValuePattern$MatchingType` from "
              "String \"SOME\": not one of the values accepted for Enum class: [ALL, ANY]");
    EXPECT_EQ(compileError(R"({"basicAuth":"x"})"),
              "/request/basicAuth|Cannot construct instance of "
              "`com.github.tomakehurst.wiremock.client.BasicCredentials` (although at least one "
              "Creator exists): no String-argument constructor/factory method to deserialize from "
              "String value ('x')");
    EXPECT_EQ(compileError(R"([])"),
              "/request|Cannot deserialize value of type "
              "`com.github.tomakehurst.wiremock.matching.RequestPattern` from Array value (token "
              "`JsonToken.START_ARRAY`)");
}

TEST(RequestPatternCompile, MatcherErrorsCarryTheirPointer) {
    std::string e = compileError(R"({"headers":{"X-A":{"bogus":"1"}}})");
    EXPECT_EQ(e.substr(0, e.find('|')), "/request/headers/X-A");
    e = compileError(R"({"bodyPatterns":[{"equalTo":"1"},{"bad":1}]})");
    EXPECT_EQ(e.substr(0, e.find('|')), "/request/bodyPatterns/1");
    e = compileError(R"({"multipartPatterns":[{"headers":{"A":{"foo":1}}}]})");
    EXPECT_EQ(e.substr(0, e.find('|')), "/request/multipartPatterns/0/headers/A");
    e = compileError(R"({"urlPattern":"(("})");
    EXPECT_EQ(e.substr(0, e.find('|')), "/request");
    // binaryEqualTo is only a body pattern.
    EXPECT_NE(compileError(R"({"headers":{"X":{"binaryEqualTo":"AQ=="}}})"), "no error");
    EXPECT_EQ(compileError(R"({"bodyPatterns":[{"binaryEqualTo":"AQ=="}]})"), "no error");
}

TEST(RequestPatternCompile, ScalarsAreCoercedAndNullsIgnored) {
    EXPECT_TRUE(matches(R"({"url":123})", req("GET", "/123")) == false);
    EXPECT_TRUE(matches(R"({"port":"18080"})", req("GET", "/")));
    EXPECT_TRUE(matches(R"({"port":18080.7})", req("GET", "/")));
    EXPECT_TRUE(matches(R"({"url":null,"method":null,"headers":null,"bodyPatterns":null})",
                        req("POST", "/anything")));
    EXPECT_TRUE(matches(R"({})", req("DELETE", "/x?y=z")));
    EXPECT_TRUE(RequestPattern::compile(Json(nullptr))->match(req("GET", "/").view()).matched);
}

TEST(RequestPatternCompile, IndexAccessors) {
    EXPECT_EQ(pattern(R"({"url":"/a/b?x=1","method":"GET"})")->literalPath(),
              std::optional<std::string>("/a/b"));
    EXPECT_EQ(pattern(R"({"url":"/a/b?x=1","method":"GET"})")->method(), "GET");
    EXPECT_EQ(pattern(R"({"urlPath":"/a/b"})")->literalPath(), std::optional<std::string>("/a/b"));
    EXPECT_EQ(pattern(R"({"urlPath":"/a/b"})")->method(), "");
    EXPECT_EQ(pattern(R"({"urlPath":"/a%20b"})")->literalPath(), std::nullopt);
    EXPECT_EQ(pattern(R"({"urlPathPattern":"/a/b"})")->literalPath(), std::nullopt);
    EXPECT_EQ(pattern(R"({"urlPattern":"/a/b"})")->literalPath(), std::nullopt);
    EXPECT_EQ(pattern(R"({"urlPathTemplate":"/a/{b}"})")->literalPath(), std::nullopt);
    EXPECT_EQ(pattern(R"({"method":"ANY"})")->literalPath(), std::nullopt);
    EXPECT_EQ(pattern(R"({"method":"ANY"})")->method(), "");
}

TEST(RequestPatternCompile, FirstUrlFormWins) {
    // WireMock takes url, urlPattern, urlPath, urlPathPattern, urlPathTemplate in that order.
    EXPECT_TRUE(matches(R"({"url":"/a","urlPath":"/b"})", req("GET", "/a")));
    EXPECT_FALSE(matches(R"({"url":"/a","urlPath":"/b"})", req("GET", "/b")));
    EXPECT_TRUE(matches(R"({"urlPattern":"/z.*","urlPath":"/a"})", req("GET", "/zz")));
    EXPECT_TRUE(matches(R"({"urlPath":"/a","urlPathTemplate":"/{x}"})", req("GET", "/a")));
    EXPECT_FALSE(matches(R"({"urlPath":"/a","urlPathTemplate":"/{x}"})", req("GET", "/b")));
}

// ---------------------------------------------------------------------------------------------
// match()

TEST(RequestPatternMatch, UrlForms) {
    EXPECT_TRUE(matches(R"({"url":"/a%20b?x=1"})", req("GET", "/a%20b?x=1")));
    EXPECT_FALSE(matches(R"({"url":"/a%20b?x=1"})", req("GET", "/a%20b?x=2")));
    EXPECT_FALSE(matches(R"({"url":"/a b"})", req("GET", "/a%20b")));
    EXPECT_FALSE(matches(R"({"url":"/m?a=1&b=2"})", req("GET", "/m?b=2&a=1")));
    EXPECT_TRUE(matches(R"({"urlPath":"/a%20b"})", req("GET", "/a%20b?q=1")));
    EXPECT_FALSE(matches(R"({"urlPath":"/a b"})", req("GET", "/a%20b")));
    EXPECT_FALSE(matches(R"({"urlPath":"/a/b"})", req("GET", "/a%2Fb")));
    EXPECT_TRUE(matches(R"({"urlPattern":"/a/[0-9]+\\?x=.*"})", req("GET", "/a/12?x=1")));
    EXPECT_FALSE(matches(R"({"urlPattern":"/a/[0-9]+"})", req("GET", "/a/12?x=1")));
    EXPECT_FALSE(matches(R"({"urlPattern":"/a"})", req("GET", "/ab")));  // whole match
    EXPECT_TRUE(matches(R"({"urlPathPattern":"/a/[0-9]+"})", req("GET", "/a/12?x=1")));
    EXPECT_TRUE(matches(R"({"urlPathPattern":"/a%20b"})", req("GET", "/a%20b")));
}

TEST(RequestPatternMatch, PathTemplates) {
    const char* p =
        R"({"urlPathTemplate":"/u/{id}/o/{oid}","pathParameters":{"id":{"equalTo":"x%20y"}}})";
    EXPECT_TRUE(matches(p, req("GET", "/u/x%20y/o/1?q=1")));  // parameters are compared encoded
    EXPECT_FALSE(matches(
        R"({"urlPathTemplate":"/u/{id}/o/{oid}","pathParameters":{"id":{"equalTo":"x y"}}})",
        req("GET", "/u/x%20y/o/1")));
    EXPECT_FALSE(matches(p, req("GET", "/u/x%20y/o")));
    EXPECT_FALSE(matches(p, req("GET", "/u/a/b/o/1")));
    EXPECT_TRUE(matches(R"({"urlPathTemplate":"/a%20b/{x}"})", req("GET", "/a%20b/c")));
    EXPECT_FALSE(matches(R"({"urlPathTemplate":"/a b/{x}"})", req("GET", "/a%20b/c")));
    EXPECT_TRUE(matches(R"({"urlPathTemplate":"/u/**/x/{a.b}"})", req("GET", "/u/1/2/x/3")));
    EXPECT_TRUE(matches(R"({"urlPathTemplate":"/u/{id}/{id}"})", req("GET", "/u/1/2")));
    // A constraint on a name the template does not have never matches.
    EXPECT_FALSE(
        matches(R"({"urlPathTemplate":"/u/{id}","pathParameters":{"nope":{"equalTo":"1"}}})",
                req("GET", "/u/1")));
    // Without a template, pathParameters are accepted and ignored.
    EXPECT_TRUE(matches(R"({"urlPath":"/u/1","pathParameters":{"nope":{"equalTo":"1"}}})",
                        req("GET", "/u/1")));

    auto t = pattern(R"({"urlPathTemplate":"/u/{id}/o/{oid}/**"})");
    Params expected = {{"id", "7"}, {"oid", "a%2Fb"}, {"0", "x/y"}};
    EXPECT_EQ(t->pathParameters(req("GET", "/u/7/o/a%2Fb/x/y?z=1").view()), expected);
    EXPECT_TRUE(t->pathParameters(req("GET", "/v/7").view()).empty());
    EXPECT_TRUE(pattern(R"({"urlPath":"/u"})")->pathParameters(req("GET", "/u").view()).empty());
}

TEST(RequestPatternMatch, Method) {
    EXPECT_TRUE(matches(R"({"method":"ANY"})", req("PATCH", "/")));
    EXPECT_TRUE(matches(R"({"method":"GET"})", req("GET", "/")));
    EXPECT_FALSE(matches(R"({"method":"GET"})", req("POST", "/")));
    EXPECT_FALSE(matches(R"({"method":"get"})", req("GET", "/")));  // methods are case-sensitive
    EXPECT_TRUE(matches(R"({"method":"FOO"})", req("FOO", "/")));
}

TEST(RequestPatternMatch, HeadersQueryFormCookies) {
    TestRequest r = req("POST", "/x?a=1&a=2&b=x+y&c=%E2%82%AC", "f=1&f=2&g=a%20b");
    r.header("x-token", "abc").header("X-Multi", "1").header("X-Multi", "2");
    r.header("Content-Type", "application/x-www-form-urlencoded");
    r.header("Cookie", "s=1; t=\"q r\"");
    EXPECT_TRUE(
        matches(R"({"headers":{"X-Token":{"equalTo":"abc"},"X-Multi":{"equalTo":"2"}}})", r));
    EXPECT_TRUE(
        matches(R"({"headers":{"X-Multi":{"hasExactly":[{"equalTo":"2"},{"equalTo":"1"}]}}})", r));
    EXPECT_FALSE(matches(R"({"headers":{"X-Multi":{"hasExactly":[{"equalTo":"1"}]}}})", r));
    EXPECT_TRUE(matches(R"({"headers":{"X-None":{"absent":true}}})", r));
    EXPECT_FALSE(matches(R"({"headers":{"X-Token":{"absent":true}}})", r));
    EXPECT_TRUE(matches(
        R"({"queryParameters":{"a":{"equalTo":"2"},"b":{"equalTo":"x y"},"c":{"equalTo":"€"}}})",
        r));
    EXPECT_FALSE(matches(R"({"queryParameters":{"z":{"equalTo":"1"}}})", r));
    EXPECT_TRUE(matches(R"({"formParameters":{"f":{"equalTo":"1"},"g":{"equalTo":"a b"}}})", r));
    EXPECT_FALSE(matches(R"({"formParameters":{"f":{"equalTo":"3"}}})", r));
    EXPECT_TRUE(matches(
        R"({"cookies":{"s":{"equalTo":"1"},"t":{"equalTo":"q r"},"u":{"absent":true}}})", r));
    EXPECT_FALSE(matches(R"({"cookies":{"u":{"equalTo":"1"}}})", r));
    EXPECT_FALSE(matches(R"({"cookies":{"s":{"absent":true}}})", r));
}

TEST(RequestPatternMatch, BasicAuth) {
    TestRequest r = req("GET", "/");
    r.header("Authorization", "basic dXNlcjpwdw==");  // user:pw, lower-case scheme
    EXPECT_TRUE(matches(R"({"basicAuth":{"username":"user","password":"pw"}})", r));
    EXPECT_TRUE(matches(R"({"basicAuthCredentials":{"username":"user","password":"pw"}})", r));
    EXPECT_FALSE(matches(R"({"basicAuth":{"username":"user","password":"px"}})", r));
    EXPECT_FALSE(matches(R"({"basicAuth":{"username":"user","password":"pw"}})", req("GET", "/")));
    // basicAuthCredentials wins over basicAuth, and replaces an Authorization header pattern.
    EXPECT_TRUE(matches(R"({"basicAuth":{"username":"a","password":"b"},
                            "basicAuthCredentials":{"username":"user","password":"pw"},
                            "headers":{"Authorization":{"equalTo":"nope"}}})",
                        r));
    TestRequest nullPassword = req("GET", "/");
    nullPassword.header("Authorization", "Basic dTpudWxs");  // "u:null"
    EXPECT_TRUE(matches(R"({"basicAuth":{"username":"u"}})", nullPassword));
}

TEST(RequestPatternMatch, BodyPatterns) {
    EXPECT_TRUE(matches(R"({"bodyPatterns":[{"contains":"b"},{"matches":"a.c"}]})",
                        req("POST", "/", "abc")));
    EXPECT_FALSE(
        matches(R"({"bodyPatterns":[{"contains":"b"},{"matches":"x"}]})", req("POST", "/", "abc")));
    // An empty body is an absent one for string patterns.
    EXPECT_TRUE(matches(R"({"bodyPatterns":[{"absent":true}]})", req("POST", "/")));
    EXPECT_FALSE(matches(R"({"bodyPatterns":[{"equalTo":""}]})", req("POST", "/")));
    EXPECT_FALSE(matches(R"({"bodyPatterns":[{"absent":true}]})", req("POST", "/", "x")));
    EXPECT_TRUE(matches(R"({"bodyPatterns":[{"binaryEqualTo":"AQID"}]})",
                        req("POST", "/", std::string("\x01\x02\x03"))));
    EXPECT_FALSE(matches(R"({"bodyPatterns":[{"binaryEqualTo":"AQID"}]})", req("POST", "/", "x")));
}

TEST(RequestPatternMatch, Multipart) {
    TestRequest r = req("POST", "/m",
                        "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv1\r\n--XyZ\r\n"
                        "Content-Disposition: form-data; name=\"f\"; filename=\"f.txt\"\r\n"
                        "Content-Type: text/plain\r\n\r\nhello world\r\n--XyZ--\r\n");
    r.header("Content-Type", "multipart/form-data; boundary=XyZ");
    EXPECT_TRUE(matches(R"({"multipartPatterns":[{"bodyPatterns":[{"equalTo":"v1"}]}]})", r));
    EXPECT_TRUE(matches(
        R"({"multipartPatterns":[{"matchingType":"ANY","headers":{"content-type":{"equalTo":"text/plain"}}}]})",
        r));
    EXPECT_FALSE(matches(
        R"({"multipartPatterns":[{"matchingType":"ALL","headers":{"Content-Type":{"equalTo":"text/plain"}}}]})",
        r));
    EXPECT_TRUE(matches(
        R"({"multipartPatterns":[{"matchingType":"ALL","bodyPatterns":[{"matches":".*1.*|hello.*"}]}]})",
        r));
    // `name` is not a matching criterion; `fileName` only counts next to headers or bodies.
    EXPECT_TRUE(
        matches(R"({"multipartPatterns":[{"name":"zzz","bodyPatterns":[{"equalTo":"v1"}]}]})", r));
    EXPECT_TRUE(matches(R"({"multipartPatterns":[{"fileName":"g.txt"}]})", r));
    EXPECT_FALSE(matches(
        R"({"multipartPatterns":[{"fileName":"g.txt","bodyPatterns":[{"anything":"x"}]}]})", r));
    EXPECT_TRUE(matches(
        R"({"multipartPatterns":[{"fileName":"f.txt","bodyPatterns":[{"anything":"x"}]}]})", r));
    EXPECT_FALSE(matches(R"({"multipartPatterns":[{"bodyPatterns":[{"equalTo":"v1"}]}]})",
                         req("POST", "/m", "v1")));
}

TEST(RequestPatternMatch, ConnectionFields) {
    TestRequest r = req("GET", "/");
    EXPECT_TRUE(matches(
        R"({"scheme":"http","port":18080,"host":{"equalTo":"localhost"},"clientIp":{"equalTo":"127.0.0.1"}})",
        r));
    EXPECT_FALSE(matches(R"({"scheme":"https"})", r));
    EXPECT_FALSE(matches(R"({"port":8080})", r));
    EXPECT_FALSE(matches(R"({"host":{"equalTo":"example.com"}})", r));
    EXPECT_FALSE(matches(R"({"clientIp":{"equalTo":"10.0.0.1"}})", r));
}

TEST(RequestPatternMatch, NamedCustomMatcherNeverMatches) {
    EXPECT_FALSE(
        matches(R"({"customMatcher":{"name":"x","parameters":{"a":1}}})", req("GET", "/")));
}

TEST(RequestPatternMatch, WeightedDistance) {
    // The URL weighs 10 of 39 while the request line is wrong: Levenshtein("/abc", "/abd") = 1/4.
    EXPECT_NEAR(distance(R"({"method":"GET","url":"/abc"})", req("GET", "/abd")), 2.5 / 39, 1e-12);
    EXPECT_NEAR(distance(R"({"method":"GET","url":"/abc"})", req("POST", "/abc")), 3.0 / 39, 1e-12);
    // Path templates score against the template with "_" for each variable.
    EXPECT_NEAR(distance(R"({"method":"GET","urlPathTemplate":"/a/{id}"})", req("POST", "/x")),
                10.5 / 39, 1e-12);
    // Past the request line every part weighs 1 of 46.
    EXPECT_NEAR(distance(R"({"url":"/","headers":{"X-A":{"equalTo":"1"}}})", req("GET", "/")),
                1.0 / 46, 1e-12);
    EXPECT_NEAR(distance(R"({"url":"/","multipartPatterns":[{"bodyPatterns":[{"equalTo":"1"}]}],
                             "cookies":{"a":{"equalTo":"1"}}})",
                         req("GET", "/")),
                2.0 / 46, 1e-12);
    EXPECT_EQ(distance(R"({"url":"/"})", req("GET", "/")), 0.0);
    EXPECT_GT(
        distance(R"({"url":"/zzzzzz"})", req("GET", "/a")),
        distance(R"({"url":"/a","headers":{"X":{"equalTo":"1"}},"bodyPatterns":[{"equalTo":"x"}]})",
                 req("GET", "/a")));
}

// ---------------------------------------------------------------------------------------------
// Plain-text report: bodies captured from WireMock 3.13.2 for the same stub and request.

TEST(DiffReport, MethodUrlHeaderQueryCookieBody) {
    TestRequest r;
    r.method = "PUT";
    r.url = "/api/y?q=2";
    r.body = "{\"a\":2}";
    r.header("Host", "localhost:18080");
    r.header("X-A", "abd");
    r.header("Cookie", "c1=w");
    const char* stub =
        R"J({"method": "POST", "url": "/api/x?a=1", "headers": {"X-A": {"equalTo": "abc"}, "X-Abs": {"absent": true}, "X-B": {"contains": "zz"}}, "queryParameters": {"q": {"equalTo": "1"}}, "cookies": {"c1": {"equalTo": "v"}}, "bodyPatterns": [{"contains": "hello"}, {"equalTo": "{\"a\":2}"}]})J";
    EXPECT_EQ(report(stub, r, "My stub"), R"WM(
                                               Request was not matched
                                               =======================

-----------------------------------------------------------------------------------------------------------------------
| Closest stub                                             | Request                                                  |
-----------------------------------------------------------------------------------------------------------------------
                                                           |
My stub                                                    |
                                                           |
POST                                                       | PUT                                                 <<<<< HTTP method does not match
/api/x?a=1                                                 | /api/y?q=2                                          <<<<< URL does not match
                                                           |
X-A: abc                                                   | X-A: abd                                            <<<<< Header does not match
X-Abs [absent] : (absent)                                  |                                                     <<<<< Header is not present
X-B [contains] : zz                                        |                                                     <<<<< Header is not present
                                                           |
Query: q = 1                                               | q: 2                                                <<<<< Query does not match
                                                           |
Cookie: c1=v                                               | w                                                   <<<<< Cookie does not match
                                                           |
[contains]                                                 |                                                     <<<<< Body does not match
hello                                                      | {"a":2}
[equalTo]                                                  |                                                     <<<<< Body does not match
{"a":2}                                                    | {"a":2}
                                                           |
-----------------------------------------------------------------------------------------------------------------------
)WM");
}

TEST(DiffReport, QueryFormCookies) {
    TestRequest r;
    r.method = "GET";
    r.url = "/x?a=2&a=3&c=1&c=2&e+e=x%20y&b";
    r.body = "f=2&f=1&g=a%20b";
    r.header("Host", "localhost:18080");
    r.header("Cookie", "k=w; k2=abc; k=z");
    r.header("Content-Type", "application/x-www-form-urlencoded");
    const char* stub =
        R"J({"method": "GET", "urlPath": "/x", "queryParameters": {"a": {"equalTo": "1"}, "b": {"contains": "z"}, "c": {"hasExactly": [{"equalTo": "1"}]}, "d": {"absent": true}, "e e": {"equalTo": "x y"}}, "cookies": {"k": {"equalTo": "v"}, "k2": {"contains": "v"}, "k3": {"absent": true}}, "formParameters": {"f": {"equalTo": "1"}, "g": {"matches": "[0-9]+"}}})J";
    EXPECT_EQ(report(stub, r, ""), R"WM(
                                               Request was not matched
                                               =======================

-----------------------------------------------------------------------------------------------------------------------
| Closest stub                                             | Request                                                  |
-----------------------------------------------------------------------------------------------------------------------
                                                           |
GET                                                        | GET
[path] /x                                                  | /x?a=2&a=3&c=1&c=2&e+e=x%20y&b
                                                           |
Query: a = 1                                               | a: 2                                                <<<<< Query does not match
                                                           | a: 3
Query: b [contains] z                                      | b:                                                  <<<<< Query does not match
Query: c exactly [equalTo 1]                               | c: 1                                                <<<<< Query does not match
                                                           | c: 2
Query: d [absent] (absent)                                 |                                                     <<<<< Query is not present
Query: e e = x y                                           | e e: x y
                                                           |
Form: f = 1                                                | f: 2
                                                           | f: 1
Form: g [matches] [0-9]+                                   | g: a b                                              <<<<< Form data does not match
                                                           |
Cookie: k=v                                                | w                                                   <<<<< Cookie does not match
Cookie: k2 [contains] v                                    | abc                                                 <<<<< Cookie does not match
Cookie: k3 [absent] null                                   |                                                     <<<<< Cookie is not present
                                                           |
                                                           |
-----------------------------------------------------------------------------------------------------------------------
)WM");
}

TEST(DiffReport, RegexQuestionMarkHint) {
    TestRequest r;
    r.method = "GET";
    r.url = "/xx?x";
    r.header("Host", "localhost:18080");
    const char* stub = R"J({"method": "GET", "urlPattern": "/x?y.*"})J";
    EXPECT_EQ(report(stub, r, ""), R"WM(
                                               Request was not matched
                                               =======================

-----------------------------------------------------------------------------------------------------------------------
| Closest stub                                             | Request                                                  |
-----------------------------------------------------------------------------------------------------------------------
                                                           |
GET                                                        | GET
[regex] /x?y.*                                             | /xx?x                                               <<<<< URL does not match. When using a regex, "?" should be "\?"
                                                           |
                                                           |
-----------------------------------------------------------------------------------------------------------------------
)WM");
}

TEST(DiffReport, HintWithoutMismatch) {
    TestRequest r;
    r.method = "POST";
    r.url = "/x";
    r.header("Host", "localhost:18080");
    const char* stub = R"J({"method": "GET", "urlPattern": "/x?"})J";
    EXPECT_EQ(report(stub, r, ""), R"WM(
                                               Request was not matched
                                               =======================

-----------------------------------------------------------------------------------------------------------------------
| Closest stub                                             | Request                                                  |
-----------------------------------------------------------------------------------------------------------------------
                                                           |
GET                                                        | POST                                                <<<<< HTTP method does not match
[regex] /x?                                                | /x                                                  <<<<< null. When using a regex, "?" should be "\?"
                                                           |
                                                           |
-----------------------------------------------------------------------------------------------------------------------
)WM");
}

TEST(DiffReport, PathTemplateParametersAndBasicAuth) {
    TestRequest r;
    r.method = "POST";
    r.url = "/u/2/o/x%20y?a=1";
    r.header("Host", "localhost:18080");
    r.header("Authorization", "Basic dTpx");
    const char* stub =
        R"J({"method": "GET", "urlPathTemplate": "/u/{id}/o/{oid}", "pathParameters": {"id": {"equalTo": "1"}, "oid": {"matches": "[a-z]+"}}, "basicAuthCredentials": {"username": "u", "password": "p"}, "headers": {"X-A": {"equalTo": "1"}}})J";
    EXPECT_EQ(report(stub, r, ""), R"WM(
                                               Request was not matched
                                               =======================

-----------------------------------------------------------------------------------------------------------------------
| Closest stub                                             | Request                                                  |
-----------------------------------------------------------------------------------------------------------------------
                                                           |
GET                                                        | POST                                                <<<<< HTTP method does not match
[path template] /u/{id}/o/{oid}                            | /u/2/o/x%20y?a=1
                                                           |
Authorization [prefix] : Basic dTpw                        | Authorization: Basic dTpx                           <<<<< Header does not match
X-A: 1                                                     |                                                     <<<<< Header is not present
                                                           |
Path parameter: id = 1                                     | 2                                                   <<<<< Path parameter does not match
Path parameter: oid [matches] [a-z]+                       | x%20y                                               <<<<< Path parameter does not match
                                                           |
                                                           |
-----------------------------------------------------------------------------------------------------------------------
)WM");
}

TEST(DiffReport, Multipart) {
    TestRequest r;
    r.method = "POST";
    r.url = "/m";
    r.body =
        "--XyZ\r\nContent-Disposition: form-data; "
        "name=\"a\"\r\n\r\nv1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
        "filename=\"f.txt\"\r\nContent-Type: text/plain\r\n\r\nhello world\r\n--XyZ--\r\n";
    r.header("Host", "localhost:18080");
    r.header("Content-Type", "multipart/form-data; boundary=XyZ");
    const char* stub =
        R"J({"method": "POST", "url": "/m", "multipartPatterns": [{"name": "f", "matchingType": "ALL", "headers": {"Content-Disposition": {"contains": "name=\"f\""}}, "bodyPatterns": [{"equalTo": "hello"}]}]})J";
    EXPECT_EQ(report(stub, r, ""), R"WM(
                                               Request was not matched
                                               =======================

-----------------------------------------------------------------------------------------------------------------------
| Closest stub                                             | Request                                                  |
-----------------------------------------------------------------------------------------------------------------------
                                                           |
POST                                                       | POST
/m                                                         | /m
                                                           |
                                                           |
[Multipart: f]                                             | [a]
                                                           |
Content-Disposition [contains] : name="f"                  | Content-Disposition: form-data; name="a"            <<<<< Header does not match
                                                           |
[equalTo]                                                  |                                                     <<<<< Body does not match
hello                                                      | v1
                                                           |
[/Multipart]                                               | [/a]
                                                           |
                                                           |
[Multipart: f]                                             | [f]
                                                           |
Content-Disposition [contains] : name="f"                  | Content-Disposition: form-data; name="f";
                                                           | filename="f.txt"
                                                           |
[equalTo]                                                  |                                                     <<<<< Body does not match
hello                                                      | hello world
                                                           |
[/Multipart]                                               | [/f]
                                                           |
                                                           |
-----------------------------------------------------------------------------------------------------------------------
)WM");
}

TEST(DiffReport, LongValuesWrap) {
    TestRequest r;
    r.method = "GET";
    r.url =
        "/a/very/long/url/that/goes/on/and/on/and/on/and/on/forever/and/ever/"
        "less?with=query&and=more&params=1";
    r.header("Host", "localhost:18080");
    r.header("X-Long",
             "averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongword and more");
    const char* stub =
        R"J({"method": "GET", "url": "/a/very/long/url/that/goes/on/and/on/and/on/and/on/forever/and/ever/more", "headers": {"X-Long": {"equalTo": "word word word word word word word word word word word word word word"}}})J";
    EXPECT_EQ(
        report(
            stub, r,
            "A very long stub name that is definitely longer than fifty seven characters in total"),
        R"WM(
                                               Request was not matched
                                               =======================

-----------------------------------------------------------------------------------------------------------------------
| Closest stub                                             | Request                                                  |
-----------------------------------------------------------------------------------------------------------------------
                                                           |
A very long stub name that is definitely longer than       |
fifty seven characters in total                            |
                                                           |
GET                                                        | GET
/a/very/long/url/that/goes/on/and/on/and/on/and/on/foreve  | /a/very/long/url/that/goes/on/and/on/and/on/and/on/foreve<<<<< URL does not match
r/and/ever/more                                            | r/and/ever/less?with=query&and=more&params=1
                                                           |
X-Long: word word word word word word word word word word  | X-Long:                                             <<<<< Header does not match
word word word word                                        | averyveryveryveryveryveryveryveryveryveryveryveryveryvery
                                                           | veryverylongword and more
                                                           |
                                                           |
-----------------------------------------------------------------------------------------------------------------------
)WM");
}

TEST(DiffReport, HostPortClientIpScheme) {
    TestRequest r;
    r.method = "POST";
    r.url = "/x";
    r.header("Host", "localhost:18080");
    const char* stub =
        R"J({"method": "ANY", "url": "/y", "scheme": "https", "host": {"equalTo": "example.com"}, "port": 9999, "clientIp": {"equalTo": "1.2.3.4"}})J";
    EXPECT_EQ(report(stub, r, ""), R"WM(
                                               Request was not matched
                                               =======================

-----------------------------------------------------------------------------------------------------------------------
| Closest stub                                             | Request                                                  |
-----------------------------------------------------------------------------------------------------------------------
                                                           |
example.com                                                | localhost                                           <<<<< Host does not match
9999                                                       | 18080                                               <<<<< Port does not match
equalTo 1.2.3.4                                            | 127.0.0.1                                           <<<<< ClientIp does not match
https                                                      | http                                                <<<<< Scheme does not match
ANY                                                        | POST
/y                                                         | /x                                                  <<<<< URL does not match
                                                           |
                                                           |
-----------------------------------------------------------------------------------------------------------------------
)WM");
}

TEST(DiffReport, BodyLineBreaks) {
    TestRequest r;
    r.method = "POST";
    r.url = "/j";
    r.body = "line1\r\nline2\r\n\r\nline4";
    r.header("Host", "localhost:18080");
    const char* stub = R"J({"method": "PUT", "url": "/j", "bodyPatterns": [{"matches": "zz"}]})J";
    EXPECT_EQ(report(stub, r, ""), R"WM(
                                               Request was not matched
                                               =======================

-----------------------------------------------------------------------------------------------------------------------
| Closest stub                                             | Request                                                  |
-----------------------------------------------------------------------------------------------------------------------
                                                           |
PUT                                                        | POST                                                <<<<< HTTP method does not match
/j                                                         | /j
                                                           |
[matches]                                                  |                                                     <<<<< Body does not match
zz                                                         | line1
                                                           | line2
                                                           |
                                                           | line4
                                                           |
-----------------------------------------------------------------------------------------------------------------------
)WM");
}

TEST(DiffReport, NotMultipartAndCustomMatcher) {
    TestRequest r;
    r.method = "POST";
    r.url = "/m";
    r.body = "x";
    r.header("Host", "localhost:18080");
    const char* stub =
        R"J({"method": "POST", "url": "/m", "multipartPatterns": [{"name": "f", "bodyPatterns": [{"equalTo": "hello"}]}], "customMatcher": {"name": "x"}})J";
    EXPECT_EQ(report(stub, r, ""), R"WM(
                                               Request was not matched
                                               =======================

-----------------------------------------------------------------------------------------------------------------------
| Closest stub                                             | Request                                                  |
-----------------------------------------------------------------------------------------------------------------------
                                                           |
POST                                                       | POST
/m                                                         | /m
                                                           |
[Multipart request body]                                   |                                                     <<<<< [Multipart request body] is not present
[custom matcher: x]                                        | [custom matcher: x]
                                                           |
-----------------------------------------------------------------------------------------------------------------------
)WM");
}

TEST(DiffReport, WidthsCountUtf16Units) {
    TestRequest r;
    r.method = "POST";
    r.url = "/u";
    r.body =
        "\303\274\360\237\230\200\303\274\360\237\230\200\303\274\360\237\230\200\303\274\360\237"
        "\230\200\303\274\360\237\230\200\303\274\360\237\230\200\303\274\360\237\230\200\303\274"
        "\360\237\230\200\303\274\360\237\230\200\303\274\360\237\230\200\303\274\360\237\230\200"
        "\303\274\360\237\230\200\303\274\360\237\230\200\303\274\360\237\230\200\303\274\360\237"
        "\230\200\303\274\360\237\230\200\303\274\360\237\230\200\303\274\360\237\230\200\303\274"
        "\360\237\230\200\303\274\360\237\230\200\303\274\360\237\230\200\303\274\360\237\230\200"
        "\303\274\360\237\230\200\303\274\360\237\230\200\303\274\360\237\230\200\303\274\360\237"
        "\230\200\303\274\360\237\230\200\303\274\360\237\230\200\303\274\360\237\230\200 end";
    r.header("Host", "localhost:18080");
    r.header("X-U", "hello");
    const char* stub =
        R"J({"method": "PUT", "url": "/u", "headers": {"X-U": {"equalTo": "h\u00e9llo w\u00f6rld"}}, "bodyPatterns": [{"equalTo": "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9 \u00e9\u00e9\u00e9 \u00e9\u00e9"}]})J";
    EXPECT_EQ(report(stub, r, ""), R"WM(
                                               Request was not matched
                                               =======================

-----------------------------------------------------------------------------------------------------------------------
| Closest stub                                             | Request                                                  |
-----------------------------------------------------------------------------------------------------------------------
                                                           |
PUT                                                        | POST                                                <<<<< HTTP method does not match
/u                                                         | /u
                                                           |
X-U: héllo wörld                                           | X-U: hello                                          <<<<< Header does not match
                                                           |
[equalTo]                                                  | ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü?<<<<< Body does not match
ééééééééééééééééééééééééééééééééééééééééééééééé            | ?ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀ü😀 end
éééééééé ééé éé                                            |
                                                           |
-----------------------------------------------------------------------------------------------------------------------
)WM");
}

TEST(DiffReport, RowsAndMessages) {
    auto p = pattern(
        R"({"method":"GET","url":"/a","bodyPatterns":[{"equalTo":"abc"},{"contains":"ab"}]})");
    TestRequest r = req("POST", "/a", "abc");
    auto rows = p->diff(r.view());
    ASSERT_GE(rows.size(), 5u);
    EXPECT_EQ(rows[0].label, "HTTP method");
    EXPECT_EQ(rows[0].expected, "GET");
    EXPECT_EQ(rows[0].actual, "POST");
    EXPECT_FALSE(rows[0].matched);
    EXPECT_EQ(rows[1].label, "URL");
    EXPECT_TRUE(rows[1].matched);
    EXPECT_EQ(rows[2].label, "");  // spacer
    // WireMock compares string body patterns against "\n" + body in the report, so equalTo shows
    // as a mismatch while contains is hidden.
    EXPECT_EQ(rows[3].expected, "[equalTo]\nabc");
    EXPECT_EQ(rows[3].actual, "\nabc");
    EXPECT_FALSE(rows[3].matched);
    EXPECT_TRUE(rows[4].matched);
}

TEST(DiffReport, PathExpressionRows) {
    auto p = pattern(R"({"method":"PUT","url":"/x","bodyPatterns":[{"matchesJsonPath":"$.a"},
        {"matchesJsonPath":{"expression":"$.b","equalTo":"2"}},
        {"matchesJsonPath":{"expression":"$.c","equalTo":"2"}}]})");
    TestRequest r = req("POST", "/x", R"({"a":1,"b":3})");
    auto rows = p->diff(r.view());
    ASSERT_EQ(rows.size(), 6u);
    EXPECT_EQ(rows[3].expected, "$.a");
    EXPECT_TRUE(rows[3].matched);
    EXPECT_EQ(rows[4].expected, "$.b [equalTo] 2");
    EXPECT_EQ(rows[4].actual, "3");
    EXPECT_FALSE(rows[4].matched);
    EXPECT_EQ(rows[5].actual, R"({"a":1,"b":3})");
    EXPECT_FALSE(rows[5].matched);

    TestRequest empty = req("POST", "/x");
    std::string out = renderDiffReport(p->diff(empty.view()), "");
    EXPECT_NE(out.find("$.a" + std::string(56, ' ') + "|" + std::string(53, ' ') +
                       "<<<<< Body is not present\n"),
              std::string::npos);

    auto x = pattern(
        R"J({"url":"/x","bodyPatterns":[{"matchesXPath":{"expression":"/a/b/text()","equalTo":"3"}}]})J");
    TestRequest xr = req("POST", "/x", "<a><b>2</b></a>");
    auto xrows = x->diff(xr.view());
    ASSERT_EQ(xrows.size(), 4u);
    EXPECT_EQ(xrows[3].expected, "/a/b/text() [equalTo] 3");
    EXPECT_EQ(xrows[3].actual, "2");
}

TEST(DiffReport, BodyFormattingForJson) {
    auto p = pattern(R"({"method":"PUT","url":"/j","bodyPatterns":[{"equalToJson":{"a":1}}]})");
    TestRequest r =
        req("POST", "/j",
            R"({"a":[1,2,{"b":[]},[],{}],"c":{"d":1.0,"e":1e10,"f":12345678901234567890,)"
            R"("g":"x\"y\u00e9/\t","h":null,"i":true,"j":-0.5,"k":1E-7,"l":100}})");
    auto rows = p->diff(r.view());
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[3].actual,
              "\n{\n  \"a\" : [ 1, 2, {\n    \"b\" : [ ]\n  }, [ ], { } ],\n  \"c\" : {\n"
              "    \"d\" : 1.0,\n    \"e\" : 10000000000,\n    \"f\" : 12345678901234567890,\n"
              "    \"g\" : \"x\\\"y\xC3\xA9/\\t\",\n    \"h\" : null,\n    \"i\" : true,\n"
              "    \"j\" : -0.5,\n    \"k\" : 0.0000001,\n    \"l\" : 100\n  }\n}");
    TestRequest bad = req("POST", "/j", "{not json");
    EXPECT_EQ(p->diff(bad.view())[3].actual, "\n{not json");
}

TEST(DiffReport, BodyFormattingForXml) {
    auto p = pattern(R"({"method":"PUT","url":"/x","bodyPatterns":[{"equalToXml":"<a/>"}]})");
    TestRequest r = req("POST", "/x",
                        R"(<?xml version="1.0"?><a x="1"><b>2</b><c/><!-- c --><d>t<e/>u</d></a>)");
    EXPECT_EQ(p->diff(r.view())[3].actual,
              "\n<a x=\"1\">\n  <b>2</b>\n  <c/>\n  <!-- c -->\n  <d>\n    t\n    <e/>\n    u\n"
              "  </d>\n</a>");
}

TEST(DiffReport, HeaderRowsWithBasicAuthFollowJavaHashMapOrder) {
    auto p = pattern(R"({"url":"/m","method":"PUT","basicAuth":{"username":"a","password":"b"},
        "headers":{"A":{"equalTo":"1"},"B":{"equalTo":"1"},"C":{"equalTo":"1"},
                   "Content-Type":{"equalTo":"1"},"X-Request-Id":{"equalTo":"1"}}})");
    std::vector<std::string> order;
    for (const auto& row : p->diff(req("GET", "/m").view())) {
        if (row.label == "Header") order.push_back(row.expected.substr(0, row.expected.find(' ')));
    }
    // As WireMock 3.13.2 prints them.
    EXPECT_EQ(order, (std::vector<std::string>{
                         "Authorization", "A:", "B:", "C:", "X-Request-Id:", "Content-Type:"}));
}

TEST(DiffReport, EmptyRowsRenderAsBlankTable) {
    std::string out = renderDiffReport({}, "");
    EXPECT_EQ(out, "\n" + std::string(47, ' ') + "Request was not matched\n" +
                       std::string(47, ' ') + std::string(23, '=') + "\n\n" +
                       std::string(119, '-') + "\n| Closest stub" + std::string(45, ' ') +
                       "| Request" + std::string(50, ' ') + "|\n" + std::string(119, '-') + "\n" +
                       std::string(59, ' ') + "|\n" + std::string(59, ' ') + "|\n" +
                       std::string(119, '-') + "\n");
}

TEST(DiffReport, ScenarioRowFromTheCaller) {
    std::vector<DiffRow> rows = {
        {"Scenario", "[Scenario 'sc' state: Started]", "[Scenario 'sc' state: Next]", false}};
    std::string out = renderDiffReport(rows, "");
    EXPECT_NE(out.find("[Scenario 'sc' state: Started]" + std::string(29, ' ') +
                       "| [Scenario 'sc' state: Next]" + std::string(25, ' ') +
                       "<<<<< Scenario does not match\n"),
              std::string::npos);
}

}  // namespace
}  // namespace mockd::wiremock
