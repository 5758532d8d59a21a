#include "protocols/protocol.h"

#include "http/local_reply.h"

namespace mockd::protocols {

void Protocols::add(std::unique_ptr<Protocol> protocol) {
    if (find(protocol->name()))
        throw std::invalid_argument("protocol " + std::string(protocol->name()) + " added twice");
    if (auto codec = protocol->mockType()) core::addMockType(std::move(codec));
    for (auto& codec : protocol->streamAnswers()) core::addStreamAnswerCodec(std::move(codec));
    protocols_.push_back(std::move(protocol));
}

Protocol* Protocols::find(std::string_view name) const {
    for (const auto& p : protocols_)
        if (p->name() == name) return p.get();
    return nullptr;
}

uint16_t Protocols::port(std::string_view name) const {
    for (const auto& p : protocols_)
        for (const Port& port : p->ports())
            if (port.name == name) return port.port;
    return 0;
}

void Protocols::openAll(Server& server) {
    for (const auto& p : protocols_) p->open(server);
}

void Protocols::startAll() {
    for (const auto& p : protocols_) p->start();
}

void Protocols::closeAll() {
    for (const auto& p : protocols_) p->close();
}

size_t Protocols::activeConnections() const {
    size_t n = 0;
    for (const auto& p : protocols_) n += p->activeConnections();
    return n;
}

std::vector<AdminRoute> Protocols::adminRoutes() const {
    std::vector<AdminRoute> all;
    for (const auto& p : protocols_)
        for (auto& r : p->adminRoutes()) all.push_back(std::move(r));
    return all;
}

void jsonReply(http::Response& res, int status, const core::Json& body) {
    res.status = status;
    res.contentType = "application/json";
    res.setBody(body.dump(-1, ' ', false, core::Json::error_handler_t::replace));
}

bool mockExists(const match::Registry* registry, const http::RouteParams& params,
                http::Response& res) {
    if (registry && registry->get(std::string(http::routeParam(params, "id")))) return true;
    http::local_reply::mockdError(res, 404, "not_found", "Mock not found");
    return false;
}

}  // namespace mockd::protocols
