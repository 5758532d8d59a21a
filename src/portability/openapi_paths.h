// OpenAPI path keys that carry a fragment. The OpenAPI directory's AWS specs tell operations on
// one path apart by a header or query value written after '#': "/#X-Amz-Target=Athena.ListTags"
// (the JSON protocol: POST / with that header), "/api/v1/groups#searchQuery" (the operation
// with that query parameter). A client never sends a fragment: it sends the path before '#' and
// the named values where the operation declares them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/mock.h"

namespace mockd::portability {

struct PathCondition {
    std::string name;
    std::optional<std::string> value;  // none: only present
    bool absent = false;               // "name!": the value must not be sent
    std::string place;                 // header or query (conditionPlaces fills it)
};

struct SplitPathKey {
    std::string path;  // before '#' ("/" when that is empty)
    std::vector<PathCondition> conditions;
};

// Splits a path key. A fragment that is not a list of `name`, `name=value` and `name!` (one that
// holds a path, as hash routes do) is dropped with no conditions.
SplitPathKey splitPathKey(const std::string& key);

// Where each condition's value travels: where the operation (or its path item) declares a
// parameter of that name, else in a header for X-Amz-* names and in the query otherwise.
// `pathItem` and `op` are the spec's objects (a parameter behind a $ref is not looked at).
void conditionPlaces(std::vector<PathCondition>& conditions, const core::Json& pathItem,
                     const core::Json& op);

}  // namespace mockd::portability
