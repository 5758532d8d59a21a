#include "core/yaml_json.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace mockd::core {
namespace {

// What jsonToYaml writes reads back as the same JSON, in YAML readers' eyes too: strings that
// look like numbers, booleans or null stay strings, keys included.
TEST(YamlJson, WrittenYamlReadsBackAsTheSameJson) {
    const Json doc = Json::parse(R"({"200": {"description": "ok", "n": 200, "s": "200"},
        "true": "yes", "null": null, "x": ["-a", "", " b", "a: b", "#c", 1.5, false]})");
    const std::string yaml = jsonToYaml(doc);
    EXPECT_NE(yaml.find("\"200\":"), std::string::npos) << yaml;
    YAML::Node node = YAML::Load(yaml);
    EXPECT_EQ(node["200"]["s"].Tag(), "!");  // quoted: a string to every reader
    LineMap lines;
    EXPECT_EQ(yamlToJson(node, lines), doc);
}

}  // namespace
}  // namespace mockd::core
