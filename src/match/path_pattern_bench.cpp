// Micro-benchmarks of mockd's path template matcher (compile once, match per request).
#include <benchmark/benchmark.h>

#include "match/path_pattern.h"

namespace mockd::match {
namespace {

void run(benchmark::State& state, const char* pattern, const char* path, bool captures) {
    const PathPattern p = PathPattern::compile(pattern);
    Captures caps;
    for (auto _ : state) {
        caps.clear();
        bool ok = p.match(path, captures ? &caps : nullptr);
        benchmark::DoNotOptimize(ok);
        if (!ok) state.SkipWithError("no match");
    }
}

void BM_PathExact(benchmark::State& s) {
    run(s, "/api/v1/users/list", "/api/v1/users/list", false);
}
BENCHMARK(BM_PathExact);
void BM_PathParams(benchmark::State& s) {
    run(s, "/api/users/{id}/orders/{order}", "/api/users/42/orders/9001", false);
}
BENCHMARK(BM_PathParams);
void BM_PathParamsCaptures(benchmark::State& s) {
    run(s, "/api/users/{id}/orders/{order}", "/api/users/42/orders/9001", true);
}
BENCHMARK(BM_PathParamsCaptures);
void BM_PathMixedSegment(benchmark::State& s) {
    run(s, "/files/{name}.json", "/files/report-2024.json", true);
}
BENCHMARK(BM_PathMixedSegment);
void BM_PathPrefix(benchmark::State& s) { run(s, "/static/*", "/static/css/site/main.css", true); }
BENCHMARK(BM_PathPrefix);
void BM_PathWildcard(benchmark::State& s) { run(s, "/a*/b*/c", "/alpha/beta/c", true); }
BENCHMARK(BM_PathWildcard);

void BM_PathParamsMiss(benchmark::State& state) {
    const PathPattern p = PathPattern::compile("/api/users/{id}/orders/{order}");
    for (auto _ : state) benchmark::DoNotOptimize(p.match("/api/users/42/invoices/9001"));
}
BENCHMARK(BM_PathParamsMiss);

void BM_PathCompileParams(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(PathPattern::compile("/api/users/{id}/orders/{order}"));
}
BENCHMARK(BM_PathCompileParams);

}  // namespace
}  // namespace mockd::match
