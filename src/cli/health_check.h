// The health probe behind `mockd health` and `mockd wait`: which URLs say whether a server is up,
// and one attempt at them bounded by a timeout (a server that accepts but never answers must not
// hang a Docker HEALTHCHECK or a CI step).
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace mockd::cli {

// The URLs that tell whether the server at `url` is healthy: `url` itself when it names a path;
// for a bare base URL, /health (mockd's admin API and mock port) and then /__admin/health
// (WireMock, `mockd wiremock`). Returns an empty list when `url` is not an http(s) URL, and says
// why in `err`.
std::vector<std::string> healthUrls(const std::string& url, std::string& err);

struct HealthAnswer {
    bool healthy = false;
    std::string url;     // the URL that answered healthy, or the one the failure is about
    std::string detail;  // why not: "answered 503", "Connection refused", "no answer within 2s"
    std::string body;    // the healthy answer's body
};

// Tries `urls` in order and stops at the first 2xx answer. A URL that answers 404 moves on to the
// next one; a server that cannot be reached is not tried again at another path.
HealthAnswer probeHealth(const std::vector<std::string>& urls, std::chrono::milliseconds timeout);

// "2s", "1.5s", "250ms": the duration as a user reads it in a message.
std::string humanDuration(std::chrono::milliseconds d);

// The flags of `mockd health` and `mockd wait`.
struct HealthOptions {
    std::string url;                                 // --url: a health URL or a server's base URL
    uint16_t port = 0;                               // --port/--admin-port: localhost:PORT
    std::string adminUrl = "http://localhost:4290";  // --admin-url (MOCKD_ADMIN_URL)
    std::string apiKey, dataDir;                     // accepted like every client command's
    bool json = false;
    std::string timeout;             // per attempt (health) or in all (wait)
    std::string interval = "100ms";  // wait: between attempts
};

struct HealthCommands {
    CLI::App* health = nullptr;
    CLI::App* wait = nullptr;
};
HealthCommands addHealthCommands(CLI::App& app, HealthOptions& health, HealthOptions& wait);

// The URL a health command checks, from --url, --port or --admin-url (in that order).
std::string healthBase(const HealthOptions& o);

// `mockd health`: 0 when healthy; 1 with one line on stderr otherwise; 2 for bad flags.
int runHealth(const HealthOptions& o);
// `mockd wait`: polls until healthy (0) or the timeout passes (1, saying what it last saw).
int runWait(const HealthOptions& o);

}  // namespace mockd::cli
