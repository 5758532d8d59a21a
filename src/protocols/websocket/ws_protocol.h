// WebSocket mocks behind the protocol seam (`type: websocket`). An endpoint is found like any
// mock, a GET to its path asking for a WebSocket; the mock engine hands the match to this
// protocol, which checks mockd's handshake rules and takes the connection over (the HTTP
// connection's upgrade) on the same worker loop, over plain TCP or TLS.
#pragma once

#include <memory>

#include "engine/responder.h"
#include "protocols/protocol.h"
#include "protocols/websocket/ws_connections.h"

namespace mockd::protocols::websocket {

class WebSocketProtocol final : public Protocol {
  public:
    WebSocketProtocol();
    ~WebSocketProtocol() override;

    std::string_view name() const override { return "websocket"; }
    void open(Server& server) override;
    std::vector<Port> ports() const override { return {}; }
    void start() override {}
    // Open connections get 1001 as the server drains (their workers tell them).
    void close() override {}
    size_t activeConnections() const override;
    std::shared_ptr<const core::MockTypeCodec> mockType() const override {
        return webSocketMockType();
    }
    std::vector<AdminRoute> adminRoutes() const override;

    engine::StreamResponder* responder() { return responder_.get(); }

  private:
    match::Registry* registry_ = nullptr;
    std::unique_ptr<Connections> connections_;
    std::unique_ptr<engine::StreamResponder> responder_;
};

}  // namespace mockd::protocols::websocket
