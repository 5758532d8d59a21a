#include "net/tls.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <boost/asio/ssl/context.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <stdexcept>

namespace mockd::net {

namespace ssl = boost::asio::ssl;

namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using P12Ptr = std::unique_ptr<PKCS12, Deleter<PKCS12, PKCS12_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

// The reason OpenSSL gave for the last failure, and the error queue cleared.
std::string sslReason() {
    unsigned long e = ERR_peek_last_error();
    std::string out;
    if (e != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        const char* reason = ERR_reason_error_string(e);
        out = reason ? reason : buf;
    }
    ERR_clear_error();
    return out.empty() ? "unknown error" : out;
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

bool readable(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    return static_cast<bool>(in);
}

std::string slurp(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A PKCS#12 file's key, certificate and other certificates. JKS, Java's older format, is named
// as such with the command that converts it.
struct Pkcs12Contents {
    PkeyPtr key;
    X509Ptr cert;
    STACK_OF(X509) * chain = nullptr;
    Pkcs12Contents() = default;
    Pkcs12Contents(const Pkcs12Contents&) = delete;
    Pkcs12Contents& operator=(const Pkcs12Contents&) = delete;
    ~Pkcs12Contents() { sk_X509_pop_free(chain, X509_free); }
};

void openPkcs12(const std::string& file, const std::string& password, const char* flag,
                Pkcs12Contents& out) {
    if (!readable(file)) fail(file + ": cannot read the " + std::string(flag + 8));
    std::string bytes = slurp(file);
    if (bytes.size() >= 4 && static_cast<unsigned char>(bytes[0]) == 0xFE &&
        static_cast<unsigned char>(bytes[1]) == 0xED &&
        static_cast<unsigned char>(bytes[2]) == 0xFE &&
        static_cast<unsigned char>(bytes[3]) == 0xED)
        fail(file +
             ": a JKS keystore; convert it to PKCS#12 (keytool -importkeystore -srckeystore " +
             file + " -destkeystore store.p12 -deststoretype PKCS12)");
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    P12Ptr p12(d2i_PKCS12_bio(bio.get(), nullptr));
    if (!p12) fail(file + ": not a PKCS#12 file (" + sslReason() + ")");
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    if (!PKCS12_parse(p12.get(), password.c_str(), &key, &cert, &out.chain))
        fail(file + ": cannot open it (wrong password for " + flag + "?): " + sslReason());
    out.key.reset(key);
    out.cert.reset(cert);
}

void useKeystore(SSL_CTX* ctx, const TlsSettings& s) {
    Pkcs12Contents p;
    openPkcs12(s.keystore, s.keystorePassword, "--https-keystore", p);
    EVP_PKEY* key = p.key.get();
    X509* cert = p.cert.get();
    STACK_OF(X509)* chain = p.chain;
    if (!key || !cert) fail(s.keystore + ": the keystore holds no private key and certificate");
    bool ok = SSL_CTX_use_certificate(ctx, cert) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1;
    for (int i = 0; ok && chain && i < sk_X509_num(chain); ++i)
        ok = SSL_CTX_add1_chain_cert(ctx, sk_X509_value(chain, i)) == 1;
    if (!ok) fail(s.keystore + ": " + sslReason());
}

void usePemFiles(SSL_CTX* ctx, const TlsSettings& s) {
    if (s.certFile.empty()) fail("--tls-key needs --tls-cert");
    if (s.keyFile.empty()) fail("--tls-cert needs --tls-key");
    if (!readable(s.certFile)) fail(s.certFile + ": cannot read the certificate file");
    if (!readable(s.keyFile)) fail(s.keyFile + ": cannot read the key file");
    if (SSL_CTX_use_certificate_chain_file(ctx, s.certFile.c_str()) != 1)
        fail(s.certFile + ": not a PEM certificate (" + sslReason() + ")");
    std::string pem = slurp(s.keyFile);
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) fail(s.keyFile + ": not a PEM private key (" + sslReason() + ")");
    if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        ERR_clear_error();
        fail(s.keyFile + ": the key does not belong to the certificate in " + s.certFile);
    }
}

void usePem(SSL_CTX* ctx, const PemPair& pem) {
    BioPtr cb(BIO_new_mem_buf(pem.cert.data(), static_cast<int>(pem.cert.size())));
    X509Ptr cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    BioPtr kb(BIO_new_mem_buf(pem.key.data(), static_cast<int>(pem.key.size())));
    PkeyPtr key(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    if (!cert || !key || SSL_CTX_use_certificate(ctx, cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, key.get()) != 1)
        fail("cannot use the generated certificate: " + sslReason());
}

// Accepts every chain: the modes that ask for a certificate without verifying it. The result
// of the verification is still recorded (ClientCert::verified).
int acceptAny(int, X509_STORE_CTX*) { return 1; }

// Offers only HTTP/1.1 when the client uses ALPN.
int selectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void*) {
    static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    unsigned char* selected = nullptr;
    if (SSL_select_next_proto(&selected, outlen, kHttp11, sizeof kHttp11, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

void configureClientAuth(SSL_CTX* ctx, const TlsSettings& s) {
    if (!s.mtls || s.clientAuth == ClientAuth::None) return;
    const bool verify =
        s.clientAuth == ClientAuth::VerifyIfGiven || s.clientAuth == ClientAuth::RequireAndVerify;
    if (verify && s.caFiles.empty() && s.truststore.empty())
        fail(std::string("mTLS mode ") + clientAuthName(s.clientAuth) +
             " verifies client certificates and needs a CA file (--mtls-ca)");
    STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
    for (const auto& f : s.caFiles) {
        if (!readable(f)) {
            sk_X509_NAME_pop_free(names, X509_NAME_free);
            fail(f + ": cannot read the CA file");
        }
        if (SSL_CTX_load_verify_locations(ctx, f.c_str(), nullptr) != 1 ||
            SSL_add_file_cert_subjects_to_stack(names, f.c_str()) != 1) {
            sk_X509_NAME_pop_free(names, X509_NAME_free);
            fail(f + ": not a PEM CA certificate (" + sslReason() + ")");
        }
    }
    if (!s.truststore.empty()) {
        Pkcs12Contents p;
        try {
            openPkcs12(s.truststore, s.truststorePassword, "--https-truststore", p);
        } catch (...) {
            sk_X509_NAME_pop_free(names, X509_NAME_free);
            throw;
        }
        X509_STORE* store = SSL_CTX_get_cert_store(ctx);
        auto add = [&](X509* c) {
            X509_STORE_add_cert(store, c);
            sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(c)));
        };
        if (p.cert) add(p.cert.get());
        for (int i = 0; p.chain && i < sk_X509_num(p.chain); ++i) add(sk_X509_value(p.chain, i));
    }
    // Tells clients which CAs are accepted, so they pick the right certificate.
    SSL_CTX_set_client_CA_list(ctx, names);
    int mode = SSL_VERIFY_PEER;
    if (s.clientAuth == ClientAuth::Require || s.clientAuth == ClientAuth::RequireAndVerify)
        mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, verify ? nullptr : acceptAny);
    static const unsigned char kSessionContext[] = "mockd-https";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
}

std::string asn1Time(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return {};
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::vector<std::string> nameEntries(const X509_NAME* name, int nid) {
    std::vector<std::string> out;
    for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(name, nid, i)) {
        const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
        unsigned char* utf8 = nullptr;
        int len = ASN1_STRING_to_UTF8(&utf8, data);
        if (len >= 0) out.emplace_back(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
        OPENSSL_free(utf8);
    }
    return out;
}

std::string ia5(const ASN1_IA5STRING* s) {
    return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
            static_cast<size_t>(ASN1_STRING_length(s))};
}

std::string ipText(const ASN1_OCTET_STRING* s) {
    char buf[INET6_ADDRSTRLEN] = {};
    const unsigned char* p = ASN1_STRING_get0_data(s);
    int len = ASN1_STRING_length(s);
    if (len == 4) inet_ntop(AF_INET, p, buf, sizeof buf);
    if (len == 16) inet_ntop(AF_INET6, p, buf, sizeof buf);
    return buf;
}

void addExt(X509* cert, int nid, const char* value) {
    X509V3_CTX v3{};
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
        fail("cannot make the certificate: " + sslReason());
}

std::string pemOf(const std::function<int(BIO*)>& write) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (write(bio.get()) != 1) fail("cannot encode the certificate: " + sslReason());
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<size_t>(len)};
}

}  // namespace

bool parseClientAuth(const std::string& name, ClientAuth& out) {
    static const std::pair<const char*, ClientAuth> kModes[] = {
        {"none", ClientAuth::None},
        {"request", ClientAuth::Request},
        {"require", ClientAuth::Require},
        {"verify-if-given", ClientAuth::VerifyIfGiven},
        {"require-and-verify", ClientAuth::RequireAndVerify}};
    for (const auto& [n, m] : kModes)
        if (name == n) {
            out = m;
            return true;
        }
    return false;
}

const char* clientAuthName(ClientAuth mode) {
    switch (mode) {
        case ClientAuth::None:
            return "none";
        case ClientAuth::Request:
            return "request";
        case ClientAuth::Require:
            return "require";
        case ClientAuth::VerifyIfGiven:
            return "verify-if-given";
        case ClientAuth::RequireAndVerify:
            return "require-and-verify";
    }
    return "none";
}

PemPair makeSelfSigned(const std::vector<std::string>& hosts) {
    PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) fail("cannot make a key: " + sslReason());
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;  // a positive serial number
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    const std::string cn = hosts.empty() ? "localhost" : hosts.front();
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("mockd"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    std::string san;
    for (const auto& h : hosts) {
        unsigned char buf[16];
        bool ip =
            inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
        san += (san.empty() ? "" : ",") + std::string(ip ? "IP:" : "DNS:") + h;
    }
    // Its own issuer: a client that trusts this one file can verify the server with it.
    addExt(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    addExt(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    addExt(cert.get(), NID_ext_key_usage, "serverAuth");
    if (!san.empty()) addExt(cert.get(), NID_subject_alt_name, san.c_str());
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        fail("cannot sign the certificate: " + sslReason());
    PemPair out;
    out.cert = pemOf([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
    out.key = pemOf([&](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    return out;
}

std::shared_ptr<ssl::context> makeServerContext(const TlsSettings& s) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = ctx->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (!s.keystore.empty()) {
        useKeystore(native, s);
    } else if (!s.certFile.empty() || !s.keyFile.empty()) {
        usePemFiles(native, s);
    } else if (s.autoCert) {
        usePem(native, makeSelfSigned({"localhost", "127.0.0.1", "::1"}));
    } else {
        fail("HTTPS needs a certificate: --tls-cert and --tls-key, or --tls-auto");
    }
    SSL_CTX_set_alpn_select_cb(native, selectAlpn, nullptr);
    configureClientAuth(native, s);
    return ctx;
}

core::ClientCert readClientCert(SSL* ssl) {
    core::ClientCert c;
    X509* cert = SSL_get0_peer_certificate(ssl);
    if (!cert) return c;
    c.present = true;
    c.verified = SSL_get_verify_result(ssl) == X509_V_OK &&
                 (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) &&
                 SSL_CTX_get_verify_callback(SSL_get_SSL_CTX(ssl)) == nullptr;
    const X509_NAME* subject = X509_get_subject_name(cert);
    auto cns = nameEntries(subject, NID_commonName);
    if (!cns.empty()) c.cn = cns.front();
    c.organizations = nameEntries(subject, NID_organizationName);
    c.organizationalUnits = nameEntries(subject, NID_organizationalUnitName);
    if (!c.organizations.empty()) c.o = c.organizations.front();
    if (!c.organizationalUnits.empty()) c.ou = c.organizationalUnits.front();
    auto issuerCns = nameEntries(X509_get_issuer_name(cert), NID_commonName);
    if (!issuerCns.empty()) c.issuerCn = issuerCns.front();
    if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
        if (char* dec = BN_bn2dec(bn)) {
            c.serial = dec;
            OPENSSL_free(dec);
        }
        BN_free(bn);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdLen = 0;
    if (X509_digest(cert, EVP_sha256(), md, &mdLen) == 1) {
        static const char kHex[] = "0123456789abcdef";
        for (unsigned i = 0; i < mdLen; ++i) {
            c.fingerprint += kHex[md[i] >> 4];
            c.fingerprint += kHex[md[i] & 15];
        }
    }
    c.notBefore = asn1Time(X509_get0_notBefore(cert));
    c.notAfter = asn1Time(X509_get0_notAfter(cert));
    auto* names =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
        if (g->type == GEN_DNS) c.sanDns.push_back(ia5(g->d.dNSName));
        if (g->type == GEN_EMAIL) c.sanEmail.push_back(ia5(g->d.rfc822Name));
        if (g->type == GEN_URI) c.sanUri.push_back(ia5(g->d.uniformResourceIdentifier));
        if (g->type == GEN_IPADD) c.sanIp.push_back(ipText(g->d.iPAddress));
    }
    GENERAL_NAMES_free(names);
    ERR_clear_error();
    return c;
}

bool allowedByLists(const core::ClientCert& cert, const TlsSettings& s) {
    auto in = [](const std::vector<std::string>& list, const std::string& v) {
        return std::find(list.begin(), list.end(), v) != list.end();
    };
    if (!s.allowedCNs.empty() && !in(s.allowedCNs, cert.cn)) return false;
    if (!s.allowedOUs.empty()) {
        bool any = false;
        for (const auto& ou : cert.organizationalUnits) any = any || in(s.allowedOUs, ou);
        if (!any) return false;
    }
    return true;
}

}  // namespace mockd::net
