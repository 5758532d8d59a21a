#include "engine/request_log.h"

#include "core/clock.h"
#include "log/log.h"

namespace mockd::engine {

namespace {
constexpr size_t kMaxLoggedBody = 64 * 1024;
}  // namespace

std::shared_ptr<Exchange> exchangeOf(const http::Response& res) {
    return std::static_pointer_cast<Exchange>(res.exchange);
}

void noteExchange(http::Response& res, const std::string& mockId, std::string nearMisses,
                  std::string report, std::string error,
                  std::shared_ptr<journal::SubEvents> subEvents) {
    if (!res.exchange) return;
    auto& ex = *static_cast<Exchange*>(res.exchange.get());
    ex.logged = true;
    ex.entry.mockId = mockId;
    ex.entry.nearMissesJson = std::move(nearMisses);
    ex.entry.report = std::move(report);
    ex.entry.error = std::move(error);
    ex.entry.subEvents = std::move(subEvents);
}

bool RequestLogFilter::observing() const {
    return journal_ || metrics_ || log::enabled(log::Level::Debug);
}

void RequestLogFilter::apply(const core::Request& req, http::Response& res,
                             const http::Next& next) {
    if (!observing()) return next(req, res);
    const auto start = std::chrono::steady_clock::now();
    // Lent to the route for this call only (no allocation): an answer that comes later brings
    // what it learnt on its own exchange (see below).
    Exchange ex;
    res.exchange = std::shared_ptr<void>(std::shared_ptr<void>(), &ex);
    next(req, res);
    res.exchange.reset();
    if (!ex.logged) return;
    // The request's part is for the journal and the debug line; metrics need the mock alone.
    if (journal_ || log::enabled(log::Level::Debug)) describe(req, ex.entry);
    if (res.later) {
        // Committed when the answer arrives, with the status and delay it brings, and what the
        // route noted on the answer's own exchange (a proxied exchange, its error).
        auto kept = std::make_shared<Exchange>(std::move(ex));
        res.shape([this, kept, start](http::Response& answer) {
            if (auto late = exchangeOf(answer)) {
                kept->entry.proxied = std::move(late->entry.proxied);
                if (!late->entry.error.empty()) kept->entry.error = std::move(late->entry.error);
                answer.exchange.reset();
            }
            kept->entry.status = answer.status;
            commit(std::move(kept->entry), start, answer.delivery.delayMs);
        });
        return;
    }
    ex.entry.status = res.status;
    commit(std::move(ex.entry), start, res.delivery.delayMs);
}

void RequestLogFilter::describe(const core::Request& req, journal::Entry& e) const {
    e.timestampUs = core::nowMicros();
    e.method = req.method;
    e.path = req.path;
    if (req.rawPath != req.path) e.rawPath = req.rawPath;
    e.query = req.rawQuery;
    e.localPort = req.localPort;
    if (!journal_) return;  // the debug line needs only the method and path
    e.headers.reserve(req.headers.size());
    for (const auto& h : req.headers) e.headers.emplace_back(h.name, h.value);
    // The log keeps the start of large bodies so that 10,000 entries stay small; bodySize still
    // reports the whole size.
    e.body = req.body.substr(0, kMaxLoggedBody);
    e.bodySize = req.body.size();
    e.remoteAddr = req.remoteAddress;
}

void RequestLogFilter::commit(journal::Entry e, std::chrono::steady_clock::time_point start,
                              uint32_t delayMs) const {
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const double seconds = std::chrono::duration<double>(elapsed).count() + delayMs / 1000.0;
    if (metrics_) {
        (e.mockId.empty() ? metrics_->matchMisses : metrics_->matchHits)
            .fetch_add(1, std::memory_order_relaxed);
        metrics_->observe(seconds);
        metrics_->requests.add(e.mockId, e.status);
    }
    if (log::enabled(log::Level::Debug)) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
        log::debug(e.mockId.empty() ? "request unmatched" : "request matched",
                   {{"method", e.method},
                    {"path", e.path},
                    {"status", e.status},
                    {"mock_id", e.mockId},
                    {"delay_ms", delayMs},
                    {"duration_us", static_cast<int64_t>(us)}});
    }
    if (journal_) {
        e.durationMs = seconds * 1000.0;
        journal_->record(std::move(e));
    }
}

}  // namespace mockd::engine
