// Stateful tables: named in-memory collections of JSON items with seed data, id strategies and
// the CRUD actions that mocks bind to (list, get, create, update, patch, delete).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/mock.h"
#include "state/validation.h"

namespace mockd::state {

using core::Json;

struct TableDef {
    std::string name;
    std::string idField = "id";
    std::string idStrategy = "uuid";  // uuid, prefix, ulid, sequence, short
    std::string idPrefix;
    std::string parentField;
    size_t maxItems = 0;  // 0: no limit
    std::vector<Json> seedData;
    Json response = Json::object();  // response shaping ({list: {envelope: false}}, ...)
    std::shared_ptr<const Validation> validation;  // null: items are not checked
    Json raw = Json::object();  // the definition as written (export, persistence)
};

// Decodes a table definition; `where` names it in errors ("tables[0]"). Throws core::FieldError.
TableDef decodeTable(const Json& j, const std::string& where);

// What an action answers, before response shaping (see render()).
struct ActionResult {
    int status = 200;
    Json body;              // the item, or {data, meta} for a list; null when nothing to send
    std::string errorCode;  // NOT_FOUND, CONFLICT, VALIDATION_ERROR, CAPACITY_EXCEEDED, ...
    std::string message;    // error text
    std::string id;         // the id an error is about
};

// Applies a table's (or a binding's) response shaping and serialises: item transforms
// (rename, hide, wrapAsList, timestamps, inject), list envelope, create/delete overrides and
// error shaping. `action` is list, get, create, update, patch or delete.
std::pair<int, std::string> render(const ActionResult& r, const TableDef& def, const Json& cfg,
                                   std::string_view action);

// One item through the field transforms.
Json transformItem(Json item, const Json& cfg, const std::string& idField);

// The query of a list request: decoded parameters in order.
using Query = std::vector<std::pair<std::string, std::string>>;

class Table final {
  public:
    explicit Table(TableDef def);

    const TableDef& def() const { return def_; }
    size_t size() const;

    // `parent` is the parent id from the URL when the table has a parentField.
    ActionResult list(const Query& query, const std::optional<std::string>& parent) const;
    // Inlines related items for ?expand (relationships: {field: {table, field?}}).
    void expand(Json& item, const std::vector<std::string>& fields,
                const class TableStore& tables) const;
    // With a parent (tables with parentField), an item of another parent is not found.
    ActionResult get(const std::string& id, const std::optional<std::string>& parent = {}) const;
    ActionResult create(Json body, const std::optional<std::string>& parent);
    ActionResult update(const std::string& id, Json body,
                        const std::optional<std::string>& parent = {});  // full replace
    ActionResult patch(const std::string& id, const Json& body,
                       const std::optional<std::string>& parent = {});
    ActionResult remove(const std::string& id, const std::optional<std::string>& parent = {});
    // A soft delete (`delete: {preserve: true}`): the item is kept, marked deleted, so get, list,
    // update, patch and delete no longer see it and its id stays taken (409); reset brings the
    // seeds back.
    ActionResult softRemove(const std::string& id, const std::optional<std::string>& parent = {});
    // The item whose `field` has this value (by text); the id field when `field` is empty.
    ActionResult findBy(const std::string& field, const std::string& value) const;

    // Back to the seed data (and the id sequence with it). Returns the item count.
    size_t reset();
    // Empty, without seeds. Returns how many items were removed.
    size_t clear();
    // Items in insertion order (admin listing).
    std::vector<Json> items() const;

  private:
    // One write, as an atomic operation's rollback needs it to undo it.
    struct UndoStep {
        enum class Kind { Inserted, Replaced, Erased, Preserved } kind;
        size_t pos = 0;  // where the item was (Replaced, Erased, Preserved)
        std::string id;  // Inserted, Preserved
        Json item;       // the item before the write (Replaced, Erased)
    };

  public:
    // Holds the table for one atomic custom operation: other connections wait until the hold
    // ends, so they never see half an operation and nothing they write can be lost by a
    // rollback; rollback() undoes exactly the writes made under the hold (items, positions and
    // the id sequence). The holding thread keeps using the table's actions as usual (the lock
    // is recursive); every other thread waits.
    class Hold final {
      public:
        explicit Hold(Table& t);
        ~Hold();
        Hold(const Hold&) = delete;
        Hold& operator=(const Hold&) = delete;
        void rollback();

      private:
        Table& table_;
        std::unique_lock<std::recursive_mutex> lock_;
        int64_t sequence_;
        std::vector<UndoStep> undo_;
    };

  private:
    std::string nextId();  // under mu_
    ActionResult error(int status, const char* code, const std::string& message,
                       const std::string& id) const;
    void reindex();  // under mu_
    // Checks an item about to be stored; a strict failure is returned as a 400 result.
    std::optional<ActionResult> check(const Json& item, bool creating) const;
    // Position of the item with this id (and parent), or nullopt. Under mu_.
    std::optional<size_t> locate(const std::string& id,
                                 const std::optional<std::string>& parent) const;

    void logUndo(UndoStep step) {  // under mu_
        if (undo_) undo_->push_back(std::move(step));
    }

    TableDef def_;
    // Recursive so that an atomic operation can hold the table across its steps (see Hold).
    mutable std::recursive_mutex mu_;
    std::vector<Json> items_;                          // insertion order
    std::unordered_map<std::string, size_t> index_;    // id text -> position
    std::unordered_map<std::string, Json> preserved_;  // soft-deleted items by id text
    int64_t nextSequence_ = 1;
    std::vector<UndoStep>* undo_ = nullptr;  // set while a Hold records writes
};

// The text an id compares by: strings as written, numbers in JSON form ("1" and 1 match).
std::string idText(const Json& id);

// Converts an application/x-www-form-urlencoded body to JSON as mockd does (a[b]=1 -> object,
// a[0]=x -> array, true/false -> booleans, numbers coerced, "+..." kept as strings).
Json formToJson(std::string_view body);

struct Operation;

class TableStore final {
  public:
    // Custom operations live beside the tables they work on.
    std::shared_ptr<const Operation> findOperation(const std::string& name) const;
    void putOperation(std::shared_ptr<const Operation> op);
    bool removeOperation(const std::string& name);
    std::vector<std::shared_ptr<const Operation>> operations() const;
    std::shared_ptr<Table> find(const std::string& name) const;
    // Adds or replaces a table (new items from its seeds). Returns the table.
    std::shared_ptr<Table> put(TableDef def);
    bool remove(const std::string& name);
    std::vector<std::shared_ptr<Table>> all() const;
    void replaceAll(std::vector<TableDef> defs);

  private:
    mutable std::mutex mu_;
    std::map<std::string, std::shared_ptr<Table>> tables_;
    std::map<std::string, std::shared_ptr<const Operation>> operations_;
};

}  // namespace mockd::state
