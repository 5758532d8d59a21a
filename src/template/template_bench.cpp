// Micro-benchmarks of mockd response templates: rendering of compiled templates with request
// fields, functions and faker values (the bench/ suite's templated case), and compilation.
#include <benchmark/benchmark.h>

#include <string>

#include "template/template.h"

namespace mockd::tmpl {
namespace {

struct Fixture {
    core::Request req;
    std::string body = R"({"user":{"name":"Ann","tags":["a","b"]},"n":7})";
    core::Captures caps = {{"id", "42"}};
    Fixture() {
        req.method = "GET";
        req.target = "/api/users/42?q=bench";
        req.path = req.rawPath = "/api/users/42";
        req.rawQuery = "q=bench";
        req.body = body;
        req.headers.push_back({"Host", "127.0.0.1"});
        req.headers.push_back({"X-Trace", "t-1"});
    }
};

void render(benchmark::State& state, const char* text) {
    Fixture f;
    const Template t = Template::compile(text);
    Rng rng(1);
    std::string out;
    for (auto _ : state) {
        core::MatchInput in(f.req);  // per request, as the engine builds it
        RequestData d{&f.req, &in, &f.caps};
        out.clear();
        t.render(d, rng, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}

void BM_TemplateBenchSuiteBody(benchmark::State& s) {
    render(
        s,
        R"({"id": "{{request.pathParam.id}}", "q": "{{request.query.q}}", "name": "{{faker.name}}", "email": "{{faker.email}}", "card": "{{faker.creditCard}}"})");
}
BENCHMARK(BM_TemplateBenchSuiteBody);
void BM_TemplateRequestFields(benchmark::State& s) {
    render(s,
           "{{request.method}} {{request.path}} {{request.query.q}} {{request.header.x-trace}} "
           "{{request.pathParam.id}}");
}
BENCHMARK(BM_TemplateRequestFields);
void BM_TemplateJsonBody(benchmark::State& s) {
    render(s, "{{request.body.user.name}} {{request.body.user.tags.1}} {{request.body.n}}");
}
BENCHMARK(BM_TemplateJsonBody);
void BM_TemplateFunctions(benchmark::State& s) {
    render(s, "{{uuid}} {{random.int(1, 1000)}} {{timestamp}} {{upper(request.method)}}");
}
BENCHMARK(BM_TemplateFunctions);
void BM_TemplateFaker(benchmark::State& s) {
    render(s, "{{faker.name}} {{faker.email}} {{faker.address}} {{faker.iban}} {{faker.ipv4}}");
}
BENCHMARK(BM_TemplateFaker);

void BM_TemplateCompile(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(Template::compile(
            R"({"id": "{{request.pathParam.id}}", "name": "{{faker.name}}", "n": {{random.int(1, 9)}}})"));
}
BENCHMARK(BM_TemplateCompile);

}  // namespace
}  // namespace mockd::tmpl
