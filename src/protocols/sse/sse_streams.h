// Open SSE streams: each runs on its connection's event loop with timers (no thread, no
// polling), and the server keeps a record of it for /sse/connections, /sse/stats and its entry
// in the request log.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
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

// The resume buffer of one mock: the newest events its streams sent (`resume.bufferSize` of them,
// none older than `resume.maxAge` seconds when that is set), each with its place in the mock's
// event list, so that a reconnect with any id it saw (the mock's own, a generator's, or the one
// resume gave an event without an id) resumes after that event.
class ResumeBuffer final {
  public:
    struct Event {
        std::string id, type, data;
        size_t position = 0;  // the event's place in the list, counted from 1
        int64_t sentAtUs = 0;
    };
    void add(Event e, size_t capacity, int64_t maxAgeSeconds);
    // Where a stream resuming after `id` starts, if the buffer holds that id.
    std::optional<size_t> resumeAfter(const std::string& id, int64_t maxAgeSeconds) const;
    core::Json toJson(int64_t maxAgeSeconds) const;
    size_t clear();
    // The compiled mock the events came from: a changed mock starts a new buffer.
    const match::CompiledMock* of = nullptr;

  private:
    void expire(int64_t nowUs, int64_t maxAgeSeconds);
    std::deque<Event> events_;
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
    // The resume buffer of an SSE mock, for GET /mocks/{id}/sse/buffer; clearing it, for DELETE.
    core::Json buffer(const std::string& mockId, const SseConfig& config) const;
    size_t clearBuffer(const std::string& mockId);

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
        std::map<std::string, ResumeBuffer> buffers;  // by mock id, for mocks with resume on
        void ended(const std::string& id);
        void counted(size_t bytes, bool isEvent);
        void buffered(const std::string& mockId, const match::CompiledMock* of,
                      ResumeBuffer::Event e, const Resume& resume);
        std::optional<size_t> resumeAfter(const std::string& mockId, const match::CompiledMock* of,
                                          const std::string& id, const Resume& resume);
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
