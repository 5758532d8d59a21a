// HTTP behind the protocol seam: the mock port, and the HTTPS port when TLS is set up, answered
// by the mock engine.
#pragma once

#include <memory>
#include <optional>

#include "engine/mock_engine.h"
#include "net/tls.h"
#include "protocols/protocol.h"

namespace mockd::protocols {

class HttpProtocol final : public Protocol {
  public:
    struct Options {
        uint16_t port = 0;  // 0: a free port
        // The HTTPS port and its TLS server (none: no HTTPS).
        uint16_t httpsPort = 0;
        std::optional<net::TlsServer> tls;
        // The engine's settings; the shared parts (registry, journal, metrics, tables) come
        // from the server when the protocol opens.
        engine::EngineConfig engine;
    };
    explicit HttpProtocol(Options options);
    ~HttpProtocol() override;

    std::string_view name() const override { return "http"; }
    void open(Server& server) override;
    std::vector<Port> ports() const override;
    void start() override;
    void close() override;
    size_t activeConnections() const override;
    std::shared_ptr<const core::MockTypeCodec> mockType() const override { return codec(); }
    // HTTP's mock type, for commands that read mocks without serving.
    static std::shared_ptr<const core::MockTypeCodec> codec() { return core::httpMockType(); }

  private:
    Options options_;
    std::unique_ptr<engine::MockEngine> engine_;
    std::unique_ptr<http::Listener> plain_, secure_;
};

}  // namespace mockd::protocols
