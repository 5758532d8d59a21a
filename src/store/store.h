// The `start` store: mocks created over the admin API survive a restart. SQLite in WAL mode,
// every change one transaction, so a crash loses at most the change in flight.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "core/mock.h"

namespace mockd::store {

class Store final {
  public:
    // Opens (creating if needed) <dir>/mockd.db. Throws std::runtime_error with a clear message.
    explicit Store(const std::filesystem::path& dir);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Stored mocks in creation order (JSON in mockd's shape).
    std::vector<core::Json> loadMocks();
    // Makes the stored set equal to `mocks` (creation order) in one transaction.
    void saveMocks(const std::vector<core::Json>& mocks);
    // Table definitions (items are not stored: they start from the seeds on every start).
    std::vector<core::Json> loadTables();
    void saveTables(const std::vector<core::Json>& tables);
    std::vector<core::Json> loadOperations();
    void saveOperations(const std::vector<core::Json>& operations);
    const std::filesystem::path& path() const { return path_; }

  private:
    void exec(const char* sql);
    std::vector<core::Json> load(const char* table);
    void save(const char* table, const std::vector<core::Json>& rows, const char* keyField);
    std::filesystem::path path_;
    sqlite3* db_ = nullptr;
    std::mutex mu_;
};

}  // namespace mockd::store
