// Server-sent events and chunked streams behind the protocol seam. Both ride on HTTP mocks: an
// `http` mock with `sse` or `chunked` in place of `response` is matched like any other, and the
// mock engine hands it to this protocol's responders, which answer with a stream on the
// connection's own event loop. SSE streams are tracked (/sse/connections, /sse/stats), logged
// once each with protocol "sse", and counted once each for verification.
#pragma once

#include <memory>

#include "engine/responder.h"
#include "protocols/protocol.h"
#include "protocols/sse/sse_streams.h"

namespace mockd::protocols::sse {

// mockd's limit on concurrent SSE streams (all mocks together); --max-sse-streams.
inline constexpr size_t kDefaultMaxStreams = 100;

class SseProtocol final : public Protocol {
  public:
    explicit SseProtocol(size_t maxStreams = kDefaultMaxStreams);
    ~SseProtocol() override;

    std::string_view name() const override { return "sse"; }
    void open(Server& server) override;
    std::vector<Port> ports() const override { return {}; }
    void start() override {}
    // Open streams end cleanly as the server drains (their connections finish them).
    void close() override {}
    size_t activeConnections() const override;
    std::vector<std::shared_ptr<const core::StreamAnswerCodec>> streamAnswers() const override;
    std::vector<AdminRoute> adminRoutes() const override;

    // The engine's responders for `sse` and `chunked` mocks (valid from construction; they
    // answer once the protocol is open).
    engine::StreamResponder* sseResponder() { return sse_.get(); }
    engine::StreamResponder* chunkedResponder() { return chunked_.get(); }

    // The codecs, for commands that read mocks without serving.
    static std::vector<std::shared_ptr<const core::StreamAnswerCodec>> codecs();

  private:
    const size_t maxStreams_;
    match::Registry* registry_ = nullptr;
    std::unique_ptr<Streams> streams_;
    std::unique_ptr<engine::StreamResponder> sse_, chunked_;
};

}  // namespace mockd::protocols::sse
