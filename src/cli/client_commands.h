// CLI commands that work against a running server (or on files): stop, status, list, get, add,
// update, delete, verify, logs, import, export, health, validate, init.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>

namespace mockd::cli {

class ClientCommands final {
  public:
    explicit ClientCommands(CLI::App& app);
    ~ClientCommands();
    // Runs the selected command; nullopt when none of these was selected.
    std::optional<int> run();

    struct State;  // the parsed options (defined with the commands)

  private:
    std::unique_ptr<State> s_;
};

}  // namespace mockd::cli
