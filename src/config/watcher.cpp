// Directory polling for hot reload.
#include "config/watcher.h"

#include <algorithm>
#include <filesystem>

namespace mockd::config {

namespace fs = std::filesystem;

DirWatcher::DirWatcher(std::vector<std::string> dirs, std::function<void()> onChange,
                       std::chrono::milliseconds interval)
    : dirs_(std::move(dirs)), onChange_(std::move(onChange)), interval_(interval) {
    thread_ = std::thread([this] { run(); });
}

DirWatcher::~DirWatcher() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::string DirWatcher::fingerprint(const std::vector<std::string>& dirs) {
    std::vector<std::string> lines;
    for (const auto& d : dirs) {
        std::error_code ec;
        if (!fs::exists(d, ec)) continue;
        for (auto it = fs::recursive_directory_iterator(d, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            std::error_code e2;
            if (!it->is_regular_file(e2)) continue;
            auto size = it->file_size(e2);
            auto mtime = it->last_write_time(e2).time_since_epoch().count();
            lines.push_back(it->path().string() + '\t' + std::to_string(size) + '\t' +
                            std::to_string(mtime));
        }
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) out += l + '\n';
    return out;
}

void DirWatcher::run() {
    std::string last = fingerprint(dirs_);
    std::unique_lock lock(mu_);
    while (!stop_) {
        cv_.wait_for(lock, interval_, [this] { return stop_; });
        if (stop_) break;
        lock.unlock();
        std::string now = fingerprint(dirs_);
        if (now != last) {
            // Let a burst of writes (an editor saving, a copy of many files) finish first.
            for (int i = 0; i < 10; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                std::string again = fingerprint(dirs_);
                if (again == now) break;
                now = std::move(again);
            }
            last = now;
            onChange_();
        }
        lock.lock();
    }
}

}  // namespace mockd::config
