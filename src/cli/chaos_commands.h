// `mockd chaos …`: turn chaos on and off on a running server, apply profiles, inspect and drive
// the stateful faults. Talks to the admin API's /chaos routes.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>

namespace mockd::cli {

class ChaosCommands final {
  public:
    explicit ChaosCommands(CLI::App& app);
    ~ChaosCommands();
    // Runs the selected chaos command; nullopt when none was selected.
    std::optional<int> run();

    struct State;

  private:
    std::unique_ptr<State> s_;
};

}  // namespace mockd::cli
