// A WebSocket load client for the echo benchmark (wrk speaks no WebSocket): C connections on
// one thread, each sending a small text message and waiting for its echo, again and again, for
// D seconds. Prints one JSON line: messages/s, p50 and p99 round trips in microseconds, errors.
//
// usage: load HOST PORT PATH CONNECTIONS SECONDS [MESSAGE [EXPECTED]]
// EXPECTED is the answer each message must get (default: the message itself; "-": any).
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Totals {
    uint64_t messages = 0, errors = 0, mismatches = 0;
    std::vector<uint32_t> rttUs;  // a sample of round trips
    bool stop = false;
};

class Conn : public std::enable_shared_from_this<Conn> {
  public:
    Conn(asio::io_context& ctx, Totals& t, std::string msg, std::string expected)
        : ws_(ctx), t_(t), msg_(std::move(msg)), expected_(std::move(expected)) {}
    void start(const tcp::endpoint& ep, const std::string& host, const std::string& path) {
        ws_.next_layer().async_connect(
            ep, [self = shared_from_this(), host, path](beast::error_code ec) {
                if (ec) return self->fail();
                self->ws_.next_layer().set_option(tcp::no_delay(true));
                self->ws_.async_handshake(host, path, [self](beast::error_code e) {
                    if (e) return self->fail();
                    self->ws_.text(true);
                    self->send();
                });
            });
    }

  private:
    void fail() { ++t_.errors; }
    void send() {
        if (t_.stop) return;
        sent_ = Clock::now();
        ws_.async_write(
            asio::buffer(msg_), [self = shared_from_this()](beast::error_code ec, size_t) {
                if (ec) return self->fail();
                self->ws_.async_read(self->buf_, [self](beast::error_code e, size_t) {
                    if (e) return self->fail();
                    if (self->expected_ != "-" &&
                        beast::buffers_to_string(self->buf_.data()) != self->expected_)
                        ++self->t_.mismatches;
                    self->buf_.consume(self->buf_.size());
                    ++self->t_.messages;
                    if ((self->t_.messages & 15) == 0)
                        self->t_.rttUs.push_back(static_cast<uint32_t>(
                            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() -
                                                                                  self->sent_)
                                .count()));
                    self->send();
                });
            });
    }
    ws::stream<tcp::socket> ws_;
    Totals& t_;
    std::string msg_, expected_;
    beast::flat_buffer buf_;
    Clock::time_point sent_;
};

int main(int argc, char** argv) {
    if (argc < 6) {
        std::fprintf(stderr,
                     "usage: load HOST PORT PATH CONNECTIONS SECONDS [MESSAGE [EXPECTED]]\n");
        return 2;
    }
    const std::string host = argv[1], path = argv[3];
    const int conns = std::atoi(argv[4]);
    const double seconds = std::atof(argv[5]);
    const std::string msg = argc > 6 ? argv[6] : R"({"type":"ping","seq":1})";
    const std::string expected = argc > 7 ? argv[7] : msg;
    asio::io_context ctx(1);
    tcp::endpoint ep(asio::ip::make_address(host), static_cast<unsigned short>(std::atoi(argv[2])));
    Totals t;
    for (int i = 0; i < conns; ++i)
        std::make_shared<Conn>(ctx, t, msg, expected)->start(ep, host, path);
    // Warm up for a fifth of the time, then count.
    auto span = [](double s) {
        return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
    };
    asio::steady_timer warm(ctx, span(seconds / 5));
    asio::steady_timer done(ctx);
    uint64_t atStart = 0;
    Clock::time_point started;
    warm.async_wait([&](beast::error_code) {
        atStart = t.messages;
        t.rttUs.clear();
        started = Clock::now();
        done.expires_after(span(seconds));
        done.async_wait([&](beast::error_code) {
            t.stop = true;
            const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
            const double rate = static_cast<double>(t.messages - atStart) / elapsed;
            std::sort(t.rttUs.begin(), t.rttUs.end());
            auto pct = [&](double p) {
                return t.rttUs.empty() ? 0u
                                       : t.rttUs[static_cast<size_t>(
                                             p * static_cast<double>(t.rttUs.size() - 1))];
            };
            std::printf(
                "{\"messagesPerSecond\": %.0f, \"p50us\": %u, \"p99us\": %u, \"errors\": %llu, "
                "\"mismatches\": %llu}\n",
                rate, pct(0.5), pct(0.99), static_cast<unsigned long long>(t.errors),
                static_cast<unsigned long long>(t.mismatches));
            std::fflush(stdout);
            std::exit(t.errors || t.mismatches ? 1 : 0);
        });
    });
    ctx.run();
}
