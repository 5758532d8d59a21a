// The engine's seams, with a format of the test's own: a mock of another format matches by its
// format's matcher, ranks by its rank and is answered by its responder; a handler mounted on
// the port answers ahead of every mock; an unmatched responder replaces mockd's 404. The
// engine names no format itself.
#include "engine/mock_engine.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/mock_codec.h"
#include "http/response.h"

namespace mockd::engine {
namespace {

constexpr std::string_view kFakeFormat = "fake";

// Matches one literal path.
class PathMatcher final : public core::FormatMatcher {
  public:
    explicit PathMatcher(std::string path) : path_(std::move(path)) {}
    bool matches(const core::MatchInput& in) const override { return in.request().path == *path_; }
    const std::optional<std::string>& literalPath() const override { return path_; }

  private:
    std::optional<std::string> path_;
};

struct FakeStub final : core::FormatStub {
    PathMatcher pathMatcher;
    int stubRank;
    FakeStub(std::string path, int rank) : pathMatcher(std::move(path)), stubRank(rank) {}
    std::string_view format() const override { return kFakeFormat; }
    const core::FormatMatcher& matcher() const override { return pathMatcher; }
    int rank() const override { return stubRank; }
    std::string responseHead(const core::Mock& mock) const override {
        return "X-Fake-Id: " + mock.id + "\r\n";
    }
};

// Answers with the mock's status and a body naming the mock; one mock asks for a forward.
class FakeResponder final : public FormatResponder {
  public:
    std::string_view format() const override { return kFakeFormat; }
    Outcome respond(const MatchedCall& call, http::Response& res) override {
        ++calls;
        Outcome out;
        res.status = call.response.response().statusCode;
        res.fixedHeaders = call.response.headers();
        res.setBody("fake " + call.mock.mock().id);
        res.delivery.delayMs = 7;
        if (call.mock.mock().id == "fails") out.error = "it failed";
        return out;
    }
    int calls = 0;
};

class FakeUnmatched final : public UnmatchedResponder {
  public:
    void unmatched(const http::Request&, const core::MatchInput&, http::Response& res,
                   std::string* report) const override {
        res.status = 418;
        res.setBody("nothing here");
        *report = "no fake matched";
    }
    ProxyFailure proxyFailure() const override { return nullptr; }
};

class EchoMount final : public http::Handler {
  public:
    void handle(const core::Request& req, http::Response& res) override {
        res.status = 201;
        res.setBody("mounted " + std::string(req.path));
    }
};

core::MockPtr fakeMock(std::string id, std::string path, int status, int rank) {
    auto m = std::make_shared<core::Mock>();
    m->id = std::move(id);
    m->seq = core::nextMockSeq();
    m->response.statusCode = status;
    m->format = std::make_shared<FakeStub>(std::move(path), rank);
    return m;
}

core::Mock mockdMock(std::string_view id, std::string_view path) {
    return core::decodeMock(
        core::Json::parse(R"({"id":")" + std::string(id) +
                          R"(","type":"http","http":{"matcher":{"path":")" + std::string(path) +
                          R"("},"response":{"statusCode":200,"body":"mockd"}}})"),
        "test", {});
}

struct Answer {
    int status = 0;
    std::string text;
};

Answer send(MockEngine& engine, std::string_view method, std::string_view path) {
    Request req;
    req.method = method;
    req.target = req.rawPath = req.path = path;
    req.headers = {{"Host", "localhost"}};
    req.remoteAddress = "127.0.0.1";
    http::Response res;
    engine.handle(req, res);
    Answer a;
    a.status = res.status;
    http::writeResponse(res, false, a.text);
    return a;
}

std::vector<journal::EntryPtr> logged(const journal::Journal& j) {
    size_t total = 0;
    return j.list({}, 0, 100, &total);
}

struct Fixture {
    match::Registry registry;
    journal::Journal journal{16};
    FakeResponder responder;
    FakeUnmatched unmatched;
    EchoMount mount;
};

TEST(EngineSeam, AFormatMockIsAnsweredByItsFormatsResponder) {
    Fixture f;
    f.registry.replaceAll({match::CompiledMock::compile(fakeMock("one", "/fake", 202, 0))});
    MockEngine engine(
        {.registry = &f.registry, .journal = &f.journal, .responders = {&f.responder}});
    Answer a = send(engine, "GET", "/fake");
    EXPECT_EQ(a.status, 202);
    EXPECT_NE(a.text.find("X-Fake-Id: one\r\n"), std::string::npos) << a.text;
    EXPECT_NE(a.text.find("fake one"), std::string::npos) << a.text;
    EXPECT_EQ(f.responder.calls, 1);
    // The request log has the mock and the delay the responder chose.
    auto entries = logged(f.journal);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0]->mockId, "one");
    EXPECT_EQ(entries[0]->status, 202);
}

TEST(EngineSeam, AResponderErrorReachesTheRequestLog) {
    Fixture f;
    f.registry.replaceAll({match::CompiledMock::compile(fakeMock("fails", "/f", 200, 0))});
    MockEngine engine(
        {.registry = &f.registry, .journal = &f.journal, .responders = {&f.responder}});
    EXPECT_EQ(send(engine, "GET", "/f").status, 200);
    auto entries = logged(f.journal);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0]->error, "it failed");
}

TEST(EngineSeam, WithoutItsResponderAFormatMockIsAClear500) {
    Fixture f;
    f.registry.replaceAll({match::CompiledMock::compile(fakeMock("one", "/fake", 202, 0))});
    MockEngine engine({.registry = &f.registry});
    Answer a = send(engine, "GET", "/fake");
    EXPECT_EQ(a.status, 500);
    EXPECT_NE(a.text.find("no responder for mocks in the fake format"), std::string::npos)
        << a.text;
}

TEST(EngineSeam, InPriorityOrderTheHigherRankWinsAndMockdMocksRankAsTheDefault) {
    Fixture f;
    f.registry.setOrder(match::Order::Priority);
    f.registry.upsert(mockdMock("mockd", "/same"));
    f.registry.upsert(core::Mock(*fakeMock("low", "/same", 201, match::kDefaultPriorityRank - 1)));
    MockEngine engine({.registry = &f.registry, .responders = {&f.responder}});
    // Below the default rank, the (older) mockd mock wins.
    EXPECT_EQ(send(engine, "GET", "/same").status, 200);
    f.registry.upsert(core::Mock(*fakeMock("high", "/same", 203, match::kDefaultPriorityRank + 1)));
    EXPECT_EQ(send(engine, "GET", "/same").status, 203);
}

TEST(EngineSeam, AMountAnswersItsPrefixAheadOfEveryMock) {
    Fixture f;
    f.registry.upsert(mockdMock("shadow", "/__admin/x"));
    MockEngine engine({.registry = &f.registry, .mounts = {{"/__admin", &f.mount}}});
    EXPECT_EQ(send(engine, "GET", "/__admin").status, 201);
    EXPECT_EQ(send(engine, "GET", "/__admin/x").status, 201);
    // Only the prefix and below: /__adminx is a path like any other.
    EXPECT_EQ(send(engine, "GET", "/__adminx").status, 404);
}

TEST(EngineSeam, AnUnmatchedResponderReplacesMockdsNotFound) {
    Fixture f;
    MockEngine mockd({.registry = &f.registry});
    Answer a = send(mockd, "GET", "/nothing");
    EXPECT_EQ(a.status, 404);
    EXPECT_NE(a.text.find("no_match"), std::string::npos);
    MockEngine other({.registry = &f.registry, .journal = &f.journal, .unmatched = &f.unmatched});
    a = send(other, "GET", "/nothing");
    EXPECT_EQ(a.status, 418);
    auto entries = logged(f.journal);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0]->report, "no fake matched");
}

TEST(EngineSeam, HeadIsTriedAsGetUnlessTheEngineIsToldNot) {
    Fixture f;
    auto get = mockdMock("get", "/g");
    get.matcher.method = "GET";
    f.registry.upsert(get);
    MockEngine mockd({.registry = &f.registry});
    EXPECT_EQ(send(mockd, "HEAD", "/g").status, 200);
    MockEngine strict({.registry = &f.registry, .headAsGet = false});
    EXPECT_EQ(send(strict, "HEAD", "/g").status, 404);
}

TEST(EngineSeam, AMountNeedsAPrefixAndAHandler) {
    match::Registry registry;
    EXPECT_THROW(MockEngine({.registry = &registry, .mounts = {{"", nullptr}}}),
                 std::invalid_argument);
}

}  // namespace
}  // namespace mockd::engine
