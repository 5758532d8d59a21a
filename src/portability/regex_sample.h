// A string that a JSON Schema `pattern` matches, for generated examples.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace mockd::portability {

// Builds a string matched by `pattern` (ECMA-262 syntax as JSON Schema uses it: literals,
// escapes, classes, groups, alternation, quantifiers). Constructs it cannot satisfy (look-around,
// back-references) give nullopt, as does any result RE2 does not confirm. The shortest such
// string is built, grown to `minLength` where the pattern repeats without bound.
std::optional<std::string> sampleForPattern(std::string_view pattern, std::mt19937_64& rng,
                                            size_t minLength = 0);

}  // namespace mockd::portability
