// The set of live mocks. Every change publishes a new immutable snapshot atomically; request
// threads read snapshots without taking a lock.
//
// A change costs what it changed, not the whole set. The snapshot it publishes is the last full
// index with two small indexes of changed mocks on top: the newest changes (rebuilt on every
// change, so kept to a handful) and the ones before them (rebuilt once per handful). A
// background thread folds all of it into a new full index once the changes reach a share of the
// set, or the writes pause, off the writers' and the request threads' paths. Each write returns
// once its change is visible.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/mock.h"
#include "match/snapshot.h"

namespace mockd::match {

using core::Mock;
using core::MockPtr;

class Registry final {
  public:
    Registry();
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

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
    // result as one snapshot; nothing is published when `change` throws. It costs the whole
    // set: for loads and resets, not for one mock.
    void edit(const std::function<void(std::vector<match::CompiledMockPtr>&)>& change);
    // Which mock wins when several match (mockd's rule unless told otherwise).
    void setOrder(match::Order order);
    void clear();
    MockPtr get(const std::string& id) const;
    // The compiled mock with this id (its live counters with it), or nullptr.
    CompiledMockPtr compiled(const std::string& id) const;
    // Folds the pending changes into one index now and waits for it (tests and benchmarks).
    void compact();
    // Calls `fn` after each snapshot the registry publishes (a change, or a fold that changes
    // no mock), under the writers' lock: `fn` may read current() but must not change mocks,
    // and should be quick (open streams use it to learn that their mock changed). Returns a
    // token for unwatch.
    uint64_t watch(std::function<void()> fn);
    void unwatch(uint64_t token);

    // The current snapshot, for request threads: a copy of this thread's cached pointer,
    // refreshed (under the lock) only after a change. Holding it keeps every mock in it alive.
    std::shared_ptr<const match::Snapshot> current() const;
    // The current snapshot, read under the lock (admin calls).
    std::shared_ptr<const match::Snapshot> snapshot() const;

  private:
    // Everything below runs under writeMu_.
    void publishFullLocked(std::vector<match::CompiledMockPtr> mocks);
    void publishChangesLocked();
    void publishLocked(std::shared_ptr<const match::Snapshot> next);
    // Records that `id` is now `next` (nullptr: removed).
    void applyLocked(const std::string& id, match::CompiledMockPtr next);
    // A writer changed `id` now (the pause before a fold counts from here).
    void noteWriteLocked(const std::string& id);
    // Moves the newest changes into the middle index.
    void settleLocked();
    size_t pendingLocked() const;
    // Pending changes that make the compactor fold them at once.
    size_t foldThresholdLocked() const;
    void foldLocked(std::unique_lock<std::mutex>& lock);
    void freeRetiredLocked(std::unique_lock<std::mutex>& lock);
    void compactorLoop();

    mutable std::mutex writeMu_;  // one change at a time
    match::Order order_ = match::Order::Specificity;
    // The layers: the full index, the settled changes after it, the newest changes (by id,
    // the current version), and the mocks of the first two that later ones replace or remove.
    std::shared_ptr<const match::MockIndex> base_;
    std::shared_ptr<const match::MockIndex> middle_;
    std::unordered_map<std::string, match::CompiledMockPtr> recent_;
    match::HiddenSet hidden_;
    uint64_t generation_ = 0;  // bumped by every change of the whole set
    bool folding_ = false;
    std::unordered_set<std::string> touchedWhileFolding_;
    std::chrono::steady_clock::time_point lastChange_;
    // Indexes a fold replaced, freed by the compactor once no snapshot holds them.
    std::vector<std::shared_ptr<const match::MockIndex>> retired_;
    std::vector<std::pair<uint64_t, std::function<void()>>> watchers_;
    uint64_t nextWatchToken_ = 1;
    std::condition_variable wake_;
    bool waitingForChanges_ = false;  // the compactor sleeps until a change comes
    std::condition_variable folded_;
    bool stopping_ = false;
    std::thread compactor_;

    mutable std::mutex mu_;  // guards current_ for readers
    std::shared_ptr<const match::Snapshot> current_;
    std::atomic<uint64_t> version_;
};

}  // namespace mockd::match
