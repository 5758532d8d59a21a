// WireMock's admin API under /__admin on the mock port (`mockd wiremock`, `mockd start`): stubs,
// the request journal and near misses, scenarios, settings, files, reset and shutdown, with
// WireMock's status codes, JSON shapes and error bodies. Also what the mock port needs from
// WireMock mode: the root directory's mappings and files, global delays and the unmatched answer.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/match_input.h"
#include "engine/responder.h"
#include "http/auth.h"
#include "http/handler.h"
#include "http/router.h"
#include "journal/journal.h"
#include "match/registry.h"
#include "wiremock/recorder.h"
#include "wiremock/scenarios.h"
#include "wiremock/stub_codec.h"

namespace mockd::wiremock {

inline constexpr std::string_view kVersion = "3.13.2";

struct ApiOptions {
    std::string rootDir = ".";  // holds mappings/ and __files/
    std::string basicAuth;      // "user:password" required on /__admin, or empty
    // `mockd start`: SPEC §6 access rules (loopback, or the API key) instead of WireMock's open
    // API.
    std::optional<http::AccessPolicy> policy;
    bool journalEnabled = true;
    // --proxy-all: the base URL of the catch-all proxy stub added at start-up.
    std::string proxyAll;
    // The scenarios this API's stubs share (with stubs loaded elsewhere on the same port, such
    // as `mockd start --load`); a set of its own when null.
    std::shared_ptr<Scenarios> scenarios;
};

class WireMockApi final : public http::Handler, public engine::UnmatchedResponder {
  public:
    WireMockApi(match::Registry& registry, journal::Journal* journal, ApiOptions options);
    ~WireMockApi();
    WireMockApi(const WireMockApi&) = delete;
    WireMockApi& operator=(const WireMockApi&) = delete;

    // Answers a request whose path starts with /__admin.
    void handle(const core::Request& req, http::Response& res) override;

    // Reads every stub under mappings/ and makes them the live WireMock stubs (mocks in mockd's
    // format stay). Throws std::runtime_error naming the file when one cannot be read; the live
    // set is then unchanged. With `keepApiStubs`, stubs added over the API (not from a file)
    // stay (hot reload); without, they go (reset).
    void loadMappings(bool keepApiStubs = false);
    // --proxy-all: adds the priority-10 stub that forwards any request (once, at start-up).
    void addProxyAll();
    // Stubs of every *.json under `dir` (recursive, sorted by path). Throws std::runtime_error.
    static std::vector<core::Mock> readMappings(const std::string& dir, const std::string& filesDir,
                                                const std::shared_ptr<Scenarios>& scenarios);

    // Stubs of one mapping file (one stub or {"mappings": [...]}). Throws std::runtime_error.
    static std::vector<core::Mock> readMappingFile(const std::string& file,
                                                   const std::string& filesDir,
                                                   const std::shared_ptr<Scenarios>& scenarios);

    std::string mappingsDir() const { return options_.rootDir + "/mappings"; }
    std::string filesDir() const { return options_.rootDir + "/__files"; }

    // --record-mappings: every proxied exchange `journal` records becomes a mapping file under
    // mappings/ and a body file under __files/, as WireMock's standalone recorder writes them
    // (not live stubs). Once, at start-up.
    void recordMappings(journal::Journal& journal);

    // Called by /__admin/shutdown after the response is written.
    void onShutdown(std::function<void()> fn) { shutdown_ = std::move(fn); }

    // The mock port's answer when no stub matched: a file under __files/ for GET, else 404 with
    // WireMock's plain-text diff against the closest stub. Sets *report to that text.
    void unmatched(const core::Request& req, const core::MatchInput& in, http::Response& res,
                   std::string* report) const override;
    // An upstream that cannot be reached (--proxy-unmatched, proxy stubs): WireMock's 500 with
    // "Network failure trying to make a proxied request".
    engine::ProxyFailure proxyFailure() const override;
    // The global fixedDelay from /__admin/settings: a stub's own fixed delay replaces it.
    uint32_t globalDelayMs() const { return globalDelayMs_.load(std::memory_order_relaxed); }
    // A sample of the global delayDistribution (0 when there is none): a stub's own
    // distribution replaces it.
    uint32_t sampleGlobalDistribution() const {
        // The flag keeps the common case (no global distribution) off the shared pointer.
        if (!hasGlobalDistribution_.load(std::memory_order_acquire)) return 0;
        auto d = globalDistribution_.load(std::memory_order_acquire);
        return d ? d->sample() : 0;
    }

  private:
    struct Reply;
    struct Call;
    using Router = http::Router<Call, void>;
    void addRoutes();
    void redirectToSlash(Call& c);
    void health(Call& c);
    void version(Call& c);
    void resetAll(Call& c);
    void shutdown(Call& c);
    void scenarios(Call& c);
    void files(Call& c);
    void settings(Call& c);
    void recordings(Call& c);
    // /__admin/mappings
    void listStubPage(Call& c, std::vector<core::MockPtr> all);
    std::vector<core::MockPtr> unmatchedStubs() const;
    void listStubs(Call& c);
    void createStub(Call& c);
    void deleteStubs(Call& c);
    void saveStubs(Call& c);
    void resetStubs(Call& c);
    void importStubs(Call& c);
    void findStubsByMetadata(Call& c);
    void removeStubsByMetadata(Call& c);
    void removeStubs(Call& c);
    void editStub(Call& c);
    void listUnmatchedStubs(Call& c);
    void deleteUnmatchedStubs(Call& c);
    void stubById(Call& c);
    // /__admin/requests and near misses
    bool journalDisabled() const;
    std::vector<journal::EntryPtr> journalEntries() const;
    OJson serveEvent(const journal::Entry& e) const;
    void stubNearMisses(const journal::Entry& e, OJson& out, const OJson* echo) const;
    void listServeEvents(Call& c);
    void clearServeEvents(Call& c);
    void countRequests(Call& c);
    void findRequests(Call& c);
    void removeRequests(Call& c);
    void removeRequestsByMetadata(Call& c);
    void unmatchedRequests(Call& c);
    void unmatchedNearMisses(Call& c);
    void nearMissesForRequest(Call& c);
    void nearMissesForPattern(Call& c);
    void serveEventById(Call& c);
    void scenariosRoutes(const core::Request& req, std::string_view sub, Reply& r);
    void filesRoutes(const core::Request& req, std::string_view sub, Reply& r);
    void settingsRoutes(const core::Request& req, std::string_view sub, Reply& r);
    void recordingsRoutes(const core::Request& req, std::string_view rest, Reply& r);
    // The stubs `spec` makes from `events` (newest first): added (and persisted), and WireMock's
    // snapshot result.
    OJson takeSnapshot(const std::vector<journal::EntryPtr>& events, const RecordSpec& spec);
    void recordExchange(const journal::EntryPtr& e);

    // Adds or replaces stubs; writes persistent ones to mappings/.
    core::MockPtr addStub(core::Mock mock);
    // Adds or replaces many stubs in one change of the registry.
    void addStubs(std::vector<core::Mock> mocks);
    // Ties a stub to its mapping file: its own when persistent, the one it replaces otherwise.
    void tieToFile(core::Mock& mock) const;
    void persist(const core::Mock& mock);
    std::string fileFor(const core::Mock& mock) const;
    void unpersist(const core::Mock& mock);
    void resetToFiles();
    std::vector<core::MockPtr> stubs() const;  // in matching order
    core::MockPtr stub(const std::string& id) const;

    match::Registry& registry_;
    // This API's scenarios: its stubs check and move them as they are served.
    std::shared_ptr<Scenarios> scenarios_;
    journal::Journal* journal_;
    ApiOptions options_;
    std::function<void()> shutdown_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::atomic<uint32_t> globalDelayMs_{0};
    std::atomic<std::shared_ptr<const core::DelayDistribution>> globalDistribution_;
    std::atomic<bool> hasGlobalDistribution_{false};
    mutable std::mutex settingsMu_;
    Json settings_ = Json::object();
    std::mutex filesMu_;  // mapping files written by the API
    Router routes_{Router::Pick::ByMethod};

    // The recorder (/__admin/recordings): its state changes under the mutex, as WireMock's
    // Recorder methods are synchronized.
    enum class RecordingStatus { NeverStarted, Recording, Stopped };
    std::mutex recordMu_;
    RecordingStatus recording_ = RecordingStatus::NeverStarted;
    uint64_t recordingAfterSeq_ = 0;  // journal entries newer than this were recorded
    std::string recordingProxyId_;    // the proxy stub start added, or empty
    RecordSpec recordingSpec_;
    // --record-mappings
    journal::Journal* standaloneJournal_ = nullptr;
    uint64_t standaloneToken_ = 0;
    std::mutex standaloneMu_;
};

// A request header name as WireMock's journal shows it: Jetty's parser spells every header it
// knows (its HttpHeader list) its own way ("content-type" is logged as "Content-Type") and
// keeps any other name exactly as sent.
std::string_view jettyHeaderName(std::string_view name);

}  // namespace mockd::wiremock
