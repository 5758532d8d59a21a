// Deep-stack threads (pthread attributes) and the calling thread's stack left.
#include "core/stack.h"

#include <pthread.h>

#include <cstdint>
#include <stdexcept>

namespace mockd::core {

size_t stackRemaining() {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
    void* base = nullptr;
    size_t size = 0;
    const bool ok = pthread_attr_getstack(&attr, &base, &size) == 0;
    pthread_attr_destroy(&attr);
    if (!ok || base == nullptr) return 0;
    // The stack grows down from base + size; a local's address is where it stands now.
    char here = 0;
    auto low = reinterpret_cast<uintptr_t>(base);
    auto now = reinterpret_cast<uintptr_t>(&here);
    return now > low ? static_cast<size_t>(now - low) : 0;
}

struct DeepStackThread::State {
    std::function<void()> run;
    pthread_t thread{};
    bool joinable = false;
};

namespace {
void* threadMain(void* arg) {
    static_cast<std::function<void()>*>(arg)->operator()();
    return nullptr;
}

bool startWithStack(pthread_t& thread, std::function<void()>* run, size_t stackBytes) {
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return false;
    bool sized = stackBytes == 0 || pthread_attr_setstacksize(&attr, stackBytes) == 0;
    int rc = sized ? pthread_create(&thread, &attr, threadMain, run) : -1;
    pthread_attr_destroy(&attr);
    return rc == 0;
}
}  // namespace

DeepStackThread::DeepStackThread(std::function<void()> run, size_t stackBytes)
    : state_(std::make_unique<State>()) {
    state_->run = std::move(run);
    // A system with strict overcommit may refuse a large reservation: fall back step by step.
    for (size_t bytes : {stackBytes, size_t{64} << 20, size_t{0}}) {
        if (bytes > stackBytes) continue;
        if (startWithStack(state_->thread, &state_->run, bytes)) {
            state_->joinable = true;
            return;
        }
    }
    throw std::runtime_error("cannot start a thread");
}

DeepStackThread::~DeepStackThread() { join(); }

void DeepStackThread::join() {
    if (!state_ || !state_->joinable) return;
    pthread_join(state_->thread, nullptr);
    state_->joinable = false;
}

}  // namespace mockd::core
