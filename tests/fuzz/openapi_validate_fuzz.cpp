// `--validate-spec`: an OpenAPI document and a request to check against it. The input is the
// spec (YAML or JSON), a line "----", then the request: "METHOD TARGET", header lines, a blank
// line and the body. Loading, routing, coercing and checking must never crash or hang, whatever
// the spec says and whatever the request sends.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/yaml_json.h"
#include "validation/openapi_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const size_t cut = input.find("\n----\n");
    if (cut == std::string_view::npos) return 0;
    const std::string specText(input.substr(0, cut));
    const std::string requestText(input.substr(cut + 6));
    std::shared_ptr<const mockd::validation::OpenApiSpec> spec;
    try {
        std::vector<std::string> warnings;
        spec =
            mockd::validation::OpenApiSpec::load(mockd::core::parseYaml(specText), warnings, true);
    } catch (const std::exception&) {
        return 0;
    }
    mockd::core::Request req;
    std::string_view rest = requestText;
    auto line = [&rest] {
        const size_t nl = rest.find('\n');
        std::string_view l = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        return l;
    };
    const std::string_view first = line();
    const size_t sp = first.find(' ');
    req.method = first.substr(0, sp);
    req.target = sp == std::string_view::npos ? std::string_view("/") : first.substr(sp + 1);
    const size_t q = req.target.find('?');
    req.rawPath = req.target.substr(0, q);
    req.path = req.rawPath;
    if (q != std::string_view::npos) req.rawQuery = req.target.substr(q + 1);
    for (std::string_view h = line(); !h.empty(); h = line()) {
        const size_t colon = h.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view value = h.substr(colon + 1);
        while (value.starts_with(' ')) value.remove_prefix(1);
        req.headers.push_back({h.substr(0, colon), value});
    }
    req.body = rest;
    (void)spec->checkRequest(req);
    (void)spec->checkResponse(req, 200, req.header("Content-Type"), req.body);
    (void)spec->checkResponse(req, 404, "", "");
    return 0;
}
