// The interface between connections and what answers requests (the mock engine, the admin APIs).
#pragma once

#include "http/request.h"
#include "http/response.h"

namespace mockd::http {

class Handler {
  public:
    virtual ~Handler() = default;
    // Fills `res` (a default 200 with no body) with the answer to `req`. The connection's codec
    // writes it; whether the connection closes after it is the connection's business.
    virtual void handle(const core::Request& req, Response& res) = 0;
};

}  // namespace mockd::http
