#include "http/held_request.h"

namespace mockd::http {

HeldRequest::HeldRequest(const core::Request& req)
    : method_(req.method),
      target_(req.target),
      path_(req.path),
      body_(req.body),
      remoteAddress_(req.remoteAddress) {
    if (req.clientCert) clientCert_ = std::make_unique<const core::ClientCert>(*req.clientCert);
    headers_.reserve(req.headers.size());
    for (const auto& h : req.headers) headers_.emplace_back(h.name, h.value);
    request_ = req;
    request_.method = method_;
    request_.target = target_;
    // rawPath and rawQuery are the parts of the target around its '?'.
    const std::string_view t = target_;
    const size_t q = t.find('?');
    request_.rawPath = t.substr(0, q);
    request_.rawQuery = q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
    request_.path = path_;
    request_.body = body_;
    request_.remoteAddress = remoteAddress_;
    request_.clientCert = clientCert_.get();
    request_.headers.clear();
    for (const auto& [name, value] : headers_) request_.headers.push_back({name, value});
}

}  // namespace mockd::http
