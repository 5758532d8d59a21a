// The mockd admin API on the admin port (4290): mocks, verification, the request log, config
// import/export, chaos, health and metrics. Thin layer over the registry and the journal.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "http/auth.h"
#include "http/handler.h"
#include "http/metrics.h"
#include "http/router.h"
#include "journal/journal.h"
#include "match/registry.h"
#include "portability/exports.h"
#include "protocols/protocol.h"
#include "state/table.h"

namespace mockd::chaos {
class Controller;
}  // namespace mockd::chaos

namespace mockd::admin {

// What one admin call changed, for whatever keeps the set (the store): the mocks, tables and
// operations it created, replaced or deleted, by id or name, or a whole set replaced.
struct Change {
    bool allMocks = false;   // every mock was replaced (or removed)
    bool allTables = false;  // every table and operation was replaced
    std::vector<std::string> mocks, tables, operations;
};

struct AdminSettings {
    uint16_t mockPort = 0;
    uint16_t httpsPort = 0;  // 0: no HTTPS
    uint16_t adminPort = 0;
    std::string configFile;
    http::AccessPolicy access;
    std::function<size_t()> activeConnections;    // open connections on the mock port
    std::function<void(const Change&)> onChange;  // after every change of mocks or tables
    state::TableStore* tables = nullptr;
    chaos::Controller* chaos = nullptr;  // the mock port's chaos (the /chaos routes)
    // The routes the server's protocols serve here (protocols::Protocol::adminRoutes).
    std::vector<protocols::AdminRoute> protocolRoutes;
};

class AdminApi final : public http::Handler {
  public:
    AdminApi(match::Registry& registry, journal::Journal& journal, http::Metrics& metrics,
             AdminSettings settings);
    void handle(const core::Request& req, http::Response& res) override;
    AdminSettings& settings() { return settings_; }

    // One request as the route handlers see it (admin/admin_call.h).
    struct Call;

  private:
    using Router = http::Router<Call, void>;
    void addRoutes();
    void addMockRoutes();
    void addRequestRoutes();
    void addStateRoutes();
    void addConfigAndChaosRoutes();
    void addProtocolRoutes();
    void changed(const Change& change) const;

    // Open to everyone (admin/admin_api.cpp).
    void health(Call& c);
    void metrics(Call& c);
    // Server facts (admin/admin_api.cpp).
    void ready(Call& c);
    void status(Call& c);
    void ports(Call& c);
    // Mocks and their verification (admin/mock_routes.cpp).
    void listMocks(Call& c);
    void createMock(Call& c);
    void deleteMocks(Call& c);
    void bulkMocks(Call& c);
    bool mockExists(Call& c);
    void getMock(Call& c);
    void deleteMock(Call& c);
    void updateMock(Call& c);
    void toggleMock(Call& c);
    void mockCalls(Call& c);
    void verifyMock(Call& c);
    void mockInvocations(Call& c);
    void clearInvocations(Call& c);
    // The request log (admin/request_routes.cpp).
    void resetVerification(Call& c);
    void listRequests(Call& c);
    void clearRequests(Call& c);
    void streamRequests(Call& c);
    void getRequest(Call& c);
    // Tables and custom operations (admin/state_routes.cpp).
    bool tablesOn(Call& c);
    void resetTables(Call& c);
    void resetTable(Call& c);
    void listState(Call& c);
    void listOperations(Call& c);
    void putOperation(Call& c);
    bool operationExists(Call& c);
    void getOperation(Call& c);
    void deleteOperation(Call& c);
    void executeOperation(Call& c);
    void listTables(Call& c);
    void createTable(Call& c);
    bool tableExists(Call& c);
    void getTable(Call& c);
    void clearTable(Call& c);
    void unregisterTable(Call& c);
    void listItems(Call& c);
    void createItem(Call& c);
    void itemAction(Call& c);
    // Config import and export, chaos (admin/config_routes.cpp).
    void exportConfig(Call& c);
    void exportOpenApi(Call& c);
    void exportInsomnia(Call& c);
    void exportAs(Call& c, portability::ExportFormat format, const std::string& name);
    core::Json collectionJson(const std::string& name) const;
    void importConfig(Call& c);
    bool chaosOn(Call& c);
    void getChaos(Call& c);
    void putChaos(Call& c);
    void chaosStats(Call& c);
    void resetChaosStats(Call& c);
    void chaosFaults(Call& c);
    void breakerAction(Call& c);
    void listProfiles(Call& c);
    void getProfile(Call& c);
    void applyProfile(Call& c);

    match::Registry& registry_;
    journal::Journal& journal_;
    http::Metrics& metrics_;
    AdminSettings settings_;
    std::chrono::steady_clock::time_point started_;
    std::string startedAt_;
    Router open_;    // before the access check: health and metrics
    Router routes_;  // everything else
};

}  // namespace mockd::admin
