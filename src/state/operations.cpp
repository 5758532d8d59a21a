// Custom operation decoding and execution.
#include "state/operations.h"

#include <map>
#include <memory>
#include <set>

#include "core/errors.h"
#include "core/json_fields.h"
#include "core/json_text.h"

namespace mockd::state {

namespace {

Expr compileField(const Json& j, const std::string& where) {
    std::string src =
        j.is_string() ? j.get<std::string>() : core::jsonText(j);  // numbers, booleans as written
    try {
        return Expr::compile(src);
    } catch (const ExprError& e) {
        throw core::FieldError(where, e.what());
    }
}

std::vector<std::pair<std::string, Expr>> compileMap(const Json& j, const std::string& where) {
    std::vector<std::pair<std::string, Expr>> out;
    if (j.is_null()) return out;
    if (!j.is_object()) throw core::FieldError(where, "must be an object of field -> expression");
    for (auto it = j.begin(); it != j.end(); ++it)
        out.emplace_back(it.key(), compileField(it.value(), where + "." + it.key()));
    return out;
}

struct Failure {
    int status;
    std::string message;
};

}  // namespace

Operation decodeOperation(const Json& j, const std::string& where) {
    if (!j.is_object()) throw core::FieldError(where, "an operation must be an object with a name");
    Operation op;
    op.raw = j;
    op.name = core::stringField(j, "name", where);
    if (op.name.empty()) throw core::FieldError(where + ".name", "is required");
    std::string consistency = core::stringField(j, "consistency", where, "best_effort");
    if (consistency != "best_effort" && consistency != "atomic")
        throw core::FieldError(where + ".consistency", "must be best_effort or atomic");
    op.atomic = consistency == "atomic";
    const Json steps = j.contains("steps") ? j["steps"] : Json::array();
    if (!steps.is_array()) throw core::FieldError(where + ".steps", "must be a list");
    static const std::set<std::string> kTypes = {"read", "create", "update",  "delete",
                                                 "set",  "list",   "validate"};
    for (size_t i = 0; i < steps.size(); ++i) {
        const std::string w = where + ".steps[" + std::to_string(i) + "]";
        const Json& s = steps[i];
        if (!s.is_object()) throw core::FieldError(w, "must be an object");
        OperationStep step;
        step.type = core::stringField(s, "type", w);
        const Json* body = &s;
        if (step.type.empty()) {  // the {read: {...}} form
            for (const auto& t : kTypes)
                if (s.contains(t)) {
                    step.type = t;
                    body = &s[t];
                }
        }
        if (!kTypes.count(step.type))
            throw core::FieldError(w + ".type",
                                   "must be read, create, update, delete, set, list or validate");
        const Json& b = *body;
        if (!b.is_object()) throw core::FieldError(w + "." + step.type, "must be an object");
        step.resource = core::stringField(b, "resource", w);
        step.as = core::stringField(b, "as", w);
        if ((step.type == "read" || step.type == "create" || step.type == "update" ||
             step.type == "delete" || step.type == "list") &&
            step.resource.empty())
            throw core::FieldError(w + ".resource", "is required");
        // A read, update or delete without `id` is accepted, as mockd accepts it, and fails
        // when it runs.
        if (auto it = b.find("id"); it != b.end()) step.id = compileField(*it, w + ".id");
        step.set = compileMap(b.contains("set") ? b["set"] : Json(), w + ".set");
        step.filter = compileMap(b.contains("filter") ? b["filter"] : Json(), w + ".filter");
        if (step.type == "set") {
            step.var = core::stringField(b, "var", w);
            if (step.var.empty()) throw core::FieldError(w + ".var", "is required");
            if (!b.contains("value")) throw core::FieldError(w + ".value", "is required");
            step.value = compileField(b["value"], w + ".value");
        }
        if (step.type == "validate") {
            if (!b.contains("condition")) throw core::FieldError(w + ".condition", "is required");
            step.condition = compileField(b["condition"], w + ".condition");
            step.errorMessage = core::stringField(b, "errorMessage", w, "validation failed");
            step.errorStatus = static_cast<int>(core::intField(b, "errorStatus", w, 400, 100, 599));
        }
        op.steps.push_back(std::move(step));
    }
    op.response = compileMap(j.contains("response") ? j["response"] : Json(), where + ".response");
    return op;
}

OperationResult runOperation(const Operation& op, const Json& input, TableStore& tables) {
    Json env = Json::object();
    env["input"] = input.is_null() ? Json::object() : input;
    // Every step of a run works on the table objects found here, even if the admin API
    // replaces a table meanwhile.
    std::map<std::string, std::shared_ptr<Table>> used;
    for (const auto& s : op.steps)
        if (!s.resource.empty() && !used.count(s.resource))
            used[s.resource] = tables.find(s.resource);
    // Atomic: hold every table the operation names for the whole run, in name order so that two
    // operations never deadlock. Other connections wait rather than interleave, so a rollback
    // undoes exactly this run's writes and never loses an item someone else created.
    std::vector<std::unique_ptr<Table::Hold>> holds;
    if (op.atomic)
        for (auto& [name, t] : used)
            if (t) holds.push_back(std::make_unique<Table::Hold>(*t));
    auto tableFor = [&](const std::string& name) -> std::shared_ptr<Table> {
        auto t = used[name];
        if (!t) throw Failure{404, "no table named \"" + name + "\""};
        return t;
    };
    auto check = [](const ActionResult& r) {
        if (!r.errorCode.empty()) throw Failure{r.status, r.message};
        return r.body;
    };
    auto failed = [&](int status, const std::string& message) -> OperationResult {
        for (auto it = holds.rbegin(); it != holds.rend(); ++it) (*it)->rollback();
        return {status,
                {{"error", message},
                 {"operation", op.name},
                 {"statusCode", status},
                 {"rolledBack", op.atomic}}};
    };
    try {
        for (const auto& s : op.steps) {
            if ((s.type == "read" || s.type == "update" || s.type == "delete") && s.id.empty())
                throw Failure{400, s.type + " step requires id expression"};
            if (s.type == "set") {
                env[s.var] = s.value.eval(env);
            } else if (s.type == "validate") {
                if (!truthy(s.condition.eval(env))) throw Failure{s.errorStatus, s.errorMessage};
            } else if (s.type == "read") {
                Json item = check(tableFor(s.resource)->get(idText(s.id.eval(env))));
                if (!s.as.empty()) env[s.as] = std::move(item);
            } else if (s.type == "create" || s.type == "update") {
                Json fields = Json::object();
                for (const auto& [k, e] : s.set) fields[k] = e.eval(env);
                auto t = tableFor(s.resource);
                Json item = s.type == "create" ? check(t->create(std::move(fields), std::nullopt))
                                               : check(t->patch(idText(s.id.eval(env)), fields));
                if (!s.as.empty()) env[s.as] = std::move(item);
            } else if (s.type == "delete") {
                check(tableFor(s.resource)->remove(idText(s.id.eval(env))));
            } else if (s.type == "list") {
                std::vector<std::pair<std::string, std::string>> filters;
                for (const auto& [k, e] : s.filter) filters.emplace_back(k, idText(e.eval(env)));
                Json all = Json::array();
                for (const auto& item : tableFor(s.resource)->items()) {
                    bool ok = true;
                    for (const auto& [k, v] : filters)
                        ok = ok && item.contains(k) && idText(item[k]) == v;
                    if (ok) all.push_back(item);
                }
                if (!s.as.empty()) env[s.as] = std::move(all);
            }
        }
        Json body = Json::object();
        if (op.response.empty()) {
            body = env;
            body.erase("input");
        } else {
            for (const auto& [k, e] : op.response) body[k] = e.eval(env);
        }
        return {200, body};
    } catch (const Failure& f) {
        return failed(f.status, f.message);
    } catch (const ExprError& e) {
        return failed(400, std::string("expression failed: ") + e.what());
    } catch (const std::exception& e) {
        return failed(500, std::string("operation failed: ") + e.what());
    }
}

}  // namespace mockd::state
