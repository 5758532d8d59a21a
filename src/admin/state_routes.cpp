// /state and /reset: tables (stateful resources), their items and custom operations.
#include "admin/admin_call.h"
#include "core/match_input.h"
#include "state/operations.h"

namespace mockd::admin {

namespace {

Json tableInfo(const state::Table& t) {
    return Json{{"name", t.def().name},
                {"itemCount", t.size()},
                {"seedCount", t.def().seedData.size()},
                {"idField", t.def().idField},
                {"idStrategy", t.def().idStrategy},
                {"parentField", t.def().parentField}};
}

// A table action's result in mockd's shape for that action.
void sendResult(const Reply& r, const state::Table& t, const state::ActionResult& res,
                std::string_view action) {
    auto [status, text] = state::render(res, t.def(), Json::object(), action);
    if (text.empty())
        r.noContent();
    else
        r.text(status, "application/json", text);
}

}  // namespace

// Without tables (a server that has none), /state and /reset are not routes at all.
bool AdminApi::tablesOn(Call& c) {
    if (settings_.tables) return true;
    c.r.noRoute(c.req);
    return false;
}

void AdminApi::resetTables(Call& c) {
    auto all = settings_.tables->all();
    for (auto& t : all) t->reset();
    c.r.json(200, {{"status", "reset"}, {"tables", all.size()}});
}

void AdminApi::resetTable(Call& c) {
    const std::string name = c.param("name");
    auto t = settings_.tables->find(name);
    if (!t) {
        c.r.error(404, "not_found", "no table named \"" + name + "\"");
        return;
    }
    size_t n = t->reset();
    c.r.json(200, {{"status", "reset"}, {"table", name}, {"itemCount", n}});
}

void AdminApi::listState(Call& c) {
    Json list = Json::array(), names = Json::array();
    size_t items = 0;
    for (const auto& t : settings_.tables->all()) {
        list.push_back(tableInfo(*t));
        names.push_back(t->def().name);
        items += t->size();
    }
    const size_t total = list.size();
    c.r.json(200, {{"resources", std::move(list)},
                   {"total", total},
                   {"totalItems", items},
                   {"resourceList", std::move(names)}});
}

void AdminApi::listOperations(Call& c) {
    Json list = Json::array();
    for (const auto& op : settings_.tables->operations())
        list.push_back({{"name", op->name},
                        {"stepCount", op->steps.size()},
                        {"consistency", op->atomic ? "atomic" : "best_effort"}});
    const size_t count = list.size();
    c.r.json(200, {{"operations", std::move(list)}, {"count", count}});
}

void AdminApi::putOperation(Call& c) {
    state::TableStore& tables = *settings_.tables;
    auto body = parseBody(c.req, c.r);
    if (!body) return;
    try {
        auto op = state::decodeOperation(*body, "operation");
        for (size_t k = 0; k < op.steps.size(); ++k)
            if (!op.steps[k].resource.empty() && !tables.find(op.steps[k].resource))
                throw core::FieldError("operation.steps[" + std::to_string(k) + "].resource",
                                       "no table named \"" + op.steps[k].resource + "\"");
        const bool existed = tables.findOperation(op.name) != nullptr;
        const std::string name = op.name;
        const size_t steps = op.steps.size();
        tables.putOperation(std::make_shared<const state::Operation>(std::move(op)));
        changed({.operations = {name}});
        c.r.json(
            existed ? 200 : 201,
            {{"name", name}, {"stepCount", steps}, {"action", existed ? "updated" : "created"}});
    } catch (const core::FieldError& e) {
        c.r.invalid(e, "operation.");
    }
}

bool AdminApi::operationExists(Call& c) {
    const std::string name = c.param("name");
    if (settings_.tables->findOperation(name)) return true;
    c.r.error(404, "not_found", "no custom operation named \"" + name + "\"");
    return false;
}

void AdminApi::getOperation(Call& c) {
    auto op = settings_.tables->findOperation(c.param("name"));
    if (!op) {
        operationExists(c);  // answers the 404
        return;
    }
    c.r.json(200, op->raw);
}

void AdminApi::deleteOperation(Call& c) {
    const std::string name = c.param("name");
    settings_.tables->removeOperation(name);
    changed({.operations = {name}});
    c.r.noContent();
}

void AdminApi::executeOperation(Call& c) {
    auto op = settings_.tables->findOperation(c.param("name"));
    if (!op) {
        operationExists(c);  // answers the 404
        return;
    }
    Json input = Json::object();
    if (!c.req.body.empty()) {
        auto body = parseBody(c.req, c.r);
        if (!body) return;
        input = std::move(*body);
    }
    auto result = state::runOperation(*op, input, *settings_.tables);
    c.r.json(result.status, result.body);
}

void AdminApi::listTables(Call& c) {
    Json list = Json::array();
    for (const auto& t : settings_.tables->all()) list.push_back(tableInfo(*t));
    const size_t total = list.size();
    c.r.json(200, {{"resources", std::move(list)}, {"total", total}});
}

void AdminApi::createTable(Call& c) {
    auto body = parseBody(c.req, c.r);
    if (!body) return;
    try {
        auto def = state::decodeTable(*body, "table");
        if (settings_.tables->find(def.name)) {
            c.r.error(409, "duplicate_id", "a table named \"" + def.name + "\" exists");
            return;
        }
        auto t = settings_.tables->put(std::move(def));
        changed({.tables = {t->def().name}});
        c.r.json(201, tableInfo(*t));
    } catch (const core::FieldError& e) {
        c.r.invalid(e, "table.");
    }
}

bool AdminApi::tableExists(Call& c) {
    const std::string name = c.param("name");
    if (settings_.tables->find(name)) return true;
    c.r.error(404, "not_found", "no table named \"" + name + "\"");
    return false;
}

void AdminApi::getTable(Call& c) {
    auto t = settings_.tables->find(c.param("name"));
    if (!t) {
        tableExists(c);  // answers the 404
        return;
    }
    c.r.json(200, tableInfo(*t));
}

void AdminApi::clearTable(Call& c) {
    const std::string name = c.param("name");
    auto t = settings_.tables->find(name);
    if (!t) {
        tableExists(c);  // answers the 404
        return;
    }
    size_t n = t->clear();
    c.r.json(200, {{"status", "cleared"}, {"table", name}, {"cleared", n}});
}

void AdminApi::unregisterTable(Call& c) {
    const std::string name = c.param("name");
    settings_.tables->remove(name);
    changed({.tables = {name}});
    c.r.json(200, {{"status", "unregistered"}, {"table", name}});
}

void AdminApi::listItems(Call& c) {
    auto t = settings_.tables->find(c.param("name"));
    if (!t) {
        tableExists(c);  // answers the 404
        return;
    }
    std::vector<std::pair<std::string, std::string>> q;
    core::parseQuery(c.req.rawQuery, q);
    return sendResult(c.r, *t, t->list(q, std::nullopt), "list");
}

void AdminApi::createItem(Call& c) {
    auto t = settings_.tables->find(c.param("name"));
    if (!t) {
        tableExists(c);  // answers the 404
        return;
    }
    auto body = parseBody(c.req, c.r);
    if (!body) return;
    return sendResult(c.r, *t, t->create(std::move(*body), std::nullopt), "create");
}

void AdminApi::itemAction(Call& c) {
    auto t = settings_.tables->find(c.param("name"));
    if (!t) {
        tableExists(c);  // answers the 404
        return;
    }
    const std::string id = c.param("id");
    if (c.method == "GET") return sendResult(c.r, *t, t->get(id), "get");
    if (c.method == "DELETE") return sendResult(c.r, *t, t->remove(id), "delete");
    auto body = parseBody(c.req, c.r);
    if (!body) return;
    if (c.method == "PUT") return sendResult(c.r, *t, t->update(id, std::move(*body)), "update");
    return sendResult(c.r, *t, t->patch(id, *body), "patch");
}

}  // namespace mockd::admin
