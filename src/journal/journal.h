// The request log: every request the mock port answers, newest first, bounded. Each worker
// thread appends to its own ring (its own uncontended lock) and entries carry a global sequence
// number. The cap is global and exact: a global count decides at record time which entries are
// evicted (always the oldest), readers never see them again, and they are freed in small batches.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mockd::journal {

// What an upstream answered a proxied request (WireMock's proxy stubs, --proxy-unmatched).
struct Proxied {
    std::string url;  // the upstream URL the request went to
    int status = 0;   // 0: the upstream could not be reached
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string error;  // why the upstream could not be reached, or empty
};

// Events that happen after a request was answered (webhooks it fired), as JSON objects in the
// order they happened. Shared with the entry and appended to from other threads.
class SubEvents {
  public:
    void add(std::string json) {
        std::lock_guard lock(mu_);
        events_.push_back(std::move(json));
    }
    std::vector<std::string> all() const {
        std::lock_guard lock(mu_);
        return events_;
    }

  private:
    mutable std::mutex mu_;
    std::vector<std::string> events_;
};

// What a protocol keeps adding to its entry after the entry is logged (a stream's events so
// far and how it ended): /requests shows its JSON as it is now, under the protocol's name.
class Live {
  public:
    virtual ~Live() = default;
    virtual std::string json() const = 0;  // a JSON object's text
};

struct Entry {
    uint64_t seq = 0;
    // The protocol that served it ("http", and those to come: "sse", "websocket", "grpc", ...),
    // a name with static storage. /requests shows it and filters on it.
    std::string_view protocol = "http";
    // What that protocol adds to the entry, as a JSON object's text (an SSE event's connection
    // and type, a WebSocket frame's direction), shown under the protocol's name; empty: nothing.
    std::string protocolJson;
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
    std::string error;   // why the request failed (unreadable body file, injected fault), or empty
    std::shared_ptr<const Proxied> proxied;  // set when the request was forwarded upstream
    std::shared_ptr<SubEvents> subEvents;    // set when the answer fired webhooks
    std::shared_ptr<const Live> live;        // set by a protocol whose exchange goes on

    std::string id() const;    // "req-<16 hex>"
    std::string uuid() const;  // the same entry as a UUID (WireMock's request ids)
};

using EntryPtr = std::shared_ptr<const Entry>;

struct Filter {
    std::string method;
    std::string pathContains;
    std::string mockId;    // "matched" filter
    std::string protocol;  // entries of this protocol only
    int status = 0;
    bool unmatchedOnly = false;
    bool matchedOnly = false;
    std::optional<bool> hasError;  // mockd's hasError: entries with (or without) an error
};

class Journal final {
  public:
    explicit Journal(size_t capacity);
    ~Journal();

    size_t capacity() const { return capacity_.load(std::memory_order_relaxed); }
    void setCapacity(size_t capacity);
    // Entries in memory, evicted ones not yet freed included: at most the cap plus one small
    // batch, whatever the number of threads.
    size_t held() const { return held_.load(std::memory_order_relaxed); }

    // Called on worker threads. Takes its own thread's lock; only once per batch of evictions
    // does it take the others, briefly, to free that batch, and it skips that (leaving it to the
    // next record) rather than wait for an admin call.
    void record(Entry entry);

    // Newest first, after filtering; `total` gets the count before offset/limit.
    std::vector<EntryPtr> list(const Filter& f, size_t offset, size_t limit, size_t* total) const;
    EntryPtr find(std::string_view id) const;
    // By the UUID form of the id (Entry::uuid), or nullptr.
    EntryPtr findUuid(std::string_view uuid) const;
    // Removes the entries `pred` selects; returns them, newest first.
    std::vector<EntryPtr> removeIf(const std::function<bool(const Entry&)>& pred);
    // Removes every entry (or the entries of one mock); returns how many were removed.
    // Evicted entries stay gone: nothing here (or in listing) brings one back.
    size_t clear();
    size_t clearMock(const std::string& mockId);

    // Live listeners (the SSE stream). The callback runs on the recording thread: keep it short.
    using Listener = std::function<void(const EntryPtr&)>;
    uint64_t subscribe(Listener l);
    void unsubscribe(uint64_t token);

  private:
    struct Ring;
    class AllLocked;
    Ring& localRing();
    // With every lock held: frees the evicted entries (moved into `freed`, so that they are
    // destroyed after the locks are released).
    void trimLocked(std::vector<EntryPtr>& freed) const;
    void trimIfDue();

    std::atomic<size_t> capacity_;
    std::atomic<uint64_t> nextSeq_{1};
    // The newest `live_` entries in the rings are the log; any older ones held are evicted and
    // wait to be freed. Both change only under a ring lock, so with every lock held they agree
    // with the rings.
    std::atomic<size_t> live_{0};
    mutable std::atomic<size_t> held_{0};
    mutable std::mutex ringsMu_;
    std::vector<std::shared_ptr<Ring>> rings_;
    // Subscribers change under the mutex; the request path reads an immutable snapshot, so
    // it never waits for a subscribe or for another request's listeners.
    using Listeners = std::vector<std::pair<uint64_t, Listener>>;
    mutable std::mutex listenersMu_;
    Listeners listeners_;
    std::atomic<std::shared_ptr<const Listeners>> listenerSnapshot_;
    std::atomic<bool> hasListeners_{false};
    uint64_t nextToken_ = 1;
    const uint64_t instance_;
};

}  // namespace mockd::journal
