// Table validation: mockd's field validators (type, required, nullable, lengths, pattern, format,
// ranges, enum, items, nested properties) checked on create and update, in strict, warn or
// permissive mode.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/mock.h"

namespace mockd::state {

using core::Json;

struct Validation {
    std::string mode = "strict";  // strict: 400; warn: log and accept; permissive: accept
    std::vector<std::string> required;
    std::map<std::string, Json> fields;  // dot path -> validator
    bool onCreate = true;
    bool onUpdate = true;
    bool empty() const { return required.empty() && fields.empty(); }
};

// Decodes `validation` of a table; `auto: true` infers types and required fields from the
// seeds, leaving out the id (the table's `idField`, and `id` as mockd does): ids are generated
// on create, so a seed id's type says nothing about a request body. Throws core::FieldError
// for a bad validator (unknown type or format, bad regex).
Validation decodeValidation(const Json& j, const std::vector<Json>& seeds,
                            const std::string& idField, const std::string& where);

// Problems with `item` ("email: must be a valid email"), empty when valid.
std::vector<std::string> validateItem(const Json& item, const Validation& v);

}  // namespace mockd::state
