// The websocket and sse command groups.
#include "cli/stream_commands.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <variant>

#include "cli/admin_client.h"
#include "cli/client_commands.h"
#include "cli/stream_mocks.h"
#include "core/clock.h"
#include "core/duration.h"
#include "core/encoding.h"

namespace mockd::cli {

using Json = nlohmann::json;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = boost::beast::websocket;
using tcp = asio::ip::tcp;

// `connections [list|get|close]` and `stats`, the same for each streaming protocol.
struct ConnectionCommands {
    CLI::App *root = nullptr, *list = nullptr, *get = nullptr, *close = nullptr, *stats = nullptr;
};

// `add`, `list`, `get`, `delete` (and `status` for websocket): the protocol's mocks.
struct MockCommands {
    CLI::App *add = nullptr, *list = nullptr, *get = nullptr, *del = nullptr, *status = nullptr;
    bool any() const { return *add || *list || *get || *del || (status && *status); }
};

struct StreamCommands::State {
    std::string adminUrl = "http://localhost:4290";
    std::string apiKey, dataDir;
    bool json = false;
    CLI::App *websocket = nullptr, *wsSend = nullptr, *connect = nullptr, *send = nullptr,
             *listen = nullptr, *sse = nullptr;
    ConnectionCommands wsAdmin, sseAdmin;
    MockCommands wsMocks, sseMocks;
    std::string path, name;
    bool allowDuplicate = false;
    SseFlags sseFlags;
    WebsocketFlags wsFlags;
    std::string id, url, message;
    bool binary = false;
    std::vector<std::string> headers;
    std::string subprotocol, timeout = "30s";
    int64_t count = 0;
};

namespace {

std::string isoNow() { return core::isoUtc(core::nowMicros(), 3); }

// A WebSocket client connection (ws:// or wss://), blocking: the CLI has nothing else to do.
class Client {
  public:
    explicit Client(const StreamCommands::State& s) {
        const std::string& url = s.url;
        const bool secure = url.starts_with("wss://");
        if (!secure && !url.starts_with("ws://"))
            throw ClientError("the URL must start with ws:// or wss://, not " + url);
        std::string rest = url.substr(secure ? 6 : 5);
        const size_t slash = rest.find('/');
        std::string hostPort = rest.substr(0, slash);
        target_ = slash == std::string::npos ? "/" : rest.substr(slash);
        std::string host = hostPort, port = secure ? "443" : "80";
        if (const size_t colon = hostPort.rfind(':');
            colon != std::string::npos && hostPort.find(']') == std::string::npos) {
            host = hostPort.substr(0, colon);
            port = hostPort.substr(colon + 1);
        }
        auto ms = core::parseGoDuration(s.timeout);
        if (!ms || *ms <= 0) throw ClientError("--timeout must be a duration such as 30s");
        for (const auto& h : s.headers)
            if (h.find(':') == std::string::npos)
                throw ClientError("-H wants name:value, not " + h);
        tcp::resolver resolver(ctx_);
        beast::error_code ec;
        auto endpoints = resolver.resolve(host, port, ec);
        if (ec) throw ClientError("connection failed: " + ec.message());
        auto decorate = [&s](ws::request_type& req) {
            for (const auto& h : s.headers) {
                const size_t colon = h.find(':');
                std::string value = h.substr(colon + 1);
                while (!value.empty() && value.front() == ' ') value.erase(0, 1);
                req.set(h.substr(0, colon), value);
            }
            if (!s.subprotocol.empty())
                req.set(beast::http::field::sec_websocket_protocol, s.subprotocol);
        };
        ws::response_type res;
        beast::error_code result = asio::error::timed_out;
        bool done = false;
        auto finish = [&](beast::error_code e) {
            result = e;
            done = true;
        };
        // Asynchronous only so that the whole handshake has a deadline (--timeout).
        if (secure) {
            tls_.emplace(ctx_, sslCtx_);
            sslCtx_.set_default_verify_paths();
            sslCtx_.set_verify_mode(asio::ssl::verify_peer);
            SSL_set_tlsext_host_name(tls_->next_layer().native_handle(), host.c_str());
            tls_->set_option(ws::stream_base::decorator(decorate));
            asio::async_connect(beast::get_lowest_layer(*tls_), endpoints,
                                [&](beast::error_code e, const tcp::endpoint&) {
                                    if (e) return finish(e);
                                    tls_->next_layer().async_handshake(
                                        asio::ssl::stream_base::client, [&](beast::error_code e2) {
                                            if (e2) return finish(e2);
                                            tls_->async_handshake(res, hostPort, target_, finish);
                                        });
                                });
        } else {
            plain_.emplace(ctx_);
            plain_->set_option(ws::stream_base::decorator(decorate));
            asio::async_connect(beast::get_lowest_layer(*plain_), endpoints,
                                [&](beast::error_code e, const tcp::endpoint&) {
                                    if (e) return finish(e);
                                    plain_->async_handshake(res, hostPort, target_, finish);
                                });
        }
        ctx_.run_for(std::chrono::milliseconds(*ms));
        ctx_.restart();
        if (!done) throw ClientError("connection failed: no handshake within " + s.timeout);
        if (result) {
            std::string why = "connection failed: " + result.message();
            // Only a declined upgrade brought an answer whose status says why.
            if (result == ws::error::upgrade_declined)
                why += " (HTTP " + std::to_string(res.result_int()) + ")";
            throw ClientError(why);
        }
    }

    void send(const std::string& text, bool binary) {
        with([&](auto& w) {
            w.binary(binary);
            w.write(asio::buffer(text));
        });
    }
    // The next message, or false once the server closed.
    bool receive(std::string& data, bool& binary) {
        beast::flat_buffer buf;
        beast::error_code ec;
        with([&](auto& w) {
            w.read(buf, ec);
            binary = !w.got_text();
        });
        if (ec) return false;
        data = beast::buffers_to_string(buf.data());
        return true;
    }
    void close() {
        beast::error_code ec;
        with([&](auto& w) { w.close(ws::close_code::normal, ec); });
    }

  private:
    template <class F>
    void with(F&& f) {
        if (tls_)
            f(*tls_);
        else
            f(*plain_);
    }
    asio::io_context ctx_;
    asio::ssl::context sslCtx_{asio::ssl::context::tls_client};
    std::optional<ws::stream<tcp::socket>> plain_;
    std::optional<ws::stream<asio::ssl::stream<tcp::socket>>> tls_;
    std::string target_;
};

std::string messageOrFile(const std::string& m) {
    if (!m.starts_with("@")) return m;
    std::ifstream in(m.substr(1), std::ios::binary);
    if (!in) throw ClientError("cannot read " + m.substr(1));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int sendOne(const StreamCommands::State& s) {
    Client c(s);
    const std::string message = messageOrFile(s.message);
    c.send(message, false);
    c.close();
    if (s.json)
        printJson(
            {{"success", true}, {"url", s.url}, {"message", message}, {"timestamp", isoNow()}});
    else
        std::printf("Sent to %s: %s\n", s.url.c_str(), message.c_str());
    return 0;
}

int listen(const StreamCommands::State& s) {
    Client c(s);
    std::fprintf(stderr, "Connected to %s\n", s.url.c_str());
    std::string data;
    bool binary = false;
    for (int64_t i = 0; s.count == 0 || i < s.count; ++i) {
        if (!c.receive(data, binary)) break;
        const std::string shown = binary ? core::base64Encode(data) : data;
        if (s.json)
            std::cout << Json{{"index", i},
                              {"type", binary ? "binary" : "text"},
                              {"data", shown},
                              {"timestamp", isoNow()}}
                             .dump()
                      << std::endl;
        else
            std::cout << shown << std::endl;
    }
    c.close();
    std::fprintf(stderr, "Disconnected\n");
    return 0;
}

// connect: each line of stdin is a text message; what comes back is printed as it arrives
// (after each line, the answers already there, then until stdin ends).
int connectRepl(const StreamCommands::State& s) {
    Client c(s);
    std::fprintf(stderr, "Connected to %s (one message per line; end with Ctrl-D)\n",
                 s.url.c_str());
    std::string line, data;
    bool binary = false;
    while (std::getline(std::cin, line)) {
        c.send(line, false);
        if (s.json)
            std::cout << Json{{"direction", "sent"},
                              {"type", "text"},
                              {"data", line},
                              {"timestamp", isoNow()}}
                             .dump()
                      << std::endl;
        else
            std::cout << "> " << line << std::endl;
        if (!c.receive(data, binary)) break;
        const std::string shown = binary ? core::base64Encode(data) : data;
        if (s.json)
            std::cout << Json{{"type", binary ? "binary" : "text"},
                              {"data", shown},
                              {"timestamp", isoNow()}}
                             .dump()
                      << std::endl;
        else
            std::cout << "< " << shown << std::endl;
    }
    c.close();
    return 0;
}

void printConnections(const Json& list, bool sse) {
    std::printf("%-40s %-20s %-24s %-10s %s\n", "ID", "PATH", "MOCK ID", sse ? "EVENTS" : "IN/OUT",
                "STATUS");
    for (const auto& c : list) {
        const std::string counts = sse ? std::to_string(c.value("eventsSent", 0))
                                       : std::to_string(c.value("messagesRecv", 0)) + "/" +
                                             std::to_string(c.value("messagesSent", 0));
        std::printf("%-40s %-20s %-24s %-10s %s\n", c.value("id", "").c_str(),
                    c.value("path", "").c_str(), c.value("mockId", "").c_str(), counts.c_str(),
                    c.value("status", "").c_str());
    }
    std::printf("%zu connection(s)\n", list.size());
}

int admin(const StreamCommands::State& s, const std::string& prefix) {
    AdminClient c(s.adminUrl, s.apiKey.empty() ? keyFromDataDir(s.dataDir) : s.apiKey);
    const bool sse = prefix == "/sse";
    const ConnectionCommands& cmds = sse ? s.sseAdmin : s.wsAdmin;
    if (*cmds.stats) {
        printJson(expectOk(c.call("GET", prefix + "/stats")));
        return 0;
    }
    if (*cmds.get) {
        printJson(expectOk(c.call("GET", prefix + "/connections/" + s.id)));
        return 0;
    }
    if (*cmds.close) {
        Json j = expectOk(c.call("DELETE", prefix + "/connections/" + s.id));
        if (s.json)
            printJson(j);
        else
            std::printf("Closed connection %s\n", s.id.c_str());
        return 0;
    }
    if (!sse && *s.wsSend) {
        if (s.binary && !core::base64Decode(s.message))
            throw ClientError("--binary wants the message as base64");
        Json body = {{"type", s.binary ? "binary" : "text"}, {"data", s.message}};
        Json j = expectOk(c.call("POST", prefix + "/connections/" + s.id + "/send", body.dump()));
        if (s.json)
            printJson(j);
        else
            std::printf("Sent to %s\n", s.id.c_str());
        return 0;
    }
    Json j = expectOk(c.call("GET", prefix + "/connections"));
    if (s.json)
        printJson(j);
    else
        printConnections(j.value("connections", Json::array()), sse);
    return 0;
}

void clientFlags(CLI::App* cmd, StreamCommands::State& s) {
    cmd->add_option("url", s.url, "ws:// or wss:// URL")->required();
    cmd->add_option("-H,--header", s.headers, "Handshake header name:value (repeat)");
    cmd->add_option("--subprotocol", s.subprotocol, "Subprotocol to ask for");
    cmd->add_option("-t,--timeout", s.timeout, "Handshake timeout")->capture_default_str();
    cmd->add_flag("--json", s.json, "One JSON object per line");
}

ConnectionCommands addConnectionCommands(CLI::App* parent, StreamCommands::State& s,
                                         const std::string& noun, const std::string& closeText,
                                         const std::string& statsText) {
    ConnectionCommands c;
    c.root = parent->add_subcommand("connections", "Open " + noun + "s");
    c.list = c.root->add_subcommand("list", "List them (the default)");
    c.list->alias("ls");
    c.get = c.root->add_subcommand("get", "Show one");
    c.get->add_option("id", s.id, noun == "stream" ? "Stream id" : "Connection id")->required();
    c.close = c.root->add_subcommand("close", closeText);
    c.close->add_option("id", s.id, noun == "stream" ? "Stream id" : "Connection id")->required();
    c.stats = parent->add_subcommand("stats", statsText);
    for (auto* cmd : {c.root, c.list, c.get, c.close, c.stats})
        addAdminClientFlags(cmd, s.adminUrl, s.apiKey, s.dataDir, s.json);
    return c;
}

bool isSseMock(const Json& m) {
    return m.value("type", "") == "http" && m.value("http", Json::object()).contains("sse");
}

bool isWebsocketMock(const Json& m) { return m.value("type", "") == "websocket"; }

// A websocket mock's open connections beside it.
int websocketStatus(const AdminClient& c, bool json) {
    Json byMock = expectOk(c.call("GET", "/websocket/stats")).value("connectionsByMock", Json());
    Json out = Json::array();
    const Json all = expectOk(c.call("GET", "/mocks"));
    for (const auto& m : all["mocks"]) {
        if (!isWebsocketMock(m)) continue;
        const std::string id = m.value("id", "");
        out.push_back({{"id", id},
                       {"path", m["websocket"].value("path", "")},
                       {"enabled", m.value("enabled", true)},
                       {"connections", byMock.is_object() ? byMock.value(id, 0) : 0}});
    }
    if (json) {
        printJson({{"mocks", out}, {"count", out.size()}});
        return 0;
    }
    std::printf("%-30s %-40s %-8s %s\n", "PATH", "ID", "ENABLED", "CONNECTIONS");
    for (const auto& m : out)
        std::printf("%-30s %-40s %-8s %d\n", m["path"].get<std::string>().c_str(),
                    m["id"].get<std::string>().c_str(), m["enabled"].get<bool>() ? "yes" : "no",
                    m["connections"].get<int>());
    std::printf("%zu websocket mock(s)\n", out.size());
    return 0;
}

int mocks(const StreamCommands::State& s, bool sse) {
    AdminClient c(s.adminUrl, s.apiKey.empty() ? keyFromDataDir(s.dataDir) : s.apiKey);
    const MockCommands& cmds = sse ? s.sseMocks : s.wsMocks;
    if (*cmds.add) {
        Json mock;
        if (sse) {
            if (s.path.empty()) throw ClientError("--path is required for SSE mocks");
            mock = {{"type", "http"},
                    {"http",
                     {{"matcher", {{"method", "GET"}, {"path", s.path}}},
                      {"sse", sseBlock(s.sseFlags)}}}};
        } else {
            mock = websocketMock(s.path, s.wsFlags);
        }
        if (!s.name.empty()) mock["name"] = s.name;
        return createOrReplace(c, mock, s.allowDuplicate ? "" : sameEndpoint(c, mock), s.json);
    }
    if (cmds.status && *cmds.status) return websocketStatus(c, s.json);
    if (*cmds.list) return listMocks(c, sse ? isSseMock : isWebsocketMock, s.json);
    const std::string id = resolveId(c, s.id);
    Json mock = expectOk(c.call("GET", "/mocks/" + id));
    if (!(sse ? isSseMock(mock) : isWebsocketMock(mock)))
        throw ClientError("mock " + id + " is not " + (sse ? "an SSE" : "a websocket") + " mock");
    if (*cmds.get) {
        printJson(mock);
        return 0;
    }
    expectOk(c.call("DELETE", "/mocks/" + id), {200, 204});
    if (s.json)
        printJson({{"deleted", id}});
    else
        std::printf("Deleted mock: %s\n", id.c_str());
    return 0;
}

MockCommands addMockCommands(CLI::App* parent, StreamCommands::State& s, bool sse) {
    const std::string kind = sse ? "SSE" : "websocket";
    MockCommands c;
    c.add =
        parent->add_subcommand("add", "Add a " + kind + " mock (or replace the one on its path)");
    c.add->add_option("--path", s.path, "Path it answers on");
    c.add->add_option("-n,--name", s.name, "Mock name");
    c.add->add_flag("--allow-duplicate", s.allowDuplicate,
                    "Add another mock even when one answers on this path");
    if (sse)
        addSseFlags(c.add, s.sseFlags, false);
    else
        addWebsocketFlags(c.add, s.wsFlags);
    c.list = parent->add_subcommand("list", "The " + kind + " mocks");
    c.list->alias("ls");
    c.get = parent->add_subcommand("get", "Show one " + kind + " mock");
    c.get->add_option("id", s.id, "Mock id or id prefix")->required();
    c.del = parent->add_subcommand("delete", "Delete one " + kind + " mock");
    c.del->alias("rm");
    c.del->add_option("id", s.id, "Mock id or id prefix")->required();
    if (!sse)
        c.status = parent->add_subcommand("status", "Each websocket mock and its connections");
    for (auto* cmd : {c.add, c.list, c.get, c.del, c.status})
        if (cmd) addAdminClientFlags(cmd, s.adminUrl, s.apiKey, s.dataDir, s.json);
    return c;
}

}  // namespace

StreamCommands::StreamCommands(CLI::App& app) : s_(std::make_unique<State>()) {
    State& s = *s_;
    s.websocket = app.add_subcommand("websocket", "WebSocket connections and a client");
    s.websocket->alias("ws");
    s.websocket->require_subcommand(1);
    s.wsMocks = addMockCommands(s.websocket, s, false);
    s.wsAdmin = addConnectionCommands(s.websocket, s, "connection", "Close one (1000)",
                                      "Connection and message counts");
    s.wsSend = s.wsAdmin.root->add_subcommand("send", "Send a message to one");
    s.wsSend->add_option("id", s.id, "Connection id")->required();
    s.wsSend->add_option("message", s.message, "The message")->required();
    s.wsSend->add_flag("--binary", s.binary, "The message is base64 for a binary frame");
    addAdminClientFlags(s.wsSend, s.adminUrl, s.apiKey, s.dataDir, s.json);
    s.connect = s.websocket->add_subcommand("connect", "Talk to an endpoint: stdin lines out");
    clientFlags(s.connect, s);
    s.send = s.websocket->add_subcommand("send", "Send one message (@file reads it), then close");
    clientFlags(s.send, s);
    s.send->add_option("message", s.message, "The message, or @file")->required();
    s.listen = s.websocket->add_subcommand("listen", "Print the messages an endpoint sends");
    clientFlags(s.listen, s);
    s.listen->add_option("-n,--count", s.count, "Stop after this many (0: never)");

    s.sse = app.add_subcommand("sse", "Server-sent event streams");
    s.sse->require_subcommand(1);
    s.sseMocks = addMockCommands(s.sse, s, true);
    s.sseAdmin =
        addConnectionCommands(s.sse, s, "stream", "End one", "Stream, event and byte counts");
}

StreamCommands::~StreamCommands() = default;

std::optional<int> StreamCommands::run() {
    State& s = *s_;
    if (!*s.websocket && !*s.sse) return std::nullopt;
    return reportingClientErrors([&]() -> std::optional<int> {
        if (*s.send) return sendOne(s);
        if (*s.listen) return listen(s);
        if (*s.connect) return connectRepl(s);
        if (s.wsMocks.any() || s.sseMocks.any()) return mocks(s, s.sseMocks.any());
        return admin(s, *s.sse ? "/sse" : "/websocket");
    });
}

}  // namespace mockd::cli
