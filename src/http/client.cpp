#include "http/client.h"

#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <unordered_map>

namespace mockd::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string Url::authority() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    const bool defaultPort =
        (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
    return defaultPort ? h : h + ":" + port;
}

bool parseUrl(std::string_view text, Url& out, std::string& err) {
    out = {};
    const size_t sep = text.find("://");
    if (sep == std::string_view::npos) {
        err = "not an absolute URL: " + std::string(text);
        return false;
    }
    for (char c : text.substr(0, sep)) out.scheme += static_cast<char>(std::tolower(c));
    if (out.scheme != "http" && out.scheme != "https") {
        err = "unsupported URL scheme \"" + out.scheme + "\" (http and https are)";
        return false;
    }
    std::string_view rest = text.substr(sep + 3);
    const size_t slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (out.target[0] == '?') out.target.insert(0, "/");
    if (const size_t hash = out.target.find('#'); hash != std::string::npos)
        out.target.resize(hash);
    if (const size_t at = authority.rfind('@'); at != std::string_view::npos)
        authority = authority.substr(at + 1);
    std::string_view port;
    if (!authority.empty() && authority[0] == '[') {
        const size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            err = "bad IPv6 address in URL: " + std::string(text);
            return false;
        }
        out.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size() && authority[close + 1] == ':')
            port = authority.substr(close + 2);
    } else {
        const size_t colon = authority.rfind(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (out.host.empty()) {
        err = "no host in URL: " + std::string(text);
        return false;
    }
    if (!port.empty() &&
        (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)) {
        err = "bad port in URL: " + std::string(text);
        return false;
    }
    out.port = port.empty() ? (out.scheme == "https" ? "443" : "80") : std::string(port);
    return true;
}

namespace {

struct Conn {
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buf;
    beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*tls); }
};

struct Idle {
    std::unique_ptr<Conn> conn;
    Clock::time_point since;
};

constexpr size_t kMaxIdlePerOrigin = 32;
// Servers close idle keep-alive connections after a while; older ones are not worth a retry.
constexpr auto kIdleLifetime = std::chrono::seconds(30);

thread_local std::unordered_map<std::string, std::vector<Idle>> idlePool;

std::unique_ptr<Conn> takeIdle(const std::string& key) {
    auto it = idlePool.find(key);
    if (it == idlePool.end()) return nullptr;
    const auto now = Clock::now();
    while (!it->second.empty()) {
        Idle idle = std::move(it->second.back());
        it->second.pop_back();
        if (now - idle.since < kIdleLifetime) return std::move(idle.conn);
    }
    return nullptr;
}

void putIdle(const std::string& key, std::unique_ptr<Conn> c) {
    auto& list = idlePool[key];
    if (list.size() >= kMaxIdlePerOrigin) list.erase(list.begin());
    list.push_back({std::move(c), Clock::now()});
}

asio::ssl::context& tlsContext(bool verify) {
    // Proxy targets and webhook receivers are test systems, often with self-signed
    // certificates: as WireMock's reverse proxy does, every certificate is accepted.
    static asio::ssl::context accepting = [] {
        asio::ssl::context c(asio::ssl::context::tls_client);
        c.set_verify_mode(asio::ssl::verify_none);
        return c;
    }();
    // Documents mockd reads are checked as any client checks them: the system's CAs, or those
    // of the bundle SSL_CERT_FILE (or directory SSL_CERT_DIR) names.
    static asio::ssl::context verifying = [] {
        asio::ssl::context c(asio::ssl::context::tls_client);
        c.set_default_verify_paths();
        c.set_verify_mode(asio::ssl::verify_peer);
        return c;
    }();
    return verify ? verifying : accepting;
}

// The name the server's certificate must carry: the host, or the IP address it is.
void expectPeerName(SSL* ssl, const std::string& host) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    unsigned char addr[16];
    if (inet_pton(AF_INET, host.c_str(), addr) == 1 ||
        inet_pton(AF_INET6, host.c_str(), addr) == 1) {
        X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
        return;
    }
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    SSL_set1_host(ssl, host.c_str());
}

void appendClean(std::string& out, std::string_view s) {
    // A header value made by a template must not start a header (or a request) of its own.
    for (char c : s) out += (c == '\r' || c == '\n') ? ' ' : c;
}

std::string serialize(const Url& u, const ClientRequest& req) {
    std::string wire;
    wire.reserve(256 + req.body.size());
    wire += req.method;
    wire += ' ';
    wire += u.target;
    wire += " HTTP/1.1\r\n";
    bool host = false;
    for (const auto& [name, value] : req.headers) {
        if (beast::iequals(name, "host")) host = true;
        appendClean(wire, name);
        wire += ": ";
        appendClean(wire, value);
        wire += "\r\n";
    }
    if (!host) wire += "Host: " + u.authority() + "\r\n";
    if (req.sendBody || !req.body.empty())
        wire += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
    wire += "\r\n";
    wire += req.body;
    return wire;
}

asio::awaitable<std::unique_ptr<Conn>> connect(const Url& u, Clock::time_point deadline,
                                               bool verify) {
    auto ex = co_await asio::this_coro::executor;
    tcp::resolver resolver(ex);
    auto results = co_await resolver.async_resolve(u.host, u.port, asio::use_awaitable);
    auto c = std::make_unique<Conn>();
    if (u.scheme == "https") {
        c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, tlsContext(verify));
        SSL_set_tlsext_host_name(c->tls->native_handle(), u.host.c_str());
        if (verify) expectPeerName(c->tls->native_handle(), u.host);
    } else {
        c->plain = std::make_unique<beast::tcp_stream>(ex);
    }
    c->lowest().expires_at(deadline);
    try {
        co_await c->lowest().async_connect(results, asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
        if (e.code() == beast::error::timeout) throw;
        // The words of WireMock's HTTP client, which users see in its proxy error page.
        std::string origin = u.scheme + "://" + u.authority();
        if (origin.find(':', u.scheme.size() + 3) == std::string::npos) origin += ":" + u.port;
        throw std::runtime_error("Connect to " + origin + " failed: " + e.code().message());
    }
    beast::error_code ignored;
    c->lowest().socket().set_option(tcp::no_delay(true), ignored);
    if (c->tls) {
        try {
            co_await c->tls->async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
        } catch (const boost::system::system_error& e) {
            if (!verify || e.code() == beast::error::timeout) throw;
            const long result = SSL_get_verify_result(c->tls->native_handle());
            throw std::runtime_error(
                "the TLS handshake with " + u.host + " failed: " +
                (result != X509_V_OK ? X509_verify_cert_error_string(result) : e.code().message()) +
                " (a private CA's certificate can be trusted with SSL_CERT_FILE=ca.pem)");
        }
    }
    co_return c;
}

using Parser = bhttp::response_parser<bhttp::string_body>;

template <class Stream>
asio::awaitable<void> roundTrip(Stream& s, beast::flat_buffer& buf, const std::string& wire,
                                std::unique_ptr<Parser>& parser, const ClientRequest& req) {
    co_await asio::async_write(s, asio::buffer(wire), asio::use_awaitable);
    for (;;) {
        co_await bhttp::async_read(s, buf, *parser, asio::use_awaitable);
        // An interim answer (100 Continue and the like) is followed by the real one.
        const unsigned status = parser->get().result_int();
        if (status < 100 || status >= 200 || status == 101) co_return;
        parser = std::make_unique<Parser>();
        parser->body_limit(req.maxBodyBytes);
        if (req.method == "HEAD") parser->skip(true);
    }
}

asio::awaitable<ClientResponse> exchange(Url u, ClientRequest req) {
    // A connection made without checking the certificate never serves a request that checks.
    const std::string key =
        u.scheme + "://" + u.host + ":" + u.port + (req.verifyCertificate ? " verified" : "");
    const std::string wire = serialize(u, req);
    const auto deadline = Clock::now() + req.timeout;
    for (int attempt = 0;; ++attempt) {
        std::unique_ptr<Conn> c = takeIdle(key);
        const bool reused = c != nullptr;
        if (!c) c = co_await connect(u, deadline, req.verifyCertificate);
        auto parser = std::make_unique<Parser>();
        parser->body_limit(req.maxBodyBytes);
        if (req.method == "HEAD") parser->skip(true);
        c->lowest().expires_at(deadline);
        try {
            if (c->plain)
                co_await roundTrip(*c->plain, c->buf, wire, parser, req);
            else
                co_await roundTrip(*c->tls, c->buf, wire, parser, req);
        } catch (const boost::system::system_error& e) {
            // The server closed the kept-alive connection before this request reached it.
            if (reused && attempt == 0 && !parser->got_some() && e.code() != beast::error::timeout)
                continue;
            throw;
        }
        auto& msg = parser->get();
        ClientResponse r;
        r.status = static_cast<int>(msg.result_int());
        r.reason = std::string(msg.reason());
        for (const auto& f : msg)
            r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
        const bool keep = msg.keep_alive();
        r.body = std::move(msg.body());
        if (keep) {
            c->lowest().expires_never();
            putIdle(key, std::move(c));
        }
        co_return r;
    }
}

}  // namespace

void fetch(asio::io_context& ctx, ClientRequest req, std::function<void(ClientResponse)> done) {
    Url u;
    std::string err;
    if (!parseUrl(req.url, u, err)) {
        asio::post(ctx, [done = std::move(done), err]() {
            ClientResponse r;
            r.error = err;
            done(std::move(r));
        });
        return;
    }
    asio::co_spawn(ctx, exchange(std::move(u), std::move(req)),
                   [done = std::move(done)](std::exception_ptr e, ClientResponse r) {
                       if (e) {
                           r = {};
                           try {
                               std::rethrow_exception(e);
                           } catch (const boost::system::system_error& se) {
                               r.timedOut = se.code() == beast::error::timeout;
                               // Java's words for a timeout, as WireMock reports it.
                               r.error = r.timedOut ? "Read timed out" : se.code().message();
                           } catch (const std::exception& x) {
                               r.error = x.what();
                           }
                       }
                       done(std::move(r));
                   });
}

void closeIdleConnections() { idlePool.clear(); }

}  // namespace mockd::http
