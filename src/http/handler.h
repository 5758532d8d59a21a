// The interface between connections and what answers requests (the mock engine, the admin API).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/request.h"

namespace boost::asio {
class io_context;
}

namespace mockd::http {

struct Outcome;
// Hands a response produced later to its connection: the bytes (a complete response, or nothing
// for a fault that sends none) and how to deliver them. Must be called once, on the io_context
// the connection passed in.
using Completion = std::function<void(std::string response, Outcome how)>;

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
    // When set, nothing was appended: the answer comes later (a proxied request). The connection
    // calls this with its own io_context and answers no further request until the completion
    // runs. The other fields of this Outcome are ignored; the completion brings its own.
    std::function<void(boost::asio::io_context&, Completion)> later;
};

class Handler {
  public:
    virtual ~Handler() = default;
    // Appends one complete response to `out`. `closing` is true when the connection closes
    // after it (the response must then say "Connection: close").
    virtual Outcome handle(const core::Request& req, std::string& out, bool closing) = 0;
};

}  // namespace mockd::http
