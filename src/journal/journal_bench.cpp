// Micro-benchmarks of the request journal: recording at the default cap (10,000 entries, so
// every record past the first 10,000 evicts one), from one and several threads, and listing.
#include <benchmark/benchmark.h>

#include <memory>

#include "journal/journal.h"

namespace mockd::journal {
namespace {

Entry entry(uint64_t i) {
    Entry e;
    e.timestampUs = 1700000000000000 + static_cast<int64_t>(i);
    e.method = "GET";
    e.path = "/api/hello";
    e.headers = {{"Host", "127.0.0.1:8080"}, {"User-Agent", "wrk"}};
    e.remoteAddr = "127.0.0.1";
    e.mockId = "hello";
    e.status = 200;
    e.durationMs = 0.01;
    return e;
}

void BM_JournalRecord(benchmark::State& state) {
    static std::unique_ptr<Journal> j;
    if (state.thread_index() == 0) {
        j = std::make_unique<Journal>(static_cast<size_t>(state.range(0)));
        for (int i = 0; i < state.range(0); ++i) j->record(entry(i));  // start full
    }
    uint64_t i = 0;
    for (auto _ : state) j->record(entry(i++));
    state.SetItemsProcessed(state.iterations());
    if (state.thread_index() == 0) {
        state.counters["held"] = static_cast<double>(j->held());
        j.reset();
    }
}
BENCHMARK(BM_JournalRecord)->Arg(10000)->Threads(1)->Threads(2)->UseRealTime();

void BM_JournalRecordDisabled(benchmark::State& state) {
    Journal j(0);
    uint64_t i = 0;
    for (auto _ : state) j.record(entry(i++));
}
BENCHMARK(BM_JournalRecordDisabled);

void BM_JournalList100(benchmark::State& state) {
    Journal j(10000);
    for (int i = 0; i < 10000; ++i) j.record(entry(i));
    size_t total = 0;
    for (auto _ : state) benchmark::DoNotOptimize(j.list({}, 0, 100, &total));
}
BENCHMARK(BM_JournalList100)->Unit(benchmark::kMicrosecond);

void BM_JournalFindById(benchmark::State& state) {
    Journal j(10000);
    for (int i = 0; i < 10000; ++i) j.record(entry(i));
    size_t total = 0;
    auto mid = j.list({}, 5000, 1, &total).at(0)->id();
    for (auto _ : state) benchmark::DoNotOptimize(j.find(mid));
}
BENCHMARK(BM_JournalFindById)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mockd::journal
