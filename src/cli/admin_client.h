// A small blocking HTTP/1.1 client for the CLI commands that talk to a running server.
#pragma once

#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mockd::cli {

class ClientError final : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct HttpResult {
    int status = 0;
    std::string body;
    std::string contentType;
};

class AdminClient final {
  public:
    // `baseUrl` like "http://localhost:4290". Throws ClientError on a malformed URL.
    AdminClient(const std::string& baseUrl, std::string apiKey);

    // Throws ClientError when the server cannot be reached.
    HttpResult call(std::string_view method, std::string_view target, std::string_view body = {},
                    std::string_view contentType = "application/json",
                    std::string_view accept = {}) const;
    // Reads a server-sent event stream, calling `onData` with each event's data until the
    // server closes it. Throws ClientError when it cannot connect.
    void stream(std::string_view target,
                const std::function<void(const std::string&)>& onData) const;

    const std::string& baseUrl() const { return base_; }

  private:
    std::string base_, host_, port_, prefix_, apiKey_;
};

// The API key `mockd start` wrote into its data dir (default: $XDG_DATA_HOME/mockd or
// ~/.local/share/mockd), or empty, for a server on this machine.
std::string keyFromDataDir(const std::string& dataDir);

// Parses an admin answer with one of the `ok` statuses; any other status becomes a ClientError
// with the answer's message.
nlohmann::json expectOk(const HttpResult& r, std::initializer_list<int> ok = {200, 201});

// The mock `idOrPrefix` names: an id, or the start of exactly one mock's id.
std::string resolveId(const AdminClient& c, const std::string& idOrPrefix);

// An admin answer as the commands print it with --json.
void printJson(const nlohmann::json& j);

// Runs a client command; a ClientError or an answer of the wrong shape becomes one line on
// stderr and exit code 1.
std::optional<int> reportingClientErrors(const std::function<std::optional<int>()>& command);

}  // namespace mockd::cli
