// Health probes for the CLI, on the same HTTP client the proxy uses.
#include "cli/health_check.h"

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/cli.h"
#include "cli/client_commands.h"
#include "http/client.h"

namespace mockd::cli {

std::vector<std::string> healthUrls(const std::string& url, std::string& err) {
    http::Url parsed;
    if (!http::parseUrl(url, parsed, err)) return {};
    if (parsed.target != "/") return {url};
    std::string base = url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return {base + "/health", base + "/__admin/health"};
}

HealthAnswer probeHealth(const std::vector<std::string>& urls, std::chrono::milliseconds timeout) {
    HealthAnswer out;
    for (const auto& url : urls) {
        boost::asio::io_context ctx;
        http::ClientRequest req;
        req.url = url;
        req.timeout = timeout;
        req.headers = {{"User-Agent", std::string("mockd-health/") + MOCKD_VERSION},
                       {"Accept", "application/json"}};
        http::ClientResponse res;
        http::fetch(ctx, req, [&](http::ClientResponse r) { res = std::move(r); });
        ctx.run();
        // The pool holds sockets of this io_context, which is about to go.
        http::closeIdleConnections();
        out.url = url;
        if (res.status >= 200 && res.status < 300) {
            out.healthy = true;
            out.detail.clear();
            out.body = std::move(res.body);
            return out;
        }
        if (res.status == 0) {
            out.detail = res.timedOut ? "no answer within " + humanDuration(timeout) : res.error;
            return out;
        }
        out.detail = "answered " + std::to_string(res.status);
        if (res.status != 404) return out;
    }
    // Every path was a 404: report the first, the one a user most likely meant.
    if (!urls.empty()) out.url = urls.front();
    return out;
}

std::string humanDuration(std::chrono::milliseconds d) {
    auto ms = d.count();
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    if (ms < 1000) return std::to_string(ms) + "ms";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000.0);
    return buf;
}

HealthCommands addHealthCommands(CLI::App& app, HealthOptions& h, HealthOptions& w) {
    HealthCommands out;
    h.timeout = "5s";
    out.health = app.add_subcommand(
        "health", "Exit 0 when the server answers healthy, 1 otherwise (for HEALTHCHECK and CI)");
    out.health->add_option("--url", h.url,
                           "Health URL, or a server's base URL (tries /health, then "
                           "/__admin/health)");
    out.health->add_option("-a,--admin-port,--port", h.port, "Check http://localhost:PORT");
    out.health->add_option("--timeout", h.timeout, "How long one check may take")
        ->capture_default_str();
    addAdminClientFlags(out.health, h.adminUrl, h.apiKey, h.dataDir, h.json);

    w.timeout = "30s";
    out.wait = app.add_subcommand(
        "wait", "Wait until a server answers healthy; exit 1 if it does not within --timeout");
    out.wait->add_option("--url", w.url,
                         "Health URL, or a server's base URL (tries /health, then "
                         "/__admin/health)");
    out.wait->add_option("-a,--admin-port,--port", w.port, "Wait for http://localhost:PORT");
    out.wait->add_option("--timeout", w.timeout, "Give up after this long")->capture_default_str();
    out.wait->add_option("--interval", w.interval, "Pause between attempts")->capture_default_str();
    addAdminClientFlags(out.wait, w.adminUrl, w.apiKey, w.dataDir, w.json);
    return out;
}

std::string healthBase(const HealthOptions& o) {
    if (!o.url.empty()) return o.url;
    if (o.port) return "http://localhost:" + std::to_string(o.port);
    return o.adminUrl;
}

namespace {

bool flagDuration(const char* cmd, const char* flag, const std::string& text,
                  std::chrono::milliseconds& out) {
    if (parseDuration(text, out) && out.count() > 0) return true;
    std::fprintf(stderr, "mockd %s: %s: \"%s\" is not a duration (e.g. 30s, 500ms, 2m)\n", cmd,
                 flag, text.c_str());
    return false;
}

void report(const HealthOptions& o, const HealthAnswer& a, const char* cmd,
            const std::string& failure) {
    if (o.json) {
        nlohmann::json j = {{"status", a.healthy ? "healthy" : "unhealthy"}, {"url", a.url}};
        if (!a.healthy) j["error"] = failure;
        std::cout << j.dump(2) << "\n";
    } else if (a.healthy) {
        std::printf("healthy (%s)\n", a.url.c_str());
    }
    if (!a.healthy) std::fprintf(stderr, "mockd %s: %s\n", cmd, failure.c_str());
}

}  // namespace

int runHealth(const HealthOptions& o) {
    std::chrono::milliseconds timeout{};
    if (!flagDuration("health", "--timeout", o.timeout, timeout)) return 2;
    std::string err, base = healthBase(o);
    auto urls = healthUrls(base, err);
    if (urls.empty()) {
        std::fprintf(stderr, "mockd health: %s: %s\n", base.c_str(), err.c_str());
        return 2;
    }
    auto a = probeHealth(urls, timeout);
    report(o, a, "health", "unhealthy: " + a.url + ": " + a.detail);
    return a.healthy ? 0 : 1;
}

int runWait(const HealthOptions& o) {
    std::chrono::milliseconds timeout{}, interval{};
    if (!flagDuration("wait", "--timeout", o.timeout, timeout) ||
        !flagDuration("wait", "--interval", o.interval, interval))
        return 2;
    std::string err, base = healthBase(o);
    auto urls = healthUrls(base, err);
    if (urls.empty()) {
        std::fprintf(stderr, "mockd wait: %s: %s\n", base.c_str(), err.c_str());
        return 2;
    }
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now(), deadline = start + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        // One attempt never outlives the deadline, but gets long enough to be meaningful.
        auto a = probeHealth(urls, std::max(left, std::chrono::milliseconds(100)));
        if (a.healthy || Clock::now() + interval >= deadline) {
            report(o, a, "wait",
                   "not healthy after " + humanDuration(timeout) + ": " + a.url + ": " + a.detail);
            return a.healthy ? 0 : 1;
        }
        std::this_thread::sleep_for(interval);
    }
}

}  // namespace mockd::cli
