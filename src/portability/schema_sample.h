// Example values generated from an OpenAPI (or JSON Schema) schema, for imported responses.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/mock.h"

namespace mockd::portability {

using core::Json;

// Generates a value that the schema accepts: `const`, `example`, `enum` and `default` first,
// then by type, honouring the constraints (lengths, bounds, multipleOf, patterns, formats,
// required and additional properties, item counts). `$ref`s resolve inside `root`; a schema
// that refers back to itself stops at the point where an empty or absent value is allowed.
// The same seed and schema always give the same value.
class SchemaSampler {
  public:
    SchemaSampler(const Json& root, uint64_t seed);

    Json sample(const Json& schema, std::string_view propertyName = {});

    // $refs that point outside the document or to nothing, each once.
    const std::set<std::string>& unresolvedRefs() const { return unresolved_; }

    // The schema a $ref names, or nullptr (and the ref recorded) when it cannot be resolved.
    const Json* resolve(const std::string& ref);

    // Whether a spec's example plausibly meets its schema: types (and nullable), enums, string
    // lengths, formats and patterns, number bounds, required properties, and the same for the
    // properties and items it has, a few levels deep. Real specs' examples often contradict
    // their schemas (a number for a date-time string); such an example is not used.
    bool plausible(const Json& example, const Json& schema, int depth = 0);

  private:
    const Json& root_;
    std::mt19937_64 rng_;
    std::vector<const Json*> active_;  // schemas being generated, to stop at recursion
    std::set<std::string> unresolved_;
    size_t nodes_ = 0;  // values generated so far for this sample; bounds huge schemas
    // allOf merges of schemas inside the document (their addresses are stable), made once:
    // large specs build every entity on a shared base.
    std::unordered_map<const Json*, Json> merged_;
    // A string for each pattern met (patterns repeat across a spec; checking one costs a
    // regex compile).
    std::unordered_map<std::string, std::optional<std::string>> patterns_;
    std::unordered_map<std::string, std::shared_ptr<const void>> compiledPatterns_;  // RE2s
    bool matchesPattern(const std::string& pattern, const std::string& value);

    struct Out {
        Json value;
        bool omit = false;  // nothing sensible: leave the property or item out
    };
    // `inDocument`: `schema` lies inside the root document (not a merge made here), so its
    // address may key the cache.
    Out generate(const Json& schema, std::string_view name, int depth, bool inDocument);
    Out generateTyped(const Json& s, std::string_view name, int depth, bool inDocument);
    Out oneOf(const Json& s, const Json& branches, std::string_view name, int depth);
    Json mergedAllOf(const Json& s);
    Out object(const Json& s, int depth, bool inDocument);
    Out array(const Json& s, std::string_view name, int depth, bool inDocument);
    Json string(const Json& s, std::string_view name);
    Json number(const Json& s, bool integer);
    std::string typeOf(const Json& s) const;
};

}  // namespace mockd::portability
