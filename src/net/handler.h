// The interface between connections and what answers requests (the mock engine, the admin API).
#pragma once

#include <cstdint>
#include <string>

#include "http/request.h"

namespace mockd::net {

struct Outcome {
    uint32_t delayMs = 0;  // hold the response this long before sending it (on a timer)
    bool close = false;    // close the connection after this response
};

class Handler {
  public:
    virtual ~Handler() = default;
    // Appends one complete response to `out`. `closing` is true when the connection closes
    // after it (the response must then say "Connection: close").
    virtual Outcome handle(const http::Request& req, std::string& out, bool closing) = 0;
};

}  // namespace mockd::net
