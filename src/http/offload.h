// A handler run on another event loop than the connection's. WireMock's /__admin shares the
// mock port: a bulk import there parses and compiles thousands of stubs, which on a mock worker
// would stall every connection that worker serves. Offloaded, the admin work runs on the admin
// thread and the connection waits for its answer like any answer that comes later.
#pragma once

#include <memory>

#include "http/handler.h"

namespace boost::asio {
class io_context;
}

namespace mockd::http {

class OffloadedHandler final : public Handler {
  public:
    // `inner` answers on `loop`'s thread, with a response or an answer that comes later (a
    // stream or an upgrade cannot cross threads). While `loop` runs, requests go there; once it has
    // stopped (the server shutting down), `inner` answers in place.
    OffloadedHandler(Handler& inner, boost::asio::io_context& loop) : inner_(inner), loop_(loop) {}
    void handle(const core::Request& req, Response& res) override;

  private:
    Handler& inner_;
    boost::asio::io_context& loop_;
};

}  // namespace mockd::http
