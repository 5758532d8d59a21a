// Table actions with mockd's semantics (ids by text, seeds as written, {data, meta} lists).
#include "state/table.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>
#include <set>

#include "core/clock.h"
#include "core/errors.h"
#include "core/json_fields.h"
#include "core/json_text.h"
#include "core/match_input.h"
#include "log/log.h"
#include "state/operations.h"

namespace mockd::state {

namespace {

std::mt19937_64& rng() {
    thread_local std::mt19937_64 r{std::random_device{}()};
    return r;
}

std::string hex(uint64_t v, int digits) {
    static const char* kHex = "0123456789abcdef";
    std::string s(static_cast<size_t>(digits), '0');
    for (int i = digits - 1; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = kHex[v & 15];
    return s;
}

std::string uuidV4() {
    uint64_t a = rng()(), b = rng()();
    a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
    b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
    std::string h = hex(a, 16) + hex(b, 16);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20);
}

std::string ulid() {
    static const char* kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
    std::string out(26, '0');
    for (int i = 9; i >= 0; --i, ms >>= 5) out[static_cast<size_t>(i)] = kCrockford[ms & 31];
    for (int i = 10; i < 26; ++i) out[static_cast<size_t>(i)] = kCrockford[rng()() & 31];
    return out;
}

std::string nowIso() { return core::isoNow(3); }

const std::set<std::string, std::less<>> kReserved = {
    "limit",      "offset",    "page",       "per_page",    "starting_after",  "ending_before",
    "cursor",     "page_size", "page_token", "sort",        "order",           "sort_by",
    "order_by",   "expand",    "expand[]",   "fields",      "include",         "exclude",
    "select",     "format",    "pretty",     "api_version", "idempotency_key", "request_id",
    "_mockd_seed"};

// "metadata[tier]" -> {"metadata", "tier"}
std::vector<std::string> fieldPath(const std::string& key) {
    std::vector<std::string> out;
    size_t open = key.find('[');
    out.push_back(key.substr(0, open));
    while (open != std::string::npos) {
        size_t close = key.find(']', open);
        if (close == std::string::npos) break;
        out.push_back(key.substr(open + 1, close - open - 1));
        open = key.find('[', close);
    }
    return out;
}

const Json* lookup(const Json& item, const std::vector<std::string>& path) {
    const Json* cur = &item;
    for (const auto& p : path) {
        if (cur->is_object()) {
            auto it = cur->find(p);
            if (it == cur->end()) return nullptr;
            cur = &*it;
        } else if (cur->is_array() && !p.empty() &&
                   p.find_first_not_of("0123456789") == std::string::npos) {
            size_t i = std::stoul(p);
            if (i >= cur->size()) return nullptr;
            cur = &(*cur)[i];
        } else {
            return nullptr;
        }
    }
    return cur;
}

Json coerce(const std::string& v) {
    if (v == "true") return true;
    if (v == "false") return false;
    if (v == "inf" || v == "-inf" || v == "+inf") return nullptr;
    if (v.empty() || v[0] == '+') return v;
    // Zip codes, phone numbers and padded ids ("0123", "007", "-01") are text, not numbers; a
    // lone zero and "0.5" are numbers. Checked before both numeric branches.
    const size_t lead = v[0] == '-' ? 1 : 0;
    if (v.size() > lead + 1 && v[lead] == '0' &&
        std::isdigit(static_cast<unsigned char>(v[lead + 1])))
        return v;
    char* end = nullptr;
    errno = 0;
    long long i = std::strtoll(v.c_str(), &end, 10);
    if (errno == 0 && *end == '\0') return i;
    if (v.find_first_not_of("0123456789.-eE") == std::string::npos) {
        double d = std::strtod(v.c_str(), &end);
        if (*end == '\0' && v.find_first_of("0123456789") != std::string::npos) return d;
    }
    return v;
}

}  // namespace

std::string idText(const Json& id) {
    if (id.is_string()) return id.get<std::string>();
    if (id.is_null()) return {};
    return core::jsonText(id);
}

Json formToJson(std::string_view body) {
    std::vector<std::pair<std::string, std::string>> pairs;
    core::parseQuery(body, pairs);
    Json out = Json::object();
    for (const auto& [key, value] : pairs) {
        auto path = fieldPath(key);
        Json* cur = &out;
        for (size_t i = 0; i < path.size(); ++i) {
            const std::string& p = path[i];
            bool last = i + 1 == path.size();
            bool index = !p.empty() && p.find_first_not_of("0123456789") == std::string::npos;
            if (cur->is_null()) *cur = (index || p.empty()) ? Json::array() : Json::object();
            if (cur->is_array()) {
                if (p.empty()) {
                    cur->push_back(last ? coerce(value) : Json());
                    cur = &cur->back();
                    continue;
                }
                if (!index) break;
                size_t n = std::stoul(p);
                if (n > 10000) break;  // a hostile index must not allocate without bound
                while (cur->size() <= n) cur->push_back(nullptr);
                cur = &(*cur)[n];
            } else if (cur->is_object()) {
                cur = &(*cur)[p];
            } else {
                break;
            }
            if (last) *cur = coerce(value);
        }
    }
    return out;
}

TableDef decodeTable(const Json& j, const std::string& where) {
    if (!j.is_object()) throw core::FieldError(where, "a table must be an object with a name");
    TableDef d;
    d.raw = j;
    auto str = [&](const char* k, std::string& out) {
        auto it = j.find(k);
        if (it == j.end() || it->is_null()) return;
        if (!it->is_string()) throw core::FieldError(where + "." + k, "must be a string");
        out = it->get<std::string>();
    };
    str("name", d.name);
    if (d.name.empty()) throw core::FieldError(where + ".name", "is required");
    str("idField", d.idField);
    if (d.idField.empty()) d.idField = "id";
    str("idStrategy", d.idStrategy);
    if (d.idStrategy.empty()) d.idStrategy = "uuid";
    static const std::set<std::string> kStrategies = {"uuid", "prefix", "ulid", "sequence",
                                                      "short"};
    if (!kStrategies.count(d.idStrategy))
        throw core::FieldError(
            where + ".idStrategy",
            "unknown id strategy \"" + d.idStrategy + "\" (uuid, prefix, ulid, sequence or short)");
    str("idPrefix", d.idPrefix);
    str("parentField", d.parentField);
    if (auto it = j.find("maxItems"); it != j.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<int64_t>() < 0)
            throw core::FieldError(where + ".maxItems", "must be a whole number >= 0");
        d.maxItems = it->get<size_t>();
    }
    if (auto it = j.find("seedData"); it != j.end() && !it->is_null()) {
        if (!it->is_array()) throw core::FieldError(where + ".seedData", "must be a list of items");
        std::set<std::string> seen;
        for (size_t i = 0; i < it->size(); ++i) {
            const Json& item = (*it)[i];
            std::string f = where + ".seedData[" + std::to_string(i) + "]";
            if (!item.is_object()) throw core::FieldError(f, "a seed item must be an object");
            if (auto id = item.find(d.idField); id != item.end() && !id->is_null()) {
                if (!seen.insert(idText(*id)).second)
                    throw core::FieldError(f + "." + d.idField, "duplicate id " + id->dump());
            }
            d.seedData.push_back(item);
        }
    }
    if (auto it = j.find("response"); it != j.end() && it->is_object()) d.response = *it;
    if (auto it = j.find("validation"); it != j.end() && !it->is_null())
        d.validation = std::make_shared<const Validation>(
            decodeValidation(*it, d.seedData, d.idField, where + ".validation"));
    return d;
}

Table::Table(TableDef def) : def_(std::move(def)) { reset(); }

size_t Table::size() const {
    std::lock_guard lock(mu_);
    return items_.size();
}

void Table::reindex() {
    index_.clear();
    for (size_t i = 0; i < items_.size(); ++i)
        if (auto it = items_[i].find(def_.idField); it != items_[i].end()) index_[idText(*it)] = i;
}

size_t Table::reset() {
    std::lock_guard lock(mu_);
    items_ = def_.seedData;
    preserved_.clear();
    reindex();
    int64_t maxSeq = 0;
    for (const auto& item : items_) {
        auto it = item.find(def_.idField);
        if (it == item.end()) continue;
        if (it->is_number_integer())
            maxSeq = std::max(maxSeq, it->get<int64_t>());
        else if (it->is_string()) {
            const auto& s = it->get_ref<const std::string&>();
            if (!s.empty() && s.size() < 18 &&
                s.find_first_not_of("0123456789") == std::string::npos)
                maxSeq = std::max(maxSeq, static_cast<int64_t>(std::stoll(s)));
        }
    }
    nextSequence_ = maxSeq + 1;
    return items_.size();
}

size_t Table::clear() {
    std::lock_guard lock(mu_);
    size_t n = items_.size();
    items_.clear();
    index_.clear();
    preserved_.clear();
    nextSequence_ = 1;
    return n;
}

Table::Hold::Hold(Table& t) : table_(t), lock_(t.mu_), sequence_(t.nextSequence_) {
    table_.undo_ = &undo_;
}

Table::Hold::~Hold() { table_.undo_ = nullptr; }

void Table::Hold::rollback() {
    Table& t = table_;
    t.undo_ = nullptr;  // undoing is not itself recorded
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
        switch (it->kind) {
            case UndoStep::Kind::Inserted:
                if (auto pos = t.index_.find(it->id); pos != t.index_.end())
                    t.items_.erase(t.items_.begin() + static_cast<std::ptrdiff_t>(pos->second));
                break;
            case UndoStep::Kind::Replaced:
                t.items_[it->pos] = std::move(it->item);
                break;
            case UndoStep::Kind::Erased:
                t.items_.insert(t.items_.begin() + static_cast<std::ptrdiff_t>(it->pos),
                                std::move(it->item));
                break;
            case UndoStep::Kind::Preserved:
                if (auto p = t.preserved_.find(it->id); p != t.preserved_.end()) {
                    t.items_.insert(t.items_.begin() + static_cast<std::ptrdiff_t>(it->pos),
                                    std::move(p->second));
                    t.preserved_.erase(p);
                }
                break;
        }
        t.reindex();
    }
    undo_.clear();
    t.nextSequence_ = sequence_;
    t.undo_ = &undo_;
}

std::vector<Json> Table::items() const {
    std::lock_guard lock(mu_);
    return items_;
}

std::string Table::nextId() {
    const auto& s = def_.idStrategy;
    if (s == "prefix") return def_.idPrefix + hex(rng()(), 16);
    if (s == "ulid") return ulid();
    if (s == "short") return hex(rng()(), 16);
    if (s == "sequence") return std::to_string(nextSequence_++);
    return uuidV4();
}

ActionResult Table::error(int status, const char* code, const std::string& message,
                          const std::string& id) const {
    ActionResult r;
    r.status = status;
    r.errorCode = code;
    r.message = message;
    r.id = id;
    return r;
}

ActionResult Table::list(const Query& query, const std::optional<std::string>& parent) const {
    std::string sortField = "createdAt";
    bool desc = true;
    size_t limit = 100, offset = 0;
    std::optional<std::string> after, before;
    std::vector<std::pair<std::vector<std::string>, std::string>> filters;
    for (const auto& [k, v] : query) {
        if (k == "sort" || k == "sort_by")
            sortField = v;
        else if (k == "order" || k == "order_by")
            desc = v != "asc";
        else if (k == "limit" || k == "per_page" || k == "page_size") {
            if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos)
                return error(400, "VALIDATION_ERROR", "limit must be a whole number", {});
            limit = std::stoul(v);
        } else if (k == "offset") {
            if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos)
                return error(400, "VALIDATION_ERROR", "offset must be a whole number", {});
            offset = std::stoul(v);
        } else if (k == "starting_after")
            after = v;
        else if (k == "ending_before")
            before = v;
        else if (!kReserved.count(k))
            filters.emplace_back(fieldPath(k), v);
    }
    std::vector<const Json*> rows;
    std::lock_guard lock(mu_);
    for (const auto& item : items_) {
        bool ok = true;
        if (parent && !def_.parentField.empty()) {
            auto it = item.find(def_.parentField);
            ok = it != item.end() && idText(*it) == *parent;
        }
        for (const auto& [path, want] : filters) {
            if (!ok) break;
            const Json* v = lookup(item, path);
            ok = v && idText(*v) == want;
        }
        if (ok) rows.push_back(&item);
    }
    // Items without the sort field keep their order, after those that have it.
    auto sortPath = fieldPath(sortField);
    // Items without the sort field come after those that have it, in table order; equal values
    // keep creation order (newest first when descending).
    std::stable_sort(rows.begin(), rows.end(), [&](const Json* a, const Json* b) {
        const Json* x = lookup(*a, sortPath);
        const Json* y = lookup(*b, sortPath);
        if (!x || !y) return x && !y;
        if (x->type() != y->type() && !(x->is_number() && y->is_number())) return false;
        if (*x == *y) return desc ? a > b : a < b;  // rows point into items_, in creation order
        return desc ? *y < *x : *x < *y;
    });
    const size_t total = rows.size();
    size_t begin = std::min(offset, total), end = total;
    if (after || before) {
        begin = 0;
        const std::string& cursor = after ? *after : *before;
        size_t pos = total;
        for (size_t i = 0; i < total; ++i)
            if (auto it = rows[i]->find(def_.idField);
                it != rows[i]->end() && idText(*it) == cursor)
                pos = i;
        if (pos == total)
            return error(400, "VALIDATION_ERROR",
                         "cursor " + cursor + " is not an item of this list", cursor);
        if (after) {
            begin = pos + 1;
        } else {
            end = pos;
            begin = end > limit ? end - limit : 0;
        }
    }
    size_t stop = std::min(end, begin + limit);
    Json data = Json::array();
    for (size_t i = begin; i < stop; ++i) data.push_back(*rows[i]);
    const bool hasMore = before ? begin > 0 : stop < end;
    const size_t count = data.size();
    ActionResult r;
    r.body = {{"data", std::move(data)},
              {"meta",
               {{"total", total},
                {"limit", limit},
                {"offset", offset},
                {"count", count},
                {"has_more", hasMore}}}};
    return r;
}

std::optional<ActionResult> Table::check(const Json& item, bool creating) const {
    const Validation* v = def_.validation.get();
    if (!v || v->mode == "permissive" || (creating ? !v->onCreate : !v->onUpdate))
        return std::nullopt;
    auto problems = validateItem(item, *v);
    if (problems.empty()) return std::nullopt;
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
    if (v->mode == "warn") {
        log::warn("table item failed validation (accepted: mode warn)",
                  {{"table", def_.name}, {"problems", all}});
        return std::nullopt;
    }
    return error(400, "VALIDATION_ERROR", "validation failed: " + all, {});
}

std::optional<size_t> Table::locate(const std::string& id,
                                    const std::optional<std::string>& parent) const {
    auto it = index_.find(id);
    if (it == index_.end()) return std::nullopt;
    if (parent && !def_.parentField.empty()) {
        const Json& item = items_[it->second];
        auto p = item.find(def_.parentField);
        if (p == item.end() || idText(*p) != *parent) return std::nullopt;
    }
    return it->second;
}

ActionResult Table::get(const std::string& id, const std::optional<std::string>& parent) const {
    std::lock_guard lock(mu_);
    auto pos = locate(id, parent);
    if (!pos) return error(404, "NOT_FOUND", "resource not found", id);
    ActionResult r;
    r.body = items_[*pos];
    return r;
}

ActionResult Table::create(Json body, const std::optional<std::string>& parent) {
    if (!body.is_object())
        return error(400, "VALIDATION_ERROR", "the request body must be a JSON object", {});
    std::lock_guard lock(mu_);
    if (def_.maxItems && items_.size() >= def_.maxItems)
        return error(507, "CAPACITY_EXCEEDED",
                     "the table is full (maxItems " + std::to_string(def_.maxItems) + ")", {});
    auto idIt = body.find(def_.idField);
    bool generated = false;
    if (idIt != body.end() && !idIt->is_null()) {
        const std::string id = idText(*idIt);
        if (index_.count(id))
            return error(409, "CONFLICT", "an item with this id already exists", id);
        if (preserved_.count(id))
            return error(409, "CONFLICT", "an item with this id was deleted and is preserved", id);
    } else {
        std::string id;
        do id = nextId();
        while (index_.count(id) || preserved_.count(id));
        generated = true;
        if (def_.idStrategy == "sequence")
            body[def_.idField] = std::stoll(id);
        else
            body[def_.idField] = id;
    }
    if (parent && !def_.parentField.empty() && !body.contains(def_.parentField))
        body[def_.parentField] = *parent;
    std::string now = nowIso();
    if (!body.contains("createdAt")) body["createdAt"] = now;
    body["updatedAt"] = now;
    if (auto bad = check(body, true)) {
        if (generated && def_.idStrategy == "sequence") --nextSequence_;  // the number is not used
        return *bad;
    }
    const std::string id = idText(body[def_.idField]);
    index_[id] = items_.size();
    items_.push_back(std::move(body));
    logUndo({UndoStep::Kind::Inserted, 0, id, {}});
    ActionResult r;
    r.status = 201;
    r.body = items_.back();
    return r;
}

ActionResult Table::update(const std::string& id, Json body,
                           const std::optional<std::string>& parent) {
    if (!body.is_object())
        return error(400, "VALIDATION_ERROR", "the request body must be a JSON object", {});
    std::lock_guard lock(mu_);
    auto pos = locate(id, parent);
    if (!pos) return error(404, "NOT_FOUND", "resource not found", id);
    Json& item = items_[*pos];
    body[def_.idField] = item[def_.idField];
    if (auto c = item.find("createdAt"); c != item.end() && !body.contains("createdAt"))
        body["createdAt"] = *c;
    body["updatedAt"] = nowIso();
    if (auto bad = check(body, false)) return *bad;
    logUndo({UndoStep::Kind::Replaced, *pos, {}, std::move(item)});
    item = std::move(body);
    ActionResult r;
    r.body = item;
    return r;
}

ActionResult Table::patch(const std::string& id, const Json& body,
                          const std::optional<std::string>& parent) {
    if (!body.is_object())
        return error(400, "VALIDATION_ERROR", "the request body must be a JSON object", {});
    std::lock_guard lock(mu_);
    auto pos = locate(id, parent);
    if (!pos) return error(404, "NOT_FOUND", "resource not found", id);
    Json& item = items_[*pos];
    Json next = item;
    next.merge_patch(body);
    next[def_.idField] = item[def_.idField];
    next["updatedAt"] = nowIso();
    if (auto bad = check(next, false)) return *bad;
    logUndo({UndoStep::Kind::Replaced, *pos, {}, std::move(item)});
    item = std::move(next);
    ActionResult r;
    r.body = item;
    return r;
}

ActionResult Table::remove(const std::string& id, const std::optional<std::string>& parent) {
    std::lock_guard lock(mu_);
    auto pos = locate(id, parent);
    if (!pos) return error(404, "NOT_FOUND", "resource not found", id);
    ActionResult r;
    r.status = 204;
    r.body = items_[*pos];  // render() may echo it (delete.body)
    logUndo({UndoStep::Kind::Erased, *pos, {}, std::move(items_[*pos])});
    items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(*pos));
    reindex();
    return r;
}

ActionResult Table::softRemove(const std::string& id, const std::optional<std::string>& parent) {
    std::lock_guard lock(mu_);
    auto pos = locate(id, parent);
    if (!pos) return error(404, "NOT_FOUND", "resource not found", id);
    ActionResult r;
    r.status = 204;
    r.body = items_[*pos];
    const std::string key = idText(items_[*pos][def_.idField]);
    preserved_[key] = std::move(items_[*pos]);
    logUndo({UndoStep::Kind::Preserved, *pos, key, {}});
    items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(*pos));
    reindex();
    return r;
}

ActionResult Table::findBy(const std::string& field, const std::string& value) const {
    if (field.empty() || field == def_.idField) return get(value);
    std::lock_guard lock(mu_);
    for (const auto& item : items_)
        if (auto it = item.find(field); it != item.end() && idText(*it) == value) {
            ActionResult r;
            r.body = item;
            return r;
        }
    return error(404, "NOT_FOUND", "resource not found", value);
}

std::shared_ptr<Table> TableStore::find(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = tables_.find(name);
    return it == tables_.end() ? nullptr : it->second;
}

std::shared_ptr<Table> TableStore::put(TableDef def) {
    auto t = std::make_shared<Table>(std::move(def));
    std::lock_guard lock(mu_);
    tables_[t->def().name] = t;
    return t;
}

std::shared_ptr<const Operation> TableStore::findOperation(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = operations_.find(name);
    return it == operations_.end() ? nullptr : it->second;
}

void TableStore::putOperation(std::shared_ptr<const Operation> op) {
    std::lock_guard lock(mu_);
    operations_[op->name] = std::move(op);
}

bool TableStore::removeOperation(const std::string& name) {
    std::lock_guard lock(mu_);
    return operations_.erase(name) > 0;
}

std::vector<std::shared_ptr<const Operation>> TableStore::operations() const {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<const Operation>> out;
    for (const auto& [n, op] : operations_) out.push_back(op);
    return out;
}

bool TableStore::remove(const std::string& name) {
    std::lock_guard lock(mu_);
    return tables_.erase(name) > 0;
}

std::vector<std::shared_ptr<Table>> TableStore::all() const {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<Table>> out;
    for (const auto& [n, t] : tables_) out.push_back(t);
    return out;
}

void TableStore::replaceAll(std::vector<TableDef> defs) {
    std::map<std::string, std::shared_ptr<Table>> next;
    for (auto& d : defs) {
        auto t = std::make_shared<Table>(std::move(d));
        next[t->def().name] = t;
    }
    std::lock_guard lock(mu_);
    tables_ = std::move(next);
}

}  // namespace mockd::state

namespace mockd::state {

namespace {

const Json& sub(const Json& cfg, const char* key) {
    static const Json kNull;
    if (!cfg.is_object()) return kNull;
    auto it = cfg.find(key);
    return it == cfg.end() ? kNull : *it;
}

// A timestamp as timestamps.format needs it: the server writes RFC 3339 UTC with milliseconds;
// seeds may carry any RFC 3339 time (a time without a zone is read as UTC).
struct Instant {
    int64_t epoch = 0;     // seconds
    std::string wall;      // "YYYY-MM-DDTHH:MM:SS" as written (local to `zone`)
    std::string fraction;  // ".123" or empty
    std::string zone;      // "Z" or "+02:00"
};

std::optional<Instant> parseInstant(const Json& v) {
    if (!v.is_string()) return std::nullopt;
    const std::string& s = v.get_ref<const std::string&>();
    auto digits = [&](size_t at, size_t n) {
        if (at + n > s.size()) return -1;
        int out = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
            out = out * 10 + (s[i] - '0');
        }
        return out;
    };
    if (s.size() < 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return std::nullopt;
    const int year = digits(0, 4), month = digits(5, 2), day = digits(8, 2), hour = digits(11, 2),
              minute = digits(14, 2), second = digits(17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
        minute < 0 || minute > 59 || second < 0 || second > 60)
        return std::nullopt;
    Instant out;
    out.wall = s.substr(0, 19);
    out.wall[10] = 'T';
    size_t i = 19;
    if (i < s.size() && s[i] == '.') {
        size_t j = i + 1;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        if (j == i + 1) return std::nullopt;
        out.fraction = s.substr(i, j - i);
        i = j;
    }
    int offset = 0;  // seconds east of UTC
    if (i == s.size() || ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size())) {
        out.zone = "Z";
    } else if ((s[i] == '+' || s[i] == '-') && i + 6 == s.size() && s[i + 3] == ':') {
        const int h = digits(i + 1, 2), m = digits(i + 4, 2);
        if (h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
        offset = (h * 3600 + m * 60) * (s[i] == '-' ? -1 : 1);
        out.zone = offset == 0 ? "Z" : s.substr(i);
    } else {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    out.epoch = static_cast<int64_t>(timegm(&tm)) - offset;
    return out;
}

// Replaces "{{item.field}}" and "{{id}}" in strings of a template value.
Json fillTemplate(const Json& tpl, const Json& item, const std::string& idField) {
    if (tpl.is_string()) {
        std::string s = tpl.get<std::string>();
        // A template that is exactly one placeholder keeps the field's JSON type.
        auto whole = [&](const std::string& key) -> std::optional<Json> {
            if (s == "{{" + key + "}}" || s == "{{ " + key + " }}") {
                const std::string field = key == "id" ? idField : key.substr(5);
                if (item.contains(field)) return item[field];
                return Json(nullptr);
            }
            return std::nullopt;
        };
        if (auto v = whole("id")) return *v;
        if (s.starts_with("{{item.") || s.starts_with("{{ item.")) {
            size_t a = s.find("item.") + 5, b = s.find("}}");
            std::string key = "item." + s.substr(a, b - a);
            while (!key.empty() && key.back() == ' ') key.pop_back();
            if (b + 2 == s.size())
                if (auto v = whole(key)) return *v;
        }
        for (size_t pos; (pos = s.find("{{")) != std::string::npos;) {
            size_t end = s.find("}}", pos);
            if (end == std::string::npos) break;
            std::string key = s.substr(pos + 2, end - pos - 2);
            key.erase(0, key.find_first_not_of(' '));
            key.erase(key.find_last_not_of(' ') + 1);
            std::string field =
                key == "id" ? idField : (key.starts_with("item.") ? key.substr(5) : "");
            std::string value = field.empty() || !item.contains(field) ? "" : idText(item[field]);
            s.replace(pos, end + 2 - pos, value);
        }
        return s;
    }
    if (tpl.is_object()) {
        Json out = Json::object();
        for (auto it = tpl.begin(); it != tpl.end(); ++it)
            out[it.key()] = fillTemplate(it.value(), item, idField);
        return out;
    }
    if (tpl.is_array()) {
        Json out = Json::array();
        for (const auto& v : tpl) out.push_back(fillTemplate(v, item, idField));
        return out;
    }
    return tpl;
}

}  // namespace

Json transformItem(Json item, const Json& cfg, const std::string& idField) {
    if (!item.is_object()) return item;
    const Json& fields = sub(cfg, "fields");
    if (const Json& rename = sub(fields, "rename"); rename.is_object())
        for (auto it = rename.begin(); it != rename.end(); ++it)
            if (it.value().is_string() && item.contains(it.key())) {
                Json v = std::move(item[it.key()]);
                item.erase(it.key());
                item[it.value().get<std::string>()] = std::move(v);
            }
    if (const Json& hide = sub(fields, "hide"); hide.is_array())
        for (const auto& f : hide)
            if (f.is_string()) item.erase(f.get<std::string>());
    if (const Json& wrap = sub(fields, "wrapAsList"); wrap.is_object())
        for (auto it = wrap.begin(); it != wrap.end(); ++it)
            if (item.contains(it.key()) && item[it.key()].is_array()) {
                Json list = {{"object", "list"}, {"data", item[it.key()]}, {"has_more", false}};
                if (const Json& url = sub(it.value(), "url"); url.is_string())
                    list["url"] = fillTemplate(url, item, idField);
                item[it.key()] = std::move(list);
            }
    if (const Json& ts = sub(cfg, "timestamps"); ts.is_object()) {
        // unix: epoch seconds; iso8601: whole seconds ("2026-01-02T03:04:05Z"); rfc3339: with
        // the fraction ("2026-01-02T03:04:05.123Z"); none: left out; no format: as stored.
        // A value that is not a timestamp is passed through, as mockd does.
        const std::string format = core::valueOr<std::string>(ts, "format", "");
        for (const char* f : {"createdAt", "updatedAt"}) {
            if (!item.contains(f)) continue;
            if (format == "none") {
                item.erase(f);
                continue;
            }
            auto t = parseInstant(item[f]);
            if (!t) continue;
            if (format == "unix")
                item[f] = t->epoch;
            else if (format == "iso8601")
                item[f] = t->wall + t->zone;
            else if (format == "rfc3339")
                item[f] = t->wall + t->fraction + t->zone;
        }
        if (const Json& names = sub(ts, "fields"); names.is_object() && format != "none")
            for (auto it = names.begin(); it != names.end(); ++it)
                if (it.value().is_string() && item.contains(it.key())) {
                    Json v = std::move(item[it.key()]);
                    item.erase(it.key());
                    item[it.value().get<std::string>()] = std::move(v);
                }
    }
    if (const Json& inject = sub(fields, "inject"); inject.is_object())
        for (auto it = inject.begin(); it != inject.end(); ++it)
            item[it.key()] = fillTemplate(it.value(), item, idField);
    return item;
}

// Rows and ids come from request bytes (form fields, path segments) that need not be UTF-8: the
// response replaces what is not rather than fail.
std::pair<int, std::string> render(const ActionResult& r, const TableDef& def, const Json& cfg,
                                   std::string_view action) {
    if (!r.errorCode.empty()) {
        Json e = {{"error", r.message}, {"resource", def.name}, {"statusCode", r.status}};
        if (!r.id.empty()) e["id"] = r.id;
        const Json& errors = sub(cfg, "errors");
        if (errors.is_object()) {
            // Shaped errors: field names mapped, type/code from the error kind, extra fields.
            Json shaped = Json::object();
            const Json source = {{"message", r.message},
                                 {"resource", def.name},
                                 {"id", r.id},
                                 {"statusCode", r.status},
                                 {"code", r.errorCode}};
            if (const Json& map = sub(errors, "fields"); map.is_object()) {
                for (auto it = map.begin(); it != map.end(); ++it)
                    if (it.value().is_string() && source.contains(it.key()))
                        shaped[it.value().get<std::string>()] = source[it.key()];
            } else {
                shaped = {{"message", r.message}};
            }
            if (const Json& t = sub(sub(errors, "typeMap"), r.errorCode.c_str()); !t.is_null())
                shaped["type"] = t;
            if (const Json& c = sub(sub(errors, "codeMap"), r.errorCode.c_str()); !c.is_null())
                shaped["code"] = c;
            if (const Json& inj = sub(errors, "inject"); inj.is_object())
                for (auto it = inj.begin(); it != inj.end(); ++it) shaped[it.key()] = it.value();
            if (const Json& wrap = sub(errors, "wrap"); wrap.is_string())
                e = Json{{wrap.get<std::string>(), std::move(shaped)}};
            else
                e = std::move(shaped);
        }
        return {r.status, e.dump(-1, ' ', false, Json::error_handler_t::replace)};
    }
    if (action == "list") {
        Json data = Json::array();
        for (const auto& item : r.body["data"])
            data.push_back(transformItem(item, cfg, def.idField));
        const Json& list = sub(cfg, "list");
        if (list.is_object() && !core::valueOr(list, "envelope", true))
            return {200, data.dump(-1, ' ', false, Json::error_handler_t::replace)};
        const Json& meta = r.body["meta"];
        // Without a list transform: the plain {data, meta} envelope.
        if (!list.is_object())
            return {200, Json{{"data", std::move(data)}, {"meta", meta}}.dump(
                             -1, ' ', false, Json::error_handler_t::replace)};
        // A list transform builds its own envelope, as mockd does: extra fields (a has_more /
        // hasMore there is the computed one), then the items under dataField, then -- unless
        // hideMeta -- total, limit, offset and count merged in at the top level under their
        // metaFields names. There is no nested `meta` object then.
        Json body = Json::object();
        if (const Json& extra = sub(list, "extraFields"); extra.is_object())
            for (auto it = extra.begin(); it != extra.end(); ++it)
                body[it.key()] =
                    it.key() == "has_more" || it.key() == "hasMore" ? meta["has_more"] : it.value();
        const Json& df = sub(list, "dataField");
        body[df.is_string() && !df.get<std::string>().empty() ? df.get<std::string>() : "data"] =
            std::move(data);
        if (!core::valueOr(list, "hideMeta", false)) {
            const Json& names = sub(list, "metaFields");
            for (const char* key : {"total", "limit", "offset", "count"}) {
                const Json& name = sub(names, key);
                body[name.is_string() && !name.get<std::string>().empty() ? name.get<std::string>()
                                                                          : std::string(key)] =
                    meta[key];
            }
        }
        return {200, body.dump(-1, ' ', false, Json::error_handler_t::replace)};
    }
    if (action == "delete") {
        const Json& del = sub(cfg, "delete");
        int status = sub(del, "status").is_number_integer() ? sub(del, "status").get<int>() : 204;
        if (const Json& body = sub(del, "body"); !body.is_null())
            return {status, fillTemplate(body, r.body, def.idField)
                                .dump(-1, ' ', false, Json::error_handler_t::replace)};
        return {status, {}};
    }
    int status = r.status;
    if (action == "create")
        if (const Json& s = sub(sub(cfg, "create"), "status"); s.is_number_integer())
            status = s.get<int>();
    return {status, transformItem(r.body, cfg, def.idField)
                        .dump(-1, ' ', false, Json::error_handler_t::replace)};
}

void Table::expand(Json& item, const std::vector<std::string>& fields,
                   const TableStore& tables) const {
    const Json& rel = def_.raw.contains("relationships") ? def_.raw["relationships"] : Json();
    if (!rel.is_object() || !item.is_object()) return;
    for (const auto& f : fields) {
        auto it = rel.find(f);
        if (it == rel.end() || !item.contains(f)) continue;
        std::string other =
            it->is_string() ? it->get<std::string>() : core::valueOr<std::string>(*it, "table", "");
        // {table, field}: the related item is the one whose `field` holds this value (an
        // email, a sku); without `field` it is looked up by its id.
        std::string by = core::valueOr<std::string>(*it, "field", "");
        auto table = tables.find(other);
        if (!table) continue;
        auto found = table->findBy(by, idText(item[f]));
        if (found.errorCode.empty()) item[f] = found.body;
    }
}

}  // namespace mockd::state
