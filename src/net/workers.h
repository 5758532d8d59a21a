// Worker threads, one event loop each, and the connections each keeps: every connection lives on
// one worker's loop for its whole life (no thread per connection), is swept once a second for
// its timeouts, and is told when the server drains.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <unordered_set>
#include <vector>

#include "core/stack.h"

namespace mockd::net {

using Clock = std::chrono::steady_clock;

// A connection as its worker sees it, whatever protocol it speaks.
class Session {
  public:
    virtual ~Session() = default;
    // Once a second, on the worker's thread: closes the session when a timeout passed.
    virtual void sweep(Clock::time_point now) = 0;
    // The server drains: an idle session closes now, a busy one after what it is doing.
    virtual void drain() = 0;
};

class Worker final {
  public:
    Worker();
    boost::asio::io_context& ctx() { return ctx_; }
    // Runs the loop until it is stopped, or drained and left without sessions.
    void run();
    // Sessions register for their life (on the worker's thread).
    void add(Session* s) { sessions_.insert(s); }
    void remove(Session* s);
    bool draining() const { return draining_; }
    void drain();
    void stop() { ctx_.stop(); }

  private:
    void armSweep();
    boost::asio::io_context ctx_{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    boost::asio::steady_timer sweep_;
    std::unordered_set<Session*> sessions_;
    bool draining_ = false;
};

// Serving pools answer mock requests; a background pool (the admin API's) gives way to them
// when the cores are busy (core/background.h).
enum class PoolPriority : uint8_t { Serving, Background };

class WorkerPool final {
  public:
    explicit WorkerPool(unsigned threads, PoolPriority priority = PoolPriority::Serving);
    ~WorkerPool();
    void start();
    // Closes idle connections and lets busy ones finish their response; threads end when no
    // connection is left.
    void drain();
    // Stops every worker at once (drain timeout).
    void stop();
    void join();
    // The worker the next connection goes to (round robin).
    Worker& next();
    size_t size() const { return workers_.size(); }

  private:
    std::vector<std::unique_ptr<Worker>> workers_;
    // Deep stacks: a matcher that recurses per byte of a request (JSON Schema) runs inline.
    std::vector<std::unique_ptr<core::DeepStackThread>> threads_;
    size_t next_ = 0;
    PoolPriority priority_;
};

// Raises the soft open-file limit to the hard limit (many keep-alive clients need it).
void raiseFileLimit();

}  // namespace mockd::net
