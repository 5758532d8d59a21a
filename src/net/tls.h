// TLS for the HTTPS port: the server context (a certificate from files, a PKCS#12 keystore, or
// one made at start-up), client-certificate modes and CA lists, and what a client's certificate
// says once the handshake is done.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

#include "core/client_cert.h"

namespace boost::asio::ssl {
class context;
}

namespace mockd::net {

// How a client certificate is asked for (Go's tls.ClientAuthType, by mockd's names).
enum class ClientAuth {
    None,              // none: never asked for
    Request,           // request: asked for, not required, not verified
    Require,           // require: required, not verified
    VerifyIfGiven,     // verify-if-given: verified when sent
    RequireAndVerify,  // require-and-verify: required and verified
};

// Parses a mode name; false when it is none of the five.
bool parseClientAuth(const std::string& name, ClientAuth& out);
const char* clientAuthName(ClientAuth mode);

struct TlsSettings {
    std::string certFile, keyFile;  // PEM
    std::string keystore;           // PKCS#12 (WireMock's --https-keystore)
    std::string keystorePassword;
    bool autoCert = false;  // make a self-signed certificate for localhost at start-up
    bool mtls = false;
    ClientAuth clientAuth = ClientAuth::RequireAndVerify;
    std::vector<std::string> caFiles;  // PEM bundles the client certificates must chain to
    std::string truststore;            // or a PKCS#12 truststore (WireMock's --https-truststore)
    std::string truststorePassword;
    std::vector<std::string> allowedCNs, allowedOUs;  // empty: any
};

// The server context for these settings. Throws std::runtime_error with a message that names
// the file or setting at fault.
std::shared_ptr<boost::asio::ssl::context> makeServerContext(const TlsSettings& s);

// What a listener serving HTTPS holds: the context, and the settings its connections check
// client certificates against.
struct TlsServer {
    std::shared_ptr<boost::asio::ssl::context> ctx;
    TlsSettings settings;
};

// A self-signed certificate and its key, PEM, for `hosts` (DNS names or IP addresses; the
// first is the subject's CN). Valid from an hour ago for a year.
struct PemPair {
    std::string cert, key;
};
PemPair makeSelfSigned(const std::vector<std::string>& hosts);

// What the peer of an established connection presented.
core::ClientCert readClientCert(SSL* ssl);

// Whether the certificate passes the allowed CN and OU lists (empty lists allow anything).
bool allowedByLists(const core::ClientCert& cert, const TlsSettings& s);

}  // namespace mockd::net
