// mockd's chaos engineering: global latency / error rate / bandwidth, path rules with faults,
// the stateful faults (circuit breaker, retry-after, progressive degradation) and the ten
// built-in profiles. The whole configuration is one immutable Injector swapped atomically, so a
// request reads it without a lock, and the disabled case costs one atomic load.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/mock.h"
#include "core/request.h"
#include "http/filter.h"
#include "match/regex.h"

namespace mockd::chaos {

using core::Json;

// A chaos configuration that cannot be applied; the message names the field.
class ConfigError final : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class FaultType : uint8_t {
    Latency,
    Error,
    Timeout,
    CorruptBody,
    EmptyResponse,
    SlowBody,
    ConnectionReset,
    PartialResponse,
    RetryAfter,
    CircuitBreaker,
    ProgressiveDegradation,
    ChunkedDribble,
};
constexpr size_t kFaultTypes = 12;
std::string_view faultTypeName(FaultType t);
std::optional<FaultType> faultTypeNamed(std::string_view name);

// Go's time.ParseDuration ("300ms", "1.5s", "1m30s", "0"), in milliseconds.
std::optional<double> parseGoDuration(std::string_view text);

struct LatencyRange {
    std::string min, max;  // as written (Go durations)
    uint32_t minMs = 0, maxMs = 0;
    double probability = 0;
};

struct ErrorRate {
    double probability = 0;
    std::vector<int> statusCodes;
    int defaultCode = 0;  // 0: not given (500)
};

struct Bandwidth {
    int64_t bytesPerSecond = 0;
    double probability = 0;
};

// One fault of a rule. `config` keeps the parameters as given (flat keys merged under the
// explicit "config" object, which wins); the typed fields are what the request path uses.
struct Fault {
    FaultType type = FaultType::Latency;
    double probability = 0;
    Json config = Json::object();
    uint32_t minMs = 0, maxMs = 100;  // latency
    std::vector<int> statusCodes;     // error
    int code = 500;                   // error: defaultCode
    uint32_t durationMs = 30'000;     // timeout
    double corruptRate = 0.01;        // corrupt_body
    int64_t bytesPerSecond = 1024;    // slow_body
    std::optional<int64_t> maxBytes;  // partial_response
    std::optional<double> minPercent, maxPercent;
    int64_t chunkSize = 1024;  // chunked_dribble
    uint32_t chunkDelayMs = 500, initialDelayMs = 0;
};

struct Rule {
    std::string pathPattern;
    std::vector<std::string> methods;
    std::optional<double> probability;  // unset: always
    std::vector<Fault> faults;
    std::shared_ptr<const match::Regex> regex;
};

struct Config {
    bool enabled = false;
    std::optional<LatencyRange> latency;
    std::optional<ErrorRate> errorRate;
    std::optional<Bandwidth> bandwidth;
    std::vector<Rule> rules;
};

// Reads mockd's API shape ({enabled, latency, errorRate, bandwidth, rules}); the config-file
// shape with the three global parts under "global" is read too. Probabilities outside 0..1 are
// clamped, as mockd does. Throws ConfigError.
Config parseConfig(const Json& j);
// mockd's API shape of a configuration (GET /chaos).
Json toJson(const Config& c);

struct Profile {
    std::string name, description;
    Config config;
};
// The ten built-in profiles, sorted by name.
const std::vector<Profile>& profiles();
const Profile* findProfile(std::string_view name);
Json profileJson(const Profile& p);

class CircuitBreaker;
class RetryAfterTracker;
class ProgressiveDegradation;

// One applied configuration with its statistics and the state of its stateful faults.
class Injector final : public std::enable_shared_from_this<Injector> {
  public:
    explicit Injector(Config cfg);
    ~Injector();
    const Config& config() const { return cfg_; }

    // Answers a request: draws the faults, and either answers for the mock (an error, a
    // timeout, an open circuit, ...) or lets `next` answer and then degrades its delivery.
    void serve(const core::Request& req, http::Response& res, const std::function<void()>& next);

    Json statsJson() const;
    void resetStats();
    Json faultsJson() const;
    // False when no circuit breaker has this "rule:fault" key.
    bool trip(const std::string& key);
    bool resetBreaker(const std::string& key);

  private:
    struct Stateful;
    // The faults that change a response's body or its pace, drawn for one request.
    struct BodyFaults {
        const Fault* corrupt = nullptr;
        const Fault* partial = nullptr;
        const Fault* dribble = nullptr;
        int64_t slowBps = 0;
    };
    // Applies them to the response's body and delivery.
    void shapeBody(const BodyFaults& f, http::Response& res) const;
    Config cfg_;
    std::atomic<uint64_t> total_{0}, injected_{0}, latency_{0}, errors_{0}, timeouts_{0};
    std::array<std::atomic<uint64_t>, kFaultTypes> byType_{};
    std::vector<std::vector<std::unique_ptr<Stateful>>> state_;  // [rule][fault]
};

// Holds the live configuration. Admin calls swap it; requests read it.
class Controller final {
  public:
    // One atomic load: a request path with chaos off takes no lock and touches nothing else.
    bool active() const { return active_.load(std::memory_order_acquire); }
    // The live injector (nullptr when chaos is off). Cached per thread until the next change.
    std::shared_ptr<Injector> current() const;

    // Applies a configuration; `enabled: false` turns chaos off (and drops its statistics).
    void apply(Config cfg);
    Json configJson() const;
    Json statsJson() const;
    void resetStats();
    Json faultsJson() const;
    // Empty on success, else why it failed ("chaos is not enabled", "... not found").
    std::string trip(const std::string& key);
    std::string resetBreaker(const std::string& key);

  private:
    std::shared_ptr<Injector> load() const;
    mutable std::mutex mu_;
    std::shared_ptr<Injector> injector_;
    std::atomic<bool> active_{false};
    std::atomic<uint64_t> version_{0};
};

// Chaos on a port: every request but mockd's /__mockd/ built-ins and those under `exempt` (the
// handlers mounted on the port: WireMock's /__admin) goes through the live injector, so that
// health checks and the admin API keep working under chaos. With chaos off it costs one atomic
// load.
class ChaosFilter final : public http::Filter {
  public:
    ChaosFilter(const Controller& controller, std::vector<std::string> exempt)
        : controller_(controller), exempt_(std::move(exempt)) {}
    void apply(const core::Request& req, http::Response& res, const http::Next& next) override;

  private:
    const Controller& controller_;
    std::vector<std::string> exempt_;
};

// Builds the configuration of `mockd start --chaos-*`: a latency range ("50ms-200ms" or
// "200ms"), an error rate and code. Throws ConfigError on a bad range.
Config simpleConfig(const std::string& latency, double errorRate, int errorCode,
                    double probability = 1.0);

}  // namespace mockd::chaos
