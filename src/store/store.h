// The `start` store: mocks, table definitions and custom operations created over the admin API
// survive a restart. SQLite in WAL mode; every change is one short transaction that writes only
// the rows it changed, so a crash loses at most the change in flight and a change costs the
// same however many rows there are.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/mock.h"

namespace mockd::store {

// Rows of one kind to write: added or replaced (by their key) and deleted (by key).
struct RowChanges {
    std::vector<core::Json> upserts;
    std::vector<std::string> deletes;
    bool empty() const { return upserts.empty() && deletes.empty(); }
};

// One admin change, written in one transaction.
struct Changes {
    RowChanges mocks;       // keyed by "id"
    RowChanges tables;      // keyed by "name"
    RowChanges operations;  // keyed by "name"
    // The stored rows of the kind are dropped first: the upserts are the whole set.
    bool replaceMocks = false;
    bool replaceTables = false;  // tables and operations
};

class Store final {
  public:
    // Opens (creating if needed) <dir>/mockd.db. Throws std::runtime_error with a clear message.
    explicit Store(const std::filesystem::path& dir);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Stored mocks in creation order (JSON in mockd's shape).
    std::vector<core::Json> loadMocks();
    // Writes what changed. A replaced row keeps its place in creation order; a new one goes
    // last. Throws std::runtime_error (nothing is written then).
    void write(const Changes& changes);
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
    // A statement prepared once and kept (reset before each use).
    sqlite3_stmt* statement(const std::string& sql);
    void step(sqlite3_stmt* st);
    std::vector<core::Json> load(const char* table);
    void save(const char* table, const std::vector<core::Json>& rows, const char* keyField);
    void writeRows(const char* table, const std::vector<core::Json>& upserts,
                   const std::vector<std::string>& deletes, const char* keyField);
    // Runs `body` in one transaction, rolled back when it throws.
    template <class Body>
    void transaction(Body&& body);
    std::filesystem::path path_;
    sqlite3* db_ = nullptr;
    std::map<std::string, sqlite3_stmt*> statements_;
    std::map<std::string, int64_t> nextSeq_;  // per table: the seq a new row gets
    std::mutex mu_;
};

}  // namespace mockd::store
