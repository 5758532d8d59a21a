// Request log implementation: per-thread rings merged by sequence number, a global live count.
#include "journal/journal.h"

#include <algorithm>
#include <charconv>
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

// Every lock the journal has, taken in one order (rings list, then each ring): what the admin
// side needs to see the rings and the live count agree. Workers only ever take their own ring's
// lock, alone, so they never wait on each other.
class Journal::AllLocked {
  public:
    explicit AllLocked(const Journal& j) : top_(j.ringsMu_) {
        rings_.reserve(j.rings_.size());
        for (const auto& r : j.rings_) rings_.emplace_back(r->mu);
    }
    // For a trim: gives up at once if an admin call or another trim holds the list.
    AllLocked(const Journal& j, std::try_to_lock_t) : top_(j.ringsMu_, std::try_to_lock) {
        if (!top_) return;
        rings_.reserve(j.rings_.size());
        for (const auto& r : j.rings_) rings_.emplace_back(r->mu);
    }
    explicit operator bool() const { return top_.owns_lock(); }

  private:
    std::unique_lock<std::mutex> top_;
    std::vector<std::unique_lock<std::mutex>> rings_;
};

namespace {
// How many evicted entries may wait before a recording thread frees them: at most an eighth of
// the cap and never more than 64, so memory stays close to the cap, yet enough that a full log
// does not send every request through every lock.
size_t trimBatch(size_t capacity) { return std::clamp<size_t>(capacity / 8, 1, 64); }

// "req-<16 hex>" back to its sequence number.
std::optional<uint64_t> seqOfId(std::string_view id) {
    if (id.size() != 20 || !id.starts_with("req-")) return std::nullopt;
    uint64_t seq = 0;
    for (char c : id.substr(4)) {
        if (c >= '0' && c <= '9')
            seq = seq << 4 | static_cast<uint64_t>(c - '0');
        else if (c >= 'a' && c <= 'f')
            seq = seq << 4 | static_cast<uint64_t>(c - 'a' + 10);
        else
            return std::nullopt;
    }
    return seq;
}
}  // namespace

void Journal::trimLocked(std::vector<EntryPtr>& freed) const {
    size_t held = held_.load(std::memory_order_relaxed);
    const size_t live = live_.load(std::memory_order_relaxed);
    // The evicted entries are exactly the oldest `held - live`: eviction always takes the
    // oldest, and removals take live and evicted entries alike. Each ring is oldest first.
    while (held > live) {
        Ring* oldest = nullptr;
        for (const auto& r : rings_)
            if (!r->entries.empty() &&
                (!oldest || r->entries.front()->seq < oldest->entries.front()->seq))
                oldest = r.get();
        if (!oldest) break;
        freed.push_back(std::move(oldest->entries.front()));
        oldest->entries.pop_front();
        --held;
    }
    held_.store(held, std::memory_order_relaxed);
}

void Journal::trimIfDue() {
    const size_t held = held_.load(std::memory_order_relaxed);
    const size_t live = live_.load(std::memory_order_relaxed);
    if (held <= live || held - live < trimBatch(capacity_.load(std::memory_order_relaxed))) return;
    std::vector<EntryPtr> freed;
    AllLocked lock(*this, std::try_to_lock);
    // Busy: whoever holds the list trims (admin calls do), or the next record tries again.
    if (lock) trimLocked(freed);
}

void Journal::setCapacity(size_t capacity) {
    std::vector<EntryPtr> freed;
    AllLocked lock(*this);
    capacity_.store(capacity, std::memory_order_relaxed);
    if (live_.load(std::memory_order_relaxed) > capacity)
        live_.store(capacity, std::memory_order_relaxed);
    trimLocked(freed);
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
    if (capacity_.load(std::memory_order_relaxed) == 0) return;
    auto fresh = std::make_shared<Entry>(std::move(entry));
    Ring& ring = localRing();
    {
        std::lock_guard lock(ring.mu);
        fresh->seq = nextSeq_.fetch_add(1, std::memory_order_relaxed);
        ring.entries.push_back(fresh);
        held_.fetch_add(1, std::memory_order_relaxed);
        // Below the cap the log grows; at the cap the oldest entry is evicted, which is just
        // this count not growing (the entry is freed later, in a batch).
        const size_t cap = capacity_.load(std::memory_order_relaxed);
        size_t live = live_.load(std::memory_order_relaxed);
        while (live < cap &&
               !live_.compare_exchange_weak(live, live + 1, std::memory_order_relaxed)) {
        }
    }
    trimIfDue();
    if (hasListeners_.load(std::memory_order_acquire)) {
        EntryPtr ptr = std::move(fresh);
        if (auto snapshot = listenerSnapshot_.load(std::memory_order_acquire))
            for (const auto& [token, l] : *snapshot) l(ptr);
    }
}

std::vector<EntryPtr> Journal::list(const Filter& f, size_t offset, size_t limit,
                                    size_t* total) const {
    std::vector<EntryPtr> all, freed;
    {
        AllLocked lock(*this);
        trimLocked(freed);
        all.reserve(held_.load(std::memory_order_relaxed));
        for (const auto& r : rings_) all.insert(all.end(), r->entries.begin(), r->entries.end());
    }
    std::sort(all.begin(), all.end(),
              [](const EntryPtr& a, const EntryPtr& b) { return a->seq > b->seq; });
    std::vector<EntryPtr> out;
    size_t matched = 0;
    for (const auto& e : all) {
        if (!f.method.empty() && e->method != f.method) continue;
        if (!f.pathContains.empty() && e->path.find(f.pathContains) == std::string::npos) continue;
        if (!f.mockId.empty() && e->mockId != f.mockId) continue;
        if (f.status && e->status != f.status) continue;
        if (f.unmatchedOnly && !e->mockId.empty()) continue;
        if (!f.protocol.empty() && e->protocol != f.protocol) continue;
        if (f.matchedOnly && e->mockId.empty()) continue;
        if (f.hasError && *f.hasError == e->error.empty()) continue;
        if (matched++ < offset) continue;
        if (out.size() < limit) out.push_back(e);
    }
    if (total) *total = matched;
    return out;
}

EntryPtr Journal::find(std::string_view id) const {
    const auto seq = seqOfId(id);
    if (!seq) return nullptr;
    std::vector<EntryPtr> freed;
    AllLocked lock(*this);
    trimLocked(freed);
    for (const auto& r : rings_) {
        auto it = std::lower_bound(r->entries.begin(), r->entries.end(), *seq,
                                   [](const EntryPtr& e, uint64_t s) { return e->seq < s; });
        if (it != r->entries.end() && (*it)->seq == *seq) return *it;
    }
    return nullptr;
}

EntryPtr Journal::findUuid(std::string_view uuid) const {
    // The UUID ends in the low 48 bits of the sequence number: compare those first, so that
    // formatting a UUID is needed only for the candidates.
    uint64_t low = 0;
    if (uuid.size() != 36) return nullptr;
    auto [p, ec] = std::from_chars(uuid.data() + 24, uuid.data() + 36, low, 16);
    if (ec != std::errc() || p != uuid.data() + 36) return nullptr;
    std::vector<EntryPtr> freed;
    AllLocked lock(*this);
    trimLocked(freed);
    for (const auto& r : rings_)
        for (const auto& e : r->entries)
            if ((e->seq & 0xffffffffffffULL) == low && e->uuid() == uuid) return e;
    return nullptr;
}

std::vector<EntryPtr> Journal::removeIf(const std::function<bool(const Entry&)>& pred) {
    std::vector<EntryPtr> removed, freed;
    {
        AllLocked lock(*this);
        trimLocked(freed);
        for (auto& r : rings_) {
            std::erase_if(r->entries, [&](const EntryPtr& e) {
                if (!pred(*e)) return false;
                removed.push_back(e);
                return true;
            });
        }
        held_.fetch_sub(removed.size(), std::memory_order_relaxed);
        live_.fetch_sub(removed.size(), std::memory_order_relaxed);
    }
    std::sort(removed.begin(), removed.end(),
              [](const EntryPtr& a, const EntryPtr& b) { return a->seq > b->seq; });
    return removed;
}

size_t Journal::clear() {
    std::vector<EntryPtr> freed;
    AllLocked lock(*this);
    trimLocked(freed);
    for (auto& r : rings_) {
        for (auto& e : r->entries) freed.push_back(std::move(e));
        r->entries.clear();
    }
    held_.store(0, std::memory_order_relaxed);
    return live_.exchange(0, std::memory_order_relaxed);
}

size_t Journal::clearMock(const std::string& mockId) {
    return removeIf([&](const Entry& e) { return e.mockId == mockId; }).size();
}

uint64_t Journal::subscribe(Listener l) {
    std::lock_guard lock(listenersMu_);
    uint64_t token = nextToken_++;
    listeners_.emplace_back(token, std::move(l));
    listenerSnapshot_.store(std::make_shared<const Listeners>(listeners_),
                            std::memory_order_release);
    hasListeners_.store(true, std::memory_order_release);
    return token;
}

void Journal::unsubscribe(uint64_t token) {
    std::lock_guard lock(listenersMu_);
    std::erase_if(listeners_, [&](const auto& p) { return p.first == token; });
    listenerSnapshot_.store(
        listeners_.empty() ? nullptr : std::make_shared<const Listeners>(listeners_),
        std::memory_order_release);
    hasListeners_.store(!listeners_.empty(), std::memory_order_release);
}

}  // namespace mockd::journal
