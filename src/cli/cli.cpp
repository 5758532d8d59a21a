// mockd's commands: engine, start (serve), version.
#include "cli/cli.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "admin/admin_api.h"
#include "chaos/chaos.h"
#include "cli/chaos_commands.h"
#include "cli/client_commands.h"
#include "cli/spec_validation.h"
#include "cli/stream_commands.h"
#include "config/loader.h"
#include "config/watcher.h"
#include "core/build_info.h"
#include "core/errors.h"
#include "core/json_fields.h"
#include "core/mock_codec.h"
#include "engine/mock_engine.h"
#include "http/client.h"
#include "http/offload.h"
#include "http/server.h"
#include "journal/journal.h"
#include "log/log.h"
#include "match/registry.h"
#include "net/tls.h"
#include "protocols/http/http_protocol.h"
#include "protocols/sse/sse_protocol.h"
#include "protocols/websocket/ws_protocol.h"
#include "state/operations.h"
#include "store/store.h"
#include "wiremock/admin_api.h"
#include "wiremock/stub_codec.h"
#include "wiremock/stub_responder.h"
#include "wiremock/templating.h"

namespace mockd::cli {

namespace asio = boost::asio;

bool parseDuration(std::string_view text, std::chrono::milliseconds& out) {
    if (text.empty()) return false;
    size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
        ++i;
    if (i == 0) return false;
    double v = 0;
    try {
        v = std::stod(std::string(text.substr(0, i)));
    } catch (...) {
        return false;
    }
    std::string_view unit = text.substr(i);
    double ms;
    if (unit.empty() || unit == "s")
        ms = v * 1000;
    else if (unit == "ms")
        ms = v;
    else if (unit == "m")
        ms = v * 60'000;
    else if (unit == "h")
        ms = v * 3'600'000;
    else
        return false;
    out = std::chrono::milliseconds(static_cast<int64_t>(ms));
    return true;
}

bool parseSize(std::string_view text, uint64_t& out) {
    size_t i = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == 0 || i > 15) return false;
    uint64_t v = std::stoull(std::string(text.substr(0, i)));
    std::string unit(text.substr(i));
    for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    uint64_t mul = 1;
    if (unit.empty() || unit == "b")
        mul = 1;
    else if (unit == "k" || unit == "kb" || unit == "kib")
        mul = 1024;
    else if (unit == "m" || unit == "mb" || unit == "mib")
        mul = 1024 * 1024;
    else if (unit == "g" || unit == "gb" || unit == "gib")
        mul = 1024ull * 1024 * 1024;
    else
        return false;
    out = v * mul;
    return true;
}

namespace {

// The cores this process may run on (taskset, cgroup cpusets), not every core of the machine.
unsigned usableCores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) == 0) {
        const int n = CPU_COUNT(&set);
        if (n > 0) return static_cast<unsigned>(n);
    }
    return std::max(1u, std::thread::hardware_concurrency());
}

struct ServeOptions {
    std::string mode;  // "engine", "start" or "wiremock"
    std::string config;
    uint16_t port = 4280;
    uint16_t adminPort = 4290;
    std::string bind;
    std::string host = "localhost";
    bool printUrl = false;
    std::string logLevel;
    std::string logFormat = "text";
    unsigned workers = 0;
    std::string maxBodySize = "10MiB";
    std::string maxHeaderSize = "64KiB";
    std::string headerTimeout = "10s";
    std::string idleTimeout = "60s";
    std::string drainTimeout = "10s";
    size_t maxConnections = 10000;
    size_t maxLogEntries = 10000;
    size_t maxSseConnections = protocols::sse::kDefaultMaxStreams;
    std::string dataDir;
    bool noAuth = false;
    std::string pidFile;
    bool detach = false;
    std::string loadDir;  // start --load: every mock file in this directory
    bool watch = false;   // start --watch, wiremock --watch-mappings
    // WireMock mode
    std::string rootDir = ".";
    bool noJournal = false;
    std::string basicAuth;
    bool disableBanner = false;
    bool verbose = false;
    bool stubCors = false;             // --enable-stub-cors
    std::string templating = "local";  // WireMock response templating: off, local, global
    std::vector<std::string> permittedSystemKeys;
    std::vector<std::string> ignoredFlags;       // JVM/Jetty tuning flags with no meaning here
    std::vector<std::string> missingExtensions;  // --extensions: Java classes we cannot load
    // Forwarding
    std::string proxyUnmatched;          // --proxy-unmatched URL (mockd modes)
    SpecValidationFlags specValidation;  // --validate-spec, --validate-fail, --validate-response
    std::string proxyAll;                // --proxy-all URL (WireMock mode)
    bool preserveHost = false;           // --preserve-host-header
    std::string proxyTimeout = "300s";
    bool recordMappings = false;  // --record-mappings
    // mockd's --chaos-* flags
    bool chaosEnabled = false;
    std::string chaosLatency;
    double chaosErrorRate = 0;
    std::string chaosProfile;
    // HTTPS (mockd's flags; WireMock's keystore flags fill the same settings)
    uint16_t httpsPort = 0;
    std::string tlsCert, tlsKey;
    bool tlsAuto = false;
    bool autoCert = true;  // --https-port alone serves a self-signed certificate
    bool mtlsEnabled = false;
    std::string mtlsClientAuth;
    std::vector<std::string> mtlsCa, mtlsAllowedCns;
    std::string keystore, keystorePassword = "password";
    std::string truststore, truststorePassword = "password";
    bool requireClientCert = false;
    // mockd's CORS and rate limit on the mock port
    std::vector<std::string> corsOrigins;
    double rateLimit = 0;
};

std::vector<std::string> stringList(const core::Json& j, const std::string& field) {
    std::vector<std::string> out;
    if (j.is_string()) {
        out.push_back(j.get<std::string>());
        return out;
    }
    if (!j.is_array()) throw std::runtime_error(field + ": must be a list of strings");
    for (const auto& v : j) {
        if (!v.is_string()) throw std::runtime_error(field + ": must be a list of strings");
        out.push_back(v.get<std::string>());
    }
    return out;
}

// mockd's CORS (on by default, for local dev servers) and rate limit (off by default):
// serverConfig.cors and .rateLimit of the config file, then --cors-origins and --rate-limit.
// Throws std::runtime_error or core::FieldError naming the setting.
void applyGuards(const ServeOptions& o, const core::Json* sc, engine::EngineConfig& engine) {
    http::CorsConfig cors;
    std::optional<http::RateLimitConfig> limit;
    if (sc && sc->is_object() && sc->contains("cors")) {
        const auto& c = (*sc)["cors"];
        const std::string f = "serverConfig.cors";
        if (!c.is_object()) throw std::runtime_error(f + ": must be an object");
        cors.enabled = core::boolField(c, "enabled", f, true);
        for (auto [key, list] : {std::pair{"allowOrigins", &cors.allowOrigins},
                                 {"allowMethods", &cors.allowMethods},
                                 {"allowHeaders", &cors.allowHeaders},
                                 {"exposeHeaders", &cors.exposeHeaders}})
            if (c.contains(key)) *list = stringList(c[key], f + "." + key);
        cors.allowCredentials = core::boolField(c, "allowCredentials", f, false);
        cors.maxAge = static_cast<int>(core::intField(c, "maxAge", f, cors.maxAge, 0, 86400 * 365));
    }
    if (!o.corsOrigins.empty()) {
        cors.enabled = true;
        cors.allowOrigins = o.corsOrigins;
        cors.allowHeaders = {"*"};
    }
    if (sc && sc->is_object() && sc->contains("rateLimit")) {
        const auto& r = (*sc)["rateLimit"];
        const std::string f = "serverConfig.rateLimit";
        if (!r.is_object()) throw std::runtime_error(f + ": must be an object");
        if (core::boolField(r, "enabled", f, true)) {
            http::RateLimitConfig rc;
            if (auto it = r.find("requestsPerSecond"); it != r.end()) {
                if (!it->is_number() || it->get<double>() <= 0)
                    throw std::runtime_error(f + ".requestsPerSecond: must be a positive number");
                rc.rate = it->get<double>();
            }
            rc.burst = static_cast<int>(core::intField(r, "burstSize", f, 0, 1, 1'000'000'000));
            rc.maxBuckets =
                static_cast<size_t>(core::intField(r, "maxBuckets", f, 10000, 1, int64_t{1} << 32));
            if (r.contains("trustedProxies"))
                rc.trustedProxies = stringList(r["trustedProxies"], f + ".trustedProxies");
            limit = rc;
        }
    }
    if (o.rateLimit < 0) throw std::runtime_error("--rate-limit must be 0 (off) or more");
    if (o.rateLimit > 0) {
        if (!limit) limit.emplace();
        limit->rate = o.rateLimit;
        limit->burst = std::max(1, static_cast<int>(o.rateLimit * 2));
    }
    if (cors.enabled) engine.cors = std::make_unique<http::Cors>(cors);
    if (limit) {
        try {
            engine.rateLimit = std::make_unique<http::RateLimiter>(*limit);
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(std::string("serverConfig.rateLimit.trustedProxies: ") +
                                     e.what());
        }
    }
}

// The HTTPS port's settings: serverConfig.httpsPort, .tls and .mtls of the config file, then the
// flags on top. Nothing to serve: nullopt. Throws std::runtime_error naming the setting.
std::optional<net::TlsServer> httpsSettings(const ServeOptions& o, const core::Json* sc,
                                            uint16_t& httpsPort) {
    net::TlsSettings t;
    httpsPort = o.httpsPort;
    bool configTls = false;
    // Files named in the config are relative to its directory, as bodyFile is.
    const std::filesystem::path base = std::filesystem::path(o.config).parent_path();
    auto file = [&](std::string f) {
        if (!f.empty() && std::filesystem::path(f).is_relative()) f = (base / f).string();
        return f;
    };
    if (sc && sc->is_object()) {
        if (httpsPort == 0 && sc->contains("httpsPort")) {
            const auto& p = (*sc)["httpsPort"];
            if (!p.is_number_unsigned() || p.get<uint64_t>() > 65535)
                throw std::runtime_error(
                    "serverConfig.httpsPort: must be a port number (0 to 65535)");
            httpsPort = static_cast<uint16_t>(p.get<uint64_t>());
        }
        if (sc->contains("tls")) {
            const auto& tj = (*sc)["tls"];
            const std::string f = "serverConfig.tls";
            if (!tj.is_object()) throw std::runtime_error(f + ": must be an object");
            if (core::boolField(tj, "enabled", f, true)) {
                configTls = true;
                t.certFile = file(core::stringField(tj, "certFile", f));
                t.keyFile = file(core::stringField(tj, "keyFile", f));
                t.autoCert = core::boolField(tj, "autoGenerateCert", f, false);
            }
        }
        if (sc->contains("mtls")) {
            const auto& mj = (*sc)["mtls"];
            const std::string f = "serverConfig.mtls";
            if (!mj.is_object()) throw std::runtime_error(f + ": must be an object");
            t.mtls = core::boolField(mj, "enabled", f, false);
            if (std::string mode = core::stringField(mj, "clientAuth", f);
                !mode.empty() && !net::parseClientAuth(mode, t.clientAuth))
                throw std::runtime_error(f + ".clientAuth: \"" + mode +
                                         "\" is not one of none, request, require, "
                                         "verify-if-given, require-and-verify");
            if (std::string ca = core::stringField(mj, "caCertFile", f); !ca.empty())
                t.caFiles.push_back(file(ca));
            if (mj.contains("caCertFiles"))
                for (auto& ca : stringList(mj["caCertFiles"], f + ".caCertFiles"))
                    t.caFiles.push_back(file(ca));
            if (mj.contains("allowedCNs"))
                t.allowedCNs = stringList(mj["allowedCNs"], f + ".allowedCNs");
            if (mj.contains("allowedOUs"))
                t.allowedOUs = stringList(mj["allowedOUs"], f + ".allowedOUs");
        }
    }
    if (!o.tlsCert.empty() || !o.tlsKey.empty()) {
        t.certFile = o.tlsCert;
        t.keyFile = o.tlsKey;
    }
    t.keystore = o.keystore;
    t.keystorePassword = o.keystorePassword;
    t.truststore = o.truststore;
    t.truststorePassword = o.truststorePassword;
    t.autoCert = t.autoCert || o.tlsAuto || o.autoCert;
    if (o.mtlsEnabled) t.mtls = true;
    if (!o.mtlsClientAuth.empty() && !net::parseClientAuth(o.mtlsClientAuth, t.clientAuth))
        throw std::runtime_error("--mtls-client-auth: \"" + o.mtlsClientAuth +
                                 "\" is not one of none, request, require, verify-if-given, "
                                 "require-and-verify");
    if (!o.mtlsCa.empty()) t.caFiles = o.mtlsCa;
    if (!o.mtlsAllowedCns.empty()) t.allowedCNs = o.mtlsAllowedCns;
    if (o.requireClientCert) {
        t.mtls = true;
        t.clientAuth = net::ClientAuth::RequireAndVerify;
    }
    const bool asked = configTls || !t.certFile.empty() || !t.keyFile.empty() || o.tlsAuto ||
                       o.mtlsEnabled || !t.keystore.empty() || o.requireClientCert;
    if (httpsPort == 0) {
        if (asked)
            throw std::runtime_error(
                "TLS settings need an HTTPS port (--https-port or serverConfig.httpsPort)");
        return std::nullopt;
    }
    net::TlsServer server;
    server.ctx = net::makeServerContext(t);
    server.settings = std::move(t);
    return server;
}

// The mocks of every config file under a directory (start --load): mockd collections (YAML or
// JSON) and WireMock stub files. Throws std::runtime_error naming the file.
struct LoadedDir {
    std::vector<match::CompiledMockPtr> compiled;
    std::vector<state::TableDef> tables;
    std::vector<state::Operation> operations;
    std::vector<std::string> warnings;
};

// `scenarios`: the set the WireMock stubs among the files share with /__admin's.
LoadedDir loadDirectory(const std::string& dir,
                        const std::shared_ptr<wiremock::Scenarios>& scenarios) {
    namespace fs = std::filesystem;
    LoadedDir out;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw std::runtime_error(dir + ": not a directory");
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        auto ext = it->path().extension();
        if (it->is_regular_file(ec) && (ext == ".json" || ext == ".yaml" || ext == ".yml"))
            files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        if (f.extension() == ".json") {
            std::ifstream in(f);
            auto doc = core::Json::parse(in, nullptr, false, true);
            auto isStub = [](const core::Json& j) {
                return j.is_object() && (j.contains("request") || j.contains("response")) &&
                       !j.contains("mocks");
            };
            if (!doc.is_discarded() &&
                (isStub(doc) || (doc.is_object() && doc.contains("mappings")))) {
                for (auto& m :
                     wiremock::WireMockApi::readMappingFile(f.string(), "__files", scenarios)) {
                    // Not a mappings/ file: /__admin neither rewrites, deletes nor reloads it.
                    auto wm = wiremock::copyStub(m);
                    wm->file.clear();
                    wm->fromLoadDir = true;
                    m.format = std::move(wm);
                    m.seq = core::nextMockSeq();
                    out.compiled.push_back(
                        match::CompiledMock::compile(std::make_shared<core::Mock>(std::move(m))));
                }
                continue;
            }
        }
        try {
            config::LoadedConfig cfg = config::loadFile(f.string());
            out.warnings.insert(out.warnings.end(), cfg.warnings.begin(), cfg.warnings.end());
            out.compiled.insert(out.compiled.end(), cfg.compiled.begin(), cfg.compiled.end());
            for (auto& t : cfg.tables) out.tables.push_back(std::move(t));
            for (auto& op : cfg.operations) out.operations.push_back(std::move(op));
        } catch (const config::ConfigError& e) {
            throw std::runtime_error(e.what());
        }
    }
    return out;
}

int gReadyFd = -1;  // with --detach: where the child reports "ready" or its error

std::filesystem::path defaultPidFile() {
    const char* h = std::getenv("HOME");
    return std::filesystem::path(h && *h ? h : ".") / ".mockd" / "mockd.pid";
}

bool processAlive(long pid) {
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// Writes the PID file atomically (temp file + rename), in mockd's JSON shape.
void writePidFile(const std::filesystem::path& file, const core::Json& doc) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (std::ifstream in(file); in) {
        auto old = core::Json::parse(in, nullptr, false);
        if (!old.is_discarded() && old.contains("pid") && old["pid"].is_number_integer() &&
            old["pid"].get<long>() != ::getpid() && processAlive(old["pid"].get<long>()))
            log::warn("another mockd's PID file is replaced",
                      {{"file", file.string()}, {"pid", old["pid"].get<long>()}});
    }
    auto tmp = file;
    tmp += ".tmp";
    {
        std::ofstream out(tmp);
        out << doc.dump(2) << "\n";
        if (!out) {
            log::warn("cannot write the PID file", {{"file", file.string()}});
            return;
        }
    }
    std::filesystem::rename(tmp, file, ec);
}

std::filesystem::path defaultDataDir() {
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
        return std::filesystem::path(x) / "mockd";
    if (const char* h = std::getenv("HOME"); h && *h)
        return std::filesystem::path(h) / ".local" / "share" / "mockd";
    return std::filesystem::current_path() / ".mockd";
}

// The admin API key: MOCKD_API_KEY, else the key file in the data dir (made on first start).
std::string loadOrCreateApiKey(const std::filesystem::path& dataDir) {
    if (const char* k = std::getenv("MOCKD_API_KEY"); k && *k) return k;
    std::error_code ec;
    std::filesystem::create_directories(dataDir, ec);
    auto file = dataDir / "admin-api-key";
    if (std::ifstream in(file); in) {
        std::string key;
        std::getline(in, key);
        if (!key.empty()) return key;
    }
    std::string key = http::generateApiKey();
    auto tmp = file;
    tmp += ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        log::warn("cannot write the admin API key file; remote admin calls need MOCKD_API_KEY",
                  {{"file", file.string()}, {"error", std::strerror(errno)}});
        return key;
    }
    std::string line = key + "\n";
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::fsync(fd);
    ::close(fd);
    if (ok) std::filesystem::rename(tmp, file, ec);
    log::info("generated the admin API key", {{"file", file.string()}});
    return key;
}

[[noreturn]] void die(const std::string& msg, int code = 1) {
    log::flush();
    if (gReadyFd >= 0) {
        std::string line = "mockd: " + msg + "\n";
        [[maybe_unused]] auto n = ::write(gReadyFd, line.data(), line.size());
    }
    std::fprintf(stderr, "mockd: %s\n", msg.c_str());
    std::fflush(stderr);
    std::_Exit(code);
}

std::string portInUse(uint16_t port, const char* flag) {
    return "port " + std::to_string(port) +
           " is already in use; stop what listens there (lsof -i :" + std::to_string(port) +
           ") or choose another port with " + flag;
}

// `imports[].url` in a config: fetched once at load, as mockd fetches it (30 s, 404 and other
// statuses are errors).
std::string fetchImportedDocument(const std::string& url) {
    asio::io_context ctx;
    http::ClientRequest req;
    req.url = url;
    req.timeout = std::chrono::seconds(30);
    req.verifyCertificate = true;
    http::ClientResponse res;
    http::fetch(ctx, req, [&](http::ClientResponse r) { res = std::move(r); });
    ctx.run();
    // The pool holds sockets of this io_context, which is about to go.
    http::closeIdleConnections();
    if (res.status == 0) throw std::runtime_error(res.error.empty() ? "no answer" : res.error);
    if (res.status == 404) throw std::runtime_error("not found (404)");
    if (res.status != 200)
        throw std::runtime_error("the server answered " + std::to_string(res.status));
    return res.body;
}

// --validate-spec and serverConfig.validation: the spec check, inside the request log.
void configureSpecValidation(const ServeOptions& o, const core::Json& serverConfig,
                             engine::EngineConfig& engine) {
    std::vector<std::string> mounted;
    for (const auto& mount : engine.mounts) mounted.push_back(mount.prefix);
    const std::filesystem::path configDir = o.config.empty()
                                                ? std::filesystem::path(".")
                                                : std::filesystem::path(o.config).parent_path();
    try {
        auto filter =
            specValidationFilter(o.specValidation, serverConfig.is_null() ? nullptr : &serverConfig,
                                 configDir, fetchImportedDocument, std::move(mounted));
        if (filter) engine.innerFilters.push_back(std::move(filter));
    } catch (const core::FieldError& e) {
        die(e.field() + ": " + e.what(), 2);
    } catch (const std::exception& e) {
        die(e.what(), 2);
    }
}

void configureGuards(const ServeOptions& o, const core::Json& serverConfig,
                     engine::EngineConfig& engine) {
    try {
        applyGuards(o, serverConfig.is_null() ? nullptr : &serverConfig, engine);
    } catch (const core::FieldError& e) {
        die(e.field() + ": " + e.what(), 2);
    } catch (const std::exception& e) {
        die(e.what(), 2);
    }
}

void initLogging(const ServeOptions& o) {
    log::Level level = log::Level::Info;
    if (!log::parseLevel(o.logLevel.empty() ? (o.mode == "engine" ? "warn" : "info") : o.logLevel,
                         level))
        die("--log-level must be debug, info, warn or error, not \"" + o.logLevel + "\"", 2);
    if (o.logFormat != "text" && o.logFormat != "json")
        die("--log-format must be text or json, not \"" + o.logFormat + "\"", 2);
    log::init(level, o.logFormat == "json" ? log::Format::Json : log::Format::Text);
}

// The connection limits of every listener, and the drain time at shutdown.
http::Limits connectionLimits(const ServeOptions& o, std::chrono::milliseconds& drain) {
    http::Limits limits;
    uint64_t size = 0;
    if (!parseSize(o.maxBodySize, size)) die("--max-body-size: not a size: " + o.maxBodySize, 2);
    limits.maxBodyBytes = size;
    if (!parseSize(o.maxHeaderSize, size) || size < 1024 || size > (64u << 20))
        die("--max-header-size: a size from 1KiB to 64MiB, not " + o.maxHeaderSize, 2);
    limits.maxHeaderBytes = static_cast<size_t>(size);
    std::chrono::milliseconds d{};
    if (!parseDuration(o.headerTimeout, d) || d.count() < 1000)
        die("--header-timeout: a duration of at least 1s, e.g. 10s, not " + o.headerTimeout, 2);
    limits.headerTimeout = std::chrono::duration_cast<std::chrono::seconds>(d);
    if (!parseDuration(o.idleTimeout, d) || d.count() < 1000)
        die("--idle-timeout: a duration of at least 1s, e.g. 60s, not " + o.idleTimeout, 2);
    limits.idleTimeout = std::chrono::duration_cast<std::chrono::seconds>(d);
    if (!parseDuration(o.drainTimeout, drain))
        die("--drain-timeout: not a duration: " + o.drainTimeout, 2);
    limits.maxConnections = o.maxConnections == 0 ? SIZE_MAX : o.maxConnections;
    if (o.mode == "start" && o.port != 0 && o.port == o.adminPort)
        die("--port and --admin-port must differ (both are " + std::to_string(o.port) + ")", 2);
    return limits;
}

// Decodes each stored document; one that no longer reads is skipped with a warning, so a
// store written by another version never keeps the server from starting.
template <class Decode>
void forEachStored(const std::vector<core::Json>& docs, const char* what, Decode&& decode) {
    for (const auto& j : docs) {
        try {
            decode(j);
        } catch (const core::FieldError& e) {
            log::warn(std::string("a stored ") + what + " could not be read and is skipped",
                      {{"field", e.field()}, {"error", e.what()}});
        }
    }
}

// `mockd start` without --config: mocks made over the admin API live in the store, and come
// back from it.
std::unique_ptr<store::Store> openStore(const std::filesystem::path& dataDir,
                                        match::Registry& registry, state::TableStore& tables,
                                        size_t& mockCount) {
    try {
        auto store = std::make_unique<store::Store>(dataDir);
        std::vector<core::Mock> mocks;
        forEachStored(store->loadMocks(), "mock", [&](const core::Json& j) {
            mocks.push_back(core::decodeMock(j, "stored mock", {}));
        });
        mockCount = mocks.size();
        registry.replaceAll(std::move(mocks));
        forEachStored(store->loadOperations(), "custom operation", [&](const core::Json& j) {
            tables.putOperation(std::make_shared<const state::Operation>(
                state::decodeOperation(j, "stored operation")));
        });
        forEachStored(store->loadTables(), "table", [&](const core::Json& j) {
            tables.put(state::decodeTable(j, "stored table"));
        });
        return store;
    } catch (const std::exception& e) {
        die(e.what());
    }
}

// --load DIR: returns the ids of the mocks it added, which a reload replaces.
std::vector<std::string> loadDirInto(const std::string& dir,
                                     const std::shared_ptr<wiremock::Scenarios>& scenarios,
                                     match::Registry& registry, state::TableStore& tables,
                                     size_t& mockCount) {
    std::vector<std::string> ids;
    try {
        LoadedDir loaded = loadDirectory(dir, scenarios);
        for (const auto& w : loaded.warnings) log::warn(w);
        for (const auto& c : loaded.compiled) ids.push_back(c->mock().id);
        mockCount += loaded.compiled.size();
        registry.edit([&](std::vector<match::CompiledMockPtr>& all) {
            all.insert(all.end(), loaded.compiled.begin(), loaded.compiled.end());
        });
        for (auto& t : loaded.tables) tables.put(std::move(t));
        for (auto& op : loaded.operations)
            tables.putOperation(std::make_shared<const state::Operation>(std::move(op)));
    } catch (const std::exception& e) {
        die(std::string("--load: ") + e.what());
    }
    return ids;
}

// --config FILE: its mocks, tables and operations; returns its serverConfig (null without).
core::Json loadConfigInto(const std::string& file, match::Registry& registry,
                          state::TableStore& tables, size_t& mockCount) {
    core::Json serverConfig;
    try {
        config::LoadedConfig cfg = config::loadFile(file);
        if (cfg.collection.is_object() && cfg.collection.contains("serverConfig"))
            serverConfig = cfg.collection["serverConfig"];
        for (const auto& w : cfg.warnings) log::warn(w);
        mockCount += cfg.compiled.size();
        registry.edit([&](std::vector<match::CompiledMockPtr>& all) {
            all.insert(all.end(), cfg.compiled.begin(), cfg.compiled.end());
        });
        tables.replaceAll(std::move(cfg.tables));
        for (auto& op : cfg.operations)
            tables.putOperation(std::make_shared<const state::Operation>(std::move(op)));
        // Freeing the parsed document of a large config takes as long as a fifth of its
        // loading: it happens beside start-up, not before the port opens.
        std::thread([done = std::move(cfg)] {}).detach();
    } catch (const config::ConfigError& e) {
        die(e.what());
    }
    return serverConfig;
}

// Chaos: the config file's serverConfig.chaos, then the --chaos-* flags on top.
void configureChaos(const ServeOptions& o, const core::Json& serverConfig,
                    chaos::Controller& chaosControl) {
    try {
        if (serverConfig.is_object() && serverConfig.contains("chaos"))
            chaosControl.apply(chaos::parseConfig(serverConfig["chaos"]));
    } catch (const chaos::ConfigError& e) {
        die(o.config + ": serverConfig.chaos: " + e.what());
    }
    if (!o.chaosProfile.empty()) {
        if (!o.chaosLatency.empty() || o.chaosErrorRate > 0)
            die("--chaos-profile cannot be combined with --chaos-latency or --chaos-error-rate", 2);
        const chaos::Profile* p = chaos::findProfile(o.chaosProfile);
        if (!p) {
            std::string names;
            for (const auto& q : chaos::profiles()) names += (names.empty() ? "" : ", ") + q.name;
            die("--chaos-profile: unknown profile \"" + o.chaosProfile + "\" (profiles: " + names +
                    ")",
                2);
        }
        chaosControl.apply(p->config);
    } else if (o.chaosEnabled || !o.chaosLatency.empty() || o.chaosErrorRate > 0) {
        if (o.chaosErrorRate < 0 || o.chaosErrorRate > 1)
            die("--chaos-error-rate must be between 0 and 1", 2);
        try {
            chaosControl.apply(chaos::simpleConfig(o.chaosLatency, o.chaosErrorRate, 500));
        } catch (const chaos::ConfigError& e) {
            die("--chaos-latency: " + std::string(e.what()), 2);
        }
    }
}

// After each admin change, the store writes the rows it changed: each named mock, table or
// operation as it now is (or its deletion when it is gone), or a whole set replaced.
std::function<void(const admin::Change&)> storeWriter(store::Store* st, match::Registry* reg,
                                                      state::TableStore* tbl) {
    return [st, reg, tbl](const admin::Change& change) {
        try {
            // One transaction for the whole change, however many rows it has.
            store::Changes rows;
            rows.replaceMocks = change.allMocks;
            rows.replaceTables = change.allTables;
            if (change.allMocks) {
                // Held for the loop: a range-for keeps only all()'s reference, not the snapshot.
                const auto snap = reg->snapshot();
                for (const auto& c : snap->all())
                    rows.mocks.upserts.push_back(core::encodeMock(c->mock()));
            }
            if (change.allTables) {
                for (const auto& t : tbl->all()) rows.tables.upserts.push_back(t->def().raw);
                for (const auto& op : tbl->operations()) rows.operations.upserts.push_back(op->raw);
            }
            for (const auto& id : change.mocks) {
                if (auto m = reg->get(id))
                    rows.mocks.upserts.push_back(core::encodeMock(*m));
                else
                    rows.mocks.deletes.push_back(id);
            }
            for (const auto& name : change.tables) {
                if (auto t = tbl->find(name))
                    rows.tables.upserts.push_back(t->def().raw);
                else
                    rows.tables.deletes.push_back(name);
            }
            for (const auto& name : change.operations) {
                if (auto op = tbl->findOperation(name))
                    rows.operations.upserts.push_back(op->raw);
                else
                    rows.operations.deletes.push_back(name);
            }
            st->write(rows);
        } catch (const std::exception& e) {
            log::error("cannot save mocks to the store", {{"error", e.what()}});
        }
    };
}

// WireMock's /__admin on the mock port (start and wiremock modes), with its stubs loaded.
std::unique_ptr<wiremock::WireMockApi> startWireMockApi(
    const ServeOptions& o, const std::filesystem::path& dataDir, match::Registry& registry,
    journal::Journal* journal, const admin::AdminSettings& settings,
    std::shared_ptr<wiremock::Scenarios> scenarios) {
    const bool wiremockMode = o.mode == "wiremock";
    wiremock::ApiOptions wo;
    wo.scenarios = std::move(scenarios);
    wo.rootDir = wiremockMode ? o.rootDir : (dataDir / "wiremock").string();
    wo.basicAuth = o.basicAuth;
    if (!wiremockMode) wo.policy = settings.access;
    wo.journalEnabled = journal != nullptr;
    wo.proxyAll = o.proxyAll;
    auto api = std::make_unique<wiremock::WireMockApi>(registry, journal, wo);
    try {
        // start: stubs saved over /__admin (persistent) come back on the next start.
        api->loadMappings(!wiremockMode);
        api->addProxyAll();
        if (wiremockMode && o.recordMappings) {
            // The recorder reads what was proxied from the journal, as WireMock's does.
            if (!journal)
                die("--record-mappings needs the request journal (drop --no-request-journal)", 2);
            api->recordMappings(*journal);
        }
    } catch (const std::exception& e) {
        die(e.what());
    }
    if (!o.permittedSystemKeys.empty()) {
        wiremock::TemplateSettings ts;
        ts.permittedSystemKeys = o.permittedSystemKeys;
        wiremock::setTemplateSettings(std::move(ts));
    }
    return api;
}

void configureWireMockServing(const ServeOptions& o, wiremock::WireMockApi* api,
                              http::Handler* adminRoutes, engine::EngineConfig& engine) {
    engine.mounts.push_back({"/__admin", adminRoutes});
    if (o.mode == "wiremock") {
        // Requests no stub matches get WireMock's answer (a __files/ file or the plain-text
        // diff), and a HEAD is not tried as a GET.
        engine.unmatched = api;
        engine.headAsGet = false;
    }
    engine.stubCors = o.stubCors;
}

// How WireMock stubs are answered: in either mode, since `start --load DIR` reads them too.
wiremock::ResponderOptions wireMockResponding(const ServeOptions& o,
                                              const wiremock::WireMockApi* api, bool journaled,
                                              const engine::ProxyOptions& proxy) {
    wiremock::ResponderOptions ro;
    ro.api = api;
    ro.templating = o.templating == "global" ? wiremock::Templating::Global
                    : o.templating == "off"  ? wiremock::Templating::Off
                                             : wiremock::Templating::Local;
    ro.journal = journaled;
    ro.preserveHost = proxy.preserveHost;
    ro.proxyTimeout = proxy.timeout;
    return ro;
}

void configureProxy(const ServeOptions& o, engine::EngineConfig& engine) {
    engine::ProxyOptions po;
    po.unmatchedUrl = o.proxyUnmatched;
    po.preserveHost = o.preserveHost;
    http::Url url;
    std::string err;
    for (const auto* flag : {&o.proxyUnmatched, &o.proxyAll})
        if (!flag->empty() && !http::parseUrl(*flag, url, err))
            die((flag == &o.proxyAll ? "--proxy-all: " : "--proxy-unmatched: ") + err, 2);
    if (!parseDuration(o.proxyTimeout, po.timeout) || po.timeout.count() < 1)
        die("--proxy-timeout: not a duration: " + o.proxyTimeout, 2);
    engine.proxy = std::move(po);
}

struct ServePools {
    asio::io_context& acceptCtx;
    net::WorkerPool& mock;
    net::WorkerPool& admin;
};

// The admin API's listener, and the ports the protocols opened.
struct Listeners {
    std::unique_ptr<http::Listener> admin;
    protocols::Protocols& served;
    uint16_t mock = 0, https = 0;  // 0: none
};

// The HTTP protocol: the mock port, and HTTPS when configured.
std::unique_ptr<protocols::HttpProtocol> httpProtocol(const ServeOptions& o,
                                                      const core::Json& serverConfig,
                                                      engine::EngineConfig engineConfig) {
    protocols::HttpProtocol::Options http;
    http.port = o.port;
    http.engine = std::move(engineConfig);
    try {
        http.tls =
            httpsSettings(o, serverConfig.is_null() ? nullptr : &serverConfig, http.httpsPort);
    } catch (const core::FieldError& e) {
        die(e.field() + ": " + e.what(), 2);
    } catch (const std::exception& e) {
        die(e.what(), 2);
    }
    return std::make_unique<protocols::HttpProtocol>(std::move(http));
}

// Binds the admin port (mockd start), then every protocol's: a port in use stops start-up
// before anything answers.
Listeners openListeners(const ServeOptions& o, ServePools pools, const http::Limits& limits,
                        admin::AdminApi& adminApi, protocols::Protocols& served,
                        protocols::Server& server) {
    Listeners l{nullptr, served};
    if (o.mode == "start") {
        try {
            l.admin = std::make_unique<http::Listener>(pools.acceptCtx, pools.admin, o.bind,
                                                       o.adminPort, adminApi, limits);
        } catch (const boost::system::system_error& e) {
            if (e.code() == asio::error::address_in_use)
                die(portInUse(o.adminPort, "--admin-port"));
            die(std::string("admin port: ") + e.what());
        }
    }
    try {
        served.openAll(server);
    } catch (const protocols::PortInUse& e) {
        die(portInUse(e.port(), e.flag().c_str()));
    } catch (const std::exception& e) {
        die(e.what());
    }
    l.mock = served.port("http");
    l.https = served.port("https");
    return l;
}

void announceStart(const ServeOptions& o, const Listeners& l, size_t mockCount,
                   const std::filesystem::path& pidFile) {
    core::Json pid = {
        {"pid", ::getpid()},
        {"startTime", engine::rfc3339Now()},
        {"version", MOCKD_VERSION},
        {"commit", mockd::buildCommit()},
        {"components",
         {{"admin", {{"enabled", true}, {"port", l.admin->port()}, {"host", o.host}}},
          {"engine",
           {{"enabled", true}, {"port", l.mock}, {"host", o.host}, {"httpsPort", l.https}}}}},
        {"config", {{"file", o.config}, {"mocksLoaded", mockCount}}}};
    writePidFile(pidFile, pid);
    log::info("mockd started", {{"version", MOCKD_VERSION},
                                {"mocks", static_cast<int64_t>(mockCount)},
                                {"config", o.config}});
    log::info("mock server on http://localhost:" + std::to_string(l.mock));
    if (l.https) log::info("mock server on https://localhost:" + std::to_string(l.https));
    log::info("admin API on http://localhost:" + std::to_string(l.admin->port()));
}

void announceWireMock(const ServeOptions& o, const Listeners& l, size_t mockCount) {
    if (!o.disableBanner) {
        std::printf(
            "mockd %s: WireMock-compatible mode (WireMock %s API)\n"
            "port:                         %u\n"
            "root-dir:                     %s\n"
            "stubs:                        %zu\n"
            "no-request-journal:           %s\n"
            "max-request-journal-entries:  %zu\n"
            "watch-mappings:               %s\n"
            "verbose:                      %s\n",
            MOCKD_VERSION, std::string(wiremock::kVersion).c_str(), l.mock, o.rootDir.c_str(),
            mockCount, o.noJournal ? "true" : "false", o.maxLogEntries, o.watch ? "true" : "false",
            o.verbose ? "true" : "false");
        std::fflush(stdout);
    }
    for (const auto& f : o.ignoredFlags)
        log::warn("flag accepted for WireMock compatibility; it has no effect here", {{"flag", f}});
    for (const auto& cls : o.missingExtensions) wiremock::warnMissingExtension(cls);
    log::info("WireMock-compatible server on http://localhost:" + std::to_string(l.mock));
    if (l.https)
        log::info("WireMock-compatible server on https://localhost:" + std::to_string(l.https));
}

// With --detach, the parent returns once this line arrives: everything it may look at (the
// PID file) is in place.
void reportReady(const Listeners& l) {
    if (gReadyFd < 0) return;
    std::string line = "ready " + std::to_string(::getpid()) + " " + std::to_string(l.mock) + " " +
                       std::to_string(l.admin ? l.admin->port() : 0) + "\n";
    [[maybe_unused]] auto n = ::write(gReadyFd, line.data(), line.size());
    ::close(gReadyFd);
    gReadyFd = -1;
}

// Hot reload: --watch on WireMock's mappings and files, or on the --load directory.
std::unique_ptr<config::DirWatcher> watchForReload(const ServeOptions& o,
                                                   wiremock::WireMockApi* wmApi,
                                                   match::Registry& registry,
                                                   state::TableStore& tables,
                                                   std::vector<std::string>& dirIds,
                                                   std::shared_ptr<wiremock::Scenarios> scenarios) {
    if (o.watch && o.mode == "wiremock")
        return std::make_unique<config::DirWatcher>(
            std::vector<std::string>{wmApi->mappingsDir(), wmApi->filesDir()}, [wmApi] {
                try {
                    wmApi->loadMappings(true);
                    log::info("mappings reloaded", {{"dir", wmApi->mappingsDir()}});
                } catch (const std::exception& e) {
                    log::error("mappings not reloaded; the previous stubs stay",
                               {{"error", e.what()}});
                }
            });
    if (!o.watch || o.loadDir.empty()) return nullptr;
    return std::make_unique<config::DirWatcher>(
        std::vector<std::string>{o.loadDir}, [&o, &registry, &tables, &dirIds, scenarios] {
            try {
                LoadedDir loaded = loadDirectory(o.loadDir, scenarios);
                for (const auto& w : loaded.warnings) log::warn(w);
                std::vector<std::string> ids;
                for (const auto& c : loaded.compiled) ids.push_back(c->mock().id);
                registry.edit([&](std::vector<match::CompiledMockPtr>& all) {
                    std::erase_if(all, [&](const auto& c) {
                        return std::find(dirIds.begin(), dirIds.end(), c->mock().id) !=
                               dirIds.end();
                    });
                    all.insert(all.end(), loaded.compiled.begin(), loaded.compiled.end());
                });
                for (auto& t : loaded.tables) tables.put(std::move(t));
                dirIds = std::move(ids);
                log::info("mocks reloaded", {{"dir", o.loadDir}});
            } catch (const std::exception& e) {
                log::error("mocks not reloaded; the previous set stays", {{"error", e.what()}});
            }
        });
}

// Removes the PID file only if it is still ours.
void removeOwnPidFile(const std::filesystem::path& pidFile) {
    std::ifstream in(pidFile);
    auto cur = core::Json::parse(in, nullptr, false);
    std::error_code ec;
    if (!cur.is_discarded() && cur.value("pid", 0L) == static_cast<long>(::getpid()))
        std::filesystem::remove(pidFile, ec);
}

// Stops accepting, lets in-flight requests finish within --drain-timeout, then stops the
// accept loop. A second signal exits at once.
class Shutdown {
  public:
    Shutdown(asio::io_context& ctx, ServePools pools, const Listeners& listeners,
             std::chrono::milliseconds drain)
        : ctx_(ctx),
          pools_(pools),
          listeners_(listeners),
          drain_(drain),
          signals_(ctx, SIGINT, SIGTERM),
          drainTimer_(ctx) {
        signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            begin(sig == SIGINT ? "SIGINT" : "SIGTERM");
        });
    }
    ~Shutdown() {
        if (joiner_.joinable()) joiner_.join();
    }

    void begin(const char* why) {
        if (stopping_) return;
        stopping_ = true;
        log::info("shutting down", {{"reason", why}});
        signals_.async_wait([](const boost::system::error_code& e, int) {
            if (!e) {
                log::flush();
                std::_Exit(1);
            }
        });
        if (listeners_.admin) listeners_.admin->close();
        listeners_.served.closeAll();
        pools_.mock.drain();
        pools_.admin.drain();
        drainTimer_.expires_after(drain_);
        drainTimer_.async_wait([this](const boost::system::error_code& e) {
            if (e) return;
            log::warn("drain timeout reached; closing remaining connections");
            pools_.mock.stop();
            pools_.admin.stop();
        });
        joiner_ = std::thread([this] {
            pools_.mock.join();
            pools_.admin.join();
            asio::post(ctx_, [this] {
                drainTimer_.cancel();
                signals_.cancel();
                ctx_.stop();
            });
        });
    }

  private:
    asio::io_context& ctx_;
    ServePools pools_;
    const Listeners& listeners_;
    std::chrono::milliseconds drain_;
    asio::signal_set signals_;
    asio::steady_timer drainTimer_;
    std::thread joiner_;
    bool stopping_ = false;
};

int serve(const ServeOptions& o) {
    initLogging(o);
    std::chrono::milliseconds drain{};
    const http::Limits limits = connectionLimits(o, drain);

    match::Registry registry;
    state::TableStore tables;
    size_t mockCount = 0;
    const auto dataDir = o.dataDir.empty() ? defaultDataDir() : std::filesystem::path(o.dataDir);
    std::unique_ptr<store::Store> store;
    if (o.mode == "start" && o.config.empty())
        store = openStore(dataDir, registry, tables, mockCount);
    if (o.mode == "wiremock") registry.setOrder(match::Order::Priority);
    // Mocks that came from --load DIR (replaced on reload).
    std::vector<std::string> dirIds;
    // WireMock's scenarios on this port: /__admin's stubs and those --load reads share them.
    const auto scenarios = std::make_shared<wiremock::Scenarios>();
    if (!o.loadDir.empty()) dirIds = loadDirInto(o.loadDir, scenarios, registry, tables, mockCount);
    core::Json serverConfig;
    if (!o.config.empty()) serverConfig = loadConfigInto(o.config, registry, tables, mockCount);
    chaos::Controller chaosControl;
    configureChaos(o, serverConfig, chaosControl);

    net::raiseFileLimit();
    ::signal(SIGPIPE, SIG_IGN);
    unsigned threads = o.workers ? o.workers : usableCores();
    net::WorkerPool pool(threads);
    // Admin work (and store writes) never runs on mock workers: the admin port's requests and
    // those of WireMock's /__admin on the mock port run on the admin pool's thread.
    net::WorkerPool adminPool(1, net::PoolPriority::Background);
    // After the pools, so it goes first: a pending accept holds a socket of a worker's loop.
    asio::io_context acceptCtx{1};
    const bool withAdmin = o.mode == "start";
    const bool wiremockMode = o.mode == "wiremock";
    const bool journaled = withAdmin || (wiremockMode && !o.noJournal);
    journal::Journal journal(journaled ? o.maxLogEntries : 0);
    http::Metrics metrics;
    admin::AdminSettings adminSettings;
    adminSettings.configFile = o.config;
    adminSettings.tables = &tables;
    adminSettings.access.noAuth = o.noAuth;
    if (store) adminSettings.onChange = storeWriter(store.get(), &registry, &tables);
    if (withAdmin) {
        adminSettings.access.apiKey = loadOrCreateApiKey(dataDir);
        char host[256] = {};
        if (::gethostname(host, sizeof host - 1) == 0) adminSettings.access.hostname = host;
    }
    adminSettings.chaos = &chaosControl;

    // The engine's settings; the HTTP protocol builds it with the server's shared parts.
    engine::EngineConfig ec;
    ec.chaos = &chaosControl;
    std::unique_ptr<wiremock::WireMockApi> wmApi;
    std::unique_ptr<http::OffloadedHandler> wmAdmin;
    if (withAdmin || wiremockMode) {
        wmApi = startWireMockApi(o, dataDir, registry, journaled ? &journal : nullptr,
                                 adminSettings, scenarios);
        if (wiremockMode) mockCount = registry.snapshot()->size();
        wmAdmin = std::make_unique<http::OffloadedHandler>(*wmApi, adminPool.next().ctx());
        configureWireMockServing(o, wmApi.get(), wmAdmin.get(), ec);
    }
    configureProxy(o, ec);
    wiremock::StubResponder stubResponder(wireMockResponding(o, wmApi.get(), journaled, ec.proxy));
    ec.responders.push_back(&stubResponder);
    // WireMock mode has WireMock's own CORS (--enable-stub-cors) and no rate limit.
    if (!wiremockMode) configureGuards(o, serverConfig, ec);
    if (!wiremockMode) configureSpecValidation(o, serverConfig, ec);
    protocols::Protocols served;
    // Streams ride on HTTP mocks: the engine hands them to the SSE protocol's responders.
    auto sse = std::make_unique<protocols::sse::SseProtocol>(o.maxSseConnections);
    auto ws = std::make_unique<protocols::websocket::WebSocketProtocol>();
    ec.streamers = {sse->sseResponder(), sse->chunkedResponder(), ws->responder()};
    served.add(std::move(sse));
    served.add(std::move(ws));
    served.add(httpProtocol(o, serverConfig, std::move(ec)));
    adminSettings.protocolRoutes = served.adminRoutes();
    admin::AdminApi adminApi(registry, journal, metrics, adminSettings);
    protocols::Server server{acceptCtx,
                             pool,
                             limits,
                             o.bind,
                             registry,
                             journaled ? &journal : nullptr,
                             withAdmin || wiremockMode ? &metrics : nullptr,
                             &tables};
    const ServePools pools{acceptCtx, pool, adminPool};
    const Listeners listeners = openListeners(o, pools, limits, adminApi, served, server);
    adminApi.settings().mockPort = listeners.mock;
    if (listeners.https) adminApi.settings().httpsPort = listeners.https;
    if (listeners.admin) adminApi.settings().adminPort = listeners.admin->port();
    adminApi.settings().activeConnections = [&served] { return served.activeConnections(); };
    pool.start();
    if (listeners.admin || wmAdmin) adminPool.start();
    if (listeners.admin) listeners.admin->start();
    served.startAll();

    if (o.printUrl) {
        std::printf("http://%s:%u\n", o.host.c_str(), listeners.mock);
        std::fflush(stdout);
    }
    const auto pidFile = o.pidFile.empty() ? defaultPidFile() : std::filesystem::path(o.pidFile);
    if (withAdmin)
        announceStart(o, listeners, mockCount, pidFile);
    else if (wiremockMode)
        announceWireMock(o, listeners, mockCount);
    else
        log::info("engine started", {{"port", listeners.mock},
                                     {"httpsPort", listeners.https},
                                     {"mocks", static_cast<int64_t>(mockCount)},
                                     {"config", o.config},
                                     {"workers", threads}});
    reportReady(listeners);

    {
        Shutdown shutdown(acceptCtx, pools, listeners, drain);
        if (wmApi)
            wmApi->onShutdown(
                [&] { asio::post(acceptCtx, [&] { shutdown.begin("/__admin/shutdown"); }); });
        auto watcher = watchForReload(o, wmApi.get(), registry, tables, dirIds, scenarios);
        acceptCtx.run();
    }
    pool.join();
    adminPool.join();
    if (withAdmin) removeOwnPidFile(pidFile);
    if (uint64_t dropped = log::dropped()) log::warn("log lines dropped", {{"count", dropped}});
    log::info("stopped");
    log::flush();
    return 0;
}

// --detach: the child serves in a new session with its output in <data dir>/mockd.log; the
// parent returns once the child is ready, or prints the child's error.
int detachAndServe(const ServeOptions& o) {
    int fds[2];
    if (::pipe(fds) != 0) die(std::string("cannot detach: ") + std::strerror(errno));
    pid_t pid = ::fork();
    if (pid < 0) die(std::string("cannot detach: ") + std::strerror(errno));
    if (pid > 0) {
        ::close(fds[1]);
        std::string got;
        char buf[512];
        for (;;) {
            ssize_t n = ::read(fds[0], buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got.append(buf, static_cast<size_t>(n));
            if (got.find('\n') != std::string::npos && got.starts_with("ready")) break;
        }
        ::close(fds[0]);
        if (got.starts_with("ready")) {
            unsigned long childPid = 0, mockPort = 0, adminPort = 0;
            std::sscanf(got.c_str(), "ready %lu %lu %lu", &childPid, &mockPort, &adminPort);
            std::printf(
                "mockd running in the background (pid %lu)\n  mock server: http://%s:%lu\n"
                "  admin API:   http://%s:%lu\n  stop it with: mockd stop\n",
                childPid, o.host.c_str(), mockPort, o.host.c_str(), adminPort);
            return 0;
        }
        std::fputs(
            got.empty() ? "mockd: the background server exited before it was ready\n" : got.c_str(),
            stderr);
        return 1;
    }
    ::close(fds[0]);
    ::setsid();
    gReadyFd = fds[1];
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        ::dup2(devnull, STDIN_FILENO);
        ::dup2(devnull, STDOUT_FILENO);
        ::close(devnull);
    }
    auto dataDir = o.dataDir.empty() ? defaultDataDir() : std::filesystem::path(o.dataDir);
    std::error_code ec;
    std::filesystem::create_directories(dataDir, ec);
    int logFd = ::open((dataDir / "mockd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (logFd >= 0) {
        ::dup2(logFd, STDERR_FILENO);
        ::close(logFd);
    }
    ServeOptions child = o;
    child.printUrl = false;
    return serve(child);
}

void addServeFlags(CLI::App* cmd, ServeOptions& o) {
    cmd->add_option("--host", o.host, "Host name used in printed URLs")->capture_default_str();
    cmd->add_option("--bind", o.bind,
                    "Listen on this address only (default: every interface, IPv4 and IPv6)");
    cmd->add_option("--log-level", o.logLevel, "debug, info, warn or error");
    cmd->add_option("--log-format", o.logFormat, "text or json")->capture_default_str();
    cmd->add_option("--workers", o.workers, "Worker threads (default: the number of cores)");
    cmd->add_option("--max-body-size", o.maxBodySize, "Largest request body; larger gets 413")
        ->capture_default_str();
    cmd->add_option("--max-header-size", o.maxHeaderSize,
                    "Largest request head (request line and headers); larger gets 431")
        ->capture_default_str();
    cmd->add_option("--header-timeout,--read-timeout", o.headerTimeout,
                    "Time allowed to receive a request's headers")
        ->capture_default_str();
    cmd->add_option("--idle-timeout,--write-timeout", o.idleTimeout,
                    "Close a connection that makes no progress for this long")
        ->capture_default_str();
    cmd->add_option("--max-sse-connections", o.maxSseConnections,
                    "Server-sent event streams open at once (all mocks); more get 503")
        ->check(CLI::Range(size_t{1}, size_t{1} << 20))
        ->capture_default_str();
    cmd->add_option("--drain-timeout", o.drainTimeout,
                    "On SIGTERM/SIGINT, wait this long for in-flight requests")
        ->capture_default_str();
    cmd->add_option("--max-connections", o.maxConnections,
                    "Open connections per port; more are closed at once (0: no limit)")
        ->capture_default_str();
    cmd->add_option("--proxy-unmatched", o.proxyUnmatched,
                    "Forward requests no mock matches to this base URL (http or https) and "
                    "answer with the upstream's response");
    cmd->add_option("--proxy-timeout", o.proxyTimeout,
                    "How long a forwarded request may take before it fails")
        ->capture_default_str();
    cmd->add_flag("--preserve-host-header", o.preserveHost,
                  "Forward the client's Host header instead of the upstream's");
    cmd->add_option("--https-port", o.httpsPort,
                    "Also serve the mocks over HTTPS on this port (0: no HTTPS)")
        ->envname("MOCKD_HTTPS_PORT");
    cmd->add_option("--tls-cert", o.tlsCert, "HTTPS certificate (PEM, with its chain)");
    cmd->add_option("--tls-key", o.tlsKey, "HTTPS private key (PEM)");
    cmd->add_flag("--tls-auto", o.tlsAuto,
                  "Serve HTTPS with a self-signed certificate for localhost made at start-up");
    cmd->add_flag("--auto-cert", o.autoCert,
                  "With --https-port and no --tls-cert: make a self-signed certificate "
                  "(--auto-cert=false refuses to start instead)")
        ->envname("MOCKD_AUTO_CERT")
        ->capture_default_str();
    cmd->add_flag("--mtls-enabled", o.mtlsEnabled, "Ask HTTPS clients for a certificate (mTLS)");
    cmd->add_option("--mtls-client-auth", o.mtlsClientAuth,
                    "none, request, require, verify-if-given or require-and-verify (default)");
    cmd->add_option("--mtls-ca", o.mtlsCa,
                    "CA certificates (PEM) client certificates must chain to; repeatable")
        ->delimiter(',');
    cmd->add_option("--mtls-allowed-cns", o.mtlsAllowedCns,
                    "Only client certificates with one of these common names (comma-separated)")
        ->delimiter(',');
    cmd->add_option("--cors-origins", o.corsOrigins,
                    "Origins whose pages may call the mocks (comma-separated, or '*'; default: "
                    "localhost and 127.0.0.1 on ports 3000, 4290 and 5173)")
        ->delimiter(',');
    cmd->add_option("--rate-limit", o.rateLimit,
                    "Requests per second per client IP, bursts of twice that; more get 429 "
                    "(0: no limit)")
        ->capture_default_str();
    cmd->add_option("--validate-spec", o.specValidation.specFile,
                    "Check every request on the mock port against this OpenAPI spec (3.0, 3.1 "
                    "or Swagger 2.0; YAML or JSON): violations are logged and marked with "
                    "X-Mockd-Validation-Errors");
    cmd->add_flag("--validate-fail", o.specValidation.fail,
                  "With --validate-spec: answer a request that breaks the spec with 400 and "
                  "every violation (application/problem+json)");
    cmd->add_flag("--validate-response", o.specValidation.response,
                  "With --validate-spec: also check each answer against the operation's "
                  "responses (logged, marked with X-Mockd-Response-Validation-Errors)");
    cmd->add_flag("--chaos-enabled", o.chaosEnabled, "Start with chaos injection on");
    cmd->add_option("--chaos-latency", o.chaosLatency,
                    "Chaos: add latency to every request (\"10ms-100ms\" or \"200ms\")");
    cmd->add_option("--chaos-error-rate", o.chaosErrorRate,
                    "Chaos: answer this share of requests (0..1) with 500");
    cmd->add_option("--chaos-profile", o.chaosProfile,
                    "Chaos: start with a built-in profile (see 'mockd chaos profiles'); not "
                    "with --chaos-latency/--chaos-error-rate");
}

constexpr const char* kWireMockHelp =
    R"(mockd wiremock: a drop-in replacement for the WireMock 3 standalone server.
Serves the stubs under <root-dir>/mappings (bodies from <root-dir>/__files) and WireMock's
/__admin API on the same port. Flags from $WIREMOCK_OPTIONS are appended, as the WireMock image does.

Usage: mockd wiremock [flags]
  --port N                          HTTP port (default 8080; 0: the OS picks a free one)
  --bind-address ADDR               Listen on this address only (default: every interface)
  --root-dir DIR                    Holds mappings/ and __files/ (default: .)
  --max-request-journal-entries N   Requests kept in the journal, newest first (default 10000)
  --max-request-journal-size N      The same cap
  --no-request-journal              Keep no journal
  --admin-api-basic-auth USER:PASS  Require HTTP Basic credentials on /__admin
  --watch-mappings                  Reload mappings/ and __files/ when they change (mockd's own)
  --verbose                         Log every request
  --disable-banner                  Print no start-up banner
  --enable-stub-cors                Answer CORS preflights and allow any Origin on every response
  --global-response-templating      Template every stub's response (Handlebars)
  --local-response-templating       Template only stubs with transformers: ["response-template"]
                                    (the default)
  --disable-response-templating     Template no stub
  --permitted-system-keys K1,K2     Regexes of the environment keys systemValue may read
                                    (default: wiremock.*)
  --workers N                       Event-loop threads (mockd's own; default: the usable cores)
  --proxy-all URL                   Forward every request no other stub matches to URL
                                    (a priority-10 proxy stub)
  --preserve-host-header            Forward the client's Host header to proxy targets
  --proxy-timeout MS                Proxied request timeout in milliseconds (default 300000)
  --record-mappings                 Save every proxied exchange as a stub under mappings/
                                    (bodies under __files/)
  --https-port N                    Also serve HTTPS on this port (a self-signed certificate for
                                    localhost unless --https-keystore is given)
  --https-keystore FILE             PKCS#12 keystore with the server's key and certificate
  --keystore-password P             Its password (default: password); --key-manager-password
                                    is the same
  --https-require-client-cert       Require client certificates that chain to the truststore
  --https-truststore FILE           PKCS#12 truststore of the CAs client certificates chain to
  --truststore-password P           Its password (default: password)
  --async-response-enabled B, --async-response-threads N,
  --container-threads N, --jetty-acceptor-threads N and WireMock's other Jetty/JVM tuning
  flags are accepted with a warning each: they have no effect (mockd uses one event loop
  per core). --extensions CLASSES names each Java extension in a warning; stubs that need
  one are answered as WireMock answers without it.
)";

// WireMock's switches: flags that never take a value.
bool isWireMockSwitch(const std::string& name) {
    static const std::vector<std::string> switches = {"no-request-journal",
                                                      "global-response-templating",
                                                      "local-response-templating",
                                                      "disable-response-templating",
                                                      "verbose",
                                                      "disable-banner",
                                                      "enable-stub-cors",
                                                      "disable-request-logging",
                                                      "print-all-network-traffic",
                                                      "record-mappings",
                                                      "preserve-host-header",
                                                      "enable-browser-proxying",
                                                      "disable-gzip",
                                                      "disable-http",
                                                      "disable-http2-plain",
                                                      "disable-http2-tls",
                                                      "admin-api-require-https",
                                                      "disable-extensions-scanning",
                                                      "disable-optimize-xml-factories-loading",
                                                      "disable-strict-http-headers",
                                                      "watch-mappings",
                                                      "help",
                                                      "version",
                                                      "disable-connection-reuse",
                                                      "supported-proxy-encodings",
                                                      "proxy-pass-through",
                                                      "https-require-client-cert"};
    return std::find(switches.begin(), switches.end(), name) != switches.end();
}

int wireMockUsageError(const std::string& msg) {
    std::fprintf(stderr, "mockd wiremock: %s (see 'mockd wiremock --help')\n", msg.c_str());
    return 2;
}

bool wireMockNumber(const std::string& v, size_t& out) {
    if (v.empty() || v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos)
        return false;
    out = std::stoull(v);
    return true;
}

// Applies one WireMock flag; an exit code when it ends the run (--help, --version, an error).
std::optional<int> applyWireMockFlag(ServeOptions& o, const std::string& name,
                                     const std::string& value, bool hasValue) {
    auto need = [&]() {
        if (!hasValue) throw std::runtime_error("--" + name + " needs a value");
        return value;
    };
    auto number = wireMockNumber;
    size_t n = 0;
    if (name == "help") {
        std::fputs(kWireMockHelp, stdout);
        return 0;
    } else if (name == "version") {
        std::printf("%s\n", std::string(wiremock::kVersion).c_str());
        return 0;
    } else if (name == "port") {
        if (!number(need(), n) || n > 65535) return wireMockUsageError("--port must be 0 to 65535");
        o.port = static_cast<uint16_t>(n);
    } else if (name == "bind-address") {
        o.bind = need();
    } else if (name == "root-dir") {
        o.rootDir = need();
    } else if (name == "max-request-journal-entries" || name == "max-request-journal-size") {
        if (!number(need(), n)) return wireMockUsageError("--" + name + " must be a number");
        o.maxLogEntries = n;
    } else if (name == "no-request-journal") {
        o.noJournal = true;
    } else if (name == "admin-api-basic-auth") {
        o.basicAuth = need();
        if (o.basicAuth.find(':') == std::string::npos)
            return wireMockUsageError("--admin-api-basic-auth must be user:password");
    } else if (name == "watch-mappings") {
        o.watch = true;
    } else if (name == "verbose") {
        o.verbose = true;
    } else if (name == "disable-banner") {
        o.disableBanner = true;
    } else if (name == "enable-stub-cors") {
        o.stubCors = true;
    } else if (name == "global-response-templating") {
        o.templating = "global";
    } else if (name == "local-response-templating") {
        o.templating = "local";
    } else if (name == "disable-response-templating") {
        o.templating = "off";
    } else if (name == "permitted-system-keys") {
        std::string keys = need();
        std::stringstream ss(keys);
        for (std::string k; std::getline(ss, k, ',');)
            if (!k.empty()) o.permittedSystemKeys.push_back(k);
    } else if (name == "disable-request-logging") {
    } else if (name == "workers") {
        // mockd's own: event-loop threads (default: the usable cores).
        if (!number(need(), n) || n == 0 || n > 1024)
            return wireMockUsageError("--workers must be 1 to 1024");
        o.workers = static_cast<unsigned>(n);
    } else if (name == "proxy-all") {
        o.proxyAll = need();
    } else if (name == "preserve-host-header") {
        o.preserveHost = true;
    } else if (name == "proxy-timeout") {
        if (!number(need(), n)) return wireMockUsageError("--proxy-timeout must be milliseconds");
        o.proxyTimeout = std::to_string(n) + "ms";
    } else if (name == "record-mappings") {
        o.recordMappings = true;
    } else if (name == "https-port") {
        if (!number(need(), n) || n > 65535)
            return wireMockUsageError("--https-port must be 0 to 65535");
        o.httpsPort = static_cast<uint16_t>(n);
    } else if (name == "https-keystore") {
        o.keystore = need();
    } else if (name == "keystore-password" || name == "key-manager-password") {
        // One password opens a PKCS#12 keystore and the key inside it.
        o.keystorePassword = need();
    } else if (name == "keystore-type" || name == "truststore-type") {
        std::string type = need();
        if (type != "PKCS12" && type != "pkcs12")
            return wireMockUsageError(
                "--" + name + " " + type +
                ": only PKCS12 is read (convert JKS with keytool -importkeystore)");
    } else if (name == "https-truststore") {
        o.truststore = need();
    } else if (name == "truststore-password") {
        o.truststorePassword = need();
    } else if (name == "https-require-client-cert") {
        o.requireClientCert = true;
    } else if (name == "extensions") {
        // Java classes loaded into the jar: none can load here. Each is named once at
        // start-up; stubs that use one are answered as the jar answers without it.
        std::istringstream list(need());
        for (std::string cls; std::getline(list, cls, ',');)
            if (!cls.empty()) o.missingExtensions.push_back(cls);
    } else {
        o.ignoredFlags.push_back("--" + name + (hasValue ? "=" + value : ""));
    }
    return std::nullopt;
}

// WireMock's flags: "--name value", "--name=value" and bare switches.
int runWireMock(int argc, char** argv) {
    std::vector<std::string> args(argv + 2, argv + argc);
    if (const char* env = std::getenv("WIREMOCK_OPTIONS")) {
        std::istringstream ss(env);
        for (std::string a; ss >> a;) args.push_back(a);
    }
    ServeOptions o;
    o.mode = "wiremock";
    o.port = 8080;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string a = args[i];
        if (!a.starts_with("--")) return wireMockUsageError("unexpected argument \"" + a + "\"");
        std::string name = a.substr(2), value;
        bool hasValue = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            hasValue = true;
        }
        if (!hasValue && !isWireMockSwitch(name) && i + 1 < args.size() &&
            !args[i + 1].starts_with("--")) {
            value = args[++i];
            hasValue = true;
        }
        try {
            if (auto code = applyWireMockFlag(o, name, value, hasValue)) return *code;
        } catch (const std::runtime_error& e) {
            return wireMockUsageError(e.what());
        }
    }
    o.logLevel = o.verbose ? "debug" : "warn";
    std::error_code ec;
    if (!std::filesystem::is_directory(o.rootDir, ec))
        return wireMockUsageError("--root-dir " + o.rootDir + " is not a directory");
    return serve(o);
}

}  // namespace

// The mock types of every protocol this build serves, before any command reads a mock (`mockd
// validate` and the admin client read configs without starting a server).
void addMockTypes() {
    core::addMockType(protocols::HttpProtocol::codec());
    core::addMockType(protocols::websocket::webSocketMockType());
    for (auto& codec : protocols::sse::SseProtocol::codecs())
        core::addStreamAnswerCodec(std::move(codec));
}

int run(int argc, char** argv) {
    addMockTypes();
    config::setUrlFetcher(fetchImportedDocument);
    if (argc >= 2 && std::string_view(argv[1]) == "wiremock") return runWireMock(argc, argv);
    CLI::App app{
        "mockd: a fast mock server for integration tests.\n"
        "Serves HTTP mocks from a YAML or JSON config, with an admin API for runtime "
        "changes and verification."};
    app.name("mockd");
    app.set_version_flag("-v,--version",
                         std::string("mockd ") + MOCKD_VERSION + " (" + mockd::buildCommit() + ")");
    app.require_subcommand(0, 1);

    ServeOptions engineOpts;
    engineOpts.mode = "engine";
    auto* engine = app.add_subcommand(
        "engine", "Serve mocks from a config file: no admin API and nothing written to disk (CI)");
    engine->add_option("-c,--config", engineOpts.config, "Mock collection (YAML or JSON)")
        ->required();
    engine->add_option("-p,--port", engineOpts.port, "Mock port (0: the OS picks a free one)")
        ->capture_default_str();
    engine->add_flag("--print-url", engineOpts.printUrl,
                     "Print http://HOST:PORT as the first line of stdout once listening");
    addServeFlags(engine, engineOpts);

    ServeOptions startOpts;
    startOpts.mode = "start";
    auto* start = app.add_subcommand(
        "start", "Run the mock server (port 4280) and the admin API (port 4290)");
    start->alias("serve");
    start->add_option("-c,--config", startOpts.config, "Mock collection (YAML or JSON)")
        ->envname("MOCKD_CONFIG");
    start->add_option("-p,--port", startOpts.port, "Mock port (0: the OS picks)")
        ->envname("MOCKD_PORT")
        ->capture_default_str();
    start->add_option("-a,--admin-port", startOpts.adminPort, "Admin API port (0: the OS picks)")
        ->envname("MOCKD_ADMIN_PORT")
        ->capture_default_str();
    start->add_flag("--print-url", startOpts.printUrl,
                    "Print the mock server's URL as the first line of stdout once listening");
    addServeFlags(start, startOpts);

    start
        ->add_option("--max-log-entries", startOpts.maxLogEntries,
                     "Requests kept in the request log (newest first)")
        ->envname("MOCKD_MAX_LOG_ENTRIES")
        ->capture_default_str();
    start->add_option("--data-dir", startOpts.dataDir,
                      "Where the admin API key and the store live (default: XDG data dir/mockd)");
    start->add_option("--pid-file", startOpts.pidFile, "PID file (default: ~/.mockd/mockd.pid)");
    start->add_option("--load", startOpts.loadDir,
                      "Load every mock file (mockd YAML/JSON collections, WireMock stub JSON) "
                      "under this directory");
    start->add_flag("--watch", startOpts.watch,
                    "With --load: reload the directory's mocks when a file changes");
    start->add_flag("-d,--detach", startOpts.detach,
                    "Run in the background; returns once the server is ready");
    start->add_flag("--no-auth", startOpts.noAuth,
                    "Let any address use the admin API without a key (containers behind a "
                    "private network only)");

    app.add_subcommand("wiremock",
                       "Run as a WireMock 3 standalone server (see 'mockd wiremock --help')")
        ->allow_extras();
    auto* version = app.add_subcommand("version", "Print the version");
    ClientCommands clientCommands(app);
    ChaosCommands chaosCommands(app);
    StreamCommands streamCommands(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string cmd;
        for (auto* sub = &app; !sub->get_subcommands().empty();) {
            sub = sub->get_subcommands().front();
            cmd += " " + sub->get_name();
        }
        std::fprintf(stderr, "mockd: %s (see 'mockd%s --help')\n", e.what(), cmd.c_str());
        return 2;
    }
    if (*version) {
        std::printf("mockd %s (commit %s)\n", MOCKD_VERSION, mockd::buildCommit());
        return 0;
    }
    if (auto rc = clientCommands.run()) return *rc;
    if (auto rc = chaosCommands.run()) return *rc;
    if (auto rc = streamCommands.run()) return *rc;
    if (*engine) return serve(engineOpts);
    if (*start) return startOpts.detach ? detachAndServe(startOpts) : serve(startOpts);
    std::cout << app.help();
    return 0;
}

}  // namespace mockd::cli
