// What a TLS client proved about itself: the certificate it presented on the HTTPS port, read
// once per connection. Matchers (`matcher.mtls`) and templates (`{{mtls.*}}`) read it.
#pragma once

#include <string>
#include <vector>

namespace mockd::core {

struct ClientCert {
    bool present = false;   // the client sent a certificate
    bool verified = false;  // and it chains to a configured CA
    std::string cn, o, ou;  // subject (first value of each)
    std::vector<std::string> organizations, organizationalUnits;
    std::string serial;               // decimal, as Go's big.Int prints it
    std::string fingerprint;          // SHA-256 of the DER certificate, lowercase hex
    std::string notBefore, notAfter;  // RFC 3339, UTC
    std::string issuerCn;
    std::vector<std::string> sanDns, sanEmail, sanIp, sanUri;
};

}  // namespace mockd::core
