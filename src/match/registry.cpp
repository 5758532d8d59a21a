// Registry: copy-on-write snapshots, published with a version number that request threads
// check (one relaxed load) before reusing their cached snapshot.
#include "match/registry.h"

#include <algorithm>

#include "core/background.h"
#include "core/errors.h"

namespace mockd::match {

namespace {
// Versions are unique across registries so a thread's cache can never confuse two of them.
std::atomic<uint64_t> gNextVersion{1};

struct ThreadCache {
    const Registry* owner = nullptr;
    uint64_t version = 0;
    std::shared_ptr<const match::Snapshot> snap;
};
thread_local ThreadCache tCache;

// The newest changes are rebuilt into an index on every change: past this many they settle
// into the middle index, which is rebuilt only then.
constexpr size_t kMaxRecent = 16;
// Changes are folded into a new full index once they number a share of the set (so the work of
// a fold, spread over the changes before it, stays the same per change however large the set
// is), or once writes pause this long, so a set that stops changing is one index again.
constexpr size_t kMinFoldThreshold = 64;
constexpr size_t kFoldShare = 16;
constexpr auto kFoldAfterPause = std::chrono::milliseconds(50);

bool bySeq(const match::CompiledMockPtr& a, const match::CompiledMockPtr& b) {
    return a->mock().seq < b->mock().seq;
}
}  // namespace

Registry::Registry() : version_(gNextVersion.fetch_add(1)) {
    base_ = match::MockIndex::build({}, order_);
    current_ = match::Snapshot::layered(base_, nullptr, nullptr, nullptr);
}

Registry::~Registry() {
    {
        std::lock_guard lock(writeMu_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (compactor_.joinable()) compactor_.join();
}

// ---- publishing ----

void Registry::publishLocked(std::shared_ptr<const match::Snapshot> next) {
    {
        std::lock_guard lock(mu_);
        current_.swap(next);
        version_.store(gNextVersion.fetch_add(1), std::memory_order_release);
    }
    // `next` now holds the previous snapshot, released outside the readers' lock.
    for (const auto& [token, fn] : watchers_) fn();
}

uint64_t Registry::watch(std::function<void()> fn) {
    std::lock_guard lock(writeMu_);
    watchers_.emplace_back(nextWatchToken_, std::move(fn));
    return nextWatchToken_++;
}

void Registry::unwatch(uint64_t token) {
    std::lock_guard lock(writeMu_);
    std::erase_if(watchers_, [&](const auto& w) { return w.first == token; });
}

void Registry::publishFullLocked(std::vector<match::CompiledMockPtr> mocks) {
    base_ = match::MockIndex::build(std::move(mocks), order_);
    middle_.reset();
    recent_.clear();
    hidden_.clear();
    ++generation_;
    publishLocked(match::Snapshot::layered(base_, nullptr, nullptr, nullptr));
}

size_t Registry::pendingLocked() const {
    return (middle_ ? middle_->size() : 0) + recent_.size() + hidden_.size();
}

void Registry::publishChangesLocked() {
    if (recent_.size() > kMaxRecent) settleLocked();
    std::vector<match::CompiledMockPtr> recent;
    recent.reserve(recent_.size());
    for (const auto& [id, c] : recent_) recent.push_back(c);
    // Creation order, as every index keeps its mocks.
    std::sort(recent.begin(), recent.end(), bySeq);
    auto top = recent.empty() ? nullptr
                              : match::MockIndex::build(std::move(recent), order_,
                                                        match::MockIndex::Kind::Changes);
    auto hidden = hidden_.empty() ? nullptr : std::make_shared<const match::HiddenSet>(hidden_);
    publishLocked(match::Snapshot::layered(base_, middle_, std::move(top), std::move(hidden)));
    if (pendingLocked() == 0) return;
    if (!compactor_.joinable()) compactor_ = std::thread([this] { compactorLoop(); });
    // Waiting for the writes to pause, the compactor wakes by itself: waking it on every
    // change would cost a thread switch per change.
    if (waitingForChanges_ || pendingLocked() >= foldThresholdLocked()) wake_.notify_one();
}

void Registry::settleLocked() {
    std::vector<match::CompiledMockPtr> settled;
    settled.reserve((middle_ ? middle_->size() : 0) + recent_.size());
    if (middle_) {
        // The middle mocks that were replaced or removed leave with the old middle index.
        for (const auto& c : middle_->all())
            if (hidden_.contains(c.get()))
                hidden_.erase(c.get());
            else
                settled.push_back(c);
    }
    for (auto& [id, c] : recent_) settled.push_back(std::move(c));
    recent_.clear();
    std::sort(settled.begin(), settled.end(), bySeq);
    middle_ = settled.empty() ? nullptr
                              : match::MockIndex::build(std::move(settled), order_,
                                                        match::MockIndex::Kind::Changes);
}

void Registry::applyLocked(const std::string& id, match::CompiledMockPtr next) {
    if (!recent_.count(id)) {
        // The version visible until now lies in a lower layer: it is hidden from now on.
        for (const auto* layer : {middle_.get(), base_.get()}) {
            const match::CompiledMockPtr* c = layer ? layer->byId(id) : nullptr;
            if (c && !hidden_.contains(c->get())) {
                hidden_.insert(c->get());
                break;
            }
        }
    }
    if (next)
        recent_[id] = std::move(next);
    else
        recent_.erase(id);
}

void Registry::noteWriteLocked(const std::string& id) {
    lastChange_ = std::chrono::steady_clock::now();
    if (folding_) touchedWhileFolding_.insert(id);
}

// ---- folding the changes into a full index ----

size_t Registry::foldThresholdLocked() const {
    // Folds less often as the set grows: each costs the whole set.
    return std::max(kMinFoldThreshold, base_->size() / kFoldShare);
}

void Registry::foldLocked(std::unique_lock<std::mutex>& lock) {
    const auto snap = current_;
    const uint64_t generation = generation_;
    const match::Order order = order_;
    folding_ = true;
    touchedWhileFolding_.clear();
    lock.unlock();
    // The whole build runs with no lock held: writers and readers go on meanwhile. The
    // snapshot's mocks are in matching order already (its two indexes merged).
    auto index =
        match::MockIndex::build(snap->all(), order, match::MockIndex::Kind::Full, &snap->ranked());
    lock.lock();
    folding_ = false;
    folded_.notify_all();
    if (generation != generation_ || order != order_) {
        // The whole set was replaced meanwhile: this index is out of date.
        lock.unlock();
        index.reset();
        lock.lock();
        return;
    }
    retired_.push_back(std::move(base_));
    if (middle_) retired_.push_back(std::move(middle_));
    base_ = std::move(index);
    middle_.reset();
    recent_.clear();
    hidden_.clear();
    // What changed while the index was being built goes on top of it.
    for (const auto& id : touchedWhileFolding_) {
        const match::CompiledMockPtr now = current_->byId(id);
        const match::CompiledMockPtr* inBase = base_->byId(id);
        if (inBase && inBase->get() == now.get()) continue;
        if (inBase) hidden_.insert(inBase->get());
        if (now) recent_[id] = now;
    }
    touchedWhileFolding_.clear();
    publishChangesLocked();
}

void Registry::freeRetiredLocked(std::unique_lock<std::mutex>& lock) {
    // An index no snapshot holds any more is freed here, not by the request thread that
    // happens to drop the last snapshot holding it.
    std::vector<std::shared_ptr<const match::MockIndex>> unused;
    auto kept = std::partition(retired_.begin(), retired_.end(),
                               [](const auto& index) { return index.use_count() > 1; });
    std::move(kept, retired_.end(), std::back_inserter(unused));
    retired_.erase(kept, retired_.end());
    if (unused.empty()) return;
    lock.unlock();
    unused.clear();
    lock.lock();
}

void Registry::compactorLoop() {
    // A fold may take a while (a full index of the set); requests keep the cores first.
    core::giveWayToServing();
    std::unique_lock lock(writeMu_);
    while (!stopping_) {
        freeRetiredLocked(lock);
        if (stopping_) break;
        const size_t pending = pendingLocked();
        if (folding_) {
            folded_.wait(lock);
        } else if (pending == 0) {
            waitingForChanges_ = true;
            if (retired_.empty())
                wake_.wait(lock);
            else
                wake_.wait_for(lock, std::chrono::seconds(1));
            waitingForChanges_ = false;
        } else if (const auto due = lastChange_ + kFoldAfterPause;
                   pending < foldThresholdLocked() && std::chrono::steady_clock::now() < due) {
            wake_.wait_until(lock, due);
        } else {
            foldLocked(lock);
        }
    }
}

void Registry::compact() {
    std::unique_lock lock(writeMu_);
    while (folding_) folded_.wait(lock);
    if (pendingLocked() > 0) foldLocked(lock);
}

// ---- changes ----

void Registry::replaceAll(std::vector<Mock> mocks) {
    std::vector<match::CompiledMockPtr> compiled;
    compiled.reserve(mocks.size());
    for (size_t i = 0; i < mocks.size(); ++i) {
        mocks[i].seq = core::nextMockSeq();
        try {
            compiled.push_back(
                match::CompiledMock::compile(std::make_shared<Mock>(std::move(mocks[i]))));
        } catch (const core::FieldError& e) {
            throw core::FieldError("mocks[" + std::to_string(i) + "]." + e.field(), e.what());
        }
    }
    replaceAll(std::move(compiled));
}

void Registry::replaceAll(std::vector<match::CompiledMockPtr> compiled) {
    std::lock_guard lock(writeMu_);
    publishFullLocked(std::move(compiled));
}

MockPtr Registry::upsert(Mock mock) {
    std::lock_guard lock(writeMu_);
    const match::CompiledMockPtr existing = current_->byId(mock.id);
    // A replaced mock keeps its age (its place in creation order) and its counters.
    mock.seq = existing ? existing->mock().seq : core::nextMockSeq();
    auto compiled = match::CompiledMock::compile(std::make_shared<Mock>(std::move(mock)),
                                                 existing ? existing->statsPtr() : nullptr);
    const std::string& id = compiled->mock().id;
    noteWriteLocked(id);
    applyLocked(id, compiled);
    publishChangesLocked();
    return compiled->mockPtr();
}

void Registry::check(const Mock& mock) const {
    match::CompiledMock::compile(std::make_shared<Mock>(mock));
}

void Registry::upsertAll(std::vector<Mock> mocks) {
    std::lock_guard lock(writeMu_);
    std::vector<match::CompiledMockPtr> compiled;
    compiled.reserve(mocks.size());
    // Every mock compiles before anything changes.
    for (size_t i = 0; i < mocks.size(); ++i) {
        const match::CompiledMockPtr existing = current_->byId(mocks[i].id);
        mocks[i].seq = existing ? existing->mock().seq : core::nextMockSeq();
        try {
            compiled.push_back(
                match::CompiledMock::compile(std::make_shared<Mock>(std::move(mocks[i])),
                                             existing ? existing->statsPtr() : nullptr));
        } catch (const core::FieldError& e) {
            throw core::FieldError("[" + std::to_string(i) + "]." + e.field(), e.what());
        }
    }
    for (auto& c : compiled) {
        const std::string id = c->mock().id;
        noteWriteLocked(id);
        applyLocked(id, std::move(c));
    }
    publishChangesLocked();
}

MockPtr Registry::setEnabled(const std::string& id, bool enabled) {
    std::lock_guard lock(writeMu_);
    const match::CompiledMockPtr existing = current_->byId(id);
    if (!existing) return nullptr;
    Mock m = existing->mock();
    m.enabled = enabled;
    // The same definition: its sequence position and used `times` carry over.
    auto next = match::CompiledMock::compile(std::make_shared<Mock>(std::move(m)),
                                             existing->statsPtr(), existing->progressPtr());
    noteWriteLocked(id);
    applyLocked(id, next);
    publishChangesLocked();
    return next->mockPtr();
}

bool Registry::remove(const std::string& id) {
    std::lock_guard lock(writeMu_);
    if (!current_->byId(id)) return false;
    noteWriteLocked(id);
    applyLocked(id, nullptr);
    publishChangesLocked();
    return true;
}

void Registry::setOrder(match::Order order) {
    std::lock_guard lock(writeMu_);
    order_ = order;
    publishFullLocked(current_->all());
}

void Registry::edit(const std::function<void(std::vector<match::CompiledMockPtr>&)>& change) {
    std::lock_guard lock(writeMu_);
    std::vector<match::CompiledMockPtr> next = current_->all();
    change(next);
    publishFullLocked(std::move(next));
}

void Registry::clear() {
    std::lock_guard lock(writeMu_);
    publishFullLocked({});
}

// ---- reads ----

MockPtr Registry::get(const std::string& id) const {
    auto c = compiled(id);
    return c ? c->mockPtr() : nullptr;
}

match::CompiledMockPtr Registry::compiled(const std::string& id) const {
    return snapshot()->byId(id);
}

std::shared_ptr<const match::Snapshot> Registry::snapshot() const {
    std::lock_guard lock(mu_);
    return current_;
}

std::shared_ptr<const match::Snapshot> Registry::current() const {
    uint64_t v = version_.load(std::memory_order_acquire);
    if (tCache.owner != this || tCache.version != v) {
        std::lock_guard lock(mu_);
        tCache.snap = current_;
        tCache.version = version_.load(std::memory_order_relaxed);
        tCache.owner = this;
    }
    return tCache.snap;
}

}  // namespace mockd::match
