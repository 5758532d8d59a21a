// WireMock scenarios: named state machines that start in "Started". Stubs name a scenario, the
// state they require and the state they move it to once served.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mockd::wiremock {

inline constexpr std::string_view kStarted = "Started";

// The scenarios of one WireMock API (and so of one mock port): its stubs hold it, and its
// /__admin/scenarios routes read and set it.
class Scenarios final {
  public:
    std::string state(std::string_view scenario) const;
    bool inState(std::string_view scenario, std::string_view state) const;
    void set(std::string_view scenario, std::string_view state);
    // A stub being served: when `required` is given the scenario must still be in it, and then
    // moves to `next` (when given), in one step. False when the state moved since the match.
    bool advance(std::string_view scenario, std::string_view required, std::string_view next);
    // Every scenario back to "Started".
    void resetAll();

  private:
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::string> states_;  // absent: "Started"
};

}  // namespace mockd::wiremock
