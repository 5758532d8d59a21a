#include "net/workers.h"

#include <sys/resource.h>

#include <boost/asio/post.hpp>

#include "core/background.h"

namespace mockd::net {

Worker::Worker() : guard_(boost::asio::make_work_guard(ctx_)), sweep_(ctx_) {}

void Worker::run() {
    armSweep();
    ctx_.run();
}

void Worker::remove(Session* s) {
    sessions_.erase(s);
    if (draining_ && sessions_.empty()) sweep_.cancel();  // nothing left: let the loop end
}

void Worker::armSweep() {
    sweep_.expires_after(std::chrono::seconds(1));
    sweep_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        auto now = Clock::now();
        // Sweeping may close sessions, which removes them from the set: iterate a copy.
        std::vector<Session*> all(sessions_.begin(), sessions_.end());
        for (Session* s : all)
            if (sessions_.count(s)) s->sweep(now);
        // While draining, keep sweeping only as long as sessions remain, so the worker's loop
        // can end.
        if (!draining_ || !sessions_.empty()) armSweep();
    });
}

void Worker::drain() {
    draining_ = true;
    std::vector<Session*> all(sessions_.begin(), sessions_.end());
    for (Session* s : all)
        if (sessions_.count(s)) s->drain();
    if (sessions_.empty()) sweep_.cancel();
    guard_.reset();
}

WorkerPool::WorkerPool(unsigned threads, PoolPriority priority) : priority_(priority) {
    if (threads == 0) threads = 1;
    for (unsigned i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
}

WorkerPool::~WorkerPool() {
    stop();
    join();
}

void WorkerPool::start() {
    for (auto& w : workers_)
        threads_.push_back(std::make_unique<core::DeepStackThread>(
            [wp = w.get(), background = priority_ == PoolPriority::Background] {
                if (background) core::giveWayToServing();
                wp->run();
            }));
}

void WorkerPool::drain() {
    for (auto& w : workers_) boost::asio::post(w->ctx(), [wp = w.get()] { wp->drain(); });
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

void raiseFileLimit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

}  // namespace mockd::net
