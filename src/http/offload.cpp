#include "http/offload.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "http/held_request.h"

namespace mockd::http {

namespace asio = boost::asio;

void OffloadedHandler::handle(const core::Request& req, Response& res) {
    // Held work keeps the loop running until the answer is made: a loop that has not stopped
    // by now will run what is posted to it.
    auto work = std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(
        asio::make_work_guard(loop_));
    if (loop_.stopped()) return inner_.handle(req, res);
    auto held = std::make_shared<const HeldRequest>(req);
    const bool head = res.headOnly;
    res.later = [this, held, work, head](asio::io_context& home, Completion done) {
        asio::post(loop_, [this, held, work, head, &home, done = std::move(done)]() mutable {
            Response answer;
            answer.headOnly = head;
            inner_.handle(held->request(), answer);
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
