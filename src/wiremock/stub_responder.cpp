// WireMock stubs, answered.
#include "wiremock/stub_responder.h"

#include <filesystem>

#include "core/body_file.h"
#include "core/encoding.h"
#include "http/local_reply.h"
#include "http/proxy.h"
#include "wiremock/admin_api.h"
#include "wiremock/request_pattern.h"
#include "wiremock/templating.h"
#include "wiremock/webhooks.h"

namespace mockd::wiremock {

using http::Response;

namespace {

// A body file's text compiled as a template, or why it cannot be.
struct CompiledBodyFile {
    std::string text;
    HandlebarsPtr compiled;
    std::string error;
};

// WireMock answers a template it cannot compile or a body file it cannot read with Jetty's
// server error page.
void serverErrorPage(Response& res, const std::string& message, std::string extraHeaders = {}) {
    http::local_reply::jettyError(res, 500, message, std::move(extraHeaders));
}

std::string stubHeaders(const core::Mock& mock) {
    std::string lines;
    core::appendHeaderLine(lines, "Matched-Stub-Id", mock.id);
    if (!mock.name.empty()) core::appendHeaderLine(lines, "Matched-Stub-Name", mock.name);
    return lines;
}

bool framingHeader(std::string_view name) {
    return core::iequals(name, "Content-Length") || core::iequals(name, "Transfer-Encoding") ||
           core::iequals(name, "Connection") || core::iequals(name, "Date");
}

// What a stub's templates see of a request.
TemplateInput templateInput(const core::MatchInput& in, const Stub& stub) {
    TemplateInput input;
    input.request = &wmView(in);
    input.requestId = core::newUuid();
    input.pathParams = stub.pattern->pathParameters(wmView(in));
    input.parameters = &stub.transformerParameters;
    return input;
}

// The body of a templated answer: the body template, the body file (its name and text may be
// templates), or the plain body. False, with the error page in `res`, when it failed.
bool renderBody(const Stub& stub, const core::HttpResponse& r, const TemplateInput& input,
                std::string& body, Response& res) {
    if (stub.bodyTemplate) {
        body = stub.bodyTemplate->render(input);
        return true;
    }
    if (stub.bodyFileName.empty()) {
        body = r.body;
        return true;
    }
    std::string name =
        stub.bodyFileTemplate ? stub.bodyFileTemplate->render(input) : stub.bodyFileName;
    std::filesystem::path rel(name);
    for (const auto& part : rel)
        if (part == "..") {
            serverErrorPage(res, "bodyFileName must stay inside __files: " + name);
            return false;
        }
    std::string path =
        stub.bodyFileTemplate
            ? (std::filesystem::path(stub.filesDir) / rel).lexically_normal().string()
            : r.bodyFile;
    std::string raw, err;
    if (!core::readBodyFile(path, raw, err)) {
        serverErrorPage(res, err);
        return false;
    }
    if (!hasTemplate(raw)) {
        body = std::move(raw);
        return true;
    }
    const CompiledBodyFile& f = core::compiledFile<CompiledBodyFile>(
        path, raw, [&](const std::string& t, CompiledBodyFile& e) {
            try {
                e.compiled = HandlebarsTemplate::compile(t);
            } catch (const TemplateError& te) {
                e.error = path + ":" + std::to_string(te.line()) + ":" +
                          std::to_string(te.column()) + ": " + te.what();
            }
        });
    if (!f.compiled) {
        serverErrorPage(res, f.error);
        return false;
    }
    body = f.compiled->render(input);
    return true;
}

// The whole templated answer: headers and body rendered for this request.
void renderTemplated(const core::MatchInput& in, const core::Mock& mock, const Stub& stub,
                     Response& res) {
    if (!stub.templateError.empty()) return serverErrorPage(res, stub.templateError);
    const core::HttpResponse& r = mock.response;
    const TemplateInput input = templateInput(in, stub);
    try {
        std::string headers = stubHeaders(mock);
        for (size_t i = 0; i < r.headers.size(); ++i) {
            const auto& [name, value] = r.headers[i];
            if (framingHeader(name)) continue;
            const auto* t =
                i < stub.headerTemplates.size() ? stub.headerTemplates[i].second.get() : nullptr;
            core::appendHeaderLine(headers, name, t ? t->render(input) : value);
        }
        std::string body;
        if (!renderBody(stub, r, input, body, res)) return;
        res.status = r.statusCode;
        res.reason = r.statusMessage;
        res.headers = std::move(headers);
        res.setBody(std::move(body));
    } catch (const TemplateError& e) {
        serverErrorPage(res, e.what());
    } catch (const TemplateRuntimeError& e) {
        serverErrorPage(res, e.what(), stubHeaders(mock));
    }
}

}  // namespace

StubResponder::StubResponder(ResponderOptions options)
    : options_(options), webhooks_(std::make_unique<WebhookSender>()) {}

StubResponder::~StubResponder() = default;

bool StubResponder::templated(const Stub& stub) const {
    return options_.templating == Templating::Global ||
           (options_.templating == Templating::Local && stub.responseTemplate);
}

engine::Outcome StubResponder::respond(const engine::MatchedCall& call, Response& res) {
    const Stub& stub = *stubOf(call.mock.mock());
    // As in WireMock, a proxy stub forwards even when it also names a fault.
    if (stub.proxy) return proxy(call, stub, res);
    const core::HttpResponse& r = call.response.response();
    engine::Outcome out;
    res.status = r.statusCode;
    if (stub.hasTemplates() && templated(stub)) {
        renderTemplated(call.input, call.mock.mock(), stub, res);
    } else {
        out.error = answer(call, res);
    }
    res.delivery.delayMs = delayOf(r);
    if (r.fault != core::Fault::None || r.dribble.chunks > 0) http::deliverAsMocked(r, res);
    if (r.fault != core::Fault::None && out.error.empty())
        out.error = "injected fault " + std::string(core::faultName(r.fault));
    // Webhooks go out once the answer is sent, so after its delay.
    if (!stub.webhooks.empty())
        out.subEvents = fireWebhooks(call.input, stub, res.delivery.delayMs);
    return out;
}

std::string StubResponder::answer(const engine::MatchedCall& call, Response& res) const {
    const match::CompiledResponse& cr = call.response;
    const core::HttpResponse& r = cr.response();
    res.reason = r.statusMessage;
    res.fixedHeaders = cr.headers();
    if (!(r.body.empty() && !r.bodyFile.empty())) {
        res.bodyRef = &r.body;
        return {};
    }
    std::string error;
    if (!core::readBodyFile(r.bodyFile, res.body, error)) {
        // (A stub's own 500 is an answer like any other: only a failure replaces it.)
        serverErrorPage(res, error);
        return error;
    }
    return {};
}

uint32_t StubResponder::delayOf(const core::HttpResponse& r) const {
    if (!options_.api) return r.delayMs + r.delayDistribution.sample();
    uint32_t delay = r.delaySet ? r.delayMs : options_.api->globalDelayMs();
    return delay + (r.delayDistribution.empty() ? options_.api->sampleGlobalDistribution()
                                                : r.delayDistribution.sample());
}

std::shared_ptr<journal::SubEvents> StubResponder::fireWebhooks(const core::MatchInput& in,
                                                                const Stub& stub,
                                                                uint32_t afterMs) {
    auto log = options_.journal ? std::make_shared<journal::SubEvents>() : nullptr;
    const TemplateInput input = templateInput(in, stub);
    for (const auto& hook : stub.webhooks) webhooks_->fire(*hook, input, afterMs, log);
    return log;
}

engine::Outcome StubResponder::proxy(const engine::MatchedCall& call, const Stub& stub,
                                     Response& res) {
    const StubProxy& px = *stub.proxy;
    const core::Mock& mock = call.mock.mock();
    const core::HttpResponse& r = mock.response;
    http::ProxySpec spec;
    std::string base = px.baseUrl;
    engine::Outcome out;
    if (templated(stub)) {
        // The upstream URL and the added request headers are templates too.
        auto fail = [&](const std::string& message, std::string extra) {
            serverErrorPage(res, message, std::move(extra));
            out.error = message;
            return out;
        };
        if (!stub.templateError.empty()) return fail(stub.templateError, {});
        const TemplateInput input = templateInput(call.input, stub);
        try {
            if (px.baseUrlTemplate) base = px.baseUrlTemplate->render(input);
            for (size_t i = 0; i < px.addHeaders.size(); ++i) {
                const auto& t = px.addHeaderTemplates[i];
                spec.addHeaders.emplace_back(px.addHeaders[i].first,
                                             t ? t->render(input) : px.addHeaders[i].second);
            }
        } catch (const TemplateError& e) {
            return fail(e.what(), {});
        } catch (const TemplateRuntimeError& e) {
            return fail(e.what(), stubHeaders(mock));
        }
    } else {
        spec.addHeaders = px.addHeaders;
    }
    spec.url = http::proxyUrl(base, call.request, px.prefixToRemove);
    spec.removeHeaders = px.removeHeaders;
    spec.preserveHost = options_.preserveHost;
    spec.timeout = options_.proxyTimeout;
    engine::Forward fw;
    fw.request = http::upstreamRequest(call.request, spec);
    // The stub's own response headers are added to the upstream's. (No Matched-Stub-Id: the
    // answer is the upstream's, as WireMock sends it.)
    for (const auto& [name, value] : r.headers)
        if (!framingHeader(name)) core::appendHeaderLine(fw.extraHeaders, name, value);
    fw.delayMs = delayOf(r);
    fw.dribble = r.dribble;
    fw.failure = wireMockProxyFailure();
    // (Sent while the upstream answers, not after: the request model is gone by then.)
    if (!stub.webhooks.empty()) out.subEvents = fireWebhooks(call.input, stub, fw.delayMs);
    out.forward = std::move(fw);
    return out;
}

engine::ProxyFailure wireMockProxyFailure() {
    return [](const std::string& url, const http::ClientResponse& up, Response& res) {
        // WireMock's answer when the upstream cannot be reached.
        res.status = 500;
        res.setBody("Network failure trying to make a proxied request from WireMock to " + url +
                    "\r\n" + up.error);
    };
}

}  // namespace mockd::wiremock
