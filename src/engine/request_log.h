// The request log as the innermost filter of the mock port: every exchange the engine answers
// becomes one journal entry, one metrics observation and (at debug level) one log line. The
// engine's route notes what only it knows (the mock, near misses, WireMock's report, an error,
// webhooks, a proxied exchange) on the response's exchange; the filter adds the request, the
// status and the timing, and commits once the answer is final (a proxied one, when it arrives).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "http/filter.h"
#include "http/metrics.h"
#include "journal/journal.h"

namespace mockd::engine {

// What the route notes about one exchange; only exchanges it notes are logged (not the
// built-in health answers, the mounted APIs or a filter's fallback).
struct Exchange {
    journal::Entry entry;
    bool logged = false;
};

// The exchange on a response: the one the request-log filter lent the route for its call (null
// without a request log), or, on an answer that comes later, the one the route made for what
// that answer learnt (a proxied exchange), which the filter takes when the answer arrives.
std::shared_ptr<Exchange> exchangeOf(const http::Response& res);

// Notes what the route knows about a logged exchange; does nothing without one.
void noteExchange(http::Response& res, const std::string& mockId, std::string nearMisses = {},
                  std::string report = {}, std::string error = {},
                  std::shared_ptr<journal::SubEvents> subEvents = nullptr);

class RequestLogFilter final : public http::Filter {
  public:
    // Either may be null; with neither (and debug logging off) the filter only passes requests
    // on.
    RequestLogFilter(journal::Journal* journal, http::Metrics* metrics)
        : journal_(journal), metrics_(metrics) {}
    void apply(const core::Request& req, http::Response& res, const http::Next& next) override;

  private:
    bool observing() const;
    // The request's part of the entry (all of it for the journal; method and path otherwise).
    void describe(const core::Request& req, journal::Entry& e) const;
    void commit(journal::Entry e, std::chrono::steady_clock::time_point start,
                uint32_t delayMs) const;

    journal::Journal* const journal_;
    http::Metrics* const metrics_;
};

}  // namespace mockd::engine
