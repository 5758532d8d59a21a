// The interface between connections and what answers requests (the mock engine, the admin API).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/request.h"

namespace mockd::net {

// A response body that keeps coming after the head (server-sent events). Producers may push
// from any thread; the data is written in order on the connection's own thread.
class Stream {
  public:
    virtual ~Stream() = default;
    virtual void push(std::string data) = 0;
    virtual bool closed() const = 0;
    // Runs once, on the connection's thread, when the client goes away or the server stops.
    virtual void onClose(std::function<void()> fn) = 0;
};

struct Outcome {
    uint32_t delayMs = 0;  // hold the response this long before sending it (on a timer)
    bool close = false;    // close the connection after this response
    // Close by resetting the connection (RST) instead of a clean shutdown; what this response
    // appended is dropped. Earlier pipelined responses still go out first.
    bool reset = false;
    // Sent one by one after the response head, `chunkIntervalMs` apart (the first one too):
    // a body dribbled to the client. Empty: the response is sent whole.
    std::vector<std::string> chunks;
    uint32_t chunkIntervalMs = 0;
    // When set, the response head already appended is followed by a stream: the connection
    // hands a Stream to this function and answers no further requests.
    std::function<void(std::shared_ptr<Stream>)> stream;
};

class Handler {
  public:
    virtual ~Handler() = default;
    // Appends one complete response to `out`. `closing` is true when the connection closes
    // after it (the response must then say "Connection: close").
    virtual Outcome handle(const http::Request& req, std::string& out, bool closing) = 0;
};

}  // namespace mockd::net
