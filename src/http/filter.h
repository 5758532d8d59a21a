// Cross-cutting behaviour on a port as an ordered chain of filters around its handler: each
// filter sees the request first and the response last, and may answer by itself (a refusal)
// instead of passing the request on. mockd's mock port runs the rate limit, chaos and CORS
// this way (engine::MockEngine).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/handler.h"

namespace mockd::http {

class FilterChain;

// The rest of the chain after a filter: the next filter, or the handler at its end.
class Next {
  public:
    Next(const FilterChain& chain, size_t at, Handler& last)
        : chain_(chain), at_(at), last_(last) {}
    void operator()(const core::Request& req, Response& res) const;

  private:
    const FilterChain& chain_;
    size_t at_;
    Handler& last_;
};

class Filter {
  public:
    virtual ~Filter() = default;
    virtual void apply(const core::Request& req, Response& res, const Next& next) = 0;
};

class FilterChain {
  public:
    // Filters run in the order they are added: the first added is the outermost.
    void add(std::shared_ptr<Filter> f) { filters_.push_back(std::move(f)); }
    bool empty() const { return filters_.empty(); }
    // Runs the request through every filter, then `last`.
    void run(const core::Request& req, Response& res, Handler& last) const {
        Next(*this, 0, last)(req, res);
    }

  private:
    friend class Next;
    std::vector<std::shared_ptr<Filter>> filters_;
};

// True when `path` is `prefix` or below it (a handler mounted there, which filters leave alone).
inline bool underPrefix(std::string_view path, std::string_view prefix) {
    return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

// True when `path` is under one of `prefixes`.
inline bool underAny(std::string_view path, const std::vector<std::string>& prefixes) {
    for (const auto& p : prefixes)
        if (underPrefix(path, p)) return true;
    return false;
}

inline void Next::operator()(const core::Request& req, Response& res) const {
    if (at_ == chain_.filters_.size()) return last_.handle(req, res);
    chain_.filters_[at_]->apply(req, res, Next(chain_, at_ + 1, last_));
}

}  // namespace mockd::http
