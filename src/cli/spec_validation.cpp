// Reading the validation settings and the spec they name.
#include "cli/spec_validation.h"

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/json_fields.h"
#include "core/mock_codec.h"
#include "core/yaml_json.h"
#include "engine/request_log.h"
#include "log/log.h"
#include "validation/spec_filter.h"

namespace mockd::cli {

namespace {

core::Json parseSpec(const std::string& text, const std::string& source) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '{') {
        core::Json doc = core::Json::parse(text, nullptr, false);
        if (doc.is_discarded()) throw std::runtime_error(source + ": not valid JSON");
        return doc;
    }
    try {
        return core::parseYaml(text);
    } catch (const std::exception& e) {
        throw std::runtime_error(source + ": not valid YAML or JSON: " + e.what());
    }
}

std::string readSpecFile(const std::filesystem::path& path, const std::string& setting) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(setting + ": cannot read " + path.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

std::unique_ptr<http::Filter> specValidationFilter(
    const SpecValidationFlags& flags, const core::Json* serverConfig,
    const std::filesystem::path& configDir,
    const std::function<std::string(const std::string&)>& fetchUrl,
    std::vector<std::string> exemptPrefixes) {
    validation::SpecValidationOptions options;
    options.exempt = std::move(exemptPrefixes);
    options.onRefusal = [](http::Response& res, const std::string& error) {
        engine::noteExchange(res, "", {}, {}, error);
    };
    bool enabled = false;
    core::Json doc;
    std::string source;
    if (serverConfig && serverConfig->is_object() && serverConfig->contains("validation") &&
        !(*serverConfig)["validation"].is_null()) {
        const core::Json& v = (*serverConfig)["validation"];
        const std::string f = "serverConfig.validation";
        if (!v.is_object()) throw std::runtime_error(f + ": must be an object");
        enabled = core::boolField(v, "enabled", f, true);
        options.validateRequest = core::boolField(v, "validateRequest", f, true);
        options.validateResponse = core::boolField(v, "validateResponse", f, false);
        options.failOnError = core::boolField(v, "failOnError", f, false);
        options.logWarnings = core::boolField(v, "logWarnings", f, true);
        options.mode = core::stringField(v, "mode", f, "strict");
        if (options.mode.empty()) options.mode = "strict";
        if (options.mode != "strict" && options.mode != "warn" && options.mode != "permissive")
            throw std::runtime_error(f + ".mode: must be strict, warn or permissive");
        options.failStatus = static_cast<int>(core::intField(v, "failStatus", f, 400, 400, 599));
        const int sources = v.contains("specFile") + v.contains("specUrl") + v.contains("spec");
        if (enabled && sources != 1 && flags.specFile.empty())
            throw std::runtime_error(f + ": needs exactly one of specFile, specUrl or spec");
        for (auto it = v.begin(); it != v.end(); ++it)
            if (!std::set<std::string>{"enabled", "specFile", "specUrl", "spec", "validateRequest",
                                       "validateResponse", "failOnError", "logWarnings", "mode",
                                       "failStatus"}
                     .count(it.key()))
                throw std::runtime_error(f + "." + it.key() + ": unknown field");
        if (auto s = v.find("specFile"); s != v.end()) {
            if (!s->is_string()) throw std::runtime_error(f + ".specFile: must be a file path");
            std::filesystem::path p = s->get<std::string>();
            if (p.is_relative()) p = configDir / p;
            source = f + ".specFile (" + p.string() + ")";
            doc = parseSpec(readSpecFile(p, f + ".specFile"), source);
        } else if (auto u = v.find("specUrl"); u != v.end()) {
            if (!u->is_string()) throw std::runtime_error(f + ".specUrl: must be a URL");
            source = f + ".specUrl (" + u->get<std::string>() + ")";
            try {
                doc = parseSpec(fetchUrl(u->get<std::string>()), source);
            } catch (const std::runtime_error& e) {
                throw std::runtime_error(source + ": " + e.what());
            }
        } else if (auto inline_ = v.find("spec"); inline_ != v.end()) {
            source = f + ".spec";
            doc = inline_->is_string() ? parseSpec(inline_->get<std::string>(), source) : *inline_;
        }
    }
    if (!flags.specFile.empty()) {
        enabled = true;
        source = "--validate-spec " + flags.specFile;
        doc = parseSpec(readSpecFile(flags.specFile, "--validate-spec"), source);
    }
    if (flags.fail) options.failOnError = true;
    if (flags.response) options.validateResponse = true;
    if (!enabled) {
        if (flags.fail || flags.response)
            throw std::runtime_error(
                std::string(flags.fail ? "--validate-fail" : "--validate-response") +
                " needs a spec: --validate-spec FILE");
        return nullptr;
    }
    std::vector<std::string> warnings;
    std::shared_ptr<const validation::OpenApiSpec> spec;
    try {
        spec = validation::OpenApiSpec::load(std::move(doc), warnings, options.validateResponse);
    } catch (const std::exception& e) {
        throw std::runtime_error(source + ": " + e.what());
    }
    for (const auto& w : warnings) log::warn("OpenAPI validation: " + w);
    log::info("validating requests against an OpenAPI spec",
              {{"spec", source},
               {"operations", spec->operationCount()},
               {"failOnError", options.failOnError ? "true" : "false"},
               {"mode", options.mode}});
    return std::make_unique<validation::SpecValidationFilter>(std::move(spec), options);
}

}  // namespace mockd::cli
