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

// The event reader gives what reading through yaml-cpp's node tree gives, lines included.
TEST(YamlJson, EventReaderAgreesWithTheNodeTree) {
    const char* docs[] = {
        "",
        "a: 1\nb: [1, 2.5, -3, 0x1F, 0o17, .inf, -.inf, true, False, ~, null, '', x]\n",
        "- one\n- 'two'\n- \"th\\u00e9\"\n- |\n  block\n  text\n- >\n  folded\n  text\n",
        "m:\n  k: &a {x: 1, y: [1, 2]}\n  l: *a\n  s: &s str\n  t: *s\n",
        "q: '123'\nr: 1e3\ne:\nk: v # comment\n",
        "mocks:\n  - id: a\n    http:\n      matcher: { method: GET, path: /x }\n",
        "dup: 1\ndup: 2\n",
        "---\nfirst: 1\n...\n---\nsecond: 2\n",
        "\"quoted key\": 1\n'200': ok\n200: number-key\n",
        "nested:\n  - - a\n    - b\n  - {c: [d, {e: f}]}\n",
    };
    for (const char* text : docs) {
        LineMap fromTree, fromEvents;
        const Json expected = yamlToJson(YAML::Load(text), fromTree);
        EXPECT_EQ(parseYaml(text, fromEvents), expected) << text;
        // Inside an alias the tree has the anchored value's lines; the events, the alias's.
        if (std::string(text).find('*') != std::string::npos) continue;
        for (const auto& [path, line] : fromTree)
            EXPECT_EQ(lineOf(fromEvents, path), line) << text << " at " << path;
    }
    LineMap lines;
    // A line separator in a string survives the round trip (a YAML 1.1 reader folds a raw one).
    const Json separated = {{"d", "a.\u2028\u2028 b\u2029 c"}};
    EXPECT_EQ(parseYaml(jsonToYaml(separated), lines), separated);
    // Where the tree reader drops the tag, a !!str stays a string.
    EXPECT_EQ(parseYaml("n: !!str 123\n", lines), Json::parse(R"({"n": "123"})"));
}

TEST(YamlJson, EventReaderMergesKeysAndRefusesWhatJsonCannotHold) {
    LineMap lines;
    EXPECT_EQ(parseYaml("base: &b {x: 1, y: 2}\nother: &o {y: 3, z: 4}\n"
                        "m:\n  <<: [*b, *o]\n  x: 9\n",
                        lines)["m"],
              Json::parse(R"({"x": 9, "y": 2, "z": 4})"));
    EXPECT_EQ(parseYaml("'<<': 1\n", lines), Json::parse(R"({"<<": 1})"));  // quoted: a key
    auto errorLine = [](const std::string& text, const std::string& says) {
        LineMap l;
        try {
            parseYaml(text, l);
        } catch (const YamlError& e) {
            EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
            return e.line();
        }
        ADD_FAILURE() << "no error for " << text;
        return -1;
    };
    EXPECT_EQ(errorLine("a: 1\nb: *missing\n", "names no anchor"), 2);
    EXPECT_EQ(errorLine("a: 1\n? [x, y]\n: z\n", "mapping key must be a single value"), 2);
    EXPECT_EQ(errorLine("a: 1\nb: [1,\n", "did not find expected"), 2);
    EXPECT_EQ(errorLine("a: 1\nb: \"\xff\"\n", "UTF-8"), 2);
    EXPECT_EQ(errorLine("m: {<<: 5}\n", "<< merge key"), 1);
    std::string deep;
    for (int i = 0; i < 300; ++i) deep += "[";
    EXPECT_EQ(errorLine(deep, "nested too deeply"), 1);
    // Aliases of aliases: nine levels of ten would be a billion values.
    std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'i'; ++c) {
        laughs += std::string(1, c) + ": &" + c + " [";
        for (int k = 0; k < 10; ++k) laughs += std::string(k ? ", *" : "*") + char(c - 1);
        laughs += "]\n";
    }
    EXPECT_GT(errorLine(laughs, "aliases expand to more than"), 1);
}

}  // namespace
}  // namespace mockd::core
