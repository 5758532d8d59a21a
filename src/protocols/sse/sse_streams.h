// Open SSE streams: each runs on its connection's event loop with timers (no thread, no
// polling), and the server keeps a record of it for /sse/connections, /sse/stats and its entry
// in the request log.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/mock.h"
#include "http/response.h"
#include "journal/journal.h"
#include "match/compiled_mock.h"
#include "match/registry.h"
#include "protocols/sse/sse_config.h"

namespace mockd::protocols::sse {

class StreamRun;

// One stream as the admin API and the request log see it. Updated on the stream's loop, read
// from the admin thread.
class StreamRecord final : public journal::Live {
  public:
    std::string id;  // "sse-<n>"
    std::string mockId, path, clientIp, userAgent;
    int64_t connectedAtUs = 0;

    std::string json() const override;
    core::Json toJson() const;
    void sent(size_t bytes, const std::string& eventId, bool isEvent);
    void setResumedFrom(std::string lastEventId);
    void setStatus(std::string status, std::string endedBy = {});
    bool active() const;

  private:
    mutable std::mutex mu_;
    uint64_t eventsSent_ = 0, bytesSent_ = 0;
    std::string lastEventId_, resumedFrom_, status_ = "active", endedBy_;
};

struct StreamStats {
    uint64_t totalConnections = 0, totalEventsSent = 0, totalBytesSent = 0, connectionErrors = 0;
};

// The streams of one server.
class Streams final {
  public:
    Streams(match::Registry& registry, size_t maxStreams);
    ~Streams();
    Streams(const Streams&) = delete;
    Streams& operator=(const Streams&) = delete;

    // Answers a matched SSE mock: the head and the stream, or 503 when maxStreams are open.
    void respond(const core::Request& req, const match::CompiledMock& mock,
                 std::shared_ptr<const SseConfig> config, http::Response& res);

    std::vector<std::shared_ptr<StreamRecord>> list(const std::string& mockId = {}) const;
    std::shared_ptr<StreamRecord> find(const std::string& id) const;
    // Ends a stream cleanly (no final event); false for an unknown or ended one.
    bool close(const std::string& id, const std::string& reason);
    size_t closeMock(const std::string& mockId, const std::string& reason);
    void closeAll(const std::string& reason);
    size_t active() const;
    core::Json stats() const;

    // What the streams share with the server: shared with each stream too, so that a stream
    // ending as the server shuts down never reaches a freed registry of streams.
    struct Ledger {
        std::mutex mu;
        std::map<std::string, std::pair<std::shared_ptr<StreamRecord>, std::weak_ptr<StreamRun>>>
            open;
        // The compiled mock each stream answers, for identity (its stream holds it alive).
        std::map<std::string, std::pair<std::string, const match::CompiledMock*>> mockOf;
        StreamStats stats;
        uint64_t nextId = 1;
        void ended(const std::string& id);
        void counted(size_t bytes, bool isEvent);
    };

  private:
    // After every change of mocks: streams whose mock changed or went end (as mockd's do).
    void mocksChanged();

    match::Registry& registry_;
    const size_t maxStreams_;
    uint64_t watchToken_ = 0;
    std::shared_ptr<Ledger> ledger_ = std::make_shared<Ledger>();
};

}  // namespace mockd::protocols::sse
