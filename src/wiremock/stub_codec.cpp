// Reading and printing WireMock stub mappings.
#include "wiremock/stub_codec.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <set>

#include "core/encoding.h"
#include "log/log.h"
#include "wiremock/request_pattern.h"
#include "wiremock/scenarios.h"
#include "wiremock/templating.h"
#include "wiremock/webhooks.h"

namespace mockd::wiremock {

namespace {

// A stub matches when its scenario is in the state it requires and its request pattern matches;
// serving it checks that state again and moves the scenario on, in one step.
class StubMatcher final : public core::FormatMatcher {
  public:
    StubMatcher(RequestPatternPtr pattern, std::shared_ptr<Scenarios> scenarios,
                std::string scenario, std::string requiredState, std::string newState)
        : pattern_(std::move(pattern)),
          scenarios_(std::move(scenarios)),
          scenario_(std::move(scenario)),
          requiredState_(std::move(requiredState)),
          newState_(std::move(newState)) {}
    bool matches(const core::MatchInput& in) const override {
        if (!requiredState_.empty() && !scenarios_->inState(scenario_, requiredState_))
            return false;
        return pattern_->match(wmView(in)).matched;
    }
    const std::optional<std::string>& literalPath() const override {
        return pattern_->literalPath();
    }
    bool claim() const override {
        if (scenario_.empty() || (requiredState_.empty() && newState_.empty())) return true;
        return scenarios_->advance(scenario_, requiredState_, newState_);
    }

  private:
    RequestPatternPtr pattern_;
    std::shared_ptr<Scenarios> scenarios_;
    std::string scenario_, requiredState_, newState_;
};

}  // namespace

std::string Stub::responseHead(const core::Mock& mock) const {
    std::string head;
    core::appendHeaderLine(head, "Matched-Stub-Id", mock.id);
    if (!mock.name.empty()) core::appendHeaderLine(head, "Matched-Stub-Name", mock.name);
    for (const auto& [name, value] : mock.response.headers) {
        if (core::iequals(name, "Content-Length") || core::iequals(name, "Transfer-Encoding") ||
            core::iequals(name, "Connection") || core::iequals(name, "Date"))
            continue;
        core::appendHeaderLine(head, name, value);
    }
    return head;
}

namespace {

constexpr const char* kStubClass = "com.github.tomakehurst.wiremock.stubbing.StubMapping";
constexpr const char* kResponseClass = "com.github.tomakehurst.wiremock.http.ResponseDefinition";

[[noreturn]] void unknownField(const std::string& pointer, const std::string& field,
                               const char* cls) {
    throw PatternError(pointer + "/" + field, "Unrecognized field \"" + field + "\" (class " + cls +
                                                  "), not marked as ignorable");
}

[[noreturn]] void wrongType(const std::string& pointer, const std::string& expected) {
    throw PatternError(pointer, "Cannot deserialize value: expected " + expected);
}

const std::string& str(const Json& v, const std::string& pointer) {
    if (!v.is_string()) wrongType(pointer, "a string");
    return v.get_ref<const std::string&>();
}

int integer(const Json& v, const std::string& pointer) {
    if (v.is_number_integer()) return v.get<int>();
    if (v.is_string()) {
        try {
            size_t n = 0;
            int i = std::stoi(v.get<std::string>(), &n);
            if (n == v.get<std::string>().size()) return i;
        } catch (const std::exception&) {
        }
    }
    if (v.is_null()) return 0;
    wrongType(pointer, "an integer");
}

bool boolean(const Json& v, const std::string& pointer) {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_null()) return false;
    wrongType(pointer, "a boolean");
}

double number(const Json& v, const std::string& pointer) {
    if (v.is_number()) return v.get<double>();
    if (v.is_null()) return 0;
    wrongType(pointer, "a number");
}

// Compiles the templatable parts: the body (or the body file's name) and header values.
// WireMock finds syntax errors when the stub is first served, so they are kept for then.
void compileTemplates(const Json& response, bool templated, const std::string& filesDir, Stub& wm) {
    wm.responseTemplate = templated;
    wm.filesDir = filesDir.empty() ? std::string("__files") : filesDir;
    if (auto p = response.find("transformerParameters"); p != response.end() && p->is_object())
        wm.transformerParameters = OJson::parse(p->dump());
    auto compile = [&](const std::string& text) -> HandlebarsPtr {
        if (!hasTemplate(text)) return nullptr;
        try {
            return HandlebarsTemplate::compile(text);
        } catch (const TemplateError& e) {
            if (wm.templateError.empty())
                wm.templateError = "inline:" + std::to_string(e.line()) + ":" +
                                   std::to_string(e.column()) + ": " + e.what();
            return nullptr;
        }
    };
    if (auto b = response.find("body"); b != response.end() && b->is_string())
        wm.bodyTemplate = compile(b->get<std::string>());
    else if (b != response.end() && !b->is_null())
        wm.bodyTemplate = compile(b->dump());
    if (auto b = response.find("jsonBody"); b != response.end() && !b->is_null())
        wm.bodyTemplate = compile(b->dump());
    if (auto f = response.find("bodyFileName"); f != response.end() && f->is_string()) {
        wm.bodyFileName = f->get<std::string>();
        wm.bodyFileTemplate = compile(wm.bodyFileName);
    }
    if (auto p = response.find("proxyBaseUrl"); p != response.end() && p->is_string()) {
        auto px = std::make_shared<StubProxy>();
        px->baseUrl = p->get<std::string>();
        px->baseUrlTemplate = compile(px->baseUrl);
        if (auto x = response.find("proxyUrlPrefixToRemove"); x != response.end() && x->is_string())
            px->prefixToRemove = x->get<std::string>();
        if (auto x = response.find("additionalProxyRequestHeaders");
            x != response.end() && x->is_object())
            for (const auto& [name, value] : x->items()) {
                // WireMock sets the first value of each.
                const Json& v = value.is_array() && !value.empty() ? value[0] : value;
                std::string text = v.is_string() ? v.get<std::string>() : v.dump();
                px->addHeaderTemplates.push_back(compile(text));
                px->addHeaders.emplace_back(name, std::move(text));
            }
        if (auto x = response.find("removeProxyRequestHeaders");
            x != response.end() && x->is_array())
            for (const auto& v : *x)
                if (v.is_string()) px->removeHeaders.push_back(v.get<std::string>());
        wm.proxy = std::move(px);
    }
    if (auto h = response.find("headers"); h != response.end() && h->is_object())
        for (const auto& [name, value] : h->items()) {
            auto one = [&, &name = name](const Json& v) {
                std::string text = v.is_string() ? v.get<std::string>() : v.dump();
                wm.headerTemplates.emplace_back(name, compile(text));
            };
            if (value.is_array())
                for (const auto& v : value) one(v);
            else
                one(value);
        }
}

}  // namespace

core::DelayDistribution decodeDelayDistribution(const Json& v, const std::string& at) {
    if (!v.is_object()) wrongType(at, "an object");
    core::DelayDistribution d;
    const std::string type =
        v.contains("type") && v["type"].is_string() ? v["type"].get<std::string>() : "";
    const char* cls = nullptr;
    std::vector<const char*> fields;
    if (type == "fixed") {
        d.kind = core::DelayDistribution::Kind::Fixed;
        cls = "com.github.tomakehurst.wiremock.http.FixedDelayDistribution";
        fields = {"milliseconds"};
    } else if (type == "uniform") {
        d.kind = core::DelayDistribution::Kind::Uniform;
        cls = "com.github.tomakehurst.wiremock.http.UniformDistribution";
        fields = {"lower", "upper"};
    } else if (type == "lognormal") {
        d.kind = core::DelayDistribution::Kind::LogNormal;
        cls = "com.github.tomakehurst.wiremock.http.LogNormal";
        fields = {"median", "sigma", "maxValue"};
    } else {
        throw PatternError(at, "Could not resolve type id '" + type +
                                   "' as a subtype of "
                                   "`com.github.tomakehurst.wiremock.http.DelayDistribution`: "
                                   "known type ids = [fixed, lognormal, uniform]");
    }
    for (const auto& [k, x] : v.items()) {
        if (k == "type") continue;
        if (std::find_if(fields.begin(), fields.end(),
                         [&k = k](const char* f) { return k == f; }) == fields.end())
            unknownField(at, k, cls);
        const double n = number(x, at + "/" + k);
        if (k == "milliseconds" || k == "lower" || k == "median") d.a = n;
        if (k == "upper" || k == "sigma") d.b = n;
        if (k == "maxValue" && !x.is_null()) d.max = n;
    }
    if (d.max && *d.max < d.a)
        throw PatternError(at, "The max value has to be greater than or equal to the median");
    return d;
}

namespace {

void decodeResponse(const Json& r, const std::string& filesDir, core::HttpResponse& out,
                    bool& templated) {
    const std::string p = "/response";
    if (!r.is_object()) wrongType(p, "an object");
    int bodies = 0;
    for (const auto& [key, v] : r.items()) {
        const std::string at = p + "/" + key;
        if (key == "status") {
            out.statusCode = integer(v, at);
            if (out.statusCode == 0) out.statusCode = 200;
            if (out.statusCode < 100 || out.statusCode > 999)
                throw PatternError(at, "status must be between 100 and 999");
        } else if (key == "statusMessage") {
            if (!v.is_null()) out.statusMessage = str(v, at);
        } else if (key == "headers") {
            if (v.is_null()) continue;
            if (!v.is_object()) wrongType(at, "an object");
            for (const auto& [name, value] : v.items()) {
                if (value.is_array()) {
                    for (const auto& one : value)
                        out.headers.emplace_back(
                            name, one.is_string() ? one.get<std::string>() : one.dump());
                } else {
                    out.headers.emplace_back(
                        name, value.is_string() ? value.get<std::string>() : value.dump());
                }
            }
        } else if (key == "body") {
            if (v.is_null()) continue;
            out.body = v.is_string() ? v.get<std::string>() : v.dump();
            ++bodies;
        } else if (key == "jsonBody") {
            if (v.is_null()) continue;
            out.body = v.dump();
            ++bodies;
        } else if (key == "base64Body") {
            if (v.is_null()) continue;
            auto bytes = core::base64Decode(str(v, at));
            if (!bytes) throw PatternError(at, "base64Body is not valid base64");
            out.body = std::move(*bytes);
            ++bodies;
        } else if (key == "bodyFileName") {
            if (v.is_null()) continue;
            const std::string& name = str(v, at);
            std::filesystem::path rel(name);
            for (const auto& part : rel)
                if (part == "..") throw PatternError(at, "bodyFileName must stay inside __files");
            std::filesystem::path base(filesDir.empty() ? std::string("__files") : filesDir);
            out.bodyFile = (rel.is_absolute() ? rel : base / rel).lexically_normal().string();
        } else if (key == "fixedDelayMilliseconds") {
            if (v.is_null()) continue;
            int d = integer(v, at);
            if (d < 0) throw PatternError(at, "fixedDelayMilliseconds must be 0 or greater");
            out.delayMs = static_cast<uint32_t>(d);
            out.delaySet = true;
        } else if (key == "delayDistribution") {
            if (!v.is_null()) out.delayDistribution = decodeDelayDistribution(v, at);
        } else if (key == "chunkedDribbleDelay") {
            if (v.is_null()) continue;
            if (!v.is_object()) wrongType(at, "an object");
            for (const auto& [k, x] : v.items()) {
                if (k == "numberOfChunks")
                    out.dribble.chunks =
                        static_cast<uint32_t>(std::max(1, integer(x, at + "/" + k)));
                else if (k == "totalDuration")
                    out.dribble.totalMs =
                        static_cast<uint32_t>(std::max(0, integer(x, at + "/" + k)));
                else
                    unknownField(at, k, "com.github.tomakehurst.wiremock.http.ChunkedDribbleDelay");
            }
            if (out.dribble.chunks == 0) out.dribble.chunks = 1;
        } else if (key == "fault") {
            if (v.is_null()) continue;
            auto fault = core::faultNamed(str(v, at));
            if (!fault)
                throw PatternError(at,
                                   "Cannot deserialize value of type "
                                   "`com.github.tomakehurst.wiremock.http.Fault` from String " +
                                       v.dump() +
                                       ": not one of the values accepted for Enum class: "
                                       "[CONNECTION_RESET_BY_PEER, EMPTY_RESPONSE, "
                                       "RANDOM_DATA_THEN_CLOSE, MALFORMED_RESPONSE_CHUNK]");
            out.fault = *fault;
        } else if (key == "transformers") {
            if (v.is_null()) continue;
            if (!v.is_array()) wrongType(at, "an array");
            for (const auto& t : v)
                if (t.is_string() && t.get<std::string>() == "response-template") templated = true;
        } else if (key == "proxyBaseUrl" || key == "proxyUrlPrefixToRemove") {
            if (!v.is_null()) str(v, at);
        } else if (key == "additionalProxyRequestHeaders") {
            if (!v.is_null() && !v.is_object()) wrongType(at, "an object");
        } else if (key == "removeProxyRequestHeaders") {
            if (v.is_null()) continue;
            if (!v.is_array()) wrongType(at, "an array");
            for (size_t i = 0; i < v.size(); ++i) str(v[i], at + "/" + std::to_string(i));
        } else if (key == "transformerParameters" || key == "fromConfiguredStub") {
            // Kept in the stub document; served by the delay, fault, proxy and template stages.
        } else {
            unknownField(p, key, kResponseClass);
        }
    }
    if (bodies > 1)
        throw PatternError(p, "Only one of body, jsonBody and base64Body may be specified");
}

}  // namespace

std::string errorBody(int code, const std::string& title, const std::string& detail,
                      const std::string& pointer) {
    OJson e = OJson::object();
    e["code"] = code;
    if (pointer == kSyntaxErrorPointer)
        e["source"] = OJson::object();
    else if (!pointer.empty())
        e["source"] = {{"pointer", pointer}};
    e["title"] = title;
    if (!detail.empty()) e["detail"] = detail;
    OJson body = {{"errors", OJson::array({e})}};
    // The detail may quote the request body, whose bytes need not be UTF-8.
    return body.dump(-1, ' ', false, OJson::error_handler_t::replace);
}

std::vector<OJson> stubsOf(const OJson& doc) {
    if (doc.is_object() && doc.contains("mappings")) {
        const OJson& list = doc["mappings"];
        if (!list.is_array()) throw PatternError("/mappings", "mappings must be an array");
        return std::vector<OJson>(list.begin(), list.end());
    }
    return {doc};
}

namespace {
// Operators in the order WireMock looks for them, each with the modifiers it keeps.
struct Operator {
    const char* name;
    std::vector<const char*> modifiers;
};
const std::vector<Operator>& operators() {
    static const std::vector<Operator> ops = {
        {"equalTo", {"caseInsensitive"}},
        {"equalToJson", {"ignoreArrayOrder", "ignoreExtraElements"}},
        {"matchesJsonPath", {}},
        {"matchesJsonSchema", {"schemaVersion"}},
        {"equalToXml",
         {"enablePlaceholders", "placeholderOpeningDelimiterRegex",
          "placeholderClosingDelimiterRegex", "exemptedComparisons", "ignoreOrderOfSameNode",
          "namespaceAwareness"}},
        {"matchesXPath", {"xPathNamespaces"}},
        {"contains", {}},
        {"not", {}},
        {"doesNotContain", {}},
        {"matches", {}},
        {"doesNotMatch", {}},
        {"before",
         {"actualFormat", "truncateExpected", "truncateActual", "applyTruncationLast",
          "expectedOffset", "expectedOffsetUnit"}},
        {"after",
         {"actualFormat", "truncateExpected", "truncateActual", "applyTruncationLast",
          "expectedOffset", "expectedOffsetUnit"}},
        {"equalToDateTime",
         {"actualFormat", "truncateExpected", "truncateActual", "applyTruncationLast",
          "expectedOffset", "expectedOffsetUnit"}},
        {"anything", {}},
        {"and", {}},
        {"or", {}},
        {"absent", {}},
        {"binaryEqualTo", {}},
        {"matchesPathTemplate", {}},
        {"hasExactly", {}},
        {"includes", {}},
    };
    return ops;
}

void canonicalMatcher(OJson& m) {
    if (!m.is_object()) return;
    for (const auto& op : operators()) {
        auto it = m.find(op.name);
        if (it == m.end()) continue;
        OJson out = OJson::object();
        std::string name = op.name;
        OJson operand = *it;
        if (name == "anything") {
            operand = "anything";
        } else if (name == "not") {
            canonicalMatcher(operand);
        } else if (name == "and" || name == "or" || name == "hasExactly" || name == "includes") {
            if (operand.is_array())
                for (auto& x : operand) canonicalMatcher(x);
        } else if (name == "matchesJsonSchema") {
            if (!operand.is_string()) operand = jacksonPrettyJson(operand);
        } else if ((name == "matchesJsonPath" || name == "matchesXPath") && operand.is_object()) {
            canonicalMatcher(operand);
            if (auto e = it->find("expression"); e != it->end()) {
                OJson nested = operand;
                operand = OJson::object();
                operand["expression"] = *e;
                for (auto& [k, v] : nested.items()) operand[k] = v;
            }
        }
        out[name] = operand;
        for (const char* mod : op.modifiers)
            if (auto mit = m.find(mod); mit != m.end()) out[mod] = *mit;
        if (name == "matchesJsonSchema" && !out.contains("schemaVersion"))
            out["schemaVersion"] = "V202012";
        m = std::move(out);
        return;
    }
}

void canonicalMap(OJson& request, const char* key) {
    auto it = request.find(key);
    if (it == request.end() || !it->is_object()) return;
    for (auto& [k, v] : it->items()) canonicalMatcher(v);
}

void canonicalList(OJson& request, const char* key) {
    auto it = request.find(key);
    if (it == request.end() || !it->is_array()) return;
    for (auto& v : *it) canonicalMatcher(v);
}
}  // namespace

void canonicalizeRequest(OJson& request) {
    if (!request.is_object()) return;
    for (const char* k :
         {"headers", "queryParameters", "formParameters", "cookies", "pathParameters"})
        canonicalMap(request, k);
    canonicalList(request, "bodyPatterns");
    for (const char* k : {"host", "clientIp"})
        if (auto it = request.find(k); it != request.end()) canonicalMatcher(*it);
    if (auto it = request.find("multipartPatterns"); it != request.end() && it->is_array())
        for (auto& part : *it) {
            canonicalMap(part, "headers");
            canonicalList(part, "bodyPatterns");
        }
}

core::Mock decodeStub(const OJson& ordered, const std::string& filesDir,
                      std::shared_ptr<Scenarios> scenarios) {
    if (!ordered.is_object()) wrongType("", "an object");
    const Json in(ordered);
    core::Mock m;
    auto wm = std::make_shared<Stub>();
    Json request = Json::object();
    Json response = Json::object();
    std::string id;
    for (const auto& [key, v] : in.items()) {
        const std::string at = "/" + key;
        if (key == "id" || key == "uuid") {
            if (v.is_null()) continue;
            const std::string& s = str(v, at);
            if (!core::isUuid(s)) throw PatternError(at, s + " is not a valid UUID");
            if (!id.empty() && id != s) continue;
            id = s;
        } else if (key == "name") {
            if (!v.is_null()) m.name = str(v, at);
        } else if (key == "request") {
            if (!v.is_null()) {
                if (!v.is_object()) wrongType(at, "an object");
                request = v;
            }
        } else if (key == "response") {
            if (!v.is_null()) response = v;
        } else if (key == "priority") {
            if (!v.is_null()) wm->priority = integer(v, at);
        } else if (key == "persistent") {
            wm->persistent = boolean(v, at);
        } else if (key == "scenarioName") {
            if (!v.is_null()) wm->scenario = str(v, at);
        } else if (key == "requiredScenarioState") {
            if (!v.is_null()) wm->requiredState = str(v, at);
        } else if (key == "newScenarioState") {
            if (!v.is_null()) wm->newState = str(v, at);
        } else if (key == "metadata") {
            if (!v.is_null() && !v.is_object()) wrongType(at, "an object");
        } else if (key == "times") {
            // mockd's extension, as in its own format: the stub matches its first N requests.
            if (!v.is_null()) {
                if (!v.is_number_integer() || v.get<int64_t>() < 1)
                    throw PatternError(at,
                                       "times (a mockd extension) must be a whole number of "
                                       "matches, 1 or more");
                m.times = v.get<uint64_t>();
            }
        } else if (key == "postServeActions" || key == "serveEventListeners" || key == "$schema" ||
                   key == "insertionIndex") {
            // Kept in the stub document (webhooks are served by the post-serve stage).
        } else {
            unknownField("", key, kStubClass);
        }
    }
    if (wm->scenario.empty()) {
        wm->requiredState.clear();
        wm->newState.clear();
    }
    if (request.contains("basicAuth") && !request.contains("basicAuthCredentials")) {
        request["basicAuthCredentials"] = request["basicAuth"];
        request.erase("basicAuth");
    }
    if (!request.contains("method") || request["method"].is_null()) request["method"] = "ANY";
    wm->pattern = RequestPattern::compile(request, "/request");
    wm->stubMatcher = std::make_shared<StubMatcher>(wm->pattern, std::move(scenarios), wm->scenario,
                                                    wm->requiredState, wm->newState);
    bool templated = false;
    decodeResponse(response, filesDir, m.response, templated);
    compileTemplates(response, templated, filesDir, *wm);
    wm->webhooks = decodeWebhooks(in);
    // jsonBody is served with the keys in the order written.
    if (auto r = ordered.find("response"); r != ordered.end() && r->is_object())
        if (auto jb = r->find("jsonBody"); jb != r->end() && !jb->is_null()) {
            m.response.body = jb->dump();
            if (wm->bodyTemplate) wm->bodyTemplate = HandlebarsTemplate::compile(m.response.body);
        }
    if (auto rq = ordered.find("request"); rq != ordered.end() && rq->is_object()) {
        OJson canonical = *rq;
        canonicalizeRequest(canonical);
        Json c(canonical);
        for (const char* k : {"basicAuth", "basicAuthCredentials", "method"}) c.erase(k);
        for (auto& [k, v] : c.items()) request[k] = v;
    }
    if (!response.contains("status")) response["status"] = m.response.statusCode;

    m.id = id.empty() ? core::newUuid() : id;
    Json doc = in;
    doc.erase("uuid");
    doc["id"] = m.id;
    doc["request"] = std::move(request);
    doc["response"] = std::move(response);
    doc.erase("$schema");
    doc.erase("insertionIndex");
    wm->json = std::move(doc);
    m.format = std::move(wm);
    return m;
}

OJson encodeStub(const core::Mock& m) {
    OJson out = OJson::object();
    const Stub* stub = stubOf(m);
    const Json& doc = stub ? stub->json : Json::object();
    out["id"] = m.id;
    if (!m.name.empty()) out["name"] = m.name;
    out["request"] =
        doc.contains("request") ? OJson::parse(doc["request"].dump()) : OJson({{"method", "ANY"}});
    out["response"] =
        doc.contains("response") ? OJson::parse(doc["response"].dump()) : OJson({{"status", 200}});
    out["uuid"] = m.id;
    for (const char* key :
         {"persistent", "priority", "scenarioName", "requiredScenarioState", "newScenarioState",
          "metadata", "postServeActions", "serveEventListeners", "times"}) {
        auto it = doc.find(key);
        if (it != doc.end() && !it->is_null()) out[key] = OJson::parse(it->dump());
    }
    return out;
}

std::vector<std::string> missingExtensions(const core::Mock& stub) {
    std::vector<std::string> out;
    const Stub* wm = stubOf(stub);
    if (!wm) return out;
    const Json& doc = wm->json;
    auto quoted = [](const char* kind, const std::string& name) {
        return std::string(kind) + " \"" + name + "\"";
    };
    if (auto r = doc.find("response"); r != doc.end() && r->is_object())
        if (auto t = r->find("transformers"); t != r->end() && t->is_array())
            for (const auto& name : *t)
                if (name.is_string() && name.get<std::string>() != "response-template")
                    out.push_back(quoted("transformer", name.get<std::string>()));
    if (auto rq = doc.find("request"); rq != doc.end() && rq->is_object())
        if (auto cm = rq->find("customMatcher"); cm != rq->end() && cm->is_object())
            out.push_back(quoted("custom matcher", cm->value("name", std::string("null"))));
    for (const char* field : {"serveEventListeners", "postServeActions"}) {
        auto it = doc.find(field);
        if (it == doc.end()) continue;
        if (it->is_object()) {
            for (const auto& [name, params] : it->items())
                if (name != "webhook") out.push_back(quoted("serve event listener", name));
        } else if (it->is_array()) {
            for (const auto& l : *it)
                if (l.is_object() && l.value("name", std::string()) != "webhook")
                    out.push_back(quoted("serve event listener", l.value("name", std::string())));
        }
    }
    return out;
}

void warnMissingExtension(const std::string& name) {
    static std::mutex mutex;
    static std::set<std::string> warned;
    {
        std::lock_guard lock(mutex);
        if (!warned.insert(name).second) return;
    }
    log::warn(
        "WireMock extension not available; stubs that name it are answered as WireMock "
        "answers without it",
        {{"extension", name}});
}

void warnMissingExtensions(const core::Mock& stub) {
    for (const auto& name : missingExtensions(stub)) warnMissingExtension(name);
}

}  // namespace mockd::wiremock
