#include "state/operations.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "core/errors.h"

namespace mockd::state {
namespace {

Json ev(const std::string& src, const Json& env = Json::object()) {
    return Expr::compile(src).eval(env);
}

TEST(Expr, EvaluatesTheLanguage) {
    Json env = {{"input", {{"amount", 30}, {"name", "ann"}, {"tags", {"a", "b"}}}}, {"rate", 1.5}};
    EXPECT_EQ(ev("1 + 2 * 3"), 7);
    EXPECT_EQ(ev("(1 + 2) * 3"), 9);
    EXPECT_EQ(ev("input.amount * rate", env), 45);
    EXPECT_EQ(ev("input.amount / 4", env), 7.5);
    EXPECT_EQ(ev("7 % 3"), 1);
    EXPECT_EQ(ev("-input.amount", env), -30);
    EXPECT_EQ(ev("'a' + \"b\" + 1"), "ab1");
    EXPECT_EQ(ev("input.amount > 10 && input.name == 'ann'", env), true);
    EXPECT_EQ(ev("input.amount >= 100 or not (input.name == 'bob')", env), true);
    EXPECT_EQ(ev("input.amount > 100 ? 'big' : 'small'", env), "small");
    EXPECT_EQ(ev("'b' in input.tags", env), true);
    EXPECT_EQ(ev("input.name contains 'n'", env), true);
    EXPECT_EQ(ev("input.tags[1]", env), "b");
    EXPECT_EQ(ev("input.tags[-1]", env), "b");
    EXPECT_EQ(ev("len(input.tags) + len('abc')", env), 5);
    EXPECT_EQ(ev("upper(input.name)", env), "ANN");
    EXPECT_EQ(ev("int('42') + 1"), 43);
    EXPECT_EQ(ev("max(1, 5, 3)"), 5);
    EXPECT_EQ(ev("{total: 1 + 1, list: [1, 'x']}"), Json::parse(R"({"total":2,"list":[1,"x"]})"));
    EXPECT_TRUE(ev("missing.field", env).is_null());
    EXPECT_EQ(ev("'\"completed\"'"), "\"completed\"");
    EXPECT_EQ(ev("\"completed\""), "completed");
}

TEST(Expr, FailsClearlyAndStaysBounded) {
    EXPECT_THROW(Expr::compile("1 +"), ExprError);
    EXPECT_THROW(Expr::compile("(1"), ExprError);
    EXPECT_THROW(Expr::compile("'open"), ExprError);
    EXPECT_THROW(Expr::compile("a b"), ExprError);
    EXPECT_THROW(Expr::compile(std::string(5000, '1')), ExprError);
    EXPECT_THROW(Expr::compile(std::string(500, '(') + "1" + std::string(500, ')')), ExprError);
    EXPECT_THROW(ev("1 / 0"), ExprError);
    EXPECT_THROW(ev("'a' * 2"), ExprError);
    EXPECT_THROW(ev("nope(1)"), ExprError);
    try {
        Expr::compile("1 + * 2");
        FAIL();
    } catch (const ExprError& e) {
        EXPECT_NE(std::string(e.what()).find("position"), std::string::npos);
    }
}

struct Bank {
    TableStore store;
    Bank() {
        store.put(decodeTable(Json::parse(R"({"name":"accounts","seedData":[
            {"id":"a","balance":100},{"id":"b","balance":5}]})"),
                              "t"));
        store.put(decodeTable(Json::parse(R"({"name":"transfers","idStrategy":"sequence"})"), "t"));
    }
    Operation transfer(bool atomic) {
        Json j = Json::parse(R"({
          "name": "transfer",
          "steps": [
            {"type": "read", "resource": "accounts", "id": "input.from", "as": "src"},
            {"type": "read", "resource": "accounts", "id": "input.to", "as": "dst"},
            {"type": "update", "resource": "accounts", "id": "input.from",
             "set": {"balance": "src.balance - input.amount"}},
            {"type": "create", "resource": "transfers", "set": {"amount": "input.amount"}, "as": "t"},
            {"type": "validate", "condition": "src.balance >= input.amount",
             "errorMessage": "insufficient funds", "errorStatus": 422},
            {"type": "update", "resource": "accounts", "id": "input.to",
             "set": {"balance": "dst.balance + input.amount"}}
          ],
          "response": {"transfer": "t.id", "from": "src.balance - input.amount"}})");
        j["consistency"] = atomic ? "atomic" : "best_effort";
        return decodeOperation(j, "op");
    }
    Json balance(const std::string& id) { return store.find("accounts")->get(id).body["balance"]; }
};

TEST(Operations, RunStepsAndShapeTheResponse) {
    Bank bank;
    auto r =
        runOperation(bank.transfer(true), {{"from", "a"}, {"to", "b"}, {"amount", 30}}, bank.store);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, Json::parse(R"({"transfer":1,"from":70})"));
    EXPECT_EQ(bank.balance("a"), 70);
    EXPECT_EQ(bank.balance("b"), 35);
}

TEST(Operations, AtomicRollsBackAndBestEffortDoesNot) {
    Bank atomic;
    auto r = runOperation(atomic.transfer(true), {{"from", "b"}, {"to", "a"}, {"amount", 50}},
                          atomic.store);
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(r.body["error"], "insufficient funds");
    EXPECT_EQ(r.body["rolledBack"], true);
    EXPECT_EQ(atomic.balance("b"), 5);
    EXPECT_EQ(atomic.store.find("transfers")->size(), 0u);

    Bank loose;
    r = runOperation(loose.transfer(false), {{"from", "b"}, {"to", "a"}, {"amount", 50}},
                     loose.store);
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(loose.balance("b"), -45);  // the earlier steps stay done
    EXPECT_EQ(loose.store.find("transfers")->size(), 1u);

    r = runOperation(atomic.transfer(true), {{"from", "zz"}, {"to", "a"}, {"amount", 1}},
                     atomic.store);
    EXPECT_EQ(r.status, 404);
}

TEST(Operations, AtomicRollbackGivesBackTheSequenceNumber) {
    Bank bank;
    auto fail =
        runOperation(bank.transfer(true), {{"from", "b"}, {"to", "a"}, {"amount", 50}}, bank.store);
    ASSERT_EQ(fail.status, 422);
    auto ok =
        runOperation(bank.transfer(true), {{"from", "a"}, {"to", "b"}, {"amount", 1}}, bank.store);
    ASSERT_EQ(ok.status, 200);
    EXPECT_EQ(ok.body["transfer"], 1);  // the failed run's transfer 1 was never made
}

TEST(Operations, AtomicRollbackKeepsWhatOtherThreadsCreated) {
    Bank bank;
    auto transfers = bank.store.find("transfers");
    std::atomic<bool> done{false};
    std::atomic<int> runs{0};
    std::thread ops([&] {
        while (!done) {
            EXPECT_EQ(runOperation(bank.transfer(true),
                                   {{"from", "b"}, {"to", "a"}, {"amount", 50}}, bank.store)
                          .status,
                      422);
            ++runs;
        }
    });
    std::vector<std::thread> writers;
    std::vector<std::vector<Json>> made(4);
    for (size_t k = 0; k < made.size(); ++k)
        writers.emplace_back([&, k] {
            while (runs == 0) std::this_thread::yield();  // write while operations fail
            for (int i = 0; i < 300; ++i)
                made[k].push_back(transfers->create(Json{{"writer", k}}, std::nullopt).body["id"]);
        });
    for (auto& w : writers) w.join();
    done = true;
    ops.join();
    std::set<Json> ids;
    for (const auto& ws : made)
        for (const auto& id : ws) {
            EXPECT_TRUE(id.is_number_integer());
            ids.insert(id);
        }
    EXPECT_EQ(ids.size(), 1200u);  // no id handed out twice
    EXPECT_EQ(transfers->size(), 1200u);
    for (const auto& id : ids) EXPECT_EQ(transfers->get(idText(id)).status, 200) << id;
    EXPECT_EQ(bank.balance("b"), 5);
}

TEST(Operations, DecodingNamesTheBadField) {
    try {
        decodeOperation(
            Json::parse(R"({"name":"x","steps":[{"type":"set","var":"v","value":"1 +"}]})"),
            "customOperations[0]");
        FAIL();
    } catch (const core::FieldError& e) {
        EXPECT_EQ(e.field(), "customOperations[0].steps[0].value");
    }
    EXPECT_THROW(decodeOperation(Json::parse(R"({"name":"x","steps":[{"type":"fly"}]})"), "o"),
                 core::FieldError);
    EXPECT_THROW(decodeOperation(Json::parse(R"({"name":"x","steps":[{"type":"read"}]})"), "o"),
                 core::FieldError);  // a read needs its table (an id is checked when it runs)
    EXPECT_THROW(decodeOperation(Json::parse(R"({"name":"x","consistency":"eventual"})"), "o"),
                 core::FieldError);
    // The {read: {...}} form.
    auto op = decodeOperation(
        Json::parse(
            R"({"name":"x","steps":[{"read":{"resource":"a","id":"input.id","as":"it"}}]})"),
        "o");
    EXPECT_EQ(op.steps[0].type, "read");
}

}  // namespace
}  // namespace mockd::state
