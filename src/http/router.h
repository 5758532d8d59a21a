// The admin APIs' router: a method and a path pattern to a handler. Patterns are whole segments,
// literal or `{name}` (any one segment), and may end in `{*name}` (every segment left, none
// included). Two ways to pick a route, one per API:
// - by resource (mockd): the first pattern added that matches a path is its resource; a path no
//   pattern matches is the API's 404, a resource asked with a method it has no handler for is
//   the API's 405, told the methods it has (in the order they were added);
// - by method (WireMock, as Jetty routes it): the first route with the request's method (or "*")
//   whose pattern matches; anything else is the API's 404.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mockd::http {

using RouteParams = std::vector<std::pair<std::string_view, std::string_view>>;

// "/a/b/" -> {"a", "b"}; "/" and "" -> {}.
std::vector<std::string_view> pathSegments(std::string_view path);

// The value of `{name}` in params, or empty.
std::string_view routeParam(const RouteParams& params, std::string_view name);

// `Call` is the API's per-request context; it must have a `RouteParams params` member, which the
// router fills before it runs a guard or hands out a handler. `Result` is what a handler returns.
template <class Call, class Result>
class Router final {
  public:
    using Handler = std::function<Result(Call&)>;
    // Runs before the method is looked at, for a path under its prefix: returns false once it
    // has answered (the resource the path names does not exist).
    using Guard = std::function<bool(Call&)>;

    enum class Outcome { Found, Answered, NotFound, NotAllowed };
    struct Found {
        Outcome outcome = Outcome::NotFound;
        const Handler* handler = nullptr;  // set when Found: call it with the same Call
        std::string allowed;               // when NotAllowed: the resource's methods ("GET, POST")
    };

    enum class Pick { ByResource, ByMethod };
    explicit Router(Pick pick = Pick::ByResource) : pick_(pick) {}

    Router& route(std::string_view method, std::string_view pattern, Handler handler) {
        routes_.push_back({std::string(method), split(pattern), std::move(handler)});
        return *this;
    }
    // A guard for every pattern that begins with `prefix`, and for paths under it that no
    // pattern matches (so that /mocks/unknown/x says the mock is unknown, not the route).
    Router& guard(std::string_view prefix, Guard g) {
        guards_.push_back({split(prefix), std::move(g)});
        return *this;
    }

    // Runs the guards the path is under, then finds the handler for the method. Found: the
    // handler to run (`call.params` holds its pattern's values). Answered: a guard answered.
    Found find(std::string_view method, const std::vector<std::string_view>& segs,
               Call& call) const {
        Found found;
        if (pick_ == Pick::ByMethod) {
            for (const auto& r : routes_)
                if ((r.method == method || r.method == "*") &&
                    matches(r.pattern, segs, segs.size())) {
                    call.params = bind(r.pattern, segs);
                    found.outcome = Outcome::Found;
                    found.handler = &r.handler;
                    return found;
                }
            return found;
        }
        const std::vector<std::string>* resource = nullptr;
        for (const auto& r : routes_)
            if (matches(r.pattern, segs, segs.size())) {
                resource = &r.pattern;
                break;
            }
        for (const auto& g : guards_) {
            bool under = resource ? startsWith(*resource, g.prefix)
                                  : matches(g.prefix, segs, g.prefix.size());
            if (!under) continue;
            call.params = bind(g.prefix, segs);
            if (!g.check(call)) {
                found.outcome = Outcome::Answered;
                return found;
            }
        }
        if (!resource) return found;
        std::vector<std::string_view> seen;
        for (const auto& r : routes_) {
            if (r.pattern != *resource) continue;
            if (r.method == method) {
                call.params = bind(r.pattern, segs);
                found.outcome = Outcome::Found;
                found.handler = &r.handler;
                return found;
            }
            if (std::find(seen.begin(), seen.end(), r.method) == seen.end()) {
                seen.push_back(r.method);
                found.allowed += (found.allowed.empty() ? "" : ", ") + r.method;
            }
        }
        found.outcome = Outcome::NotAllowed;
        return found;
    }

  private:
    struct Route {
        std::string method;
        std::vector<std::string> pattern;
        Handler handler;
    };
    struct GuardEntry {
        std::vector<std::string> prefix;
        Guard check;
    };

    static bool isParam(const std::string& s) {
        return s.size() >= 2 && s.front() == '{' && s.back() == '}' && !isRest(s);
    }
    static std::vector<std::string> split(std::string_view pattern) {
        std::vector<std::string> out;
        for (auto s : pathSegments(pattern)) out.emplace_back(s);
        return out;
    }
    static bool isRest(const std::string& s) { return s.starts_with("{*") && s.ends_with("}"); }
    // The first `n` segments of the path match the pattern, which has exactly `n` segments (or
    // fewer, before a final {*name}).
    static bool matches(const std::vector<std::string>& pattern,
                        const std::vector<std::string_view>& segs, size_t n) {
        const bool rest = !pattern.empty() && isRest(pattern.back());
        const size_t fixed = rest ? pattern.size() - 1 : pattern.size();
        if (rest ? n < fixed : pattern.size() != n) return false;
        if (segs.size() < n) return false;
        for (size_t i = 0; i < fixed; ++i)
            if (!isParam(pattern[i]) && pattern[i] != segs[i]) return false;
        return true;
    }
    static bool startsWith(const std::vector<std::string>& pattern,
                           const std::vector<std::string>& prefix) {
        return pattern.size() >= prefix.size() &&
               std::equal(prefix.begin(), prefix.end(), pattern.begin());
    }
    static RouteParams bind(const std::vector<std::string>& pattern,
                            const std::vector<std::string_view>& segs) {
        RouteParams out;
        for (size_t i = 0; i < pattern.size() && i < segs.size(); ++i)
            if (isParam(pattern[i]))
                out.emplace_back(std::string_view(pattern[i]).substr(1, pattern[i].size() - 2),
                                 segs[i]);
        return out;
    }

    Pick pick_;
    std::vector<Route> routes_;
    std::vector<GuardEntry> guards_;
};

}  // namespace mockd::http
