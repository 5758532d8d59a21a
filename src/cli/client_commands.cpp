// Remote and file commands of the CLI.
#include "cli/client_commands.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/admin_client.h"
#include "cli/cli.h"
#include "cli/health_check.h"
#include "cli/stream_mocks.h"
#include "config/loader.h"
#include "core/mock_codec.h"
#include "core/yaml_json.h"
#include "portability/exports.h"
#include "portability/formats.h"

namespace mockd::cli {

using Json = nlohmann::json;
namespace fs = std::filesystem;

struct ClientCommands::State {
    // Shared options.
    std::string adminUrl = "http://localhost:4290";
    std::string apiKey;
    std::string dataDir;
    bool json = false;
    std::string pidFile;

    CLI::App *stop = nullptr, *status = nullptr, *list = nullptr, *get = nullptr, *add = nullptr,
             *update = nullptr, *del = nullptr, *verify = nullptr, *vStatus = nullptr,
             *vCheck = nullptr, *vInvocations = nullptr, *vReset = nullptr, *logs = nullptr,
             *import = nullptr, *exportCmd = nullptr, *health = nullptr, *wait = nullptr,
             *validate = nullptr, *init = nullptr, *stateful = nullptr, *sAdd = nullptr,
             *sList = nullptr, *sReset = nullptr, *sClear = nullptr, *sDelete = nullptr,
             *sItems = nullptr, *custom = nullptr, *cList = nullptr, *cGet = nullptr,
             *cAdd = nullptr, *cRun = nullptr, *cDelete = nullptr;
    std::string idField, idStrategy, seedFile, definition, input, inputFile, sort, order;
    size_t offset = 0;

    // Command arguments.
    std::string id, type, method = "GET", path, pathPattern, body, bodyFile, name, format;
    std::vector<std::string> headers, matchHeaders, matchQuery, files;
    std::string bodyContains, enabled, output, url, timeout = "10s", logMethod;
    int status_ = 200, priority = 0;
    int64_t delay = -1;
    bool allowDuplicate = false, yes = false, force = false, replace = false, dryRun = false,
         all = false, follow = false, clear = false, matched = false, unmatched = false,
         never = false, statusSet = false, includeStatic = false;
    int64_t exactly = -1, atLeast = -1, atMost = -1;
    size_t limit = 20;
    uint16_t port = 0;
    std::string addType;  // add [type]
    // add --table T --bind A [--operation N], --stateful-operation N, --stateful NAME
    std::string table, bind, operation, statefulOperation, statefulTable;
    std::string listConfig;          // list -c: list a config file instead of the server
    bool noTruncate = false;         // list -w
    std::string delPath, delMethod;  // delete --path/--method
    std::string protocol;            // logs --protocol
    bool verbose = false;            // logs --verbose
    std::string initTemplate;        // init -t
    HealthOptions healthOpts, waitOpts;
    // add --sse ... and add websocket ...: streaming mocks (mockd's flags).
    SseFlags sse;
    WebsocketFlags websocket;
};

namespace {

std::string readFileOrThrow(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ClientError("cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool splitPair(const std::string& s, char sep1, char sep2, std::string& k, std::string& v) {
    size_t p = s.find(sep1);
    if (p == std::string::npos && sep2) p = s.find(sep2);
    if (p == std::string::npos || p == 0) return false;
    k = s.substr(0, p);
    v = s.substr(p + 1);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    return true;
}

std::string pad(std::string s, size_t w) {
    if (s.size() > w) s = s.substr(0, w - 1) + "…";
    while (s.size() < w) s += ' ';
    return s;
}

fs::path pidFilePath(const std::string& given) {
    if (!given.empty()) return given;
    const char* h = std::getenv("HOME");
    return fs::path(h && *h ? h : ".") / ".mockd" / "mockd.pid";
}

std::optional<Json> readPidFile(const fs::path& p) {
    std::ifstream in(p);
    if (!in) return std::nullopt;
    auto j = Json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("pid")) return std::nullopt;
    return j;
}

// A process that exited but was not reaped yet (a zombie) counts as gone.
bool alive(long pid) {
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM)) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    size_t close = line.rfind(')');
    return !(close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z');
}

std::string percentEncode(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool oneOf(const std::string& v, const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

std::string joined(const std::vector<std::string>& list) {
    std::string out;
    for (const auto& v : list) out += (out.empty() ? "" : ", ") + v;
    return out;
}

const std::vector<std::string> kMockTypes = {"http", "websocket", "graphql", "grpc",
                                             "mqtt", "soap",      "oauth"};
const std::vector<std::string> kLogProtocols = {"http",    "grpc",      "mqtt", "soap",
                                                "graphql", "websocket", "sse"};
// mockd's init templates that this build does not ship.
const std::vector<std::string> kOtherInitTemplates = {
    "websocket-chat", "graphql-api", "grpc-service", "mqtt-iot", "minimal", "full", "api"};

const char* kInitTemplate = R"(# A mockd collection: run it with `mockd start --config mockd.yaml`.
version: "1.0"
mocks:
  - id: hello
    name: Hello world
    type: http
    http:
      matcher: { method: GET, path: /api/hello }
      response:
        statusCode: 200
        body: { message: "Hello from mockd" }

  - id: get-user
    name: Get a user
    type: http
    http:
      matcher: { method: GET, path: "/api/users/{id}" }
      response:
        statusCode: 200
        body: { id: 1, name: Ada Lovelace }

  - id: create-user
    name: Create a user
    type: http
    http:
      matcher: { method: POST, path: /api/users }
      response:
        statusCode: 201
        body: { id: 2, created: true }
)";

const char* kCrudTemplate =
    R"(# A mockd collection: a REST CRUD API for "resources", kept in a table.
# Run it with `mockd start --config mockd.yaml`, then try:
#   curl http://localhost:4280/api/resources
#   curl -X POST http://localhost:4280/api/resources -H 'Content-Type: application/json' \
#        -d '{"name": "New resource", "status": "pending"}'
#   curl http://localhost:4280/api/resources/res_001
#   curl -X DELETE http://localhost:4280/api/resources/res_001
# `mockd stateful reset resources` puts the table back to its seed items.
version: "1.0"
tables:
  - name: resources
    seedData:
      - { id: res_001, name: Resource One, status: active }
      - { id: res_002, name: Resource Two, status: pending }
      - { id: res_003, name: Resource Three, status: active }

mocks:
  - id: crud-list-resources
    name: List resources
    type: http
    http:
      matcher: { method: GET, path: /api/resources }
  - id: crud-create-resource
    name: Create a resource
    type: http
    http:
      matcher: { method: POST, path: /api/resources }
  - id: crud-get-resource
    name: Get a resource
    type: http
    http:
      matcher: { method: GET, path: "/api/resources/{id}" }
  - id: crud-update-resource
    name: Replace a resource
    type: http
    http:
      matcher: { method: PUT, path: "/api/resources/{id}" }
  - id: crud-patch-resource
    name: Change part of a resource
    type: http
    http:
      matcher: { method: PATCH, path: "/api/resources/{id}" }
  - id: crud-delete-resource
    name: Delete a resource
    type: http
    http:
      matcher: { method: DELETE, path: "/api/resources/{id}" }

extend:
  - { mock: crud-list-resources, table: resources, action: list }
  - { mock: crud-create-resource, table: resources, action: create }
  - { mock: crud-get-resource, table: resources, action: get }
  - { mock: crud-update-resource, table: resources, action: update }
  - { mock: crud-patch-resource, table: resources, action: patch }
  - { mock: crud-delete-resource, table: resources, action: delete }
)";

const char* kInitTemplateList = R"(Templates for `mockd init -t NAME`:
  default   HTTP mocks to start from: a greeting, a user lookup and a user creation
  crud      A REST CRUD API on /api/resources (list, create, get, replace, patch, delete),
            kept in a table with three seed items
)";

}  // namespace

void registerStateful(CLI::App& app, ClientCommands::State& s,
                      const std::function<void(CLI::App*)>& shared);

void addAdminClientFlags(CLI::App* cmd, std::string& adminUrl, std::string& apiKey,
                         std::string& dataDir, bool& json) {
    cmd->add_option("--admin-url", adminUrl, "Admin API of the running server")
        ->envname("MOCKD_ADMIN_URL")
        ->capture_default_str();
    cmd->add_option("--api-key", apiKey, "Admin API key (default: MOCKD_API_KEY or the key file)")
        ->envname("MOCKD_API_KEY");
    cmd->add_option("--data-dir", dataDir, "Data directory holding the key file");
    cmd->add_flag("--json", json, "Machine-readable output");
}

// The flags of `mockd add` (mockd's names): the matcher, the response, table bindings, SSE
// and WebSocket.
void addMockFlags(CLI::App* add, ClientCommands::State& s) {
    add->add_option("type", s.addType, "Mock type (default http)");
    add->add_option("-m,--method", s.method, "HTTP method")->capture_default_str();
    add->add_option("--path", s.path, "Path: exact, {param}, or with * wildcards");
    add->add_option("--path-pattern", s.pathPattern, "Path regular expression");
    add->add_option("-s,--status", s.status_, "Response status")->capture_default_str();
    add->add_option("-b,--body", s.body, "Response body");
    add->add_option("--body-file", s.bodyFile, "Read the response body from this file");
    add->add_option("-H,--header", s.headers, "Response header name:value (repeat)");
    add->add_option("--match-header", s.matchHeaders,
                    "Request header to match, name:value (repeat)");
    add->add_option("--match-query", s.matchQuery, "Query parameter to match, k=v (repeat)");
    add->add_option("--match-body-contains", s.bodyContains, "Request body must contain this");
    add->add_option("--priority", s.priority, "Tie-break priority");
    add->add_option("--delay", s.delay, "Delay in milliseconds");
    add->add_option("-n,--name", s.name, "Mock name");
    add->add_flag("--allow-duplicate", s.allowDuplicate,
                  "Add even if a mock has the same method and path");
    add->add_option("--table", s.table, "Bind the mock to this table (with --bind)");
    add->add_option("--bind", s.bind,
                    "The table action: list, get, create, update, patch, delete or custom");
    add->add_option("--operation", s.operation, "The custom operation of --bind custom");
    add->add_option("--stateful-operation", s.statefulOperation,
                    "Answer by running this custom operation");
    add->add_option("--stateful", s.statefulTable,
                    "Create this table; with --path, also its list, create, get, update and "
                    "delete mocks under the path");
    addSseFlags(add, s.sse, true);
    addWebsocketFlags(add, s.websocket);
}

ClientCommands::ClientCommands(CLI::App& app) : s_(std::make_unique<State>()) {
    State& s = *s_;
    auto shared = [&](CLI::App* cmd) {
        addAdminClientFlags(cmd, s.adminUrl, s.apiKey, s.dataDir, s.json);
    };

    s.stop = app.add_subcommand("stop", "Stop the server started with `mockd start`");
    s.stop->add_option("--pid-file", s.pidFile, "PID file (default: ~/.mockd/mockd.pid)");
    s.stop->add_flag("-f,--force", s.force, "Kill at once (SIGKILL) instead of draining");
    s.stop->add_option("--timeout", s.timeout, "How long to wait for it to exit")
        ->capture_default_str();

    s.status = app.add_subcommand("status", "Show whether the server runs, its ports and mocks");
    s.status->add_option("--pid-file", s.pidFile, "PID file (default: ~/.mockd/mockd.pid)");
    shared(s.status);

    s.list =
        app.add_subcommand("list", "List the mocks of the running server, or of a config file");
    s.list->add_option("-c,--config", s.listConfig,
                       "List the mocks of this config file (no server needed)");
    s.list->add_option("-t,--type", s.type, "Only mocks of this type (http, ...)");
    s.list->add_flag("-w,--no-truncate", s.noTruncate, "Show full ids and paths");
    shared(s.list);

    s.get = app.add_subcommand("get", "Show one mock as JSON");
    s.get->add_option("id", s.id, "Mock id (or a unique prefix)")->required();
    shared(s.get);

    s.add = app.add_subcommand(
        "add",
        "Add a mock (updates the mock with the same method and path unless --allow-duplicate)");
    addMockFlags(s.add, s);
    shared(s.add);

    s.update = app.add_subcommand("update", "Change parts of a mock");
    s.update->add_option("id", s.id, "Mock id (or a unique prefix)")->required();
    s.update->add_option("-b,--body", s.body, "New response body");
    s.update->add_option("--body-file", s.bodyFile, "New response body from a file");
    s.update->add_option("-s,--status", s.status_, "New response status")
        ->each([&s](const std::string&) { s.statusSet = true; });
    s.update->add_option("-H,--header", s.headers, "Response header name:value (repeat)");
    s.update->add_option("--delay", s.delay, "Delay in milliseconds");
    s.update->add_option("-n,--name", s.name, "New name");
    s.update->add_option("--enabled", s.enabled, "true or false");
    shared(s.update);

    s.del = app.add_subcommand(
        "delete", "Delete a mock by id or unique id prefix, or the mocks with a path (--path)");
    s.del->alias("rm");
    s.del->alias("remove");
    s.del->add_option("id", s.id, "Mock id (or a unique prefix)");
    s.del->add_option("--path", s.delPath, "Delete the mocks with exactly this path");
    s.del->add_option("--method", s.delMethod, "With --path: only mocks of this HTTP method");
    s.del->add_flag("-y,--yes", s.yes, "Delete every mock --path matches without asking");
    shared(s.del);

    s.verify = app.add_subcommand("verify", "Check how often mocks were called");
    s.verify->require_subcommand(1);
    s.vStatus = s.verify->add_subcommand("status", "Call count of a mock");
    s.vStatus->add_option("id", s.id, "Mock id")->required();
    shared(s.vStatus);
    s.vCheck =
        s.verify->add_subcommand("check", "Assert a call count; exit 0 when it holds, 1 when not");
    s.vCheck->add_option("id", s.id, "Mock id")->required();
    s.vCheck->add_option("--exactly", s.exactly, "Called exactly N times");
    s.vCheck->add_option("--at-least", s.atLeast, "Called at least N times");
    s.vCheck->add_option("--at-most", s.atMost, "Called at most N times");
    s.vCheck->add_flag("--never", s.never, "Never called");
    shared(s.vCheck);
    s.vInvocations = s.verify->add_subcommand("invocations", "Requests that hit a mock");
    s.vInvocations->add_option("id", s.id, "Mock id")->required();
    shared(s.vInvocations);
    s.vReset = s.verify->add_subcommand("reset", "Reset the counts of one mock, or all");
    s.vReset->add_option("id", s.id, "Mock id");
    s.vReset->add_flag("--all", s.all, "Reset every mock");
    shared(s.vReset);

    s.logs = app.add_subcommand("logs", "Show the request log");
    s.logs->add_option("-n,--limit", s.limit, "How many (newest first)")->capture_default_str();
    s.logs->add_option("-m,--method", s.logMethod, "Only this method");
    s.logs->add_option("-p,--path", s.path, "Only paths containing this");
    s.logs->add_option("--protocol", s.protocol,
                       "Only this protocol: http, grpc, mqtt, soap, graphql, websocket or sse");
    s.logs->add_flag("--verbose", s.verbose, "Show each request's query, headers and body too");
    s.logs->add_flag("--matched", s.matched, "Only requests that matched a mock");
    s.logs->add_flag("--unmatched", s.unmatched, "Only requests that matched nothing");
    s.logs->add_flag("--clear", s.clear, "Empty the request log");
    s.logs->add_flag("-f,--follow", s.follow, "Keep printing new requests");
    shared(s.logs);

    s.import = app.add_subcommand(
        "import",
        "Load mocks into the server from a mockd collection, an OpenAPI 3 or Swagger 2 spec, a "
        "Postman collection, a HAR file, WireMock mappings, a Mockoon environment or a curl "
        "command");
    s.import->add_option("source", s.id,
                         "File, directory, curl command line, or - (the default) for standard "
                         "input");
    s.import->add_option("-f,--format", s.format,
                         "mockd, openapi, postman, har, wiremock, mockoon or curl (default: "
                         "detected from the file name and content)");
    s.import->add_flag("--replace", s.replace, "Replace every mock instead of merging");
    s.import->add_flag("--dry-run", s.dryRun, "Check the file without changing anything");
    s.import->add_flag("--include-static", s.includeStatic,
                       "HAR: keep scripts, styles, images and fonts");
    shared(s.import);

    s.exportCmd = app.add_subcommand("export", "Write the server's mocks as a mockd collection");
    s.exportCmd->add_option("-o,--output", s.output,
                            "File (.yaml/.yml gives YAML); default stdout");
    s.exportCmd->add_option("-n,--name", s.name, "Collection name");
    s.exportCmd->add_option("-f,--format", s.format,
                            "mockd (yaml or json), openapi, postman, insomnia or wiremock "
                            "(default: mockd, YAML for a .yaml/.yml file, else JSON)");
    shared(s.exportCmd);

    auto hc = addHealthCommands(app, s.healthOpts, s.waitOpts);
    s.health = hc.health;
    s.wait = hc.wait;

    s.validate = app.add_subcommand("validate", "Check config files without starting a server");
    s.validate->add_option("files", s.files, "Config files")->required();
    s.validate->add_flag("--json", s.json, "Machine-readable output");

    registerStateful(app, s, shared);

    s.init = app.add_subcommand("init", "Write a starter config");
    s.init->add_option("-o,--output", s.output, "File to write (default mockd.yaml)");
    s.init->add_option("--format", s.format, "yaml or json");
    s.init->add_flag("--force", s.force, "Overwrite an existing file");
    s.init->add_option("-t,--template", s.initTemplate,
                       "Starter to write: default or crud (list: show the templates)");
}

void registerStateful(CLI::App& app, ClientCommands::State& s,
                      const std::function<void(CLI::App*)>& shared) {
    s.stateful = app.add_subcommand("stateful", "Manage tables and custom operations");
    s.stateful->require_subcommand(1);
    s.sAdd = s.stateful->add_subcommand("add", "Create a table");
    s.sAdd->add_option("name", s.id, "Table name")->required();
    s.sAdd->add_option("--id-field", s.idField, "Id field (default id)");
    s.sAdd->add_option("--id-strategy", s.idStrategy, "uuid, prefix, ulid, sequence or short");
    s.sAdd->add_option("--seed-file", s.seedFile, "JSON file with an array of seed items");
    shared(s.sAdd);
    s.sList = s.stateful->add_subcommand("list", "List tables with their item counts");
    shared(s.sList);
    s.sReset =
        s.stateful->add_subcommand("reset", "Put a table (or all with --all) back to its seeds");
    s.sReset->add_option("name", s.id, "Table name");
    s.sReset->add_flag("--all", s.all, "Reset every table");
    shared(s.sReset);
    s.sClear = s.stateful->add_subcommand("clear", "Remove every item of a table (seeds too)");
    s.sClear->add_option("name", s.id, "Table name")->required();
    shared(s.sClear);
    s.sDelete = s.stateful->add_subcommand("delete", "Remove a table");
    s.sDelete->add_option("name", s.id, "Table name")->required();
    shared(s.sDelete);
    s.sItems = s.stateful->add_subcommand("items", "List the items of a table");
    s.sItems->add_option("name", s.id, "Table name")->required();
    s.sItems->add_option("--limit", s.limit, "How many")->capture_default_str();
    s.sItems->add_option("--offset", s.offset, "Skip this many");
    s.sItems->add_option("--sort", s.sort, "Sort by this field");
    s.sItems->add_option("--order", s.order, "asc or desc");
    shared(s.sItems);
    s.custom = s.stateful->add_subcommand("custom", "Manage custom operations");
    s.custom->require_subcommand(1);
    s.cList = s.custom->add_subcommand("list", "List custom operations");
    shared(s.cList);
    s.cGet = s.custom->add_subcommand("get", "Show a custom operation");
    s.cGet->add_option("name", s.id, "Operation name")->required();
    shared(s.cGet);
    s.cAdd = s.custom->add_subcommand("add", "Add or replace a custom operation");
    s.cAdd->add_option("--file", s.seedFile, "JSON or YAML file with the definition");
    s.cAdd->add_option("--definition", s.definition, "The definition as JSON");
    shared(s.cAdd);
    s.cRun = s.custom->add_subcommand("run", "Run a custom operation");
    s.cRun->add_option("name", s.id, "Operation name")->required();
    s.cRun->add_option("--input", s.input, "Input as JSON");
    s.cRun->add_option("--input-file", s.inputFile, "Input from a JSON file");
    shared(s.cRun);
    s.cDelete = s.custom->add_subcommand("delete", "Remove a custom operation");
    s.cDelete->add_option("name", s.id, "Operation name")->required();
    shared(s.cDelete);
}

ClientCommands::~ClientCommands() = default;

namespace {

using State = ClientCommands::State;

AdminClient client(const State& s) {
    std::string key = s.apiKey.empty() ? keyFromDataDir(s.dataDir) : s.apiKey;
    return AdminClient(s.adminUrl, key);
}

// What a stateful command did: its answer with --json, else a sentence.
void say(const State& s, const Json& j, const std::string& text) {
    if (s.json)
        printJson(j);
    else
        std::printf("%s\n", text.c_str());
}

int runStop(const State& s) {
    auto pf = pidFilePath(s.pidFile);
    auto pid = readPidFile(pf);
    if (!pid) {
        std::fprintf(stderr, "mockd: no running server (no PID file at %s)\n", pf.c_str());
        return 1;
    }
    long p = (*pid)["pid"].get<long>();
    if (!alive(p)) {
        std::error_code ec;
        fs::remove(pf, ec);
        std::fprintf(stderr,
                     "mockd: the server (pid %ld) is not running; removed its stale PID file\n", p);
        return 1;
    }
    ::kill(static_cast<pid_t>(p), s.force ? SIGKILL : SIGTERM);
    std::chrono::milliseconds wait{};
    if (!parseDuration(s.timeout, wait))
        throw ClientError("--timeout: not a duration: " + s.timeout);
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (alive(p) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (alive(p)) {
        std::fprintf(stderr, "mockd: pid %ld is still running after %s; try `mockd stop --force`\n",
                     p, s.timeout.c_str());
        return 1;
    }
    std::error_code ec;
    if (s.force) fs::remove(pf, ec);
    std::printf("mockd stopped (pid %ld)\n", p);
    return 0;
}

int runStatus(const State& s) {
    auto pf = pidFilePath(s.pidFile);
    auto pid = readPidFile(pf);
    std::string url = s.adminUrl;
    if (pid && pid->contains("components") && s.adminUrl == "http://localhost:4290")
        url =
            "http://localhost:" + std::to_string((*pid)["components"]["admin"].value("port", 4290));
    AdminClient c(url, s.apiKey.empty() ? keyFromDataDir(s.dataDir) : s.apiKey);
    HttpResult r;
    try {
        r = c.call("GET", "/status");
    } catch (const ClientError&) {
        if (s.json)
            printJson({{"running", false}});
        else
            std::printf("mockd is not running\n");
        return 1;
    }
    auto st = expectOk(r);
    if (s.json) {
        printJson(st);
        return 0;
    }
    std::printf(
        "mockd is running (version %s)\n  mock server: http://localhost:%d\n  admin API:   "
        "http://localhost:%d\n"
        "  mocks: %d (%d enabled)\n  requests: %d\n  uptime: %ds\n",
        st.value("version", "").c_str(), st.value("httpPort", 0), st.value("adminPort", 0),
        st.value("mockCount", 0), st.value("activeMocks", 0), st.value("requestCount", 0),
        st.value("uptime", 0));
    if (pid) std::printf("  pid: %ld\n", (*pid)["pid"].get<long>());
    return 0;
}

int runList(const State& s) {
    Json mocks = Json::array();
    if (!s.listConfig.empty()) {
        auto cfg = config::loadFile(s.listConfig);
        for (const auto& w : cfg.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
        for (const auto& c : cfg.compiled)
            if (s.type.empty() || lower(c->mock().type) == lower(s.type))
                mocks.push_back(core::encodeMock(c->mock()));
    } else {
        std::string target = "/mocks";
        if (!s.type.empty()) target += "?type=" + s.type;
        mocks = expectOk(client(s).call("GET", target))["mocks"];
    }
    if (s.json) {
        printJson(mocks);
        return 0;
    }
    std::vector<std::vector<std::string>> rows = {
        {"ID", "TYPE", "METHOD", "PATH", "STATUS", "ENABLED"}};
    for (const auto& m : mocks) {
        Json http = m.value("http", Json::object());
        Json matcher = http.value("matcher", Json::object());
        rows.push_back(
            {m.value("id", ""), m.value("type", ""), matcher.value("method", "*"),
             matcher.value("path", matcher.value("pathPattern", "")),
             std::to_string(http.value("response", Json::object()).value("statusCode", 200)),
             m.value("enabled", true) ? "yes" : "no"});
    }
    // Fixed columns that cut long ids and paths short, or (-w) as wide as their cells.
    std::vector<size_t> widths = {26, 6, 7, 32, 6};
    if (s.noTruncate)
        for (const auto& r : rows)
            for (size_t i = 0; i < widths.size(); ++i) widths[i] = std::max(widths[i], r[i].size());
    for (const auto& r : rows) {
        std::string line;
        for (size_t i = 0; i < widths.size(); ++i) line += pad(r[i], widths[i]) + " ";
        std::printf("%s%s\n", line.c_str(), r[5].c_str());
    }
    std::printf("%zu mock(s)\n", mocks.size());
    return 0;
}

int runGet(const State& s) {
    auto c = client(s);
    printJson(expectOk(c.call("GET", "/mocks/" + resolveId(c, s.id))));
    return 0;
}

namespace {

// --stateful NAME [--path P]: the table, and with a path its five CRUD mocks (mockd's set:
// GET and POST on P, GET, PUT and DELETE on P/{id}).
int addStatefulResource(const State& s) {
    if (!s.body.empty() || !s.bodyFile.empty() || s.sse.wanted() || !s.table.empty() ||
        !s.statefulOperation.empty())
        throw ClientError("--stateful makes a table and its mocks: it takes --path only");
    Json doc = {{"version", "1.0"}, {"tables", Json::array({{{"name", s.statefulTable}}})}};
    Json endpoints = Json::array();
    if (!s.path.empty()) {
        std::string base = s.path;
        while (base.size() > 1 && base.back() == '/') base.pop_back();
        const std::pair<const char*, const char*> kCrud[] = {{"GET", "list"},
                                                             {"POST", "create"},
                                                             {"GET", "get"},
                                                             {"PUT", "update"},
                                                             {"DELETE", "delete"}};
        for (const auto& [method, action] : kCrud) {
            bool item = std::string(action) != "list" && std::string(action) != "create";
            std::string path = item ? base + "/{id}" : base;
            doc["mocks"].push_back(
                {{"type", "http"},
                 {"name", s.statefulTable + " " + action},
                 {"http",
                  {{"matcher", {{"method", method}, {"path", path}}},
                   {"statefulBinding", {{"table", s.statefulTable}, {"action", action}}}}}});
            endpoints.push_back(std::string(method) + " " + path);
        }
    }
    expectOk(client(s).call("POST", "/config", doc.dump()));
    if (s.json) {
        Json out = {{"resource", s.statefulTable}, {"action", "created"}};
        if (!endpoints.empty()) out["endpoints"] = endpoints, out["basePath"] = s.path;
        printJson(out);
    } else {
        std::printf("Created table: %s\n", s.statefulTable.c_str());
        for (const auto& e : endpoints) std::printf("  %s\n", e.get<std::string>().c_str());
    }
    return 0;
}

// --table T --bind A (and --operation N), or --stateful-operation N: the mock answers from a
// table or a custom operation instead of a static response.
void bindToState(const State& s, Json& http) {
    if (s.table.empty() != s.bind.empty()) throw ClientError("--table and --bind go together");
    const bool bound = !s.table.empty();
    if (!bound && s.statefulOperation.empty()) {
        if (!s.operation.empty()) throw ClientError("--operation is for --bind custom");
        return;
    }
    if (bound && !s.statefulOperation.empty())
        throw ClientError("give --table/--bind or --stateful-operation, not both");
    if (!s.body.empty() || !s.bodyFile.empty() || s.sse.wanted())
        throw ClientError(
            "a mock bound to a table or an operation answers from it: no --body "
            "or --sse");
    http.erase("response");
    if (!bound) {
        http["statefulOperation"] = s.statefulOperation;
        return;
    }
    static const std::vector<std::string> kActions = {"list",  "get",    "create", "update",
                                                      "patch", "delete", "custom"};
    if (!oneOf(s.bind, kActions))
        throw ClientError("--bind must be one of " + joined(kActions) + ", not \"" + s.bind + "\"");
    if (s.bind == "custom" && s.operation.empty())
        throw ClientError("--bind custom needs --operation NAME");
    http["statefulBinding"] = {{"table", s.table}, {"action", s.bind}};
    if (!s.operation.empty()) http["statefulBinding"]["operation"] = s.operation;
}

}  // namespace

int runAdd(State& s) {
    if (!s.statefulTable.empty()) return addStatefulResource(s);
    if (lower(s.addType) == "websocket") {
        if (s.sse.wanted()) throw ClientError("--sse flags make http mocks, not websocket ones");
        Json mock = websocketMock(s.path, s.websocket);
        if (!s.name.empty()) mock["name"] = s.name;
        auto c = client(s);
        return createOrReplace(c, mock, s.allowDuplicate ? "" : sameEndpoint(c, mock), s.json);
    }
    if (s.websocket.echo || !s.websocket.message.empty())
        throw ClientError("--echo and --message are for websocket mocks: mockd add websocket");
    if (std::string type = lower(s.addType); !type.empty() && type != "http") {
        if (oneOf(type, kMockTypes))
            throw ClientError("adding " + type +
                              " mocks is not supported yet; `mockd add` makes http mocks");
        throw ClientError("unknown mock type \"" + s.addType + "\" (types: " + joined(kMockTypes) +
                          ")");
    }
    if (s.path.empty() && s.pathPattern.empty())
        throw ClientError("add needs --path or --path-pattern");
    for (auto& ch : s.method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    Json matcher = {{"method", s.method}};
    if (!s.path.empty()) matcher["path"] = s.path;
    if (!s.pathPattern.empty()) matcher["pathPattern"] = s.pathPattern;
    std::string k, v;
    for (const auto& h : s.matchHeaders) {
        if (!splitPair(h, ':', 0, k, v))
            throw ClientError("--match-header wants name:value, not " + h);
        matcher["headers"][k] = v;
    }
    for (const auto& q : s.matchQuery) {
        if (!splitPair(q, '=', ':', k, v)) throw ClientError("--match-query wants k=v, not " + q);
        matcher["queryParams"][k] = v;
    }
    if (!s.bodyContains.empty()) matcher["bodyContains"] = s.bodyContains;
    Json response = {{"statusCode", s.status_}};
    if (!s.bodyFile.empty())
        response["body"] = readFileOrThrow(s.bodyFile);
    else if (!s.body.empty())
        response["body"] = s.body;
    for (const auto& h : s.headers) {
        if (!splitPair(h, ':', 0, k, v)) throw ClientError("--header wants name:value, not " + h);
        response["headers"][k] = v;
    }
    if (s.delay >= 0) response["delayMs"] = s.delay;
    Json mock = {{"type", "http"}, {"http", {{"matcher", matcher}}}};
    if (s.sse.wanted()) {
        if (!s.body.empty() || !s.bodyFile.empty())
            throw ClientError("--sse answers with events: give --sse-event, not --body");
        mock["http"]["sse"] = sseBlock(s.sse);
    } else {
        mock["http"]["response"] = response;
    }
    bindToState(s, mock["http"]);
    if (s.priority) mock["http"]["priority"] = s.priority;
    if (!s.name.empty()) mock["name"] = s.name;
    auto c = client(s);
    return createOrReplace(c, mock, s.allowDuplicate ? "" : sameEndpoint(c, mock), s.json);
}

int runUpdate(const State& s) {
    auto c = client(s);
    std::string id = resolveId(c, s.id);
    Json patch = Json::object();
    Json response = Json::object();
    if (!s.bodyFile.empty())
        response["body"] = readFileOrThrow(s.bodyFile);
    else if (!s.body.empty())
        response["body"] = s.body;
    if (s.statusSet) response["statusCode"] = s.status_;
    if (s.delay >= 0) response["delayMs"] = s.delay;
    std::string k, v;
    for (const auto& h : s.headers) {
        if (!splitPair(h, ':', 0, k, v)) throw ClientError("--header wants name:value, not " + h);
        response["headers"][k] = v;
    }
    if (!response.empty()) patch["http"]["response"] = response;
    if (!s.name.empty()) patch["name"] = s.name;
    if (!s.enabled.empty()) {
        if (s.enabled != "true" && s.enabled != "false")
            throw ClientError("--enabled takes true or false");
        patch["enabled"] = s.enabled == "true";
    }
    if (patch.empty())
        throw ClientError("nothing to update: give -b, -s, -H, --delay, -n or --enabled");
    auto res = expectOk(c.call("PATCH", "/mocks/" + id, patch.dump()));
    if (s.json)
        printJson(res);
    else
        std::printf("Updated mock: %s\n", id.c_str());
    return 0;
}

int runDelete(const State& s) {
    if (!s.delPath.empty() && !s.id.empty())
        throw ClientError("give a mock id or --path, not both");
    if (!s.delMethod.empty() && s.delPath.empty()) throw ClientError("--method needs --path");
    if (s.delPath.empty() && s.id.empty())
        throw ClientError("give a mock id (or a unique id prefix), or --path");
    auto c = client(s);
    if (!s.delPath.empty()) {
        std::string method = s.delMethod;
        for (auto& ch : method)
            ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        std::vector<Json> hits;
        const Json all = expectOk(c.call("GET", "/mocks"));
        for (const auto& m : all["mocks"]) {
            Json matcher = m.value("http", Json::object()).value("matcher", Json::object());
            std::string path = matcher.value("path", matcher.value("pathPattern", ""));
            std::string mm = matcher.value("method", "");
            for (auto& ch : mm)
                ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            if (path == s.delPath && (method.empty() || mm == method)) hits.push_back(m);
        }
        std::string what = (method.empty() ? "" : method + " ") + s.delPath;
        if (hits.empty()) throw ClientError("no mocks found matching " + what);
        if (hits.size() > 1 && !s.yes) {
            std::string ids;
            for (const auto& h : hits) ids += " " + h.value("id", "");
            if (!::isatty(STDIN_FILENO))
                throw ClientError(std::to_string(hits.size()) + " mocks match " + what + ":" + ids +
                                  "; give -y to delete them all");
            std::printf("Found %zu mocks matching %s:\n", hits.size(), what.c_str());
            for (const auto& h : hits) {
                Json matcher = h.value("http", Json::object()).value("matcher", Json::object());
                std::printf("  %s  %s %s\n", h.value("id", "").c_str(),
                            matcher.value("method", "*").c_str(), s.delPath.c_str());
            }
            std::printf("Delete all %zu mocks? [y/N]: ", hits.size());
            std::fflush(stdout);
            std::string answer;
            std::getline(std::cin, answer);
            answer = lower(answer);
            while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.back())))
                answer.pop_back();
            if (answer != "y" && answer != "yes") {
                std::printf("Cancelled\n");
                return 0;
            }
        }
        for (const auto& h : hits) expectOk(c.call("DELETE", "/mocks/" + h.value("id", "")), {204});
        if (hits.size() == 1)
            std::printf("Deleted mock: %s\n", hits[0].value("id", "").c_str());
        else
            std::printf("Deleted %zu mock(s)\n", hits.size());
        return 0;
    }
    std::string id = resolveId(c, s.id);
    expectOk(c.call("DELETE", "/mocks/" + id), {204});
    std::printf("Deleted mock: %s\n", id.c_str());
    return 0;
}

int runVerifyStatus(const State& s) {
    auto j = expectOk(client(s).call("GET", "/mocks/" + s.id + "/verify"));
    if (s.json)
        printJson(j);
    else
        std::printf("%s: called %d time(s)%s\n", s.id.c_str(), j.value("callCount", 0),
                    j.contains("lastCalledAt")
                        ? (", last at " + j["lastCalledAt"].get<std::string>()).c_str()
                        : "");
    return 0;
}

int runVerifyCheck(const State& s) {
    Json crit = Json::object();
    if (s.exactly >= 0) crit["exactly"] = s.exactly;
    if (s.atLeast >= 0) crit["atLeast"] = s.atLeast;
    if (s.atMost >= 0) crit["atMost"] = s.atMost;
    if (s.never) crit["never"] = true;
    if (crit.empty()) throw ClientError("give --exactly N, --at-least N, --at-most N or --never");
    auto j = expectOk(client(s).call("POST", "/mocks/" + s.id + "/verify", crit.dump()));
    if (s.json)
        printJson(j);
    else
        std::printf("%s %s\n", j.value("passed", false) ? "PASS" : "FAIL",
                    j.value("message", "").c_str());
    return j.value("passed", false) ? 0 : 1;
}

int runVerifyInvocations(const State& s) {
    auto j = expectOk(client(s).call("GET", "/mocks/" + s.id + "/invocations"));
    if (s.json) {
        printJson(j);
        return 0;
    }
    for (const auto& inv : j["invocations"])
        std::printf("%s  %s %s\n", inv.value("timestamp", "").c_str(),
                    inv.value("method", "").c_str(), inv.value("path", "").c_str());
    std::printf("%d invocation(s)\n", j.value("total", 0));
    return 0;
}

int runVerifyReset(const State& s) {
    if (s.id.empty() && !s.all) throw ClientError("give a mock id, or --all");
    auto c = client(s);
    auto j = s.all ? expectOk(c.call("DELETE", "/verify"))
                   : expectOk(c.call("DELETE", "/mocks/" + s.id + "/invocations"));
    if (s.json)
        printJson(j);
    else
        std::printf("%s\n", j.value("message", "reset").c_str());
    return 0;
}

int runLogs(const State& s) {
    std::string protocol = lower(s.protocol);
    if (!protocol.empty() && !oneOf(protocol, kLogProtocols))
        throw ClientError("--protocol must be one of " + joined(kLogProtocols) + ", not \"" +
                          s.protocol + "\"");
    auto c = client(s);
    if (s.clear) {
        auto j = expectOk(c.call("DELETE", "/requests"));
        std::printf("%s\n", j.value("message", "").c_str());
        return 0;
    }
    auto line = [&](const Json& e) {
        if (s.json) {
            std::cout << e.dump() << std::endl;
            return;
        }
        std::string mock = e.value("matchedMockID", "");
        std::printf("%s  %-6s %-40s %d  %s\n", e.value("timestamp", "").c_str(),
                    e.value("method", "").c_str(), e.value("path", "").c_str(),
                    e.value("responseStatus", 0), mock.empty() ? "(no match)" : mock.c_str());
        if (s.verbose) {
            if (std::string q = e.value("queryString", ""); !q.empty())
                std::printf("  Query: %s\n", q.c_str());
            if (auto h = e.find("headers"); h != e.end() && h->is_object() && !h->empty()) {
                std::printf("  Headers:\n");
                for (const auto& [name, values] : h->items()) {
                    if (values.is_array()) {
                        for (const auto& v : values)
                            std::printf(
                                "    %s: %s\n", name.c_str(),
                                v.is_string() ? v.get<std::string>().c_str() : v.dump().c_str());
                    } else {
                        std::printf("    %s: %s\n", name.c_str(),
                                    values.is_string() ? values.get<std::string>().c_str()
                                                       : values.dump().c_str());
                    }
                }
            }
            std::string body = e.value("body", "");
            if (body.size() > 200) body = body.substr(0, 200) + "...(truncated)";
            std::printf("  Body: %s\n", body.empty() ? "(empty)" : body.c_str());
        }
        std::fflush(stdout);
    };
    auto wanted = [&](const Json& e) {
        if (s.method != "GET" && !s.method.empty() && e.value("method", "") != s.method)
            return false;
        if (!s.path.empty() && e.value("path", "").find(s.path) == std::string::npos) return false;
        if (!protocol.empty() && lower(e.value("protocol", "http")) != protocol) return false;
        bool hit = !e.value("matchedMockID", "").empty();
        return !(s.matched && !hit) && !(s.unmatched && hit);
    };
    if (s.follow) {
        c.stream("/requests/stream", [&](const std::string& data) {
            auto e = Json::parse(data, nullptr, false);
            if (!e.is_discarded() && e.contains("method") && wanted(e)) line(e);
        });
        return 0;
    }
    // Filters go to the server so that -n counts requests that pass them.
    std::string target = "/requests?limit=" + std::to_string(s.limit);
    if (s.unmatched) target += "&unmatchedOnly=true";
    if (s.matched) target += "&matchedOnly=true";
    if (!s.logMethod.empty()) target += "&method=" + s.logMethod;
    if (!s.path.empty()) target += "&path=" + percentEncode(s.path);
    if (!protocol.empty()) target += "&protocol=" + protocol;
    auto j = expectOk(c.call("GET", target));
    std::vector<Json> rows;
    for (const auto& e : j["requests"])
        if (wanted(e)) rows.push_back(e);
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) line(*it);  // oldest first, like a log
    return 0;
}

namespace {

// One document to import: its text, a name for messages, and where relative files live.
struct ImportSource {
    std::string text, label, filename;
    fs::path dir = ".";
};

ImportSource readImportSource(const std::string& arg) {
    ImportSource src;
    if (arg.empty() || arg == "-") {
        if (isatty(STDIN_FILENO))
            throw ClientError("give a file to import, or pipe one into standard input");
        std::ostringstream in;
        in << std::cin.rdbuf();
        src.text = in.str();
        src.label = "standard input";
        src.filename = "stdin";
    } else if (arg.starts_with("curl ") || arg.starts_with("curl\t")) {
        src.text = arg;  // a curl command line given as the argument
        src.label = "the curl command";
    } else {
        src.text = readFileOrThrow(arg);
        src.label = src.filename = arg;
        src.dir = fs::path(arg).parent_path();
        if (src.dir.empty()) src.dir = ".";
    }
    if (src.text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw ClientError(src.label + " is empty");
    return src;
}

// The document as the admin API's POST /config takes it: a mockd document as written (so that
// its errors name its lines), anything else converted into a mockd collection here.
struct Prepared {
    std::string body, contentType = "application/json", format;
    Json collection;  // for listing (null for a mockd document the server alone reads)
};

Prepared prepareImport(const ImportSource& src, const State& s, bool forceDetect) {
    using namespace portability;
    Format format = forceDetect || s.format.empty() ? detectFormat(src.text, src.filename)
                                                    : parseFormat(s.format);
    if (!forceDetect && !s.format.empty() && format == Format::Unknown)
        throw ClientError("unknown import format \"" + s.format +
                          "\" (formats: " + joined(formatNames()) + ")");
    if (format == Format::Unknown)
        throw ClientError("cannot tell what format " + src.label +
                          " is in (give --format: " + joined(formatNames()) + ")");
    Prepared p;
    p.format = formatName(format);
    ImportOptions options;
    // A file under <root>/mappings has its WireMock bodies under <root>/__files.
    options.baseDir = src.dir.filename() == "mappings" ? src.dir.parent_path() : src.dir;
    options.includeStatic = s.includeStatic;
    ImportResult r;
    try {
        r = importDocument(src.text, format, options);
    } catch (const ImportError& e) {
        throw ClientError(src.label + " (" + p.format + "): " + e.what());
    }
    for (const auto& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    if (format == Format::Mockd) {
        p.body = src.text;
        const std::string ext = lower(fs::path(src.filename).extension().string());
        size_t first = src.text.find_first_not_of(" \t\r\n");
        bool looksJson = src.text[first] == '{' || src.text[first] == '[';
        if (ext == ".yaml" || ext == ".yml" || (ext != ".json" && !looksJson))
            p.contentType = "application/yaml";
    } else {
        p.body = r.collection.dump();
    }
    p.collection = std::move(r.collection);
    return p;
}

void printDryRun(const Prepared& p) {
    std::printf("Dry run - mocks would be imported:\n");
    const Json mocks =
        p.collection.is_object() ? p.collection.value("mocks", Json::array()) : p.collection;
    if (!mocks.is_array()) return;
    for (const auto& m : mocks) {
        if (!m.is_object()) continue;
        const Json http = m.value("http", Json::object());
        const Json matcher = http.is_object()
                                 ? http.value("matcher", m.value("matcher", Json::object()))
                                 : Json::object();
        std::string method = matcher.is_object() ? matcher.value("method", "???") : "???";
        std::string path = matcher.is_object()
                               ? matcher.value("path", matcher.value("pathPattern", "???"))
                               : "???";
        std::printf("  • %s %s (%s)\n", method.c_str(), path.c_str(),
                    m.value("name", m.value("id", "")).c_str());
    }
}

int importDirectory(const State& s, const fs::path& dir) {
    Json errors = Json::array();
    int files = 0, imported = 0;
    std::vector<fs::path> paths;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        const std::string ext = lower(e.path().extension().string());
        if (e.is_regular_file() && (ext == ".json" || ext == ".yaml" || ext == ".yml"))
            paths.push_back(e.path());
    }
    std::sort(paths.begin(), paths.end());
    if (paths.empty()) throw ClientError(dir.string() + ": no .json, .yaml or .yml files in it");
    for (const auto& path : paths) {
        try {
            Prepared p = prepareImport(readImportSource(path.string()), s, true);
            auto j = expectOk(client(s).call("POST", "/config", p.body, p.contentType));
            imported += j.value("imported", 0);
            ++files;
            if (!s.json)
                std::printf("%s: %d mock(s) (format: %s)\n", path.c_str(), j.value("imported", 0),
                            p.format.c_str());
        } catch (const ClientError& e) {
            errors.push_back(path.string() + ": " + e.what());
        }
    }
    if (s.json)
        printJson({{"imported", imported}, {"files", files}, {"errors", errors}, {"source", dir}});
    else
        for (const auto& e : errors)
            std::fprintf(stderr, "error: %s\n", e.get<std::string>().c_str());
    return errors.empty() ? 0 : 1;
}

}  // namespace

int runImport(const State& s) {
    std::error_code ec;
    if (!s.id.empty() && s.id != "-" && fs::is_directory(s.id, ec)) return importDirectory(s, s.id);
    const ImportSource src = readImportSource(s.id);
    const Prepared p = prepareImport(src, s, false);
    std::string target = "/config?replace=" + std::string(s.replace ? "true" : "false") +
                         (s.dryRun ? "&dryRun=true" : "");
    auto j = expectOk(client(s).call("POST", target, p.body, p.contentType));
    if (s.json) {
        j["format"] = p.format;
        printJson(j);
    } else if (s.dryRun) {
        if (!p.collection.is_null() && p.format != "mockd") printDryRun(p);
        std::printf("%s is valid: %d mock(s) (format: %s); nothing changed\n", src.label.c_str(),
                    j.value("mocks", 0), p.format.c_str());
    } else {
        std::printf("%s (%d in total)\n", j.value("message", "").c_str(), j.value("total", 0));
    }
    return 0;
}

int runExport(const State& s) {
    const std::string ext = lower(fs::path(s.output).extension().string());
    const std::string format = lower(s.format);
    const auto kind = portability::parseExportFormat(format.empty() ? "mockd" : format);
    if (kind == portability::ExportFormat::Unknown)
        throw ClientError("unknown export format \"" + s.format +
                          "\" (mockd, yaml, json, openapi, postman, insomnia or wiremock)");
    const bool yaml = format == "yaml" || format == "yml" ||
                      (format != "json" && (ext == ".yaml" || ext == ".yml"));
    std::string target =
        "/config?format=" +
        std::string(kind == portability::ExportFormat::Mockd ? (yaml ? "yaml" : "json") : format);
    if (!s.name.empty()) target += "&name=" + s.name;
    auto r = client(s).call("GET", target, {}, {}, yaml ? "application/yaml" : "application/json");
    expectOk(r);
    std::string body = yaml ? r.body : Json::parse(r.body).dump(2) + "\n";
    if (s.output.empty()) {
        std::cout << body;
    } else {
        std::ofstream out(s.output);
        out << body;
        if (!out) throw ClientError("cannot write " + s.output);
        std::fprintf(stderr, "wrote %s\n", s.output.c_str());
    }
    return 0;
}

int runStatefulAdd(const State& s, const AdminClient& c) {
    Json def = {{"name", s.id}};
    if (!s.idField.empty()) def["idField"] = s.idField;
    if (!s.idStrategy.empty()) def["idStrategy"] = s.idStrategy;
    if (!s.seedFile.empty()) {
        auto seeds = Json::parse(readFileOrThrow(s.seedFile), nullptr, false);
        if (seeds.is_discarded() || !seeds.is_array())
            throw ClientError(s.seedFile + " must hold a JSON array of items");
        def["seedData"] = seeds;
    }
    auto j = expectOk(c.call("POST", "/state/resources", def.dump()));
    say(s, j, "Created table: " + s.id);
    return 0;
}

int runStatefulList(const State& s, const AdminClient& c) {
    auto j = expectOk(c.call("GET", "/state"));
    if (s.json) {
        printJson(j["resources"]);
        return 0;
    }
    std::printf("%s %s %s %s\n", pad("NAME", 20).c_str(), pad("ITEMS", 8).c_str(),
                pad("SEEDS", 8).c_str(), "ID FIELD");
    for (const auto& t : j["resources"])
        std::printf("%s %s %s %s\n", pad(t.value("name", ""), 20).c_str(),
                    pad(std::to_string(t.value("itemCount", 0)), 8).c_str(),
                    pad(std::to_string(t.value("seedCount", 0)), 8).c_str(),
                    t.value("idField", "id").c_str());
    return 0;
}

int runStatefulReset(const State& s, const AdminClient& c) {
    if (s.id.empty() && !s.all) throw ClientError("give a table name, or --all");
    auto j = s.all ? expectOk(c.call("POST", "/state/reset"))
                   : expectOk(c.call("POST", "/state/resources/" + s.id + "/reset"));
    say(s, j,
        s.all ? "Reset " + std::to_string(j.value("tables", 0)) + " table(s)"
              : "Reset table " + s.id + " (" + std::to_string(j.value("itemCount", 0)) + " items)");
    return 0;
}

int runStatefulClear(const State& s, const AdminClient& c) {
    auto j = expectOk(c.call("DELETE", "/state/resources/" + s.id));
    say(s, j,
        "Cleared table " + s.id + " (" + std::to_string(j.value("cleared", 0)) + " items removed)");
    return 0;
}

int runStatefulDelete(const State& s, const AdminClient& c) {
    auto j = expectOk(c.call("POST", "/state/resources/" + s.id + "/unregister"));
    say(s, j, "Deleted table " + s.id);
    return 0;
}

int runStatefulItems(const State& s, const AdminClient& c) {
    std::string target = "/state/resources/" + s.id + "/items?limit=" + std::to_string(s.limit) +
                         "&offset=" + std::to_string(s.offset);
    if (!s.sort.empty()) target += "&sort=" + percentEncode(s.sort);
    if (!s.order.empty()) target += "&order=" + percentEncode(s.order);
    auto j = expectOk(c.call("GET", target));
    if (s.json)
        printJson(j);
    else
        for (const auto& item : j["data"]) std::cout << item.dump() << "\n";
    return 0;
}

int runCustomList(const State& s, const AdminClient& c) {
    auto j = expectOk(c.call("GET", "/state/operations"));
    if (s.json) {
        printJson(j);
        return 0;
    }
    for (const auto& op : j.value("operations", Json::array()))
        std::printf("%s  %d step(s)  %s\n", pad(op.value("name", ""), 24).c_str(),
                    op.value("stepCount", 0), op.value("consistency", "").c_str());
    return 0;
}

int runCustomGet(const State& s, const AdminClient& c) {
    printJson(expectOk(c.call("GET", "/state/operations/" + s.id)));
    return 0;
}

int runCustomAdd(const State& s, const AdminClient& c) {
    Json def;
    if (!s.definition.empty()) {
        def = Json::parse(s.definition, nullptr, false);
    } else if (!s.seedFile.empty()) {
        std::string ext = fs::path(s.seedFile).extension().string();
        if (ext == ".yaml" || ext == ".yml") {
            try {
                def = core::parseYaml(readFileOrThrow(s.seedFile));
            } catch (const core::YamlError& e) {
                throw ClientError(s.seedFile + ":" + std::to_string(e.line()) +
                                  ": invalid YAML: " + e.what());
            }
        } else {
            def = Json::parse(readFileOrThrow(s.seedFile), nullptr, false);
        }
    } else {
        throw ClientError("give --file or --definition");
    }
    if (def.is_discarded() || !def.is_object())
        throw ClientError("the definition is not a JSON object");
    auto j = expectOk(c.call("POST", "/state/operations", def.dump()));
    say(s, j,
        std::string(j.value("action", "created") == "updated" ? "Updated" : "Created") +
            " operation: " + j.value("name", ""));
    return 0;
}

int runCustomRun(const State& s, const AdminClient& c) {
    std::string input = !s.inputFile.empty() ? readFileOrThrow(s.inputFile) : s.input;
    auto r = c.call("POST", "/state/operations/" + s.id + "/execute", input);
    auto j = Json::parse(r.body, nullptr, false);
    if (r.status != 200) {
        std::fprintf(stderr, "mockd: operation %s failed (%d): %s\n", s.id.c_str(), r.status,
                     j.is_object() ? j.value("error", r.body).c_str() : r.body.c_str());
        return 1;
    }
    printJson(j);
    return 0;
}

int runCustomDelete(const State& s, const AdminClient& c) {
    expectOk(c.call("DELETE", "/state/operations/" + s.id), {204});
    std::printf("Deleted operation: %s\n", s.id.c_str());
    return 0;
}

std::optional<int> runStateful(const State& s) {
    auto c = client(s);
    if (*s.sAdd) return runStatefulAdd(s, c);
    if (*s.sList) return runStatefulList(s, c);
    if (*s.sReset) return runStatefulReset(s, c);
    if (*s.sClear) return runStatefulClear(s, c);
    if (*s.sDelete) return runStatefulDelete(s, c);
    if (*s.sItems) return runStatefulItems(s, c);
    if (*s.cList) return runCustomList(s, c);
    if (*s.cGet) return runCustomGet(s, c);
    if (*s.cAdd) return runCustomAdd(s, c);
    if (*s.cRun) return runCustomRun(s, c);
    if (*s.cDelete) return runCustomDelete(s, c);
    return std::nullopt;
}

int runValidate(const State& s) {
    int failed = 0;
    for (const auto& f : s.files) {
        try {
            auto cfg = config::loadFile(f);
            for (const auto& w : cfg.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
            std::printf("ok   %s: %zu mock(s)\n", f.c_str(), cfg.compiled.size());
        } catch (const config::ConfigError& e) {
            ++failed;
            std::printf("FAIL %s\n", e.what());
        }
    }
    return failed ? 1 : 0;
}

int runInit(const State& s) {
    std::string tmpl = lower(s.initTemplate);
    if (tmpl == "list") {
        std::fputs(kInitTemplateList, stdout);
        return 0;
    }
    std::string text;
    if (tmpl.empty() || tmpl == "default")
        text = kInitTemplate;
    else if (tmpl == "crud")
        text = kCrudTemplate;
    else if (oneOf(tmpl, kOtherInitTemplates))
        throw ClientError("template \"" + s.initTemplate +
                          "\" is not supported yet (templates: default, crud)");
    else
        throw ClientError("unknown template \"" + s.initTemplate + "\" (see 'mockd init -t list')");
    bool jsonFormat =
        s.format == "json" || (s.format.empty() && fs::path(s.output).extension() == ".json");
    std::string out = s.output.empty() ? (jsonFormat ? "mockd.json" : "mockd.yaml") : s.output;
    if (fs::exists(out) && !s.force) {
        std::fprintf(stderr, "mockd: %s exists; use --force to overwrite it\n", out.c_str());
        return 1;
    }
    if (jsonFormat) {
        auto cfg = config::loadText(text, "template", true, fs::current_path());
        text = cfg.collection.dump(2) + "\n";
    }
    std::ofstream f(out);
    f << text;
    if (!f) throw ClientError("cannot write " + out);
    std::printf("wrote %s; start it with: mockd start --config %s\n", out.c_str(), out.c_str());
    return 0;
}

}  // namespace

std::optional<int> ClientCommands::run() {
    State& s = *s_;
    try {
        if (*s.stop) return runStop(s);
        if (*s.status) return runStatus(s);
        if (*s.list) return runList(s);
        if (*s.get) return runGet(s);
        if (*s.add) return runAdd(s);
        if (*s.update) return runUpdate(s);
        if (*s.del) return runDelete(s);
        if (*s.vStatus) return runVerifyStatus(s);
        if (*s.vCheck) return runVerifyCheck(s);
        if (*s.vInvocations) return runVerifyInvocations(s);
        if (*s.vReset) return runVerifyReset(s);
        if (*s.logs) return runLogs(s);
        if (*s.import) return runImport(s);
        if (*s.exportCmd) return runExport(s);
        if (*s.health) return runHealth(s.healthOpts);
        if (*s.wait) return runWait(s.waitOpts);
        if (s.stateful && *s.stateful) {
            if (auto exitCode = runStateful(s)) return exitCode;
        }
        if (*s.validate) return runValidate(s);
        if (*s.init) return runInit(s);
    } catch (const ClientError& e) {
        std::fprintf(stderr, "mockd: %s\n", e.what());
        return 1;
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "mockd: %s\n", e.what());
        return 1;
    } catch (const nlohmann::json::exception& e) {
        std::fprintf(stderr, "mockd: unexpected answer from the server: %s\n", e.what());
        return 1;
    }
    return std::nullopt;
}

}  // namespace mockd::cli
