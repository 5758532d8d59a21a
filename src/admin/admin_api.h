// The mockd admin API on the admin port (4290).
#pragma once

#include <chrono>

#include "core/registry.h"
#include "net/handler.h"

namespace mockd::admin {

class AdminApi final : public net::Handler {
  public:
    explicit AdminApi(core::Registry& registry)
        : registry_(registry), started_(std::chrono::steady_clock::now()) {}
    net::Outcome handle(const http::Request& req, std::string& out, bool closing) override;

  private:
    core::Registry& registry_;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace mockd::admin
