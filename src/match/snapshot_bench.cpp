// Micro-benchmarks of the matcher index: Snapshot::find and nearMisses over 10,000 mocks of
// mixed kinds (literal paths, {param} paths, regexes, header and body matchers), as the
// bench/ suite's 10k case loads them. Built only with -DMOCKD_BUILD_BENCH=ON (mockd_bench).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/mock_codec.h"
#include "match/registry.h"
#include "match/snapshot.h"

namespace mockd::match {
namespace {

using core::Json;

CompiledMockPtr mk(const Json& j) {
    core::Mock m = core::decodeMock(j, "mock", {});
    m.seq = core::nextMockSeq();
    return CompiledMock::compile(std::make_shared<core::Mock>(std::move(m)));
}

// The same mix as bench/gen_stubs.py: 40% literal, 25% {param}, 15% regex, 10% header,
// 10% body; the last one added is a literal GET path.
std::vector<CompiledMockPtr> tenThousand() {
    std::vector<CompiledMockPtr> out;
    const int n = 10000;
    for (int i = 0; i < n; ++i) {
        const std::string s = std::to_string(i);
        Json matcher;
        switch (i == n - 1 ? 0 : i % 20) {
            case 0:
            case 1:
            case 2:
            case 3:
            case 4:
            case 5:
            case 6:
            case 7:
                matcher = {{"method", "GET"}, {"path", "/lit/r" + s + "/items"}};
                break;
            case 8:
            case 9:
            case 10:
            case 11:
            case 12:
                matcher = {{"method", "GET"}, {"path", "/p" + s + "/{id}/items/{item}"}};
                break;
            case 13:
            case 14:
            case 15:
                matcher = {{"method", "GET"}, {"pathPattern", "^/rx/r" + s + "/[0-9]+$"}};
                break;
            case 16:
            case 17:
                matcher = {{"method", "GET"},
                           {"path", "/hdr/r" + s},
                           {"headers", {{"X-Tenant", "t" + s}}}};
                break;
            default:
                matcher = {{"method", "POST"},
                           {"path", "/body/r" + s},
                           {"bodyContains", "\"order\":\"o" + s + "\""}};
        }
        Json mock = {{"id", "m" + s},
                     {"type", "http"},
                     {"http",
                      {{"matcher", matcher},
                       {"response", {{"statusCode", 200}, {"body", "{\"n\":" + s + "}"}}}}}};
        out.push_back(mk(mock));
    }
    return out;
}

const std::shared_ptr<const Snapshot>& snapshot() {
    static const auto snap = Snapshot::build(tenThousand());
    return snap;
}

struct Req {
    core::Request r;
    Req(std::string_view method, std::string_view path, std::string_view body = {}) {
        r.method = method;
        r.path = r.rawPath = r.target = path;
        r.body = body;
        r.headers.push_back({"Host", "127.0.0.1:8080"});
        r.headers.push_back({"User-Agent", "wrk"});
    }
};

void findOne(benchmark::State& state, const Req& q, bool expectHit) {
    const auto& snap = snapshot();
    for (auto _ : state) {
        MatchInput in(q.r);
        const CompiledMock* m = snap->find(in, q.r.method);
        benchmark::DoNotOptimize(m);
        if ((m != nullptr) != expectHit) state.SkipWithError("unexpected match result");
    }
}

void BM_SnapshotFindLastAdded(benchmark::State& state) {
    findOne(state, Req("GET", "/lit/r9999/items"), true);
}
BENCHMARK(BM_SnapshotFindLastAdded);

void BM_SnapshotFindParam(benchmark::State& state) {
    findOne(state, Req("GET", "/p9988/42/items/7"), true);
}
BENCHMARK(BM_SnapshotFindParam);

void BM_SnapshotFindRegex(benchmark::State& state) {
    findOne(state, Req("GET", "/rx/r9995/12345"), true);
}
BENCHMARK(BM_SnapshotFindRegex);

void BM_SnapshotFindHeader(benchmark::State& state) {
    Req q("GET", "/hdr/r9996");
    q.r.headers.push_back({"X-Tenant", "t9996"});
    findOne(state, q, true);
}
BENCHMARK(BM_SnapshotFindHeader);

void BM_SnapshotFindBody(benchmark::State& state) {
    findOne(state, Req("POST", "/body/r9998", R"({"order":"o9998","qty":1})"), true);
}
BENCHMARK(BM_SnapshotFindBody);

void BM_SnapshotFindUnmatched(benchmark::State& state) {
    findOne(state, Req("GET", "/lit/r9999/itemz"), false);
}
BENCHMARK(BM_SnapshotFindUnmatched);

void BM_SnapshotNearMisses(benchmark::State& state) {
    const auto& snap = snapshot();
    Req q("GET", "/lit/r9999/itemz");
    for (auto _ : state) {
        MatchInput in(q.r);
        auto misses = snap->nearMisses(in, 3);
        benchmark::DoNotOptimize(misses);
    }
}
BENCHMARK(BM_SnapshotNearMisses)->Unit(benchmark::kMicrosecond);

void BM_SnapshotBuild10k(benchmark::State& state) {
    auto mocks = tenThousand();
    for (auto _ : state) {
        auto snap = Snapshot::build(mocks);
        benchmark::DoNotOptimize(snap);
    }
}
BENCHMARK(BM_SnapshotBuild10k)->Unit(benchmark::kMillisecond);

// A registry of 10,000 mocks just after `changes` admin writes, before they are folded.
std::shared_ptr<const Snapshot> layeredSnapshot(Registry& reg, int changes) {
    reg.replaceAll(tenThousand());
    for (int i = 0; i < changes; ++i)
        reg.upsert(core::decodeMock({{"id", "c" + std::to_string(i)},
                                     {"type", "http"},
                                     {"http", {{"matcher", {{"path", "/c/" + std::to_string(i)}}}}}},
                                    "mock", {}));
    return reg.snapshot();
}

void BM_SnapshotFindWithChangesOnTop(benchmark::State& state) {
    Registry reg;
    const auto snap = layeredSnapshot(reg, 64);
    if (!snap->layered()) state.SkipWithError("the changes were folded already");
    Req q("GET", "/lit/r9999/items");
    for (auto _ : state) {
        MatchInput in(q.r);
        const CompiledMock* m = snap->find(in, q.r.method);
        benchmark::DoNotOptimize(m);
        if (!m) state.SkipWithError("unexpected match result");
    }
}
BENCHMARK(BM_SnapshotFindWithChangesOnTop);

// One admin create into a set of 10,000 (the folds it causes run beside it, on their thread).
void BM_RegistryUpsertAt10k(benchmark::State& state) {
    Registry reg;
    reg.replaceAll(tenThousand());
    int i = 0;
    for (auto _ : state) {
        const std::string s = std::to_string(i++);
        reg.upsert(core::decodeMock({{"id", "u" + s},
                                     {"type", "http"},
                                     {"http", {{"matcher", {{"path", "/u/" + s}}}}}},
                                    "mock", {}));
    }
}
BENCHMARK(BM_RegistryUpsertAt10k)->Unit(benchmark::kMicrosecond);

void BM_ChangesIndexBuild(benchmark::State& state) {
    auto all = tenThousand();
    std::vector<CompiledMockPtr> mocks(all.begin(), all.begin() + state.range(0));
    for (auto _ : state) {
        auto index = MockIndex::build(mocks, Order::Specificity, MockIndex::Kind::Changes);
        benchmark::DoNotOptimize(index);
    }
}
BENCHMARK(BM_ChangesIndexBuild)->Arg(16)->Arg(128)->Unit(benchmark::kMicrosecond);

void BM_CompileMock(benchmark::State& state) {
    const Json j = {{"id", "x"},
                    {"type", "http"},
                    {"http",
                     {{"matcher", {{"method", "GET"}, {"path", "/p/{id}/items"}}},
                      {"response", {{"statusCode", 200}, {"body", "{\"ok\":true}"}}}}}};
    for (auto _ : state) benchmark::DoNotOptimize(mk(j));
}
BENCHMARK(BM_CompileMock);

}  // namespace
}  // namespace mockd::match
