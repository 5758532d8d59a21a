// The HTTPS port's certificates and settings (the handshakes themselves are tested end to end).
#include "net/tls.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fstream>

namespace mockd::net {
namespace {

TEST(ClientAuth, MockdsFiveModeNames) {
    for (const char* name :
         {"none", "request", "require", "verify-if-given", "require-and-verify"}) {
        ClientAuth mode{};
        ASSERT_TRUE(parseClientAuth(name, mode)) << name;
        EXPECT_STREQ(clientAuthName(mode), name);
    }
    ClientAuth mode{};
    EXPECT_FALSE(parseClientAuth("Require", mode));
    EXPECT_FALSE(parseClientAuth("", mode));
}

TEST(SelfSigned, ForLocalhostAndItsAddresses) {
    PemPair pem = makeSelfSigned({"localhost", "127.0.0.1", "::1"});
    BIO* bio = BIO_new_mem_buf(pem.cert.data(), static_cast<int>(pem.cert.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    ASSERT_NE(cert, nullptr);
    EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(cert, "::1", 0), 1);
    EXPECT_NE(X509_check_host(cert, "example.com", 0, 0, nullptr), 1);
    // Its own issuer, so that trusting this one certificate verifies the server.
    EXPECT_EQ(X509_check_issued(cert, cert), X509_V_OK);
    X509_free(cert);
    EXPECT_NE(pem.key.find("PRIVATE KEY"), std::string::npos);
    EXPECT_NE(makeSelfSigned({"localhost"}).cert, pem.cert);  // a new key and serial each time
}

TEST(ServerContext, NeedsACertificate) {
    TlsSettings s;
    EXPECT_THROW(makeServerContext(s), std::runtime_error);
    s.autoCert = true;
    EXPECT_NE(makeServerContext(s), nullptr);
    s.mtls = true;  // require-and-verify without a CA
    try {
        makeServerContext(s);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("needs a CA file (--mtls-ca)"), std::string::npos);
    }
    s.clientAuth = ClientAuth::Request;  // asks without verifying: no CA needed
    EXPECT_NE(makeServerContext(s), nullptr);
}

TEST(ServerContext, PemFilesFromDisk) {
    PemPair pem = makeSelfSigned({"localhost"});
    const std::string dir = ::testing::TempDir();
    std::ofstream(dir + "c.pem") << pem.cert;
    std::ofstream(dir + "k.pem") << pem.key;
    std::ofstream(dir + "other.pem") << makeSelfSigned({"localhost"}).key;
    TlsSettings s;
    s.certFile = dir + "c.pem";
    s.keyFile = dir + "k.pem";
    EXPECT_NE(makeServerContext(s), nullptr);
    s.keyFile = dir + "other.pem";
    try {
        makeServerContext(s);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(
            std::string(e.what()),
            dir + "other.pem: the key does not belong to the certificate in " + dir + "c.pem");
    }
}

TEST(AllowedLists, CnAndAnyOu) {
    core::ClientCert c;
    c.cn = "alice";
    c.organizationalUnits = {"payments", "eng"};
    TlsSettings s;
    EXPECT_TRUE(allowedByLists(c, s));
    s.allowedCNs = {"bob", "alice"};
    EXPECT_TRUE(allowedByLists(c, s));
    s.allowedOUs = {"eng"};
    EXPECT_TRUE(allowedByLists(c, s));
    s.allowedOUs = {"sales"};
    EXPECT_FALSE(allowedByLists(c, s));
    s.allowedOUs.clear();
    s.allowedCNs = {"bob"};
    EXPECT_FALSE(allowedByLists(c, s));
}

}  // namespace
}  // namespace mockd::net
