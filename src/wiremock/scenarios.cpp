// Scenario states, shared by every worker thread.
#include "wiremock/scenarios.h"

namespace mockd::wiremock {

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

bool Scenarios::advance(std::string_view scenario, std::string_view required,
                        std::string_view next) {
    std::lock_guard lock(mu_);
    auto it = states_.find(std::string(scenario));
    if (!required.empty()) {
        const std::string_view now = it == states_.end() ? kStarted : std::string_view(it->second);
        if (now != required) return false;
    }
    if (next.empty()) return true;
    if (next == kStarted) {
        if (it != states_.end()) states_.erase(it);
    } else if (it != states_.end()) {
        it->second = std::string(next);
    } else {
        states_.emplace(std::string(scenario), std::string(next));
    }
    return true;
}

void Scenarios::resetAll() {
    std::lock_guard lock(mu_);
    states_.clear();
}

}  // namespace mockd::wiremock
