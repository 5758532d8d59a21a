// Watches a directory tree and calls back once its files settle after a change (hot reload of
// `start --load DIR --watch` and `wiremock --watch-mappings`). Polls file names, sizes and
// modification times a few times a second: cheap for mock directories, and it sees editors'
// rename-and-replace saves the same way as in-place writes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mockd::config {

class DirWatcher final {
  public:
    // `onChange` runs on the watcher's thread.
    DirWatcher(std::vector<std::string> dirs, std::function<void()> onChange,
               std::chrono::milliseconds interval = std::chrono::milliseconds(200));
    ~DirWatcher();
    DirWatcher(const DirWatcher&) = delete;
    DirWatcher& operator=(const DirWatcher&) = delete;

    // A fingerprint of every file under `dirs` (paths, sizes, modification times).
    static std::string fingerprint(const std::vector<std::string>& dirs);

  private:
    void run();

    std::vector<std::string> dirs_;
    std::function<void()> onChange_;
    std::chrono::milliseconds interval_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace mockd::config
