// WireMock's /__admin routes.
#include "wiremock/admin_api.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/json_fields.h"
#include "http/response.h"
#include "log/log.h"
#include "wiremock/request_pattern.h"
#include "wiremock/scenarios.h"
#include "wiremock/stub_responder.h"

namespace mockd::wiremock {

namespace fs = std::filesystem;
using core::Request;

namespace {

constexpr size_t kNearMissCap = 2000;  // stubs compared for one unmatched request

std::vector<std::pair<std::string, std::string>> queryOf(const Request& req) {
    std::vector<std::pair<std::string, std::string>> q;
    core::parseQuery(req.rawQuery, q);
    return q;
}

std::optional<std::string> param(const std::vector<std::pair<std::string, std::string>>& q,
                                 std::string_view key) {
    for (const auto& [k, v] : q)
        if (k == key) return v;
    return std::nullopt;
}

// "2026-11-22T10:00:00Z", with optional fraction and offset; microseconds since the epoch.
std::optional<int64_t> parseIso(std::string_view s) {
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (s.size() < 10) return std::nullopt;
    std::string text(s);
    int n = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
        return std::nullopt;
    size_t i = 10;
    int64_t frac = 0;
    if (i < text.size() && (text[i] == 'T' || text[i] == 't' || text[i] == ' ')) {
        int m = 0;
        if (std::sscanf(text.c_str() + i + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
            return std::nullopt;
        i += 1 + 5;
        if (i < text.size() && text[i] == ':') {
            if (std::sscanf(text.c_str() + i + 1, "%2d%n", &sec, &m) != 1 || m != 2)
                return std::nullopt;
            i += 3;
        }
        if (i < text.size() && text[i] == '.') {
            ++i;
            int64_t scale = 100000;
            while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
                frac += (text[i] - '0') * scale;
                scale /= 10;
                ++i;
            }
        }
    }
    int64_t offset = 0;
    if (i < text.size()) {
        if (text[i] == 'Z' || text[i] == 'z') {
            ++i;
        } else if (text[i] == '+' || text[i] == '-') {
            int oh = 0, om = 0, m = 0;
            if (std::sscanf(text.c_str() + i + 1, "%2d:%2d%n", &oh, &om, &m) != 2)
                return std::nullopt;
            offset = (oh * 3600 + om * 60) * (text[i] == '-' ? -1 : 1);
            i += 1 + static_cast<size_t>(m);
        }
    }
    if (i != text.size()) return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset;
    return secs * 1000000 + frac;
}

std::string clientIp(std::string_view addr) {
    if (addr.starts_with("::ffff:")) addr.remove_prefix(7);
    return std::string(addr);
}

std::string entryUrl(const journal::Entry& e) {
    std::string url = e.rawPath.empty() ? e.path : e.rawPath;
    if (!e.query.empty()) url += "?" + e.query;
    return url;
}

// A logged request viewed as WireMock's matchers see a live one.
struct LoggedView {
    std::string url;
    WmRequest req;
    explicit LoggedView(const journal::Entry& e) : url(entryUrl(e)) {
        req.method = e.method;
        req.url = url;
        for (const auto& [k, v] : e.headers) req.headers.emplace_back(k, v);
        req.body = e.body;
        req.clientIp = e.remoteAddr;
        req.port = e.localPort;
    }
};

OJson multiMap(const std::vector<std::pair<std::string, std::string>>& pairs) {
    OJson out = OJson::object();
    for (const auto& [k, v] : pairs) {
        if (!out.contains(k)) out[k] = {{"key", k}, {"values", OJson::array()}};
        out[k]["values"].push_back(v);
    }
    return out;
}

}  // namespace

std::string_view jettyHeaderName(std::string_view name) {
    // Jetty 11's HttpHeader names, as WireMock 3.13.2 bundles them.
    static constexpr std::string_view kKnown[] = {
        "Connection",
        "Cache-Control",
        "Date",
        "Pragma",
        "Proxy-Connection",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Via",
        "Warning",
        "Negotiate",
        "Allow",
        "Content-Encoding",
        "Content-Language",
        "Content-Length",
        "Content-Location",
        "Content-MD5",
        "Content-Range",
        "Content-Type",
        "Expires",
        "Last-Modified",
        "Accept",
        "Accept-Charset",
        "Accept-Encoding",
        "Accept-Language",
        "Authorization",
        "Expect",
        "Forwarded",
        "From",
        "Host",
        "If-Match",
        "If-Modified-Since",
        "If-None-Match",
        "If-Range",
        "If-Unmodified-Since",
        "Keep-Alive",
        "Max-Forwards",
        "Proxy-Authorization",
        "Range",
        "Request-Range",
        "Referer",
        "TE",
        "User-Agent",
        "X-Forwarded-For",
        "X-Forwarded-Port",
        "X-Forwarded-Proto",
        "X-Forwarded-Server",
        "X-Forwarded-Host",
        "Accept-Ranges",
        "Age",
        "Alt-Svc",
        "ETag",
        "Link",
        "Location",
        "Proxy-Authenticate",
        "Retry-After",
        "Server",
        "Servlet-Engine",
        "Vary",
        "WWW-Authenticate",
        "Origin",
        "Sec-WebSocket-Key",
        "Sec-WebSocket-Version",
        "Sec-WebSocket-Extensions",
        "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Accept",
        "Cookie",
        "Set-Cookie",
        "Set-Cookie2",
        "MIME-Version",
        "identity",
        "X-Powered-By",
        "HTTP2-Settings",
        "Strict-Transport-Security",
    };
    for (std::string_view k : kKnown)
        if (core::iequals(k, name)) return k;
    return name;
}

namespace {

OJson loggedRequest(const journal::Entry& e) {
    LoggedView v(e);
    OJson r = OJson::object();
    std::string host = std::string(v.req.host());
    if (host.empty()) host = "localhost";
    r["url"] = v.url;
    r["absoluteUrl"] = "http://" + host + ":" + std::to_string(e.localPort) + v.url;
    r["method"] = e.method;
    r["clientIp"] = clientIp(e.remoteAddr);
    OJson headers = OJson::object();
    for (const auto& [name, val] : e.headers) {
        const std::string k(jettyHeaderName(name));
        auto it = headers.find(k);
        if (it == headers.end()) {
            headers[k] = val;
        } else {
            if (!it->is_array()) *it = OJson::array({*it});
            it->push_back(val);
        }
    }
    r["headers"] = std::move(headers);
    OJson cookies = OJson::object();
    for (const auto& [k, val] : v.req.cookies()) cookies[k] = val;
    r["cookies"] = std::move(cookies);
    r["browserProxyRequest"] = false;
    r["loggedDate"] = e.timestampUs / 1000;
    r["bodyAsBase64"] = core::base64Encode(e.body);
    r["body"] = e.body;
    r["protocol"] = "HTTP/1.1";
    r["scheme"] = "http";
    r["host"] = host;
    r["port"] = e.localPort;
    r["loggedDateString"] = core::isoUtc(e.timestampUs, 3);
    r["queryParams"] = multiMap(v.req.query());
    r["formParams"] = multiMap(v.req.form());
    return r;
}

// A LoggedRequest posted to /near-misses/request, read as WireMock reads one: the body comes
// from bodyAsBase64 only, query parameters from the url, scheme/host/port from absoluteUrl.
// `echo` is the request as WireMock prints it back: the fields given, plus its defaults.
journal::Entry postedRequest(const OJson& in, OJson& echo) {
    journal::Entry e;
    echo = OJson::object();
    if (!in.is_object()) return e;
    auto str = [&](const char* k) -> std::optional<std::string> {
        auto it = in.find(k);
        if (it == in.end() || !it->is_string()) return std::nullopt;
        return it->get<std::string>();
    };
    std::string url = str("url").value_or("/");
    if (auto u = str("url")) echo["url"] = *u;
    std::optional<std::string> absolute = str("absoluteUrl");
    if (absolute) echo["absoluteUrl"] = *absolute;
    e.method = str("method").value_or("GET");
    if (auto v = str("method")) echo["method"] = *v;
    if (auto v = str("clientIp")) {
        echo["clientIp"] = *v;
        e.remoteAddr = *v;
    }
    if (auto it = in.find("headers"); it != in.end() && it->is_object()) {
        echo["headers"] = *it;
        for (const auto& [k, v] : it->items()) {
            auto add = [&, &k = k](const OJson& one) {
                e.headers.emplace_back(k, one.is_string() ? one.get<std::string>() : one.dump());
            };
            if (v.is_array())
                for (const auto& one : v) add(one);
            else
                add(v);
        }
    }
    if (auto it = in.find("cookies"); it != in.end() && it->is_object()) echo["cookies"] = *it;
    echo["browserProxyRequest"] = false;
    std::optional<int64_t> logged;
    if (auto it = in.find("loggedDate"); it != in.end() && it->is_number_integer()) {
        logged = it->get<int64_t>();
        echo["loggedDate"] = *logged;
    }
    if (auto b64 = str("bodyAsBase64")) {
        e.body = core::base64Decode(*b64).value_or("");
        echo["bodyAsBase64"] = *b64;
        echo["body"] = e.body;
    }
    int port = -1;
    if (absolute) {
        auto scheme = absolute->find("://");
        std::string sch = scheme == std::string::npos ? "http" : absolute->substr(0, scheme);
        std::string rest = scheme == std::string::npos ? *absolute : absolute->substr(scheme + 3);
        std::string authority = rest.substr(0, rest.find_first_of("/?#"));
        std::string host = authority;
        port = sch == "https" ? 443 : 80;
        if (auto colon = authority.rfind(':');
            colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
            host = authority.substr(0, colon);
            port = std::atoi(authority.c_str() + colon + 1);
        }
        echo["scheme"] = sch;
        echo["host"] = host;
    }
    echo["port"] = port;
    if (port > 0) e.localPort = static_cast<unsigned short>(port);
    if (logged) echo["loggedDateString"] = core::isoUtc(*logged * 1000, 3);
    auto q = url.find('?');
    e.path = url.substr(0, q);
    if (q != std::string::npos) e.query = url.substr(q + 1);
    WmRequest view;
    view.url = url;
    echo["queryParams"] = multiMap(view.query());
    echo["formParams"] = OJson::object();
    e.timestampUs = logged ? *logged * 1000 : core::nowMicros();
    return e;
}

OJson unmatchedStubJson(const std::string& id) {
    return {{"id", id},
            {"request", {{"method", "ANY"}}},
            {"response", {{"status", 404}, {"fromConfiguredStub", false}}},
            {"uuid", id}};
}

}  // namespace

// Fills the response in WireMock's admin shapes.
struct WireMockApi::Reply {
    http::Response& res;

    void json(int status, const OJson& body) {
        raw(status, "application/json", body.dump(-1, ' ', false, OJson::error_handler_t::replace));
    }
    void empty(int status = 200) { raw(status, {}, {}); }
    void error(int status, int code, const std::string& title, const std::string& detail = {},
               const std::string& pointer = {}) {
        raw(status, "application/json", errorBody(code, title, detail, pointer));
    }
    void invalid(const PatternError& e) {
        error(422, 10, "Error parsing JSON", e.what(), e.pointer());
    }
    void raw(int status, std::string_view contentType, std::string_view body,
             std::string_view extra = {}) {
        res.status = status;
        res.headers = extra;
        if (!contentType.empty()) http::appendHeaderLine(res.headers, "Content-Type", contentType);
        res.setBody(std::string(body));
    }
};

WireMockApi::WireMockApi(match::Registry& registry, journal::Journal* journal, ApiOptions options)
    : registry_(registry),
      scenarios_(options.scenarios ? options.scenarios : std::make_shared<Scenarios>()),
      journal_(journal),
      options_(std::move(options)) {
    addRoutes();
    if (options_.rootDir.empty()) options_.rootDir = ".";
    while (options_.rootDir.size() > 1 && options_.rootDir.back() == '/')
        options_.rootDir.pop_back();
}

WireMockApi::~WireMockApi() {
    if (standaloneJournal_) standaloneJournal_->unsubscribe(standaloneToken_);
}

// ---- stubs in the registry ----

std::vector<core::MockPtr> WireMockApi::stubs() const {
    auto snap = registry_.snapshot();
    std::vector<const match::CompiledMock*> ordered;
    for (const auto& c : snap->all())
        if (stubOf(c->mock())) ordered.push_back(c.get());
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
        if (stubOf(a->mock())->priority != stubOf(b->mock())->priority)
            return stubOf(a->mock())->priority < stubOf(b->mock())->priority;
        return a->mock().seq > b->mock().seq;
    });
    std::vector<core::MockPtr> out;
    out.reserve(ordered.size());
    for (const auto* c : ordered) out.push_back(c->mockPtr());
    return out;
}

core::MockPtr WireMockApi::stub(const std::string& id) const {
    auto m = registry_.get(id);
    return m && stubOf(*m) ? m : nullptr;
}

std::vector<core::Mock> WireMockApi::readMappings(const std::string& dir,
                                                  const std::string& filesDir,
                                                  const std::shared_ptr<Scenarios>& scenarios) {
    std::vector<core::Mock> out;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return out;
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".json")
            files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        auto stubs = readMappingFile(f.string(), filesDir, scenarios);
        for (auto& m : stubs) out.push_back(std::move(m));
    }
    return out;
}

std::vector<core::Mock> WireMockApi::readMappingFile(const std::string& file,
                                                     const std::string& filesDir,
                                                     const std::shared_ptr<Scenarios>& scenarios) {
    std::vector<core::Mock> out;
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file + ": cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    OJson doc;
    try {
        doc = OJson::parse(ss.str(), nullptr, true, true);
    } catch (const OJson::parse_error& e) {
        throw std::runtime_error(file + ": not valid JSON: " + e.what());
    }
    try {
        auto list = stubsOf(doc);
        for (size_t i = 0; i < list.size(); ++i) {
            core::Mock m = decodeStub(list[i], filesDir, scenarios);
            warnMissingExtensions(m);
            auto wm = copyStub(m);
            wm->file = file;
            wm->sharedFile = doc.is_object() && doc.contains("mappings");
            m.format = std::move(wm);
            out.push_back(std::move(m));
        }
    } catch (const PatternError& e) {
        throw std::runtime_error(file + ": " + (e.pointer().empty() ? "" : e.pointer() + ": ") +
                                 e.what());
    }
    return out;
}

void WireMockApi::loadMappings(bool keepApiStubs) {
    auto loaded = readMappings(mappingsDir(), filesDir(), scenarios_);
    std::vector<match::CompiledMockPtr> compiled;
    compiled.reserve(loaded.size());
    for (auto& m : loaded) {
        m.seq = core::nextMockSeq();
        compiled.push_back(
            match::CompiledMock::compile(std::make_shared<core::Mock>(std::move(m))));
    }
    registry_.edit([&](std::vector<match::CompiledMockPtr>& all) {
        std::erase_if(all, [&](const auto& c) {
            const Stub* wm = stubOf(c->mock());
            return wm && !wm->fromLoadDir && (!keepApiStubs || !wm->file.empty());
        });
        all.insert(all.end(), compiled.begin(), compiled.end());
    });
}

void WireMockApi::addProxyAll() {
    if (options_.proxyAll.empty()) return;
    // A stub like any other: listed, editable, and gone after a reset, as in WireMock.
    OJson proxy = {{"request", {{"method", "ANY"}}},
                   {"response", {{"proxyBaseUrl", options_.proxyAll}}},
                   {"priority", 10}};
    core::Mock m = decodeStub(proxy, filesDir(), scenarios_);
    m.seq = core::nextMockSeq();
    addStub(std::move(m));
}

void WireMockApi::resetToFiles() {
    loadMappings();
    if (journal_) journal_->clear();
    scenarios_->resetAll();
}

namespace {
std::string sanitize(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        else if (!out.empty() && out.back() != '-')
            out += '-';
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    while (!out.empty() && out.front() == '-') out.erase(out.begin());
    return out;
}
}  // namespace

std::string WireMockApi::fileFor(const core::Mock& m) const {
    std::string base = m.name;
    if (base.empty()) {
        const Json& rq = stubOf(m)->json["request"];
        std::string method = core::valueOr<std::string>(rq, "method", "ANY");
        std::string url;
        for (const char* k : {"url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate"})
            if (rq.contains(k) && rq[k].is_string()) url = rq[k].get<std::string>();
        base = method + "-" + url;
    }
    std::string name = sanitize(base);
    return mappingsDir() + "/" + (name.empty() ? "" : name + "-") + m.id + ".json";
}

void WireMockApi::persist(const core::Mock& m) {
    std::lock_guard lock(filesMu_);
    const std::string& file = stubOf(m)->file;
    std::error_code ec;
    fs::create_directories(fs::path(file).parent_path(), ec);
    std::ofstream outFile(file, std::ios::binary | std::ios::trunc);
    outFile << encodeStub(m).dump(2) << "\n";
    if (!outFile) log::warn("could not write a mapping file", {{"file", file}});
}

void WireMockApi::unpersist(const core::Mock& m) {
    if (stubOf(m)->file.empty() || stubOf(m)->sharedFile) return;
    std::lock_guard lock(filesMu_);
    std::error_code ec;
    if (!stubOf(m)->file.empty()) fs::remove(stubOf(m)->file, ec);
}

void WireMockApi::tieToFile(core::Mock& m) const {
    auto old = stub(m.id);
    if (!stubOf(m)->persistent && (!old || stubOf(*old)->file.empty())) return;
    // A persistent stub has its own file (the one it came from, when it has one); an edit of a
    // stub read from disk stays tied to that file for reloads.
    auto wm = copyStub(m);
    if (old && !stubOf(*old)->file.empty()) {
        wm->file = stubOf(*old)->file;
        wm->sharedFile = stubOf(*old)->sharedFile;
    }
    if (wm->persistent && (wm->file.empty() || wm->sharedFile)) {
        wm->file = fileFor(m);
        wm->sharedFile = false;
    }
    m.format = std::move(wm);
}

core::MockPtr WireMockApi::addStub(core::Mock m) {
    tieToFile(m);
    auto added = registry_.upsert(std::move(m));
    if (stubOf(*added)->persistent) persist(*added);
    return added;
}

void WireMockApi::addStubs(std::vector<core::Mock> mocks) {
    for (auto& m : mocks) tieToFile(m);
    std::vector<std::string> persistent;
    for (const auto& m : mocks)
        if (stubOf(m)->persistent) persistent.push_back(m.id);
    // One change of the registry, however many stubs.
    registry_.upsertAll(std::move(mocks));
    for (const auto& id : persistent)
        if (auto added = registry_.get(id)) persist(*added);
}

// ---- the mock port's unmatched answer ----

namespace {
std::string_view mimeType(const fs::path& p) {
    std::string ext = p.extension().string();
    for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".json") return "application/json";
    if (ext == ".html" || ext == ".htm") return "text/html";
    if (ext == ".txt") return "text/plain";
    if (ext == ".xml") return "application/xml";
    if (ext == ".css") return "text/css";
    if (ext == ".js") return "application/javascript";
    if (ext == ".png") return "image/png";
    if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
    if (ext == ".gif") return "image/gif";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".pdf") return "application/pdf";
    return "application/octet-stream";
}

bool readWhole(const fs::path& p, std::string& out) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return false;
    std::stringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

// A path under `base` for the request path, or nullopt when it would leave it.
std::optional<fs::path> under(const std::string& base, std::string_view rel) {
    fs::path p(std::string(rel.empty() ? std::string_view{} : rel));
    for (const auto& part : p)
        if (part == "..") return std::nullopt;
    std::string r(rel);
    while (!r.empty() && r.front() == '/') r.erase(r.begin());
    return fs::path(base) / r;
}
}  // namespace

engine::ProxyFailure WireMockApi::proxyFailure() const { return wireMockProxyFailure(); }

void WireMockApi::unmatched(const Request& req, const core::MatchInput& in, http::Response& res,
                            std::string* report) const {
    if (req.method == "GET" || req.method == "HEAD") {
        if (auto p = under(filesDir(), req.path)) {
            std::error_code ec;
            fs::path file = *p;
            if (fs::is_directory(file, ec)) file /= "index.html";
            std::string body;
            if (fs::is_regular_file(file, ec) && readWhole(file, body)) {
                res.contentType = mimeType(file);
                res.setBody(std::move(body));
                return;
            }
        }
    }
    // The closest stub, comparing a bounded number of them so that a 404 stays cheap.
    const auto current = registry_.current();
    const match::Snapshot& snap = *current;
    const Stub* best = nullptr;
    const core::Mock* bestMock = nullptr;
    double bestDistance = 2;
    size_t seen = 0, total = 0;
    for (const match::CompiledMock* c : snap.ranked()) {
        const Stub* wm = stubOf(c->mock());
        if (!wm) continue;
        ++total;
        if (seen++ >= kNearMissCap) continue;
        double d = wm->pattern->match(wmView(in)).distance;
        if (d < bestDistance) {
            bestDistance = d;
            best = wm;
            bestMock = &c->mock();
        }
    }
    std::string body;
    if (!best) {
        body =
            "No response could be served as there are no stub mappings in this WireMock "
            "instance.";
    } else {
        body = renderDiffReport(best->pattern->diff(wmView(in)), bestMock->name);
    }
    res.status = 404;
    res.contentType = "text/plain";
    if (report) *report = body;
    res.setBody(std::move(body));
}

// ---- routing ----

namespace {
bool blankBody(const Request& req) {
    return req.body.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The body as JSON (comments allowed). WireMock refuses an empty body with a 422.
OJson bodyJson(const Request& req) {
    if (blankBody(req)) throw PatternError("/", "No content to map due to end-of-input");
    try {
        return OJson::parse(req.body, nullptr, true, true);
    } catch (const OJson::parse_error& e) {
        throw PatternError(kSyntaxErrorPointer,
                           std::string("Unexpected character or end of input: ") + e.what());
    }
}

bool under(std::string_view sub, std::string_view prefix, std::string_view& rest) {
    if (sub == prefix) {
        rest = {};
        return true;
    }
    if (sub.starts_with(prefix) && sub.size() > prefix.size() && sub[prefix.size()] == '/') {
        rest = sub.substr(prefix.size() + 1);
        return true;
    }
    return false;
}
}  // namespace

namespace {
struct Ranked {
    double distance;
    size_t index;
};

// The `n` smallest distances, ties in input order.
std::vector<Ranked> closest(std::vector<Ranked> all, size_t n) {
    std::stable_sort(all.begin(), all.end(),
                     [](const Ranked& a, const Ranked& b) { return a.distance < b.distance; });
    if (all.size() > n) all.resize(n);
    return all;
}

OJson matchResult(double d) {
    return {{"subEvents", OJson::array()}, {"diffDescriptions", OJson::array()}, {"distance", d}};
}
}  // namespace

struct WireMockApi::Call {
    const Request& req;
    Reply& r;
    std::string_view sub;  // the path after /__admin
    http::RouteParams params;
};

// As WireMock 3 routes /__admin: by method and path; anything else is an empty 404.
void WireMockApi::addRoutes() {
#define MOCKD_ROUTE(fn) [this](Call& c) { fn(c); }
    routes_.route("GET", "/health", MOCKD_ROUTE(health))
        .route("GET", "/version", MOCKD_ROUTE(version))
        .route("GET", "/mappings", MOCKD_ROUTE(listStubs))
        .route("POST", "/mappings", MOCKD_ROUTE(createStub))
        .route("DELETE", "/mappings", MOCKD_ROUTE(deleteStubs))
        .route("POST", "/mappings/save", MOCKD_ROUTE(saveStubs))
        .route("POST", "/mappings/reset", MOCKD_ROUTE(resetStubs))
        .route("POST", "/mappings/import", MOCKD_ROUTE(importStubs))
        .route("POST", "/mappings/find-by-metadata", MOCKD_ROUTE(findStubsByMetadata))
        .route("POST", "/mappings/remove-by-metadata", MOCKD_ROUTE(removeStubsByMetadata))
        .route("POST", "/mappings/remove", MOCKD_ROUTE(removeStubs))
        .route("POST", "/mappings/edit", MOCKD_ROUTE(editStub))
        .route("GET", "/mappings/unmatched", MOCKD_ROUTE(listUnmatchedStubs))
        .route("DELETE", "/mappings/unmatched", MOCKD_ROUTE(deleteUnmatchedStubs));
    for (const char* m : {"GET", "PUT", "DELETE"})
        routes_.route(m, "/mappings/{id}", MOCKD_ROUTE(stubById));
    routes_.route("GET", "/requests", MOCKD_ROUTE(listServeEvents))
        .route("DELETE", "/requests", MOCKD_ROUTE(clearServeEvents))
        // Gone from WireMock 3's API, still called by older clients: accepted.
        .route("POST", "/requests/reset", MOCKD_ROUTE(clearServeEvents))
        .route("POST", "/requests/count", MOCKD_ROUTE(countRequests))
        .route("POST", "/requests/find", MOCKD_ROUTE(findRequests))
        .route("POST", "/requests/remove", MOCKD_ROUTE(removeRequests))
        .route("POST", "/requests/remove-by-metadata", MOCKD_ROUTE(removeRequestsByMetadata))
        .route("GET", "/requests/unmatched", MOCKD_ROUTE(unmatchedRequests))
        .route("GET", "/requests/unmatched/near-misses", MOCKD_ROUTE(unmatchedNearMisses))
        .route("POST", "/near-misses/request", MOCKD_ROUTE(nearMissesForRequest))
        // wiremock-rest-client posts to the /requests/ forms (WireMock 3 answers them 404);
        // being lenient costs nothing.
        .route("POST", "/requests/near-misses/request", MOCKD_ROUTE(nearMissesForRequest))
        .route("POST", "/near-misses/request-pattern", MOCKD_ROUTE(nearMissesForPattern))
        .route("POST", "/requests/near-misses/request-pattern", MOCKD_ROUTE(nearMissesForPattern));
    for (const char* m : {"GET", "DELETE"})
        routes_.route(m, "/requests/{id}", MOCKD_ROUTE(serveEventById));
    routes_.route("*", "/scenarios/{*rest}", MOCKD_ROUTE(scenarios))
        .route("*", "/files/{*rest}", MOCKD_ROUTE(files))
        .route("*", "/settings/{*rest}", MOCKD_ROUTE(settings))
        .route("*", "/recordings/{*rest}", MOCKD_ROUTE(recordings))
        .route("POST", "/reset", MOCKD_ROUTE(resetAll))
        .route("POST", "/shutdown", MOCKD_ROUTE(shutdown));
#undef MOCKD_ROUTE
}

void WireMockApi::handle(const Request& req, http::Response& res) {
    Reply r{res};
    if (options_.policy) {
        if (auto denied = http::checkAccess(req, *options_.policy)) {
            r.error(denied->status, denied->status, denied->message);
            return;
        }
    }
    if (!options_.basicAuth.empty()) {
        std::string_view auth = req.header("Authorization");
        bool ok = false;
        if (auth.size() > 6 && core::iequals(auth.substr(0, 6), "Basic ")) {
            auto decoded = core::base64Decode(auth.substr(6));
            ok = decoded && http::constantTimeEquals(*decoded, options_.basicAuth);
        }
        if (!ok) {
            r.raw(401, {}, {}, "WWW-Authenticate: Basic realm=\"WireMock\"\r\n");
            return;
        }
    }
    Call c{req, r, req.path.substr(std::string_view("/__admin").size()), {}};
    try {
        // /__admin redirects to /__admin/, which lists the stubs.
        if (c.sub.empty() && req.method == "GET") {
            redirectToSlash(c);
        } else if (c.sub == "/" && req.method == "GET") {
            listStubs(c);
        } else if (auto found = routes_.find(req.method, http::pathSegments(c.sub), c);
                   found.handler && !c.sub.empty() && c.sub != "/") {
            (*found.handler)(c);
        } else {
            r.empty(404);
        }
    } catch (const PatternError& e) {
        r.invalid(e);
    } catch (const Json::exception& e) {
        r.error(422, 10, "Error parsing JSON", e.what());
    }
}

void WireMockApi::redirectToSlash(Call& c) {
    // Absolute, from the Host the client used, as Jetty writes it.
    std::string host(c.req.header("Host"));
    if (host.empty()) host = "localhost:" + std::to_string(c.req.localPort);
    std::string location;
    http::appendHeaderLine(location, "Location", "http://" + host + "/__admin/");
    c.r.raw(302, {}, {}, location);
}

void WireMockApi::health(Call& c) {
    auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                               started_)
                  .count();
    c.r.json(200, {{"status", "healthy"},
                   {"message", "Wiremock is ok"},
                   {"version", kVersion},
                   {"uptimeInSeconds", up},
                   {"timestamp", core::isoUtc(core::nowMicros(), 6)}});
}

void WireMockApi::version(Call& c) {
    if (c.req.header("Accept").find("text/plain") != std::string_view::npos)
        return c.r.raw(200, "text/plain", kVersion);
    c.r.json(200, {{"version", kVersion}});
}

void WireMockApi::resetAll(Call& c) {
    resetToFiles();
    c.r.empty();
}

void WireMockApi::shutdown(Call& c) {
    c.r.empty();
    c.r.res.delivery.close = true;
    if (shutdown_) shutdown_();
}

void WireMockApi::scenarios(Call& c) {
    std::string_view rest;
    under(c.sub, "/scenarios", rest);
    scenariosRoutes(c.req, rest, c.r);
}
void WireMockApi::files(Call& c) {
    std::string_view rest;
    under(c.sub, "/files", rest);
    filesRoutes(c.req, rest, c.r);
}
void WireMockApi::settings(Call& c) {
    std::string_view rest;
    under(c.sub, "/settings", rest);
    settingsRoutes(c.req, rest, c.r);
}
void WireMockApi::recordings(Call& c) {
    std::string_view rest;
    under(c.sub, "/recordings", rest);
    recordingsRoutes(c.req, rest, c.r);
}

// ---- /__admin/mappings ----

void WireMockApi::listStubPage(Call& c, std::vector<core::MockPtr> all) {
    auto q = queryOf(c.req);
    size_t total = all.size();
    long offset = 0, limit = -1;
    if (auto v = param(q, "offset")) offset = std::atol(v->c_str());
    if (auto v = param(q, "limit")) limit = std::atol(v->c_str());
    if (offset < 0) return c.r.error(422, 10, "offset must be 0 or greater");
    if (limit < -1 || (param(q, "limit") && limit < 0))
        return c.r.error(422, 10, "limit must be 0 or greater");
    OJson arr = OJson::array();
    for (size_t i = static_cast<size_t>(offset); i < all.size(); ++i) {
        if (limit >= 0 && arr.size() >= static_cast<size_t>(limit)) break;
        arr.push_back(encodeStub(*all[i]));
    }
    c.r.json(200, {{"mappings", std::move(arr)}, {"meta", {{"total", total}}}});
}

std::vector<core::MockPtr> WireMockApi::unmatchedStubs() const {
    std::vector<core::MockPtr> out;
    auto snap = registry_.snapshot();
    for (const auto& mp : stubs()) {
        bool hit = false;
        for (const auto& compiled : snap->all())
            if (compiled->mock().id == mp->id && compiled->stats().calls.load() > 0) hit = true;
        if (!hit) out.push_back(mp);
    }
    return out;
}

namespace {
std::string metadataOf(const core::Mock& s) {
    auto it = stubOf(s)->json.find("metadata");
    return it == stubOf(s)->json.end() || it->is_null() ? std::string("{}") : it->dump();
}
}  // namespace

void WireMockApi::listStubs(Call& c) { listStubPage(c, stubs()); }

void WireMockApi::createStub(Call& c) {
    core::Mock stub = decodeStub(bodyJson(c.req), filesDir(), scenarios_);
    warnMissingExtensions(stub);
    if (this->stub(stub.id))
        return c.r.error(422, 109, "Duplicate stub mapping ID",
                         "ID of the provided stub mapping '" + stub.id +
                             "' is already taken by another stub mapping");
    c.r.json(201, encodeStub(*addStub(std::move(stub))));
}

void WireMockApi::deleteStubs(Call& c) {
    for (const auto& s : stubs()) unpersist(*s);
    registry_.edit([](std::vector<match::CompiledMockPtr>& all) {
        std::erase_if(all, [](const auto& m) { return stubOf(m->mock()) != nullptr; });
    });
    scenarios_->resetAll();
    c.r.json(200, OJson::object());
}

void WireMockApi::saveStubs(Call& c) {
    std::vector<core::Mock> saved;
    for (const auto& s : stubs()) {
        core::Mock copy = *s;
        auto wm = copyStub(copy);
        wm->persistent = true;
        wm->json["persistent"] = true;
        copy.format = wm;
        saved.push_back(std::move(copy));
    }
    addStubs(std::move(saved));
    c.r.empty();
}

void WireMockApi::resetStubs(Call& c) {
    resetToFiles();
    c.r.empty();
}

void WireMockApi::importStubs(Call& c) {
    OJson body = bodyJson(c.req);
    auto list = stubsOf(body);
    std::string policy = "OVERWRITE";
    bool deleteOthers = false;
    if (body.is_object() && body.contains("importOptions")) {
        const Json& o = body["importOptions"];
        policy = core::valueOr<std::string>(o, "duplicatePolicy", "OVERWRITE");
        deleteOthers = core::valueOr(o, "deleteAllNotInImport", false);
    }
    std::vector<core::Mock> decoded;
    for (size_t i = 0; i < list.size(); ++i) {
        try {
            decoded.push_back(decodeStub(list[i], filesDir(), scenarios_));
            warnMissingExtensions(decoded.back());
        } catch (const PatternError& e) {
            throw PatternError("/mappings/" + std::to_string(i) + e.pointer(), e.what());
        }
    }
    if (deleteOthers) {
        std::unordered_set<std::string_view> keep;
        for (const auto& d : decoded) keep.insert(d.id);
        registry_.edit([&](std::vector<match::CompiledMockPtr>& all) {
            std::erase_if(all, [&](const auto& m) {
                return stubOf(m->mock()) && !keep.count(m->mock().id);
            });
        });
    }
    // Added last to first, as WireMock adds them: the first of the list is the newest.
    std::vector<core::Mock> added;
    std::unordered_set<std::string> ids;
    for (auto it = decoded.rbegin(); it != decoded.rend(); ++it) {
        if (policy == "IGNORE" && (stub(it->id) || ids.count(it->id))) continue;
        ids.insert(it->id);
        added.push_back(std::move(*it));
    }
    addStubs(std::move(added));
    c.r.empty();
}

void WireMockApi::findStubsByMetadata(Call& c) {
    auto matcher = compileValueMatcher(Json(bodyJson(c.req)), "");
    std::vector<core::MockPtr> found;
    for (const auto& s : stubs())
        if (matcher->match(metadataOf(*s)).matched) found.push_back(s);
    listStubPage(c, found);
}

void WireMockApi::removeStubsByMetadata(Call& c) {
    auto matcher = compileValueMatcher(Json(bodyJson(c.req)), "");
    for (const auto& s : stubs()) {
        if (!matcher->match(metadataOf(*s)).matched) continue;
        unpersist(*s);
        registry_.remove(s->id);
    }
    c.r.json(200, OJson::object());
}

void WireMockApi::removeStubs(Call& c) {
    OJson body = bodyJson(c.req);
    core::Mock probe = decodeStub(body, filesDir(), scenarios_);
    bool byId = body.contains("id") || body.contains("uuid");
    for (const auto& s : stubs()) {
        bool hit = byId ? s->id == probe.id
                        : stubOf(*s)->json["request"] == stubOf(probe)->json["request"];
        if (!hit) continue;
        unpersist(*s);
        registry_.remove(s->id);
    }
    c.r.empty();
}

void WireMockApi::editStub(Call& c) {
    core::Mock stub = decodeStub(bodyJson(c.req), filesDir(), scenarios_);
    warnMissingExtensions(stub);
    if (!this->stub(stub.id)) return c.r.empty(404);
    addStub(std::move(stub));
    c.r.empty(204);
}

void WireMockApi::listUnmatchedStubs(Call& c) { listStubPage(c, unmatchedStubs()); }

void WireMockApi::deleteUnmatchedStubs(Call& c) {
    for (const auto& s : unmatchedStubs()) {
        unpersist(*s);
        registry_.remove(s->id);
    }
    c.r.json(200, OJson::object());
}

void WireMockApi::stubById(Call& c) {
    std::string id(http::routeParam(c.params, "id"));
    if (!core::isUuid(id)) return c.r.error(400, 10, id + " is not a valid UUID");
    auto existing = stub(id);
    if (!existing) return c.r.empty(404);
    if (c.req.method == "GET") return c.r.json(200, encodeStub(*existing));
    if (c.req.method == "DELETE") {
        unpersist(*existing);
        registry_.remove(id);
        return c.r.json(200, OJson::object());
    }
    OJson body = bodyJson(c.req);
    if (body.is_object()) {
        body["id"] = id;
        body.erase("uuid");
    }
    core::Mock stub = decodeStub(body, filesDir(), scenarios_);
    c.r.json(200, encodeStub(*addStub(std::move(stub))));
}

// ---- /__admin/requests and near misses ----

bool WireMockApi::journalDisabled() const { return !journal_ || !options_.journalEnabled; }

// Newest first.
std::vector<journal::EntryPtr> WireMockApi::journalEntries() const {
    if (journalDisabled()) return {};
    size_t total = 0;
    return journal_->list({}, 0, SIZE_MAX, &total);
}

OJson WireMockApi::serveEvent(const journal::Entry& e) const {
    OJson ev = OJson::object();
    ev["id"] = e.uuid();
    ev["request"] = loggedRequest(e);
    core::MockPtr s = e.mockId.empty() ? nullptr : stub(e.mockId);
    OJson stubJson = s ? encodeStub(*s) : unmatchedStubJson(e.uuid());
    ev["responseDefinition"] = stubJson["response"];
    OJson resp = {{"status", e.status}};
    if (e.proxied) {
        // What the upstream answered, as WireMock journals a proxied response.
        OJson headers = OJson::object();
        for (const auto& [k, v] : e.proxied->headers) headers[k] = v;
        if (s)
            for (const auto& [k, v] : s->response.headers) headers[k] = v;
        resp["headers"] = std::move(headers);
        resp["bodyAsBase64"] = core::base64Encode(e.proxied->body);
        resp["body"] = e.proxied->body;
    } else if (e.mockId.empty()) {
        resp["bodyAsBase64"] = "";
        resp["body"] = "";
    } else if (s) {
        OJson headers = OJson::object();
        for (const auto& [k, v] : s->response.headers) headers[k] = v;
        headers["Matched-Stub-Id"] = s->id;
        if (!s->name.empty()) headers["Matched-Stub-Name"] = s->name;
        resp["headers"] = std::move(headers);
        resp["bodyAsBase64"] = core::base64Encode(s->response.body);
        resp["body"] = s->response.body;
    }
    ev["response"] = std::move(resp);
    ev["wasMatched"] = !e.mockId.empty();
    const double total = std::round(e.durationMs);
    ev["timing"] = {{"addedDelay", 0},
                    {"processTime", static_cast<int64_t>(total)},
                    {"responseSendTime", 0},
                    {"serveTime", static_cast<int64_t>(total)},
                    {"totalTime", static_cast<int64_t>(total)}};
    OJson subs = OJson::array();
    if (e.mockId.empty() && !e.report.empty())
        subs.push_back(
            {{"type", "REQUEST_NOT_MATCHED"},
             {"timeOffsetNanos", 0},
             {"data", {{"status", 404}, {"contentType", "text/plain"}, {"report", e.report}}}});
    if (e.subEvents)
        for (const auto& sub : e.subEvents->all()) subs.push_back(OJson::parse(sub));
    ev["subEvents"] = std::move(subs);
    ev["stubMapping"] = std::move(stubJson);
    return ev;
}

void WireMockApi::stubNearMisses(const journal::Entry& e, OJson& out, const OJson* echo) const {
    LoggedView v(e);
    auto all = stubs();
    std::vector<Ranked> ranked;
    for (size_t i = 0; i < all.size() && i < kNearMissCap; ++i)
        ranked.push_back({stubOf(*all[i])->pattern->match(v.req).distance, i});
    for (const auto& rk : closest(std::move(ranked), 3))
        out.push_back({{"request", echo ? *echo : loggedRequest(e)},
                       {"stubMapping", encodeStub(*all[rk.index])},
                       {"matchResult", matchResult(rk.distance)}});
}

void WireMockApi::listServeEvents(Call& c) {
    auto q = queryOf(c.req);
    std::optional<int64_t> since;
    if (auto v = param(q, "since")) {
        since = parseIso(*v);
        if (!since) return c.r.error(400, 10, *v + " is not a valid ISO8601 date", {}, "since");
    }
    long limit = -1;
    if (auto v = param(q, "limit")) {
        limit = std::atol(v->c_str());
        if (limit < 0) return c.r.error(422, 10, "limit must be 0 or greater");
    }
    std::string matching;
    if (auto v = param(q, "matchingStub")) {
        if (!core::isUuid(*v))
            return c.r.error(400, 15,
                             "Query parameter matchingStub value '" + *v + "' is not a valid UUID");
        matching = *v;
    }
    bool unmatchedOnly = param(q, "unmatched").value_or("") == "true";
    // meta.total counts the events the unmatched / matchingStub filters keep, before `since`
    // and `limit` page them.
    size_t total = 0;
    OJson arr = OJson::array();
    for (const auto& e : journalEntries()) {
        if (unmatchedOnly && !e->mockId.empty()) continue;
        if (!matching.empty() && e->mockId != matching) continue;
        ++total;
        if (since && e->timestampUs / 1000 <= *since / 1000) continue;
        if (limit >= 0 && arr.size() >= static_cast<size_t>(limit)) continue;
        arr.push_back(serveEvent(*e));
    }
    c.r.json(200, {{"requests", std::move(arr)},
                   {"meta", {{"total", total}}},
                   {"requestJournalDisabled", journalDisabled()}});
}

void WireMockApi::clearServeEvents(Call& c) {
    if (journal_) journal_->clear();
    c.r.json(200, OJson::object());
}

void WireMockApi::countRequests(Call& c) {
    auto p = RequestPattern::compile(Json(bodyJson(c.req)), "");
    if (journalDisabled()) return c.r.json(200, {{"count", -1}, {"requestJournalDisabled", true}});
    int64_t n = 0;
    for (const auto& e : journalEntries())
        if (p->match(LoggedView(*e).req).matched) ++n;
    c.r.json(200, {{"count", n}, {"requestJournalDisabled", false}});
}

void WireMockApi::findRequests(Call& c) {
    auto p = RequestPattern::compile(Json(bodyJson(c.req)), "");
    auto all = journalEntries();
    std::reverse(all.begin(), all.end());  // find lists the journal oldest first
    OJson arr = OJson::array();
    for (const auto& e : all)
        if (p->match(LoggedView(*e).req).matched) arr.push_back(loggedRequest(*e));
    c.r.json(200, {{"requests", std::move(arr)}, {"requestJournalDisabled", journalDisabled()}});
}

void WireMockApi::removeRequests(Call& c) {
    auto p = RequestPattern::compile(Json(bodyJson(c.req)), "");
    OJson arr = OJson::array();
    if (journal_) {
        auto removed = journal_->removeIf(
            [&](const journal::Entry& e) { return p->match(LoggedView(e).req).matched; });
        for (const auto& e : removed) arr.push_back(serveEvent(*e));
    }
    c.r.json(200, {{"serveEvents", std::move(arr)}});
}

void WireMockApi::removeRequestsByMetadata(Call& c) {
    auto matcher = compileValueMatcher(Json(bodyJson(c.req)), "");
    std::vector<std::string> ids;
    for (const auto& s : stubs()) {
        auto it = stubOf(*s)->json.find("metadata");
        std::string meta = it == stubOf(*s)->json.end() ? "{}" : it->dump();
        if (matcher->match(meta).matched) ids.push_back(s->id);
    }
    OJson arr = OJson::array();
    if (journal_) {
        auto removed = journal_->removeIf([&](const journal::Entry& e) {
            return std::find(ids.begin(), ids.end(), e.mockId) != ids.end();
        });
        for (const auto& e : removed) arr.push_back(serveEvent(*e));
    }
    c.r.json(200, {{"serveEvents", std::move(arr)}});
}

void WireMockApi::unmatchedRequests(Call& c) {
    OJson arr = OJson::array();
    for (const auto& e : journalEntries())
        if (e->mockId.empty()) arr.push_back(loggedRequest(*e));
    c.r.json(200, {{"requests", std::move(arr)}, {"requestJournalDisabled", journalDisabled()}});
}

void WireMockApi::unmatchedNearMisses(Call& c) {
    OJson arr = OJson::array();
    for (const auto& e : journalEntries())
        if (e->mockId.empty()) stubNearMisses(*e, arr, nullptr);
    c.r.json(200, {{"nearMisses", std::move(arr)}});
}

void WireMockApi::nearMissesForRequest(Call& c) {
    OJson echo;
    journal::Entry e = postedRequest(bodyJson(c.req), echo);
    OJson arr = OJson::array();
    stubNearMisses(e, arr, &echo);
    c.r.json(200, {{"nearMisses", std::move(arr)}});
}

void WireMockApi::nearMissesForPattern(Call& c) {
    Json body = bodyJson(c.req);
    auto p = RequestPattern::compile(Json(body), "");
    auto all = journalEntries();
    std::vector<Ranked> ranked;
    for (size_t i = 0; i < all.size(); ++i)
        ranked.push_back({p->match(LoggedView(*all[i]).req).distance, i});
    OJson arr = OJson::array();
    OJson patternJson = OJson::parse(body.dump());
    for (const auto& rk : closest(std::move(ranked), 3))
        arr.push_back({{"request", loggedRequest(*all[rk.index])},
                       {"requestPattern", patternJson},
                       {"matchResult", matchResult(rk.distance)}});
    c.r.json(200, {{"nearMisses", std::move(arr)}});
}

void WireMockApi::serveEventById(Call& c) {
    std::string id(http::routeParam(c.params, "id"));
    if (!core::isUuid(id)) return c.r.error(400, 10, id + " is not a valid UUID");
    if (c.req.method == "DELETE") {
        if (journal_) journal_->removeIf([&](const journal::Entry& e) { return e.uuid() == id; });
        return c.r.json(200, OJson::object());
    }
    auto e = journal_ ? journal_->findUuid(id) : nullptr;
    if (!e) return c.r.empty(404);
    c.r.json(200, serveEvent(*e));
}

void WireMockApi::scenariosRoutes(const Request& req, std::string_view rest, Reply& r) {
    const std::string_view m = req.method;
    struct Info {
        std::string name;
        std::vector<std::string> states;
        std::vector<core::MockPtr> mappings;
    };
    auto collect = [&]() {
        std::vector<Info> out;
        auto all = stubs();
        // Oldest first, so states are listed in the order the stubs were added.
        std::stable_sort(all.begin(), all.end(),
                         [](const auto& a, const auto& b) { return a->seq < b->seq; });
        for (const auto& s : all) {
            const auto& wm = *stubOf(*s);
            if (wm.scenario.empty()) continue;
            auto it = std::find_if(out.begin(), out.end(),
                                   [&](const Info& i) { return i.name == wm.scenario; });
            if (it == out.end()) {
                out.push_back({wm.scenario, {std::string(kStarted)}, {}});
                it = out.end() - 1;
            }
            for (const std::string* st : {&wm.requiredState, &wm.newState})
                if (!st->empty() &&
                    std::find(it->states.begin(), it->states.end(), *st) == it->states.end())
                    it->states.push_back(*st);
            it->mappings.push_back(s);
        }
        return out;
    };
    if (rest.empty() && m == "GET") {
        OJson arr = OJson::array();
        for (const auto& i : collect()) {
            OJson maps = OJson::array();
            for (const auto& s : i.mappings) maps.push_back(encodeStub(*s));
            arr.push_back({{"id", i.name},
                           {"name", i.name},
                           {"state", scenarios_->state(i.name)},
                           {"possibleStates", i.states},
                           {"mappings", std::move(maps)}});
        }
        return r.json(200, {{"scenarios", std::move(arr)}});
    }
    if (rest == "reset" && m == "POST") {
        scenarios_->resetAll();
        return r.json(200, OJson::object());
    }
    if (rest.ends_with("/state") && m == "PUT") {
        std::string name(rest.substr(0, rest.size() - 6));
        auto all = collect();
        auto it =
            std::find_if(all.begin(), all.end(), [&](const Info& i) { return i.name == name; });
        if (it == all.end()) return r.error(404, 404, "Scenario " + name + " does not exist");
        // No body resets the scenario; a body must name the state.
        std::string state(kStarted);
        if (!blankBody(req)) {
            Json body = bodyJson(req);
            auto st = body.is_object() ? body.find("state") : body.end();
            if (st == body.end() || !st->is_string())
                return r.error(422, 11, "Scenario " + name + " does not support state null");
            state = *st;
        }
        if (std::find(it->states.begin(), it->states.end(), state) == it->states.end())
            return r.error(422, 11, "Scenario " + name + " does not support state " + state);
        scenarios_->set(name, state);
        return r.json(200, OJson::object());
    }
    r.empty(404);
}

void WireMockApi::filesRoutes(const Request& req, std::string_view rest, Reply& r) {
    const std::string_view m = req.method;
    const std::string base = filesDir();
    if (rest.empty()) {
        if (m != "GET") return r.empty(404);
        OJson arr = OJson::array();
        std::error_code ec;
        std::vector<std::string> names;
        if (fs::is_directory(base, ec))
            for (auto it = fs::recursive_directory_iterator(base, ec);
                 !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
                if (it->is_regular_file(ec))
                    names.push_back(fs::relative(it->path(), base, ec).generic_string());
        std::sort(names.begin(), names.end());
        for (auto& n : names) arr.push_back(n);
        return r.json(200, arr);
    }
    auto path = under(base, rest);
    if (!path) return r.empty(404);
    std::error_code ec;
    if (m == "GET") {
        std::string body;
        if (!fs::is_regular_file(*path, ec) || !readWhole(*path, body)) return r.empty(404);
        return r.raw(200, {}, body);
    }
    if (m == "PUT") {
        fs::create_directories(path->parent_path(), ec);
        std::ofstream out(*path, std::ios::binary | std::ios::trunc);
        out.write(req.body.data(), static_cast<std::streamsize>(req.body.size()));
        if (!out) return r.error(500, 500, "could not write " + std::string(rest));
        return r.json(200, core::base64Encode(req.body));
    }
    if (m == "DELETE") {
        fs::remove(*path, ec);
        return r.empty();
    }
    r.empty(404);
}

namespace {
// Throws the error WireMock gives for `s` read as GlobalSettings at `base`.
void checkGlobalSettings(const Json& s, const std::string& base) {
    if (!s.is_object()) throw PatternError(base, "settings must be an object");
    for (const auto& [k, v] : s.items()) {
        const std::string at = base + "/" + k;
        if (k == "fixedDelay") {
            if (!v.is_null() && !v.is_number_integer())
                throw PatternError(at, "Cannot deserialize value of type `java.lang.Integer`");
        } else if (k == "delayDistribution") {
            if (!v.is_null()) decodeDelayDistribution(v, at);
        } else if (k == "extended") {
            if (!v.is_null() && !v.is_object())
                throw PatternError(at, "Cannot deserialize value: expected an object");
        } else if (k == "proxyPassThrough") {
            if (!v.is_null() && !v.is_boolean())
                throw PatternError(at, "Cannot deserialize value of type `boolean`");
        } else {
            throw PatternError(at, "Unrecognized field \"" + k +
                                       "\" (class com.github.tomakehurst.wiremock.global."
                                       "GlobalSettings), not marked as ignorable");
        }
    }
}

// The settings a POST/PUT /settings body holds: bare GlobalSettings, or else the
// {"settings": ...} wrapper; errors as WireMock reports the second reading.
Json settingsBody(const Json& body) {
    try {
        checkGlobalSettings(body, "");
        return body;
    } catch (const PatternError&) {
        if (!body.is_object()) throw;
    }
    for (const auto& [k, v] : body.items())
        if (k != "settings")
            throw PatternError("/" + k, "Unrecognized field \"" + k +
                                            "\" (class com.github.tomakehurst.wiremock.admin."
                                            "model.GetGlobalSettingsResult), not marked as "
                                            "ignorable");
    const Json& s = body["settings"];
    checkGlobalSettings(s, "/settings");
    return s;
}
}  // namespace

void WireMockApi::settingsRoutes(const Request& req, std::string_view rest, Reply& r) {
    const std::string_view m = req.method;
    if (rest.empty()) {
        if (m == "GET") {
            std::lock_guard lock(settingsMu_);
            OJson s = OJson::parse(settings_.dump());
            if (!s.contains("proxyPassThrough")) s["proxyPassThrough"] = true;
            return r.json(200, {{"settings", std::move(s)}});
        }
        if (m == "POST" || m == "PUT") {
            Json body = settingsBody(bodyJson(req));
            uint32_t delay = 0;
            if (body.contains("fixedDelay") && body["fixedDelay"].is_number_integer())
                delay =
                    static_cast<uint32_t>(std::max<int64_t>(0, body["fixedDelay"].get<int64_t>()));
            std::shared_ptr<const core::DelayDistribution> distribution;
            if (auto d = body.find("delayDistribution"); d != body.end() && !d->is_null())
                distribution = std::make_shared<const core::DelayDistribution>(
                    decodeDelayDistribution(*d, "/delayDistribution"));
            {
                std::lock_guard lock(settingsMu_);
                Json extended = settings_.contains("extended") ? settings_["extended"] : Json();
                settings_ = body;
                if (!settings_.contains("proxyPassThrough")) settings_["proxyPassThrough"] = false;
            }
            globalDelayMs_.store(delay, std::memory_order_relaxed);
            hasGlobalDistribution_.store(distribution != nullptr, std::memory_order_release);
            globalDistribution_.store(std::move(distribution), std::memory_order_release);
            return r.empty();
        }
    } else if (rest == "extended" && m == "PATCH") {
        Json body = bodyJson(req);
        if (!body.is_object()) throw PatternError("", "extended settings must be an object");
        for (const auto& [k, v] : body.items())
            if (k != "extended")
                throw PatternError("/" + k, "Unrecognized field \"" + k +
                                                "\" (class com.github.tomakehurst.wiremock.admin."
                                                "model.ExtendedSettingsWrapper), not marked as "
                                                "ignorable");
        auto patch = body.find("extended");
        if (patch != body.end() && !patch->is_null() && !patch->is_object())
            throw PatternError("/extended", "Cannot deserialize value: expected an object");
        std::lock_guard lock(settingsMu_);
        // One level deep: each key given replaces the old value, null removes it. WireMock
        // rebuilds the settings on a patch, which brings proxyPassThrough back to its default.
        Json& extended = settings_["extended"];
        if (!extended.is_object()) extended = Json::object();
        if (patch != body.end() && patch->is_object())
            for (const auto& [k, v] : patch->items()) {
                if (v.is_null())
                    extended.erase(k);
                else
                    extended[k] = v;
            }
        settings_.erase("proxyPassThrough");
        return r.json(200, OJson::object());
    }
    r.empty(404);
}

// ---- recording ----

namespace {
// A journal entry as the recorder reads a serve event: the request and what was answered (the
// upstream's answer when it was proxied, else the stub's).
Exchange exchangeOf(const journal::Entry& e, const core::Mock* stub) {
    Exchange x;
    x.id = e.uuid();
    x.method = e.method;
    x.url = entryUrl(e);
    x.path = e.path;
    x.query = e.query;
    x.requestHeaders = e.headers;
    x.requestBody = e.body;
    x.proxied = e.proxied != nullptr;
    if (e.proxied && e.proxied->status != 0) {
        x.status = e.proxied->status;
        x.responseHeaders = e.proxied->headers;
        x.responseBody = e.proxied->body;
        if (stub)  // a proxy stub's own headers join the upstream's
            for (const auto& kv : stub->response.headers) x.responseHeaders.push_back(kv);
    } else {
        x.status = e.status;
        if (stub && !e.proxied) {
            x.responseHeaders = stub->response.headers;
            x.responseBody = stub->response.body;
        }
    }
    return x;
}

void writeFile(const fs::path& file, std::string_view bytes) {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) log::warn("could not write a recorded file", {{"file", file.string()}});
}
}  // namespace

OJson WireMockApi::takeSnapshot(const std::vector<journal::EntryPtr>& events,
                                const RecordSpec& spec) {
    std::shared_ptr<const RequestPattern> filter;
    if (spec.filterPattern) filter = RequestPattern::compile(Json(*spec.filterPattern), "/filters");
    std::vector<Exchange> exchanges;
    for (const auto& e : events) {
        if (!e->proxied && !spec.allowNonProxied) continue;
        if (filter && !filter->match(LoggedView(*e).req).matched) continue;
        if (spec.ids && std::find(spec.ids->begin(), spec.ids->end(), e->uuid()) == spec.ids->end())
            continue;
        core::MockPtr s = e->mockId.empty() ? nullptr : stub(e->mockId);
        exchanges.push_back(exchangeOf(*e, s.get()));
    }
    auto generated = generateStubs(exchanges, spec);
    OJson list = OJson::array();
    for (auto& g : generated) {
        if (!g.bodyFile.empty()) writeFile(fs::path(filesDir()) / g.bodyFile, g.bodyBytes);
        core::Mock m = decodeStub(g.json, filesDir(), scenarios_);
        m.seq = core::nextMockSeq();
        addStub(std::move(m));
        list.push_back(spec.idsOutput ? OJson(g.json["id"]) : std::move(g.json));
    }
    return spec.idsOutput ? OJson{{"ids", std::move(list)}} : OJson{{"mappings", std::move(list)}};
}

void WireMockApi::recordingsRoutes(const Request& req, std::string_view rest, Reply& r) {
    const std::string_view m = req.method;
    auto all = [&]() {
        std::vector<journal::EntryPtr> out;
        if (!journal_ || !options_.journalEnabled) return out;
        size_t total = 0;
        return journal_->list({}, 0, SIZE_MAX, &total);
    };
    if (rest == "status" && m == "GET") {
        std::lock_guard lock(recordMu_);
        const char* s = recording_ == RecordingStatus::Recording ? "Recording"
                        : recording_ == RecordingStatus::Stopped ? "Stopped"
                                                                 : "NeverStarted";
        return r.json(200, {{"status", s}});
    }
    if (rest == "start" && m == "POST") {
        RecordSpec spec = parseRecordSpec(bodyJson(req));
        std::lock_guard lock(recordMu_);
        // Starting again while recording changes nothing, as in WireMock.
        if (recording_ == RecordingStatus::Recording) return r.json(200, OJson::object());
        std::string proxyId;
        if (!spec.targetBaseUrl.empty()) {
            OJson proxy = {{"request", {{"method", "ANY"}}},
                           {"response", {{"proxyBaseUrl", spec.targetBaseUrl}}}};
            core::Mock stub = decodeStub(proxy, filesDir(), scenarios_);
            stub.seq = core::nextMockSeq();
            proxyId = addStub(std::move(stub))->id;
        }
        uint64_t after = 0;
        if (journal_) {
            size_t total = 0;
            auto newest = journal_->list({}, 0, 1, &total);
            if (!newest.empty()) after = newest.front()->seq;
        }
        recording_ = RecordingStatus::Recording;
        recordingAfterSeq_ = after;
        recordingProxyId_ = std::move(proxyId);
        recordingSpec_ = std::move(spec);
        return r.json(200, OJson::object());
    }
    if (rest == "stop" && m == "POST") {
        std::lock_guard lock(recordMu_);
        if (recording_ != RecordingStatus::Recording)
            return r.error(400, 30, "Not currently recording.");
        recording_ = RecordingStatus::Stopped;
        if (!recordingProxyId_.empty()) registry_.remove(recordingProxyId_);
        recordingProxyId_.clear();
        std::vector<journal::EntryPtr> events;
        for (auto& e : all())
            if (e->seq > recordingAfterSeq_) events.push_back(std::move(e));
        return r.json(200, takeSnapshot(events, recordingSpec_));
    }
    if (rest == "snapshot" && m == "POST") {
        RecordSpec spec = blankBody(req) ? RecordSpec{} : parseRecordSpec(bodyJson(req));
        return r.json(200, takeSnapshot(all(), spec));
    }
    r.empty(404);
}

void WireMockApi::recordMappings(journal::Journal& journal) {
    standaloneJournal_ = &journal;
    standaloneToken_ = journal.subscribe([this](const journal::EntryPtr& e) { recordExchange(e); });
}

void WireMockApi::recordExchange(const journal::EntryPtr& e) {
    if (!e->proxied || e->proxied->status == 0) return;
    Exchange x = exchangeOf(*e, nullptr);
    OJson pattern = standaloneRequestPattern(x);
    auto compiled = RequestPattern::compile(Json::parse(pattern.dump()), "");
    // One mapping per distinct request: WireMock records a request only when the journal held
    // no equal one before it. Serialised so that two equal requests at once make one file.
    std::lock_guard lock(standaloneMu_);
    size_t total = 0;
    for (const auto& other : standaloneJournal_->list({}, 0, SIZE_MAX, &total))
        if (other->seq < e->seq && compiled->match(LoggedView(*other).req).matched) return;
    StandaloneRecording rec = standaloneRecording(x, pattern, veryShortId());
    writeFile(fs::path(filesDir()) / rec.bodyFile, rec.body);
    writeFile(fs::path(mappingsDir()) / rec.mappingFile, rec.mapping.dump(2) + "\n");
}

}  // namespace mockd::wiremock
