// /config (import and export of mockd collections) and /chaos (rules, stats, faults, circuit
// breakers, profiles).
#include <filesystem>

#include "admin/admin_call.h"
#include "chaos/chaos.h"
#include "config/loader.h"
#include "core/yaml_json.h"
#include "portability/exports.h"
#include "portability/formats.h"

namespace mockd::admin {

core::Json AdminApi::collectionJson(const std::string& name) const {
    Json mocks = Json::array();
    // Held for the loop: a range-for keeps only all()'s reference, not the snapshot.
    const auto snap = registry_.snapshot();
    for (const auto& mock : snap->all()) mocks.push_back(mockJson(mock->mock()));
    Json doc = {{"version", "1.0"},
                {"kind", "MockCollection"},
                {"name", name},
                {"mocks", std::move(mocks)}};
    if (settings_.tables) {
        Json tables = Json::array();
        for (const auto& t : settings_.tables->all()) tables.push_back(t->def().raw);
        if (!tables.empty()) doc["tables"] = std::move(tables);
    }
    return doc;
}

void AdminApi::exportConfig(Call& c) {
    const std::string name = queryParam(c.req, "name").value_or("mockd-export");
    const std::string format = queryParam(c.req, "format").value_or("");
    if (!format.empty() && format != "yaml" && format != "json") {
        exportAs(c, portability::parseExportFormat(format), format);
        return;
    }
    Json doc = collectionJson(name);
    std::string_view accept = c.req.header("Accept");
    if (accept.find("yaml") != std::string_view::npos || format == "yaml") {
        c.r.text(200, "application/yaml", core::jsonToYaml(doc));
    } else {
        c.r.json(200, doc);
    }
}

// GET /openapi.json|yaml, /insomnia.json|yaml, and GET /config?format=openapi|postman|insomnia|
// wiremock: the mocks in another tool's format, as a download.
void AdminApi::exportAs(Call& c, portability::ExportFormat format, const std::string& name) {
    if (format == portability::ExportFormat::Unknown) {
        c.r.error(400, "invalid_format",
                  "unknown export format \"" + name +
                      "\" (mockd, openapi, postman, insomnia or wiremock)");
        return;
    }
    portability::ExportOptions options;
    options.title = queryParam(c.req, "name").value_or("mockd API");
    options.baseUrl = "http://localhost:" + std::to_string(settings_.mockPort);
    std::vector<std::string> warnings;
    Json doc =
        portability::exportCollection(collectionJson(options.title), format, options, warnings);
    const bool yaml = c.req.path.ends_with(".yaml") ||
                      c.req.header("Accept").find("yaml") != std::string_view::npos;
    if (yaml)
        c.r.text(200, "application/yaml", core::jsonToYaml(doc));
    else
        c.r.json(200, doc);
}

void AdminApi::exportOpenApi(Call& c) {
    exportAs(c, portability::ExportFormat::OpenApi, "openapi");
}

void AdminApi::exportInsomnia(Call& c) {
    exportAs(c, portability::ExportFormat::Insomnia, "insomnia");
}

namespace {
// A document in another tool's format (named by ?format= or detected) as a mockd collection;
// a mockd document is left as it is. Returns false once a 400 is written.
bool convertForeign(AdminApi::Call& c, std::string& text, bool& isYaml) {
    using namespace portability;
    const auto named = queryParam(c.req, "format");
    Format format = named ? parseFormat(*named) : detectFormat(text, isYaml ? "body.yaml" : "");
    if (named && format == Format::Unknown) {
        c.r.error(400, "invalid_format", "unknown import format \"" + *named + "\"");
        return false;
    }
    if (format == Format::Unknown || format == Format::Mockd) return true;
    try {
        ImportOptions options;
        options.baseDir = std::filesystem::current_path();
        text = importDocument(text, format, options).collection.dump();
        isYaml = false;
        return true;
    } catch (const ImportError& e) {
        c.r.error(400, "import_error", formatName(format) + ": " + e.what());
        return false;
    }
}

bool isCurlCommand(std::string_view text) {
    size_t first = text.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos &&
           (text.substr(first).starts_with("curl ") || text.substr(first).starts_with("curl\t"));
}
}  // namespace

void AdminApi::importConfig(Call& c) {
    const bool yaml = c.req.header("Content-Type").find("yaml") != std::string_view::npos;
    bool replace = queryParam(c.req, "replace").value_or("") == "true";
    const bool dryRun = queryParam(c.req, "dryRun").value_or("") == "true";
    std::string text(c.req.body);
    bool isYaml = yaml;
    if (!yaml && !isCurlCommand(text)) {
        auto body = parseBody(c.req, c.r);
        if (!body) return;
        if (body->is_object() && body->contains("config")) {
            if (auto it = body->find("replace"); it != body->end() && it->is_boolean())
                replace = replace || it->get<bool>();
            const Json& cfg = (*body)["config"];
            text = cfg.is_string() ? cfg.get<std::string>() : cfg.dump();
            isYaml = cfg.is_string() && !text.starts_with("{") && !text.starts_with("[");
        }
    } else if (text.empty()) {
        c.r.error(400, "invalid_yaml", "the request body is empty");
        return;
    }
    if (!convertForeign(c, text, isYaml)) return;
    try {
        auto cfg = config::loadText(text, "config", isYaml, std::filesystem::current_path(),
                                    /*expandEnvironment=*/false);
        if (dryRun) {
            c.r.json(
                200,
                {{"dryRun", true}, {"mocks", cfg.compiled.size()}, {"warnings", cfg.warnings}});
            return;
        }
        std::vector<core::Mock> mocks = cfg.mocks();
        // Replacing is one change of every set; merging names what it wrote.
        Change change{.allMocks = replace, .allTables = replace && settings_.tables};
        for (auto& m : mocks) {
            m.extra = withTimestamps(m.extra, nullptr);
            if (!replace) change.mocks.push_back(m.id);
        }
        const size_t n = mocks.size();
        if (settings_.tables) {
            if (replace) {
                settings_.tables->replaceAll(std::move(cfg.tables));
            } else {
                for (auto& t : cfg.tables) {
                    change.tables.push_back(t.name);
                    settings_.tables->put(std::move(t));
                }
            }
        }
        if (replace)
            registry_.replaceAll(std::move(mocks));
        else
            registry_.upsertAll(std::move(mocks));
        changed(change);
        c.r.json(200, {{"message", "Imported " + std::to_string(n) + " mock(s)"},
                       {"imported", n},
                       {"replaced", replace},
                       {"total", registry_.snapshot()->size()},
                       {"warnings", cfg.warnings}});
    } catch (const config::ConfigError& e) {
        c.r.error(400, "validation_error", e.what());
    } catch (const core::FieldError& e) {
        c.r.error(400, "validation_error", e.field() + ": " + e.what());
    }
}

// Without chaos (a server that has none), /chaos is not a route at all.
bool AdminApi::chaosOn(Call& c) {
    if (settings_.chaos) return true;
    c.r.noRoute(c.req);
    return false;
}

void AdminApi::getChaos(Call& c) { c.r.json(200, settings_.chaos->configJson()); }

void AdminApi::putChaos(Call& c) {
    auto body = parseBody(c.req, c.r);
    if (!body) return;
    try {
        settings_.chaos->apply(chaos::parseConfig(*body));
    } catch (const chaos::ConfigError& e) {
        c.r.error(400, "validation_error", e.what());
        return;
    }
    c.r.json(200, {{"status", "ok"}});
}

void AdminApi::chaosStats(Call& c) { c.r.json(200, settings_.chaos->statsJson()); }

void AdminApi::resetChaosStats(Call& c) {
    settings_.chaos->resetStats();
    c.r.json(200, {{"message", "chaos stats reset"}});
}

void AdminApi::chaosFaults(Call& c) { c.r.json(200, settings_.chaos->faultsJson()); }

void AdminApi::breakerAction(Call& c) {
    const std::string key = c.param("key");
    const bool trip = http::pathSegments(c.req.path).back() == "trip";
    std::string err = trip ? settings_.chaos->trip(key) : settings_.chaos->resetBreaker(key);
    if (!err.empty()) {
        c.r.error(404, "not_found", err);
        return;
    }
    c.r.json(200, {{"message", trip ? "circuit breaker tripped" : "circuit breaker reset"},
                   {"key", key}});
}

void AdminApi::listProfiles(Call& c) {
    Json list = Json::array();
    for (const auto& p : chaos::profiles()) list.push_back(chaos::profileJson(p));
    c.r.json(200, list);
}

namespace {
// The profile {name} names; nullptr once the 404 is written.
const chaos::Profile* profileNamed(const AdminApi::Call& c) {
    const chaos::Profile* p = chaos::findProfile(c.param("name"));
    if (!p) c.r.error(404, "not_found", "chaos profile not found: " + c.param("name"));
    return p;
}
}  // namespace

void AdminApi::getProfile(Call& c) {
    if (const chaos::Profile* p = profileNamed(c)) c.r.json(200, chaos::profileJson(*p));
}

void AdminApi::applyProfile(Call& c) {
    const chaos::Profile* p = profileNamed(c);
    if (!p) return;
    settings_.chaos->apply(p->config);
    c.r.json(200, {{"status", "ok"},
                   {"profile", p->name},
                   {"message", "chaos profile applied: " + p->description}});
}

}  // namespace mockd::admin
