#include "wiremock/templating.h"

#include <gtest/gtest.h>

#include "wiremock/request_pattern.h"

namespace mockd::wiremock {
namespace {

std::string render(std::string_view tpl, std::string_view url = "/a/b?x=1&x=2&y=z",
                   std::string_view body = "") {
    WmRequest req;
    req.method = "POST";
    req.url = url;
    req.body = body;
    req.headers = {{"Host", "example.test:8080"}, {"X-Token", "abc"}};
    req.port = 8080;
    TemplateInput in;
    in.request = &req;
    in.requestId = "req-1";
    return HandlebarsTemplate::compile(tpl)->render(in);
}

TEST(Handlebars, RequestModel) {
    EXPECT_EQ(render("{{request.path}} {{request.path.[1]}} {{request.query.x}} "
                     "{{request.query.x.[1]}} {{request.headers.x-token}} {{request.baseUrl}}"),
              "/a/b b 1 2 abc http://example.test:8080");
    EXPECT_EQ(render("{{request.query}}"), "{x=1, y=z}");
    EXPECT_EQ(render("{{#eq request.method 'POST'}}y{{else}}n{{/eq}}"), "n");  // an enum
}

TEST(Handlebars, BlocksAndChains) {
    EXPECT_EQ(render("{{#if request.query.none}}a{{else if request.query.y}}b{{else}}c{{/if}}"),
              "b");
    EXPECT_EQ(render("{{#each request.query.x}}{{@index}}{{this}}{{#unless @last}},{{/unless}}"
                     "{{/each}}"),
              "01,12");
    EXPECT_EQ(render("{{#with (parseJson request.body)}}{{a.b}}-{{../request.query.y}}{{/with}}",
                     "/?y=q", R"({"a":{"b":7}})"),
              "7-q");
    EXPECT_EQ(render("{{#each (array)}}x{{else}}none{{/each}}"), "none");
    EXPECT_EQ(render("{{#assign 'v'}}in{{/assign}}[{{v}}]"), "[in]");
}

TEST(Handlebars, LiteralsCommentsAndEscapes) {
    EXPECT_EQ(render(R"({{! note }}{{!-- {{x}} --}}\{{raw}} {{{request.query.y}}})"), "{{raw}} z");
    EXPECT_EQ(render("{{math 7 '/' 2}} {{math 1.5 '*' 2}} {{math 1 '?' 2}}"),
              "4 3.0 [ERROR: ? is not a valid mathematical operator]");
    EXPECT_EQ(render("{{upper (lower 'AbC')}}"), "ABC");
}

TEST(Handlebars, SyntaxErrorsNameThePlace) {
    try {
        HandlebarsTemplate::compile("ok\n{{#if x}}never closed");
        FAIL() << "no error";
    } catch (const TemplateError& e) {
        EXPECT_EQ(e.line(), 2);
        EXPECT_NE(std::string(e.what()).find("{{/if}}"), std::string::npos) << e.what();
    }
    EXPECT_THROW(HandlebarsTemplate::compile("{{#if a}}x{{/each}}"), TemplateError);
    EXPECT_THROW(HandlebarsTemplate::compile("{{/if}}"), TemplateError);
    EXPECT_THROW(HandlebarsTemplate::compile("{{x 'unclosed}}"), TemplateError);
    EXPECT_THROW(HandlebarsTemplate::compile("{{x (y}}"), TemplateError);
    // Found by tests/fuzz/handlebars_fuzz: a ')' with no subexpression open used to make the
    // compiler loop, taking all memory, instead of failing.
    EXPECT_THROW(HandlebarsTemplate::compile("{{#with (parseJson) request.body)}}x{{/with}}"),
                 TemplateError);
    EXPECT_THROW(HandlebarsTemplate::compile("{{a b)}}"), TemplateError);
    EXPECT_THROW(render("{{nope 1}}"), TemplateError);  // an unknown helper
    // Deep nesting is refused, not a stack overflow.
    std::string deep;
    for (int i = 0; i < 200; ++i) deep += "{{#if a}}";
    EXPECT_THROW(HandlebarsTemplate::compile(deep), TemplateError);
}

TEST(Handlebars, HostileInputStaysBounded) {
    // A huge range or a deeply nested body does not take the process down.
    EXPECT_EQ(render("{{size (range 1 100000000)}}"), "100000");  // ranges stop at 100,000
    std::string nested(5000, '[');
    nested += std::string(5000, ']');
    EXPECT_NO_THROW(render("{{parseJson request.body}}", "/", nested));
    EXPECT_EQ(render("{{parseJson request.body}}", "/", nested), "[ERROR: Unable to parse JSON]");
    EXPECT_FALSE(hasTemplate("plain"));
    EXPECT_TRUE(hasTemplate("a {{b}}"));
}

}  // namespace
}  // namespace mockd::wiremock
