// Connections: Beast's HTTP/1.1 parser driven over a flat buffer so that every complete
// request already received (pipelining) is answered in order and in one write; delays on timers;
// header/idle timeouts checked by one sweep per worker; lingering close after errors.
#include "http/server.h"

#include <sys/resource.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cstring>
#include <optional>
#include <unordered_set>

#include "core/client_cert.h"
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
using Clock = std::chrono::steady_clock;

class Connection;

class Worker final {
  public:
    Worker() : guard_(asio::make_work_guard(ctx_)), sweep_(ctx_) {}
    asio::io_context& ctx() { return ctx_; }
    void run() {
        armSweep();
        ctx_.run();
    }
    void add(Connection* c) { conns_.insert(c); }
    void removeConn(Connection* c) {
        conns_.erase(c);
        if (draining_ && conns_.empty()) sweep_.cancel();  // nothing left: let the loop end
    }
    bool draining() const { return draining_; }
    void drain();
    void stop() { ctx_.stop(); }

  private:
    void armSweep();
    asio::io_context ctx_{1};
    asio::executor_work_guard<asio::io_context::executor_type> guard_;
    asio::steady_timer sweep_;
    std::unordered_set<Connection*> conns_;
    bool draining_ = false;
};

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
    bool closed() const override { return closed_.load(std::memory_order_acquire); }
    void onClose(std::function<void()> fn) override { onClose_ = std::move(fn); }
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

class Connection final : public std::enable_shared_from_this<Connection> {
  public:
    Connection(Worker& worker, tcp::socket socket, Handler& handler, const Limits& limits,
               std::shared_ptr<std::atomic<size_t>> active,
               std::shared_ptr<const net::TlsServer> tls = nullptr)
        : worker_(worker),
          socket_(worker.ctx()),
          handler_(handler),
          limits_(limits),
          active_(std::move(active)),
          tlsServer_(std::move(tls)),
          delay_(worker.ctx()) {
        if (tlsServer_)
            tls_.emplace(std::move(socket), *tlsServer_->ctx);
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
    ~Connection() {
        if (stream_) stream_->markClosed();
        worker_.removeConn(this);
        active_->fetch_sub(1, std::memory_order_relaxed);
    }

    void start() {
        newParser();
        if (worker_.draining()) closing_ = true;
        if (tls_) {
            handshaking_ = true;
            requestStart_ = Clock::now();
            tls_->async_handshake(
                asio::ssl::stream_base::server,
                [self = shared_from_this()](beast::error_code ec) { self->onHandshake(ec); });
            return;
        }
        doRead();
    }

    // Called by the worker's sweep once a second.
    void sweep(Clock::time_point now) {
        if (closed_) return;
        if (lingering_) {
            if (now - lingerStart_ > kLingerTime) closeNow();
            return;
        }
        if (handshaking_ && now - requestStart_ > limits_.headerTimeout) {
            closeNow();
            return;
        }
        if (delayPending_ || streaming_ || handshaking_) return;
        bool midRequest = parser_ && parser_->got_some() && !parser_->is_header_done();
        if (midRequest && now - requestStart_ > limits_.headerTimeout) {
            closeNow();
            return;
        }
        if (now - lastActivity_ > limits_.idleTimeout) closeNow();
    }

    // Drain: an idle connection closes now; a busy one closes after its response.
    void drain() {
        closing_ = true;
        if (streaming_ || handshaking_) {
            closeNow();
            return;
        }
        bool idle = !delayPending_ && !writing_ && out_.empty() &&
                    !(parser_ && parser_->got_some()) && inbuf_.size() == 0;
        if (idle) closeNow();
    }

  private:
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
        handshaking_ = false;
        if (closed_) return;
        if (ec) {
            // A client that does not trust the certificate, or speaks plain HTTP to this port.
            log::debug("TLS handshake failed", {{"remote", remote_}, {"error", ec.message()}});
            closeNow();
            return;
        }
        clientCert_ = net::readClientCert(tls_->native_handle());
        if (clientCert_.present && !net::allowedByLists(clientCert_, tlsServer_->settings)) {
            log::debug("client certificate not allowed",
                       {{"remote", remote_}, {"cn", clientCert_.cn}});
            closeNow();
            return;
        }
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
        if (reading_ || closed_ || peerClosed_) return;
        if (inbuf_.size() >= kMaxBufferedInput) return;  // back-pressure
        reading_ = true;
        withStream([&](auto& stream) {
            stream.async_read_some(inbuf_.prepare(kReadChunk),
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
        if (closed_) return;
        if (lingering_ && tls_) {
            shutdownTls();
            return;
        }
        if (ec) {
            // A TLS client that closes without close_notify ends its stream just the same.
            if (ec == asio::ssl::error::stream_truncated) ec = asio::error::eof;
            if (lingering_ || ec != asio::error::eof) {
                closeNow();
                return;
            }
            // The client closed its side. A held response has nobody to go to; otherwise
            // answer what was received and close.
            peerClosed_ = true;
            if (delayPending_) {
                closeNow();
                return;
            }
            process();
            return;
        }
        lastActivity_ = Clock::now();
        if (lingering_) {
            inbuf_.consume(inbuf_.size() + n);
            doRead();
            return;
        }
        inbuf_.commit(n);
        process();
    }

    void process() {
        while (!closed_ && !delayPending_ && !errorSent_ && out_.size() < kMaxPendingOutput &&
               inbuf_.size() > 0) {
            // After "Connection: close" (or a drain) only a request already begun is finished.
            if (streaming_ || (closing_ && !parser_->got_some())) break;
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
                if (!errorSent_) newParser();
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
        errorSent_ = true;
        closing_ = true;
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
        req.secure = tls_.has_value();
        req.clientCert = tls_ ? &clientCert_ : nullptr;

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

        const bool last = closing_ || !req.keepAlive || worker_.draining();
        Response res;
        res.headOnly = req.method == "HEAD";  // the head of what GET would answer, no body
        handler_.handle(req, res);
        if (res.later) {
            // Held like a delayed response until the answer arrives; the completion is posted so
            // that it never runs inside this parse loop.
            delayPending_ = true;
            if (last) closing_ = true;
            auto later = std::move(res.later);
            later(worker_.ctx(), [self = shared_from_this()](Response answer) {
                asio::post(self->worker_.ctx(), [self, answer = std::move(answer)]() mutable {
                    self->completeLater(std::move(answer));
                });
            });
            return;
        }
        if (last) closing_ = true;
        if (res.stream) {
            streaming_ = true;
            closing_ = true;
            writeResponse(res, true, out_);
            stream_ = std::make_shared<ConnectionStream>(worker_.ctx(), weak_from_this());
            res.stream(stream_);
            return;
        }
        send(std::move(res), last);
    }

    // A response the handler produced later (see Response::later).
    void completeLater(Response res) {
        if (closed_) return;
        delayPending_ = false;
        lastActivity_ = Clock::now();
        send(std::move(res), closing_ || worker_.draining());
        if (delayPending_)
            flush();
        else
            process();
    }

    // Writes a response, or holds it for its delay (it is written when the delay ends, so that a
    // drain begun meanwhile makes it the connection's last); then starts its dribbled chunks.
    void send(Response res, bool last) {
        if (res.delivery.close) closing_ = true;
        if (res.delivery.delayMs > 0) {
            const auto delay = std::chrono::milliseconds(res.delivery.delayMs);
            res.delivery.delayMs = 0;
            held_ = std::move(res);
            delayPending_ = true;
            delay_.expires_after(delay);
            delay_.async_wait([self = shared_from_this()](beast::error_code ec) {
                if (ec || self->closed_) return;
                self->delayPending_ = false;
                Response held = std::move(*self->held_);
                self->held_.reset();
                self->lastActivity_ = Clock::now();
                self->send(std::move(held), self->closing_ || self->worker_.draining());
                if (self->delayPending_) {
                    self->flush();
                    return;
                }
                self->process();
            });
            return;
        }
        WirePlan plan = writeResponse(res, last, out_);
        if (plan.close) closing_ = true;
        if (plan.reset) reset_ = true;
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
        delayPending_ = true;
        delay_.expires_after(chunkInterval_);
        delay_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec || self->closed_) return;
            self->out_ += self->chunks_[self->nextChunk_++];
            self->lastActivity_ = Clock::now();
            if (self->nextChunk_ < self->chunks_.size()) {
                self->nextChunkLater();
                self->flush();
                return;
            }
            self->chunks_.clear();
            self->delayPending_ = false;
            self->process();
        });
    }

    bool doneAfterOutput() const {
        if (delayPending_ || (streaming_ && !peerClosed_ && !worker_.draining())) return false;
        if (errorSent_ || peerClosed_) return true;
        return closing_ && !parser_->got_some();
    }

    void flush() {
        if (closed_) return;
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
        } else if (!writing_ && doneAfterOutput()) {
            finish();
            return;
        }
        doRead();
    }

    void onWrite(beast::error_code ec) {
        writing_ = false;
        wbuf_.clear();
        if (closed_) return;
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
        if (closed_ || lingering_) return;
        beast::error_code ignored;
        if (reset_) {
            // A zero linger time makes close() send RST instead of FIN.
            sock().set_option(asio::socket_base::linger(true, 0), ignored);
            closed_ = true;
            delay_.cancel();
            sock().close(ignored);
            return;
        }
        if (tls_) {
            // close_notify, then the client's; the sweep ends a wait longer than the linger time.
            // A read still waiting is cancelled first (onRead then starts the shutdown): one
            // operation at a time reads from a TLS stream.
            lingering_ = true;
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
        bool mayStillSend = errorSent_ || inbuf_.size() > 0 || socket_.available(ignored) > 0;
        if (peerClosed_ || !mayStillSend) {
            closeNow();
            return;
        }
        lingering_ = true;
        lingerStart_ = Clock::now();
        inbuf_.consume(inbuf_.size());
        doRead();
    }

  public:
    // Appends streamed data (on the connection's thread).
    void streamData(const std::string& data) {
        if (closed_) return;
        // A listener that stopped reading is cut off rather than buffered without bound.
        if (out_.size() > kMaxStreamBacklog) {
            closeNow();
            return;
        }
        out_ += data;
        lastActivity_ = Clock::now();
        flush();
    }

  private:
    void closeNow() {
        if (closed_) return;
        closed_ = true;
        if (stream_) stream_->markClosed();
        beast::error_code ignored;
        delay_.cancel();
        sock().shutdown(tcp::socket::shutdown_both, ignored);
        sock().close(ignored);
    }

    Worker& worker_;
    tcp::socket socket_;
    Handler& handler_;
    Limits limits_;
    std::shared_ptr<std::atomic<size_t>> active_;
    std::shared_ptr<const net::TlsServer> tlsServer_;
    std::optional<asio::ssl::stream<tcp::socket>> tls_;  // on the HTTPS port
    core::ClientCert clientCert_;
    asio::steady_timer delay_;
    beast::flat_buffer inbuf_;
    RequestStore store_;
    std::optional<Parser> parser_;
    core::Request req_;
    std::string decodedPath_;
    std::string out_, wbuf_;
    std::optional<Response> held_;  // a response waiting out its delay
    std::string remote_;
    unsigned short localPort_ = 0;
    Clock::time_point lastActivity_, requestStart_, lingerStart_;
    bool reading_ = false, writing_ = false, closing_ = false, closed_ = false;
    bool delayPending_ = false, peerClosed_ = false, errorSent_ = false, sent100_ = false;
    bool lingering_ = false;
    bool streaming_ = false;
    bool handshaking_ = false;
    bool reset_ = false;               // the connection ends with RST (a connection-reset fault)
    std::vector<std::string> chunks_;  // a dribbled body still being sent
    size_t nextChunk_ = 0;
    std::chrono::milliseconds chunkInterval_{0};
    std::shared_ptr<ConnectionStream> stream_;
};

void ConnectionStream::push(std::string data) {
    if (closed()) return;
    asio::post(ctx_, [c = conn_, d = std::move(data)] {
        if (auto conn = c.lock()) conn->streamData(d);
    });
}

void Worker::armSweep() {
    sweep_.expires_after(std::chrono::seconds(1));
    sweep_.async_wait([this](beast::error_code ec) {
        if (ec) return;
        auto now = Clock::now();
        // Sweeping may close connections, which removes them from the set: iterate a copy.
        std::vector<Connection*> all(conns_.begin(), conns_.end());
        for (Connection* c : all)
            if (conns_.count(c)) c->sweep(now);
        // While draining, keep sweeping only as long as connections remain, so the worker's
        // loop can end.
        if (!draining_ || !conns_.empty()) armSweep();
    });
}

void Worker::drain() {
    draining_ = true;
    std::vector<Connection*> all(conns_.begin(), conns_.end());
    for (Connection* c : all)
        if (conns_.count(c)) c->drain();
    if (conns_.empty()) sweep_.cancel();
    guard_.reset();
}

WorkerPool::WorkerPool(unsigned threads) {
    if (threads == 0) threads = 1;
    for (unsigned i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
}

WorkerPool::~WorkerPool() {
    stop();
    join();
}

void WorkerPool::start() {
    for (auto& w : workers_)
        threads_.push_back(std::make_unique<core::DeepStackThread>([wp = w.get()] { wp->run(); }));
}

void WorkerPool::drain() {
    for (auto& w : workers_) asio::post(w->ctx(), [wp = w.get()] { wp->drain(); });
}

void WorkerPool::stop() {
    for (auto& w : workers_) w->stop();
}

void WorkerPool::join() {
    for (auto& t : threads_) t->join();
}

Worker& WorkerPool::next() {
    Worker& w = *workers_[next_];
    next_ = (next_ + 1) % workers_.size();
    return w;
}

Listener::Listener(asio::io_context& acceptCtx, WorkerPool& pool, const std::string& bindHost,
                   uint16_t port, Handler& handler, Limits limits,
                   std::shared_ptr<const net::TlsServer> tls)
    : ctx_(acceptCtx),
      pool_(pool),
      handler_(handler),
      limits_(limits),
      active_(std::make_shared<std::atomic<size_t>>(0)),
      tls_(std::move(tls)),
      retry_(acceptCtx) {
    std::vector<tcp::endpoint> endpoints;
    if (bindHost.empty() || bindHost == "*" || bindHost == "::") {
        endpoints.emplace_back(tcp::v6(), port);
    } else if (bindHost == "0.0.0.0") {
        endpoints.emplace_back(tcp::v4(), port);
    } else if (bindHost == "localhost") {
        endpoints.emplace_back(asio::ip::make_address("127.0.0.1"), port);
        endpoints.emplace_back(asio::ip::make_address("::1"), port);
    } else {
        beast::error_code ec;
        auto addr = asio::ip::make_address(bindHost, ec);
        if (ec)
            throw boost::system::system_error(ec, "--bind " + bindHost + " is not an IP address");
        endpoints.emplace_back(addr, port);
    }
    for (size_t i = 0; i < endpoints.size(); ++i) {
        tcp::endpoint ep = endpoints[i];
        if (i > 0 && port_ != 0) ep.port(port_);  // the second family takes the same port
        auto acc = std::make_unique<tcp::acceptor>(ctx_);
        beast::error_code ec;
        acc->open(ep.protocol(), ec);
        if (ec && ep.address().is_v6() && ep.address().is_unspecified()) {
            ep = tcp::endpoint(tcp::v4(), ep.port());  // no IPv6 on this machine
            ec.clear();
            acc->open(ep.protocol(), ec);
        }
        if (ec) throw boost::system::system_error(ec, "cannot open a socket");
        acc->set_option(tcp::acceptor::reuse_address(true));
        if (ep.address().is_v6() && ep.address().is_unspecified())
            acc->set_option(asio::ip::v6_only(false), ec);
        acc->bind(ep, ec);
        if (ec && bindHost == "localhost" && i > 0) continue;  // ::1 may be missing
        if (ec)
            throw boost::system::system_error(ec, "cannot bind port " + std::to_string(ep.port()));
        acc->listen(asio::socket_base::max_listen_connections, ec);
        if (ec)
            throw boost::system::system_error(ec,
                                              "cannot listen on port " + std::to_string(ep.port()));
        port_ = acc->local_endpoint().port();
        acceptors_.push_back(std::move(acc));
    }
}

Listener::~Listener() { close(); }

void Listener::start() {
    for (size_t i = 0; i < acceptors_.size(); ++i) accept(i);
}

void Listener::close() {
    beast::error_code ignored;
    retry_.cancel();
    for (auto& a : acceptors_) a->close(ignored);
}

void Listener::accept(size_t i) {
    Worker& w = pool_.next();
    acceptors_[i]->async_accept(w.ctx(), [this, i, &w](beast::error_code ec, tcp::socket sock) {
        if (ec == asio::error::operation_aborted || !acceptors_[i]->is_open()) return;
        if (ec) {
            // Out of descriptors or similar: back off briefly instead of spinning.
            // An errno (EMFILE and the like): named by strerror, not through the category.
            log::warn("accept failed", {{"error", std::strerror(ec.value())}});
            retry_.expires_after(std::chrono::milliseconds(100));
            retry_.async_wait([this, i](beast::error_code e) {
                if (!e) accept(i);
            });
            return;
        }
        if (active_->load(std::memory_order_relaxed) >= limits_.maxConnections) {
            beast::error_code ignored;
            sock.close(ignored);
        } else {
            active_->fetch_add(1, std::memory_order_relaxed);
            beast::error_code ignored;
            sock.set_option(tcp::no_delay(true), ignored);
            asio::post(w.ctx(), [&w, s = std::move(sock), this]() mutable {
                std::make_shared<Connection>(w, std::move(s), handler_, limits_, active_, tls_)
                    ->start();
            });
        }
        accept(i);
    });
}

void raiseFileLimit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

}  // namespace mockd::http
