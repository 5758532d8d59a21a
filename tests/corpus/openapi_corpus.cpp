// The OpenAPI directory as a test: every spec imported the way `mockd import` and `imports:`
// import it, loaded as the server loads a config, and, for every operation, a request built
// from the operation's path template (parameter values from the spec's examples or schemas)
// must reach that operation's mock. Exits non-zero when a spec crashes the import, when fewer
// than --min-servable percent of the specs serve every operation, or when a spec takes longer
// than the watchdog allows (a hang, not a slow spec).
//
// It also checks the example generator: for up to --bodies-per-spec operations of each spec, the
// body generated from the schema of its first 2xx JSON response is validated against that
// schema (core::JsonSchema: the spec's dialect translated to JSON Schema draft 7, patterns on
// RE2), and the verdicts are counted; --min-valid-bodies makes a shortfall fail the run.
//
//   mockd_openapi_corpus DIR [--sample N] [--min-servable 99] [--watchdog-seconds 300]
//                            [--bodies-per-spec 20] [--min-valid-bodies PERCENT]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/loader.h"
#include "core/json_schema.h"
#include "core/match_input.h"
#include "core/request.h"
#include "match/snapshot.h"
#include "portability/formats.h"
#include "portability/importers.h"
#include "portability/openapi_paths.h"
#include "portability/schema_sample.h"

namespace fs = std::filesystem;
using mockd::core::Json;

namespace {

struct SpecResult {
    std::string name;
    double ms = 0;
    size_t operations = 0, served = 0;
    std::string problem;  // empty when every operation was served
    // Generated bodies: checked against their schema, of which valid; schemas the validator
    // could not read (a pattern std::regex refuses, Swagger's `file` type); the first invalid.
    size_t bodiesChecked = 0, bodiesValid = 0, schemasUnreadable = 0;
    std::string firstInvalid;
};

size_t bodiesPerSpec = 20;

std::string pointerToken(const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
}

// The JSON pointer of the schema of an operation's first 2xx JSON response, or empty.
std::string responseSchemaPointer(const Json& op, const std::string& opPointer) {
    const Json responses = op.value("responses", Json::object());
    if (!responses.is_object()) return "";
    for (const auto& [code, response] : responses.items()) {
        if (code.empty() || code[0] != '2' || !response.is_object()) continue;
        const std::string at = opPointer + "/responses/" + pointerToken(code);
        if (response.contains("schema")) return at + "/schema";  // Swagger 2.0
        const Json content = response.value("content", Json::object());
        if (!content.is_object()) return "";
        for (const auto& [media, body] : content.items())
            if (media.find("json") != std::string::npos && body.is_object() &&
                body.contains("schema"))
                return at + "/content/" + pointerToken(media) + "/schema";
        return "";
    }
    return "";
}

// Generates a body for each operation's response schema and validates it against the schema.
void checkGeneratedBodies(const Json& spec, SpecResult& r) {
    if (bodiesPerSpec == 0) return;
    Json root = spec;  // the whole document, translated, so that every $ref still resolves
    const bool v31 = spec.value("openapi", "").starts_with("3.1");
    mockd::core::translateToDraft7(
        root, v31 ? mockd::core::SchemaDialect::Draft2020 : mockd::core::SchemaDialect::OpenApi30);
    mockd::core::SchemaSet schemas(std::move(root));
    mockd::portability::SchemaSampler sampler(spec, 1);
    static const char* kMethods[] = {"get", "put", "post", "delete", "patch", "options", "head"};
    const Json noPaths = Json::object();
    const auto paths = spec.find("paths");
    const Json& pathItems = paths != spec.end() && paths->is_object() ? *paths : noPaths;
    for (const auto& [path, item] : pathItems.items()) {
        if (!item.is_object()) continue;
        for (const char* method : kMethods) {
            if (r.bodiesChecked + r.schemasUnreadable >= bodiesPerSpec) return;
            if (!item.contains(method) || !item[method].is_object()) continue;
            const std::string pointer =
                responseSchemaPointer(item[method], "/paths/" + pointerToken(path) + "/" + method);
            if (pointer.empty()) continue;
            const Json body = sampler.sample(spec.at(Json::json_pointer(pointer)));
            std::shared_ptr<const mockd::core::JsonSchema> schema;
            try {
                schema = schemas.at(pointer);
            } catch (const std::exception&) {
                ++r.schemasUnreadable;
                continue;
            }
            std::vector<mockd::core::SchemaViolation> violations;
            const bool valid = schema->validate(body, &violations);
            ++r.bodiesChecked;
            if (valid) {
                ++r.bodiesValid;
                continue;
            }
            if (!r.firstInvalid.empty()) continue;
            r.firstInvalid = std::string(method) + " " + path + ": " + violations[0].field + ": " +
                             violations[0].message + " (body " + body.dump().substr(0, 200) + ")";
        }
    }
}

// A value for each {param} of the operation: its example, else one generated from its schema.
std::map<std::string, std::string> pathValues(const Json& spec, const Json& op,
                                              const Json& pathItem,
                                              mockd::portability::SchemaSampler& sampler) {
    std::map<std::string, std::string> values;
    for (const Json* list : {&pathItem, &op}) {
        auto params = list->find("parameters");
        if (params == list->end() || !params->is_array()) continue;
        for (const auto& raw : *params) {
            const Json* p = &raw;
            if (p->is_object() && p->contains("$ref") && (*p)["$ref"].is_string())
                p = sampler.resolve((*p)["$ref"].get<std::string>());
            if (!p || !p->is_object() || p->value("in", "") != "path" || !(*p)["name"].is_string())
                continue;
            Json v;
            if (p->contains("example"))
                v = (*p)["example"];
            else if (p->contains("schema"))
                v = sampler.sample((*p)["schema"]);
            else
                v = sampler.sample(*p);  // Swagger 2: the parameter is its own schema
            std::string s = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
            values[(*p)["name"].get<std::string>()] = s;
        }
    }
    (void)spec;
    return values;
}

// The template with each {name} replaced; a missing or unusable value becomes "1".
std::string fillTemplate(const std::string& path, const std::map<std::string, std::string>& v) {
    std::string out;
    for (size_t i = 0; i < path.size(); ++i) {
        if (path[i] != '{') {
            out += path[i];
            continue;
        }
        size_t close = path.find('}', i);
        if (close == std::string::npos) {
            out += path.substr(i);
            break;
        }
        auto it = v.find(path.substr(i + 1, close - i - 1));
        std::string value = it == v.end() ? "" : it->second;
        if (value.empty() || value.find_first_of("/?#{}% ") != std::string::npos) value = "1";
        out += value;
        i = close;
    }
    return out;
}

// Paths of one shape ({a} and {b} alike) cannot be told apart by a request: either answers.
// A trailing slash does not tell paths apart either.
std::string shapeOf(std::string path) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    std::string out;
    bool inParam = false;
    for (char c : path) {
        if (c == '{')
            inParam = true, out += "{}";
        else if (c == '}')
            inParam = false;
        else if (!inParam)
            out += c;
    }
    return out;
}

SpecResult runSpec(const fs::path& file, const std::string& name) {
    SpecResult r;
    r.name = name;
    auto t0 = std::chrono::steady_clock::now();
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    try {
        using namespace mockd::portability;
        auto imported = importDocument(text, Format::OpenApi, {});
        auto cfg = mockd::config::loadText(imported.collection.dump(), name, false,
                                           file.parent_path(), /*expandEnvironment=*/false);
        auto snap = mockd::match::Snapshot::build(cfg.compiled);
        const Json spec = Json::parse(text);
        SchemaSampler sampler(spec, 1);
        const std::string base =
            spec.contains("swagger") && spec["basePath"].is_string() && spec["basePath"] != "/"
                ? spec["basePath"].get<std::string>()
                : "";
        checkGeneratedBodies(spec, r);
        for (const auto& m : cfg.compiled) {
            const auto& mock = m->mock();
            ++r.operations;
            std::string tpl = mock.matcher.path;
            std::string specPath = tpl.substr(base.size());
            const Json* item = nullptr;
            for (const auto& key : {specPath, specPath.substr(1)})
                if (spec["paths"].contains(key)) item = &spec["paths"][key];
            // A key with a fragment ("/#X-Amz-Target=...") is served at the path before it.
            const std::string method = mockd::portability::lowerCase(mock.matcher.method);
            if (!item || !item->contains(method))
                for (const auto& [key, candidate] : spec["paths"].items())
                    if (key.find('#') != std::string::npos &&
                        mockd::portability::splitPathKey(key).path == specPath &&
                        candidate.is_object() && candidate.contains(method) &&
                        mockd::portability::stableId(
                            "http_", mock.matcher.method + " " + base + key) == mock.id)
                        item = &candidate;
            std::map<std::string, std::string> values;
            if (item && item->is_object()) {
                const Json& op =
                    item->value(mockd::portability::lowerCase(mock.matcher.method), Json::object());
                values = pathValues(spec, op, *item, sampler);
            }
            mockd::core::Request req;
            std::string path = fillTemplate(tpl, values);
            req.method = mock.matcher.method;
            req.path = req.rawPath = path;
            // What the operation's client sends besides the path (a fragment's header or query
            // value): any value where only presence counts.
            std::string query;
            for (const auto& [name, value] : mock.matcher.headers)
                req.headers.push_back({name, value == "*" ? std::string_view("1") : value});
            for (const auto& [name, value] : mock.matcher.queryParams)
                query += (query.empty() ? "" : "&") + name + "=" + value;
            req.rawQuery = query;
            mockd::core::MatchInput input(req);
            const auto* hit = snap->find(input, req.method);
            // A value that spells a more concrete path of the spec reaches that path's mock,
            // as OpenAPI asks.
            auto params = [](const std::string& p) { return std::count(p.begin(), p.end(), '{'); };
            if (hit && (hit->mock().id == mock.id || hit->mock().matcher.path == path ||
                        (hit->mock().matcher.method == mock.matcher.method &&
                         params(hit->mock().matcher.path) < params(tpl)) ||
                        (hit->mock().matcher.method == mock.matcher.method &&
                         shapeOf(hit->mock().matcher.path) == shapeOf(tpl)))) {
                ++r.served;
            } else if (r.problem.empty()) {
                r.problem = mock.matcher.method + " " + tpl + " → " + path + " answered by " +
                            (hit ? hit->mock().matcher.path : std::string("nothing (404)"));
            }
        }
    } catch (const std::exception& e) {
        r.problem = std::string("import failed: ") + e.what();
    }
    r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: %s DIR [--sample N] [--min-servable PERCENT] [--watchdog-seconds S]\n",
                     argv[0]);
        return 2;
    }
    const fs::path dir = argv[1];
    size_t sample = 0;
    double minServable = 99.0;
    double minValidBodies = 0;
    int watchdogSeconds = 300;
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        if (flag == "--sample")
            sample = std::strtoul(argv[i + 1], nullptr, 10);
        else if (flag == "--min-servable")
            minServable = std::strtod(argv[i + 1], nullptr);
        else if (flag == "--watchdog-seconds")
            watchdogSeconds = std::atoi(argv[i + 1]);
        else if (flag == "--bodies-per-spec")
            bodiesPerSpec = std::strtoul(argv[i + 1], nullptr, 10);
        else if (flag == "--min-valid-bodies")
            minValidBodies = std::strtod(argv[i + 1], nullptr);
        else
            return std::fprintf(stderr, "unknown option %s\n", argv[i]), 2;
    }
    std::vector<fs::path> files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it); ++it)
        if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
    std::sort(files.begin(), files.end());
    if (files.empty()) return std::fprintf(stderr, "no .json specs under %s\n", argv[1]), 2;
    if (sample > 0 && sample < files.size()) {  // spread evenly over the sorted list
        std::vector<fs::path> picked;
        for (size_t k = 0; k < sample; ++k) picked.push_back(files[k * files.size() / sample]);
        files = std::move(picked);
    }

    std::atomic<int64_t> started{0};  // steady-clock ms when the current spec began
    std::atomic<bool> done{false};
    std::string current;
    std::thread watchdog([&] {
        while (!done) {
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            int64_t s = started.load();
            int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now().time_since_epoch())
                              .count();
            if (s > 0 && now - s > watchdogSeconds * 1000LL) {
                std::fprintf(stderr, "HANG: %s took over %d s\n", current.c_str(), watchdogSeconds);
                std::_Exit(3);
            }
        }
    });
    std::vector<SpecResult> results;
    for (const auto& f : files) {
        current = fs::relative(f, dir).string();
        started = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count();
        results.push_back(runSpec(f, current));
    }
    done = true;
    watchdog.join();

    size_t servable = 0, operations = 0, served = 0;
    size_t bodies = 0, validBodies = 0, unreadable = 0, specsWithInvalid = 0;
    double total = 0;
    std::vector<double> times;
    for (const auto& r : results) {
        bodies += r.bodiesChecked;
        validBodies += r.bodiesValid;
        unreadable += r.schemasUnreadable;
        if (!r.firstInvalid.empty() && specsWithInvalid++ < 40)
            std::printf("invalid body: %s: %s\n", r.name.c_str(), r.firstInvalid.c_str());
        servable += r.problem.empty();
        operations += r.operations;
        served += r.served;
        total += r.ms;
        times.push_back(r.ms);
    }
    std::sort(times.begin(), times.end());
    size_t shown = 0;
    for (const auto& r : results)
        if (!r.problem.empty() && shown++ < 40)
            std::printf("not servable: %s: %s\n", r.name.c_str(), r.problem.c_str());
    auto slowest = results;
    std::sort(slowest.begin(), slowest.end(),
              [](const SpecResult& a, const SpecResult& b) { return a.ms > b.ms; });
    std::printf("slowest specs (import, load, one request per operation):\n");
    for (size_t i = 0; i < std::min<size_t>(10, slowest.size()); ++i)
        std::printf("  %9.1f ms  %5zu operations  %s\n", slowest[i].ms, slowest[i].operations,
                    slowest[i].name.c_str());
    const double pct = 100.0 * static_cast<double>(servable) / static_cast<double>(results.size());
    std::printf(
        "specs: %zu, servable: %zu (%.2f %%), operations: %zu, served: %zu (%.2f %%)\n",
        results.size(), servable, pct, operations, served,
        operations ? 100.0 * static_cast<double>(served) / static_cast<double>(operations) : 0.0);
    std::printf("time: total %.1f s, median %.1f ms per spec\n", total / 1000,
                times[times.size() / 2]);
    const double validPct =
        bodies ? 100.0 * static_cast<double>(validBodies) / static_cast<double>(bodies) : 100.0;
    std::printf(
        "generated bodies: %zu checked, %zu valid (%.2f %%), in %zu specs an invalid one; %zu "
        "schemas the validator could not read\n",
        bodies, validBodies, validPct, specsWithInvalid, unreadable);
    if (validPct < minValidBodies) {
        std::printf("FAIL: fewer than %.1f %% of the generated bodies are valid\n", minValidBodies);
        return 1;
    }
    if (pct < minServable) {
        std::printf("FAIL: fewer than %.1f %% of the specs are servable\n", minServable);
        return 1;
    }
    return 0;
}
