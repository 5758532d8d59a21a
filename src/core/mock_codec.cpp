// mockd mock codec: JSON (from YAML, JSON files or the admin API) <-> core::Mock.
#include "core/mock_codec.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <random>
#include <string_view>
#include <vector>

#include "core/errors.h"
#include "core/request_validation.h"

namespace mockd::core {
namespace {

namespace fs = std::filesystem;

bool contains(std::initializer_list<std::string_view> keys, std::string_view k) {
    for (auto key : keys)
        if (key == k) return true;
    return false;
}

std::string typeName(const Json& j) {
    switch (j.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::boolean:
            return "a boolean";
        case Json::value_t::string:
            return "a string";
        case Json::value_t::array:
            return "an array";
        case Json::value_t::object:
            return "an object";
        default:
            return "a number";
    }
}

const Json& requireObject(const Json& j, const std::string& where) {
    if (!j.is_object()) throw FieldError(where, "must be an object, not " + typeName(j));
    return j;
}

std::string getString(const Json& obj, const char* key, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return {};
    if (!it->is_string())
        throw FieldError(where + "." + key, "must be a string, not " + typeName(*it));
    return it->get<std::string>();
}

std::optional<std::string> getOptString(const Json& obj, const char* key,
                                        const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::nullopt;
    if (!it->is_string())
        throw FieldError(where + "." + key, "must be a string, not " + typeName(*it));
    return it->get<std::string>();
}

int64_t getInt(const Json& obj, const char* key, const std::string& where, int64_t def, int64_t lo,
               int64_t hi) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return def;
    int64_t v = 0;
    if (it->is_number_integer()) {
        v = it->get<int64_t>();
    } else if (it->is_number_float() &&
               it->get<double>() == static_cast<int64_t>(it->get<double>())) {
        v = static_cast<int64_t>(it->get<double>());
    } else {
        throw FieldError(where + "." + key, "must be an integer, not " + typeName(*it));
    }
    if (v < lo || v > hi)
        throw FieldError(where + "." + key, "must be between " + std::to_string(lo) + " and " +
                                                std::to_string(hi) + ", not " + std::to_string(v));
    return v;
}

KeyValues getStringMap(const Json& obj, const char* key, const std::string& where) {
    KeyValues out;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return out;
    const std::string field = where + "." + key;
    if (!it->is_object()) throw FieldError(field, "must be an object, not " + typeName(*it));
    for (auto kv = it->begin(); kv != it->end(); ++kv) {
        const Json& v = kv.value();
        if (v.is_string())
            out.emplace_back(kv.key(), v.get<std::string>());
        else if (v.is_number() || v.is_boolean())
            out.emplace_back(kv.key(), v.dump());
        else
            throw FieldError(field + "." + kv.key(), "must be a string, not " + typeName(v));
    }
    return out;
}

std::string bodyText(const Json& body) {
    if (body.is_string()) return body.get<std::string>();
    if (body.is_null()) return {};
    return body.dump();  // objects, arrays, numbers and booleans are served as compact JSON
}

HttpMatcher decodeMatcher(const Json& j, const std::string& where, const DecodeContext& ctx) {
    requireObject(j, where);
    warnUnknown(j, where,
                {"method", "path", "pathPattern", "headers", "queryParams", "bodyEquals",
                 "bodyContains", "bodyPattern", "bodyJsonPath", "mtls"},
                ctx);
    HttpMatcher m;
    m.method = getString(j, "method", where);
    for (auto& c : m.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    m.path = getString(j, "path", where);
    if (!m.path.empty() && m.path[0] != '/')
        throw FieldError(where + ".path", "must start with \"/\"");
    m.pathPattern = getString(j, "pathPattern", where);
    m.headers = getStringMap(j, "headers", where);
    m.queryParams = getStringMap(j, "queryParams", where);
    m.bodyEquals = getOptString(j, "bodyEquals", where);
    m.bodyContains = getOptString(j, "bodyContains", where);
    m.bodyPattern = getOptString(j, "bodyPattern", where);
    if (auto it = j.find("bodyJsonPath"); it != j.end() && !it->is_null()) {
        if (!it->is_object())
            throw FieldError(
                where + ".bodyJsonPath",
                "must be an object of JSONPath -> expected value, not " + typeName(*it));
        for (auto kv = it->begin(); kv != it->end(); ++kv)
            m.bodyJsonPath.emplace_back(kv.key(), kv.value());
    }
    if (auto it = j.find("mtls"); it != j.end() && !it->is_null()) {
        const std::string f = where + ".mtls";
        requireObject(*it, f);
        warnUnknown(*it, f,
                    {"requireAuth", "cn", "cnPattern", "ou", "o", "fingerprint", "issuer", "san"},
                    ctx);
        MtlsMatcher t;
        if (auto r = it->find("requireAuth"); r != it->end() && !r->is_null()) {
            if (!r->is_boolean())
                throw FieldError(f + ".requireAuth", "must be true or false, not " + typeName(*r));
            t.requireAuth = r->get<bool>();
        }
        t.cn = getString(*it, "cn", f);
        t.cnPattern = getString(*it, "cnPattern", f);
        if (!t.cn.empty() && !t.cnPattern.empty())
            throw FieldError(f, "cannot specify both cn and cnPattern");
        t.ou = getString(*it, "ou", f);
        t.o = getString(*it, "o", f);
        t.fingerprint = getString(*it, "fingerprint", f);
        if (!t.fingerprint.empty()) {
            std::string fp = normalizeFingerprint(t.fingerprint);
            if (fp.size() != 64)
                throw FieldError(f + ".fingerprint",
                                 "fingerprint must be 64 hex characters (SHA256)");
            if (fp.find_first_not_of("0123456789abcdef") != std::string::npos)
                throw FieldError(f + ".fingerprint",
                                 "fingerprint must contain only hex characters");
        }
        t.issuer = getString(*it, "issuer", f);
        if (auto san = it->find("san"); san != it->end() && !san->is_null()) {
            requireObject(*san, f + ".san");
            warnUnknown(*san, f + ".san", {"dns", "email", "ip"}, ctx);
            t.sanDns = getString(*san, "dns", f + ".san");
            t.sanEmail = getString(*san, "email", f + ".san");
            t.sanIp = getString(*san, "ip", f + ".san");
        }
        m.mtls = std::move(t);
    }
    return m;
}

HttpResponse decodeResponse(const Json& j, const std::string& where, const DecodeContext& ctx) {
    requireObject(j, where);
    warnUnknown(j, where, {"statusCode", "headers", "body", "bodyFile", "delayMs", "seed"}, ctx);
    HttpResponse r;
    r.statusCode = static_cast<int>(getInt(j, "statusCode", where, 200, 100, 599));
    r.headers = getStringMap(j, "headers", where);
    if (auto it = j.find("body"); it != j.end()) r.body = bodyText(*it);
    std::string file = getString(j, "bodyFile", where);
    if (!file.empty()) {
        fs::path base = ctx.baseDir.empty() ? fs::current_path() : ctx.baseDir;
        fs::path p = fs::path(file).is_absolute() ? fs::path(file) : base / file;
        p = p.lexically_normal();
        fs::path baseNorm = (base / "").lexically_normal();
        auto rel = p.lexically_relative(baseNorm);
        // Also through symbolic links: what the path resolves to must be inside too.
        std::error_code ec;
        fs::path real = fs::weakly_canonical(p, ec), realBase = fs::weakly_canonical(base, ec);
        auto realRel = ec ? fs::path() : real.lexically_relative(realBase);
        if (rel.empty() || *rel.begin() == ".." || ec || realRel.empty() ||
            *realRel.begin() == "..")
            throw FieldError(where + ".bodyFile",
                             "\"" + file + "\" is outside the config's directory (" +
                                 baseNorm.string() + "); bodyFile must stay inside it");
        r.bodyFile = p.string();
    }
    // A day is far beyond any test's timeout; longer is a typo.
    r.delayMs = static_cast<uint32_t>(getInt(j, "delayMs", where, 0, 0, 86'400'000));
    if (auto it = j.find("seed"); it != j.end() && !it->is_null())
        r.seed = getInt(j, "seed", where, 0, INT64_MIN, INT64_MAX);
    return r;
}

// The mockd extensions `responses` (a sequence, with `responsesMode`) and `times` (matches
// before the mock stops matching), read from the object that holds `response`.
void decodeSequenceAndTimes(const Json& j, const std::string& where, const DecodeContext& ctx,
                            Mock& m) {
    auto rs = j.find("responses");
    if (rs != j.end() && !rs->is_null()) {
        if (auto one = j.find("response"); one != j.end() && !one->is_null())
            throw FieldError(where + ".responses",
                             "cannot be given together with response; put every response of "
                             "the sequence in responses");
        if (!rs->is_array())
            throw FieldError(where + ".responses",
                             "must be an array of responses, not " + typeName(*rs));
        if (rs->empty())
            throw FieldError(where + ".responses",
                             "must list at least one response (or use response for a single "
                             "one)");
        for (size_t i = 0; i < rs->size(); ++i)
            m.responses.push_back(
                decodeResponse((*rs)[i], where + ".responses[" + std::to_string(i) + "]", ctx));
        m.response = m.responses.front();
    }
    if (auto md = j.find("responsesMode"); md != j.end() && !md->is_null()) {
        if (m.responses.empty())
            throw FieldError(where + ".responsesMode", "needs responses (a response sequence)");
        const std::string mode = md->is_string() ? md->get<std::string>() : md->dump();
        if (mode == "cycle")
            m.responsesMode = SequenceMode::Cycle;
        else if (mode == "last")
            m.responsesMode = SequenceMode::Last;
        else
            throw FieldError(where + ".responsesMode",
                             "must be \"last\" (repeat the last response) or \"cycle\" (start "
                             "again), not " +
                                 (md->is_string() ? "\"" + mode + "\"" : typeName(*md)));
    }
    if (auto t = j.find("times"); t != j.end() && !t->is_null()) {
        // The range check comes first: casting a double beyond int64 is undefined.
        const bool wholeFloat = t->is_number_float() && std::abs(t->get<double>()) < 9.2e18 &&
                                t->get<double>() == static_cast<int64_t>(t->get<double>());
        if (!t->is_number_integer() && !wholeFloat)
            throw FieldError(where + ".times",
                             "must be a whole number of matches (1 or more), not " +
                                 (t->is_number() ? t->dump() : typeName(*t)));
        const int64_t n =
            t->is_number_float() ? static_cast<int64_t>(t->get<double>())
            : t->is_number_unsigned()
                ? static_cast<int64_t>(std::min<uint64_t>(t->get<uint64_t>(), INT64_MAX))
                : t->get<int64_t>();
        if (n < 1)
            throw FieldError(where + ".times",
                             "must be 1 or more, not " + std::to_string(n) +
                                 " (to stop a mock from matching, set enabled: false)");
        m.times = static_cast<uint64_t>(n);
    }
}

struct StreamCodecTable {
    std::mutex mutex;
    std::vector<std::shared_ptr<const StreamAnswerCodec>> codecs;
};

StreamCodecTable& streamCodecTable() {
    static StreamCodecTable table;
    return table;
}

const StreamAnswerCodec* findStreamCodec(std::string_view key) {
    StreamCodecTable& t = streamCodecTable();
    std::lock_guard lock(t.mutex);
    for (const auto& c : t.codecs)
        if (c->key() == key) return c.get();
    return nullptr;
}

// HTTP mock fields whose behaviour is not built yet: refused by name rather than accepted and
// served as a plain response, so a config never seems to work when it does not.
void rejectUnbuiltHttpFields(const Json& j, const std::string& where) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 2> kUnbuilt = {{
        {"sse", "server-sent event streams"},
        {"chunked", "chunked and NDJSON streams"},
    }};
    for (const auto& [key, what] : kUnbuilt)
        if (auto it = j.find(key); it != j.end() && !it->is_null() && !findStreamCodec(key))
            throw FieldError(where + "." + std::string(key),
                             "is not supported yet (" + std::string(what) + ")");
}

// `sse` or `chunked` in place of `response`: exactly one way to answer (mockd's rule).
void decodeStreamAnswer(const Json& j, const std::string& where, const DecodeContext& ctx,
                        Mock& m) {
    std::vector<std::string> given;
    for (const char* key : {"response", "responses", "sse", "chunked"})
        if (auto it = j.find(key); it != j.end() && !it->is_null()) given.emplace_back(key);
    for (const char* key : {"sse", "chunked"}) {
        auto it = j.find(key);
        const StreamAnswerCodec* codec = findStreamCodec(key);
        if (it == j.end() || it->is_null() || !codec) continue;
        if (given.size() > 1)
            throw FieldError(where + "." + key,
                             "only one of response, responses, sse or "
                             "chunked may be given (this mock has " +
                                 given[0] + " and " + given[1] + ")");
        m.stream = codec->decode(*it, where + "." + key, ctx);
    }
}

void decodeHttp(const Json& j, const std::string& where, const DecodeContext& ctx, Mock& m) {
    requireObject(j, where);
    warnUnknown(j, where,
                {"priority", "matcher", "response", "responses", "responsesMode", "times", "sse",
                 "chunked", "validation", "statefulBinding", "statefulOperation"},
                ctx);
    m.priority = static_cast<int>(getInt(j, "priority", where, 0, INT32_MIN, INT32_MAX));
    auto mt = j.find("matcher");
    if (mt == j.end() || mt->is_null())
        throw FieldError(where + ".matcher", "is required (method, path, ...)");
    m.matcher = decodeMatcher(*mt, where + ".matcher", ctx);
    if (auto rs = j.find("response"); rs != j.end() && !rs->is_null())
        m.response = decodeResponse(*rs, where + ".response", ctx);
    decodeSequenceAndTimes(j, where, ctx, m);
    if (auto b = j.find("statefulBinding"); b != j.end() && !b->is_null())
        m.binding = decodeBinding(*b, where + ".statefulBinding");
    if (auto op = j.find("statefulOperation"); op != j.end() && !op->is_null()) {
        if (!op->is_string() || op->get<std::string>().empty())
            throw FieldError(where + ".statefulOperation",
                             "must be the name of a custom operation");
        m.binding = StatefulBinding{"", "custom", op->get<std::string>(), nullptr};
    }
    rejectUnbuiltHttpFields(j, where);
    if (auto v = j.find("validation"); v != j.end() && !v->is_null())
        m.validation = RequestValidation::decode(*v, where + ".validation", ctx);
    decodeStreamAnswer(j, where, ctx, m);
    if (m.stream && m.binding)
        throw FieldError(where + "." + std::string(m.stream->key()),
                         "cannot be combined with a stateful binding or operation");
}

// mockd's mock types: those it names in its format, whether or not a protocol serves them here.
constexpr std::array<std::string_view, 7> kMockTypes = {"http", "websocket", "graphql", "grpc",
                                                        "soap", "mqtt",      "oauth"};

bool knownType(std::string_view type) {
    return std::find(kMockTypes.begin(), kMockTypes.end(), type) != kMockTypes.end() ||
           findMockType(type) != nullptr;
}

// A mock without `type` is of the type whose block it holds.
std::string typeFromBlock(const Json& j) {
    for (auto t : kMockTypes)
        if (j.contains(std::string(t))) return std::string(t);
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.value().is_object() && findMockType(it.key())) return it.key();
    return {};
}

// The mock's type block, decoded by its type's codec. Blocks of other types, and types no
// protocol serves here, are refused by name.
void decodeTypedBlock(const Json& j, const std::string& where, const DecodeContext& ctx, Mock& m) {
    const std::string& type = m.type;
    if (type.empty())
        throw FieldError(where + ".type",
                         "is required (http, websocket, graphql, grpc, soap, mqtt or oauth)");
    if (!knownType(type))
        throw FieldError(where + ".type", "unknown mock type \"" + type +
                                              "\" (http, websocket, graphql, grpc, soap, "
                                              "mqtt or oauth)");
    const MockTypeCodec* codec = findMockType(type);
    if (!codec)
        throw FieldError(where + ".type", "mock type \"" + type +
                                              "\" is not supported yet (only http mocks are "
                                              "served so far)");
    static constexpr std::array<std::string_view, 12> kCommon = {
        "id",       "type",        "name",        "description", "enabled",     "parentId",
        "folderId", "metaSortKey", "workspaceId", "operationId", "syncVersion", "createdAt"};
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        if (key == type) continue;
        if (std::find(kCommon.begin(), kCommon.end(), key) != kCommon.end() || key == "updatedAt" ||
            key == "usage")
            continue;
        if (knownType(key)) {
            if (findMockType(key))
                throw FieldError(where + "." + key,
                                 "belongs to a mock of type " + key + ", not " + type);
            throw FieldError(where + "." + key,
                             "is not supported yet (only http mocks are served so far)");
        }
        if (ctx.onUnknownField) ctx.onUnknownField(where + "." + key);
    }
    auto block = j.find(type);
    if (block == j.end() || block->is_null())
        throw FieldError(where + "." + type, "is required for a mock of type " + type);
    codec->decode(*block, where + "." + type, ctx, m);
}

}  // namespace

Mock decodeMock(const Json& j, const std::string& where, const DecodeContext& ctx) {
    requireObject(j, where);
    Mock m;
    m.id = getString(j, "id", where);
    m.name = getString(j, "name", where);
    m.description = getString(j, "description", where);
    if (auto it = j.find("enabled"); it != j.end() && !it->is_null()) {
        if (!it->is_boolean())
            throw FieldError(where + ".enabled", "must be true or false, not " + typeName(*it));
        m.enabled = it->get<bool>();
    }
    std::string type = getString(j, "type", where);
    bool legacy =
        type.empty() && !j.contains("http") && (j.contains("matcher") || j.contains("response"));
    if (legacy) {
        warnUnknown(j, where,
                    {"id", "name", "description", "enabled", "priority", "matcher", "response",
                     "responses", "responsesMode", "times", "type"},
                    ctx);
        m.type = "http";
        m.priority = static_cast<int>(getInt(j, "priority", where, 0, INT32_MIN, INT32_MAX));
        if (!j.contains("matcher")) throw FieldError(where + ".matcher", "is required");
        m.matcher = decodeMatcher(j.at("matcher"), where + ".matcher", ctx);
        if (auto rs = j.find("response"); rs != j.end() && !rs->is_null())
            m.response = decodeResponse(*rs, where + ".response", ctx);
        decodeSequenceAndTimes(j, where, ctx, m);
    } else {
        m.type = type.empty() ? typeFromBlock(j) : type;
        decodeTypedBlock(j, where, ctx, m);
    }
    for (const char* k : {"parentId", "folderId", "metaSortKey", "workspaceId", "operationId",
                          "createdAt", "updatedAt"})
        if (auto it = j.find(k); it != j.end()) m.extra[k] = *it;
    if (m.id.empty()) m.id = generateMockId(m.type);
    return m;
}

StatefulBinding decodeBinding(const Json& j, const std::string& where) {
    requireObject(j, where);
    StatefulBinding b;
    b.table = getString(j, "table", where);
    b.action = getString(j, "action", where);
    if (b.table.empty() && b.action != "custom")
        throw FieldError(where + ".table", "is required (the table to bind to)");
    static constexpr std::array<std::string_view, 7> kActions = {
        "list", "get", "create", "update", "patch", "delete", "custom"};
    bool ok = false;
    for (auto a : kActions) ok = ok || a == b.action;
    if (!ok)
        throw FieldError(where + ".action",
                         "must be list, get, create, update, patch, delete or "
                         "custom, not \"" +
                             b.action + "\"");
    b.operation = getString(j, "operation", where);
    if (b.action == "custom" && b.operation.empty())
        throw FieldError(where + ".operation", "is required for action custom");
    if (auto r = j.find("response"); r != j.end() && !r->is_null()) {
        if (!r->is_object()) throw FieldError(where + ".response", "must be an object");
        b.response = *r;
    }
    return b;
}

void warnUnknown(const Json& obj, const std::string& where,
                 std::initializer_list<std::string_view> known, const DecodeContext& ctx) {
    if (!ctx.onUnknownField || !obj.is_object()) return;
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (!contains(known, it.key())) ctx.onUnknownField(where + "." + it.key());
}

Json encodeMock(const Mock& m) {
    Json j = Json::object();
    j["id"] = m.id;
    j["type"] = m.type;
    if (!m.name.empty()) j["name"] = m.name;
    if (!m.description.empty()) j["description"] = m.description;
    j["enabled"] = m.enabled;
    const MockTypeCodec* codec = findMockType(m.type);
    for (auto it = m.extra.begin(); it != m.extra.end(); ++it)
        if (!codec || it.key() != m.type) j[it.key()] = it.value();
    if (codec) j[m.type] = codec->encode(m);
    return j;
}

namespace {

class HttpMockCodec final : public MockTypeCodec {
  public:
    std::string_view type() const override { return "http"; }
    void decode(const Json& block, const std::string& where, const DecodeContext& ctx,
                Mock& m) const override {
        decodeHttp(block, where, ctx, m);
    }
    Json encode(const Mock& m) const override;
};

Json HttpMockCodec::encode(const Mock& m) const {
    Json matcher = Json::object();
    const auto& mt = m.matcher;
    if (!mt.method.empty()) matcher["method"] = mt.method;
    if (!mt.path.empty()) matcher["path"] = mt.path;
    if (!mt.pathPattern.empty()) matcher["pathPattern"] = mt.pathPattern;
    auto kv = [](const KeyValues& v) {
        Json o = Json::object();
        for (const auto& [k, val] : v) o[k] = val;
        return o;
    };
    if (!mt.headers.empty()) matcher["headers"] = kv(mt.headers);
    if (!mt.queryParams.empty()) matcher["queryParams"] = kv(mt.queryParams);
    if (mt.bodyEquals) matcher["bodyEquals"] = *mt.bodyEquals;
    if (mt.bodyContains) matcher["bodyContains"] = *mt.bodyContains;
    if (mt.bodyPattern) matcher["bodyPattern"] = *mt.bodyPattern;
    if (!mt.bodyJsonPath.empty()) {
        Json o = Json::object();
        for (const auto& [k, v] : mt.bodyJsonPath) o[k] = v;
        matcher["bodyJsonPath"] = o;
    }
    if (mt.mtls) {
        const MtlsMatcher& t = *mt.mtls;
        Json o = Json::object();
        if (t.requireAuth) o["requireAuth"] = true;
        for (const auto& [key, value] : {std::pair{"cn", &t.cn},
                                         {"cnPattern", &t.cnPattern},
                                         {"ou", &t.ou},
                                         {"o", &t.o},
                                         {"fingerprint", &t.fingerprint},
                                         {"issuer", &t.issuer}})
            if (!value->empty()) o[key] = *value;
        Json san = Json::object();
        if (!t.sanDns.empty()) san["dns"] = t.sanDns;
        if (!t.sanEmail.empty()) san["email"] = t.sanEmail;
        if (!t.sanIp.empty()) san["ip"] = t.sanIp;
        if (!san.empty()) o["san"] = san;
        matcher["mtls"] = o;
    }
    auto response = [&](const HttpResponse& r) {
        Json resp = Json::object();
        resp["statusCode"] = r.statusCode;
        if (!r.headers.empty()) resp["headers"] = kv(r.headers);
        if (!r.body.empty()) resp["body"] = r.body;
        if (!r.bodyFile.empty()) resp["bodyFile"] = r.bodyFile;
        if (r.delayMs) resp["delayMs"] = r.delayMs;
        if (r.seed) resp["seed"] = *r.seed;
        return resp;
    };
    Json http = Json::object();
    if (m.priority) http["priority"] = m.priority;
    if (m.validation) http["validation"] = m.validation->raw();
    http["matcher"] = matcher;
    if (m.stream) {
        http[std::string(m.stream->key())] = m.stream->encode();
    } else if (m.responses.empty()) {
        http["response"] = response(m.response);
    } else {
        Json list = Json::array();
        for (const auto& r : m.responses) list.push_back(response(r));
        http["responses"] = std::move(list);
        http["responsesMode"] = m.responsesMode == SequenceMode::Cycle ? "cycle" : "last";
    }
    if (m.times) http["times"] = *m.times;
    if (auto it = m.extra.find("http"); it != m.extra.end())
        for (auto e = it->begin(); e != it->end(); ++e) http[e.key()] = e.value();
    if (m.binding && m.binding->table.empty()) {
        http["statefulOperation"] = m.binding->operation;
    } else if (m.binding) {
        Json b = {{"table", m.binding->table}, {"action", m.binding->action}};
        if (!m.binding->operation.empty()) b["operation"] = m.binding->operation;
        if (!m.binding->response.is_null()) b["response"] = m.binding->response;
        http["statefulBinding"] = b;
    }
    return http;
}

struct MockTypeTable {
    std::mutex mutex;
    std::vector<std::shared_ptr<const MockTypeCodec>> codecs{httpMockType()};
};

MockTypeTable& mockTypeTable() {
    static MockTypeTable table;
    return table;
}

}  // namespace

std::shared_ptr<const MockTypeCodec> httpMockType() {
    static const auto codec = std::make_shared<HttpMockCodec>();
    return codec;
}

void addStreamAnswerCodec(std::shared_ptr<const StreamAnswerCodec> codec) {
    StreamCodecTable& t = streamCodecTable();
    std::lock_guard lock(t.mutex);
    std::erase_if(t.codecs, [&](const auto& c) { return c->key() == codec->key(); });
    t.codecs.push_back(std::move(codec));
}

void addMockType(std::shared_ptr<const MockTypeCodec> codec) {
    MockTypeTable& t = mockTypeTable();
    std::lock_guard lock(t.mutex);
    std::erase_if(t.codecs, [&](const auto& c) { return c->type() == codec->type(); });
    t.codecs.push_back(std::move(codec));
}

const MockTypeCodec* findMockType(std::string_view type) {
    MockTypeTable& t = mockTypeTable();
    std::lock_guard lock(t.mutex);
    for (const auto& c : t.codecs)
        if (c->type() == type) return c.get();
    return nullptr;
}

uint64_t nextMockSeq() {
    static std::atomic<uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

std::string generateMockId(const std::string& type) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
    return type + "_" + buf;
}

std::string normalizeFingerprint(std::string_view text) {
    if (text.starts_with("sha256:") || text.starts_with("SHA256:")) text.remove_prefix(7);
    std::string out;
    out.reserve(text.size());
    for (char c : text)
        if (c != ':') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace mockd::core
