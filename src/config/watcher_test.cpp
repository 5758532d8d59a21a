#include "config/watcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

namespace mockd::config {

namespace fs = std::filesystem;

TEST(DirWatcher, FingerprintSeesNewChangedAndRemovedFiles) {
    fs::path dir = fs::temp_directory_path() / ("mockd-watch-" + std::to_string(::getpid()));
    fs::create_directories(dir / "sub");
    const std::vector<std::string> dirs{dir.string()};
    auto empty = DirWatcher::fingerprint(dirs);
    std::ofstream(dir / "sub" / "a.json") << "{}";
    auto one = DirWatcher::fingerprint(dirs);
    EXPECT_NE(one, empty);
    std::ofstream(dir / "sub" / "a.json") << "{\"changed\": true}";
    auto changed = DirWatcher::fingerprint(dirs);
    EXPECT_NE(changed, one);
    fs::remove(dir / "sub" / "a.json");
    EXPECT_EQ(DirWatcher::fingerprint(dirs), empty);
    EXPECT_EQ(DirWatcher::fingerprint({(dir / "missing").string()}), "");
    fs::remove_all(dir);
}

TEST(DirWatcher, CallsBackAfterAChange) {
    fs::path dir = fs::temp_directory_path() / ("mockd-watch2-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::atomic<int> calls{0};
    {
        DirWatcher w(
            {dir.string()}, [&] { calls++; }, std::chrono::milliseconds(20));
        std::this_thread::sleep_for(std::chrono::milliseconds(60));
        EXPECT_EQ(calls.load(), 0);
        std::ofstream(dir / "x.json") << "{}";
        for (int i = 0; i < 200 && calls.load() == 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        EXPECT_EQ(calls.load(), 1);
    }
    fs::remove_all(dir);
}

}  // namespace mockd::config
