// Who may use the admin API (SPEC §6): loopback callers without a key unless the request looks
// like a browser on another site or arrives under a foreign Host (DNS rebinding); everyone
// else with the API key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/request.h"

namespace mockd::http {

struct AccessPolicy {
    std::string apiKey;    // empty: no key configured (then only the loopback rules apply)
    bool noAuth = false;   // --no-auth: no key needed from anywhere
    std::string hostname;  // this machine's name, accepted as a Host like "localhost"
};

struct Denial {
    int status;
    std::string code;
    std::string message;
};

// nullopt when the request may proceed.
std::optional<Denial> checkAccess(const core::Request& req, const AccessPolicy& policy);

bool isLoopbackAddress(std::string_view addr);
// Host header value without port (and without IPv6 brackets).
std::string_view hostWithoutPort(std::string_view host);
bool constantTimeEquals(std::string_view a, std::string_view b);
// "mk_" + 64 hex characters from the OS's random source.
std::string generateApiKey();

}  // namespace mockd::http
