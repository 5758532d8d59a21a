// Chaos configuration, fault selection and delivery, stateful faults and profiles, with
// mockd's defaults, JSON shapes and response bodies.
#include "chaos/chaos.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>

#include "core/clock.h"
#include "core/delivery.h"
#include "core/duration.h"
#include "http/local_reply.h"
#include "http/response.h"
#include "template/rng.h"

namespace mockd::chaos {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::array<std::string_view, kFaultTypes> kNames = {"latency",
                                                              "error",
                                                              "timeout",
                                                              "corrupt_body",
                                                              "empty_response",
                                                              "slow_body",
                                                              "connection_reset",
                                                              "partial_response",
                                                              "retry_after",
                                                              "circuit_breaker",
                                                              "progressive_degradation",
                                                              "chunked_dribble"};

// Random draws come from a generator per worker thread: no shared state, no lock.
tmpl::Rng& rng() {
    thread_local tmpl::Rng r = tmpl::Rng::unseeded();
    return r;
}

bool fires(double p) { return p >= 1.0 || (p > 0 && rng().unit() < p); }

double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

// ---- reading JSON leniently where mockd is lenient, strictly where it would misbehave

std::optional<double> number(const Json& obj, const char* key, const std::string& field) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::nullopt;
    if (!it->is_number()) throw ConfigError(field + key + ": must be a number, not " + it->dump());
    return it->get<double>();
}

double probability(const Json& obj, const std::string& field) {
    return clamp01(number(obj, "probability", field).value_or(0));
}

// mockd reads fault parameters with "number or default": a string or object is ignored.
double numOr(const Json& cfg, const char* key, double dflt) {
    auto it = cfg.find(key);
    return it != cfg.end() && it->is_number() ? it->get<double>() : dflt;
}

std::string strOr(const Json& cfg, const char* key, std::string dflt) {
    auto it = cfg.find(key);
    return it != cfg.end() && it->is_string() ? it->get<std::string>() : dflt;
}

// A duration parameter: a string must parse (mockd would silently use the default or, for
// latency, answer nothing at all); anything else keeps the default, as mockd does.
double durationOr(const Json& cfg, const char* key, double dfltMs, const std::string& field) {
    auto it = cfg.find(key);
    if (it == cfg.end() || !it->is_string()) return dfltMs;
    auto ms = parseGoDuration(it->get<std::string>());
    if (!ms)
        throw ConfigError(field + key + ": not a duration: \"" + it->get<std::string>() +
                          "\" (use Go durations like \"250ms\", \"1.5s\", \"1m\")");
    return *ms;
}

uint32_t toMs(double ms) {
    if (!(ms > 0)) return 0;
    return ms > 4e9 ? 4'000'000'000u : static_cast<uint32_t>(std::llround(ms));
}

std::vector<int> intList(const Json& cfg, const char* key) {
    std::vector<int> out;
    auto it = cfg.find(key);
    if (it == cfg.end() || !it->is_array()) return out;
    for (const auto& v : *it)
        if (v.is_number()) out.push_back(static_cast<int>(v.get<double>()));
    return out;
}

std::string fmtKey(size_t rule, size_t fault) {
    return std::to_string(rule) + ":" + std::to_string(fault);
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
    return core::isoUtc(
        std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count(), 0);
}

// Go's http.Error, as mockd's chaos answers.
void goError(http::Response& res, int status) { http::local_reply::goError(res, status); }

void jsonAnswer(http::Response& res, int status, std::string extra, std::string body) {
    res.status = status;
    res.headers = std::move(extra);
    res.contentType = "application/json";
    res.setBody(std::move(body));
}

LatencyRange readLatency(const Json& j, const std::string& field) {
    if (!j.is_object()) throw ConfigError(field + ": must be an object");
    LatencyRange l;
    l.min = strOr(j, "min", "0ms");
    l.max = strOr(j, "max", l.min);
    auto mn = parseGoDuration(l.min), mx = parseGoDuration(l.max);
    if (!mn) throw ConfigError(field + ".min: not a duration: \"" + l.min + "\"");
    if (!mx) throw ConfigError(field + ".max: not a duration: \"" + l.max + "\"");
    if (*mn > *mx) std::swap(mn, mx);
    l.minMs = toMs(*mn);
    l.maxMs = toMs(*mx);
    l.probability = probability(j, field + ".");
    return l;
}

ErrorRate readErrorRate(const Json& j, const std::string& field) {
    if (!j.is_object()) throw ConfigError(field + ": must be an object");
    ErrorRate e;
    e.probability = probability(j, field + ".");
    if (auto it = j.find("statusCodes"); it != j.end() && !it->is_null()) {
        if (!it->is_array()) throw ConfigError(field + ".statusCodes: must be an array");
        for (const auto& c : *it) {
            if (!c.is_number_integer() || c.get<int>() < 100 || c.get<int>() > 599)
                throw ConfigError(field + ".statusCodes: " + c.dump() +
                                  " is not an HTTP status code");
            e.statusCodes.push_back(c.get<int>());
        }
    }
    if (auto c = number(j, "defaultCode", field + ".")) {
        if (*c != 0 && (*c < 100 || *c > 599))
            throw ConfigError(field + ".defaultCode: " + std::to_string(static_cast<int>(*c)) +
                              " is not an HTTP status code");
        e.defaultCode = static_cast<int>(*c);
    }
    return e;
}

Bandwidth readBandwidth(const Json& j, const std::string& field) {
    if (!j.is_object()) throw ConfigError(field + ": must be an object");
    Bandwidth b;
    b.probability = probability(j, field + ".");
    b.bytesPerSecond = static_cast<int64_t>(number(j, "bytesPerSecond", field + ".").value_or(0));
    if (b.bytesPerSecond <= 0)
        throw ConfigError(field + ".bytesPerSecond: must be > 0, got " +
                          std::to_string(b.bytesPerSecond));
    return b;
}

Fault readFault(const Json& j, const std::string& field) {
    if (!j.is_object()) throw ConfigError(field + ": must be an object");
    auto t = j.find("type");
    if (t == j.end() || !t->is_string())
        throw ConfigError(field + ".type: missing (one of latency, error, timeout, ...)");
    auto type = faultTypeNamed(t->get<std::string>());
    if (!type) {
        std::string all;
        for (auto n : kNames) all += (all.empty() ? "" : ", ") + std::string(n);
        throw ConfigError(field + ".type: unknown fault type \"" + t->get<std::string>() +
                          "\" (one of " + all + ")");
    }
    Fault f;
    f.type = *type;
    f.probability = probability(j, field + ".");
    // Flat parameters first, then the explicit "config" object on top (it wins).
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "type" && it.key() != "probability" && it.key() != "config")
            f.config[it.key()] = it.value();
    if (auto c = j.find("config"); c != j.end() && !c->is_null()) {
        if (!c->is_object()) throw ConfigError(field + ".config: must be an object");
        for (auto it = c->begin(); it != c->end(); ++it) f.config[it.key()] = it.value();
    }
    const Json& cfg = f.config;
    const std::string cf = field + ".";
    switch (f.type) {
        case FaultType::Latency: {
            double mn = durationOr(cfg, "min", 0, cf), mx = durationOr(cfg, "max", 100, cf);
            if (mn > mx) std::swap(mn, mx);
            f.minMs = toMs(mn);
            f.maxMs = toMs(mx);
            break;
        }
        case FaultType::Error:
            f.code = static_cast<int>(numOr(cfg, "defaultCode", 500));
            f.statusCodes = intList(cfg, "statusCodes");
            break;
        case FaultType::Timeout:
            f.durationMs = toMs(durationOr(cfg, "duration", 30'000, cf));
            break;
        case FaultType::CorruptBody:
            f.corruptRate = clamp01(numOr(cfg, "corruptRate", 0.01));
            break;
        case FaultType::SlowBody:
            f.bytesPerSecond = static_cast<int64_t>(numOr(cfg, "bytesPerSecond", 1024));
            if (f.bytesPerSecond <= 0)
                throw ConfigError(cf + "bytesPerSecond: must be > 0, got " +
                                  std::to_string(f.bytesPerSecond));
            break;
        case FaultType::PartialResponse:
            if (cfg.contains("maxBytes") && cfg["maxBytes"].is_number())
                f.maxBytes = std::max<int64_t>(0, cfg["maxBytes"].get<int64_t>());
            if (cfg.contains("minPercent") && cfg["minPercent"].is_number())
                f.minPercent = clamp01(cfg["minPercent"].get<double>());
            if (cfg.contains("maxPercent") && cfg["maxPercent"].is_number())
                f.maxPercent = clamp01(cfg["maxPercent"].get<double>());
            if (f.minPercent && f.maxPercent && *f.minPercent > *f.maxPercent)
                throw ConfigError(cf + "minPercent must be <= maxPercent");
            break;
        case FaultType::ChunkedDribble:
            f.chunkSize = std::max<int64_t>(1, static_cast<int64_t>(numOr(cfg, "chunkSize", 1024)));
            f.chunkDelayMs = toMs(durationOr(cfg, "chunkDelay", 500, cf));
            f.initialDelayMs = toMs(durationOr(cfg, "initialDelay", 0, cf));
            break;
        case FaultType::CircuitBreaker:
            durationOr(cfg, "openDuration", 30'000, cf);
            break;
        case FaultType::RetryAfter:
            durationOr(cfg, "retryAfter", 30'000, cf);
            break;
        case FaultType::ProgressiveDegradation:
            durationOr(cfg, "initialDelay", 20, cf);
            durationOr(cfg, "delayIncrement", 5, cf);
            durationOr(cfg, "maxDelay", 5000, cf);
            break;
        case FaultType::EmptyResponse:
        case FaultType::ConnectionReset:
            break;
    }
    return f;
}

Rule readRule(const Json& j, const std::string& field) {
    if (!j.is_object()) throw ConfigError(field + ": must be an object");
    Rule r;
    if (auto p = j.find("pathPattern"); p != j.end() && !p->is_null()) {
        if (!p->is_string()) throw ConfigError(field + ".pathPattern: must be a string");
        r.pathPattern = p->get<std::string>();
    }
    std::string err;
    r.regex = match::Regex::compile(r.pathPattern, &err);
    if (!r.regex)
        throw ConfigError(field + ".pathPattern: invalid regex \"" + r.pathPattern + "\": " + err);
    if (auto m = j.find("methods"); m != j.end() && !m->is_null()) {
        if (!m->is_array()) throw ConfigError(field + ".methods: must be an array of strings");
        for (const auto& v : *m) {
            if (!v.is_string()) throw ConfigError(field + ".methods: must be an array of strings");
            r.methods.push_back(v.get<std::string>());
        }
    }
    if (auto p = number(j, "probability", field + ".")) r.probability = clamp01(*p);
    if (auto fs = j.find("faults"); fs != j.end() && !fs->is_null()) {
        if (!fs->is_array()) throw ConfigError(field + ".faults: must be an array");
        for (size_t i = 0; i < fs->size(); ++i)
            r.faults.push_back(readFault((*fs)[i], field + ".faults[" + std::to_string(i) + "]"));
    }
    return r;
}

Json faultJson(const Fault& f) {
    Json j = {{"type", faultTypeName(f.type)}, {"probability", f.probability}};
    if (!f.config.empty()) j["config"] = f.config;
    return j;
}

}  // namespace

std::string_view faultTypeName(FaultType t) { return kNames[static_cast<size_t>(t)]; }

std::optional<FaultType> faultTypeNamed(std::string_view name) {
    for (size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == name) return static_cast<FaultType>(i);
    return std::nullopt;
}

std::optional<double> parseGoDuration(std::string_view s) { return core::parseGoDurationMs(s); }

Config parseConfig(const Json& j) {
    if (!j.is_object()) throw ConfigError("the chaos configuration must be a JSON object");
    Config c;
    if (auto e = j.find("enabled"); e != j.end() && !e->is_null()) {
        if (!e->is_boolean()) throw ConfigError("enabled: must be true or false");
        c.enabled = e->get<bool>();
    }
    // Like mockd, a disabled configuration is not validated: it only turns chaos off.
    if (!c.enabled) return c;
    const Json* global = &j;
    std::string prefix;
    if (auto g = j.find("global"); g != j.end() && g->is_object()) {
        global = &*g;
        prefix = "global.";
    }
    for (const Json* src : {global, &j}) {
        if (auto l = src->find("latency"); l != src->end() && !l->is_null() && !c.latency)
            c.latency = readLatency(*l, (src == &j ? "" : prefix) + "latency");
        if (auto e = src->find("errorRate"); e != src->end() && !e->is_null() && !c.errorRate)
            c.errorRate = readErrorRate(*e, (src == &j ? "" : prefix) + "errorRate");
        if (auto b = src->find("bandwidth"); b != src->end() && !b->is_null() && !c.bandwidth)
            c.bandwidth = readBandwidth(*b, (src == &j ? "" : prefix) + "bandwidth");
    }
    if (auto r = j.find("rules"); r != j.end() && !r->is_null()) {
        if (!r->is_array()) throw ConfigError("rules: must be an array");
        for (size_t i = 0; i < r->size(); ++i)
            c.rules.push_back(readRule((*r)[i], "rules[" + std::to_string(i) + "]"));
    }
    return c;
}

Json toJson(const Config& c) {
    Json j = {{"enabled", c.enabled}};
    if (!c.enabled) return j;
    if (c.latency)
        j["latency"] = {{"min", c.latency->min},
                        {"max", c.latency->max},
                        {"probability", c.latency->probability}};
    if (c.errorRate) {
        Json e = {{"probability", c.errorRate->probability}};
        if (!c.errorRate->statusCodes.empty()) e["statusCodes"] = c.errorRate->statusCodes;
        if (c.errorRate->defaultCode) e["defaultCode"] = c.errorRate->defaultCode;
        j["errorRate"] = e;
    }
    if (c.bandwidth)
        j["bandwidth"] = {{"bytesPerSecond", c.bandwidth->bytesPerSecond},
                          {"probability", c.bandwidth->probability}};
    if (!c.rules.empty()) {
        Json rules = Json::array();
        for (const auto& r : c.rules) {
            Json rj = {{"pathPattern", r.pathPattern}};
            if (!r.methods.empty()) rj["methods"] = r.methods;
            Json faults = Json::array();
            for (const auto& f : r.faults) faults.push_back(faultJson(f));
            if (!faults.empty()) rj["faults"] = faults;
            if (r.probability && *r.probability != 0) rj["probability"] = *r.probability;
            rules.push_back(rj);
        }
        j["rules"] = rules;
    }
    return j;
}

// ------------------------------------------------------------------ stateful faults

// closed -> open (after failureThreshold synthetic failures, or tripAfter requests) -> half_open
// (after openDuration) -> closed (after successThreshold successes) or back to open.
class CircuitBreaker final {
  public:
    explicit CircuitBreaker(const Json& cfg) {
        openMs_ = durationOr(cfg, "openDuration", 30'000, "");
        if (openMs_ <= 0) openMs_ = 30'000;
        openStatus_ = static_cast<int>(numOr(cfg, "openStatusCode", 503));
        if (openStatus_ < 400 || openStatus_ > 599) openStatus_ = 503;
        failureThreshold_ = static_cast<int>(numOr(cfg, "failureThreshold", 5));
        if (failureThreshold_ < 1) failureThreshold_ = 5;
        successThreshold_ = static_cast<int>(numOr(cfg, "successThreshold", 3));
        if (successThreshold_ < 1) successThreshold_ = 3;
        closedErrorRate_ = numOr(cfg, "closedErrorRate", 0);
        halfOpenErrorRate_ = numOr(cfg, "halfOpenErrorRate", 0.5);
        tripAfter_ = static_cast<int64_t>(numOr(cfg, "tripAfter", 0));
        openBody_ = strOr(cfg, "openBody", "");
    }

    // True when the breaker answered (rejected) the request.
    bool handle(http::Response& res) {
        std::lock_guard lock(mu_);
        ++totalRequests_;
        maybeHalfOpen();
        switch (state_) {
            case State::Closed:
                if (tripAfter_ > 0 && totalRequests_ >= tripAfter_) {
                    tripLocked();
                    writeOpen(res);
                    return true;
                }
                if (closedErrorRate_ > 0 && rng().unit() < closedErrorRate_) {
                    if (++consecutiveFailures_ >= failureThreshold_) {
                        tripLocked();
                        writeOpen(res);
                        return true;
                    }
                    ++totalRejected_;
                    goError(res, 500);
                    return true;
                }
                consecutiveFailures_ = 0;
                ++totalPassed_;
                return false;
            case State::Open:
                ++totalRejected_;
                writeOpen(res);
                return true;
            case State::HalfOpen:
                ++totalHalfOpen_;
                if (rng().unit() < halfOpenErrorRate_) {
                    tripLocked();
                    writeOpen(res);
                    return true;
                }
                if (++consecutiveSuccesses_ >= successThreshold_) closeLocked();
                ++totalPassed_;
                return false;
        }
        return false;
    }
    void trip() {
        std::lock_guard lock(mu_);
        tripLocked();
    }
    void reset() {
        std::lock_guard lock(mu_);
        closeLocked();
    }
    Json stats() {
        std::lock_guard lock(mu_);
        maybeHalfOpen();
        Json j = {{"state", stateName()},
                  {"consecutiveFailures", consecutiveFailures_},
                  {"consecutiveSuccesses", consecutiveSuccesses_},
                  {"totalRequests", totalRequests_},
                  {"totalTrips", totalTrips_},
                  {"totalRejected", totalRejected_},
                  {"totalPassed", totalPassed_},
                  {"totalHalfOpen", totalHalfOpen_},
                  {"stateChanges", stateChanges_}};
        if (openedWall_) j["openedAt"] = rfc3339(*openedWall_);
        return j;
    }

  private:
    enum class State { Closed, Open, HalfOpen };
    const char* stateName() const {
        return state_ == State::Closed ? "closed" : state_ == State::Open ? "open" : "half_open";
    }
    void maybeHalfOpen() {
        if (state_ == State::Open &&
            SteadyClock::now() - openedAt_ >= std::chrono::duration<double, std::milli>(openMs_)) {
            state_ = State::HalfOpen;
            consecutiveSuccesses_ = 0;
            ++stateChanges_;
        }
    }
    void tripLocked() {
        state_ = State::Open;
        openedAt_ = SteadyClock::now();
        openedWall_ = std::chrono::system_clock::now();
        consecutiveFailures_ = consecutiveSuccesses_ = 0;
        ++totalTrips_;
        ++stateChanges_;
    }
    void closeLocked() {
        state_ = State::Closed;
        consecutiveFailures_ = consecutiveSuccesses_ = 0;
        totalRequests_ = 0;  // tripAfter counts again from here
        ++stateChanges_;
    }
    void writeOpen(http::Response& res) const {
        int secs = std::max(1, static_cast<int>(openMs_ / 1000));
        std::string extra;
        http::appendHeaderLine(extra, "Retry-After", std::to_string(secs));
        http::appendHeaderLine(extra, "X-Circuit-State", stateName());
        std::string body =
            openBody_.empty() ? std::string(
                                    "{\"error\":\"circuit breaker "
                                    "open\",\"state\":\"") +
                                    stateName() + "\",\"retry_after\":" + std::to_string(secs) + "}"
                              : openBody_;
        jsonAnswer(res, openStatus_, std::move(extra), std::move(body));
    }

    std::mutex mu_;
    double openMs_;
    int openStatus_, failureThreshold_, successThreshold_;
    double closedErrorRate_, halfOpenErrorRate_;
    int64_t tripAfter_;
    std::string openBody_;
    State state_ = State::Closed;
    int consecutiveFailures_ = 0, consecutiveSuccesses_ = 0;
    int64_t totalRequests_ = 0, totalTrips_ = 0, totalRejected_ = 0, totalPassed_ = 0,
            totalHalfOpen_ = 0, stateChanges_ = 0;
    SteadyClock::time_point openedAt_{};
    std::optional<std::chrono::system_clock::time_point> openedWall_;
};

// Limits the first request and every one within retryAfter of it, then lets one through and
// starts over.
class RetryAfterTracker final {
  public:
    explicit RetryAfterTracker(const Json& cfg) {
        status_ = static_cast<int>(numOr(cfg, "statusCode", 429));
        if (status_ != 429 && status_ != 503) status_ = 429;
        retryMs_ = durationOr(cfg, "retryAfter", 30'000, "");
        if (retryMs_ <= 0) retryMs_ = 30'000;
        body_ = strOr(cfg, "body", "");
    }
    bool handle(http::Response& res) {
        std::lock_guard lock(mu_);
        const auto now = SteadyClock::now();
        if (limited_) {
            if (now - limitedAt_ > std::chrono::duration<double, std::milli>(retryMs_)) {
                limited_ = false;
                ++totalPassed_;
                return false;
            }
        } else {
            limited_ = true;
            limitedAt_ = now;
            limitedWall_ = std::chrono::system_clock::now();
            ++totalLimited_;
        }
        double remaining =
            retryMs_ - std::chrono::duration<double, std::milli>(now - limitedAt_).count();
        int secs = std::max(1, static_cast<int>(std::max(0.0, remaining) / 1000));
        std::string extra;
        http::appendHeaderLine(extra, "Retry-After", std::to_string(secs));
        std::string body = body_.empty()
                               ? "{\"error\":\"" + std::string(http::reasonPhrase(status_)) +
                                     "\",\"retry_after\":" + std::to_string(secs) + "}"
                               : body_;
        jsonAnswer(res, status_, std::move(extra), std::move(body));
        return true;
    }
    Json stats() {
        std::lock_guard lock(mu_);
        Json j = {{"isLimited", limited_},
                  {"statusCode", status_},
                  {"retryAfterMs", static_cast<int64_t>(retryMs_)},
                  {"totalLimited", totalLimited_},
                  {"totalPassed", totalPassed_}};
        if (limited_) j["limitedAt"] = rfc3339(limitedWall_);
        return j;
    }

  private:
    std::mutex mu_;
    int status_;
    double retryMs_;
    std::string body_;
    bool limited_ = false;
    SteadyClock::time_point limitedAt_{};
    std::chrono::system_clock::time_point limitedWall_{};
    int64_t totalLimited_ = 0, totalPassed_ = 0;
};

// Each request waits initialDelay + (n-1) * delayIncrement (capped at maxDelay); past errorAfter
// requests it also fails; after resetAfter the count starts again (a restarted service).
class ProgressiveDegradation final {
  public:
    explicit ProgressiveDegradation(const Json& cfg) {
        initialMs_ = std::max(0.0, durationOr(cfg, "initialDelay", 20, ""));
        incrementMs_ = std::max(0.0, durationOr(cfg, "delayIncrement", 5, ""));
        maxMs_ = durationOr(cfg, "maxDelay", 5000, "");
        if (maxMs_ <= 0) maxMs_ = 5000;
        errorCode_ = static_cast<int>(numOr(cfg, "errorCode", 500));
        if (errorCode_ < 400 || errorCode_ > 599) errorCode_ = 500;
        resetAfter_ = static_cast<int64_t>(numOr(cfg, "resetAfter", 0));
        errorAfter_ = static_cast<int64_t>(numOr(cfg, "errorAfter", 0));
    }
    // The delay for this request; true in `answered` when it also gets the error.
    uint32_t handle(http::Response& res, bool& answered) {
        int64_t count;
        bool error;
        {
            std::lock_guard lock(mu_);
            count = ++requests_;
            if (resetAfter_ > 0 && count > resetAfter_) {
                requests_ = count = 1;
                ++totalResets_;
            }
            error = errorAfter_ > 0 && count > errorAfter_;
            if (error) ++totalErrors_;
        }
        uint32_t delay = toMs(delayFor(count - 1));
        answered = error;
        if (error)
            jsonAnswer(res, errorCode_, {},
                       "{\"error\":\"" + std::string(http::reasonPhrase(errorCode_)) +
                           "\",\"degradation\":{\"request_count\":" + std::to_string(count) +
                           ",\"delay_ms\":" + std::to_string(delay) + "}}");
        return delay;
    }
    Json stats() {
        std::lock_guard lock(mu_);
        return {{"requestCount", requests_},
                {"currentDelayMs", static_cast<int64_t>(delayFor(requests_))},
                {"maxDelayMs", static_cast<int64_t>(maxMs_)},
                {"errorAfter", errorAfter_},
                {"resetAfter", resetAfter_},
                {"totalErrors", totalErrors_},
                {"totalResets", totalResets_},
                {"isErroring", errorAfter_ > 0 && requests_ > errorAfter_}};
    }

  private:
    double delayFor(int64_t steps) const {
        return std::min(maxMs_, initialMs_ + static_cast<double>(steps) * incrementMs_);
    }
    std::mutex mu_;
    double initialMs_, incrementMs_, maxMs_;
    int errorCode_;
    int64_t resetAfter_, errorAfter_;
    int64_t requests_ = 0, totalErrors_ = 0, totalResets_ = 0;
};

struct Injector::Stateful {
    std::unique_ptr<CircuitBreaker> breaker;
    std::unique_ptr<RetryAfterTracker> retry;
    std::unique_ptr<ProgressiveDegradation> degradation;
};

Injector::Injector(Config cfg) : cfg_(std::move(cfg)) {
    state_.resize(cfg_.rules.size());
    for (size_t r = 0; r < cfg_.rules.size(); ++r) {
        for (const auto& f : cfg_.rules[r].faults) {
            auto s = std::make_unique<Stateful>();
            if (f.type == FaultType::CircuitBreaker)
                s->breaker = std::make_unique<CircuitBreaker>(f.config);
            else if (f.type == FaultType::RetryAfter)
                s->retry = std::make_unique<RetryAfterTracker>(f.config);
            else if (f.type == FaultType::ProgressiveDegradation)
                s->degradation = std::make_unique<ProgressiveDegradation>(f.config);
            state_[r].push_back(std::move(s));
        }
    }
}

Injector::~Injector() = default;

void Injector::serve(const core::Request& req, http::Response& res,
                     const std::function<void()>& next) {
    total_.fetch_add(1, std::memory_order_relaxed);
    auto count = [&](FaultType t) {
        injected_.fetch_add(1, std::memory_order_relaxed);
        byType_[static_cast<size_t>(t)].fetch_add(1, std::memory_order_relaxed);
        if (t == FaultType::Latency) latency_.fetch_add(1, std::memory_order_relaxed);
        if (t == FaultType::Error) errors_.fetch_add(1, std::memory_order_relaxed);
        if (t == FaultType::Timeout) timeouts_.fetch_add(1, std::memory_order_relaxed);
    };

    // What the drawn faults do to the response the mock gives (if it gets to give one).
    uint32_t delay = 0;
    const Fault* corrupt = nullptr;
    const Fault* partial = nullptr;
    const Fault* dribble = nullptr;
    int64_t slowBps = 0;
    // True when the fault answered the request (after `delay`).
    auto answeredAfter = [&](uint32_t ms) {
        res.delivery.delayMs = ms;
        return true;
    };
    auto pick = [&](const Fault& f, Stateful* st) -> bool {
        count(f.type);
        switch (f.type) {
            case FaultType::Latency:
                delay += static_cast<uint32_t>(rng().between(f.minMs, f.maxMs));
                return false;
            case FaultType::Error: {
                int code = f.statusCodes.empty()
                               ? (f.code ? f.code : 500)
                               : f.statusCodes[rng().between(
                                     0, static_cast<int64_t>(f.statusCodes.size()) - 1)];
                goError(res, code);
                return answeredAfter(delay);
            }
            case FaultType::Timeout:
                // mockd holds the request for the duration, then gives up with 504.
                goError(res, 504);
                return answeredAfter(delay + f.durationMs);
            case FaultType::EmptyResponse:
                // A 200 with no body: the response as it is.
                return answeredAfter(delay);
            case FaultType::ConnectionReset:
                res.delivery.fault = http::Delivery::Fault::Reset;
                return answeredAfter(delay);
            case FaultType::SlowBody:
                slowBps = f.bytesPerSecond;
                return false;
            case FaultType::CorruptBody:
                corrupt = &f;
                return false;
            case FaultType::PartialResponse:
                partial = &f;
                return false;
            case FaultType::ChunkedDribble:
                dribble = &f;
                return false;
            case FaultType::CircuitBreaker:
                return st && st->breaker && st->breaker->handle(res) && answeredAfter(delay);
            case FaultType::RetryAfter:
                return st && st->retry && st->retry->handle(res) && answeredAfter(delay);
            case FaultType::ProgressiveDegradation: {
                if (!st || !st->degradation) return false;
                bool answered = false;
                delay += st->degradation->handle(res, answered);
                return answered && answeredAfter(delay);
            }
        }
        return false;
    };

    bool ruleMatched = false;
    bool any = false;
    for (size_t r = 0; r < cfg_.rules.size(); ++r) {
        const Rule& rule = cfg_.rules[r];
        if (!rule.regex->partialMatch(req.path)) continue;
        if (!rule.methods.empty() &&
            std::find(rule.methods.begin(), rule.methods.end(), req.method) == rule.methods.end())
            continue;
        // A matching rule takes the request over from the global settings, even when its own
        // probability then skips it (mockd's precedence).
        ruleMatched = true;
        if (rule.probability && !fires(*rule.probability)) continue;
        for (size_t i = 0; i < rule.faults.size(); ++i) {
            const Fault& f = rule.faults[i];
            Stateful* st = state_[r][i].get();
            // The state machines decide for themselves; their probability is not drawn.
            const bool stateful = st->breaker || st->retry || st->degradation;
            if (!stateful && !fires(f.probability)) continue;
            any = true;
            if (pick(f, st)) return;
        }
    }
    if (!ruleMatched) {
        if (cfg_.latency && fires(cfg_.latency->probability)) {
            Fault f;
            f.minMs = cfg_.latency->minMs;
            f.maxMs = cfg_.latency->maxMs;
            any = true;
            pick(f, nullptr);
        }
        if (cfg_.errorRate && fires(cfg_.errorRate->probability)) {
            Fault f;
            f.type = FaultType::Error;
            f.statusCodes = cfg_.errorRate->statusCodes;
            f.code = cfg_.errorRate->defaultCode;
            pick(f, nullptr);
            return;
        }
        if (cfg_.bandwidth && fires(cfg_.bandwidth->probability)) {
            any = true;
            count(FaultType::SlowBody);
            slowBps = cfg_.bandwidth->bytesPerSecond;
        }
    }
    if (!any) return next();

    next();
    const BodyFaults faults{corrupt, partial, dribble, slowBps};
    if (!res.later) {
        res.delivery.delayMs += delay;
        return shapeBody(faults, res);
    }
    // A proxied answer gets the delay and the body faults once it arrives; the injector stays
    // alive with it (the faults point into its config).
    res.shape([self = shared_from_this(), faults, delay](http::Response& answer) {
        answer.delivery.delayMs += delay;
        self->shapeBody(faults, answer);
    });
}

void Injector::shapeBody(const BodyFaults& f, http::Response& res) const {
    const Fault* corrupt = f.corrupt;
    const Fault* partial = f.partial;
    const Fault* dribble = f.dribble;
    const int64_t slowBps = f.slowBps;
    if (!corrupt && !partial && !dribble && !slowBps) return;
    // A mock with its own fault, dribble or stream keeps its delivery.
    http::Delivery& d = res.delivery;
    if (d.fault != http::Delivery::Fault::None || res.stream || d.dribblePieces || res.headOnly ||
        res.bodyless())
        return;
    const size_t bodyLen = res.bodyBytes().size();
    if (bodyLen == 0) return;
    if (corrupt) {
        if (res.bodyRef) res.setBody(*res.bodyRef);
        for (char& c : res.body)
            if (rng().unit() < corrupt->corruptRate) c = static_cast<char>(rng().next() & 0xFF);
    }
    if (partial) {
        size_t keep;
        if (partial->maxBytes) {
            keep = static_cast<size_t>(*partial->maxBytes);
        } else if (partial->minPercent || partial->maxPercent) {
            double lo = partial->minPercent.value_or(0), hi = partial->maxPercent.value_or(1);
            keep =
                static_cast<size_t>(static_cast<double>(bodyLen) * (lo + (hi - lo) * rng().unit()));
        } else {
            keep = 1024;
        }
        // The head still announces the whole body: the client sees it cut off mid-way.
        if (keep < bodyLen) {
            d.truncateBody = keep;
            d.close = true;
        }
        return;
    }
    if (!dribble && !slowBps) return;
    size_t pieces;
    if (dribble) {
        pieces = (bodyLen + static_cast<size_t>(dribble->chunkSize) - 1) /
                 static_cast<size_t>(dribble->chunkSize);
        d.dribbleIntervalMs = dribble->chunkDelayMs;
        d.delayMs += dribble->initialDelayMs;
    } else {
        // About ten pieces a second at the given rate; the first goes out at once.
        const size_t piece = static_cast<size_t>(std::max<int64_t>(1, slowBps / 10));
        pieces = std::min<size_t>((bodyLen + piece - 1) / piece, 10'000);
        d.dribbleIntervalMs = static_cast<uint32_t>(std::max<double>(
            1.0, static_cast<double>(bodyLen) * 1000.0 /
                     (static_cast<double>(slowBps) * static_cast<double>(pieces))));
    }
    d.dribblePieces = static_cast<uint32_t>(std::max<size_t>(pieces, 1));
    d.dribbleFirstWithHead = true;
}

Json Injector::statsJson() const {
    Json byType = Json::object();
    for (size_t i = 0; i < kFaultTypes; ++i)
        if (auto n = byType_[i].load(std::memory_order_relaxed)) byType[kNames[i]] = n;
    return {{"totalRequests", total_.load()},       {"injectedFaults", injected_.load()},
            {"latencyInjected", latency_.load()},   {"errorsInjected", errors_.load()},
            {"timeoutsInjected", timeouts_.load()}, {"faultsByType", byType}};
}

void Injector::resetStats() {
    for (auto* a : {&total_, &injected_, &latency_, &errors_, &timeouts_}) a->store(0);
    for (auto& a : byType_) a.store(0);
}

Json Injector::faultsJson() const {
    Json breakers = Json::object(), retries = Json::object(), degradations = Json::object();
    for (size_t r = 0; r < state_.size(); ++r) {
        for (size_t i = 0; i < state_[r].size(); ++i) {
            const auto& s = *state_[r][i];
            if (s.breaker) breakers[fmtKey(r, i)] = s.breaker->stats();
            if (s.retry) retries[fmtKey(r, i)] = s.retry->stats();
            if (s.degradation) degradations[fmtKey(r, i)] = s.degradation->stats();
        }
    }
    Json j = Json::object();
    if (!breakers.empty()) j["circuitBreakers"] = breakers;
    if (!retries.empty()) j["retryAfterTrackers"] = retries;
    if (!degradations.empty()) j["progressiveDegradations"] = degradations;
    return j;
}

bool Injector::trip(const std::string& key) {
    for (size_t r = 0; r < state_.size(); ++r)
        for (size_t i = 0; i < state_[r].size(); ++i)
            if (state_[r][i]->breaker && fmtKey(r, i) == key) {
                state_[r][i]->breaker->trip();
                return true;
            }
    return false;
}

bool Injector::resetBreaker(const std::string& key) {
    for (size_t r = 0; r < state_.size(); ++r)
        for (size_t i = 0; i < state_[r].size(); ++i)
            if (state_[r][i]->breaker && fmtKey(r, i) == key) {
                state_[r][i]->breaker->reset();
                return true;
            }
    return false;
}

// ------------------------------------------------------------------ controller

std::shared_ptr<Injector> Controller::current() const {
    struct Cache {
        const Controller* owner = nullptr;
        uint64_t version = 0;
        std::shared_ptr<Injector> injector;
    };
    thread_local Cache cache;
    const uint64_t v = version_.load(std::memory_order_acquire);
    if (cache.owner != this || cache.version != v) {
        std::lock_guard lock(mu_);
        cache.injector = injector_;
        cache.version = version_.load(std::memory_order_relaxed);
        cache.owner = this;
    }
    return cache.injector;
}

std::shared_ptr<Injector> Controller::load() const {
    std::lock_guard lock(mu_);
    return injector_;
}

void Controller::apply(Config cfg) {
    std::shared_ptr<Injector> next;
    if (cfg.enabled) next = std::make_shared<Injector>(std::move(cfg));
    std::lock_guard lock(mu_);
    injector_ = std::move(next);
    version_.fetch_add(1, std::memory_order_acq_rel);
    active_.store(injector_ != nullptr, std::memory_order_release);
}

Json Controller::configJson() const {
    auto inj = load();
    return inj ? toJson(inj->config()) : Json{{"enabled", false}};
}

Json Controller::statsJson() const {
    if (auto inj = load()) return inj->statsJson();
    return {{"totalRequests", 0},  {"injectedFaults", 0},   {"latencyInjected", 0},
            {"errorsInjected", 0}, {"timeoutsInjected", 0}, {"faultsByType", Json::object()}};
}

void Controller::resetStats() {
    if (auto inj = load()) inj->resetStats();
}

Json Controller::faultsJson() const {
    auto inj = load();
    return inj ? inj->faultsJson() : Json::object();
}

std::string Controller::trip(const std::string& key) {
    auto inj = load();
    if (!inj) return "chaos is not enabled";
    return inj->trip(key) ? "" : "circuit breaker \"" + key + "\" not found";
}

std::string Controller::resetBreaker(const std::string& key) {
    auto inj = load();
    if (!inj) return "chaos is not enabled";
    return inj->resetBreaker(key) ? "" : "circuit breaker \"" + key + "\" not found";
}

// ------------------------------------------------------------------ profiles

namespace {

Config profile(std::optional<std::pair<const char*, const char*>> latency, double errorP,
               std::vector<int> codes, int64_t bps) {
    Config c;
    c.enabled = true;
    if (latency) {
        LatencyRange l;
        l.min = latency->first;
        l.max = latency->second;
        l.minMs = toMs(*parseGoDuration(l.min));
        l.maxMs = toMs(*parseGoDuration(l.max));
        l.probability = 1.0;
        c.latency = l;
    }
    if (errorP > 0) c.errorRate = ErrorRate{errorP, std::move(codes), 0};
    if (bps > 0) c.bandwidth = Bandwidth{bps, 1.0};
    return c;
}

}  // namespace

const std::vector<Profile>& profiles() {
    using P = std::pair<const char*, const char*>;
    static const std::vector<Profile> kProfiles = {
        {"degraded", "Partially degraded service", profile(P{"200ms", "800ms"}, 0.05, {503}, 0)},
        {"dns-flaky", "Intermittent DNS resolution failures",
         profile(std::nullopt, 0.10, {503}, 0)},
        {"flaky", "Unreliable service with random errors",
         profile(P{"0ms", "100ms"}, 0.20, {500, 502, 503}, 0)},
        {"mobile-3g", "Mobile 3G network conditions",
         profile(P{"300ms", "800ms"}, 0.02, {503}, 51200)},
        {"offline", "Service completely down", profile(std::nullopt, 1.0, {503}, 0)},
        {"overloaded", "Overloaded server under heavy load",
         profile(P{"1000ms", "5000ms"}, 0.15, {500, 502, 503, 504}, 102400)},
        {"rate-limited", "Rate-limited API", profile(P{"50ms", "200ms"}, 0.30, {429}, 0)},
        {"satellite", "Satellite internet simulation",
         profile(P{"600ms", "2000ms"}, 0.05, {503}, 20480)},
        {"slow-api", "Simulates slow upstream API", profile(P{"500ms", "2000ms"}, 0, {}, 0)},
        {"timeout", "Connection timeout simulation", profile(P{"30000ms", "30000ms"}, 0, {}, 0)},
    };
    return kProfiles;
}

const Profile* findProfile(std::string_view name) {
    for (const auto& p : profiles())
        if (p.name == name) return &p;
    return nullptr;
}

Json profileJson(const Profile& p) {
    return {{"name", p.name}, {"description", p.description}, {"config", toJson(p.config)}};
}

Config simpleConfig(const std::string& latency, double errorRate, int errorCode,
                    double probability) {
    Json j = {{"enabled", true}};
    if (!latency.empty()) {
        std::string mn = latency, mx = latency;
        if (auto dash = latency.find('-'); dash != std::string::npos && dash > 0) {
            mn = latency.substr(0, dash);
            mx = latency.substr(dash + 1);
        }
        j["latency"] = {{"min", mn}, {"max", mx}, {"probability", probability}};
    }
    if (errorRate > 0) j["errorRate"] = {{"probability", errorRate}, {"defaultCode", errorCode}};
    return parseConfig(j);
}

void ChaosFilter::apply(const core::Request& req, http::Response& res, const http::Next& next) {
    const bool exempt = req.path.starts_with("/__mockd/") || http::underAny(req.path, exempt_);
    if (!exempt && controller_.active()) {
        if (auto injector = controller_.current())
            return injector->serve(req, res, [&] { next(req, res); });
    }
    next(req, res);
}

}  // namespace mockd::chaos
