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
