#include "journal/journal.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace mockd::journal {
namespace {

Entry entry(const std::string& path, const std::string& mock = {}) {
    Entry e;
    e.method = "GET";
    e.path = path;
    e.mockId = mock;
    e.status = mock.empty() ? 404 : 200;
    return e;
}

TEST(Journal, KeepsExactlyTheNewestAcrossThreads) {
    Journal j(5);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&j, t] {
            for (int i = 0; i < 100; ++i) j.record(entry("/t" + std::to_string(t)));
        });
    for (auto& th : threads) th.join();
    j.record(entry("/last"));
    size_t total = 0;
    auto list = j.list({}, 0, 100, &total);
    ASSERT_EQ(list.size(), 5u);
    EXPECT_EQ(total, 5u);
    EXPECT_EQ(list.front()->path, "/last");
    for (size_t i = 1; i < list.size(); ++i) EXPECT_GT(list[i - 1]->seq, list[i]->seq);
    EXPECT_EQ(list.front()->seq, 401u);
}

TEST(Journal, FiltersPagesAndFinds) {
    Journal j(100);
    for (int i = 0; i < 10; ++i) j.record(entry("/a/" + std::to_string(i), i % 2 ? "odd" : ""));
    size_t total = 0;
    Filter f;
    f.mockId = "odd";
    auto odd = j.list(f, 1, 2, &total);
    EXPECT_EQ(total, 5u);
    ASSERT_EQ(odd.size(), 2u);
    EXPECT_EQ(odd[0]->path, "/a/7");
    Filter un;
    un.unmatchedOnly = true;
    j.list(un, 0, 100, &total);
    EXPECT_EQ(total, 5u);
    auto found = j.find(odd[0]->id());
    ASSERT_TRUE(found);
    EXPECT_EQ(found->path, "/a/7");
    EXPECT_FALSE(j.find("req-ffffffffffffffff"));
    EXPECT_EQ(j.clearMock("odd"), 5u);
    j.list({}, 0, 100, &total);
    EXPECT_EQ(total, 5u);
    j.clear();
    j.list({}, 0, 100, &total);
    EXPECT_EQ(total, 0u);
}

TEST(Journal, ListenersSeeEveryNewEntryUntilUnsubscribed) {
    Journal j(10);
    std::vector<std::string> seen;
    auto token = j.subscribe([&](const EntryPtr& e) { seen.push_back(e->path); });
    j.record(entry("/one"));
    j.record(entry("/two"));
    j.unsubscribe(token);
    j.record(entry("/three"));
    EXPECT_EQ(seen, (std::vector<std::string>{"/one", "/two"}));
}

TEST(Journal, ZeroCapacityKeepsNothing) {
    Journal j(0);
    j.record(entry("/x"));
    size_t total = 1;
    EXPECT_TRUE(j.list({}, 0, 10, &total).empty());
    EXPECT_EQ(total, 0u);
}

}  // namespace
}  // namespace mockd::journal
