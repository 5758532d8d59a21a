#include "protocols/websocket/ws_protocol.h"

#include "core/encoding.h"
#include "core/json_fields.h"
#include "http/local_reply.h"

namespace mockd::protocols::websocket {

namespace {

class Responder final : public engine::StreamResponder {
  public:
    explicit Responder(std::unique_ptr<Connections>& connections) : connections_(connections) {}
    std::string_view key() const override { return "websocket"; }
    void respond(const engine::MatchedCall& call, http::Response& res) override {
        auto config = std::static_pointer_cast<const WebSocketConfig>(call.mock.mock().stream);
        connections_->respond(call.request, call.mock, std::move(config), res);
    }

  private:
    std::unique_ptr<Connections>& connections_;
};

Json listJson(const std::vector<std::shared_ptr<ConnectionRecord>>& records) {
    Json list = Json::array();
    for (const auto& r : records) list.push_back(r->toJson(false));
    return list;
}

void notFound(http::Response& res) {
    http::local_reply::mockdError(res, 404, "not_found", "Connection not found");
}

// POST /websocket/connections/{id}/send: {"type": "text" | "binary", "data": ...}.
void sendRoute(Connections& c, const core::Request& req, const http::RouteParams& p,
               http::Response& res) {
    Json body = req.body.empty() ? Json::object() : Json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        return http::local_reply::mockdError(res, 400, "invalid_json",
                                             "the body must be {\"type\", \"data\"}");
    const std::string type = core::valueOr<std::string>(body, "type", "text");
    const std::string data = core::valueOr<std::string>(body, "data", "");
    Message m;
    if (type == "binary") {
        auto bytes = core::base64Decode(data);
        if (!bytes)
            return http::local_reply::mockdError(res, 400, "invalid_base64",
                                                 "binary data must be base64");
        m = {true, std::move(*bytes)};
    } else if (type == "text") {
        m = {false, data};
    } else {
        return http::local_reply::mockdError(res, 400, "invalid_type",
                                             "type must be text or binary, not \"" + type + "\"");
    }
    const std::string id(http::routeParam(p, "id"));
    auto record = c.find(id);
    if (!record || !c.send(id, std::move(m))) return notFound(res);
    jsonReply(res, 200, {{"message", "Message sent"}, {"connection", id}, {"type", type}});
}

}  // namespace

WebSocketProtocol::WebSocketProtocol() : responder_(std::make_unique<Responder>(connections_)) {}

WebSocketProtocol::~WebSocketProtocol() = default;

void WebSocketProtocol::open(Server& server) {
    registry_ = &server.registry;
    connections_ = std::make_unique<Connections>(server.registry);
}

size_t WebSocketProtocol::activeConnections() const {
    return connections_ ? connections_->active() : 0;
}

std::vector<AdminRoute> WebSocketProtocol::adminRoutes() const {
    using http::routeParam;
    using http::RouteParams;
    const auto* self = this;
    auto mockKnown = [self](const RouteParams& p, http::Response& res) {
        return mockExists(self->registry_, p, res);
    };
    return {
        {"GET", "/websocket/connections",
         [self](const core::Request&, const RouteParams&, http::Response& res) {
             jsonReply(res, 200,
                       {{"connections", listJson(self->connections_->list())},
                        {"stats", self->connections_->stats()}});
         }},
        {"GET", "/websocket/stats",
         [self](const core::Request&, const RouteParams&, http::Response& res) {
             jsonReply(res, 200, self->connections_->stats());
         }},
        {"GET", "/websocket/connections/{id}",
         [self](const core::Request&, const RouteParams& p, http::Response& res) {
             auto r = self->connections_->find(std::string(routeParam(p, "id")));
             if (!r) return notFound(res);
             jsonReply(res, 200, r->toJson(false));
         }},
        {"DELETE", "/websocket/connections/{id}",
         [self](const core::Request&, const RouteParams& p, http::Response& res) {
             auto r = self->connections_->find(std::string(routeParam(p, "id")));
             if (!r || !self->connections_->close(r->id, 1000, "closed by API"))
                 return notFound(res);
             jsonReply(res, 200,
                       {{"message", "Connection closed"}, {"connection", r->toJson(false)}});
         }},
        {"POST", "/websocket/connections/{id}/send",
         [self](const core::Request& req, const RouteParams& p, http::Response& res) {
             sendRoute(*self->connections_, req, p, res);
         }},
        {"GET", "/mocks/{id}/websocket/connections",
         [self, mockKnown](const core::Request&, const RouteParams& p, http::Response& res) {
             if (!mockKnown(p, res)) return;
             const std::string id(routeParam(p, "id"));
             auto list = self->connections_->list(id);
             jsonReply(res, 200,
                       {{"connections", listJson(list)}, {"count", list.size()}, {"mockId", id}});
         }},
        {"DELETE", "/mocks/{id}/websocket/connections",
         [self, mockKnown](const core::Request&, const RouteParams& p, http::Response& res) {
             if (!mockKnown(p, res)) return;
             const std::string id(routeParam(p, "id"));
             const size_t closed = self->connections_->closeMock(id, 1000, "closed by API");
             jsonReply(res, 200,
                       {{"message", "Connections closed"}, {"closed", closed}, {"mockId", id}});
         }},
    };
}

}  // namespace mockd::protocols::websocket
