// Connections: Beast's HTTP/1.1 parser driven over a flat buffer so that every complete
// request already received (pipelining) is answered in order and in one write; delays on timers;
// header/idle timeouts checked by the worker's sweep; lingering close after errors.
#include "http/connection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cassert>
#include <optional>

#include "core/client_cert.h"
#include "core/delivery.h"
#include "http/local_reply.h"
#include "http/request.h"
#include "http/response.h"
#include "log/log.h"
#include "match/path_pattern.h"

namespace mockd::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = net::Clock;

std::string_view phaseName(Phase p) {
    switch (p) {
        case Phase::Handshake:
            return "handshake";
        case Phase::Serving:
            return "serving";
        case Phase::Streaming:
            return "streaming";
        case Phase::Lingering:
            return "lingering";
        case Phase::Closed:
            return "closed";
    }
    return "?";
}

bool allowedTransition(Phase from, Phase to) {
    if (from == Phase::Closed) return false;
    switch (to) {
        case Phase::Closed:
            return true;
        case Phase::Serving:
            return from == Phase::Handshake;
        case Phase::Streaming:
            return from == Phase::Serving;
        case Phase::Lingering:
            return from == Phase::Serving || from == Phase::Streaming;
        case Phase::Handshake:
            return false;
    }
    return false;
}

class Connection;

namespace {

// Request storage owned by a connection and reused across requests, so a warm connection
// parses without allocating.
struct RequestStore {
    std::string text;                                   // method, target and header bytes
    std::vector<std::pair<uint32_t, uint32_t>> fields;  // (offset, length) name, value, ...
    uint32_t methodOff = 0, methodLen = 0, targetOff = 0, targetLen = 0;
    std::string body;
    unsigned version = 11;
    bool expectContinue = false;
    bool sawHost = false, sawTransferEncoding = false;

    void reset() {
        text.clear();
        fields.clear();
        body.clear();
        expectContinue = false;
        sawHost = sawTransferEncoding = false;
    }
    std::pair<uint32_t, uint32_t> put(std::string_view s) {
        auto off = static_cast<uint32_t>(text.size());
        text.append(s);
        return {off, static_cast<uint32_t>(s.size())};
    }
};

class Parser final : public bhttp::basic_parser<true> {
  public:
    explicit Parser(RequestStore& store) : store_(store) {}

  private:
    static std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

    void on_request_impl(bhttp::verb, beast::string_view method, beast::string_view target,
                         int version, beast::error_code&) override {
        std::tie(store_.methodOff, store_.methodLen) = store_.put(sv(method));
        std::tie(store_.targetOff, store_.targetLen) = store_.put(sv(target));
        store_.version = static_cast<unsigned>(version);
    }
    void on_response_impl(int, beast::string_view, int, beast::error_code& ec) override {
        ec = bhttp::error::bad_version;
    }
    void on_field_impl(bhttp::field f, beast::string_view name, beast::string_view value,
                       beast::error_code&) override {
        if (f == bhttp::field::expect && core::iequals(sv(value), "100-continue"))
            store_.expectContinue = true;
        if (f == bhttp::field::host) store_.sawHost = true;
        if (f == bhttp::field::transfer_encoding) store_.sawTransferEncoding = true;
        store_.fields.push_back(store_.put(sv(name)));
        store_.fields.push_back(store_.put(sv(value)));
    }
    void on_header_impl(beast::error_code& ec) override {
        // RFC 9112: a body whose framing is not chunked cannot be delimited (6.3), and an
        // HTTP/1.1 request must name its Host (3.2). Both are a 400 and a closed connection.
        if (store_.sawTransferEncoding && !chunked()) ec = bhttp::error::bad_transfer_encoding;
        if (store_.version >= 11 && !store_.sawHost) ec = bhttp::error::bad_field;
    }
    void on_body_init_impl(const boost::optional<std::uint64_t>& len, beast::error_code&) override {
        if (len && *len <= (1u << 20)) store_.body.reserve(static_cast<size_t>(*len));
    }
    std::size_t on_body_impl(beast::string_view body, beast::error_code&) override {
        store_.body.append(body.data(), body.size());
        return body.size();
    }
    void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                   beast::error_code&) override {
        store_.body.append(body.data(), body.size());
        return body.size();
    }
    void on_finish_impl(beast::error_code&) override {}

    RequestStore& store_;
};

constexpr size_t kReadChunk = size_t{16} * 1024;
// A connection starts with a read buffer one request's head fits in, and doubles it (up to
// kReadChunk) while reads fill it (pipelining, large bodies): an idle connection stays small.
constexpr size_t kFirstReadChunk = 2048;
// While a stream is open the client rarely sends anything (a close, at most a next request):
// a small read buffer keeps thousands of open streams cheap.
constexpr size_t kStreamingReadChunk = 512;
constexpr size_t kMaxBufferedInput = size_t{1024} * 1024;  // stop reading ahead beyond this
constexpr size_t kMaxPendingOutput = size_t{4} * 1024 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kMaxStreamBacklog = size_t{4} * 1024 * 1024;

}  // namespace

// The Stream a connection hands to a producer: pushes are posted to the connection's thread.
class ConnectionStream final : public Stream {
  public:
    ConnectionStream(asio::io_context& ctx, std::weak_ptr<Connection> conn)
        : ctx_(ctx), conn_(std::move(conn)) {}
    void push(std::string data) override;
    void finish() override;
    void abort() override;
    bool closed() const override { return closed_.load(std::memory_order_acquire); }
    // A stream that closed before its producer started (its client left during the delay
    // before the head) tells the producer at once.
    void onClose(std::function<void()> fn) override {
        if (closed()) return fn();
        onClose_ = std::move(fn);
    }
    asio::io_context& context() override { return ctx_; }
    void markClosed() {
        if (closed_.exchange(true)) return;
        if (onClose_) onClose_();
    }

  private:
    asio::io_context& ctx_;
    std::weak_ptr<Connection> conn_;
    std::atomic<bool> closed_{false};
    std::function<void()> onClose_;
};

class Connection final : public std::enable_shared_from_this<Connection>, public net::Session {
  public:
    Connection(net::Worker& worker, tcp::socket socket, Handler& handler, const Limits& limits,
               net::ConnectionSlot slot, std::shared_ptr<const net::TlsServer> tls)
        : worker_(worker),
          socket_(worker.ctx()),
          handler_(handler),
          limits_(limits),
          slot_(std::move(slot)),
          tlsServer_(std::move(tls)),
          delay_(worker.ctx()),
          phase_(tlsServer_ ? Phase::Handshake : Phase::Serving) {
        if (tlsServer_)
            tls_ = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(socket),
                                                                    *tlsServer_->ctx);
        else
            socket_ = std::move(socket);
        worker_.add(this);
        lastActivity_ = Clock::now();
        beast::error_code ec;
        auto ep = sock().remote_endpoint(ec);
        if (!ec) remote_ = ep.address().to_string();
        auto local = sock().local_endpoint(ec);
        if (!ec) localPort_ = local.port();
    }
    ~Connection() override {
        if (stream_) stream_->markClosed();
        worker_.remove(this);
    }

    void start() {
        newParser();
        if (worker_.draining()) endWith(Ending::AfterResponses);
        if (phase_ == Phase::Handshake) {
            requestStart_ = Clock::now();
            tls_->async_handshake(
                asio::ssl::stream_base::server,
                [self = shared_from_this()](beast::error_code ec) { self->onHandshake(ec); });
            return;
        }
        doRead();
    }

    // Called by the worker's sweep once a second.
    void sweep(Clock::time_point now) override {
        switch (phase_) {
            case Phase::Closed:
            case Phase::Streaming:
                return;
            case Phase::Lingering:
                if (now - lingerStart_ > kLingerTime) closeNow();
                return;
            case Phase::Handshake:
                if (now - requestStart_ > limits_.headerTimeout) closeNow();
                return;
            case Phase::Serving:
                break;
        }
        if (hold_ != Hold::None) return;
        bool midRequest = parser_ && parser_->got_some() && !parser_->is_header_done();
        if (midRequest && now - requestStart_ > limits_.headerTimeout) {
            closeNow();
            return;
        }
        if (now - lastActivity_ > limits_.idleTimeout) closeNow();
    }

    // Drain: an idle connection closes now; a busy one closes after its response.
    void drain() override {
        endWith(Ending::AfterResponses);
        if (phase_ == Phase::Streaming) {
            streamEnd(true);  // a clean end: the client knows the stream is over, not broken
            return;
        }
        if (phase_ == Phase::Handshake) {
            closeNow();
            return;
        }
        bool idle = hold_ == Hold::None && !writing_ && out_.empty() &&
                    !(parser_ && parser_->got_some()) && inbuf_.size() == 0;
        if (idle) closeNow();
    }

  private:
    bool closed() const { return phase_ == Phase::Closed; }
    bool closing() const { return ending_ != Ending::KeepOpen; }
    void enter(Phase next) {
        assert(allowedTransition(phase_, next));
        phase_ = next;
    }
    // Endings only get firmer: a connection that is to close never goes back to staying open.
    void endWith(Ending e) {
        if (e > ending_) ending_ = e;
    }

    tcp::socket& sock() { return tls_ ? tls_->next_layer() : socket_; }

    // Reads or writes through TLS on the HTTPS port, on the socket itself otherwise.
    template <class F>
    void withStream(F&& f) {
        if (tls_)
            f(*tls_);
        else
            f(socket_);
    }

    void onHandshake(beast::error_code ec) {
        if (closed()) return;
        if (ec) {
            // A client that does not trust the certificate, or speaks plain HTTP to this port.
            log::debug("TLS handshake failed", {{"remote", remote_}, {"error", ec.message()}});
            closeNow();
            return;
        }
        clientCert_ =
            std::make_unique<core::ClientCert>(net::readClientCert(tls_->native_handle()));
        if (clientCert_->present && !net::allowedByLists(*clientCert_, tlsServer_->settings)) {
            log::debug("client certificate not allowed",
                       {{"remote", remote_}, {"cn", clientCert_->cn}});
            closeNow();
            return;
        }
        enter(Phase::Serving);
        lastActivity_ = Clock::now();
        doRead();
    }

    void newParser() {
        store_.reset();
        parser_.emplace(store_);
        parser_->header_limit(static_cast<std::uint32_t>(limits_.maxHeaderBytes));
        parser_->body_limit(limits_.maxBodyBytes);
        parser_->eager(true);
        sent100_ = false;
    }

    void doRead() {
        if (reading_ || closed() || peerClosed_) return;
        if (inbuf_.size() >= kMaxBufferedInput) return;  // back-pressure
        reading_ = true;
        withStream([&](auto& stream) {
            stream.async_read_some(
                inbuf_.prepare(phase_ == Phase::Streaming ? kStreamingReadChunk : readChunk_),
                [self = shared_from_this()](beast::error_code ec, size_t n) {
                    self->onRead(ec, n);
                });
        });
    }

    void shutdownTls() {
        tls_->async_shutdown([self = shared_from_this()](beast::error_code) { self->closeNow(); });
    }

    void onRead(beast::error_code ec, size_t n) {
        reading_ = false;
        if (closed()) return;
        if (hold_ == Hold::Upgrade) {
            // The read was cancelled for the hand-over; bytes it brought go along.
            if (!ec) inbuf_.commit(n);
            flush();
            return;
        }
        const bool lingering = phase_ == Phase::Lingering;
        if (lingering && tls_) {
            shutdownTls();
            return;
        }
        if (ec) {
            // A TLS client that closes without close_notify ends its stream just the same.
            if (ec == asio::ssl::error::stream_truncated) ec = asio::error::eof;
            if (lingering || ec != asio::error::eof) {
                closeNow();
                return;
            }
            // The client closed its side. A held response has nobody to go to; otherwise
            // answer what was received and close.
            peerClosed_ = true;
            if (hold_ != Hold::None) {
                closeNow();
                return;
            }
            process();
            return;
        }
        lastActivity_ = Clock::now();
        if (lingering) {
            inbuf_.consume(inbuf_.size() + n);
            doRead();
            return;
        }
        inbuf_.commit(n);
        if (n == readChunk_) readChunk_ = std::min(readChunk_ * 2, kReadChunk);
        process();
    }

    void process() {
        while (phase_ == Phase::Serving && hold_ == Hold::None && ending_ != Ending::AfterError &&
               out_.size() < kMaxPendingOutput && inbuf_.size() > 0) {
            // After "Connection: close" (or a drain) only a request already begun is finished.
            if (closing() && !parser_->got_some()) break;
            if (!parser_->got_some()) requestStart_ = Clock::now();
            beast::error_code ec;
            size_t used = parser_->put(inbuf_.data(), ec);
            inbuf_.consume(used);
            // The client waits for this before sending the body.
            if (!ec || ec == bhttp::error::need_more) {
                if (parser_->is_header_done() && !parser_->is_done() && store_.expectContinue &&
                    !sent100_ && store_.version >= 11) {
                    out_ += "HTTP/1.1 100 Continue\r\n\r\n";
                    sent100_ = true;
                }
            }
            if (ec == bhttp::error::need_more) break;
            if (ec) {
                sendParseError(ec);
                break;
            }
            if (parser_->is_done()) {
                dispatch();
                if (ending_ != Ending::AfterError) newParser();
                continue;
            }
            if (used == 0) break;
        }
        flush();
    }

    void sendParseError(const beast::error_code& ec) {
        Response res;
        if (ec == bhttp::error::body_limit)
            local_reply::mockdError(res, 413, "body_too_large",
                                    "Request body exceeds maximum allowed size");
        else if (ec == bhttp::error::header_limit)
            local_reply::text(res, 431, "text/plain; charset=utf-8",
                              "431 Request Header Fields Too Large");
        else
            local_reply::text(res, 400, "text/plain; charset=utf-8", "400 Bad Request");
        writeResponse(res, true, out_);
        endWith(Ending::AfterError);
    }

    void dispatch() {
        core::Request& req = req_;
        const std::string& t = store_.text;
        req.method = std::string_view(t).substr(store_.methodOff, store_.methodLen);
        req.target = std::string_view(t).substr(store_.targetOff, store_.targetLen);
        req.headers.clear();
        for (size_t i = 0; i + 1 < store_.fields.size(); i += 2)
            req.headers.push_back(
                {std::string_view(t).substr(store_.fields[i].first, store_.fields[i].second),
                 std::string_view(t).substr(store_.fields[i + 1].first,
                                            store_.fields[i + 1].second)});
        req.body = store_.body;
        req.version = store_.version;
        req.keepAlive = parser_->keep_alive();
        req.remoteAddress = remote_;
        req.localPort = localPort_;
        req.secure = tls_ != nullptr;
        req.clientCert = clientCert_.get();

        std::string_view target = req.target;
        if (target.starts_with("http://") || target.starts_with("https://")) {
            size_t slash = target.find('/', target.find("//") + 2);
            target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
        } else if (target.empty() || (target[0] != '/' && target != "*")) {
            beast::error_code bad = bhttp::error::bad_target;
            sendParseError(bad);
            return;
        }
        size_t q = target.find('?');
        req.rawPath = target.substr(0, q);
        req.rawQuery = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
        if (size_t h = req.rawQuery.find('#'); h != std::string_view::npos)
            req.rawQuery = req.rawQuery.substr(0, h);
        if (req.rawPath.find('%') != std::string_view::npos) {
            decodedPath_ = match::percentDecode(req.rawPath);
            req.path = decodedPath_;
        } else {
            req.path = req.rawPath;
        }

        const bool last = closing() || !req.keepAlive || worker_.draining();
        Response res;
        res.headOnly = req.method == "HEAD";  // the head of what GET would answer, no body
        handler_.handle(req, res);
        if (res.upgrade) {
            // Handed over once the responses before it are out (see flush); nothing more is
            // read as HTTP. A delay (chaos latency) comes first, as mockd's chaos sleeps before
            // any handler; a client that leaves meanwhile is never handed over.
            upgradeRequest_ = ownedCopy(req);
            if (res.delivery.delayMs > 0) {
                holdForDelay(std::move(res), [](Connection& c, Response held, bool open) {
                    if (!open) return;
                    c.hold_ = Hold::Upgrade;
                    c.upgrade_ = std::move(held.upgrade);
                    c.flush();
                });
                return;
            }
            hold_ = Hold::Upgrade;
            upgrade_ = std::move(res.upgrade);
            return;
        }
        if (res.later) {
            // Held like a delayed response until the answer arrives; the completion is posted so
            // that it never runs inside this parse loop.
            hold_ = Hold::Later;
            if (last) endWith(Ending::AfterResponses);
            auto later = std::move(res.later);
            later(worker_.ctx(), [self = shared_from_this()](Response answer) {
                asio::post(self->worker_.ctx(), [self, answer = std::move(answer)]() mutable {
                    self->completeLater(std::move(answer));
                });
            });
            return;
        }
        if (last) endWith(Ending::AfterResponses);
        if (res.stream) {
            // An HTTP/1.0 client knows no chunks: its stream ends where the connection does.
            if (req.version < 11) res.chunkedStream = false;
            if (res.delivery.delayMs > 0) return holdStream(std::move(res));
            startStream(std::move(res));
            return;
        }
        send(std::move(res), last);
    }

    // Writes a stream's head and hands the stream to its producer.
    void startStream(Response res) {
        enter(Phase::Streaming);
        endWith(Ending::AfterResponses);
        streamChunked_ = res.chunkedStream;
        writeResponse(res, true, out_);
        if (!reading_ && inbuf_.size() == 0) inbuf_.shrink_to_fit();
        stream_ = std::make_shared<ConnectionStream>(worker_.ctx(), weak_from_this());
        res.stream(stream_);
    }

    // Holds `res` for its delay; `then(connection, res, open)` runs when the delay ends, or when
    // the connection closes first (`open` false).
    template <class Then>
    void holdForDelay(Response res, Then then) {
        const auto delay = std::chrono::milliseconds(res.delivery.delayMs);
        res.delivery.delayMs = 0;
        held_ = std::make_unique<Response>(std::move(res));
        hold_ = Hold::Delay;
        delay_.expires_after(delay);
        delay_.async_wait(
            [self = shared_from_this(), then = std::move(then)](beast::error_code ec) {
                Response held = std::move(*self->held_);
                self->held_.reset();
                const bool open = !ec && !self->closed();
                if (open) {
                    self->hold_ = Hold::None;
                    self->lastActivity_ = Clock::now();
                }
                then(*self, std::move(held), open);
            });
    }

    // A delay (chaos latency, a mock's delay) holds a stream's head as it holds any answer. A
    // client that leaves meanwhile gets no stream, but its producer still learns of it, so that
    // what it counts as open is closed.
    void holdStream(Response res) {
        holdForDelay(std::move(res), [](Connection& c, Response held, bool open) {
            if (!open) {
                auto gone = std::make_shared<ConnectionStream>(c.worker_.ctx(),
                                                               std::weak_ptr<Connection>());
                gone->markClosed();
                held.stream(gone);
                return;
            }
            c.startStream(std::move(held));
            if (c.worker_.draining()) c.streamEnd(true);  // the drain came meanwhile
            c.flush();
        });
    }

    // A response the handler produced later (see Response::later).
    void completeLater(Response res) {
        if (closed()) return;
        hold_ = Hold::None;
        lastActivity_ = Clock::now();
        send(std::move(res), closing() || worker_.draining());
        if (hold_ != Hold::None)
            flush();
        else
            process();
    }

    // Writes a response, or holds it for its delay (it is written when the delay ends, so that a
    // drain begun meanwhile makes it the connection's last); then starts its dribbled chunks.
    void send(Response res, bool last) {
        if (res.delivery.close) endWith(Ending::AfterResponses);
        if (res.delivery.delayMs > 0) {
            holdForDelay(std::move(res), [](Connection& c, Response held, bool open) {
                if (!open) return;
                c.send(std::move(held), c.closing() || c.worker_.draining());
                if (c.hold_ != Hold::None) return c.flush();
                c.process();
            });
            return;
        }
        WirePlan plan = writeResponse(res, last, out_);
        if (plan.close) endWith(Ending::AfterResponses);
        if (plan.reset) endWith(Ending::ResetAfterResponses);
        if (!plan.chunks.empty()) {
            chunks_ = std::move(plan.chunks);
            nextChunk_ = 0;
            chunkInterval_ = std::chrono::milliseconds(plan.chunkIntervalMs);
            nextChunkLater();
        }
    }

    // Dribbles the next body chunk after chunkInterval_; no other response is read or sent
    // until the last one is out.
    void nextChunkLater() {
        hold_ = Hold::Dribble;
        delay_.expires_after(chunkInterval_);
        delay_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec || self->closed()) return;
            self->out_ += self->chunks_[self->nextChunk_++];
            self->lastActivity_ = Clock::now();
            if (self->nextChunk_ < self->chunks_.size()) {
                self->nextChunkLater();
                self->flush();
                return;
            }
            self->chunks_.clear();
            self->hold_ = Hold::None;
            self->process();
        });
    }

    bool doneAfterOutput() const {
        if (phase_ == Phase::Streaming && streamEnded_) return true;
        if (hold_ != Hold::None ||
            (phase_ == Phase::Streaming && !peerClosed_ && !worker_.draining()))
            return false;
        if (ending_ == Ending::AfterError || peerClosed_) return true;
        return closing() && !parser_->got_some();
    }

    void flush() {
        if (closed()) return;
        if (!writing_ && !out_.empty()) {
            writing_ = true;
            wbuf_.swap(out_);
            out_.clear();
            withStream([&](auto& stream) {
                asio::async_write(stream, asio::buffer(wbuf_),
                                  [self = shared_from_this()](beast::error_code ec, size_t) {
                                      self->onWrite(ec);
                                  });
            });
        } else if (!writing_ && hold_ == Hold::Upgrade) {
            // One operation at a time owns the socket: a read still waiting is cancelled first
            // (onRead then comes back here).
            beast::error_code ignored;
            if (reading_)
                sock().cancel(ignored);
            else
                handOver();
            return;
        } else if (!writing_ && doneAfterOutput()) {
            finish();
            return;
        }
        if (hold_ != Hold::Upgrade) doRead();
    }

    static OwnedRequest ownedCopy(const core::Request& req) {
        OwnedRequest o;
        o.method = req.method;
        o.target = req.target;
        for (const auto& h : req.headers) o.headers.emplace_back(h.name, h.value);
        o.body = req.body;
        o.version = req.version;
        o.remoteAddress = req.remoteAddress;
        return o;
    }

    // Gives the socket, what was read past the upgrade request, and this connection's place in
    // the count to the protocol that took the upgrade; this connection then ends.
    void handOver() {
        Upgraded up;
        up.worker = &worker_;
        if (tls_)
            up.tls = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(*tls_));
        else
            up.socket.emplace(std::move(socket_));
        const auto data = inbuf_.data();
        up.buffered.assign(static_cast<const char*>(data.data()), data.size());
        inbuf_.consume(inbuf_.size());
        up.request = std::move(upgradeRequest_);
        up.slot = std::move(slot_);
        enter(Phase::Closed);
        delay_.cancel();
        if (stream_) stream_->markClosed();
        auto take = std::move(upgrade_);
        take(std::move(up));
    }

    void onWrite(beast::error_code ec) {
        writing_ = false;
        wbuf_.clear();
        if (closed()) return;
        if (ec) {
            closeNow();
            return;
        }
        lastActivity_ = Clock::now();
        process();
    }

    // All responses are out: close our side, then discard whatever the client still sends for a
    // moment so the kernel does not reset the connection before it has read our answer.
    void finish() {
        if (closed() || phase_ == Phase::Lingering) return;
        beast::error_code ignored;
        if (ending_ == Ending::ResetAfterResponses) {
            // A zero linger time makes close() send RST instead of FIN.
            sock().set_option(asio::socket_base::linger(true, 0), ignored);
            enter(Phase::Closed);
            if (stream_) stream_->markClosed();
            delay_.cancel();
            sock().close(ignored);
            return;
        }
        if (tls_) {
            // close_notify, then the client's; the sweep ends a wait longer than the linger time.
            // A read still waiting is cancelled first (onRead then starts the shutdown): one
            // operation at a time reads from a TLS stream.
            enter(Phase::Lingering);
            lingerStart_ = Clock::now();
            if (reading_)
                sock().cancel(ignored);
            else
                shutdownTls();
            return;
        }
        socket_.shutdown(tcp::socket::shutdown_send, ignored);
        // Linger only when the client may still be sending (an error mid-request, or more
        // bytes already here): closing with unread data would reset the connection.
        bool mayStillSend =
            ending_ == Ending::AfterError || inbuf_.size() > 0 || socket_.available(ignored) > 0;
        if (peerClosed_ || !mayStillSend) {
            closeNow();
            return;
        }
        enter(Phase::Lingering);
        lingerStart_ = Clock::now();
        inbuf_.consume(inbuf_.size());
        doRead();
    }

  public:
    // Appends streamed data (on the connection's thread).
    void streamData(const std::string& data) {
        if (closed()) return;
        // A listener that stopped reading is cut off rather than buffered without bound.
        if (out_.size() > kMaxStreamBacklog) {
            closeNow();
            return;
        }
        if (streamEnded_) return;
        if (streamChunked_)
            core::appendChunk(out_, data);
        else
            out_ += data;
        lastActivity_ = Clock::now();
        flush();
    }

    // Ends the stream (on the connection's thread): cleanly, with the last chunk once the data
    // before it is written, or at once with a reset.
    void streamEnd(bool clean) {
        if (closed() || phase_ != Phase::Streaming || streamEnded_) return;
        if (!clean) {
            // What is not written yet is dropped; a write in flight ends first (then flush
            // finds the stream over and resets the connection).
            endWith(Ending::ResetAfterResponses);
            streamEnded_ = true;
            out_.clear();
            flush();
            return;
        }
        streamEnded_ = true;
        if (streamChunked_) out_ += core::kLastChunk;
        flush();
    }

  private:
    void closeNow() {
        if (closed()) return;
        enter(Phase::Closed);
        if (stream_) stream_->markClosed();
        beast::error_code ignored;
        delay_.cancel();
        sock().shutdown(tcp::socket::shutdown_both, ignored);
        sock().close(ignored);
    }

    net::Worker& worker_;
    tcp::socket socket_;
    Handler& handler_;
    Limits limits_;
    net::ConnectionSlot slot_;
    std::shared_ptr<const net::TlsServer> tlsServer_;
    // Held by pointer, as is what only some connections use: an idle connection stays small.
    std::unique_ptr<asio::ssl::stream<tcp::socket>> tls_;  // on the HTTPS port
    std::unique_ptr<core::ClientCert> clientCert_;  // on the HTTPS port, once the handshake is done
    asio::steady_timer delay_;
    beast::flat_buffer inbuf_;
    size_t readChunk_ = kFirstReadChunk;
    RequestStore store_;
    std::optional<Parser> parser_;
    core::Request req_;
    std::string decodedPath_;
    std::string out_, wbuf_;
    std::unique_ptr<Response> held_;  // a response waiting out its delay
    std::string remote_;
    unsigned short localPort_ = 0;
    Clock::time_point lastActivity_, requestStart_, lingerStart_;
    Phase phase_;
    Hold hold_ = Hold::None;
    Ending ending_ = Ending::KeepOpen;
    // The socket operations in flight (one read and one write at most), and the client's side.
    bool reading_ = false, writing_ = false;
    bool peerClosed_ = false;          // the client closed its side (it may still read our answers)
    bool sent100_ = false;             // "100 Continue" went out for the request being read
    std::vector<std::string> chunks_;  // a dribbled body still being sent
    size_t nextChunk_ = 0;
    std::chrono::milliseconds chunkInterval_{0};
    std::shared_ptr<ConnectionStream> stream_;
    bool streamChunked_ = false;
    bool streamEnded_ = false;
    std::function<void(Upgraded&&)> upgrade_;  // who takes the connection over
    OwnedRequest upgradeRequest_;
};

void ConnectionStream::push(std::string data) {
    if (closed()) return;
    asio::post(ctx_, [c = conn_, d = std::move(data)] {
        if (auto conn = c.lock()) conn->streamData(d);
    });
}

void ConnectionStream::finish() {
    if (closed()) return;
    asio::post(ctx_, [c = conn_] {
        if (auto conn = c.lock()) conn->streamEnd(true);
    });
}

void ConnectionStream::abort() {
    if (closed()) return;
    asio::post(ctx_, [c = conn_] {
        if (auto conn = c.lock()) conn->streamEnd(false);
    });
}

void startConnection(net::Worker& worker, tcp::socket socket, Handler& handler,
                     const Limits& limits, net::ConnectionSlot slot,
                     std::shared_ptr<const net::TlsServer> tls) {
    std::make_shared<Connection>(worker, std::move(socket), handler, limits, std::move(slot),
                                 std::move(tls))
        ->start();
}

std::string_view OwnedRequest::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (core::iequals(k, name)) return v;
    return {};
}

}  // namespace mockd::http
