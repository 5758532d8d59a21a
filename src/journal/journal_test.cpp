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

// Records `n` entries for `path` (and `mock`) from a thread of their own, so that each call
// fills a different ring.
void recordOnOwnThread(Journal& j, int n, const std::string& path, const std::string& mock = {}) {
    std::thread([&] {
        for (int i = 0; i < n; ++i) j.record(entry(path, mock));
    }).join();
}

TEST(Journal, EvictedEntriesNeverComeBack) {
    Journal j(3);
    recordOnOwnThread(j, 3, "/a", "a");
    size_t total = 0;
    auto evictedSoon = j.list({}, 0, 10, &total);
    ASSERT_EQ(evictedSoon.size(), 3u);
    recordOnOwnThread(j, 3, "/b", "b");  // evicts every /a entry
    EXPECT_FALSE(j.find(evictedSoon.front()->id()));
    EXPECT_FALSE(j.findUuid(evictedSoon.front()->uuid()));
    EXPECT_EQ(j.clearMock("a"), 0u);  // nothing of /a is left to clear
    EXPECT_EQ(j.clearMock("b"), 3u);
    auto after = j.list({}, 0, 10, &total);
    EXPECT_TRUE(after.empty());
    EXPECT_EQ(total, 0u);
    EXPECT_TRUE(j.removeIf([](const Entry&) { return true; }).empty());
    EXPECT_EQ(j.clear(), 0u);
    // the log fills up again from new requests only
    recordOnOwnThread(j, 2, "/c");
    auto refilled = j.list({}, 0, 10, &total);
    ASSERT_EQ(refilled.size(), 2u);
    EXPECT_EQ(refilled[0]->path, "/c");
    EXPECT_EQ(refilled[1]->path, "/c");
}

TEST(Journal, RemovingEntriesFreesRoomForNewOnesNotOldOnes) {
    Journal j(4);
    recordOnOwnThread(j, 2, "/old");
    recordOnOwnThread(j, 2, "/x", "x");
    recordOnOwnThread(j, 2, "/y", "y");  // the two /old entries are evicted
    EXPECT_EQ(j.clearMock("x"), 2u);
    recordOnOwnThread(j, 1, "/z");
    size_t total = 0;
    auto list = j.list({}, 0, 10, &total);
    ASSERT_EQ(total, 3u);
    EXPECT_EQ(list[0]->path, "/z");
    EXPECT_EQ(list[1]->path, "/y");
    EXPECT_EQ(list[2]->path, "/y");
}

TEST(Journal, MemoryIsBoundedByTheCapNotByTheThreads) {
    Journal j(100);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&j] {
            for (int i = 0; i < 5000; ++i) j.record(entry("/load"));
        });
    for (auto& th : threads) th.join();
    // The cap plus at most one batch waiting to be freed (an eighth of the cap, at most 64),
    // plus one record per thread in flight when a batch was freed.
    EXPECT_LE(j.held(), 100u + 12u + 4u);
    size_t total = 0;
    auto list = j.list({}, 0, 1000, &total);
    EXPECT_EQ(total, 100u);
    EXPECT_EQ(j.held(), 100u);  // listing frees the evicted entries
    EXPECT_EQ(list.front()->seq, 20000u);
    EXPECT_EQ(list.back()->seq, 19901u);
}

TEST(Journal, ShrinkingTheCapEvictsAndGrowingItRestoresNothing) {
    Journal j(6);
    recordOnOwnThread(j, 3, "/a");
    recordOnOwnThread(j, 3, "/b");
    j.setCapacity(2);
    size_t total = 0;
    j.list({}, 0, 10, &total);
    EXPECT_EQ(total, 2u);
    j.setCapacity(10);
    auto list = j.list({}, 0, 10, &total);
    EXPECT_EQ(total, 2u);
    EXPECT_EQ(list[0]->path, "/b");
    EXPECT_EQ(list[1]->path, "/b");
    EXPECT_EQ(j.clear(), 2u);
}

TEST(Journal, HasErrorFilter) {
    Journal j(10);
    j.record(entry("/ok", "m"));
    Entry failed = entry("/file", "f");
    failed.status = 502;
    failed.error = "failed to read bodyFile";
    j.record(failed);
    j.record(entry("/missing"));  // a 404, but not an error
    size_t total = 0;
    Filter errors;
    errors.hasError = true;
    auto list = j.list(errors, 0, 10, &total);
    ASSERT_EQ(total, 1u);
    EXPECT_EQ(list[0]->path, "/file");
    Filter clean;
    clean.hasError = false;
    j.list(clean, 0, 10, &total);
    EXPECT_EQ(total, 2u);
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
