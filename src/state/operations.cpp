// Custom operation decoding and execution.
#include "state/operations.h"

#include <map>
#include <set>

#include "core/errors.h"

namespace mockd::state {

namespace {

Expr compileField(const Json& j, const std::string& where) {
    std::string src =
        j.is_string() ? j.get<std::string>() : j.dump();  // numbers, booleans as written
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
    op.name = j.value("name", "");
    if (op.name.empty()) throw core::FieldError(where + ".name", "is required");
    std::string consistency = j.value("consistency", "best_effort");
    if (consistency != "best_effort" && consistency != "atomic")
        throw core::FieldError(where + ".consistency", "must be best_effort or atomic");
    op.atomic = consistency == "atomic";
    const Json steps = j.value("steps", Json::array());
    if (!steps.is_array()) throw core::FieldError(where + ".steps", "must be a list");
    static const std::set<std::string> kTypes = {"read", "create", "update",  "delete",
                                                 "set",  "list",   "validate"};
    for (size_t i = 0; i < steps.size(); ++i) {
        const std::string w = where + ".steps[" + std::to_string(i) + "]";
        const Json& s = steps[i];
        if (!s.is_object()) throw core::FieldError(w, "must be an object");
        OperationStep step;
        step.type = s.value("type", "");
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
        step.resource = b.value("resource", "");
        step.as = b.value("as", "");
        if ((step.type == "read" || step.type == "create" || step.type == "update" ||
             step.type == "delete" || step.type == "list") &&
            step.resource.empty())
            throw core::FieldError(w + ".resource", "is required");
        if (auto it = b.find("id"); it != b.end()) step.id = compileField(*it, w + ".id");
        if ((step.type == "read" || step.type == "update" || step.type == "delete") &&
            step.id.empty())
            throw core::FieldError(w + ".id", "is required");
        step.set = compileMap(b.value("set", Json()), w + ".set");
        step.filter = compileMap(b.value("filter", Json()), w + ".filter");
        if (step.type == "set") {
            step.var = b.value("var", "");
            if (step.var.empty()) throw core::FieldError(w + ".var", "is required");
            if (!b.contains("value")) throw core::FieldError(w + ".value", "is required");
            step.value = compileField(b["value"], w + ".value");
        }
        if (step.type == "validate") {
            if (!b.contains("condition")) throw core::FieldError(w + ".condition", "is required");
            step.condition = compileField(b["condition"], w + ".condition");
            step.errorMessage = b.value("errorMessage", "validation failed");
            step.errorStatus = b.value("errorStatus", 400);
        }
        op.steps.push_back(std::move(step));
    }
    op.response = compileMap(j.value("response", Json()), where + ".response");
    return op;
}

OperationResult runOperation(const Operation& op, const Json& input, TableStore& tables) {
    Json env = Json::object();
    env["input"] = input.is_null() ? Json::object() : input;
    // Atomic: remember every touched table's items to put them back on failure.
    std::map<std::string, std::pair<std::shared_ptr<Table>, std::vector<Json>>> saved;
    auto tableFor = [&](const std::string& name) -> std::shared_ptr<Table> {
        auto t = tables.find(name);
        if (!t) throw Failure{404, "no table named \"" + name + "\""};
        if (op.atomic && !saved.count(name)) saved[name] = {t, t->items()};
        return t;
    };
    auto check = [](const ActionResult& r) {
        if (!r.errorCode.empty()) throw Failure{r.status, r.message};
        return r.body;
    };
    try {
        for (const auto& s : op.steps) {
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
        for (auto& [name, saved_] : saved) saved_.first->restore(std::move(saved_.second));
        return {f.status,
                {{"error", f.message},
                 {"operation", op.name},
                 {"statusCode", f.status},
                 {"rolledBack", op.atomic}}};
    } catch (const ExprError& e) {
        for (auto& [name, saved_] : saved) saved_.first->restore(std::move(saved_.second));
        return {400,
                {{"error", std::string("expression failed: ") + e.what()},
                 {"operation", op.name},
                 {"statusCode", 400},
                 {"rolledBack", op.atomic}}};
    }
}

}  // namespace mockd::state
