// SQLite persistence for mocks.
#include "store/store.h"

#include <stdexcept>

namespace mockd::store {

Store::Store(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    path_ = dir / "mockd.db";
    if (sqlite3_open_v2(path_.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw std::runtime_error("cannot open the store " + path_.string() + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 5000);
    exec("PRAGMA journal_mode=WAL");
    // WAL with NORMAL sync survives a process crash at any point; only a power cut can lose
    // the last commit.
    exec("PRAGMA synchronous=NORMAL");
    for (const char* table : {"mocks", "tables", "operations"})
        exec((std::string("CREATE TABLE IF NOT EXISTS ") + table +
              " (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, body TEXT NOT NULL)")
                 .c_str());
}

Store::~Store() {
    if (db_) sqlite3_close(db_);
}

void Store::exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw std::runtime_error("store " + path_.string() + ": " + msg);
    }
}

std::vector<core::Json> Store::loadMocks() { return load("mocks"); }
std::vector<core::Json> Store::loadTables() { return load("tables"); }
void Store::saveMocks(const std::vector<core::Json>& mocks) { save("mocks", mocks, "id"); }
void Store::saveTables(const std::vector<core::Json>& tables) { save("tables", tables, "name"); }
std::vector<core::Json> Store::loadOperations() { return load("operations"); }
void Store::saveOperations(const std::vector<core::Json>& ops) { save("operations", ops, "name"); }

std::vector<core::Json> Store::load(const char* table) {
    std::lock_guard lock(mu_);
    std::vector<core::Json> out;
    sqlite3_stmt* st = nullptr;
    std::string sql = std::string("SELECT body FROM ") + table + " ORDER BY seq";
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        throw std::runtime_error("store " + path_.string() + ": " + sqlite3_errmsg(db_));
    while (sqlite3_step(st) == SQLITE_ROW) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        auto j = core::Json::parse(text ? text : "", nullptr, false);
        if (!j.is_discarded()) out.push_back(std::move(j));
    }
    sqlite3_finalize(st);
    return out;
}

void Store::save(const char* table, const std::vector<core::Json>& rows, const char* keyField) {
    std::lock_guard lock(mu_);
    exec("BEGIN IMMEDIATE");
    try {
        exec((std::string("DELETE FROM ") + table).c_str());
        sqlite3_stmt* st = nullptr;
        std::string sql =
            std::string("INSERT OR REPLACE INTO ") + table + " (id, seq, body) VALUES (?, ?, ?)";
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
            throw std::runtime_error(sqlite3_errmsg(db_));
        int64_t seq = 0;
        for (const auto& m : rows) {
            std::string id = m.value(keyField, "");
            std::string body = m.dump();
            sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 2, ++seq);
            sqlite3_bind_text(st, 3, body.c_str(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
            if (sqlite3_step(st) != SQLITE_DONE) {
                std::string msg = sqlite3_errmsg(db_);
                sqlite3_finalize(st);
                throw std::runtime_error(msg);
            }
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
        exec("COMMIT");
    } catch (...) {
        char* err = nullptr;
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, &err);
        sqlite3_free(err);
        throw;
    }
}

}  // namespace mockd::store
