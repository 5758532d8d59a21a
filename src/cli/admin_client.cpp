// Blocking client on Beast, for CLI commands.
#include "cli/admin_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

namespace mockd::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

AdminClient::AdminClient(const std::string& baseUrl, std::string apiKey)
    : base_(baseUrl), apiKey_(std::move(apiKey)) {
    std::string_view u = baseUrl;
    if (!u.starts_with("http://"))
        throw ClientError("the admin URL must start with http:// (got \"" + baseUrl + "\")");
    u.remove_prefix(7);
    size_t slash = u.find('/');
    std::string_view hostPort = u.substr(0, slash);
    prefix_ = slash == std::string_view::npos ? "" : std::string(u.substr(slash));
    while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
    if (hostPort.starts_with("[")) {
        size_t close = hostPort.find(']');
        host_ = std::string(hostPort.substr(1, close - 1));
        port_ = close + 2 <= hostPort.size() ? std::string(hostPort.substr(close + 2)) : "80";
    } else {
        size_t colon = hostPort.rfind(':');
        host_ = std::string(hostPort.substr(0, colon));
        port_ = colon == std::string_view::npos ? "80" : std::string(hostPort.substr(colon + 1));
    }
    if (host_.empty() || port_.empty()) throw ClientError("bad admin URL \"" + baseUrl + "\"");
}

namespace {
tcp::socket connectTo(asio::io_context& ctx, const std::string& host, const std::string& port,
                      const std::string& base) {
    tcp::resolver resolver(ctx);
    beast::error_code ec;
    auto results = resolver.resolve(host, port, ec);
    tcp::socket sock(ctx);
    if (!ec) asio::connect(sock, results, ec);
    if (ec)
        throw ClientError("cannot reach the admin API at " + base + " (" + ec.message() +
                          "); is mockd running? Start it with `mockd start`, or pass --admin-url");
    return sock;
}
}  // namespace

HttpResult AdminClient::call(std::string_view method, std::string_view target,
                             std::string_view body, std::string_view contentType,
                             std::string_view accept) const {
    asio::io_context ctx;
    tcp::socket sock = connectTo(ctx, host_, port_, base_);
    bhttp::request<bhttp::string_body> req;
    req.method_string(std::string(method));
    req.target(prefix_ + std::string(target));
    req.version(11);
    req.set(bhttp::field::host, host_ + ":" + port_);
    req.set(bhttp::field::user_agent, std::string("mockd-cli/") + MOCKD_VERSION);
    req.set(bhttp::field::connection, "close");
    if (!apiKey_.empty()) req.set("X-API-Key", apiKey_);
    if (!accept.empty()) req.set(bhttp::field::accept, std::string(accept));
    if (!body.empty()) {
        req.set(bhttp::field::content_type, std::string(contentType));
        req.body() = std::string(body);
    }
    req.prepare_payload();
    beast::error_code ec;
    bhttp::write(sock, req, ec);
    beast::flat_buffer buf;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(512u * 1024 * 1024);
    if (!ec) bhttp::read(sock, buf, parser, ec);
    if (ec) throw ClientError("the admin API at " + base_ + " did not answer: " + ec.message());
    auto& res = parser.get();
    HttpResult out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    out.contentType = std::string(res[bhttp::field::content_type]);
    return out;
}

void AdminClient::stream(std::string_view target,
                         const std::function<void(const std::string&)>& onData) const {
    asio::io_context ctx;
    tcp::socket sock = connectTo(ctx, host_, port_, base_);
    std::string req = "GET " + prefix_ + std::string(target) + " HTTP/1.1\r\nHost: " + host_ + ":" +
                      port_ + "\r\nAccept: text/event-stream\r\n";
    if (!apiKey_.empty()) req += "X-API-Key: " + apiKey_ + "\r\n";
    req += "\r\n";
    beast::error_code ec;
    asio::write(sock, asio::buffer(req), ec);
    std::string pending;
    bool headDone = false;
    char buf[8192];
    while (!ec) {
        size_t n = sock.read_some(asio::buffer(buf), ec);
        pending.append(buf, n);
        if (!headDone) {
            size_t end = pending.find("\r\n\r\n");
            if (end == std::string::npos) continue;
            if (!pending.starts_with("HTTP/1.1 200"))
                throw ClientError("the admin API refused the stream: " +
                                  pending.substr(0, pending.find("\r\n")));
            pending.erase(0, end + 4);
            headDone = true;
        }
        size_t sep;
        while ((sep = pending.find("\n\n")) != std::string::npos) {
            std::string event = pending.substr(0, sep);
            pending.erase(0, sep + 2);
            size_t d = event.find("data: ");
            if (d != std::string::npos) onData(event.substr(d + 6));
        }
    }
}

std::string keyFromDataDir(const std::string& dataDir) {
    namespace fs = std::filesystem;
    fs::path dir = dataDir;
    if (dir.empty()) {
        if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
            dir = fs::path(x) / "mockd";
        else if (const char* h = std::getenv("HOME"); h && *h)
            dir = fs::path(h) / ".local/share/mockd";
    }
    std::ifstream in(dir / "admin-api-key");
    std::string key;
    if (in) std::getline(in, key);
    return key;
}

nlohmann::json expectOk(const HttpResult& r, std::initializer_list<int> ok) {
    using Json = nlohmann::json;
    for (int code : ok)
        if (r.status == code) return r.body.empty() ? Json() : Json::parse(r.body, nullptr, false);
    auto j = Json::parse(r.body, nullptr, false);
    std::string msg =
        (!j.is_discarded() && j.is_object() && j.contains("message") && j["message"].is_string())
            ? j["message"].get<std::string>()
            : r.body;
    throw ClientError("the admin API answered " + std::to_string(r.status) + ": " + msg);
}

std::string resolveId(const AdminClient& c, const std::string& idOrPrefix) {
    auto r = c.call("GET", "/mocks/" + idOrPrefix);
    if (r.status == 200) return idOrPrefix;
    auto all = expectOk(c.call("GET", "/mocks"));
    std::vector<std::string> hits;
    for (const auto& m : all["mocks"])
        if (m.value("id", "").starts_with(idOrPrefix)) hits.push_back(m["id"]);
    if (hits.empty()) throw ClientError("no mock with id or id prefix \"" + idOrPrefix + "\"");
    if (hits.size() > 1) {
        std::string list;
        for (auto& h : hits) list += " " + h;
        throw ClientError("\"" + idOrPrefix + "\" matches several mocks:" + list);
    }
    return hits[0];
}

void printJson(const nlohmann::json& j) { std::cout << j.dump(2) << "\n"; }

std::optional<int> reportingClientErrors(const std::function<std::optional<int>()>& command) {
    try {
        return command();
    } catch (const ClientError& e) {
        std::fprintf(stderr, "mockd: %s\n", e.what());
    } catch (const nlohmann::json::exception& e) {
        std::fprintf(stderr, "mockd: unexpected answer from the server: %s\n", e.what());
    }
    return 1;
}

}  // namespace mockd::cli
