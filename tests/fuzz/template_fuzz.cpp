// mockd response templates: any text compiled and rendered against a request with a JSON body,
// query, headers and path captures. Nothing here may fail a request.
#include <string>
#include <string_view>

#include "template/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace mockd;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    tmpl::Template t = tmpl::Template::compile(text);
    core::Request req;
    req.method = "POST";
    req.target = "/users/42?q=a%20b&n=1&n=2";
    req.rawPath = "/users/42";
    req.path = req.rawPath;
    req.rawQuery = "q=a%20b&n=1&n=2";
    req.headers = {{"Host", "localhost:4280"},
                   {"Content-Type", "application/json"},
                   {"X-Id", "abc"},
                   {"Cookie", "s=1; t=2"}};
    req.body = R"({"name":"Ada","items":[{"id":1},{"id":2}],"n":null,"deep":{"a":{"b":[true]}}})";
    req.remoteAddress = "127.0.0.1";
    core::MatchInput in(req);
    core::Captures caps = {{"id", "42"}, {"0", "users"}};
    tmpl::RequestData d{&req, &in, &caps};
    tmpl::Rng rng(7);
    std::string out;
    t.render(d, rng, out);
    return 0;
}
