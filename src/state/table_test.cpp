#include "state/table.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "core/errors.h"

namespace mockd::state {
namespace {

Table makeTable(const std::string& json) { return Table(decodeTable(Json::parse(json), "t")); }

Json parse(const ActionResult& r) { return Json::parse(r.body); }

TEST(Table, SeedsAreServedAsWrittenAndIdsCompareByText) {
    auto t = makeTable(
        R"({"name":"users","seedData":[{"id":1,"name":"Alice"},{"id":"2","name":"Bob"}]})");
    auto a = t.get("1");
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(parse(a), Json::parse(R"({"id":1,"name":"Alice"})"));
    EXPECT_EQ(parse(t.get("2"))["name"], "Bob");
    auto miss = t.get("999");
    EXPECT_EQ(miss.status, 404);
    EXPECT_EQ(parse(miss)["resource"], "users");
    EXPECT_EQ(parse(miss)["id"], "999");
}

TEST(Table, SequenceContinuesAfterTheLargestSeedAndResets) {
    auto t = makeTable(R"({"name":"u","idStrategy":"sequence","seedData":[{"id":7},{"id":"3"}]})");
    auto c = t.create(Json::object(), std::nullopt);
    EXPECT_EQ(c.status, 201);
    EXPECT_EQ(parse(c)["id"], 8);
    EXPECT_TRUE(parse(c).contains("createdAt"));
    EXPECT_EQ(parse(t.create(Json::object(), std::nullopt))["id"], 9);
    EXPECT_EQ(t.reset(), 2u);
    EXPECT_EQ(parse(t.create(Json::object(), std::nullopt))["id"], 8);
}

TEST(Table, IdStrategiesHaveTheirShapes) {
    auto uuid = parse(makeTable(R"({"name":"a"})").create(Json::object(), std::nullopt))["id"]
                    .get<std::string>();
    EXPECT_EQ(uuid.size(), 36u);
    EXPECT_EQ(uuid[14], '4');
    auto pre = parse(makeTable(R"({"name":"a","idStrategy":"prefix","idPrefix":"cus_"})")
                         .create(Json::object(), std::nullopt))["id"]
                   .get<std::string>();
    EXPECT_TRUE(pre.starts_with("cus_"));
    EXPECT_EQ(pre.size(), 20u);
    auto ulid = parse(makeTable(R"({"name":"a","idStrategy":"ulid"})")
                          .create(Json::object(), std::nullopt))["id"]
                    .get<std::string>();
    EXPECT_EQ(ulid.size(), 26u);
    auto shortId = parse(makeTable(R"({"name":"a","idStrategy":"short"})")
                             .create(Json::object(), std::nullopt))["id"]
                       .get<std::string>();
    EXPECT_EQ(shortId.size(), 16u);
    EXPECT_THROW(makeTable(R"({"name":"a","idStrategy":"dice"})"), core::FieldError);
    EXPECT_THROW(makeTable(R"({"name":"a","seedData":[{"id":1},{"id":"1"}]})"), core::FieldError);
}

TEST(Table, CreateUpdatePatchDelete) {
    auto t = makeTable(
        R"({"name":"tasks","maxItems":2,"seedData":[{"id":"t1","title":"a","status":"todo"}]})");
    EXPECT_EQ(t.create(Json{{"id", "t1"}}, std::nullopt).status, 409);
    EXPECT_EQ(t.create(Json::array(), std::nullopt).status, 400);
    EXPECT_EQ(t.create(Json{{"id", "t2"}}, std::nullopt).status, 201);
    EXPECT_EQ(t.create(Json{{"id", "t3"}}, std::nullopt).status, 507);
    auto p = t.patch("t1", Json{{"status", "done"}, {"title", nullptr}});
    EXPECT_EQ(p.status, 200);
    EXPECT_EQ(parse(p)["status"], "done");
    EXPECT_FALSE(parse(p).contains("title"));
    auto u = t.update("t1", Json{{"title", "only"}});
    EXPECT_EQ(parse(u)["id"], "t1");
    EXPECT_FALSE(parse(u).contains("status"));
    EXPECT_EQ(t.update("nope", Json::object()).status, 404);
    EXPECT_EQ(t.remove("t1").status, 204);
    EXPECT_EQ(t.get("t1").status, 404);
    EXPECT_EQ(t.remove("t1").status, 404);
    EXPECT_EQ(t.clear(), 1u);
    EXPECT_EQ(t.size(), 0u);
}

TEST(Table, ListFiltersSortsAndPages) {
    auto t = makeTable(R"({"name":"p","seedData":[
        {"id":"a","age":30,"meta":{"tier":"gold"}},{"id":"b","age":25,"meta":{"tier":"gold"}},
        {"id":"c","age":30,"meta":{"tier":"free"}},{"id":"d","age":41}]})");
    auto body = parse(t.list({{"age", "30"}}, std::nullopt, Json::object()));
    ASSERT_EQ(body["data"].size(), 2u);
    EXPECT_EQ(body["meta"]["total"], 2);
    body = parse(t.list({{"meta[tier]", "gold"}, {"age", "25"}}, std::nullopt, Json::object()));
    ASSERT_EQ(body["data"].size(), 1u);
    EXPECT_EQ(body["data"][0]["id"], "b");
    body = parse(
        t.list({{"sort", "age"}, {"order", "asc"}, {"limit", "2"}}, std::nullopt, Json::object()));
    EXPECT_EQ(body["data"][0]["id"], "b");
    EXPECT_EQ(body["meta"]["has_more"], true);
    body = parse(t.list({{"sort", "id"}, {"order", "asc"}, {"limit", "2"}, {"starting_after", "b"}},
                        std::nullopt, Json::object()));
    ASSERT_EQ(body["data"].size(), 2u);
    EXPECT_EQ(body["data"][0]["id"], "c");
    EXPECT_EQ(body["meta"]["has_more"], false);
    body = parse(t.list({{"sort", "id"}, {"order", "asc"}, {"limit", "1"}, {"ending_before", "c"}},
                        std::nullopt, Json::object()));
    EXPECT_EQ(body["data"][0]["id"], "b");
    EXPECT_EQ(body["meta"]["has_more"], true);
    EXPECT_EQ(t.list({{"limit", "x"}}, std::nullopt, Json::object()).status, 400);
    EXPECT_EQ(t.list({{"starting_after", "zz"}}, std::nullopt, Json::object()).status, 400);
    auto bare = parse(t.list({}, std::nullopt, Json::parse(R"({"list":{"envelope":false}})")));
    ASSERT_TRUE(bare.is_array());
    EXPECT_EQ(bare.size(), 4u);
    EXPECT_EQ(bare[0]["id"], "a");  // seeds keep their order
}

TEST(Table, ParentFieldScopesListsAndCreates) {
    auto t = makeTable(
        R"({"name":"posts","parentField":"userId","seedData":[{"id":"p1","userId":"1"},{"id":"p2","userId":"2"}]})");
    auto body = parse(t.list({}, std::string("1"), Json::object()));
    ASSERT_EQ(body["data"].size(), 1u);
    EXPECT_EQ(body["data"][0]["id"], "p1");
    auto c = parse(t.create(Json{{"title", "x"}}, std::string("2")));
    EXPECT_EQ(c["userId"], "2");
}

TEST(Table, ConcurrentCreatesNeitherLoseNorDuplicate) {
    auto t = makeTable(R"({"name":"n","idStrategy":"sequence"})");
    std::vector<std::thread> threads;
    std::vector<std::vector<int64_t>> ids(8);
    for (int k = 0; k < 8; ++k)
        threads.emplace_back([&, k] {
            for (int i = 0; i < 500; ++i)
                ids[static_cast<size_t>(k)].push_back(
                    parse(t.create(Json::object(), std::nullopt))["id"].get<int64_t>());
        });
    for (auto& th : threads) th.join();
    std::set<int64_t> all;
    for (auto& v : ids) all.insert(v.begin(), v.end());
    EXPECT_EQ(all.size(), 4000u);
    EXPECT_EQ(*all.begin(), 1);
    EXPECT_EQ(*all.rbegin(), 4000);
    EXPECT_EQ(t.size(), 4000u);
}

TEST(FormToJson, BuildsNestedValuesWithMockdsCoercion) {
    auto j = formToJson(
        "name=Ann+Lee&age=42&vip=true&price=9.5&phone=%2B4912&meta[tier]=gold&tags[0]=a&tags[1]=b&"
        "x=inf");
    EXPECT_EQ(j["name"], "Ann Lee");
    EXPECT_EQ(j["age"], 42);
    EXPECT_EQ(j["vip"], true);
    EXPECT_EQ(j["price"], 9.5);
    EXPECT_EQ(j["phone"], "+4912");
    EXPECT_EQ(j["meta"]["tier"], "gold");
    EXPECT_EQ(j["tags"], Json::parse(R"(["a","b"])"));
    EXPECT_TRUE(j["x"].is_null());
    EXPECT_TRUE(formToJson("a[999999999]=1").is_object());  // no huge allocation
}

}  // namespace
}  // namespace mockd::state
