#include "protocols/sse/sse_protocol.h"

#include <boost/asio/steady_timer.hpp>

#include "core/body_file.h"
#include "http/local_reply.h"

namespace mockd::protocols::sse {

namespace asio = boost::asio;

namespace {

class SseResponder final : public engine::StreamResponder {
  public:
    explicit SseResponder(std::unique_ptr<Streams>& streams) : streams_(streams) {}
    std::string_view key() const override { return "sse"; }
    void respond(const engine::MatchedCall& call, http::Response& res) override {
        auto config = std::static_pointer_cast<const SseConfig>(call.mock.mock().stream);
        streams_->respond(call.request, call.mock, std::move(config), res);
    }

  private:
    std::unique_ptr<Streams>& streams_;
};

// Sends its pieces one after another, `delay` apart, then ends the body.
class ChunkRun final : public std::enable_shared_from_this<ChunkRun> {
  public:
    ChunkRun(std::vector<std::string> pieces, int64_t delayMs)
        : pieces_(std::move(pieces)), delayMs_(delayMs) {}
    void start(std::shared_ptr<http::Stream> stream) {
        stream_ = std::move(stream);
        timer_.emplace(stream_->context());
        std::weak_ptr<ChunkRun> weak = weak_from_this();
        stream_->onClose([weak] {
            if (auto self = weak.lock()) self->timer_->cancel();
        });
        next();
    }

  private:
    void next() {
        if (stream_->closed()) return;
        if (sent_ == pieces_.size()) return stream_->finish();
        stream_->push(std::move(pieces_[sent_++]));
        if (sent_ == pieces_.size()) return stream_->finish();
        timer_->expires_after(std::chrono::milliseconds(delayMs_));
        timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->next();
        });
    }

    std::vector<std::string> pieces_;
    int64_t delayMs_;
    size_t sent_ = 0;
    std::shared_ptr<http::Stream> stream_;
    std::optional<asio::steady_timer> timer_;
};

class ChunkedResponder final : public engine::StreamResponder {
  public:
    std::string_view key() const override { return "chunked"; }
    void respond(const engine::MatchedCall& call, http::Response& res) override;
};

void ChunkedResponder::respond(const engine::MatchedCall& call, http::Response& res) {
    const auto& c = static_cast<const ChunkedConfig&>(*call.mock.mock().stream);
    std::vector<std::string> pieces;
    if (c.ndjsonItems) {
        for (const auto& item : *c.ndjsonItems)
            pieces.push_back(item.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
    } else {
        std::string data = c.data;
        if (!c.dataFile.empty()) {
            std::string error;
            if (!core::readBodyFile(c.resolvedDataFile, data, error)) {
                http::local_reply::text(res, 500, "text/plain; charset=utf-8",
                                        "Failed to get data: " + error + "\n");
                return;
            }
        }
        const size_t size = c.chunkSize > 0 ? static_cast<size_t>(c.chunkSize) : 1024;
        for (size_t at = 0; at < data.size(); at += size) pieces.push_back(data.substr(at, size));
    }
    res.contentType = c.format == "ndjson" ? "application/x-ndjson" : "application/octet-stream";
    res.addHeader("Cache-Control", "no-cache");
    res.addHeader("X-Accel-Buffering", "no");
    if (res.headOnly) return;
    res.chunkedStream = true;
    auto run = std::make_shared<ChunkRun>(std::move(pieces), c.chunkDelayMs);
    res.stream = [run](std::shared_ptr<http::Stream> s) { run->start(std::move(s)); };
}

// The SSE block of the mock the route names, or nullptr after answering 404 (no such mock) or
// 400 (a mock that answers with something else).
std::shared_ptr<const SseConfig> sseOf(const match::Registry* registry, const http::RouteParams& p,
                                       http::Response& res) {
    if (!mockExists(registry, p, res)) return nullptr;
    const std::string id(http::routeParam(p, "id"));
    auto mock = registry->current()->byId(id);
    const auto& stream = mock ? mock->mock().stream : nullptr;
    if (!stream || stream->key() != "sse") {
        http::local_reply::mockdError(res, 400, "not_sse",
                                      "mock " + id + " does not answer with server-sent events");
        return nullptr;
    }
    return std::static_pointer_cast<const SseConfig>(stream);
}

Json listJson(const std::vector<std::shared_ptr<StreamRecord>>& records) {
    Json list = Json::array();
    for (const auto& r : records) list.push_back(r->toJson());
    return list;
}

}  // namespace

SseProtocol::SseProtocol(size_t maxStreams)
    : maxStreams_(maxStreams),
      sse_(std::make_unique<SseResponder>(streams_)),
      chunked_(std::make_unique<ChunkedResponder>()) {}

SseProtocol::~SseProtocol() = default;

void SseProtocol::open(Server& server) {
    registry_ = &server.registry;
    streams_ = std::make_unique<Streams>(server.registry, maxStreams_);
}

size_t SseProtocol::activeConnections() const { return streams_ ? streams_->active() : 0; }

std::vector<std::shared_ptr<const core::StreamAnswerCodec>> SseProtocol::codecs() {
    return {sseCodec(), chunkedCodec()};
}

std::vector<std::shared_ptr<const core::StreamAnswerCodec>> SseProtocol::streamAnswers() const {
    return codecs();
}

std::vector<AdminRoute> SseProtocol::adminRoutes() const {
    using http::routeParam;
    using http::RouteParams;
    const auto* self = this;
    auto notFound = [](http::Response& res) {
        http::local_reply::mockdError(res, 404, "not_found", "Connection not found");
    };
    auto mockKnown = [self](const RouteParams& p, http::Response& res) {
        return mockExists(self->registry_, p, res);
    };
    return {
        {"GET", "/sse/connections",
         [self](const core::Request&, const RouteParams&, http::Response& res) {
             jsonReply(res, 200,
                       {{"connections", listJson(self->streams_->list())},
                        {"stats", self->streams_->stats()}});
         }},
        {"GET", "/sse/stats",
         [self](const core::Request&, const RouteParams&, http::Response& res) {
             jsonReply(res, 200, self->streams_->stats());
         }},
        {"GET", "/sse/connections/{id}",
         [self, notFound](const core::Request&, const RouteParams& p, http::Response& res) {
             auto r = self->streams_->find(std::string(routeParam(p, "id")));
             if (!r) return notFound(res);
             jsonReply(res, 200, r->toJson());
         }},
        {"DELETE", "/sse/connections/{id}",
         [self, notFound](const core::Request& req, const RouteParams& p, http::Response& res) {
             if (!req.body.empty() && !Json::accept(req.body))
                 return http::local_reply::mockdError(res, 400, "invalid_json",
                                                      "the body is not valid JSON");
             auto r = self->streams_->find(std::string(routeParam(p, "id")));
             if (!r || !self->streams_->close(r->id, "api")) return notFound(res);
             jsonReply(res, 200, {{"message", "Connection closed"}, {"connection", r->toJson()}});
         }},
        {"GET", "/mocks/{id}/sse/connections",
         [self, mockKnown](const core::Request&, const RouteParams& p, http::Response& res) {
             if (!mockKnown(p, res)) return;
             const std::string id(routeParam(p, "id"));
             auto list = self->streams_->list(id);
             jsonReply(res, 200,
                       {{"connections", listJson(list)}, {"count", list.size()}, {"mockId", id}});
         }},
        {"DELETE", "/mocks/{id}/sse/connections",
         [self, mockKnown](const core::Request&, const RouteParams& p, http::Response& res) {
             if (!mockKnown(p, res)) return;
             const std::string id(routeParam(p, "id"));
             const size_t closed = self->streams_->closeMock(id, "api");
             jsonReply(res, 200,
                       {{"message", "Connections closed"}, {"closed", closed}, {"mockId", id}});
         }},
        {"GET", "/mocks/{id}/sse/buffer",
         [self](const core::Request&, const RouteParams& p, http::Response& res) {
             auto config = sseOf(self->registry_, p, res);
             if (!config) return;
             jsonReply(res, 200, self->streams_->buffer(std::string(routeParam(p, "id")), *config));
         }},
        {"DELETE", "/mocks/{id}/sse/buffer",
         [self](const core::Request&, const RouteParams& p, http::Response& res) {
             if (!sseOf(self->registry_, p, res)) return;
             const std::string id(routeParam(p, "id"));
             const size_t cleared = self->streams_->clearBuffer(id);
             jsonReply(res, 200,
                       {{"message", "Buffer cleared"}, {"cleared", cleared}, {"mockId", id}});
         }},
    };
}

}  // namespace mockd::protocols::sse
