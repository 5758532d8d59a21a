// Realistic fake values for templates ({{faker.name}}, {{faker.creditCard}}, ...) from our own
// small word lists. Every value comes from the given generator, so a seed reproduces it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "template/rng.h"

namespace mockd::tmpl {

// Appends a fake value of `type` (case-insensitive: name, firstName, email, creditCard, ...).
// Returns false for an unknown type. `args` are the call's arguments (words(n) takes a count).
bool fake(std::string_view type, const std::vector<std::string>& args, Rng& rng, std::string& out);

// The faker types this build knows (lower case), for listings and tests.
const std::vector<std::string>& fakerTypes();

// True when `digits` passes the Luhn check (credit card numbers).
bool luhnValid(std::string_view digits);

}  // namespace mockd::tmpl
