// Open WebSocket connections: each a session on the worker loop its HTTP connection had (no
// thread per connection), with a record the admin API and the request log read.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "http/response.h"
#include "journal/journal.h"
#include "match/compiled_mock.h"
#include "match/registry.h"
#include "protocols/websocket/ws_config.h"
#include "protocols/websocket/ws_messages.h"

namespace mockd::protocols::websocket {

// One connection as the admin API and the request log see it. Written on the session's loop,
// read from the admin thread.
class ConnectionRecord final : public journal::Live {
  public:
    std::string id, mockId, path, subprotocol, clientIp;
    int64_t connectedAtUs = 0;

    std::string json() const override;
    // With the messages (the request log) or without (the admin's lists).
    Json toJson(bool withMessages) const;
    // What a log entry says of matching: nothing (outgoing and scenario messages), "matched":
    // null, or the index of the matcher that took the message.
    static constexpr int kNoMatchField = -2, kUnmatched = -1;
    // Notes a message; `extra` (near misses, a scenario step) is merged into its log entry.
    // Kept compact, and in the storage of the entry it replaces: the JSON is made only when the
    // log is read.
    void message(const char* direction, const Message& m, int matched = kNoMatchField,
                 Json extra = nullptr);
    void setClosed(int code, std::string reason);
    bool open() const;
    uint64_t sent() const;
    uint64_t received() const;

  private:
    mutable std::mutex mu_;
    uint64_t sent_ = 0, received_ = 0;
    struct Logged {
        bool in = false, binary = false;
        std::string data;  // at most kMaxLoggedBytes of it
        size_t size = 0;
        int64_t atUs = 0;
        int matched = kNoMatchField;
        Json extra;
    };
    // The newest kMaxLoggedMessages, a ring once full (from `oldest_`). A vector, not a deque: a
    // deque allocates on construction, and most connections log few messages or none.
    std::vector<Logged> messages_;
    size_t oldest_ = 0;
    std::string status_ = "connected", closeReason_;
    int closeCode_ = 0;
};

// What the admin API does to a session, from any thread.
class SessionControl {
  public:
    virtual ~SessionControl() = default;
    virtual void closeWith(int code, std::string reason) = 0;
    virtual void sendFromApi(Message m) = 0;
};

class Connections final {
  public:
    explicit Connections(match::Registry& registry);
    ~Connections();
    Connections(const Connections&) = delete;
    Connections& operator=(const Connections&) = delete;

    // Answers a matched WebSocket mock: its handshake checks, then the upgrade.
    void respond(const core::Request& req, const match::CompiledMock& mock,
                 std::shared_ptr<const WebSocketConfig> config, http::Response& res);

    std::vector<std::shared_ptr<ConnectionRecord>> list(const std::string& mockId = {}) const;
    std::shared_ptr<ConnectionRecord> find(const std::string& id) const;
    bool close(const std::string& id, int code, const std::string& reason);
    size_t closeMock(const std::string& mockId, int code, const std::string& reason);
    bool send(const std::string& id, Message m);
    size_t active() const;
    Json stats() const;

    struct Ledger {
        std::mutex mu;
        struct Open {
            std::shared_ptr<ConnectionRecord> record;
            std::weak_ptr<SessionControl> session;
            const match::CompiledMock* mock = nullptr;  // identity: the session holds it
        };
        // Keyed by a view of the record's own id: the entry holds the record.
        std::map<std::string_view, Open, std::less<>> open;
        uint64_t total = 0;
        std::atomic<uint64_t> messagesSent{0}, messagesReceived{0};  // counted without the lock
        void ended(const std::string& id);
        size_t openFor(const std::string& mockId) const;
    };

  private:
    void mocksChanged();
    // The open connection's session, or null.
    std::shared_ptr<SessionControl> session(const std::string& id) const;

    match::Registry& registry_;
    uint64_t watchToken_ = 0;
    std::shared_ptr<Ledger> ledger_ = std::make_shared<Ledger>();
};

}  // namespace mockd::protocols::websocket
