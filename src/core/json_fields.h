// Reading optional fields of a JSON object without nlohmann's type_error: strictly (a field of the
// wrong type is a FieldError naming it, for what users write) or tolerantly (the default, for
// settings read again while answering requests).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/errors.h"

namespace mockd::core {

// The field's value when it has T's JSON type, else `dflt`.
template <class T>
T valueOr(const nlohmann::json& obj, const char* key, T dflt) {
    if (!obj.is_object()) return dflt;
    auto it = obj.find(key);
    if (it == obj.end()) return dflt;
    if constexpr (std::is_same_v<T, bool>) {
        return it->is_boolean() ? it->get<bool>() : dflt;
    } else if constexpr (std::is_arithmetic_v<T>) {
        return it->is_number() ? it->get<T>() : dflt;
    } else {
        return it->is_string() ? it->get<std::string>() : dflt;
    }
}

inline std::string stringField(const nlohmann::json& obj, const char* key, const std::string& where,
                               std::string dflt = {}) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return dflt;
    if (!it->is_string()) throw FieldError(where + "." + key, "must be a string");
    return it->get<std::string>();
}

inline bool boolField(const nlohmann::json& obj, const char* key, const std::string& where,
                      bool dflt) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return dflt;
    if (!it->is_boolean()) throw FieldError(where + "." + key, "must be true or false");
    return it->get<bool>();
}

inline int64_t intField(const nlohmann::json& obj, const char* key, const std::string& where,
                        int64_t dflt, int64_t lo, int64_t hi) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return dflt;
    if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi)
        throw FieldError(where + "." + key, "must be a whole number from " + std::to_string(lo) +
                                                " to " + std::to_string(hi));
    return it->get<int64_t>();
}

}  // namespace mockd::core
