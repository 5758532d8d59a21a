// The HTTP connection's state machine, driven over real sockets on the loopback: pipelining in
// order through delays and later answers, the ways a connection ends (Connection: close, a
// parse error, a reset fault, a half-closed client, a drain), Expect: 100-continue, and a
// streamed response that owns the connection until the client leaves.
#include "http/connection.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <mutex>
#include <thread>

#include "http/server.h"

namespace mockd::http {
namespace {

TEST(ConnectionPhases, MoveOnlyForward) {
    EXPECT_TRUE(allowedTransition(Phase::Handshake, Phase::Serving));
    EXPECT_TRUE(allowedTransition(Phase::Serving, Phase::Streaming));
    EXPECT_TRUE(allowedTransition(Phase::Serving, Phase::Lingering));
    EXPECT_TRUE(allowedTransition(Phase::Streaming, Phase::Lingering));
    for (Phase p : {Phase::Handshake, Phase::Serving, Phase::Streaming, Phase::Lingering})
        EXPECT_TRUE(allowedTransition(p, Phase::Closed)) << phaseName(p);
    EXPECT_FALSE(allowedTransition(Phase::Closed, Phase::Serving));
    EXPECT_FALSE(allowedTransition(Phase::Closed, Phase::Closed));
    EXPECT_FALSE(allowedTransition(Phase::Serving, Phase::Handshake));
    EXPECT_FALSE(allowedTransition(Phase::Lingering, Phase::Serving));
    EXPECT_FALSE(allowedTransition(Phase::Streaming, Phase::Serving));
    EXPECT_FALSE(allowedTransition(Phase::Handshake, Phase::Streaming));
}

// The other side of an upgrade in these tests: answers 101, then sends back every byte, the
// ones the HTTP connection had already read first.
class Echo final : public std::enable_shared_from_this<Echo> {
  public:
    explicit Echo(Upgraded&& up) : socket_(std::move(*up.socket)), slot_(std::move(up.slot)) {
        out_ =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n"
            "X-Upgraded-From: " +
            up.request.target + "\r\n\r\n" + up.buffered;
    }
    void start() { write(); }

  private:
    void write() {
        boost::asio::async_write(socket_, boost::asio::buffer(out_),
                                 [self = shared_from_this()](boost::system::error_code ec, size_t) {
                                     if (!ec) self->read();
                                 });
    }
    void read() {
        socket_.async_read_some(
            boost::asio::buffer(in_),
            [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                if (ec) return;
                self->out_.assign(self->in_.data(), n);
                self->write();
            });
    }
    boost::asio::ip::tcp::socket socket_;
    net::ConnectionSlot slot_;
    std::string out_;
    std::array<char, 1024> in_{};
};

// Answers by path: /slow after a delay, /later through Response::later, /reset with a reset
// fault, /stream as a stream, /echo with the body's size; anything else with its path.
class Scripted final : public Handler {
  public:
    void handle(const core::Request& req, Response& res) override {
        const std::string path(req.path);
        if (path == "/slow") {
            res.delivery.delayMs = 150;
            res.setBody("slow");
        } else if (path == "/later") {
            res.later = [](boost::asio::io_context& ctx, Completion done) {
                auto timer = std::make_shared<boost::asio::steady_timer>(ctx);
                timer->expires_after(std::chrono::milliseconds(80));
                timer->async_wait([timer, done = std::move(done)](boost::system::error_code) {
                    Response answer;
                    answer.setBody("later");
                    done(std::move(answer));
                });
            };
        } else if (path == "/reset") {
            res.delivery.fault = Delivery::Fault::Reset;
        } else if (path == "/stream") {
            res.contentType = "text/event-stream";
            res.stream = [this](std::shared_ptr<Stream> s) {
                s->push("data: one\n\n");
                std::lock_guard lock(mu);
                stream = std::move(s);
            };
        } else if (path == "/chunked") {
            res.contentType = "text/event-stream";
            res.chunkedStream = true;
            res.setBody("first");
            res.stream = [this](std::shared_ptr<Stream> s) {
                std::lock_guard lock(mu);
                stream = std::move(s);
            };
        } else if (path == "/upgrade") {
            res.upgrade = [](Upgraded&& up) { std::make_shared<Echo>(std::move(up))->start(); };
        } else if (path == "/echo") {
            res.setBody(std::to_string(req.body.size()));
        } else {
            res.setBody(path);
        }
    }
    std::mutex mu;
    std::shared_ptr<Stream> stream;
};

struct Port {
    // The pool outlives the accept loop, whose pending accept holds a socket of a worker's loop.
    net::WorkerPool pool{1};
    boost::asio::io_context acceptCtx{1};
    Scripted handler;
    std::unique_ptr<Listener> listener;
    std::thread acceptThread;

    Port() {
        listener = std::make_unique<Listener>(acceptCtx, pool, "127.0.0.1", 0, handler, Limits{});
        pool.start();
        listener->start();
        acceptThread = std::thread([this] { acceptCtx.run(); });
    }
    ~Port() {
        // The accept loop first, so that nothing else touches the acceptor while it closes.
        acceptCtx.stop();
        acceptThread.join();
        listener->close();
        pool.stop();
        pool.join();
    }
};

class Client {
  public:
    explicit Client(uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    }
    ~Client() { ::close(fd_); }
    void send(std::string_view bytes) const {
        EXPECT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(bytes.size()));
    }
    void closeWrite() const { ::shutdown(fd_, SHUT_WR); }
    // Reads until `until` appears in what was read, the peer closes, or 5 s pass.
    std::string read(std::string_view until = {}) {
        for (;;) {
            if (!until.empty() && got_.find(until) != std::string::npos) break;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 5000) <= 0) break;
            char buf[4096];
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n < 0) error_ = errno;
            if (n <= 0) {
                ended_ = true;
                break;
            }
            got_.append(buf, static_cast<size_t>(n));
        }
        return got_;
    }
    bool ended() const { return ended_; }
    int error() const { return error_; }

  private:
    int fd_ = -1;
    std::string got_;
    bool ended_ = false;
    int error_ = 0;
};

std::string get(std::string_view path, std::string_view extra = {}) {
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) + "\r\n";
}

TEST(Connection, PipelinedRequestsAreAnsweredInOrderThroughDelaysAndLaterAnswers) {
    Port port;
    Client c(port.listener->port());
    c.send(get("/slow") + get("/later") + get("/fast"));
    std::string out = c.read("/fast");
    size_t slow = out.find("\r\n\r\nslow"), later = out.find("\r\n\r\nlater"),
           fast = out.find("\r\n\r\n/fast");
    ASSERT_NE(fast, std::string::npos) << out;
    EXPECT_LT(slow, later) << out;
    EXPECT_LT(later, fast) << out;
    EXPECT_FALSE(c.ended());  // keep-alive: still open
}

TEST(Connection, ConnectionCloseEndsItAfterTheResponse) {
    Port port;
    Client c(port.listener->port());
    c.send(get("/a", "Connection: close\r\n") + get("/never"));
    std::string out = c.read();
    EXPECT_TRUE(c.ended());
    EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
    EXPECT_NE(out.find("/a"), std::string::npos) << out;
    EXPECT_EQ(out.find("/never"), std::string::npos) << out;
}

TEST(Connection, AMalformedRequestIsA400AndTheLastAnswer) {
    Port port;
    Client c(port.listener->port());
    c.send("NOT HTTP AT ALL\r\n\r\n" + get("/after"));
    std::string out = c.read();
    EXPECT_TRUE(c.ended());
    EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
    EXPECT_EQ(out.find("/after"), std::string::npos) << out;
}

TEST(Connection, ExpectContinueGetsA100BeforeTheBodyIsSent) {
    Port port;
    Client c(port.listener->port());
    c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_EQ(c.read("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
    c.send("hello");
    std::string out = c.read("\r\n\r\n5");
    EXPECT_NE(out.find("HTTP/1.1 200 OK"), std::string::npos) << out;
}

TEST(Connection, AResetFaultResetsIt) {
    Port port;
    Client c(port.listener->port());
    c.send(get("/reset"));
    std::string out = c.read();
    EXPECT_TRUE(c.ended());
    EXPECT_EQ(out, "");
    EXPECT_EQ(c.error(), ECONNRESET);
}

TEST(Connection, AHalfClosedClientGetsWhatItSentAnswered) {
    Port port;
    Client c(port.listener->port());
    c.send(get("/one") + get("/two"));
    c.closeWrite();
    std::string out = c.read();
    EXPECT_TRUE(c.ended());
    EXPECT_NE(out.find("/one"), std::string::npos) << out;
    EXPECT_NE(out.find("/two"), std::string::npos) << out;
}

TEST(Connection, AResponseHeldWhenTheClientClosesItsSideIsDropped) {
    // A client that stops sending while its answer waits out a delay is taken to be gone.
    Port port;
    Client c(port.listener->port());
    c.send(get("/slow"));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    c.closeWrite();
    EXPECT_EQ(c.read(), "");
    EXPECT_TRUE(c.ended());
}

TEST(Connection, ADrainClosesIdleConnectionsAndLetsBusyOnesFinish) {
    Port port;
    Client idle(port.listener->port());
    Client busy(port.listener->port());
    idle.send(get("/warm"));
    idle.read("/warm");
    busy.send(get("/slow"));
    // The worker took the slow request (its answer is being held) before the drain begins.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    port.pool.drain();
    idle.read();
    EXPECT_TRUE(idle.ended());
    std::string out = busy.read();
    EXPECT_TRUE(busy.ended());
    EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
    EXPECT_NE(out.find("slow"), std::string::npos) << out;
}

TEST(Connection, AnUpgradeHandsTheSocketOverAfterTheResponsesBeforeIt) {
    Port port;
    Client c(port.listener->port());
    // A slow response first: the hand-over waits for it. The bytes after the upgrade request
    // arrive with it and go to the new protocol, not to the HTTP parser.
    c.send(get("/slow") + get("/upgrade", "Upgrade: echo\r\nConnection: Upgrade\r\n") +
           "hello, echo");
    std::string out = c.read("hello, echo");
    size_t slow = out.find("\r\n\r\nslow"), switched = out.find("HTTP/1.1 101");
    ASSERT_NE(switched, std::string::npos) << out;
    EXPECT_LT(slow, switched) << out;
    EXPECT_NE(out.find("X-Upgraded-From: /upgrade\r\n\r\nhello, echo"), std::string::npos) << out;
    // The connection is the new protocol's now: what follows is echoed, not parsed as HTTP.
    c.send(get("/not-http"));
    out = c.read("GET /not-http HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_NE(out.find("GET /not-http HTTP/1.1"), std::string::npos) << out;
    EXPECT_EQ(port.listener->activeConnections(), 1u);  // counted while the echo holds it
}

TEST(Connection, AStreamOwnsTheConnectionUntilTheClientLeaves) {
    Port port;
    auto c = std::make_unique<Client>(port.listener->port());
    c->send(get("/stream") + get("/ignored"));
    std::string out = c->read("data: one\n\n");
    EXPECT_NE(out.find("text/event-stream"), std::string::npos) << out;
    std::shared_ptr<Stream> stream;
    {
        std::lock_guard lock(port.handler.mu);
        stream = port.handler.stream;
    }
    ASSERT_TRUE(stream);
    stream->push("data: two\n\n");
    out = c->read("data: two\n\n");
    EXPECT_EQ(out.find("/ignored"), std::string::npos) << out;
    EXPECT_FALSE(stream->closed());
    c.reset();  // the client leaves
    for (int i = 0; i < 100 && !stream->closed(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(stream->closed());
}

std::shared_ptr<Stream> waitForStream(Scripted& handler) {
    for (int i = 0; i < 250; ++i) {
        {
            std::lock_guard lock(handler.mu);
            if (handler.stream) return handler.stream;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return nullptr;
}

TEST(Connection, AChunkedStreamEndsWithItsLastChunkAndThenTheConnection) {
    Port port;
    Client c(port.listener->port());
    c.send(get("/chunked"));
    std::string out = c.read("first\r\n");
    EXPECT_NE(out.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\r\n\r\n5\r\nfirst\r\n"), std::string::npos) << out;
    auto stream = waitForStream(port.handler);
    ASSERT_TRUE(stream);
    std::atomic<bool> closedFlag{false};
    stream->onClose([&] { closedFlag = true; });
    stream->push("data: 2\n\n");
    stream->push("");  // nothing: an empty chunk would end the body
    stream->finish();
    stream->push("too late");
    out = c.read();
    EXPECT_TRUE(c.ended());
    EXPECT_EQ(c.error(), 0);  // a clean close, not a reset
    EXPECT_TRUE(out.ends_with("5\r\nfirst\r\n9\r\ndata: 2\n\n\r\n0\r\n\r\n")) << out;
    for (int i = 0; i < 100 && !closedFlag; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(closedFlag);  // onClose ran
    EXPECT_TRUE(stream->closed());
}

TEST(Connection, AnAbortedStreamIsResetWithoutItsLastChunk) {
    Port port;
    Client c(port.listener->port());
    c.send(get("/chunked"));
    c.read("first\r\n");
    auto stream = waitForStream(port.handler);
    ASSERT_TRUE(stream);
    stream->abort();
    std::string out = c.read();
    EXPECT_TRUE(c.ended());
    EXPECT_EQ(c.error(), ECONNRESET);
    EXPECT_EQ(out.find("0\r\n\r\n"), std::string::npos) << out;
}

TEST(Connection, AnHttp10ClientGetsTheStreamUnchunked) {
    Port port;
    Client c(port.listener->port());
    c.send("GET /chunked HTTP/1.0\r\n\r\n");
    c.read("first");
    auto stream = waitForStream(port.handler);
    ASSERT_TRUE(stream);
    stream->push("second");
    stream->finish();
    std::string out = c.read();
    EXPECT_EQ(out.find("Transfer-Encoding"), std::string::npos) << out;
    EXPECT_TRUE(out.ends_with("\r\n\r\nfirstsecond")) << out;
    EXPECT_EQ(c.error(), 0);
}

TEST(Connection, ADrainEndsAChunkedStreamCleanly) {
    Port port;
    Client c(port.listener->port());
    c.send(get("/chunked"));
    c.read("first\r\n");
    ASSERT_TRUE(waitForStream(port.handler));
    port.pool.drain();
    std::string out = c.read();
    EXPECT_TRUE(c.ended());
    EXPECT_EQ(c.error(), 0);
    EXPECT_TRUE(out.ends_with("first\r\n0\r\n\r\n")) << out;
}

}  // namespace
}  // namespace mockd::http
