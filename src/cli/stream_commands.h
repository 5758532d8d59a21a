// `mockd websocket …` (alias `ws`) and `mockd sse …`: the open connections and streams of a
// running server (through the admin API's /websocket and /sse routes), and a WebSocket client
// for trying an endpoint from the shell (connect, send, listen), with mockd's flags and output.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>

namespace mockd::cli {

class StreamCommands final {
  public:
    explicit StreamCommands(CLI::App& app);
    ~StreamCommands();
    // Runs the selected command; nullopt when none of these was selected.
    std::optional<int> run();

    struct State;

  private:
    std::unique_ptr<State> s_;
};

}  // namespace mockd::cli
