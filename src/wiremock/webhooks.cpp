#include "wiremock/webhooks.h"

#include <boost/asio.hpp>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/json_text.h"
#include "http/client.h"
#include "log/log.h"
#include "wiremock/matcher.h"
#include "wiremock/stub_codec.h"
#include "wiremock/templating.h"

namespace mockd::wiremock {

namespace asio = boost::asio;
using OJson = nlohmann::ordered_json;

namespace {

Webhook::Tmpl compileOrNote(const std::string& text, std::string& error) {
    if (!hasTemplate(text)) return nullptr;
    try {
        return HandlebarsTemplate::compile(text);
    } catch (const TemplateError& e) {
        if (error.empty()) error = e.what();
        return nullptr;
    }
}

std::string textOf(const nlohmann::json& v) {
    return v.is_string() ? v.get<std::string>() : core::jsonText(v);
}

WebhookPtr decodeOne(const nlohmann::json& params, const std::string& at) {
    auto hook = std::make_shared<Webhook>();
    if (!params.is_object()) return hook;
    for (const auto& [key, v] : params.items()) {
        if (key == "method") {
            hook->method.first = textOf(v);
        } else if (key == "url") {
            hook->url.first = textOf(v);
        } else if (key == "headers") {
            if (!v.is_object()) continue;
            for (const auto& [name, value] : v.items()) {
                if (value.is_array()) {
                    for (const auto& one : value)
                        hook->headers.push_back({name, {textOf(one), nullptr}});
                } else {
                    hook->headers.push_back({name, {textOf(value), nullptr}});
                }
            }
        } else if (key == "body") {
            if (v.is_null()) continue;
            hook->hasBody = true;
            hook->body.first = textOf(v);
        } else if (key == "base64Body") {
            if (v.is_null()) continue;
            auto bytes = core::base64Decode(textOf(v));
            if (!bytes) throw PatternError(at + "/base64Body", "base64Body is not valid base64");
            hook->hasBody = true;
            hook->binary = true;
            hook->body.first = std::move(*bytes);
        } else if (key == "delay") {
            if (!v.is_null()) hook->delay = decodeDelayDistribution(v, at + "/delay");
        } else {
            hook->parameters[key] = OJson::parse(v.dump());
        }
    }
    hook->method.second = compileOrNote(hook->method.first, hook->error);
    hook->url.second = compileOrNote(hook->url.first, hook->error);
    for (auto& h : hook->headers) h.second.second = compileOrNote(h.second.first, hook->error);
    if (hook->hasBody && !hook->binary)
        hook->body.second = compileOrNote(hook->body.first, hook->error);
    return hook;
}

std::string render(const std::pair<std::string, Webhook::Tmpl>& part, const TemplateInput& in) {
    return part.second ? part.second->render(in) : part.first;
}

// What WireMock's HTTP client sends a body with.
bool hasEntity(const std::string& method) {
    return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

OJson headersJson(const std::vector<std::pair<std::string, std::string>>& headers) {
    OJson out = OJson::object();
    for (const auto& [name, value] : headers) {
        if (!out.contains(name)) {
            out[name] = value;
        } else {
            if (!out[name].is_array()) out[name] = OJson::array({out[name]});
            out[name].push_back(value);
        }
    }
    return out;
}

// The WEBHOOK_REQUEST sub-event: the outgoing request in the journal's LoggedRequest form.
std::string requestEvent(const http::ClientRequest& req, const http::Url& u) {
    const int64_t us = core::nowMicros();
    OJson data = OJson::object();
    data["url"] = u.target;
    data["absoluteUrl"] = req.url;
    data["method"] = req.method;
    data["headers"] = headersJson(req.headers);
    data["browserProxyRequest"] = false;
    data["loggedDate"] = us / 1000;
    data["bodyAsBase64"] = core::base64Encode(req.body);
    data["body"] = req.body;
    data["scheme"] = u.scheme;
    data["host"] = u.host;
    data["port"] = std::stoi(u.port);
    data["loggedDateString"] = core::isoUtc(us, 3);
    data["queryParams"] = OJson::object();
    data["formParams"] = OJson::object();
    OJson ev = {{"type", "WEBHOOK_REQUEST"}, {"timeOffsetNanos", 0}, {"data", std::move(data)}};
    return core::jsonText(ev);
}

}  // namespace

std::vector<WebhookPtr> decodeWebhooks(const nlohmann::json& stub) {
    std::vector<WebhookPtr> out;
    for (const char* field : {"serveEventListeners", "postServeActions"}) {
        auto it = stub.find(field);
        if (it == stub.end() || it->is_null()) continue;
        const std::string at = std::string("/") + field;
        if (it->is_object()) {
            // WireMock 2's form: {"webhook": {parameters}}.
            for (const auto& [name, params] : it->items())
                if (name == "webhook") out.push_back(decodeOne(params, at + "/webhook"));
            continue;
        }
        if (!it->is_array()) throw PatternError(at, "Cannot deserialize value: expected an array");
        for (size_t i = 0; i < it->size(); ++i) {
            const auto& l = (*it)[i];
            const std::string here = at + "/" + std::to_string(i);
            if (!l.is_object())
                throw PatternError(here, "Cannot deserialize value: expected an object");
            if (l.value("name", std::string()) != "webhook") continue;
            out.push_back(
                decodeOne(l.contains("parameters") ? l["parameters"] : nlohmann::json::object(),
                          here + "/parameters"));
        }
    }
    return out;
}

WebhookSender::WebhookSender(size_t maxPending) : maxPending_(maxPending) {}

WebhookSender::~WebhookSender() {
    if (!ctx_) return;
    ctx_->stop();
    if (thread_.joinable()) thread_.join();
}

void WebhookSender::start() {
    ctx_ = std::make_unique<asio::io_context>(1);
    thread_ = std::thread([ctx = ctx_.get()] {
        auto guard = asio::make_work_guard(*ctx);
        ctx->run();
        http::closeIdleConnections();
    });
}

void WebhookSender::fire(const Webhook& hook, const TemplateInput& input, uint32_t afterMs,
                         std::shared_ptr<journal::SubEvents> log) {
    auto fail = [&](const std::string& message) {
        log::warn("webhook not sent", {{"error", message}});
        if (log)
            log->add(core::jsonText(OJson(
                {{"type", "ERROR"}, {"timeOffsetNanos", 0}, {"data", {{"message", message}}}})));
    };
    if (!hook.error.empty())
        return fail("Exception thrown while configuring webhook: " + hook.error);
    TemplateInput in = input;
    in.requestKey = "originalRequest";
    in.parameters = &hook.parameters;
    http::ClientRequest req;
    try {
        req.method = render(hook.method, in);
        req.url = render(hook.url, in);
        for (const auto& [name, value] : hook.headers)
            req.headers.emplace_back(name, render(value, in));
        if (hook.hasBody && hasEntity(req.method)) {
            req.body = hook.binary ? hook.body.first : render(hook.body, in);
            req.sendBody = true;
        } else if (hasEntity(req.method)) {
            req.sendBody = true;  // Content-Length: 0, as WireMock's client sends
        }
    } catch (const std::exception& e) {
        return fail(std::string("Exception thrown while configuring webhook: ") + e.what());
    }
    http::Url url;
    std::string err;
    if (!http::parseUrl(req.url, url, err))
        return fail("Exception thrown while configuring webhook: " + err);
    if (pending_.fetch_add(1, std::memory_order_relaxed) >= maxPending_) {
        pending_.fetch_sub(1, std::memory_order_relaxed);
        return fail("webhook queue full (" + std::to_string(maxPending_) +
                    " pending): " + req.method + " " + req.url + " dropped");
    }
    std::call_once(started_, [this] { start(); });
    req.timeout = std::chrono::seconds(30);
    const uint32_t delay = afterMs + hook.delay.sample();
    asio::io_context& ctx = *ctx_;
    asio::post(ctx, [this, &ctx, req = std::move(req), url = std::move(url), delay,
                     log = std::move(log)]() mutable {
        auto timer = std::make_shared<asio::steady_timer>(ctx, std::chrono::milliseconds(delay));
        timer->async_wait([this, &ctx, timer, req = std::move(req), url = std::move(url),
                           log = std::move(log)](const boost::system::error_code& ec) mutable {
            if (ec) {
                pending_.fetch_sub(1, std::memory_order_relaxed);
                return;
            }
            if (log) log->add(requestEvent(req, url));
            const std::string what = req.method + " " + req.url;
            http::fetch(ctx, std::move(req), [this, what, log](http::ClientResponse res) {
                pending_.fetch_sub(1, std::memory_order_relaxed);
                if (res.status == 0) {
                    const std::string message = "Failed to fire webhook " + what + ": " + res.error;
                    log::warn("webhook failed", {{"webhook", what}, {"error", res.error}});
                    if (log)
                        log->add(core::jsonText(OJson({{"type", "ERROR"},
                                                       {"timeOffsetNanos", 0},
                                                       {"data", {{"message", message}}}})));
                    return;
                }
                log::info("webhook sent", {{"webhook", what}, {"status", res.status}});
                if (!log) return;
                OJson data = {{"status", res.status},
                              {"headers", headersJson(res.headers)},
                              {"bodyAsBase64", core::base64Encode(res.body)},
                              {"body", res.body}};
                log->add(core::jsonText(OJson({{"type", "WEBHOOK_RESPONSE"},
                                               {"timeOffsetNanos", 0},
                                               {"data", std::move(data)}})));
            });
        });
    });
}

}  // namespace mockd::wiremock
