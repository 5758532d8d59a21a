// Scenario states, shared by every worker thread.
#include "wiremock/scenarios.h"

namespace mockd::wiremock {

Scenarios& Scenarios::global() {
    static Scenarios s;
    return s;
}

std::string Scenarios::state(std::string_view scenario) const {
    std::lock_guard lock(mu_);
    auto it = states_.find(std::string(scenario));
    return it == states_.end() ? std::string(kStarted) : it->second;
}

bool Scenarios::inState(std::string_view scenario, std::string_view state) const {
    std::lock_guard lock(mu_);
    auto it = states_.find(std::string(scenario));
    return it == states_.end() ? state == kStarted : it->second == state;
}

void Scenarios::set(std::string_view scenario, std::string_view state) {
    std::lock_guard lock(mu_);
    if (state == kStarted)
        states_.erase(std::string(scenario));
    else
        states_[std::string(scenario)] = std::string(state);
}

void Scenarios::resetAll() {
    std::lock_guard lock(mu_);
    states_.clear();
}

}  // namespace mockd::wiremock
