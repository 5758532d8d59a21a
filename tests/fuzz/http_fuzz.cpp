// The HTTP request path: the input is sent as raw bytes over loopback to a real listener and
// connection (Beast's parser, pipelining, limits) in front of the real MockEngine, serving mockd
// mocks and WireMock stubs with /__admin on the same port. The client half-closes and reads
// until the server closes, so every pipelined request in the input is answered.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "config/loader.h"
#include "engine/mock_engine.h"
#include "http/server.h"
#include "match/registry.h"
#include "state/table.h"
#include "wiremock/admin_api.h"
#include "wiremock/stub_codec.h"
#include "wiremock/stub_responder.h"

namespace {

using namespace mockd;

// Mocks that reach the matchers, templates, tables and near misses; no delays, so every input
// is answered at once.
constexpr std::string_view kConfig = R"(
version: "1.0"
tables:
  - name: users
    idField: id
    seedData:
      - { id: "1", name: Ada }
mocks:
  - id: hello
    type: http
    http:
      matcher: { method: GET, path: /api/hello }
      response: { statusCode: 200, body: { message: hi } }
  - id: user
    type: http
    http:
      matcher: { method: GET, path: "/api/users/{id}", queryParams: { v: "1" } }
      response:
        statusCode: 200
        headers: { X-Id: "{{request.pathParam.id}}" }
        body: '{"id": "{{request.pathParam.id}}", "q": "{{request.query.q}}", "u": "{{uuid}}"}'
  - id: order
    type: http
    http:
      matcher:
        method: POST
        path: /api/orders
        headers: { Content-Type: "application/json*" }
        bodyJsonPath: { "$.item": { exists: true }, "$.qty": { gt: 0 } }
      response: { statusCode: 201, body: '{{jsonPath request.body "$.item"}}' }
  - id: wild
    type: http
    http:
      matcher: { path: "/files/*", bodyContains: needle }
      response: { statusCode: 200, body: found }
  - id: regex
    type: http
    http:
      matcher: { pathPattern: "^/re/([a-z]+)/[0-9]{2,4}$", method: PUT }
      response: { statusCode: 204 }
  - id: form
    type: http
    http:
      matcher: { method: POST, path: /form, bodyEquals: "a=1&b=2" }
      response: { statusCode: 200, body: "{{request.body}}" }
  - id: seq
    type: http
    http:
      matcher: { path: /seq }
      sequence:
        - { statusCode: 200, body: one }
        - { statusCode: 500, body: two }
)";

constexpr std::string_view kStubs = R"({"mappings": [
  {"request": {"method": "GET", "urlPathTemplate": "/wm/{id}",
               "queryParameters": {"q": {"matches": "[a-z]+"}}},
   "response": {"status": 200, "body": "{{request.path.id}} {{request.query.q}}",
                "transformers": ["response-template"]}},
  {"request": {"method": "POST", "url": "/wm/json",
               "bodyPatterns": [{"matchesJsonPath": "$.a[?(@.b > 1)]"},
                                {"equalToJson": {"a": [{"b": 2}]}, "ignoreExtraElements": true}]},
   "response": {"status": 201, "jsonBody": {"ok": true},
                "headers": {"X-T": "{{jsonPath request.body '$.a[0].b'}}"},
                "transformers": ["response-template"]}},
  {"request": {"urlPattern": "/wm/x.*", "headers": {"X-K": {"contains": "k"}},
               "cookies": {"c": {"equalTo": "1"}}},
   "response": {"status": 418, "body": "teapot"}},
  {"scenarioName": "s", "requiredScenarioState": "Started", "newScenarioState": "two",
   "request": {"method": "GET", "url": "/wm/scenario"}, "response": {"status": 200}},
  {"request": {"method": "POST", "urlPath": "/wm/xml",
               "bodyPatterns": [{"matchesXPath": "//a[@b='1']"}]},
   "response": {"status": 200, "body": "{{xPath request.body '//a/text()'}}",
                "transformers": ["response-template"]}}
]})";

struct Server {
    match::Registry registry;
    state::TableStore tables;
    journal::Journal journal{256};
    http::Metrics metrics;
    std::vector<match::CompiledMockPtr> base;
    std::unique_ptr<wiremock::WireMockApi> wiremock;
    std::unique_ptr<wiremock::StubResponder> responder;
    std::unique_ptr<engine::MockEngine> engine;
    // The pool outlives the accept loop, whose pending accept holds a socket of a worker's loop.
    std::unique_ptr<net::WorkerPool> pool;
    boost::asio::io_context acceptCtx{1};
    std::unique_ptr<http::Listener> listener;
    std::thread acceptThread;
    std::string rootDir;

    Server() {
        ::signal(SIGPIPE, SIG_IGN);
        rootDir = std::filesystem::temp_directory_path() / "mockd-http-fuzz-XXXXXX";
        if (!::mkdtemp(rootDir.data())) std::abort();
        std::filesystem::create_directories(rootDir + "/mappings");
        std::filesystem::create_directories(rootDir + "/__files");
        auto cfg = config::loadText(kConfig, "fuzz.yaml", true, rootDir);
        tables.replaceAll(std::move(cfg.tables));
        base = cfg.compiled;
        std::vector<core::Mock> stubs;
        for (const auto& s : wiremock::stubsOf(wiremock::OJson::parse(kStubs)))
            stubs.push_back(wiremock::decodeStub(s, rootDir + "/__files",
                                                 std::make_shared<wiremock::Scenarios>()));
        registry.upsertAll(std::move(stubs));
        for (const auto& c : registry.snapshot()->all()) base.push_back(c);
        registry.replaceAll(base);
        wiremock::ApiOptions wo;
        wo.rootDir = rootDir;
        wiremock = std::make_unique<wiremock::WireMockApi>(registry, &journal, wo);
        engine::EngineConfig ec;
        ec.registry = &registry;
        ec.journal = &journal;
        ec.metrics = &metrics;
        ec.tables = &tables;
        ec.mounts.push_back({"/__admin", wiremock.get()});
        wiremock::ResponderOptions ro;
        ro.api = wiremock.get();
        ro.journal = true;
        responder = std::make_unique<wiremock::StubResponder>(ro);
        ec.responders.push_back(responder.get());
        engine = std::make_unique<engine::MockEngine>(std::move(ec));
        engine->setReady(true);
        http::Limits limits;
        limits.maxBodyBytes = 64 * 1024;
        pool = std::make_unique<net::WorkerPool>(1);
        listener =
            std::make_unique<http::Listener>(acceptCtx, *pool, "127.0.0.1", 0, *engine, limits);
        pool->start();
        listener->start();
        acceptThread = std::thread([this] { acceptCtx.run(); });
    }

    // What one input may have changed (stubs added over /__admin, a global delay) is undone so
    // that every input meets the same server.
    void reset() {
        registry.replaceAll(base);
        core::Request req;
        req.method = "POST";
        req.target = req.rawPath = req.path = "/__admin/settings";
        req.headers = {{"Host", "localhost"}};
        req.body = "{}";
        req.remoteAddress = "127.0.0.1";
        http::Response ignored;
        wiremock->handle(req, ignored);
    }
};

void exchange(uint16_t port, std::string_view bytes) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) std::abort();
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
    size_t sent = 0;
    while (sent < bytes.size()) {
        ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the server answered early (an error) and closed
        sent += static_cast<size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    char buf[16384];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        // A held response (a proxied stub) is not waited for: the next input goes on.
        if (::poll(&p, 1, 2000) <= 0) break;
        if (::recv(fd, buf, sizeof buf, 0) <= 0) break;
    }
    ::close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Server* server = new Server();  // lives for the whole run: threads use it
    server->reset();
    exchange(server->listener->port(), std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
