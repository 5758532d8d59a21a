// The admin APIs' router: which route a path and method reach, guards, 404 and 405.
#include "http/router.h"

#include <gtest/gtest.h>

namespace mockd::http {
namespace {

struct Call {
    RouteParams params;
    std::vector<std::string> log;
};
using R = Router<Call, std::string>;

struct Result {
    R::Outcome outcome;
    std::string value, allowed;
    RouteParams params;
};

Result run(const R& router, std::string_view method, std::string_view path, Call* call = nullptr) {
    Call local;
    Call& c = call ? *call : local;
    Result out;
    auto found = router.find(method, pathSegments(path), c);
    out.outcome = found.outcome;
    out.allowed = found.allowed;
    if (found.handler) out.value = (*found.handler)(c);
    out.params = c.params;
    return out;
}

R::Handler says(std::string what) {
    return [what](Call& c) {
        return what + (c.params.empty() ? "" : ":" + std::string(c.params[0].second));
    };
}

TEST(Router, SplitsPathsIntoSegments) {
    EXPECT_EQ(pathSegments("/"), std::vector<std::string_view>{});
    EXPECT_EQ(pathSegments(""), std::vector<std::string_view>{});
    EXPECT_EQ(pathSegments("/a/b/"), (std::vector<std::string_view>{"a", "b"}));
}

TEST(Router, MethodAndPatternChooseTheHandler) {
    R r;
    r.route("GET", "/mocks", says("list")).route("POST", "/mocks", says("create"));
    r.route("GET", "/mocks/{id}", says("get"));
    EXPECT_EQ(run(r, "GET", "/mocks").value, "list");
    EXPECT_EQ(run(r, "POST", "/mocks/").value, "create");
    auto got = run(r, "GET", "/mocks/m1");
    EXPECT_EQ(got.outcome, R::Outcome::Found);
    EXPECT_EQ(got.value, "get:m1");
    EXPECT_EQ(routeParam(got.params, "id"), "m1");
    EXPECT_EQ(run(r, "GET", "/mocks/m1/x").outcome, R::Outcome::NotFound);
    EXPECT_EQ(run(r, "GET", "/other").outcome, R::Outcome::NotFound);
}

TEST(Router, TheFirstMatchingPatternIsTheResource) {
    R r;
    r.route("POST", "/mocks/bulk", says("bulk")).route("GET", "/mocks/{id}", says("get"));
    // GET /mocks/bulk is bulk's 405, not a mock named "bulk".
    auto got = run(r, "GET", "/mocks/bulk");
    EXPECT_EQ(got.outcome, R::Outcome::NotAllowed);
    EXPECT_EQ(got.allowed, "POST");
    EXPECT_EQ(run(r, "GET", "/mocks/other").value, "get:other");
}

TEST(Router, NotAllowedListsTheMethodsInTheOrderAdded) {
    R r;
    for (const char* m : {"GET", "PUT", "PATCH", "DELETE"}) r.route(m, "/mocks/{id}", says(m));
    auto got = run(r, "POST", "/mocks/a");
    EXPECT_EQ(got.outcome, R::Outcome::NotAllowed);
    EXPECT_EQ(got.allowed, "GET, PUT, PATCH, DELETE");
}

TEST(Router, GuardsRunBeforeTheMethodAndForUnroutedPathsUnderThem) {
    R r;
    r.route("POST", "/mocks/bulk", says("bulk"));
    r.guard("/mocks/{id}", [](Call& c) {
        c.log.push_back("guard " + std::string(routeParam(c.params, "id")));
        return routeParam(c.params, "id") == "known";
    });
    r.route("GET", "/mocks/{id}", says("get"));
    Call c;
    EXPECT_EQ(run(r, "POST", "/mocks/unknown", &c).outcome, R::Outcome::Answered);
    EXPECT_EQ(c.log, std::vector<std::string>{"guard unknown"});
    EXPECT_EQ(run(r, "POST", "/mocks/known").outcome, R::Outcome::NotAllowed);
    EXPECT_EQ(run(r, "GET", "/mocks/unknown/deeper").outcome, R::Outcome::Answered);
    EXPECT_EQ(run(r, "GET", "/mocks/known/deeper").outcome, R::Outcome::NotFound);
    Call bulk;
    EXPECT_EQ(run(r, "POST", "/mocks/bulk", &bulk).value, "bulk");  // not under the guard
    EXPECT_TRUE(bulk.log.empty());
}

TEST(Router, ByMethodTakesTheFirstRouteWithTheMethod) {
    R r(R::Pick::ByMethod);
    r.route("POST", "/mappings/save", says("save")).route("GET", "/mappings/{id}", says("get"));
    r.route("*", "/files/{*path}", says("files"));
    // GET /mappings/save is the GET route's, as Jetty routes it; a method with no route is a 404.
    EXPECT_EQ(run(r, "GET", "/mappings/save").value, "get:save");
    EXPECT_EQ(run(r, "POST", "/mappings/save").value, "save");
    EXPECT_EQ(run(r, "DELETE", "/mappings/save").outcome, R::Outcome::NotFound);
    EXPECT_EQ(run(r, "PUT", "/files").value, "files");
    EXPECT_EQ(run(r, "GET", "/files/a/b/c").value, "files");
    EXPECT_EQ(run(r, "GET", "/filesx").outcome, R::Outcome::NotFound);
}

}  // namespace
}  // namespace mockd::http
