// What matchers see of a request: the request view plus query parameters and the JSON body,
// each parsed at most once and only when some mock asks for it.
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "core/mock.h"
#include "core/request.h"

namespace mockd::core {

// A view of the request that one mock format builds for its own matchers (WireMock's decoded
// query, form, cookies and multipart parts), made on first use and kept for the request.
class FormatView {
  public:
    virtual ~FormatView() = default;
};

class MatchInput;

// The matcher a mock format brings for its own mocks (a WireMock stub's request pattern and
// scenario state): the snapshot asks it without knowing the format.
class FormatMatcher {
  public:
    virtual ~FormatMatcher() = default;
    virtual bool matches(const MatchInput& in) const = 0;
    // The literal path every request it matches has (decoded as request paths are), for the
    // snapshot's index; nullopt when there is none.
    virtual const std::optional<std::string>& literalPath() const = 0;
    // Called once on the mock a request is about to be answered by, to take what its match
    // depended on in one atomic step (a WireMock scenario's state check and move). False when
    // that changed since `matches` ran: the request is then matched again.
    virtual bool claim() const { return true; }
};

// What a mock written in another format than mockd's brings besides the model: its matcher, its
// rank, the response head it always sends. The format's own layer derives from it and answers
// such mocks through the responder it registers with the engine, so the layers below never name
// a format.
class FormatStub {
  public:
    virtual ~FormatStub() = default;
    // The format's name, which picks its responder ("wiremock").
    virtual std::string_view format() const = 0;
    virtual const FormatMatcher& matcher() const = 0;
    // Its rank among mocks that match equally well, on mockd's scale: higher wins.
    virtual int rank() const = 0;
    // The header lines every answer of `mock` starts with: the format's own, then the mock's
    // response headers (framing headers left out: the server owns them).
    virtual std::string responseHead(const Mock& mock) const = 0;
};

class MatchInput final {
  public:
    explicit MatchInput(const core::Request& req) : req_(req) {}

    const core::Request& request() const { return req_; }
    // First decoded value of a query parameter, or nullopt when absent.
    std::optional<std::string_view> query(std::string_view key) const;
    // Every decoded query parameter, in request order.
    const std::vector<std::pair<std::string, std::string>>& queryParams() const;
    // The body parsed as JSON, or nullptr when it is not JSON (or nested too deeply).
    const core::Json* json() const;
    // The view `View` (a FormatView constructible from the request) of this request, built on
    // first use. One format view per request: every mock of a format asks for the same type.
    template <class View>
    const View& view() const {
        if (!view_) {
            view_ = std::make_unique<View>(req_);
            viewType_ = &typeid(View);
        }
        assert(*viewType_ == typeid(View));
        return static_cast<const View&>(*view_);
    }

  private:
    const core::Request& req_;
    mutable bool queryParsed_ = false;
    mutable std::vector<std::pair<std::string, std::string>> query_;
    mutable int jsonState_ = 0;  // 0 not tried, 1 parsed, 2 not JSON
    mutable core::Json json_;
    mutable std::unique_ptr<FormatView> view_;
    mutable const std::type_info* viewType_ = nullptr;
};

// Maximum nesting of a JSON body we parse; deeper input is treated as not JSON, so that a
// hostile body cannot exhaust the stack.
inline constexpr int kMaxJsonDepth = 512;

// True when `text` nests arrays/objects no deeper than `maxDepth` (strings are skipped).
bool jsonDepthWithin(std::string_view text, int maxDepth);

// What an empty piece between two '&' is: nothing (mockd, and forms everywhere), or a parameter
// with an empty name the way Java's String.split keeps it (WireMock's query parameters: empty
// pieces at the end are dropped, and an empty query is one empty piece).
enum class EmptyParams { Skip, JavaSplit };

// The one decoder of query strings and application/x-www-form-urlencoded bodies: key/value pairs
// in order, '+' as a space, %XX decoded (a malformed escape kept as written), a piece without
// '=' a key with an empty value.
void parseQuery(std::string_view raw, std::vector<std::pair<std::string, std::string>>& out,
                EmptyParams empty = EmptyParams::Skip);

}  // namespace mockd::core
