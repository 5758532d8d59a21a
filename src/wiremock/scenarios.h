// WireMock scenarios: named state machines that start in "Started". Stubs name a scenario, the
// state they require and the state they move it to once served.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mockd::wiremock {

inline constexpr std::string_view kStarted = "Started";

class Scenarios final {
  public:
    // The one set of scenarios of this process (the mock port's stubs share it).
    static Scenarios& global();

    std::string state(std::string_view scenario) const;
    bool inState(std::string_view scenario, std::string_view state) const;
    void set(std::string_view scenario, std::string_view state);
    // Every scenario back to "Started".
    void resetAll();

  private:
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::string> states_;  // absent: "Started"
};

}  // namespace mockd::wiremock
