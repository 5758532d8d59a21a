#include "http/filter.h"

#include <gtest/gtest.h>

#include <string>

namespace mockd::http {
namespace {

// Records the order it is entered and left in; refuses when told to.
class Tracing final : public Filter {
  public:
    Tracing(std::string name, std::string& trace, bool refuse = false)
        : name_(std::move(name)), trace_(trace), refuse_(refuse) {}
    void apply(const core::Request& req, Response& res, const Next& next) override {
        trace_ += name_ + "<";
        if (refuse_) {
            res.status = 429;
        } else {
            next(req, res);
            res.prependHeaders("X-" + name_ + ": 1\r\n");
        }
        trace_ += ">" + name_;
    }

  private:
    std::string name_;
    std::string& trace_;
    bool refuse_;
};

class Last final : public Handler {
  public:
    explicit Last(std::string& trace) : trace_(trace) {}
    void handle(const core::Request&, Response& res) override {
        trace_ += "H";
        res.status = 201;
    }

  private:
    std::string& trace_;
};

TEST(FilterChain, RunsOutermostFirstAndSeesTheResponseLast) {
    std::string trace;
    FilterChain chain;
    chain.add(std::make_unique<Tracing>("A", trace));
    chain.add(std::make_unique<Tracing>("B", trace));
    Last last(trace);
    core::Request req;
    Response res;
    chain.run(req, res, last);
    EXPECT_EQ(trace, "A<B<H>B>A");
    EXPECT_EQ(res.status, 201);
    // The outermost filter's headers come first.
    EXPECT_EQ(res.filterHeaders, "X-A: 1\r\nX-B: 1\r\n");
}

TEST(FilterChain, AFilterThatAnswersStopsTheChain) {
    std::string trace;
    FilterChain chain;
    chain.add(std::make_unique<Tracing>("A", trace));
    chain.add(std::make_unique<Tracing>("Refuse", trace, true));
    chain.add(std::make_unique<Tracing>("C", trace));
    Last last(trace);
    core::Request req;
    Response res;
    chain.run(req, res, last);
    EXPECT_EQ(trace, "A<Refuse<>Refuse>A");
    EXPECT_EQ(res.status, 429);
}

TEST(FilterChain, EmptyChainIsTheHandler) {
    std::string trace;
    FilterChain chain;
    Last last(trace);
    core::Request req;
    Response res;
    chain.run(req, res, last);
    EXPECT_EQ(trace, "H");
}

}  // namespace
}  // namespace mockd::http
