#include "protocols/sse/sse_streams.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <optional>

#include "core/clock.h"
#include "core/match_input.h"
#include "engine/request_log.h"
#include "http/held_request.h"
#include "protocols/sse/sse_events.h"
#include "template/template.h"

namespace mockd::protocols::sse {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- the record

std::string StreamRecord::json() const { return toJson().dump(); }

core::Json StreamRecord::toJson() const {
    std::lock_guard lock(mu_);
    core::Json j = {{"id", id},
                    {"mockId", mockId},
                    {"path", path},
                    {"clientIp", clientIp},
                    {"connectedAt", core::isoUtc(connectedAtUs, 3)},
                    {"eventsSent", eventsSent_},
                    {"bytesSent", bytesSent_},
                    {"status", status_}};
    if (!userAgent.empty()) j["userAgent"] = userAgent;
    if (!lastEventId_.empty()) j["lastEventId"] = lastEventId_;
    if (!resumedFrom_.empty()) j["resumedFrom"] = resumedFrom_;
    if (!endedBy_.empty()) j["endedBy"] = endedBy_;
    return j;
}

void StreamRecord::sent(size_t bytes, const std::string& eventId, bool isEvent) {
    std::lock_guard lock(mu_);
    bytesSent_ += bytes;
    if (!isEvent) return;
    ++eventsSent_;
    if (!eventId.empty()) lastEventId_ = eventId;
}

void StreamRecord::setResumedFrom(std::string lastEventId) {
    std::lock_guard lock(mu_);
    resumedFrom_ = std::move(lastEventId);
}

void StreamRecord::setStatus(std::string status, std::string endedBy) {
    std::lock_guard lock(mu_);
    status_ = std::move(status);
    if (!endedBy.empty() && endedBy_.empty()) endedBy_ = std::move(endedBy);
}

bool StreamRecord::active() const {
    std::lock_guard lock(mu_);
    return status_ == "active";
}

// ---------------------------------------------------------------- one stream

// Runs one stream on its connection's loop: the next event on one timer, keep-alives on
// another (a keep-alive never restarts the wait for an event), the stream's deadline on a third.
class StreamRun final : public std::enable_shared_from_this<StreamRun> {
  public:
    StreamRun(std::shared_ptr<Streams::Ledger> ledger, match::CompiledMockPtr mock,
              std::shared_ptr<const SseConfig> config, std::shared_ptr<StreamRecord> record,
              const core::Request& req)
        : ledger_(std::move(ledger)),
          mock_(std::move(mock)),
          config_(std::move(config)),
          record_(std::move(record)),
          held_(req),
          input_(held_.request()),
          rng_(tmpl::Rng::unseeded()),
          plan_(config_->timing) {}

    void start(std::shared_ptr<http::Stream> stream, std::string lastEventId);
    // From any thread: ends the stream cleanly without a final event.
    void stop(std::string reason);

  private:
    void begin();
    size_t resumePosition(const std::string& lastEventId) const;
    void scheduleNext();
    void due();
    void send(const Event& e, bool counted);
    void finishGracefully(const std::string& reason);
    void cut(const std::string& reason);
    void endNow(const std::string& reason);
    void stopTimers();
    void armKeepalive();
    std::string render(const Json& data);

    std::shared_ptr<Streams::Ledger> ledger_;
    match::CompiledMockPtr mock_;  // held for the stream's life: its identity is checked
    std::shared_ptr<const SseConfig> config_;
    std::shared_ptr<StreamRecord> record_;
    http::HeldRequest held_;
    core::MatchInput input_;
    tmpl::Rng rng_;
    DelayPlan plan_;
    std::optional<TokenBucket> bucket_;
    std::vector<Event> events_;
    size_t next_ = 0;
    uint64_t sent_ = 0;
    bool ending_ = false;
    std::shared_ptr<http::Stream> stream_;
    std::optional<asio::steady_timer> eventTimer_, keepaliveTimer_, deadline_;
    // Set once the stream runs (its loop), read by stop() from other threads; a stop that
    // comes before is kept and honoured as the stream starts.
    std::mutex stopMu_;
    asio::io_context* loop_ = nullptr;
    std::string stopBefore_;
};

void StreamRun::start(std::shared_ptr<http::Stream> stream, std::string lastEventId) {
    stream_ = std::move(stream);
    asio::io_context& ctx = stream_->context();
    eventTimer_.emplace(ctx);
    keepaliveTimer_.emplace(ctx);
    deadline_.emplace(ctx);
    std::string stopped;
    {
        std::lock_guard lock(stopMu_);
        loop_ = &ctx;
        stopped = stopBefore_;
    }
    // The record and the ledger outlive the run: the stream may close after its last timer.
    std::weak_ptr<StreamRun> weak = weak_from_this();
    stream_->onClose([weak, record = record_, ledger = ledger_] {
        if (auto self = weak.lock()) self->stopTimers();
        record->setStatus("closed", "client");
        ledger->ended(record->id);
    });
    events_ = streamEvents(*config_, rng_);
    if (config_->resume.enabled && !lastEventId.empty()) next_ = resumePosition(lastEventId);
    if (config_->rateLimit)
        bucket_.emplace(config_->rateLimit->eventsPerSecond, config_->rateLimit->burstSize,
                        Clock::now());
    const Lifecycle& l = config_->lifecycle;
    if (l.timeoutSeconds > 0) {
        deadline_->expires_after(std::chrono::seconds(l.timeoutSeconds));
        deadline_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->finishGracefully("timeout");
        });
    }
    if (!stopped.empty()) return endNow(stopped);
    eventTimer_->expires_after(std::chrono::milliseconds(config_->timing.initialDelayMs));
    eventTimer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->begin();
    });
}

// Where a stream resuming after `lastEventId` starts: after that event as the mock's resume
// buffer remembers it, else after the event of the list with that id (its own, or the place
// resume numbers an event without one by); an id neither knows starts from the top.
size_t StreamRun::resumePosition(const std::string& lastEventId) const {
    if (auto at = ledger_->resumeAfter(record_->mockId, mock_.get(), lastEventId, config_->resume))
        return std::min(*at, events_.size());
    for (size_t i = 0; i < events_.size(); ++i) {
        const std::string id = events_[i].id.empty() ? std::to_string(i + 1) : events_[i].id;
        if (id == lastEventId) return i + 1;
    }
    return 0;
}

void StreamRun::begin() {
    if (ending_) return;
    armKeepalive();
    const Lifecycle& l = config_->lifecycle;
    if (l.connectionTimeoutSeconds > 0 && l.timeoutSeconds == 0) {
        deadline_->expires_after(std::chrono::seconds(l.connectionTimeoutSeconds));
        deadline_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->finishGracefully("connectionTimeout");
        });
    }
    scheduleNext();
}

void StreamRun::armKeepalive() {
    const int64_t every = config_->lifecycle.keepaliveSeconds;
    if (every <= 0 || ending_) return;
    keepaliveTimer_->expires_after(std::chrono::seconds(every));
    keepaliveTimer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->ending_) return;
        self->stream_->push(std::string(kKeepalive));
        self->record_->sent(kKeepalive.size(), {}, false);
        self->armKeepalive();
    });
}

void StreamRun::scheduleNext() {
    if (ending_) return;
    const Lifecycle& l = config_->lifecycle;
    if (l.simulateDisconnect && sent_ >= static_cast<uint64_t>(*l.simulateDisconnect))
        return cut("simulateDisconnect");
    if (l.maxEvents > 0 && sent_ >= static_cast<uint64_t>(l.maxEvents))
        return finishGracefully("maxEvents");
    if (next_ >= events_.size()) return finishGracefully("complete");
    const int64_t delay = plan_.next(events_[next_], next_, rng_);
    eventTimer_->expires_after(std::chrono::milliseconds(delay));
    eventTimer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->due();
    });
}

void StreamRun::due() {
    if (ending_) return;
    if (bucket_ && !bucket_->take(Clock::now())) {
        const std::string& strategy = config_->rateLimit->strategy;
        if (strategy == "drop") {
            ++next_;  // skipped, not sent and not counted
            return scheduleNext();
        }
        if (strategy == "error") {
            Event e;
            e.type = "error";
            e.data = Json{{"error", "rate_limit_exceeded"},
                          {"message", "more events than the stream's rateLimit allows"}};
            send(e, false);
            return cut("rateLimit");
        }
        eventTimer_->expires_after(bucket_->wait(Clock::now()));
        eventTimer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->due();
        });
        return;
    }
    Event e = events_[next_++];
    // With resume on, an event without an id gets its place in the list as one, so that a
    // reconnect with it resumes where it left off.
    if (config_->resume.enabled && e.id.empty()) e.id = std::to_string(next_);
    send(e, true);
    scheduleNext();
}

std::string StreamRun::render(const Json& data) {
    // Every string leaf is a template with the request's context.
    std::function<Json(const Json&)> walk = [&](const Json& j) -> Json {
        if (j.is_string()) {
            const std::string& text = j.get_ref<const std::string&>();
            if (text.find("{{") == std::string::npos) return j;
            std::string out;
            tmpl::Template::compile(text).render({&held_.request(), &input_, nullptr}, rng_, out);
            return out;
        }
        if (j.is_object() || j.is_array()) {
            Json copy = j;
            for (auto it = copy.begin(); it != copy.end(); ++it) *it = walk(*it);
            return copy;
        }
        return j;
    };
    return dataText(walk(data));
}

void StreamRun::send(const Event& e, bool counted) {
    std::string data = render(e.data);
    std::string wire = wireEvent(e, data);
    if (counted) ++sent_;
    if (counted && config_->resume.enabled)
        ledger_->buffered(record_->mockId, mock_.get(),
                          {e.id, e.type, std::move(data), next_, core::nowMicros()},
                          config_->resume);
    record_->sent(wire.size(), e.id, true);
    ledger_->counted(wire.size(), true);
    stream_->push(std::move(wire));
}

void StreamRun::finishGracefully(const std::string& reason) {
    if (ending_) return;
    const Lifecycle& l = config_->lifecycle;
    if (l.terminationType == "abrupt") return cut(reason);
    if (l.terminationType == "error") {
        if (l.errorEvent) send(*l.errorEvent, false);
        return cut(reason);
    }
    ending_ = true;
    keepaliveTimer_->cancel();
    deadline_->cancel();
    record_->setStatus("closing", reason);
    if (l.finalEvent) send(*l.finalEvent, false);
    eventTimer_->expires_after(std::chrono::milliseconds(l.closeDelayMs));
    eventTimer_->async_wait(
        [self = shared_from_this()](boost::system::error_code) { self->stream_->finish(); });
}

void StreamRun::cut(const std::string& reason) {
    if (ending_) return;
    const Lifecycle& l = config_->lifecycle;
    if (reason == "simulateDisconnect" && l.errorEvent && l.terminationType != "abrupt")
        send(*l.errorEvent, false);
    ending_ = true;
    record_->setStatus("closing", reason);
    eventTimer_->cancel();
    keepaliveTimer_->cancel();
    deadline_->cancel();
    stream_->abort();
}

void StreamRun::endNow(const std::string& reason) {
    if (ending_) return;
    ending_ = true;
    record_->setStatus("closing", reason);
    eventTimer_->cancel();
    keepaliveTimer_->cancel();
    deadline_->cancel();
    stream_->finish();
}

void StreamRun::stop(std::string reason) {
    asio::io_context* loop = nullptr;
    {
        std::lock_guard lock(stopMu_);
        loop = loop_;
        if (!loop) stopBefore_ = reason;
    }
    if (!loop) return;
    asio::post(*loop,
               [self = shared_from_this(), reason = std::move(reason)] { self->endNow(reason); });
}

void StreamRun::stopTimers() {
    ending_ = true;
    eventTimer_->cancel();
    keepaliveTimer_->cancel();
    deadline_->cancel();
}

// ---------------------------------------------------------------- the server's streams

Streams::Streams(match::Registry& registry, size_t maxStreams)
    : registry_(registry), maxStreams_(maxStreams) {
    watchToken_ = registry_.watch([this] { mocksChanged(); });
}

Streams::~Streams() { registry_.unwatch(watchToken_); }

void Streams::respond(const core::Request& req, const match::CompiledMock& mock,
                      std::shared_ptr<const SseConfig> config, http::Response& res) {
    res.contentType = "text/event-stream";
    res.addHeader("Cache-Control", "no-cache");
    res.addHeader("X-Accel-Buffering", "no");
    auto record = std::make_shared<StreamRecord>();
    Ledger& l = *ledger_;
    {
        std::lock_guard lock(l.mu);
        if (l.open.size() >= maxStreams_) {
            ++l.stats.connectionErrors;
            res.status = 503;
            res.contentType = "text/plain; charset=utf-8";
            res.setBody("sse: maximum connections reached\n");
            return;
        }
        record->id = "sse-" + std::to_string(l.nextId++);
    }
    if (const auto& rl = config->rateLimit; rl && rl->headers) {
        res.addHeader("X-RateLimit-Limit",
                      std::to_string(static_cast<int64_t>(rl->eventsPerSecond)));
        res.addHeader(
            "X-RateLimit-Remaining",
            std::to_string(rl->burstSize > 0 ? rl->burstSize
                                             : static_cast<int64_t>(rl->eventsPerSecond)));
        res.addHeader("X-RateLimit-Reset", std::to_string(core::nowMicros() / 1000000 + 1));
    }
    res.setBody(std::string(kPreamble));
    if (res.headOnly) return;  // the head of the stream, and no stream
    record->mockId = mock.mock().id;
    record->path = std::string(req.path);
    record->clientIp = std::string(req.remoteAddress);
    record->userAgent = std::string(req.header("User-Agent"));
    record->connectedAtUs = core::nowMicros();
    std::string lastEventId(req.header("Last-Event-ID"));
    if (!lastEventId.empty()) record->setResumedFrom(lastEventId);
    record->sent(kPreamble.size(), {}, false);
    auto compiled = registry_.current()->byId(mock.mock().id);
    auto run = std::make_shared<StreamRun>(ledger_, compiled, std::move(config), record, req);
    {
        std::lock_guard lock(l.mu);
        l.open[record->id] = {record, run};
        // Deleted since it matched: the next change of mocks ends the stream.
        l.mockOf[record->id] = {record->mockId, compiled ? compiled.get() : &mock};
        ++l.stats.totalConnections;
    }
    res.chunkedStream = true;
    res.stream = [run, lastEventId](std::shared_ptr<http::Stream> s) {
        run->start(std::move(s), lastEventId);
    };
    if (auto ex = engine::exchangeOf(res)) {
        ex->entry.protocol = "sse";
        ex->entry.live = record;
    }
}

std::vector<std::shared_ptr<StreamRecord>> Streams::list(const std::string& mockId) const {
    std::lock_guard lock(ledger_->mu);
    std::vector<std::shared_ptr<StreamRecord>> out;
    for (const auto& [id, entry] : ledger_->open)
        if (mockId.empty() || entry.first->mockId == mockId) out.push_back(entry.first);
    return out;
}

std::shared_ptr<StreamRecord> Streams::find(const std::string& id) const {
    std::lock_guard lock(ledger_->mu);
    auto it = ledger_->open.find(id);
    return it == ledger_->open.end() ? nullptr : it->second.first;
}

bool Streams::close(const std::string& id, const std::string& reason) {
    std::shared_ptr<StreamRun> run;
    {
        std::lock_guard lock(ledger_->mu);
        auto it = ledger_->open.find(id);
        if (it == ledger_->open.end()) return false;
        run = it->second.second.lock();
    }
    if (!run) return false;
    run->stop(reason);
    return true;
}

size_t Streams::closeMock(const std::string& mockId, const std::string& reason) {
    size_t closed = 0;
    for (const auto& r : list(mockId)) closed += close(r->id, reason);
    return closed;
}

void Streams::closeAll(const std::string& reason) {
    for (const auto& r : list()) close(r->id, reason);
}

size_t Streams::active() const {
    std::lock_guard lock(ledger_->mu);
    return ledger_->open.size();
}

core::Json Streams::stats() const {
    const Ledger& l = *ledger_;
    std::lock_guard lock(ledger_->mu);
    core::Json byMock = core::Json::object();
    for (const auto& [id, entry] : l.open) {
        auto& n = byMock[entry.first->mockId];
        n = (n.is_number() ? n.get<int64_t>() : 0) + 1;
    }
    return {
        {"totalConnections", l.stats.totalConnections}, {"activeConnections", l.open.size()},
        {"totalEventsSent", l.stats.totalEventsSent},   {"totalBytesSent", l.stats.totalBytesSent},
        {"connectionErrors", l.stats.connectionErrors}, {"connectionsByMock", byMock}};
}

void Streams::Ledger::ended(const std::string& id) {
    std::lock_guard lock(mu);
    open.erase(id);
    mockOf.erase(id);
}

void Streams::Ledger::counted(size_t bytes, bool isEvent) {
    std::lock_guard lock(mu);
    stats.totalBytesSent += bytes;
    if (isEvent) ++stats.totalEventsSent;
}

void ResumeBuffer::expire(int64_t nowUs, int64_t maxAgeSeconds) {
    if (maxAgeSeconds <= 0) return;
    const int64_t oldest = nowUs - maxAgeSeconds * 1000000;
    while (!events_.empty() && events_.front().sentAtUs < oldest) events_.pop_front();
}

void ResumeBuffer::add(Event e, size_t capacity, int64_t maxAgeSeconds) {
    expire(e.sentAtUs, maxAgeSeconds);
    events_.push_back(std::move(e));
    while (events_.size() > capacity) events_.pop_front();
}

std::optional<size_t> ResumeBuffer::resumeAfter(const std::string& id,
                                                int64_t maxAgeSeconds) const {
    const int64_t oldest = maxAgeSeconds > 0 ? core::nowMicros() - maxAgeSeconds * 1000000 : 0;
    // The newest event with that id: ids repeat when several streams of the mock run.
    for (auto it = events_.rbegin(); it != events_.rend(); ++it)
        if (it->id == id && it->sentAtUs >= oldest) return it->position;
    return std::nullopt;
}

core::Json ResumeBuffer::toJson(int64_t maxAgeSeconds) const {
    const int64_t oldest = maxAgeSeconds > 0 ? core::nowMicros() - maxAgeSeconds * 1000000 : 0;
    core::Json list = core::Json::array();
    for (const auto& e : events_) {
        if (e.sentAtUs < oldest) continue;
        list.push_back({{"id", e.id},
                        {"type", e.type},
                        {"data", e.data},
                        {"position", e.position},
                        {"sentAt", core::isoUtc(e.sentAtUs, 3)}});
    }
    return list;
}

size_t ResumeBuffer::clear() {
    const size_t n = events_.size();
    events_.clear();
    return n;
}

void Streams::Ledger::buffered(const std::string& mockId, const match::CompiledMock* of,
                               ResumeBuffer::Event e, const Resume& resume) {
    std::lock_guard lock(mu);
    ResumeBuffer& b = buffers[mockId];
    if (b.of != of) {  // the mock changed since: its old events say nothing of the new list
        b.clear();
        b.of = of;
    }
    b.add(std::move(e), static_cast<size_t>(resume.bufferSize), resume.maxAgeSeconds);
}

std::optional<size_t> Streams::Ledger::resumeAfter(const std::string& mockId,
                                                   const match::CompiledMock* of,
                                                   const std::string& id, const Resume& resume) {
    std::lock_guard lock(mu);
    auto it = buffers.find(mockId);
    if (it == buffers.end() || it->second.of != of) return std::nullopt;
    return it->second.resumeAfter(id, resume.maxAgeSeconds);
}

core::Json Streams::buffer(const std::string& mockId, const SseConfig& config) const {
    core::Json events = core::Json::array();
    {
        std::lock_guard lock(ledger_->mu);
        auto it = ledger_->buffers.find(mockId);
        auto now = registry_.current()->byId(mockId);
        if (it != ledger_->buffers.end() && now && it->second.of == now.get())
            events = it->second.toJson(config.resume.maxAgeSeconds);
    }
    return {{"mockId", mockId},
            {"enabled", config.resume.enabled},
            {"bufferSize", config.resume.bufferSize},
            {"maxAge", config.resume.maxAgeSeconds},
            {"count", events.size()},
            {"events", std::move(events)}};
}

size_t Streams::clearBuffer(const std::string& mockId) {
    std::lock_guard lock(ledger_->mu);
    auto it = ledger_->buffers.find(mockId);
    return it == ledger_->buffers.end() ? 0 : it->second.clear();
}

void Streams::mocksChanged() {
    std::vector<std::string> stale;
    {
        std::lock_guard lock(ledger_->mu);
        auto snap = registry_.current();
        // A deleted mock's buffer goes with it (an updated one's restarts as it is next filled).
        std::erase_if(ledger_->buffers, [&](const auto& b) { return !snap->byId(b.first); });
        for (const auto& [id, mock] : ledger_->mockOf) {
            auto now = snap->byId(mock.first);
            // Updated (a new compiled mock), disabled or deleted: its streams end, as mockd's.
            if (!now || now.get() != mock.second || !now->mock().enabled) stale.push_back(id);
        }
    }
    for (const auto& id : stale) close(id, "mockChanged");
}

}  // namespace mockd::protocols::sse
