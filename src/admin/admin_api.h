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
#include "state/table.h"

namespace mockd::chaos {
class Controller;
}  // namespace mockd::chaos

namespace mockd::admin {

struct AdminSettings {
    uint16_t mockPort = 0;
    uint16_t httpsPort = 0;  // 0: no HTTPS
    uint16_t adminPort = 0;
    std::string configFile;
    http::AccessPolicy access;
    std::function<size_t()> activeConnections;  // open connections on the mock port
    std::function<void()> onChange;             // after every change of the mock set
    state::TableStore* tables = nullptr;
    chaos::Controller* chaos = nullptr;  // the mock port's chaos (the /chaos routes)
};

class AdminApi final : public http::Handler {
  public:
    AdminApi(match::Registry& registry, journal::Journal& journal, http::Metrics& metrics,
             AdminSettings settings);
    http::Outcome handle(const core::Request& req, std::string& out, bool closing) override;
    AdminSettings& settings() { return settings_; }

    // One request as the route handlers see it (admin/admin_call.h).
    struct Call;

  private:
    using Router = http::Router<Call, http::Outcome>;
    void addRoutes();
    void addMockRoutes();
    void addRequestRoutes();
    void addStateRoutes();
    void addConfigAndChaosRoutes();
    void changed() const;

    // Open to everyone (admin/admin_api.cpp).
    http::Outcome health(Call& c);
    http::Outcome metrics(Call& c);
    // Server facts (admin/admin_api.cpp).
    http::Outcome ready(Call& c);
    http::Outcome status(Call& c);
    http::Outcome ports(Call& c);
    // Mocks and their verification (admin/mock_routes.cpp).
    http::Outcome listMocks(Call& c);
    http::Outcome createMock(Call& c);
    http::Outcome deleteMocks(Call& c);
    http::Outcome bulkMocks(Call& c);
    bool mockExists(Call& c);
    http::Outcome getMock(Call& c);
    http::Outcome deleteMock(Call& c);
    http::Outcome updateMock(Call& c);
    http::Outcome toggleMock(Call& c);
    http::Outcome mockCalls(Call& c);
    http::Outcome verifyMock(Call& c);
    http::Outcome mockInvocations(Call& c);
    http::Outcome clearInvocations(Call& c);
    // The request log (admin/request_routes.cpp).
    http::Outcome resetVerification(Call& c);
    http::Outcome listRequests(Call& c);
    http::Outcome clearRequests(Call& c);
    http::Outcome streamRequests(Call& c);
    http::Outcome getRequest(Call& c);
    // Tables and custom operations (admin/state_routes.cpp).
    bool tablesOn(Call& c);
    http::Outcome resetTables(Call& c);
    http::Outcome resetTable(Call& c);
    http::Outcome listState(Call& c);
    http::Outcome listOperations(Call& c);
    http::Outcome putOperation(Call& c);
    bool operationExists(Call& c);
    http::Outcome getOperation(Call& c);
    http::Outcome deleteOperation(Call& c);
    http::Outcome executeOperation(Call& c);
    http::Outcome listTables(Call& c);
    http::Outcome createTable(Call& c);
    bool tableExists(Call& c);
    http::Outcome getTable(Call& c);
    http::Outcome clearTable(Call& c);
    http::Outcome unregisterTable(Call& c);
    http::Outcome listItems(Call& c);
    http::Outcome createItem(Call& c);
    http::Outcome itemAction(Call& c);
    // Config import and export, chaos (admin/config_routes.cpp).
    http::Outcome exportConfig(Call& c);
    http::Outcome importConfig(Call& c);
    bool chaosOn(Call& c);
    http::Outcome getChaos(Call& c);
    http::Outcome putChaos(Call& c);
    http::Outcome chaosStats(Call& c);
    http::Outcome resetChaosStats(Call& c);
    http::Outcome chaosFaults(Call& c);
    http::Outcome breakerAction(Call& c);
    http::Outcome listProfiles(Call& c);
    http::Outcome getProfile(Call& c);
    http::Outcome applyProfile(Call& c);

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
