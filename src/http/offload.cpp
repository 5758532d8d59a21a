#include "http/offload.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/client_cert.h"

namespace mockd::http {

namespace asio = boost::asio;

namespace {

// The request with its bytes copied: the connection's buffers are not the other thread's to
// read. `request` views into the copies.
struct HeldRequest {
    std::string method, target, path, body, remoteAddress;
    std::vector<std::pair<std::string, std::string>> headerBytes;
    std::optional<core::ClientCert> clientCert;
    core::Request request;
    bool headOnly = false;

    HeldRequest(const core::Request& req, bool head)
        : method(req.method),
          target(req.target),
          path(req.path),
          body(req.body),
          remoteAddress(req.remoteAddress),
          headOnly(head) {
        if (req.clientCert) clientCert = *req.clientCert;
        headerBytes.reserve(req.headers.size());
        for (const auto& h : req.headers) headerBytes.emplace_back(h.name, h.value);
        request = req;
        request.method = method;
        request.target = target;
        // rawPath and rawQuery are the parts of the target around its '?'.
        const std::string_view t = target;
        const size_t q = t.find('?');
        request.rawPath = t.substr(0, q);
        request.rawQuery = q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
        request.path = path;
        request.body = body;
        request.remoteAddress = remoteAddress;
        request.clientCert = clientCert ? &*clientCert : nullptr;
        request.headers.clear();
        for (const auto& [name, value] : headerBytes) request.headers.push_back({name, value});
    }
};

}  // namespace

void OffloadedHandler::handle(const core::Request& req, Response& res) {
    // Held work keeps the loop running until the answer is made: a loop that has not stopped
    // by now will run what is posted to it.
    auto work = std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(
        asio::make_work_guard(loop_));
    if (loop_.stopped()) return inner_.handle(req, res);
    auto held = std::make_shared<const HeldRequest>(req, res.headOnly);
    res.later = [this, held, work](asio::io_context& home, Completion done) {
        asio::post(loop_, [this, held, work, &home, done = std::move(done)]() mutable {
            Response answer;
            answer.headOnly = held->headOnly;
            inner_.handle(held->request, answer);
            work->reset();
            asio::post(home, [&home, done = std::move(done), answer = std::move(answer)]() mutable {
                if (!answer.later) return done(std::move(answer));
                // An answer that itself comes later runs on the connection's loop, as it would
                // have without the detour.
                auto later = std::move(answer.later);
                later(home, std::move(done));
            });
        });
    };
}

}  // namespace mockd::http
