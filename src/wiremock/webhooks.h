// WireMock's webhooks: a stub's `serveEventListeners` (or legacy `postServeActions`) entries
// named "webhook" send a request of their own after the stub answered. Templates are rendered
// on the worker that served the request; the requests go out from one sender thread with
// asynchronous I/O, at most `maxPending` at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/delivery.h"
#include "journal/journal.h"

namespace boost::asio {
class io_context;
}

namespace mockd::wiremock {

class HandlebarsTemplate;
struct TemplateInput;

struct Webhook {
    using Tmpl = std::shared_ptr<const HandlebarsTemplate>;
    // Each part as written and compiled (a part without "{{" renders as itself).
    std::pair<std::string, Tmpl> method{"GET", nullptr}, url;
    std::vector<std::pair<std::string, std::pair<std::string, Tmpl>>> headers;
    bool hasBody = false;
    bool binary = false;  // base64Body: sent as decoded, not templated
    std::pair<std::string, Tmpl> body;
    core::DelayDistribution delay;
    nlohmann::ordered_json parameters = nlohmann::ordered_json::object();  // the other keys
    std::string error;  // why the webhook cannot fire (a template syntax error), or empty
};
using WebhookPtr = std::shared_ptr<const Webhook>;

// The webhooks of a stub document. Listeners of other names are ignored, as WireMock ignores
// extensions it does not have. Throws PatternError on a listener that is not an object.
std::vector<WebhookPtr> decodeWebhooks(const nlohmann::json& stub);

class WebhookSender final {
  public:
    explicit WebhookSender(size_t maxPending = 1000);
    ~WebhookSender();
    WebhookSender(const WebhookSender&) = delete;
    WebhookSender& operator=(const WebhookSender&) = delete;

    // Renders `hook` against `input` (its request model seen as originalRequest) and sends it
    // `afterMs` plus its own delay from now. What happens is appended to `log` when given.
    void fire(const Webhook& hook, const TemplateInput& input, uint32_t afterMs,
              std::shared_ptr<journal::SubEvents> log);

    size_t pending() const { return pending_.load(std::memory_order_relaxed); }

  private:
    void start();
    std::unique_ptr<boost::asio::io_context> ctx_;
    std::once_flag started_;
    std::thread thread_;
    std::atomic<size_t> pending_{0};
    size_t maxPending_;
};

}  // namespace mockd::wiremock
