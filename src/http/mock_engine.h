// Answers requests on the mock port: built-in health endpoints, the best-matching mock, or
// mockd's 404 with near misses.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "core/registry.h"
#include "net/handler.h"

namespace mockd::http {

class MockEngine final : public net::Handler {
  public:
    explicit MockEngine(core::Registry& registry) : registry_(registry) {}

    net::Outcome handle(const Request& req, std::string& out, bool closing) override;

    // /ready answers 503 until this is set (the config is loaded).
    void setReady(bool ready) { ready_.store(ready, std::memory_order_release); }

  private:
    void healthBody(std::string& out, bool headOnly, bool closing) const;
    void readyBody(std::string& out, bool headOnly, bool closing) const;
    void noMatch(const Request& req, const class match::MatchInput& in, std::string& out,
                 bool closing) const;

    core::Registry& registry_;
    std::atomic<bool> ready_{false};
};

// RFC 3339 UTC time with whole seconds ("2026-11-22T10:00:00Z").
std::string rfc3339Now();

}  // namespace mockd::http
