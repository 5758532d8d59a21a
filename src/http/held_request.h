// A request whose bytes are its own: a connection's request views point into its buffers, which
// the next request reuses. What outlives the call that received it (an answer made on another
// thread, a stream that renders templates for minutes) holds one of these.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/client_cert.h"
#include "core/request.h"

namespace mockd::http {

class HeldRequest final {
  public:
    explicit HeldRequest(const core::Request& req);
    HeldRequest(const HeldRequest&) = delete;
    HeldRequest& operator=(const HeldRequest&) = delete;
    // The request, viewing this object's copies.
    const core::Request& request() const { return request_; }

  private:
    std::string method_, target_, path_, body_, remoteAddress_;
    std::vector<std::pair<std::string, std::string>> headers_;
    std::unique_ptr<const core::ClientCert> clientCert_;  // rare: kept out of line
    core::Request request_;
};

}  // namespace mockd::http
