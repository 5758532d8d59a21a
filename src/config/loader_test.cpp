#include "config/loader.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

namespace mockd::config {
namespace {

namespace fs = std::filesystem;

std::string errorOf(std::string_view text, bool yaml) {
    try {
        loadText(text, "c.yaml", yaml, fs::temp_directory_path());
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "<no error>";
}

TEST(ExpandEnv, ExpandsNamesAndLeavesOtherDollarsAlone) {
    setenv("MOCKD_T_HOST", "api.test", 1);
    unsetenv("MOCKD_T_UNSET");
    EXPECT_EQ(expandEnv("http://$MOCKD_T_HOST/x"), "http://api.test/x");
    EXPECT_EQ(expandEnv("${MOCKD_T_HOST}:80"), "api.test:80");
    EXPECT_EQ(expandEnv("[$MOCKD_T_UNSET]"), "[]");
    EXPECT_EQ(expandEnv("${MOCKD_T_UNSET:-fallback}"), "fallback");
    EXPECT_EQ(expandEnv("$.user.id costs $1.99"), "$.user.id costs $1.99");
    EXPECT_EQ(expandEnv("${not closed"), "${not closed");
    EXPECT_EQ(expandEnv("end$"), "end$");
}

// Found by tests/fuzz/config_fuzz: a YAML string with bytes that are not UTF-8 escaped the loader
// as a JSON exception (the process ended) instead of a message naming the line.
TEST(Loader, InvalidUtf8InYamlIsAConfigErrorWithTheLine) {
    std::string yaml =
        "mocks:\n  - type: http\n    http:\n      matcher: { path: /a }\n"
        "      response: { body: { message: \"bad \xff\xfe\" } }\n";
    std::string err = errorOf(yaml, true);
    EXPECT_NE(err.find("c.yaml:5"), std::string::npos) << err;
    EXPECT_NE(err.find("UTF-8"), std::string::npos) << err;
    EXPECT_EQ(errorOf("mocks:\n  - \"\xc0\xaf\": 1\n", true).find("<no error>"), std::string::npos);
    // Real UTF-8 still loads.
    EXPECT_EQ(errorOf("mocks:\n  - type: http\n    http:\n      matcher: { path: /caf\xc3\xa9 }\n"
                      "      response: { body: \"\xe2\x82\xac \xf0\x9f\x98\x80\" }\n",
                      true),
              "<no error>");
}

// Found by tests/fuzz/config_fuzz: a JSON number beyond double escaped the loader as a JSON
// exception instead of a config error.
TEST(Loader, JsonNumberOutOfRangeIsAConfigError) {
    std::string err = errorOf(R"({"mocks": [], "n": 1e309})", false);
    EXPECT_NE(err.find("invalid JSON"), std::string::npos) << err;
}

// Found by tests/fuzz/config_fuzz: a table's validation mode that is not a string (here null,
// after an unset $VAR) escaped the loader as a JSON type error.
TEST(Loader, ValidationModeOfTheWrongTypeIsAConfigError) {
    std::string err =
        errorOf("tables:\n  - name: t\n    validation: { mode: null }\nmocks: []\n", true);
    EXPECT_NE(err.find("validation.mode: must be strict, warn or permissive"), std::string::npos)
        << err;
}

TEST(FlowMappingPaths, QuotesUnquotedParamPathsOnly) {
    std::string y =
        "a:\n  matcher: { method: GET, path: /api/users/{id} }\n  b: { path: /plain }\n";
    auto lines = quoteFlowMappingPaths(y);
    ASSERT_EQ(lines, std::vector<int>{2});
    EXPECT_NE(y.find("path: \"/api/users/{id}\" }"), std::string::npos) << y;
    EXPECT_NE(y.find("path: /plain }"), std::string::npos);
    std::string quoted = "m: { path: \"/a/{id}\" }\n";
    EXPECT_TRUE(quoteFlowMappingPaths(quoted).empty());
}

TEST(Loader, ReadsTheSeedsFlowMappingWithAWarning) {
    auto cfg = loadText(
        "mocks:\n  - id: get-user\n    type: http\n    http:\n"
        "      matcher: { method: GET, path: /api/users/{id} }\n      response: { statusCode: 200 "
        "}\n",
        "t.yaml", true, fs::temp_directory_path());
    ASSERT_EQ(cfg.compiled.size(), 1u);
    EXPECT_EQ(cfg.compiled[0]->mock().matcher.path, "/api/users/{id}");
    ASSERT_EQ(cfg.warnings.size(), 1u);
    EXPECT_NE(cfg.warnings[0].find("t.yaml:5:"), std::string::npos) << cfg.warnings[0];
}

TEST(Loader, YamlScalarsFollowTheCoreSchema) {
    auto cfg = loadText(
        "mocks:\n- id: a\n  type: http\n  http:\n    matcher: {path: /a}\n"
        "    response: {statusCode: 201, body: {n: 1, f: 1.5, t: true, s: '007', z: null}}\n",
        "t.yaml", true, fs::temp_directory_path());
    EXPECT_EQ(cfg.compiled[0]->mock().response.statusCode, 201);
    EXPECT_EQ(cfg.compiled[0]->mock().response.body,
              R"({"f":1.5,"n":1,"s":"007","t":true,"z":null})");
}

TEST(Loader, ErrorsNameFileLineAndField) {
    EXPECT_EQ(errorOf("mocks:\n  - id: a\n    type: http\n    http:\n      matcher:\n"
                      "        path: api/users\n",
                      true),
              "c.yaml:6: mocks[0].http.matcher.path: must start with \"/\"");
    EXPECT_EQ(errorOf("{\n \"mocks\": [\n  {\"id\": \"a\", \"type\": \"http\",\n"
                      "   \"http\": {\"matcher\": {\"path\": \"/a\"},\n"
                      "     \"response\": {\"statusCode\": \"ok\"}}}]}",
                      false),
              "c.yaml:5: mocks[0].http.response.statusCode: must be an integer, not a string");
    EXPECT_NE(errorOf("mocks: [ { id: x ", true).find("c.yaml:1: invalid YAML"), std::string::npos);
    EXPECT_NE(errorOf("{\n\"mocks\": [,]}", false).find("c.yaml:2: invalid JSON"),
              std::string::npos);
    EXPECT_NE(errorOf("mocks:\n- {id: a, type: http, http: {matcher: {path: /a}}}\n"
                      "- {id: a, type: http, http: {matcher: {path: /b}}}\n",
                      true)
                  .find("mocks[1].id: duplicate mock id \"a\""),
              std::string::npos);
    EXPECT_NE(errorOf("mocks:\n- {type: http, http: {matcher: {}}}\n", true)
                  .find("at least one matching criterion"),
              std::string::npos);
    EXPECT_NE(errorOf("mocks:\n- {type: ftp}\n", true).find("mocks[0].type: unknown mock type"),
              std::string::npos);
    EXPECT_NE(errorOf("version: \"2.0\"\n", true).find("unsupported version"), std::string::npos);
    EXPECT_NE(errorOf("  \n", true).find("empty"), std::string::npos);
}

TEST(Loader, BodyFileMustStayInsideTheConfigDirectory) {
    auto msg = errorOf(
        "mocks:\n- {type: http, http: {matcher: {path: /a}, response: {bodyFile: "
        "../etc/passwd}}}\n",
        true);
    EXPECT_NE(msg.find("mocks[0].http.response.bodyFile"), std::string::npos) << msg;
    auto cfg = loadText(
        "mocks:\n- {type: http, http: {matcher: {path: /a}, response: {bodyFile: sub/b.json}}}\n",
        "t.yaml", true, "/srv/mocks");
    EXPECT_EQ(cfg.compiled[0]->mock().response.bodyFile, "/srv/mocks/sub/b.json");
}

TEST(Loader, UnknownFieldsWarnAndLegacyFormWorks) {
    auto cfg = loadText(
        R"({"mocks":[{"matcher":{"method":"GET","path":"/legacy"},"response":{"statusCode":204}},
                     {"type":"http","http":{"matcher":{"path":"/a","pth":"/x"}},"colour":"red"}],
           "tables":[{"name":"users"}], "extend":[]})",
        "t.json", false, fs::temp_directory_path());
    ASSERT_EQ(cfg.compiled.size(), 2u);
    EXPECT_EQ(cfg.compiled[0]->mock().type, "http");
    EXPECT_EQ(cfg.compiled[0]->mock().response.statusCode, 204);
    EXPECT_TRUE(cfg.compiled[0]->mock().id.starts_with("http_"));
    EXPECT_EQ(cfg.compiled[0]->mock().id.size(), 5u + 16u);
    ASSERT_EQ(cfg.warnings.size(), 2u);
    std::string all = cfg.warnings[0] + "\n" + cfg.warnings[1];
    EXPECT_NE(all.find("mocks[1].http.matcher.pth: unknown field, ignored"), std::string::npos)
        << all;
    EXPECT_NE(all.find("mocks[1].colour: unknown field, ignored"), std::string::npos) << all;
}

TEST(Loader, MissingFileIsOneClearLine) {
    try {
        loadFile("/nonexistent/does-not-exist.yaml");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "/nonexistent/does-not-exist.yaml: config file not found");
    }
}

// Sections whose behaviour is not built yet are errors naming the field and its line; settings
// that come from flags alone are warnings naming the flag.
TEST(LoaderUnbuilt, TopLevelSectionsAreErrors) {
    // Without a fetcher (the command line installs one), a URL import says so.
    EXPECT_EQ(errorOf("mocks: []\nimports:\n  - url: https://example.com/api.yaml\n", true),
              "c.yaml:3: imports[0].url: imports by URL are not available here");
    EXPECT_EQ(errorOf("mocks: []\nimports:\n  - url: ftp://example.com/api.yaml\n", true),
              "c.yaml:3: imports[0].url: must be an http:// or https:// URL");
    EXPECT_EQ(errorOf("mocks: []\nimports:\n  - as: x\n", true),
              "c.yaml:3: imports[0].path: is required (or give url)");
    EXPECT_EQ(errorOf("workspaces:\n  - name: a\n", true),
              "c.yaml:1: workspaces: is not supported yet (workspaces)");
    EXPECT_EQ(errorOf("websocketEndpoints:\n  - path: /ws\n", true),
              "c.yaml:1: websocketEndpoints: is not supported yet (WebSocket endpoints)");
    EXPECT_EQ(errorOf("imports: []\nworkspaces: []\n", true), "<no error>");  // nothing in them
}

TEST(LoaderUnbuilt, ServerConfigProtocolSectionsAreErrors) {
    EXPECT_EQ(errorOf("serverConfig:\n  httpsPort: 0\n  grpc:\n    - port: 50051\n", true),
              "c.yaml:3: serverConfig.grpc: is not supported yet (gRPC)");
    for (const char* k : {"graphql", "oauth", "soap", "mqtt", "audit"}) {
        std::string err = errorOf(std::string(R"({"serverConfig": {")") + k + R"(": {}}})", false);
        EXPECT_NE(err.find(std::string("serverConfig.") + k + ": is not supported yet"),
                  std::string::npos)
            << err;
    }
}

TEST(LoaderUnbuilt, ServerSettingsFromFlagsWarn) {
    auto cfg = loadText("serverConfig:\n  adminPort: 1\n  cors: { enabled: false }\n  zzz: 1\n",
                        "c.yaml", true, fs::temp_directory_path());
    ASSERT_EQ(cfg.warnings.size(), 2u);
    EXPECT_EQ(cfg.warnings[0],
              "c.yaml:2: serverConfig.adminPort: not read from the config file, ignored; set it "
              "with --admin-port");
    EXPECT_EQ(cfg.warnings[1], "c.yaml:4: serverConfig.zzz: unknown field, ignored");
}

}  // namespace
}  // namespace mockd::config
