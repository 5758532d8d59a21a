// Request log implementation: per-thread rings merged by sequence number.
#include "journal/journal.h"

#include <algorithm>
#include <deque>
#include <random>

namespace mockd::journal {

namespace {
std::atomic<uint64_t> gInstances{1};
}

struct Journal::Ring {
    mutable std::mutex mu;
    std::deque<EntryPtr> entries;  // oldest first
};

std::string Entry::id() const {
    char buf[24];
    std::snprintf(buf, sizeof buf, "req-%016llx", static_cast<unsigned long long>(seq));
    return buf;
}

namespace {
// Process-wide bits that make request UUIDs differ between runs.
uint64_t uuidSalt() {
    static const uint64_t salt = std::random_device{}() * 0x9e3779b97f4a7c15ULL ^
                                 static_cast<uint64_t>(std::random_device{}());
    return salt;
}
}  // namespace

std::string Entry::uuid() const {
    const uint64_t s = uuidSalt();
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-a%03x-%012llx", static_cast<unsigned>(s >> 32),
                  static_cast<unsigned>(s >> 16 & 0xffff), static_cast<unsigned>(s >> 4 & 0xfff),
                  static_cast<unsigned>(s >> 52 & 0xfff),
                  static_cast<unsigned long long>(seq & 0xffffffffffffULL));
    return buf;
}

Journal::Journal(size_t capacity) : capacity_(capacity), instance_(gInstances.fetch_add(1)) {}
Journal::~Journal() = default;

void Journal::setCapacity(size_t capacity) {
    std::lock_guard lock(ringsMu_);
    capacity_ = capacity;
    for (auto& r : rings_) {
        std::lock_guard rl(r->mu);
        while (r->entries.size() > capacity_) r->entries.pop_front();
    }
}

Journal::Ring& Journal::localRing() {
    // One ring per (thread, journal); the instance number tells journals apart even when one
    // is destroyed and another allocated at the same address.
    thread_local std::vector<std::pair<uint64_t, std::shared_ptr<Ring>>> mine;
    for (auto& [inst, ring] : mine)
        if (inst == instance_) return *ring;
    auto ring = std::make_shared<Ring>();
    {
        std::lock_guard lock(ringsMu_);
        rings_.push_back(ring);
    }
    mine.emplace_back(instance_, ring);
    return *ring;
}

void Journal::record(Entry entry) {
    if (capacity_ == 0) return;
    entry.seq = nextSeq_.fetch_add(1, std::memory_order_relaxed);
    auto ptr = std::make_shared<const Entry>(std::move(entry));
    Ring& ring = localRing();
    {
        std::lock_guard lock(ring.mu);
        ring.entries.push_back(ptr);
        // A ring never needs more than the global cap: the newest `capacity_` overall are
        // always among the newest `capacity_` of each ring.
        while (ring.entries.size() > capacity_) ring.entries.pop_front();
    }
    if (hasListeners_.load(std::memory_order_acquire)) {
        std::lock_guard lock(listenersMu_);
        for (auto& [token, l] : listeners_) l(ptr);
    }
}

std::vector<EntryPtr> Journal::list(const Filter& f, size_t offset, size_t limit,
                                    size_t* total) const {
    std::vector<EntryPtr> all;
    {
        std::lock_guard lock(ringsMu_);
        for (const auto& r : rings_) {
            std::lock_guard rl(r->mu);
            all.insert(all.end(), r->entries.begin(), r->entries.end());
        }
    }
    std::sort(all.begin(), all.end(),
              [](const EntryPtr& a, const EntryPtr& b) { return a->seq > b->seq; });
    if (all.size() > capacity_) all.resize(capacity_);
    std::vector<EntryPtr> out;
    size_t matched = 0;
    for (const auto& e : all) {
        if (!f.method.empty() && e->method != f.method) continue;
        if (!f.pathContains.empty() && e->path.find(f.pathContains) == std::string::npos) continue;
        if (!f.mockId.empty() && e->mockId != f.mockId) continue;
        if (f.status && e->status != f.status) continue;
        if (f.unmatchedOnly && !e->mockId.empty()) continue;
        if (f.matchedOnly && e->mockId.empty()) continue;
        if (matched++ < offset) continue;
        if (out.size() < limit) out.push_back(e);
    }
    if (total) *total = matched;
    return out;
}

EntryPtr Journal::find(std::string_view id) const {
    std::lock_guard lock(ringsMu_);
    for (const auto& r : rings_) {
        std::lock_guard rl(r->mu);
        for (const auto& e : r->entries)
            if (e->id() == id) return e;
    }
    return nullptr;
}

EntryPtr Journal::findUuid(std::string_view uuid) const {
    std::lock_guard lock(ringsMu_);
    for (const auto& r : rings_) {
        std::lock_guard rl(r->mu);
        for (const auto& e : r->entries)
            if (e->uuid() == uuid) return e;
    }
    return nullptr;
}

std::vector<EntryPtr> Journal::removeIf(const std::function<bool(const Entry&)>& pred) {
    std::vector<EntryPtr> removed;
    std::lock_guard lock(ringsMu_);
    for (auto& r : rings_) {
        std::lock_guard rl(r->mu);
        std::erase_if(r->entries, [&](const EntryPtr& e) {
            if (!pred(*e)) return false;
            removed.push_back(e);
            return true;
        });
    }
    std::sort(removed.begin(), removed.end(),
              [](const EntryPtr& a, const EntryPtr& b) { return a->seq > b->seq; });
    return removed;
}

size_t Journal::clear() {
    size_t n = 0;
    std::lock_guard lock(ringsMu_);
    for (auto& r : rings_) {
        std::lock_guard rl(r->mu);
        n += r->entries.size();
        r->entries.clear();
    }
    return std::min(n, capacity_);
}

size_t Journal::clearMock(const std::string& mockId) {
    size_t n = 0;
    std::lock_guard lock(ringsMu_);
    for (auto& r : rings_) {
        std::lock_guard rl(r->mu);
        auto before = r->entries.size();
        std::erase_if(r->entries, [&](const EntryPtr& e) { return e->mockId == mockId; });
        n += before - r->entries.size();
    }
    return n;
}

uint64_t Journal::subscribe(Listener l) {
    std::lock_guard lock(listenersMu_);
    uint64_t token = nextToken_++;
    listeners_.emplace_back(token, std::move(l));
    hasListeners_.store(true, std::memory_order_release);
    return token;
}

void Journal::unsubscribe(uint64_t token) {
    std::lock_guard lock(listenersMu_);
    std::erase_if(listeners_, [&](const auto& p) { return p.first == token; });
    hasListeners_.store(!listeners_.empty(), std::memory_order_release);
}

}  // namespace mockd::journal
