// SQLite persistence for mocks, table definitions and custom operations.
#include "store/store.h"

#include <stdexcept>

namespace mockd::store {

namespace {
constexpr const char* kTables[] = {"mocks", "tables", "operations"};
}  // namespace

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
    for (const char* table : kTables) {
        exec((std::string("CREATE TABLE IF NOT EXISTS ") + table +
              " (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, body TEXT NOT NULL)")
                 .c_str());
        sqlite3_stmt* st = statement(std::string("SELECT COALESCE(MAX(seq), 0) FROM ") + table);
        nextSeq_[table] = (sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0) + 1;
        sqlite3_reset(st);
    }
}

Store::~Store() {
    for (auto& [sql, st] : statements_) sqlite3_finalize(st);
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

sqlite3_stmt* Store::statement(const std::string& sql) {
    auto [it, added] = statements_.try_emplace(sql, nullptr);
    if (added && sqlite3_prepare_v2(db_, sql.c_str(), -1, &it->second, nullptr) != SQLITE_OK) {
        statements_.erase(it);
        throw std::runtime_error("store " + path_.string() + ": " + sqlite3_errmsg(db_));
    }
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return it->second;
}

void Store::step(sqlite3_stmt* st) {
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        throw std::runtime_error("store " + path_.string() + ": " + sqlite3_errmsg(db_));
}

template <class Body>
void Store::transaction(Body&& body) {
    exec("BEGIN IMMEDIATE");
    try {
        body();
        exec("COMMIT");
    } catch (...) {
        char* err = nullptr;
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, &err);
        sqlite3_free(err);
        throw;
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
    sqlite3_stmt* st = statement(std::string("SELECT body FROM ") + table + " ORDER BY seq");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        auto j = core::Json::parse(text ? text : "", nullptr, false);
        if (!j.is_discarded()) out.push_back(std::move(j));
    }
    sqlite3_reset(st);
    return out;
}

void Store::writeRows(const char* table, const std::vector<core::Json>& upserts,
                      const std::vector<std::string>& deletes, const char* keyField) {
    if (upserts.empty() && deletes.empty()) return;
    // A replaced row keeps its seq (its place in creation order).
    sqlite3_stmt* upsert =
        statement(std::string("INSERT INTO ") + table +
                  " (id, seq, body) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                  "body = excluded.body");
    int64_t& seq = nextSeq_[table];
    for (const auto& row : upserts) {
        const std::string id = row.value(keyField, "");
        const std::string body = row.dump();
        sqlite3_bind_text(upsert, 1, id.c_str(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(upsert, 2, seq++);
        sqlite3_bind_text(upsert, 3, body.c_str(), static_cast<int>(body.size()),
                          SQLITE_TRANSIENT);
        step(upsert);
    }
    if (deletes.empty()) return;
    sqlite3_stmt* remove = statement(std::string("DELETE FROM ") + table + " WHERE id = ?");
    for (const auto& id : deletes) {
        sqlite3_bind_text(remove, 1, id.c_str(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
        step(remove);
    }
}

void Store::write(const Changes& changes) {
    if (changes.mocks.empty() && changes.tables.empty() && changes.operations.empty() &&
        !changes.replaceMocks && !changes.replaceTables)
        return;
    std::lock_guard lock(mu_);
    transaction([&] {
        if (changes.replaceMocks) exec("DELETE FROM mocks");
        if (changes.replaceTables) {
            exec("DELETE FROM tables");
            exec("DELETE FROM operations");
        }
        writeRows("mocks", changes.mocks.upserts, changes.mocks.deletes, "id");
        writeRows("tables", changes.tables.upserts, changes.tables.deletes, "name");
        writeRows("operations", changes.operations.upserts, changes.operations.deletes, "name");
    });
}

void Store::save(const char* table, const std::vector<core::Json>& rows, const char* keyField) {
    std::lock_guard lock(mu_);
    transaction([&] {
        exec((std::string("DELETE FROM ") + table).c_str());
        writeRows(table, rows, {}, keyField);
    });
}

}  // namespace mockd::store
