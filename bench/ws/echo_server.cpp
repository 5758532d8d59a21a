// The ceiling for the WebSocket echo benchmark: the smallest Boost.Beast server that accepts
// WebSocket connections on any path and echoes each message back, on N threads each running its
// own io_context (as mockd's workers do).
//
// usage: echo_server PORT [THREADS]
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = beast::websocket;
using tcp = asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
  public:
    explicit Session(tcp::socket s) : ws_(std::move(s)) {}
    void start() {
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->read();
        });
    }

  private:
    void read() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec) return;
            self->ws_.text(self->ws_.got_text());
            self->ws_.async_write(self->buf_.data(), [self](beast::error_code e, size_t) {
                if (e) return;
                self->buf_.consume(self->buf_.size());
                self->read();
            });
        });
    }
    ws::stream<tcp::socket> ws_;
    beast::flat_buffer buf_;
};

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: echo_server PORT [THREADS]\n");
        return 2;
    }
    const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
    const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
    std::vector<std::unique_ptr<asio::io_context>> loops;
    for (int i = 0; i < threads; ++i) loops.push_back(std::make_unique<asio::io_context>(1));
    asio::io_context accept_loop(1);
    tcp::acceptor acceptor(accept_loop, {asio::ip::make_address("127.0.0.1"), port});
    size_t next = 0;
    std::function<void()> accept = [&] {
        auto& loop = *loops[next++ % loops.size()];
        acceptor.async_accept(loop, [&](beast::error_code ec, tcp::socket s) {
            if (!ec) {
                s.set_option(tcp::no_delay(true));
                std::make_shared<Session>(std::move(s))->start();
            }
            accept();
        });
    };
    accept();
    std::vector<std::thread> pool;
    for (auto& l : loops)
        pool.emplace_back([&l] {
            auto guard = asio::make_work_guard(*l);
            l->run();
        });
    accept_loop.run();
}
