#include "store/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace mockd::store {
namespace {

namespace fs = std::filesystem;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("mockd-store-test-" + std::to_string(::getpid()));
    TempDir() { fs::remove_all(path); }
    ~TempDir() { fs::remove_all(path); }
};

TEST(Store, SavesAndReloadsInOrder) {
    TempDir dir;
    {
        Store s(dir.path);
        EXPECT_TRUE(s.loadMocks().empty());
        s.saveMocks({{{"id", "b"}, {"type", "http"}}, {{"id", "a"}, {"type", "http"}}});
    }
    Store again(dir.path);
    auto mocks = again.loadMocks();
    ASSERT_EQ(mocks.size(), 2u);
    EXPECT_EQ(mocks[0]["id"], "b");
    EXPECT_EQ(mocks[1]["id"], "a");
    again.saveMocks({{{"id", "a"}, {"type", "http"}}});
    EXPECT_EQ(again.loadMocks().size(), 1u);
}

TEST(Store, TablesAreKeptApartFromMocks) {
    TempDir dir;
    {
        Store s(dir.path);
        s.saveMocks({{{"id", "m"}}});
        s.saveTables({{{"name", "users"}, {"idField", "uid"}}, {{"name", "tasks"}}});
    }
    Store again(dir.path);
    auto tables = again.loadTables();
    ASSERT_EQ(tables.size(), 2u);
    EXPECT_EQ(tables[0]["name"], "users");
    EXPECT_EQ(tables[0]["idField"], "uid");
    EXPECT_EQ(again.loadMocks().size(), 1u);
}

std::vector<std::string> idsOf(const std::vector<core::Json>& rows, const char* key = "id") {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.value(key, ""));
    return out;
}

TEST(Store, WritesOnlyTheChangedRowsAndKeepsCreationOrder) {
    TempDir dir;
    {
        Store s(dir.path);
        s.saveMocks({{{"id", "a"}}, {{"id", "b"}}, {{"id", "c"}}});
        Changes change;
        change.mocks.upserts = {{{"id", "a"}, {"name", "renamed"}}, {{"id", "d"}}};
        change.mocks.deletes = {"b", "never-stored"};
        change.tables.upserts = {{{"name", "users"}}};
        change.operations.upserts = {{{"name", "transfer"}}};
        s.write(change);
    }
    // Reopened: a replaced row kept its place, a new one went last, and a row added after
    // the reopen still goes after every earlier one.
    Store again(dir.path);
    auto mocks = again.loadMocks();
    EXPECT_EQ(idsOf(mocks), (std::vector<std::string>{"a", "c", "d"}));
    EXPECT_EQ(mocks[0]["name"], "renamed");
    Changes more;
    more.mocks.upserts = {{{"id", "e"}}};
    more.tables.deletes = {"users"};
    again.write(more);
    EXPECT_EQ(idsOf(again.loadMocks()), (std::vector<std::string>{"a", "c", "d", "e"}));
    EXPECT_TRUE(again.loadTables().empty());
    EXPECT_EQ(idsOf(again.loadOperations(), "name"), (std::vector<std::string>{"transfer"}));
}

TEST(Store, AReplacingChangeDropsTheOldRowsInTheSameTransaction) {
    TempDir dir;
    Store s(dir.path);
    s.saveMocks({{{"id", "old1"}}, {{"id", "old2"}}});
    s.saveTables({{{"name", "users"}}});
    s.saveOperations({{{"name", "transfer"}}});
    Changes change;
    change.replaceMocks = true;
    change.mocks.upserts = {{{"id", "new"}}};
    change.replaceTables = true;
    s.write(change);
    EXPECT_EQ(idsOf(s.loadMocks()), (std::vector<std::string>{"new"}));
    EXPECT_TRUE(s.loadTables().empty());
    EXPECT_TRUE(s.loadOperations().empty());
}

TEST(Store, UnusableDirectoryIsAClearError) {
    try {
        Store s("/proc/mockd-cannot-be-here");
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot open the store"), std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace mockd::store
