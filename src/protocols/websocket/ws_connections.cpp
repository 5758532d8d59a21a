#include "protocols/websocket/ws_connections.h"

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <optional>
#include <random>

#include "core/clock.h"
#include "engine/request_log.h"
#include "http/connection.h"
#include "http/held_request.h"
#include "net/workers.h"

namespace mockd::protocols::websocket {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = boost::beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kMaxLoggedMessages = 100;
constexpr size_t kMaxLoggedBytes = 10 * 1024;

std::string newConnectionId() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static std::atomic<uint32_t> counter{0};
    char buf[64];
    std::snprintf(buf, sizeof buf, "conn-%016llx-%08x-%08x",
                  static_cast<unsigned long long>(core::nowMicros() * 1000),
                  counter.fetch_add(1) + 1, static_cast<uint32_t>(rng()));
    return buf;
}

// The subprotocol a handshake gets: the first of the mock's that the client offers.
std::string chooseSubprotocol(const WebSocketConfig& c, std::string_view offered) {
    std::vector<std::string> client;
    size_t start = 0;
    while (start <= offered.size()) {
        size_t comma = offered.find(',', start);
        std::string_view p = offered.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
        while (!p.empty() && p.back() == ' ') p.remove_suffix(1);
        if (!p.empty()) client.emplace_back(p);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    for (const auto& mine : c.subprotocols)
        if (std::find(client.begin(), client.end(), mine) != client.end()) return mine;
    return {};
}

}  // namespace

// ---------------------------------------------------------------- the record

std::string ConnectionRecord::json() const { return toJson(true).dump(); }

Json ConnectionRecord::toJson(bool withMessages) const {
    std::lock_guard lock(mu_);
    Json j = {{"id", id},
              {"mockId", mockId},
              {"path", path},
              {"clientIp", clientIp},
              {"connectedAt", core::isoUtc(connectedAtUs, 3)},
              {"messagesSent", sent_},
              {"messagesRecv", received_},
              {"status", status_}};
    if (!subprotocol.empty()) j["subprotocol"] = subprotocol;
    if (closeCode_) {
        j["closeCode"] = closeCode_;
        j["closeReason"] = closeReason_;
    }
    if (withMessages) {
        Json list = Json::array();
        for (size_t i = 0; i < messages_.size(); ++i) {
            const Logged& m = messages_[(oldest_ + i) % messages_.size()];
            Json e = {{"direction", m.in ? "in" : "out"},
                      {"type", m.binary ? "binary" : "text"},
                      {"data", m.binary ? core::base64Encode(m.data) : m.data},
                      {"size", m.size},
                      {"timestamp", core::isoUtc(m.atUs, 3)}};
            if (m.matched != kNoMatchField)
                e["matched"] = m.matched >= 0 ? Json(m.matched) : Json(nullptr);
            if (m.extra.is_object()) e.update(m.extra);
            list.push_back(std::move(e));
        }
        j["messages"] = std::move(list);
    }
    return j;
}

void ConnectionRecord::message(const char* direction, const Message& m, int matched, Json extra) {
    const int64_t at = core::nowMicros();
    const bool in = std::string_view(direction) == "in";
    std::lock_guard lock(mu_);
    (in ? received_ : sent_)++;
    Logged* slot;
    if (messages_.size() == kMaxLoggedMessages) {
        slot = &messages_[oldest_];  // the oldest's storage, reused
        oldest_ = (oldest_ + 1) % messages_.size();
    } else {
        slot = &messages_.emplace_back();
    }
    Logged& e = *slot;
    e.in = in;
    e.binary = m.binary;
    e.data.assign(m.data, 0, std::min(m.data.size(), kMaxLoggedBytes));
    e.size = m.data.size();
    e.atUs = at;
    e.matched = matched;
    e.extra = std::move(extra);
}

void ConnectionRecord::setClosed(int code, std::string reason) {
    std::lock_guard lock(mu_);
    if (status_ == "closed") return;
    status_ = "closed";
    closeCode_ = code;
    closeReason_ = std::move(reason);
}

bool ConnectionRecord::open() const {
    std::lock_guard lock(mu_);
    return status_ == "connected";
}

uint64_t ConnectionRecord::sent() const {
    std::lock_guard lock(mu_);
    return sent_;
}

uint64_t ConnectionRecord::received() const {
    std::lock_guard lock(mu_);
    return received_;
}

// ---------------------------------------------------------------- a session

// One WebSocket connection over a plain or a TLS stream, on its worker's loop: reads message by
// message, answers by the mock's rules, writes one frame at a time from a queue (a reply's delay
// holds the replies after it, as in mockd, but never the reading), pings when told to.
template <class Next>
class Session final : public SessionControl,
                      public net::Session,
                      public std::enable_shared_from_this<Session<Next>> {
  public:
    Session(Next next, http::Upgraded& up, std::shared_ptr<const WebSocketConfig> config,
            match::CompiledMockPtr mock, std::shared_ptr<ConnectionRecord> record,
            std::shared_ptr<Connections::Ledger> ledger, std::string subprotocol)
        : ws_(std::move(next)),
          worker_(*up.worker),
          slot_(std::move(up.slot)),
          config_(std::move(config)),
          mock_(std::move(mock)),
          record_(std::move(record)),
          ledger_(std::move(ledger)),
          subprotocol_(std::move(subprotocol)),
          rng_(tmpl::Rng::unseeded()) {
        if (config_->templated) held_ = heldFrom(up.request);
        handshake_ = "GET " + up.request.target + " HTTP/1.1\r\n";
        for (const auto& [k, v] : up.request.headers) handshake_ += k + ": " + v + "\r\n";
        handshake_ += "\r\n" + up.buffered;
    }

    void start() {
        worker_.add(this);
        registered_ = true;
        ws_.set_option(ws::stream_base::decorator([p = subprotocol_](ws::response_type& res) {
            res.set(beast::http::field::server, "mockd");
            if (!p.empty()) res.set(beast::http::field::sec_websocket_protocol, p);
        }));
        ws_.read_message_max(static_cast<size_t>(config_->maxMessageSize));
        // The opening and closing handshakes have 10 s; a peer that never answers our close
        // frame is cut off then. Idleness is the mock's own business (idleTimeout, heartbeat).
        ws::stream_base::timeout limits{};
        limits.handshake_timeout = std::chrono::seconds(10);
        limits.idle_timeout = ws::stream_base::none();
        limits.keep_alive_pings = false;
        ws_.set_option(limits);
        ws_.control_callback([this](ws::frame_type kind, beast::string_view) {
            if (kind == ws::frame_type::pong) awaitingPong_ = false;
            lastActivity_ = Clock::now();
        });
        ws_.async_accept(
            asio::buffer(handshake_),
            [self = this->shared_from_this()](beast::error_code ec) { self->onAccept(ec); });
    }

    // net::Session: the sweep has nothing to do (timers do it); a drain says goodbye.
    void sweep(net::Clock::time_point) override {}
    void drain() override { close(1001, "server shutdown"); }

    void closeWith(int code, std::string reason) override {
        asio::post(worker_.ctx(),
                   [self = this->shared_from_this(), code, reason] { self->close(code, reason); });
    }
    void sendFromApi(Message m) override {
        asio::post(worker_.ctx(), [self = this->shared_from_this(), m = std::move(m)]() mutable {
            self->queue(std::move(m), 0);
        });
    }

    ~Session() override {
        if (registered_) worker_.remove(this);
    }

  private:
    static std::unique_ptr<http::HeldRequest> heldFrom(const http::OwnedRequest& o) {
        core::Request r;
        r.method = o.method;
        r.target = o.target;
        const std::string_view t = r.target;
        r.rawPath = r.path = t.substr(0, t.find('?'));
        if (r.path.size() < t.size()) r.rawQuery = t.substr(r.path.size() + 1);
        for (const auto& [k, v] : o.headers) r.headers.push_back({k, v});
        r.remoteAddress = o.remoteAddress;
        return std::make_unique<http::HeldRequest>(r);
    }

    void onAccept(beast::error_code ec) {
        std::string().swap(handshake_);  // done with: an open connection keeps no copy
        if (ec) return end(1006, "handshake failed: " + ec.message());
        accepted_ = true;
        lastActivity_ = Clock::now();
        armPing();
        armIdle();
        read();
        if (config_->scenario) {
            scenarioRunning_ = true;
            runStep();
        }
    }

    // Runs the scenario's current step (mockd's: send, wait or expect), then the next.
    void runStep() {
        if (!scenarioRunning_ || closing_) return;
        const Scenario& sc = *config_->scenario;
        if (step_ >= sc.steps.size()) {
            if (!sc.loop) return void(scenarioRunning_ = false);
            step_ = 0;
        }
        const ScenarioStep& st = sc.steps[step_];
        if (st.type == "expect") {
            expecting_ = true;
            return afterStep(st.timeoutMs, [this, &st] {
                expecting_ = false;
                if (!st.optional) return void(scenarioRunning_ = false);
                ++step_;
                runStep();
            });
        }
        const int64_t wait = st.type == "wait" ? st.durationMs : st.message->delayMs;
        afterStep(wait, [this, &st] {
            if (st.type == "send")
                queue(renderReply(*st.message, expected_ ? &*expected_ : nullptr,
                                  handshakeRequest(), rng_),
                      0);
            ++step_;
            runStep();
        });
    }

    template <class F>
    void afterStep(int64_t ms, F then) {
        const uint64_t generation = ++stepGeneration_;
        timer(stepTimer_).expires_after(std::chrono::milliseconds(ms));
        stepTimer_->async_wait([self = this->shared_from_this(), generation,
                                then = std::move(then)](beast::error_code ec) {
            if (!ec && generation == self->stepGeneration_ && !self->closing_) then();
        });
    }

    // An expect step takes the message before any matcher sees it.
    bool takenByScenario(const Message& msg) {
        if (!scenarioRunning_ || !expecting_) return false;
        const ScenarioStep& st = config_->scenario->steps[step_];
        if (st.match && !matches(*st.match, msg)) return false;
        expecting_ = false;
        expected_ = msg;
        record_->message("in", msg, ConnectionRecord::kNoMatchField, {{"scenarioStep", step_}});
        ++step_;
        ++stepGeneration_;  // the expect's timeout no longer counts
        cancel(stepTimer_);
        asio::post(worker_.ctx(), [self = this->shared_from_this()] { self->runStep(); });
        return true;
    }

    void read() {
        // A message's first bytes land in a small buffer in the session; once it proves longer,
        // the rest is read straight into its own string, a larger piece at a time. A connection
        // waiting for its next message holds no read buffer of its own beyond the small one.
        if (message_.empty()) {
            ws_.async_read_some(asio::buffer(chunk_),
                                [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                                    self->message_.append(self->chunk_.data(), ec ? 0 : n);
                                    self->onRead(ec);
                                });
            return;
        }
        const size_t at = message_.size();
        message_.resize(at + kReadPiece);
        ws_.async_read_some(asio::buffer(message_.data() + at, kReadPiece),
                            [self = this->shared_from_this(), at](beast::error_code ec, size_t n) {
                                self->message_.resize(at + (ec ? 0 : n));
                                self->onRead(ec);
                            });
    }

    void onRead(beast::error_code ec) {
        if (ec) {
            if (ec == ws::error::closed)
                return end(ws_.reason().code, std::string(ws_.reason().reason.c_str()));
            if (ec == ws::error::message_too_big) return close(1009, "message too big");
            return end(closing_ ? closeCode_ : 1006, ec.message());
        }
        if (!ws_.is_message_done()) return read();
        Message msg{!ws_.got_text(), std::move(message_)};
        message_ = std::string();
        lastActivity_ = Clock::now();
        answer(std::move(msg));
        if (!closing_) read();
    }

    // mockd's order: the first matcher decides; a matcher without a reply sends nothing and
    // skips the default; echo when nothing was sent and echo is on.
    void answer(Message msg) {
        if (takenByScenario(msg)) {
            ++ledger_->messagesReceived;
            return;
        }
        const int index = firstMatch(*config_, msg);
        const Reply* reply = nullptr;
        Json misses;
        if (index >= 0) {
            const MessageRule& rule = config_->matchers[static_cast<size_t>(index)];
            if (rule.response && !rule.noResponse) reply = &*rule.response;
        } else {
            if (!config_->matchers.empty()) misses = {{"nearMisses", nearMisses(*config_, msg)}};
            if (config_->defaultResponse) reply = &*config_->defaultResponse;
        }
        record_->message("in", msg, index >= 0 ? index : ConnectionRecord::kUnmatched,
                         std::move(misses));
        ++ledger_->messagesReceived;
        if (reply)
            queue(renderReply(*reply, &msg, handshakeRequest(), rng_), reply->delayMs);
        else if (config_->echoes())
            queue(std::move(msg), 0);
    }

    struct Outgoing {
        Message msg;
        Clock::time_point due;
    };

    void queue(Message m, int64_t delayMs) {
        if (closing_ || !accepted_) return;
        auto due = Clock::now() + std::chrono::milliseconds(delayMs);
        if (outHead_ < out_.size() && out_.back().due > due) due = out_.back().due;
        out_.push_back({std::move(m), due});
        if (!writing_) writeNext();
    }

    void writeNext() {
        if (outHead_ == out_.size() || writing_ || closing_) return;
        if (out_[outHead_].due > Clock::now()) {
            timer(sendTimer_).expires_at(out_[outHead_].due);
            sendTimer_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
                if (!ec) self->writeNext();
            });
            return;
        }
        writing_ = true;
        // Out of the queue for the write: a reply queued meanwhile may move the queue's storage.
        writingNow_ = std::move(out_[outHead_].msg);
        if (++outHead_ == out_.size()) {
            out_.clear();
            outHead_ = 0;
        }
        ws_.binary(writingNow_.binary);
        ws_.async_write(
            asio::buffer(writingNow_.data),
            [self = this->shared_from_this()](beast::error_code ec, size_t) { self->onWrite(ec); });
    }

    void onWrite(beast::error_code ec) {
        writing_ = false;
        if (ec) return end(1006, ec.message());
        record_->message("out", writingNow_);
        ++ledger_->messagesSent;
        lastActivity_ = Clock::now();
        if (pendingClose_) return close(closeCode_, closeReason_);
        writeNext();
    }

    void armPing() {
        if (!config_->heartbeat || closing_) return;
        timer(pingTimer_)
            .expires_after(std::chrono::milliseconds(awaitingPong_ ? config_->heartbeatTimeoutMs
                                                                   : config_->heartbeatIntervalMs));
        pingTimer_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
            if (ec || self->closing_) return;
            if (self->awaitingPong_) return self->close(1001, "ping timeout");
            self->awaitingPong_ = true;
            self->ws_.async_ping({}, [self](beast::error_code e) {
                if (e) self->end(1006, e.message());
            });
            self->armPing();
        });
    }

    void armIdle() {
        if (config_->idleTimeoutMs <= 0 || closing_) return;
        timer(idleTimer_).expires_after(std::chrono::seconds(1));
        idleTimer_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
            if (ec || self->closing_) return;
            if (Clock::now() - self->lastActivity_ >
                std::chrono::milliseconds(self->config_->idleTimeoutMs))
                return self->close(1001, "idle timeout");
            self->armIdle();
        });
    }

    // Starts the closing handshake (after the frame being written, if one is).
    void close(int code, std::string reason) {
        if (ended_) return;
        if (!accepted_) return end(code, reason);
        if (closing_ && !pendingClose_) return;
        closeCode_ = code;
        closeReason_ = reason;
        if (writing_) {
            pendingClose_ = true;
            closing_ = true;
            return;
        }
        closing_ = true;
        pendingClose_ = false;
        for (auto* t : {&sendTimer_, &stepTimer_, &pingTimer_, &idleTimer_}) cancel(*t);
        ws::close_reason why(static_cast<ws::close_code>(code), reason);
        ws_.async_close(why, [self = this->shared_from_this(), code, reason](beast::error_code) {
            self->end(code, reason);
        });
    }

    void end(int code, const std::string& reason) {
        if (ended_) return;
        ended_ = true;
        closing_ = true;
        for (auto* t : {&sendTimer_, &stepTimer_, &pingTimer_, &idleTimer_}) cancel(*t);
        record_->setClosed(code, reason);
        ledger_->ended(record_->id);
        if (registered_) {
            worker_.remove(this);
            registered_ = false;
        }
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).close(ignored);
    }

    ws::stream<Next> ws_;
    net::Worker& worker_;
    net::ConnectionSlot slot_;
    std::unique_ptr<http::HeldRequest> held_;  // for templated replies only

    const core::Request& handshakeRequest() const {
        static const core::Request kNone;
        return held_ ? held_->request() : kNone;
    }
    std::shared_ptr<const WebSocketConfig> config_;
    match::CompiledMockPtr mock_;
    std::shared_ptr<ConnectionRecord> record_;
    std::shared_ptr<Connections::Ledger> ledger_;
    std::string subprotocol_, handshake_;
    tmpl::Rng rng_;
    static constexpr size_t kReadPiece = 4096;
    std::array<char, 64> chunk_;
    std::string message_;  // the message being read
    // Replies waiting their turn, from `outHead_` (a vector, not a deque: see ConnectionRecord).
    std::vector<Outgoing> out_;
    size_t outHead_ = 0;
    Message writingNow_;  // the message being written
    // Made when first needed: most connections use one or two of them.
    std::unique_ptr<asio::steady_timer> sendTimer_, stepTimer_, pingTimer_, idleTimer_;

    asio::steady_timer& timer(std::unique_ptr<asio::steady_timer>& t) {
        if (!t) t = std::make_unique<asio::steady_timer>(worker_.ctx());
        return *t;
    }
    static void cancel(const std::unique_ptr<asio::steady_timer>& t) {
        if (t) t->cancel();
    }
    // The scenario: the step it is at, whether it waits for a message, the generation of its
    // timer (a step that moved on ignores its old timer), what its last expect took.
    size_t step_ = 0;
    bool scenarioRunning_ = false, expecting_ = false;
    uint64_t stepGeneration_ = 0;
    std::optional<Message> expected_;
    Clock::time_point lastActivity_ = Clock::now();
    bool registered_ = false, accepted_ = false, writing_ = false, closing_ = false,
         pendingClose_ = false, ended_ = false, awaitingPong_ = false;
    int closeCode_ = 1000;
    std::string closeReason_;
};

// ---------------------------------------------------------------- the server's connections

namespace {

// With `skipOriginVerify: false`, a browser's handshake must come from the page's own origin: the
// host of its Origin header (scheme and port too) is the Host it connects to, as Go's WebSocket
// servers check by default. A client that sends no Origin (not a browser) passes.
bool sameOrigin(const core::Request& req) {
    const std::string_view origin = req.header("Origin");
    if (origin.empty()) return true;
    const size_t scheme = origin.find("://");
    if (scheme == std::string_view::npos) return false;
    std::string host(origin.substr(scheme + 3));
    std::string want(req.header("Host"));
    for (auto* s : {&host, &want})
        for (auto& ch : *s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return !want.empty() && host == want;
}

}  // namespace

Connections::Connections(match::Registry& registry) : registry_(registry) {
    watchToken_ = registry_.watch([this] { mocksChanged(); });
}

Connections::~Connections() { registry_.unwatch(watchToken_); }

void Connections::respond(const core::Request& req, const match::CompiledMock& mock,
                          std::shared_ptr<const WebSocketConfig> config, http::Response& res) {
    const std::string mockId = mock.mock().id;
    auto plain = [&](int status, const char* text) {
        res.status = status;
        res.contentType = "text/plain; charset=utf-8";
        res.setBody(std::string(text) + "\n");
    };
    if (config->maxConnections > 0) {
        std::lock_guard lock(ledger_->mu);
        if (ledger_->openFor(mockId) >= static_cast<size_t>(config->maxConnections))
            return plain(503, "max connections reached");
    }
    if (!config->skipOriginVerify && !sameOrigin(req)) return plain(403, "origin not allowed");
    const std::string offered(req.header("Sec-WebSocket-Protocol"));
    std::string subprotocol;
    if (config->subprotocols.empty()) {
        if (config->requireSubprotocol) return plain(400, "subprotocol required");
    } else {
        subprotocol = chooseSubprotocol(*config, offered);
        if (subprotocol.empty() && config->requireSubprotocol)
            return plain(400, "subprotocol not supported");
    }
    auto record = std::make_shared<ConnectionRecord>();
    record->id = newConnectionId();
    record->mockId = mockId;
    record->path = config->path;
    record->subprotocol = subprotocol;
    record->clientIp = std::string(req.remoteAddress);
    record->connectedAtUs = core::nowMicros();
    auto compiled = registry_.current()->byId(mockId);
    {
        std::lock_guard lock(ledger_->mu);
        ledger_->open[record->id] = {record, {}, compiled ? compiled.get() : &mock};
        ++ledger_->total;
    }
    res.status = 101;
    if (auto ex = engine::exchangeOf(res)) {
        ex->entry.protocol = "websocket";
        ex->entry.live = record;
    }
    auto ledger = ledger_;
    // A connection that goes before it is handed over leaves no record behind.
    struct Handover {
        std::shared_ptr<Ledger> ledger;
        std::string id;
        bool taken = false;
        ~Handover() {
            if (!taken) ledger->ended(id);
        }
    };
    auto handover = std::make_shared<Handover>();
    handover->ledger = ledger;
    handover->id = record->id;
    res.upgrade = [config, compiled, record, ledger, subprotocol, handover](http::Upgraded&& up) {
        handover->taken = true;
        std::shared_ptr<SessionControl> control;
        if (up.tls) {
            using Tls = asio::ssl::stream<tcp::socket>;
            auto s = std::make_shared<Session<Tls>>(std::move(*up.tls), up, config, compiled,
                                                    record, ledger, subprotocol);
            s->start();
            control = s;
        } else {
            auto s = std::make_shared<Session<tcp::socket>>(std::move(*up.socket), up, config,
                                                            compiled, record, ledger, subprotocol);
            s->start();
            control = s;
        }
        std::lock_guard lock(ledger->mu);
        if (auto it = ledger->open.find(record->id); it != ledger->open.end())
            it->second.session = control;
    };
}

std::vector<std::shared_ptr<ConnectionRecord>> Connections::list(const std::string& mockId) const {
    std::lock_guard lock(ledger_->mu);
    std::vector<std::shared_ptr<ConnectionRecord>> out;
    for (const auto& [id, o] : ledger_->open)
        if (mockId.empty() || o.record->mockId == mockId) out.push_back(o.record);
    return out;
}

std::shared_ptr<ConnectionRecord> Connections::find(const std::string& id) const {
    std::lock_guard lock(ledger_->mu);
    auto it = ledger_->open.find(id);
    return it == ledger_->open.end() ? nullptr : it->second.record;
}

std::shared_ptr<SessionControl> Connections::session(const std::string& id) const {
    std::lock_guard lock(ledger_->mu);
    auto it = ledger_->open.find(id);
    return it == ledger_->open.end() ? nullptr : it->second.session.lock();
}

bool Connections::close(const std::string& id, int code, const std::string& reason) {
    auto s = session(id);
    if (s) s->closeWith(code, reason);
    return s != nullptr;
}

size_t Connections::closeMock(const std::string& mockId, int code, const std::string& reason) {
    size_t n = 0;
    for (const auto& r : list(mockId)) n += close(r->id, code, reason);
    return n;
}

bool Connections::send(const std::string& id, Message m) {
    auto s = session(id);
    if (s) s->sendFromApi(std::move(m));
    return s != nullptr;
}

size_t Connections::active() const {
    std::lock_guard lock(ledger_->mu);
    return ledger_->open.size();
}

Json Connections::stats() const {
    std::lock_guard lock(ledger_->mu);
    Json byMock = Json::object();
    for (const auto& [id, o] : ledger_->open) {
        auto& n = byMock[o.record->mockId];
        n = (n.is_number() ? n.get<int64_t>() : 0) + 1;
    }
    return {{"totalConnections", ledger_->total},
            {"activeConnections", ledger_->open.size()},
            {"totalMessagesSent", ledger_->messagesSent.load()},
            {"totalMessagesRecv", ledger_->messagesReceived.load()},
            {"connectionsByMock", byMock}};
}

void Connections::Ledger::ended(const std::string& id) {
    std::lock_guard lock(mu);
    open.erase(id);
}

size_t Connections::Ledger::openFor(const std::string& mockId) const {
    size_t n = 0;
    for (const auto& [id, o] : open) n += o.record->mockId == mockId;
    return n;
}

void Connections::mocksChanged() {
    std::vector<std::string> stale;
    {
        std::lock_guard lock(ledger_->mu);
        if (ledger_->open.empty()) return;
        auto snap = registry_.current();
        for (const auto& [id, o] : ledger_->open) {
            auto now = snap->byId(o.record->mockId);
            if (!now || now.get() != o.mock || !now->mock().enabled) stale.emplace_back(id);
        }
    }
    // mockd's code for a mock that changed under its clients: 1012 (service restart).
    for (const auto& id : stale) close(id, 1012, "mock updated");
}

}  // namespace mockd::protocols::websocket
