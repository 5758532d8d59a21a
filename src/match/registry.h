// The set of live mocks. Every change compiles what changed, builds a new immutable snapshot
// and publishes it atomically; request threads read snapshots without taking a lock.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/mock.h"
#include "match/snapshot.h"

namespace mockd::match {

using core::Mock;
using core::MockPtr;

class Registry final {
  public:
    Registry();

    // Replaces every mock at once (config load, hot reload). Throws core::FieldError with the
    // field path prefixed by "mocks[i]." when a mock does not compile; nothing changes then.
    void replaceAll(std::vector<Mock> mocks);
    // Replaces every mock with ones already compiled (the config loader validates by compiling).
    void replaceAll(std::vector<match::CompiledMockPtr> compiled);
    // Adds a mock (an existing id is replaced in place, keeping its age). Throws FieldError.
    MockPtr upsert(Mock mock);
    // Validates a mock the way upsert would, without changing anything. Throws FieldError.
    void check(const Mock& mock) const;
    // Adds or replaces many mocks at once (all or nothing). Throws FieldError ("[i]." prefix).
    void upsertAll(std::vector<Mock> mocks);
    // Replaces the enabled flag; returns the new mock or nullptr for an unknown id.
    MockPtr setEnabled(const std::string& id, bool enabled);
    bool remove(const std::string& id);
    // Runs `change` on a copy of the mock list (creation order, compiled) and publishes the
    // result as one snapshot; nothing is published when `change` throws.
    void edit(const std::function<void(std::vector<match::CompiledMockPtr>&)>& change);
    // Which mock wins when several match (mockd's rule unless told otherwise).
    void setOrder(match::Order order);
    void clear();
    MockPtr get(const std::string& id) const;

    // The current snapshot, for request threads: a copy of this thread's cached pointer,
    // refreshed (under the lock) only after a change. Holding it keeps every mock in it alive.
    std::shared_ptr<const match::Snapshot> current() const;
    // The current snapshot, read under the lock (admin calls).
    std::shared_ptr<const match::Snapshot> snapshot() const;

  private:
    void publishLocked(std::vector<match::CompiledMockPtr> mocks);

    mutable std::mutex mu_;
    match::Order order_ = match::Order::Specificity;
    std::shared_ptr<const match::Snapshot> current_;
    std::atomic<uint64_t> version_;
};

}  // namespace mockd::match
