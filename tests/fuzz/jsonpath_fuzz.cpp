// JSONPath: an expression (first line) compiled in both dialects and evaluated on the document
// that follows, or on a fixed document when the rest is not JSON.
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "core/jsonpath.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    size_t nl = in.find('\n');
    std::string_view expr = in.substr(0, nl);
    std::string_view doc = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    static const nlohmann::json kStore = nlohmann::json::parse(
        R"({"store":{"book":[{"category":"fiction","title":"A","price":8.95,"tags":["x","y"]},
        {"category":"ref","title":"B","price":12,"isbn":"0-1"}],"bicycle":{"color":"red",
        "price":19.95}},"n":null,"t":true,"a":[1,[2,[3]],{"k":"v"}]})");
    nlohmann::json parsed = nlohmann::json::parse(doc, nullptr, false);
    const nlohmann::json& root = parsed.is_discarded() ? kStore : parsed;
    for (auto dialect :
         {mockd::core::JsonPath::Dialect::Ojg, mockd::core::JsonPath::Dialect::Jayway}) {
        std::string error;
        auto path = mockd::core::JsonPath::compile(expr, &error, dialect);
        if (!path) continue;
        std::vector<const nlohmann::json*> out;
        path->evaluate(root, out);
        for (const auto* node : out) (void)node->type();
    }
    return 0;
}
