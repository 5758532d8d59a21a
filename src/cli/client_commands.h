// CLI commands that work against a running server (or on files): stop, status, list, get, add,
// update, delete, verify, logs, import, export, health, wait, validate, init.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

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

// The flags every command that talks to the admin API takes: --admin-url, --api-key,
// --data-dir and --json.
void addAdminClientFlags(CLI::App* cmd, std::string& adminUrl, std::string& apiKey,
                         std::string& dataDir, bool& json);

}  // namespace mockd::cli
