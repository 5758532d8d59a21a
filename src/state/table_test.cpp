#include "state/table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "core/errors.h"

namespace mockd::state {
namespace {

Table makeTable(const std::string& json) { return Table(decodeTable(Json::parse(json), "t")); }

Json parse(const ActionResult& r) { return r.body; }

// A list as a client sees it, after the response shaping in `cfg`.
Json listDoc(const Table& t, const Query& q, const Json& cfg = Json::object()) {
    return Json::parse(render(t.list(q, std::nullopt), t.def(), cfg, "list").second);
}

TEST(Table, SeedsAreServedAsWrittenAndIdsCompareByText) {
    auto t = makeTable(
        R"({"name":"users","seedData":[{"id":1,"name":"Alice"},{"id":"2","name":"Bob"}]})");
    auto a = t.get("1");
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(parse(a), Json::parse(R"({"id":1,"name":"Alice"})"));
    EXPECT_EQ(parse(t.get("2"))["name"], "Bob");
    auto miss = t.get("999");
    EXPECT_EQ(miss.status, 404);
    auto rendered = Json::parse(render(miss, t.def(), Json::object(), "get").second);
    EXPECT_EQ(
        rendered,
        Json::parse(
            R"({"error":"resource not found","id":"999","resource":"users","statusCode":404})"));
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
    auto body = listDoc(t, {{"age", "30"}});
    ASSERT_EQ(body["data"].size(), 2u);
    EXPECT_EQ(body["meta"]["total"], 2);
    body = listDoc(t, {{"meta[tier]", "gold"}, {"age", "25"}});
    ASSERT_EQ(body["data"].size(), 1u);
    EXPECT_EQ(body["data"][0]["id"], "b");
    body = listDoc(t, {{"sort", "age"}, {"order", "asc"}, {"limit", "2"}});
    EXPECT_EQ(body["data"][0]["id"], "b");
    EXPECT_EQ(body["meta"]["has_more"], true);
    body = listDoc(t, {{"sort", "id"}, {"order", "asc"}, {"limit", "2"}, {"starting_after", "b"}});
    ASSERT_EQ(body["data"].size(), 2u);
    EXPECT_EQ(body["data"][0]["id"], "c");
    EXPECT_EQ(body["meta"]["has_more"], false);
    body = listDoc(t, {{"sort", "id"}, {"order", "asc"}, {"limit", "1"}, {"ending_before", "c"}});
    EXPECT_EQ(body["data"][0]["id"], "b");
    EXPECT_EQ(body["meta"]["has_more"], true);
    EXPECT_EQ(t.list({{"limit", "x"}}, std::nullopt).status, 400);
    EXPECT_EQ(t.list({{"starting_after", "zz"}}, std::nullopt).status, 400);
    auto bare = listDoc(t, {}, Json::parse(R"({"list":{"envelope":false}})"));
    ASSERT_TRUE(bare.is_array());
    EXPECT_EQ(bare.size(), 4u);
    EXPECT_EQ(bare[0]["id"], "a");  // seeds keep their order
}

TEST(Table, ParentFieldScopesListsAndCreates) {
    auto t = makeTable(
        R"({"name":"posts","parentField":"userId","seedData":[{"id":"p1","userId":"1"},{"id":"p2","userId":"2"}]})");
    auto body =
        Json::parse(render(t.list({}, std::string("1")), t.def(), Json::object(), "list").second);
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

TEST(FormToJson, LeadingZeroNumbersStayText) {
    auto j = formToJson("zip=0123&n=007&neg=-01&pad=00.5&zero=0&half=0.5&minus=-0.25&m=-5&e=0e2");
    EXPECT_EQ(j["zip"], "0123");
    EXPECT_EQ(j["n"], "007");
    EXPECT_EQ(j["neg"], "-01");
    EXPECT_EQ(j["pad"], "00.5");
    EXPECT_EQ(j["zero"], 0);
    EXPECT_TRUE(j["zero"].is_number_integer());
    EXPECT_EQ(j["half"], 0.5);
    EXPECT_EQ(j["minus"], -0.25);
    EXPECT_EQ(j["m"], -5);
    EXPECT_EQ(j["e"], 0.0);
}

}  // namespace
}  // namespace mockd::state

namespace mockd::state {
namespace {

TEST(Render, ItemTransformsApplyInOrder) {
    Json cfg = Json::parse(R"({
        "fields": {"rename": {"name": "full_name"}, "hide": ["secret"],
                   "wrapAsList": {"tags": {"url": "/v1/users/{{id}}/tags"}},
                   "inject": {"object": "user", "self": "/users/{{item.id}}"}},
        "timestamps": {"format": "unix", "fields": {"createdAt": "created"}}})");
    Json item = {{"id", "u1"},
                 {"name", "Ann"},
                 {"secret", "x"},
                 {"tags", {"a"}},
                 {"createdAt", "2026-01-02T03:04:05.000Z"}};
    Json out = transformItem(item, cfg, "id");
    EXPECT_EQ(out["full_name"], "Ann");
    EXPECT_FALSE(out.contains("name"));
    EXPECT_FALSE(out.contains("secret"));
    EXPECT_EQ(out["tags"],
              Json::parse(
                  R"({"object":"list","data":["a"],"has_more":false,"url":"/v1/users/u1/tags"})"));
    EXPECT_EQ(out["created"], 1767323045);
    EXPECT_EQ(out["object"], "user");
    EXPECT_EQ(out["self"], "/users/u1");
}

TEST(Render, TimestampFormats) {
    const Json item = {{"id", "u1"},
                       {"createdAt", "2026-01-02T03:04:05.120Z"},
                       {"updatedAt", "2026-01-02T05:04:05.5+02:00"}};
    auto as = [&](const char* format) {
        Json cfg = {{"timestamps", {{"format", format}, {"fields", {{"createdAt", "created"}}}}}};
        return transformItem(item, cfg, "id");
    };
    Json iso = as("iso8601");
    EXPECT_EQ(iso["created"], "2026-01-02T03:04:05Z");
    EXPECT_EQ(iso["updatedAt"], "2026-01-02T05:04:05+02:00");
    EXPECT_FALSE(iso.contains("createdAt"));
    Json rfc = as("rfc3339");
    EXPECT_EQ(rfc["created"], "2026-01-02T03:04:05.120Z");
    EXPECT_EQ(rfc["updatedAt"], "2026-01-02T05:04:05.5+02:00");
    Json epoch = as("unix");
    EXPECT_EQ(epoch["created"], 1767323045);
    EXPECT_EQ(epoch["updatedAt"], 1767323045);  // the offset counts
    Json none = as("none");
    EXPECT_EQ(none, Json::parse(R"({"id":"u1"})"));
    // Not a timestamp: passed through, renamed.
    Json odd = transformItem(Json{{"createdAt", "yesterday"}},
                             Json::parse(R"({"timestamps":{"format":"iso8601",
                                             "fields":{"createdAt":"created"}}})"),
                             "id");
    EXPECT_EQ(odd, Json::parse(R"({"created":"yesterday"})"));
    // A zone-less seed time is UTC.
    EXPECT_EQ(
        transformItem(Json{{"createdAt", "2026-01-02 03:04:05"}},
                      Json::parse(R"({"timestamps":{"format":"rfc3339"}})"), "id")["createdAt"],
        "2026-01-02T03:04:05Z");
}

TEST(Render, ListShapingLikeStripe) {
    auto t = Table(decodeTable(
        Json::parse(R"({"name":"customers","seedData":[{"id":"cus_1"},{"id":"cus_2"}]})"), "t"));
    Json cfg = Json::parse(
        R"({"list": {"extraFields": {"object": "list", "url": "/v1/customers", "has_more": true},
                                        "hideMeta": true}})");
    auto [status, text] = render(t.list({{"limit", "1"}}, std::nullopt), t.def(), cfg, "list");
    EXPECT_EQ(status, 200);
    EXPECT_EQ(
        Json::parse(text),
        Json::parse(
            R"({"object":"list","url":"/v1/customers","has_more":true,"data":[{"id":"cus_1"}]})"));
}

TEST(Render, ListTransformMergesMetaIntoTheEnvelope) {
    auto t = Table(decodeTable(
        Json::parse(R"({"name":"cards","seedData":[{"id":"c1"},{"id":"c2"},{"id":"c3"}]})"), "t"));
    auto list = [&](const char* cfg) {
        return Json::parse(
            render(t.list({{"limit", "2"}}, std::nullopt), t.def(), Json::parse(cfg), "list")
                .second);
    };
    // Renamed meta fields at the top level, no nested meta.
    EXPECT_EQ(list(R"({"list":{"dataField":"items","metaFields":{"total":"total_count"}}})"),
              Json::parse(R"({"items":[{"id":"c1"},{"id":"c2"}],"total_count":3,"limit":2,
                              "offset":0,"count":2})"));
    // An empty list transform flattens too; has_more/hasMore extra fields are computed.
    EXPECT_EQ(list(R"({"list":{"extraFields":{"object":"list","hasMore":false}}})"),
              Json::parse(R"({"object":"list","hasMore":true,"data":[{"id":"c1"},{"id":"c2"}],
                              "total":3,"limit":2,"offset":0,"count":2})"));
    // hideMeta drops them, renamed or not.
    EXPECT_EQ(list(R"({"list":{"metaFields":{"total":"total_count"},"hideMeta":true}})"),
              Json::parse(R"({"data":[{"id":"c1"},{"id":"c2"}]})"));
    // No list transform: the plain {data, meta} envelope.
    EXPECT_EQ(list(R"({})"), Json::parse(R"({"data":[{"id":"c1"},{"id":"c2"}],
                              "meta":{"total":3,"limit":2,"offset":0,"count":2,"has_more":true}})"));
}

TEST(Render, CreateAndDeleteOverridesAndErrorShaping) {
    auto t = Table(decodeTable(
        Json::parse(R"({"name":"customers","seedData":[{"id":"cus_1","email":"a@b"}]})"), "t"));
    Json cfg = Json::parse(R"({"create": {"status": 200},
        "delete": {"status": 200, "body": {"id": "{{item.id}}", "object": "customer", "deleted": true}},
        "errors": {"wrap": "error", "fields": {"message": "message"},
                   "typeMap": {"NOT_FOUND": "invalid_request_error"},
                   "codeMap": {"NOT_FOUND": "resource_missing"}}})");
    EXPECT_EQ(render(t.create(Json::object(), std::nullopt), t.def(), cfg, "create").first, 200);
    auto del = render(t.remove("cus_1"), t.def(), cfg, "delete");
    EXPECT_EQ(del.first, 200);
    EXPECT_EQ(Json::parse(del.second),
              Json::parse(R"({"id":"cus_1","object":"customer","deleted":true})"));
    auto miss = render(t.get("cus_1"), t.def(), cfg, "get");
    EXPECT_EQ(miss.first, 404);
    EXPECT_EQ(
        Json::parse(miss.second),
        Json::parse(
            R"({"error":{"message":"resource not found","type":"invalid_request_error","code":"resource_missing"}})"));
    EXPECT_EQ(render(t.remove("nope"), t.def(), Json::object(), "delete")
                      .second.find("\"statusCode\":404") != std::string::npos,
              true);
}

TEST(Render, ExpandInlinesRelatedItems) {
    TableStore store;
    store.put(
        decodeTable(Json::parse(R"({"name":"users","seedData":[{"id":"u1","name":"Ann"}]})"), "a"));
    auto orders = store.put(decodeTable(
        Json::parse(
            R"({"name":"orders","relationships":{"user":{"table":"users"}},"seedData":[{"id":"o1","user":"u1"}]})"),
        "b"));
    auto r = orders->get("o1");
    orders->expand(r.body, {"user"}, store);
    EXPECT_EQ(r.body["user"], Json::parse(R"({"id":"u1","name":"Ann"})"));
}

TEST(Render, ExpandLooksUpByTheRelationshipsField) {
    TableStore store;
    store.put(decodeTable(Json::parse(R"({"name":"users","seedData":[
        {"id":"u1","email":"ann@x.io"},{"id":"u2","email":"bob@x.io"}]})"),
                          "a"));
    auto orders = store.put(decodeTable(Json::parse(R"({"name":"orders",
        "relationships":{"buyer":{"table":"users","field":"email"}},
        "seedData":[{"id":"o1","buyer":"bob@x.io"},{"id":"o2","buyer":"u1"}]})"),
                                        "b"));
    auto r = orders->get("o1");
    orders->expand(r.body, {"buyer"}, store);
    EXPECT_EQ(r.body["buyer"], Json::parse(R"({"id":"u2","email":"bob@x.io"})"));
    // "u1" is an id, not an email: nothing to inline.
    r = orders->get("o2");
    orders->expand(r.body, {"buyer"}, store);
    EXPECT_EQ(r.body["buyer"], "u1");
}

TEST(Table, SoftDeleteHidesTheItemKeepsItsIdAndResetBringsItBack) {
    auto t = makeTable(R"({"name":"c","seedData":[{"id":"a","n":1},{"id":"b","n":2}]})");
    auto gone = t.softRemove("a");
    EXPECT_EQ(gone.status, 204);
    EXPECT_EQ(gone.body["n"], 1);  // for delete.body templates
    EXPECT_EQ(t.get("a").status, 404);
    EXPECT_EQ(t.softRemove("a").status, 404);
    EXPECT_EQ(t.patch("a", Json{{"n", 5}}).status, 404);
    EXPECT_EQ(listDoc(t, {})["meta"]["total"], 1);
    EXPECT_EQ(t.size(), 1u);
    auto again = t.create(Json{{"id", "a"}}, std::nullopt);
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(t.reset(), 2u);
    EXPECT_EQ(t.get("a").body, Json::parse(R"({"id":"a","n":1})"));
}

TEST(Table, HoldRollbackUndoesOnlyItsOwnWritesAndTheSequence) {
    auto t = makeTable(R"({"name":"s","idStrategy":"sequence","seedData":[
        {"id":1,"v":"one"},{"id":2,"v":"two"},{"id":3,"v":"three"}]})");
    {
        Table::Hold hold(t);
        EXPECT_EQ(t.create(Json::object(), std::nullopt).body["id"], 4);
        EXPECT_EQ(t.patch("1", Json{{"v", "uno"}}).status, 200);
        EXPECT_EQ(t.remove("2").status, 204);
        EXPECT_EQ(t.update("3", Json{{"w", 1}}).status, 200);
        EXPECT_EQ(t.create(Json::object(), std::nullopt).body["id"], 5);
        hold.rollback();
    }
    auto body = listDoc(t, {{"sort", "id"}, {"order", "asc"}});
    EXPECT_EQ(body["data"], Json::parse(R"([{"id":1,"v":"one"},{"id":2,"v":"two"},
        {"id":3,"v":"three"}])"));
    EXPECT_EQ(t.items()[1]["v"], "two");                              // back in its place
    EXPECT_EQ(t.create(Json::object(), std::nullopt).body["id"], 4);  // the sequence too

    // Writes from other threads wait for the hold and survive its rollback.
    std::atomic<bool> started{false};
    std::thread other;
    {
        Table::Hold hold(t);
        EXPECT_EQ(t.create(Json::object(), std::nullopt).body["id"], 5);
        other = std::thread([&] {
            started = true;
            t.create(Json{{"id", "theirs"}}, std::nullopt);
        });
        while (!started) std::this_thread::yield();
        EXPECT_EQ(t.get("theirs").status, 404);  // still waiting for the hold
        hold.rollback();
    }
    other.join();
    EXPECT_EQ(t.get("theirs").status, 200);
    EXPECT_EQ(t.get("5").status, 404);
    EXPECT_EQ(t.size(), 5u);
}

}  // namespace
}  // namespace mockd::state

namespace mockd::state {
namespace {

TEST(Validation, StrictRejectsWarnAcceptsAutoInfers) {
    auto strict =
        Table(decodeTable(Json::parse(R"({"name":"u","idStrategy":"sequence","validation":{
        "required":["email"],
        "fields":{"email":{"type":"string","format":"email"},"age":{"type":"integer","min":0,"max":150},
                  "role":{"enum":["admin","user"]},"tags":{"type":"array","maxItems":2,"uniqueItems":true},
                  "address.zip":{"pattern":"^[0-9]{5}$"}}}})"),
                          "t"));
    auto bad = strict.create(Json{{"email", "nope"},
                                  {"age", 200},
                                  {"role", "root"},
                                  {"tags", {"a", "a"}},
                                  {"address", {{"zip", "12"}}}},
                             std::nullopt);
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.errorCode, "VALIDATION_ERROR");
    for (const char* f :
         {"email: must be a valid email", "age: must be <= 150", "role: must be one of",
          "tags: must not repeat", "address.zip: must match"})
        EXPECT_NE(bad.message.find(f), std::string::npos) << f << " in " << bad.message;
    EXPECT_EQ(strict.create(Json::object(), std::nullopt).message,
              "validation failed: email: is required");
    auto ok = strict.create(Json{{"email", "a@b.io"}, {"age", 30}}, std::nullopt);
    EXPECT_EQ(ok.status, 201);
    EXPECT_EQ(ok.body["id"], 1);  // failed creates did not use up sequence numbers
    EXPECT_EQ(strict.patch("1", Json{{"age", -1}}).status, 400);
    EXPECT_EQ(strict.get("1").body["age"], 30);  // a rejected patch changes nothing

    auto warn = Table(decodeTable(
        Json::parse(R"({"name":"w","validation":{"mode":"warn","required":["x"]}})"), "t"));
    EXPECT_EQ(warn.create(Json::object(), std::nullopt).status, 201);

    auto inferred = Table(decodeTable(Json::parse(R"({"name":"a","validation":{"auto":true},
        "seedData":[{"id":"1","name":"A","n":1},{"id":"2","name":"B"}]})"),
                                      "t"));
    EXPECT_EQ(inferred.create(Json{{"name", 5}}, std::nullopt).status, 400);
    EXPECT_EQ(inferred.create(Json{{"n", 2}}, std::nullopt).message,
              "validation failed: name: is required");
    EXPECT_EQ(inferred.create(Json{{"name", "C"}}, std::nullopt).status, 201);

    // The id field is not inferred: integer seed ids do not reject generated uuids.
    auto uuids = Table(decodeTable(Json::parse(R"({"name":"b","idStrategy":"uuid",
        "validation":{"auto":true},"seedData":[{"id":1,"name":"A"},{"id":2,"name":"B"}]})"),
                                   "t"));
    auto made = uuids.create(Json{{"name", "C"}}, std::nullopt);
    EXPECT_EQ(made.status, 201) << made.message;
    EXPECT_TRUE(made.body["id"].is_string());
    auto custom = Table(decodeTable(Json::parse(R"({"name":"c","idField":"sku",
        "validation":{"auto":true},"seedData":[{"sku":7,"name":"A"}]})"),
                                    "t"));
    EXPECT_EQ(custom.create(Json{{"name", "C"}}, std::nullopt).status, 201);
    EXPECT_EQ(custom.create(Json::object(), std::nullopt).message,
              "validation failed: name: is required");

    EXPECT_THROW(
        decodeTable(Json::parse(R"({"name":"x","validation":{"fields":{"a":{"type":"text"}}}})"),
                    "t"),
        core::FieldError);
    EXPECT_THROW(decodeTable(Json::parse(R"({"name":"x","validation":{"mode":"loose"}})"), "t"),
                 core::FieldError);
}

}  // namespace
}  // namespace mockd::state
