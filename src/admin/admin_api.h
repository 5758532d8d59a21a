// The mockd admin API on the admin port (4290): mocks, verification, the request log, config
// import/export, chaos, health and metrics. Thin layer over the registry and the journal.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "http/auth.h"
#include "match/registry.h"
#include "http/metrics.h"
#include "journal/journal.h"
#include "http/handler.h"
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

  private:
    match::Registry& registry_;
    journal::Journal& journal_;
    http::Metrics& metrics_;
    AdminSettings settings_;
    std::chrono::steady_clock::time_point started_;
    std::string startedAt_;
};

}  // namespace mockd::admin
