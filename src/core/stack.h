// Threads with deep stacks, and how much stack the calling thread has left. Some checks recurse
// once per byte of their input (the std::regex behind JSON Schema's `pattern`): the threads that
// serve requests get stacks deep enough to run them inline, and such a check asks first whether
// the stack it runs on can take the input, instead of starting a thread of its own per call.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace mockd::core {

// The stack of a serving thread: reserved address space, committed only as far as it is used.
inline constexpr size_t kDeepStackBytes = size_t{1} << 30;

// Bytes between the current stack position and the end of this thread's stack; 0 when the
// system cannot tell.
size_t stackRemaining();

// A joinable thread whose stack is `stackBytes` deep (or, where the system refuses that much,
// the deepest of 64 MiB and its default).
class DeepStackThread final {
  public:
    explicit DeepStackThread(std::function<void()> run, size_t stackBytes = kDeepStackBytes);
    ~DeepStackThread();  // joins
    DeepStackThread(const DeepStackThread&) = delete;
    DeepStackThread& operator=(const DeepStackThread&) = delete;
    void join();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace mockd::core
