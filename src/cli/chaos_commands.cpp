// The chaos command group, with mockd's flags and messages.
#include "cli/chaos_commands.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/admin_client.h"
#include "cli/client_commands.h"

namespace mockd::cli {

using Json = nlohmann::json;

struct ChaosCommands::State {
    std::string adminUrl = "http://localhost:4290";
    std::string apiKey, dataDir;
    bool json = false;
    CLI::App *chaos = nullptr, *enable = nullptr, *disable = nullptr, *status = nullptr,
             *profiles = nullptr, *apply = nullptr, *faults = nullptr, *breaker = nullptr,
             *trip = nullptr, *reset = nullptr;
    std::string latency, path, profile, key;
    double errorRate = 0, probability = 1.0;
    int errorCode = 500;
};

namespace {

std::string percent(double p) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f%%", p * 100);
    return b;
}

void printConfig(const Json& cfg) {
    if (auto l = cfg.find("latency"); l != cfg.end())
        std::printf("  Latency: %s - %s (%s probability)\n", l->value("min", "").c_str(),
                    l->value("max", "").c_str(), percent(l->value("probability", 0.0)).c_str());
    if (auto e = cfg.find("errorRate"); e != cfg.end()) {
        std::printf("  Error rate: %s", percent(e->value("probability", 0.0)).c_str());
        if (e->contains("statusCodes")) {
            std::string codes;
            for (const auto& c : (*e)["statusCodes"])
                codes += (codes.empty() ? "" : ", ") + std::to_string(c.get<int>());
            std::printf(" (HTTP %s)", codes.c_str());
        } else {
            std::printf(" (HTTP %d)", e->value("defaultCode", 500));
        }
        std::printf("\n");
    }
    if (auto b = cfg.find("bandwidth"); b != cfg.end()) {
        auto bps = b->value("bytesPerSecond", int64_t{0});
        if (bps >= 1024)
            std::printf("  Bandwidth: %lld KB/s\n", static_cast<long long>(bps / 1024));
        else
            std::printf("  Bandwidth: %lld B/s\n", static_cast<long long>(bps));
    }
    if (auto rules = cfg.find("rules"); rules != cfg.end() && !rules->empty()) {
        std::printf("  Rules:\n");
        for (const auto& r : *rules) {
            std::string faults;
            for (const auto& f : r.value("faults", Json::array()))
                faults += (faults.empty() ? "" : ", ") + f.value("type", std::string());
            std::printf("    - %s (%s probability)%s%s\n", r.value("pathPattern", "").c_str(),
                        percent(r.value("probability", 1.0)).c_str(), faults.empty() ? "" : ": ",
                        faults.c_str());
        }
    }
}

// `chaos enable`: global latency and errors, or a single rule when --path narrows them.
int enableChaos(const ChaosCommands::State& s, AdminClient& c) {
    if (s.latency.empty() && s.errorRate == 0)
        throw ClientError("at least --latency or --error-rate must be specified");
    if (s.errorRate < 0 || s.errorRate > 1 || s.probability < 0 || s.probability > 1)
        throw ClientError("--error-rate and --probability must be between 0.0 and 1.0");
    Json latency, error;
    if (!s.latency.empty()) {
        std::string mn = s.latency, mx = s.latency;
        if (auto d = s.latency.find('-'); d != std::string::npos && d > 0) {
            mn = s.latency.substr(0, d);
            mx = s.latency.substr(d + 1);
        }
        latency = {{"min", mn}, {"max", mx}, {"probability", s.probability}};
    }
    if (s.errorRate > 0) error = {{"probability", s.errorRate}, {"defaultCode", s.errorCode}};
    Json cfg = {{"enabled", true}};
    if (s.path.empty()) {
        if (!latency.is_null()) cfg["latency"] = latency;
        if (!error.is_null()) cfg["errorRate"] = error;
    } else {
        // A matching rule replaces the global settings for its requests, so the
        // latency and errors go into the rule itself: chaos on that path only.
        Json faults = Json::array();
        if (!latency.is_null())
            faults.push_back({{"type", "latency"},
                              {"probability", 1.0},
                              {"config", {{"min", latency["min"]}, {"max", latency["max"]}}}});
        if (!error.is_null())
            faults.push_back({{"type", "error"},
                              {"probability", s.errorRate},
                              {"config", {{"defaultCode", s.errorCode}}}});
        Json one = {{"pathPattern", s.path}, {"probability", s.probability}};
        one["faults"] = faults;
        cfg["rules"] = Json::array();
        cfg["rules"].push_back(one);
    }
    expectOk(c.call("PUT", "/chaos", cfg.dump()));
    if (s.json) {
        printJson({{"enabled", true}, {"config", cfg}});
        return 0;
    }
    std::printf("Chaos injection enabled\n");
    if (!s.latency.empty()) std::printf("  Latency: %s\n", s.latency.c_str());
    if (s.errorRate > 0)
        std::printf("  Error rate: %s (HTTP %d)\n", percent(s.errorRate).c_str(), s.errorCode);
    if (!s.path.empty()) std::printf("  Path pattern: %s\n", s.path.c_str());
    return 0;
}

int printFaults(const ChaosCommands::State& s, AdminClient& c) {
    Json f = expectOk(c.call("GET", "/chaos/faults"));
    if (s.json) {
        printJson(f);
        return 0;
    }
    if (f.empty()) {
        std::printf("No stateful chaos faults are configured\n");
        return 0;
    }
    if (f.contains("circuitBreakers")) {
        std::printf("Circuit breakers:\n");
        for (auto& [key, cb] : f["circuitBreakers"].items())
            std::printf("  %-6s state=%s trips=%lld rejected=%lld passed=%lld\n", key.c_str(),
                        cb.value("state", "").c_str(), cb.value("totalTrips", 0LL),
                        cb.value("totalRejected", 0LL), cb.value("totalPassed", 0LL));
    }
    if (f.contains("retryAfterTrackers")) {
        std::printf("Retry-after:\n");
        for (auto& [key, t] : f["retryAfterTrackers"].items())
            std::printf("  %-6s limited=%s status=%d limits=%lld passed=%lld\n", key.c_str(),
                        t.value("isLimited", false) ? "yes" : "no", t.value("statusCode", 0),
                        t.value("totalLimited", 0LL), t.value("totalPassed", 0LL));
    }
    if (f.contains("progressiveDegradations")) {
        std::printf("Progressive degradation:\n");
        for (auto& [key, d] : f["progressiveDegradations"].items())
            std::printf("  %-6s requests=%lld delay=%lldms erroring=%s\n", key.c_str(),
                        d.value("requestCount", 0LL), d.value("currentDelayMs", 0LL),
                        d.value("isErroring", false) ? "yes" : "no");
    }
    return 0;
}

}  // namespace

ChaosCommands::ChaosCommands(CLI::App& app) : s_(std::make_unique<State>()) {
    State& s = *s_;
    auto shared = [&](CLI::App* cmd) {
        addAdminClientFlags(cmd, s.adminUrl, s.apiKey, s.dataDir, s.json);
    };
    s.chaos = app.add_subcommand("chaos", "Manage chaos injection for fault testing");
    s.chaos->require_subcommand(1);
    s.enable =
        s.chaos->add_subcommand("enable", "Enable chaos injection with specified parameters");
    s.enable->add_option("-l,--latency", s.latency, "Add random latency (e.g. \"10ms-100ms\")");
    s.enable->add_option("-e,--error-rate", s.errorRate, "Error rate (0.0-1.0)");
    s.enable->add_option("--error-code", s.errorCode, "HTTP error code to return")
        ->capture_default_str();
    s.enable->add_option("-p,--path", s.path, "Path pattern to apply chaos to (regex)");
    s.enable->add_option("--probability", s.probability, "Probability of applying chaos (0.0-1.0)")
        ->capture_default_str();
    shared(s.enable);
    s.disable = s.chaos->add_subcommand("disable", "Disable chaos injection");
    shared(s.disable);
    s.status = s.chaos->add_subcommand("status", "Show current chaos configuration");
    shared(s.status);
    s.profiles = s.chaos->add_subcommand("profiles", "List available chaos profiles");
    shared(s.profiles);
    s.apply = s.chaos->add_subcommand("apply", "Apply a named chaos profile");
    s.apply->add_option("profile", s.profile, "Profile name (see 'mockd chaos profiles')")
        ->required();
    shared(s.apply);
    s.faults = s.chaos->add_subcommand(
        "faults", "Show the state of circuit breakers, retry-after and degradation faults");
    shared(s.faults);
    s.breaker = s.chaos->add_subcommand("circuit-breaker", "Trip or reset a circuit breaker");
    s.breaker->require_subcommand(1);
    s.trip = s.breaker->add_subcommand("trip", "Force a circuit breaker open");
    s.trip->add_option("key", s.key, "Breaker key: ruleIndex:faultIndex (e.g. 0:0)")->required();
    shared(s.trip);
    s.reset = s.breaker->add_subcommand("reset", "Force a circuit breaker closed");
    s.reset->add_option("key", s.key, "Breaker key: ruleIndex:faultIndex (e.g. 0:0)")->required();
    shared(s.reset);
}

ChaosCommands::~ChaosCommands() = default;

std::optional<int> ChaosCommands::run() {
    State& s = *s_;
    if (!*s.chaos) return std::nullopt;
    return reportingClientErrors([&]() -> std::optional<int> {
        AdminClient c(s.adminUrl, s.apiKey.empty() ? keyFromDataDir(s.dataDir) : s.apiKey);
        if (*s.enable) return enableChaos(s, c);
        if (*s.disable) {
            expectOk(c.call("PUT", "/chaos", R"({"enabled":false})"));
            if (s.json)
                printJson({{"enabled", false}});
            else
                std::printf("Chaos injection disabled\n");
            return 0;
        }
        if (*s.status) {
            Json cfg = expectOk(c.call("GET", "/chaos"));
            if (s.json) {
                printJson(cfg);
                return 0;
            }
            if (!cfg.value("enabled", false)) {
                std::printf("Chaos injection: disabled\n");
                return 0;
            }
            std::printf("Chaos injection: enabled\n");
            printConfig(cfg);
            return 0;
        }
        if (*s.profiles) {
            Json list = expectOk(c.call("GET", "/chaos/profiles"));
            if (s.json) {
                printJson(list);
                return 0;
            }
            std::printf("Available chaos profiles:\n\n");
            for (const auto& p : list)
                std::printf("  %-15s %s\n", p.value("name", "").c_str(),
                            p.value("description", "").c_str());
            std::printf("\nApply a profile with: mockd chaos apply <profile-name>\n");
            return 0;
        }
        if (*s.apply) {
            Json profile = expectOk(c.call("GET", "/chaos/profiles/" + s.profile));
            expectOk(c.call("POST", "/chaos/profiles/" + s.profile + "/apply"));
            if (s.json) {
                printJson(
                    {{"profile", s.profile}, {"applied", true}, {"config", profile["config"]}});
                return 0;
            }
            std::printf("Applied chaos profile: %s\n  %s\n\n", s.profile.c_str(),
                        profile.value("description", "").c_str());
            printConfig(profile["config"]);
            std::printf("\nDisable with: mockd chaos disable\n");
            return 0;
        }
        if (*s.faults) return printFaults(s, c);
        if (*s.trip || *s.reset) {
            const bool trip = s.trip->parsed();
            Json j = expectOk(
                c.call("POST", "/chaos/circuit-breakers/" + s.key + (trip ? "/trip" : "/reset")));
            if (s.json)
                printJson(j);
            else
                std::printf("Circuit breaker %s %s\n", s.key.c_str(), trip ? "tripped" : "reset");
            return 0;
        }
        return std::nullopt;
    });
}

}  // namespace mockd::cli
