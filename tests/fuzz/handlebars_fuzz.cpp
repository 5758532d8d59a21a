// WireMock response templating: any text compiled as Handlebars and rendered against a request
// with query, headers, a JSON body and path parameters. Syntax errors and unknown helpers are
// TemplateErrors (WireMock answers 500); anything else escaping is a bug.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "wiremock/request_pattern.h"
#include "wiremock/templating.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace mockd::wiremock;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    HandlebarsPtr tpl;
    try {
        tpl = HandlebarsTemplate::compile(text);
    } catch (const TemplateError&) {
        return 0;
    }
    WmRequest req;
    req.method = "POST";
    req.url = "/a/b?x=1&x=2&y=z";
    req.body = R"({"a":{"b":7},"list":[1,2,3],"s":"text"})";
    req.headers = {{"Host", "example.test:8080"},
                   {"X-Token", "abc"},
                   {"Content-Type", "application/json"},
                   {"Cookie", "c=1"}};
    req.port = 8080;
    static const nlohmann::ordered_json kParams = {{"p", "v"}, {"n", 3}};
    TemplateInput in;
    in.request = &req;
    in.requestId = "req-1";
    in.pathParams = {{"id", "42"}};
    in.parameters = &kParams;
    try {
        (void)tpl->render(in);
    } catch (const TemplateError&) {
    } catch (const TemplateRuntimeError&) {
    }
    return 0;
}
