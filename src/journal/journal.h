// The request log: every request the mock port answers, newest first, bounded. Each worker
// thread appends to its own ring (its own uncontended lock), entries carry a global sequence
// number, and readers merge the rings so the cap is global and exact.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mockd::journal {

struct Entry {
    uint64_t seq = 0;
    int64_t timestampUs = 0;  // wall clock, microseconds since the epoch
    std::string method;
    std::string path;     // percent-decoded
    std::string rawPath;  // as sent, when it differs from `path`
    std::string query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // the first 64 KiB
    size_t bodySize = 0;
    std::string remoteAddr;
    std::string mockId;  // empty when unmatched
    int status = 0;
    double durationMs = 0;
    std::string nearMissesJson;  // slim near-miss list for unmatched requests, or empty
    unsigned short localPort = 0;
    std::string report;  // WireMock's plain-text report for an unmatched request, or empty

    std::string id() const;    // "req-<16 hex>"
    std::string uuid() const;  // the same entry as a UUID (WireMock's request ids)
};

using EntryPtr = std::shared_ptr<const Entry>;

struct Filter {
    std::string method;
    std::string pathContains;
    std::string mockId;  // "matched" filter
    int status = 0;
    bool unmatchedOnly = false;
    bool matchedOnly = false;
};

class Journal final {
  public:
    explicit Journal(size_t capacity);
    ~Journal();

    size_t capacity() const { return capacity_; }
    void setCapacity(size_t capacity);

    // Called on worker threads; never waits on another thread's lock.
    void record(Entry entry);

    // Newest first, after filtering; `total` gets the count before offset/limit.
    std::vector<EntryPtr> list(const Filter& f, size_t offset, size_t limit, size_t* total) const;
    EntryPtr find(std::string_view id) const;
    // By the UUID form of the id (Entry::uuid), or nullptr.
    EntryPtr findUuid(std::string_view uuid) const;
    // Removes the entries `pred` selects; returns them, newest first.
    std::vector<EntryPtr> removeIf(const std::function<bool(const Entry&)>& pred);
    // Removes every entry (or the entries of one mock); returns how many were removed.
    size_t clear();
    size_t clearMock(const std::string& mockId);

    // Live listeners (the SSE stream). The callback runs on the recording thread: keep it short.
    using Listener = std::function<void(const EntryPtr&)>;
    uint64_t subscribe(Listener l);
    void unsubscribe(uint64_t token);

  private:
    struct Ring;
    Ring& localRing();

    size_t capacity_;
    std::atomic<uint64_t> nextSeq_{1};
    mutable std::mutex ringsMu_;
    std::vector<std::shared_ptr<Ring>> rings_;
    mutable std::mutex listenersMu_;
    std::vector<std::pair<uint64_t, Listener>> listeners_;
    std::atomic<bool> hasListeners_{false};
    uint64_t nextToken_ = 1;
    const uint64_t instance_;
};

}  // namespace mockd::journal
