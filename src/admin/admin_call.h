// What every admin route handler is given, and the helpers the handlers share. Internal to
// admin/: the routes are in admin_api.cpp (the table), mock_routes.cpp, request_routes.cpp,
// state_routes.cpp and config_routes.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/admin_api.h"
#include "core/errors.h"
#include "core/mock.h"
#include "core/request.h"
#include "http/router.h"
#include "match/compiled_mock.h"

namespace mockd::admin {

using core::Json;
using core::Request;

// Fills the response in mockd's JSON shapes.
struct Reply {
    http::Response& res;

    void json(int status, const Json& body) const;
    void error(int status, std::string_view code, std::string_view message) const;
    // 400 validation_error naming the field; `root` ("mock.") is the decoder's name for the body.
    void invalid(const core::FieldError& e, std::string_view root = {}) const;
    void noContent() const;
    void text(int status, std::string_view contentType, std::string_view body) const;
    // 404 "no admin route METHOD PATH".
    void noRoute(const Request& req) const;
};

struct AdminApi::Call {
    const Request& req;
    std::string method;  // HEAD is answered as GET, without the body
    http::Response& res;
    Reply r;
    int64_t uptime = 0;  // seconds since start
    http::RouteParams params;

    // A {name} of the route's pattern.
    std::string param(std::string_view name) const {
        return std::string(http::routeParam(params, name));
    }
};

std::string isoMicros(int64_t us);
std::optional<std::string> queryParam(const Request& req, std::string_view key);
// An optional whole number; false when it is given and not one.
bool parseSize(const std::optional<std::string>& v, size_t& out);
// ?offset= and ?limit=, when given; on a value that is not a whole number writes the 400 and
// returns false.
bool readPage(const Request& req, const Reply& r, size_t& offset, size_t& limit);
// Parses a JSON request body; on failure writes the 400 and returns nullopt.
std::optional<Json> parseBody(const Request& req, const Reply& r);
Json mockJson(const core::Mock& m);
// A mock as GET shows it: its definition plus, for `times` and `responses`, where it stands.
Json liveMockJson(const match::CompiledMock& c);
Json withTimestamps(Json j, const core::Mock* previous);

}  // namespace mockd::admin
