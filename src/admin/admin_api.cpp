// The mockd admin API: the route table, the access check and the server's own routes (health,
// metrics, status, ports). Each resource's handlers are in a file of its own (admin_call.h).
#include "admin/admin_api.h"

#include <cstdio>
#include <optional>

#include "admin/admin_call.h"
#include "engine/mock_engine.h"
#include "log/log.h"

namespace mockd::admin {

namespace {

std::string requestsTotalLine(const std::string& id, int status, uint64_t n) {
    std::string l = "mockd_requests_total{mock=\"";
    log::appendJsonEscaped(l, id);
    l += "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
    return l;
}

}  // namespace

AdminApi::AdminApi(match::Registry& registry, journal::Journal& journal, http::Metrics& metrics,
                   AdminSettings settings)
    : registry_(registry),
      journal_(journal),
      metrics_(metrics),
      settings_(std::move(settings)),
      started_(std::chrono::steady_clock::now()),
      startedAt_(isoMicros(engine::nowMicros())) {
    addRoutes();
}

// Handlers are member functions; the table binds them to this API.
#define MOCKD_ROUTE(fn) [this](Call& c) { return fn(c); }
#define MOCKD_GUARD(fn) [this](Call& c) { return fn(c); }

void AdminApi::addRoutes() {
    open_.route("GET", "/health", MOCKD_ROUTE(health))
        .route("GET", "/metrics", MOCKD_ROUTE(metrics));
    routes_.route("GET", "/ready", MOCKD_ROUTE(ready))
        .route("GET", "/status", MOCKD_ROUTE(status))
        .route("GET", "/ports", MOCKD_ROUTE(ports));
    addMockRoutes();
    addRequestRoutes();
    addStateRoutes();
    addConfigAndChaosRoutes();
    addProtocolRoutes();
}

void AdminApi::addProtocolRoutes() {
    for (const auto& route : settings_.protocolRoutes) {
        auto handle = route.handle;
        routes_.route(route.method, route.pattern,
                      [handle](Call& c) { handle(c.req, c.params, c.res); });
    }
}

void AdminApi::addMockRoutes() {
    routes_.route("GET", "/mocks", MOCKD_ROUTE(listMocks))
        .route("POST", "/mocks", MOCKD_ROUTE(createMock))
        .route("DELETE", "/mocks", MOCKD_ROUTE(deleteMocks))
        .route("POST", "/mocks/bulk", MOCKD_ROUTE(bulkMocks))
        .guard("/mocks/{id}", MOCKD_GUARD(mockExists))
        .route("GET", "/mocks/{id}", MOCKD_ROUTE(getMock))
        .route("PUT", "/mocks/{id}", MOCKD_ROUTE(updateMock))
        .route("PATCH", "/mocks/{id}", MOCKD_ROUTE(updateMock))
        .route("DELETE", "/mocks/{id}", MOCKD_ROUTE(deleteMock))
        .route("POST", "/mocks/{id}/toggle", MOCKD_ROUTE(toggleMock))
        .route("GET", "/mocks/{id}/verify", MOCKD_ROUTE(mockCalls))
        .route("POST", "/mocks/{id}/verify", MOCKD_ROUTE(verifyMock))
        .route("GET", "/mocks/{id}/invocations", MOCKD_ROUTE(mockInvocations))
        .route("DELETE", "/mocks/{id}/invocations", MOCKD_ROUTE(clearInvocations));
}

void AdminApi::addRequestRoutes() {
    routes_.route("DELETE", "/verify", MOCKD_ROUTE(resetVerification))
        .route("GET", "/requests", MOCKD_ROUTE(listRequests))
        .route("DELETE", "/requests", MOCKD_ROUTE(clearRequests))
        .route("GET", "/requests/stream", MOCKD_ROUTE(streamRequests))
        .route("GET", "/requests/{id}", MOCKD_ROUTE(getRequest));
}

void AdminApi::addStateRoutes() {
    const char* table = "/state/resources/{name}";
    routes_.guard("/reset", MOCKD_GUARD(tablesOn))
        .guard("/state", MOCKD_GUARD(tablesOn))
        .route("POST", "/reset", MOCKD_ROUTE(resetTables))
        .route("POST", "/reset/{name}", MOCKD_ROUTE(resetTable))
        .route("GET", "/state", MOCKD_ROUTE(listState))
        .route("POST", "/state/reset", MOCKD_ROUTE(resetTables))
        .route("GET", "/state/operations", MOCKD_ROUTE(listOperations))
        .route("POST", "/state/operations", MOCKD_ROUTE(putOperation))
        .guard("/state/operations/{name}", MOCKD_GUARD(operationExists))
        .route("GET", "/state/operations/{name}", MOCKD_ROUTE(getOperation))
        .route("DELETE", "/state/operations/{name}", MOCKD_ROUTE(deleteOperation))
        .route("POST", "/state/operations/{name}/execute", MOCKD_ROUTE(executeOperation))
        .route("GET", "/state/resources", MOCKD_ROUTE(listTables))
        .route("POST", "/state/resources", MOCKD_ROUTE(createTable))
        .guard(table, MOCKD_GUARD(tableExists))
        .route("GET", table, MOCKD_ROUTE(getTable))
        .route("DELETE", table, MOCKD_ROUTE(clearTable))
        .route("POST", std::string(table) + "/reset", MOCKD_ROUTE(resetTable))
        .route("POST", std::string(table) + "/unregister", MOCKD_ROUTE(unregisterTable))
        .route("GET", std::string(table) + "/items", MOCKD_ROUTE(listItems))
        .route("POST", std::string(table) + "/items", MOCKD_ROUTE(createItem));
    for (const char* method : {"GET", "PUT", "PATCH", "DELETE"})
        routes_.route(method, std::string(table) + "/items/{id}", MOCKD_ROUTE(itemAction));
}

void AdminApi::addConfigAndChaosRoutes() {
    routes_.route("GET", "/openapi.json", MOCKD_ROUTE(exportOpenApi))
        .route("GET", "/openapi.yaml", MOCKD_ROUTE(exportOpenApi))
        .route("GET", "/insomnia.json", MOCKD_ROUTE(exportInsomnia))
        .route("GET", "/insomnia.yaml", MOCKD_ROUTE(exportInsomnia));
    routes_.route("GET", "/config", MOCKD_ROUTE(exportConfig))
        .route("POST", "/config", MOCKD_ROUTE(importConfig))
        .guard("/chaos", MOCKD_GUARD(chaosOn))
        .route("GET", "/chaos", MOCKD_ROUTE(getChaos))
        .route("PUT", "/chaos", MOCKD_ROUTE(putChaos))
        .route("GET", "/chaos/stats", MOCKD_ROUTE(chaosStats))
        .route("POST", "/chaos/stats/reset", MOCKD_ROUTE(resetChaosStats))
        .route("GET", "/chaos/faults", MOCKD_ROUTE(chaosFaults))
        .route("POST", "/chaos/circuit-breakers/{key}/trip", MOCKD_ROUTE(breakerAction))
        .route("POST", "/chaos/circuit-breakers/{key}/reset", MOCKD_ROUTE(breakerAction))
        .route("GET", "/chaos/profiles", MOCKD_ROUTE(listProfiles))
        .route("GET", "/chaos/profiles/{name}", MOCKD_ROUTE(getProfile))
        .route("POST", "/chaos/profiles/{name}/apply", MOCKD_ROUTE(applyProfile));
}

#undef MOCKD_ROUTE
#undef MOCKD_GUARD

void AdminApi::changed(const Change& change) const {
    if (settings_.onChange) settings_.onChange(change);
}

void AdminApi::handle(const Request& req, http::Response& res) {
    const int64_t uptime = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::steady_clock::now() - started_)
                               .count();
    Call c{req, req.method == "HEAD" ? "GET" : std::string(req.method), res, Reply{res}, uptime,
           {}};
    const auto segs = http::pathSegments(req.path);
    // False when no route has the path.
    auto run = [&](const Router& router) {
        auto found = router.find(c.method, segs, c);
        switch (found.outcome) {
            case Router::Outcome::Found:
                (*found.handler)(c);
                return true;
            case Router::Outcome::Answered:
                return true;
            case Router::Outcome::NotAllowed:
                c.r.error(405, "method_not_allowed",
                          std::string(req.method) + " is not allowed on " + std::string(req.path) +
                              " (allowed: " + found.allowed + ")");
                return true;
            case Router::Outcome::NotFound:
                break;
        }
        return false;
    };
    // Open to everyone: liveness and metrics.
    if (req.path == "/health" || req.path == "/metrics") {
        run(open_);
        return;
    }

    if (auto denied = http::checkAccess(req, settings_.access)) {
        c.r.error(denied->status, denied->code, denied->message);
        return;
    }
    if (run(routes_)) return;
    if (segs.empty())
        c.r.error(404, "not_found", "no admin route " + std::string(req.method) + " /");
    else
        c.r.noRoute(req);
}

void AdminApi::health(Call& c) {
    // mockd's key order.
    c.r.text(200, "application/json",
             "{\"status\":\"ok\",\"uptime\":" + std::to_string(c.uptime) + ",\"timestamp\":\"" +
                 engine::rfc3339Now() + "\"}");
}

void AdminApi::metrics(Call& c) {
    std::string m;
    m += "# HELP mockd_requests_total Requests answered on the mock port, by mock and status.\n";
    m += "# TYPE mockd_requests_total counter\n";
    // Counted by the status actually sent, apart from the verification counts: a reset or
    // a deleted mock must not take a Prometheus counter backwards.
    for (const auto& s : metrics_.requests.samples())
        m += requestsTotalLine(s.mockId, s.status, s.count);
    auto snap = registry_.snapshot();
    size_t enabled = 0;
    for (const auto& mock : snap->all())
        if (mock->enabled()) ++enabled;
    uint64_t misses = metrics_.matchMisses.load();
    m += "# HELP mockd_match_hits_total Requests that matched a mock.\n# TYPE "
         "mockd_match_hits_total counter\n";
    m += "mockd_match_hits_total " + std::to_string(metrics_.matchHits.load()) + "\n";
    m += "# HELP mockd_match_misses_total Requests that matched no mock.\n# TYPE "
         "mockd_match_misses_total counter\n";
    m += "mockd_match_misses_total " + std::to_string(misses) + "\n";
    m += "# HELP mockd_request_duration_seconds Time to answer a mock request, delays "
         "included.\n";
    m += "# TYPE mockd_request_duration_seconds histogram\n";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < http::Metrics::kBuckets.size(); ++i) {
        cumulative += metrics_.latency[i].load();
        char le[32];
        std::snprintf(le, sizeof le, "%g", http::Metrics::kBuckets[i]);
        m += "mockd_request_duration_seconds_bucket{le=\"" + std::string(le) + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    cumulative += metrics_.latency.back().load();
    m += "mockd_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
    char sum[48];
    std::snprintf(sum, sizeof sum, "%.6f", metrics_.latencySumUs.load() / 1e6);
    m += "mockd_request_duration_seconds_sum " + std::string(sum) + "\n";
    m += "mockd_request_duration_seconds_count " + std::to_string(metrics_.latencyCount.load()) +
         "\n";
    m += "# HELP mockd_active_connections Open connections on the mock port.\n# TYPE "
         "mockd_active_connections gauge\n";
    m += "mockd_active_connections " +
         std::to_string(settings_.activeConnections ? settings_.activeConnections() : 0) + "\n";
    m += "# HELP mockd_mocks_total Mocks loaded.\n# TYPE mockd_mocks_total gauge\n";
    m += "mockd_mocks_total " + std::to_string(snap->size()) + "\n";
    m += "# HELP mockd_mocks_enabled Mocks enabled.\n# TYPE mockd_mocks_enabled gauge\n";
    m += "mockd_mocks_enabled " + std::to_string(enabled) + "\n";
    m += "# HELP mockd_uptime_seconds Seconds since start.\n# TYPE mockd_uptime_seconds gauge\n";
    m += "mockd_uptime_seconds " + std::to_string(c.uptime) + "\n";
    c.r.text(200, "text/plain; version=0.0.4", m);
}

void AdminApi::ready(Call& c) {
    c.r.json(200, {{"status", "ready"}, {"uptime", c.uptime}, {"timestamp", engine::rfc3339Now()}});
}

void AdminApi::status(Call& c) {
    auto snap = registry_.snapshot();
    size_t active = 0;
    uint64_t requests = metrics_.matchHits.load() + metrics_.matchMisses.load();
    for (const auto& mock : snap->all()) active += mock->enabled() ? 1 : 0;
    c.r.json(200, {{"status", "running"},
                   {"id", "local"},
                   {"name", "mockd"},
                   {"httpPort", settings_.mockPort},
                   {"httpsPort", settings_.httpsPort},
                   {"adminPort", settings_.adminPort},
                   {"uptime", c.uptime},
                   {"mockCount", snap->size()},
                   {"activeMocks", active},
                   {"requestCount", requests},
                   {"tlsEnabled", settings_.httpsPort != 0},
                   {"version", MOCKD_VERSION},
                   {"protocols", {{"http", {{"enabled", true}, {"port", settings_.mockPort}}}}},
                   {"startedAt", startedAt_}});
}

void AdminApi::ports(Call& c) {
    core::Json ports = {{{"port", settings_.mockPort},
                         {"protocol", "HTTP"},
                         {"component", "Mock Engine"},
                         {"status", "running"}}};
    if (settings_.httpsPort)
        ports.push_back({{"port", settings_.httpsPort},
                         {"protocol", "HTTPS"},
                         {"component", "Mock Engine"},
                         {"status", "running"},
                         {"tls", true}});
    ports.push_back({{"port", settings_.adminPort},
                     {"protocol", "HTTP"},
                     {"component", "Admin API"},
                     {"status", "running"}});
    c.r.json(200, {{"ports", ports}});
}

}  // namespace mockd::admin
