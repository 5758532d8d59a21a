// Micro-benchmarks of JSONPath (bodyJsonPath): evaluation of compiled paths on Goessner's
// "store" document, and compilation.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "core/jsonpath.h"

namespace mockd::core {
namespace {

const nlohmann::json& store() {
    static const nlohmann::json doc = nlohmann::json::parse(R"({
        "store": {
            "book": [
                {"category": "reference", "author": "Nigel Rees",
                 "title": "Sayings of the Century", "price": 8.95},
                {"category": "fiction", "author": "Evelyn Waugh",
                 "title": "Sword of Honour", "price": 12.99},
                {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick",
                 "isbn": "0-553-21311-3", "price": 8.99},
                {"category": "fiction", "author": "J. R. R. Tolkien",
                 "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99}
            ],
            "bicycle": {"color": "red", "price": 19.95}
        },
        "expensive": 10
    })");
    return doc;
}

void eval(benchmark::State& state, const char* expr) {
    auto p = JsonPath::compile(expr);
    if (!p) {
        state.SkipWithError("does not compile");
        return;
    }
    std::vector<const nlohmann::json*> out;
    for (auto _ : state) {
        out.clear();
        p->evaluate(store(), out);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["selected"] = static_cast<double>(out.size());
}

void BM_JsonPathMember(benchmark::State& s) { eval(s, "$.store.bicycle.color"); }
BENCHMARK(BM_JsonPathMember);
void BM_JsonPathIndex(benchmark::State& s) { eval(s, "$.store.book[2].title"); }
BENCHMARK(BM_JsonPathIndex);
void BM_JsonPathWildcard(benchmark::State& s) { eval(s, "$.store.book[*].author"); }
BENCHMARK(BM_JsonPathWildcard);
void BM_JsonPathRecursive(benchmark::State& s) { eval(s, "$..price"); }
BENCHMARK(BM_JsonPathRecursive);
void BM_JsonPathFilter(benchmark::State& s) { eval(s, "$.store.book[?(@.price < 10)].title"); }
BENCHMARK(BM_JsonPathFilter);
void BM_JsonPathSlice(benchmark::State& s) { eval(s, "$.store.book[-2:]"); }
BENCHMARK(BM_JsonPathSlice);

void BM_JsonPathCompileFilter(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(JsonPath::compile("$.store.book[?(@.price < 10)].title"));
}
BENCHMARK(BM_JsonPathCompileFilter);

}  // namespace
}  // namespace mockd::core
