// Registry: copy-on-write snapshots, published with a version number that request threads
// check (one relaxed load) before reusing their cached snapshot.
#include "match/registry.h"

#include <algorithm>

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
}  // namespace

Registry::Registry() : current_(match::Snapshot::build({})), version_(gNextVersion.fetch_add(1)) {}

void Registry::publishLocked(std::vector<match::CompiledMockPtr> mocks) {
    current_ = match::Snapshot::build(std::move(mocks), order_);
    version_.store(gNextVersion.fetch_add(1), std::memory_order_release);
}

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
    std::lock_guard lock(mu_);
    publishLocked(std::move(compiled));
}

namespace {
std::shared_ptr<match::MockStats> statsOf(const std::vector<match::CompiledMockPtr>& all,
                                          const std::string& id) {
    for (const auto& c : all)
        if (c->mock().id == id) return c->statsPtr();
    return nullptr;
}
}  // namespace

MockPtr Registry::upsert(Mock mock) {
    std::lock_guard lock(mu_);
    std::vector<match::CompiledMockPtr> next = current_->all();
    auto it = std::find_if(next.begin(), next.end(),
                           [&](const auto& c) { return c->mock().id == mock.id; });
    mock.seq = it != next.end() ? (*it)->mock().seq : core::nextMockSeq();
    auto stats = it != next.end() ? (*it)->statsPtr() : nullptr;
    auto compiled = match::CompiledMock::compile(std::make_shared<Mock>(std::move(mock)), stats);
    if (it != next.end())
        *it = compiled;
    else
        next.push_back(compiled);
    publishLocked(std::move(next));
    return compiled->mockPtr();
}

void Registry::check(const Mock& mock) const {
    match::CompiledMock::compile(std::make_shared<Mock>(mock));
}

void Registry::upsertAll(std::vector<Mock> mocks) {
    std::lock_guard lock(mu_);
    std::vector<match::CompiledMockPtr> next = current_->all();
    std::vector<match::CompiledMockPtr> compiled;
    for (size_t i = 0; i < mocks.size(); ++i) {
        auto it = std::find_if(next.begin(), next.end(),
                               [&](const auto& c) { return c->mock().id == mocks[i].id; });
        mocks[i].seq = it != next.end() ? (*it)->mock().seq : core::nextMockSeq();
        auto stats = statsOf(next, mocks[i].id);
        try {
            compiled.push_back(
                match::CompiledMock::compile(std::make_shared<Mock>(std::move(mocks[i])), stats));
        } catch (const core::FieldError& e) {
            throw core::FieldError("[" + std::to_string(i) + "]." + e.field(), e.what());
        }
    }
    for (auto& c : compiled) {
        auto it = std::find_if(next.begin(), next.end(),
                               [&](const auto& x) { return x->mock().id == c->mock().id; });
        if (it != next.end())
            *it = c;
        else
            next.push_back(c);
    }
    publishLocked(std::move(next));
}

MockPtr Registry::setEnabled(const std::string& id, bool enabled) {
    std::lock_guard lock(mu_);
    std::vector<match::CompiledMockPtr> next = current_->all();
    for (auto& c : next) {
        if (c->mock().id != id) continue;
        Mock m = c->mock();
        m.enabled = enabled;
        // The same definition: its sequence position and used `times` carry over.
        c = match::CompiledMock::compile(std::make_shared<Mock>(std::move(m)), c->statsPtr(),
                                         c->progressPtr());
        auto result = c->mockPtr();
        publishLocked(std::move(next));
        return result;
    }
    return nullptr;
}

bool Registry::remove(const std::string& id) {
    std::lock_guard lock(mu_);
    std::vector<match::CompiledMockPtr> next = current_->all();
    auto it =
        std::find_if(next.begin(), next.end(), [&](const auto& c) { return c->mock().id == id; });
    if (it == next.end()) return false;
    next.erase(it);
    publishLocked(std::move(next));
    return true;
}

void Registry::setOrder(match::Order order) {
    std::lock_guard lock(mu_);
    order_ = order;
    publishLocked(current_->all());
}

void Registry::edit(const std::function<void(std::vector<match::CompiledMockPtr>&)>& change) {
    std::lock_guard lock(mu_);
    std::vector<match::CompiledMockPtr> next = current_->all();
    change(next);
    publishLocked(std::move(next));
}

void Registry::clear() {
    std::lock_guard lock(mu_);
    publishLocked({});
}

MockPtr Registry::get(const std::string& id) const {
    auto snap = snapshot();
    for (const auto& c : snap->all())
        if (c->mock().id == id) return c->mockPtr();
    return nullptr;
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
