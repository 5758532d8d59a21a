"""HTTPS on --https-port: certificates from files, keystores or made at start-up; mTLS modes,
CA lists and allowed CNs; matcher.mtls and {{mtls.*}} templates; WireMock's HTTPS flags.

Certificates are made with the openssl command line once per module: a CA, a server
certificate for localhost signed by it, client certificates signed by it (alice, bob) and one
self-signed client certificate nobody trusts (mallory). Clients are Python's ssl module and
requests, as a test suite would use them.
"""

import hashlib
import json
import os
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import requests
import urllib3

from conftest import collection, http_mock, run_mockd, write_config

# verify=False and TLS 1.1 are used on purpose
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning",
                                        "ignore::DeprecationWarning")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Test Root CA/O=tests",
            cwd=d)

    def leaf(name, subj, ext, ca=True):
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subj, cwd=d)
        (d / f"{name}.ext").write_text(ext)
        if ca:
            openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                    "-CAcreateserial", "-days", "2", "-out", f"{name}.pem", "-extfile",
                    f"{name}.ext", cwd=d)
        else:
            openssl("x509", "-req", "-in", f"{name}.csr", "-signkey", f"{name}.key", "-days", "2",
                    "-out", f"{name}.pem", "-extfile", f"{name}.ext", cwd=d)

    leaf("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    leaf("alice", "/CN=alice/OU=payments/OU=eng/O=Acme Corp",
         "subjectAltName=DNS:alice.svc.example.com,email:alice@example.com,IP:10.1.2.3,"
         "URI:spiffe://example.com/alice\nextendedKeyUsage=clientAuth\n")
    leaf("bob", "/CN=bob/OU=sales/O=Other Inc", "extendedKeyUsage=clientAuth\n")
    leaf("mallory", "/CN=alice/OU=payments/O=Acme Corp", "extendedKeyUsage=clientAuth\n",
         ca=False)
    return d


def cert_der(path):
    return ssl.PEM_cert_to_DER_cert(Path(path).read_text())


def cert_field(path, *args):
    out = subprocess.run(["openssl", "x509", "-in", str(path), "-noout", *args], check=True,
                         capture_output=True, text=True).stdout.strip()
    return out.split("=", 1)[1]


def tls_client(ca=None, cert=None, key=None):
    ctx = ssl.create_default_context(cafile=ca) if ca else ssl._create_unverified_context()
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def https_get(port, path, ctx, host="localhost", headers=None):
    """One HTTPS request with the given client context; returns (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=host) as s:
            extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}\r\n"
                      .encode())
            data = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except (ssl.SSLEOFError, ConnectionResetError):
                    break
                if not chunk:
                    break
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(": ")
        hdrs[k.lower()] = v
    return status, hdrs, body


def refused(port, ctx, path="/hello"):
    """The handshake (or the first read after it, in TLS 1.3) fails: the server refused us."""
    try:
        https_get(port, path, ctx)
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError, IndexError, OSError):
        return True
    return False


HELLO = http_mock("hello", {"method": "GET", "path": "/hello"},
                  {"statusCode": 200, "body": "hello over tls"})


def engine_tls(serve, *flags, mocks=(HELLO,)):
    port = free_port()
    srv = serve((collection(*mocks)), "--https-port", port, *flags, name="m.json")
    srv.https_port = port
    wait_https(port)
    return srv


def wait_https(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)
    raise AssertionError(f"nothing listens on the HTTPS port {port}")


# --------------------------------------------------------------------------- server certificates


def test_auto_cert_serves_https_beside_http(serve, tmp_path):
    srv = engine_tls(serve, "--tls-auto")
    pem = ssl.get_server_certificate(("127.0.0.1", srv.https_port))
    (tmp_path / "served.pem").write_text(pem)
    # The certificate made at start-up verifies itself: a client can trust that one file.
    r = requests.get(f"https://localhost:{srv.https_port}/hello", verify=str(tmp_path / "served.pem"),
                     timeout=5)
    assert r.status_code == 200 and r.text == "hello over tls"
    subject = subprocess.run(["openssl", "x509", "-noout", "-subject", "-ext", "subjectAltName"],
                             input=pem, capture_output=True, text=True, check=True).stdout
    assert "CN = localhost" in subject and "O = mockd" in subject
    assert "DNS:localhost" in subject and "IP Address:127.0.0.1" in subject
    # The HTTP port serves the same mocks.
    assert srv.get("/hello").text == "hello over tls"


def test_https_port_alone_makes_a_certificate_and_auto_cert_false_refuses(serve, tmp_path):
    srv = engine_tls(serve)
    status, _, body = https_get(srv.https_port, "/hello", tls_client())
    assert (status, body) == (200, b"hello over tls")
    cfg = write_config(tmp_path, (collection(HELLO)), "c.json")
    r = run_mockd(["engine", "-c", cfg, "-p", "0", "--https-port", str(free_port()),
                   "--auto-cert=false"])
    assert r.returncode == 2
    assert "HTTPS needs a certificate: --tls-cert and --tls-key, or --tls-auto" in r.stderr


def test_certificate_and_key_files(serve, pki):
    srv = engine_tls(serve, "--tls-cert", pki / "server.pem", "--tls-key", pki / "server.key")
    r = requests.get(f"https://localhost:{srv.https_port}/hello", verify=str(pki / "ca.pem"),
                     timeout=5)
    assert r.status_code == 200 and r.text == "hello over tls"
    served = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(("127.0.0.1", srv.https_port)))
    assert served == cert_der(pki / "server.pem")
    # A client that trusts nothing of ours refuses the connection; the server keeps serving.
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"https://localhost:{srv.https_port}/hello", timeout=5)
    assert requests.get(f"https://localhost:{srv.https_port}/hello", verify=str(pki / "ca.pem"),
                        timeout=5).status_code == 200


def test_tls_1_0_and_1_1_are_refused(serve):
    srv = engine_tls(serve, "--tls-auto")
    ctx = tls_client()
    ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    try:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    except ssl.SSLError:
        pass
    # The server's alert, not the client's inability to offer TLS 1.1.
    with pytest.raises(ssl.SSLError, match="PROTOCOL_VERSION|protocol version"):
        https_get(srv.https_port, "/hello", ctx)
    assert https_get(srv.https_port, "/hello", tls_client())[0] == 200


@pytest.mark.parametrize("flags,message", [
    (["--tls-cert", "{pki}/server.pem"], "--tls-cert needs --tls-key"),
    (["--tls-key", "{pki}/server.key"], "--tls-key needs --tls-cert"),
    (["--tls-cert", "{pki}/nope.pem", "--tls-key", "{pki}/server.key"],
     "{pki}/nope.pem: cannot read the certificate file"),
    (["--tls-cert", "{pki}/server.key", "--tls-key", "{pki}/server.key"],
     "{pki}/server.key: not a PEM certificate"),
    (["--tls-cert", "{pki}/server.pem", "--tls-key", "{pki}/alice.key"],
     "{pki}/alice.key: the key does not belong to the certificate in {pki}/server.pem"),
    (["--tls-auto", "--mtls-enabled"],
     "mTLS mode require-and-verify verifies client certificates and needs a CA file (--mtls-ca)"),
    (["--tls-auto", "--mtls-enabled", "--mtls-client-auth", "sometimes"],
     '--mtls-client-auth: "sometimes" is not one of none, request, require, verify-if-given, '
     "require-and-verify"),
    (["--tls-auto", "--mtls-enabled", "--mtls-ca", "{pki}/server.key"],
     "{pki}/server.key: not a PEM CA certificate"),
])
def test_bad_tls_settings_are_one_clear_error(pki, tmp_path, flags, message):
    cfg = write_config(tmp_path, (collection(HELLO)), "c.json")
    args = ["engine", "-c", cfg, "-p", "0", "--https-port", str(free_port())]
    args += [f.format(pki=pki) for f in flags]
    r = run_mockd(args)
    assert r.returncode == 2, r.stderr
    assert message.format(pki=pki) in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_tls_flags_without_an_https_port(tmp_path):
    cfg = write_config(tmp_path, (collection(HELLO)), "c.json")
    r = run_mockd(["engine", "-c", cfg, "-p", "0", "--tls-auto"])
    assert r.returncode == 2
    assert "TLS settings need an HTTPS port (--https-port or serverConfig.httpsPort)" in r.stderr


def test_plain_http_and_silence_on_the_https_port(serve):
    srv = engine_tls(serve, "--tls-auto", "--header-timeout", "1s")
    with socket.create_connection(("127.0.0.1", srv.https_port), timeout=5) as s:
        s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(5)
        try:
            got = s.recv(100)
        except ConnectionResetError:
            got = b""
        assert not got.startswith(b"HTTP/1.1 200")
    # A client that connects and never starts the handshake is cut at the header timeout.
    idle = socket.create_connection(("127.0.0.1", srv.https_port), timeout=5)
    t0 = time.monotonic()
    idle.settimeout(5)
    try:
        assert idle.recv(10) == b""
    except ConnectionResetError:
        pass
    assert time.monotonic() - t0 < 4
    idle.close()
    assert https_get(srv.https_port, "/hello", tls_client())[0] == 200


def test_keep_alive_and_pipelining_over_tls(serve):
    srv = engine_tls(serve, "--tls-auto")
    with socket.create_connection(("127.0.0.1", srv.https_port), timeout=5) as raw:
        with tls_client().wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n" * 20)
            data = b""
            while data.count(b"hello over tls") < 20:
                chunk = s.recv(65536)
                assert chunk
                data += chunk
            assert data.count(b"HTTP/1.1 200 OK") == 20
            s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            tail = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except ssl.SSLEOFError:
                    break
                if not chunk:
                    break
                tail += chunk
            assert tail.count(b"HTTP/1.1 200 OK") == 1 and b"Connection: close" in tail


def test_large_body_over_tls(serve):
    big = http_mock("echo", {"method": "POST", "path": "/echo"},
                    {"statusCode": 200, "body": "{{request.rawBody}}"})
    srv = engine_tls(serve, "--tls-auto", mocks=(big,))
    body = ("x" * 1000 + "\n") * 3000  # 3 MB each way
    r = requests.post(f"https://localhost:{srv.https_port}/echo", data=body, verify=False,
                      timeout=20)
    assert r.status_code == 200 and r.text == body


# --------------------------------------------------------------------------- mTLS modes


def test_require_and_verify(serve, pki):
    srv = engine_tls(serve, "--tls-cert", pki / "server.pem", "--tls-key", pki / "server.key",
                     "--mtls-enabled", "--mtls-ca", pki / "ca.pem")
    ca = str(pki / "ca.pem")
    assert refused(srv.https_port, tls_client(ca))
    assert refused(srv.https_port, tls_client(ca, pki / "mallory.pem", pki / "mallory.key"))
    status, _, body = https_get(srv.https_port, "/hello",
                                tls_client(ca, pki / "alice.pem", pki / "alice.key"))
    assert (status, body) == (200, b"hello over tls")
    # requests, as a user's test would send its client certificate
    r = requests.get(f"https://localhost:{srv.https_port}/hello", verify=ca, timeout=5,
                     cert=(str(pki / "bob.pem"), str(pki / "bob.key")))
    assert r.status_code == 200


def test_request_mode_asks_but_accepts_anything(serve, pki):
    who = http_mock("who", {"path": "/who"},
                    {"statusCode": 200, "body": "{{mtls.cn}}|{{mtls.verified}}"})
    srv = engine_tls(serve, "--tls-auto", "--mtls-enabled", "--mtls-client-auth", "request",
                     mocks=(who,))
    assert https_get(srv.https_port, "/who", tls_client())[2] == b"|"
    got = https_get(srv.https_port, "/who", tls_client(None, pki / "mallory.pem", pki / "mallory.key"))
    assert got[2] == b"alice|false"


def test_require_mode_needs_a_certificate_but_does_not_verify_it(serve, pki):
    who = http_mock("who", {"path": "/who"}, {"statusCode": 200, "body": "{{mtls.verified}}"})
    srv = engine_tls(serve, "--tls-auto", "--mtls-enabled", "--mtls-client-auth", "require",
                     "--mtls-ca", pki / "ca.pem", mocks=(who,))
    assert refused(srv.https_port, tls_client(), "/who")
    assert https_get(srv.https_port, "/who",
                     tls_client(None, pki / "mallory.pem", pki / "mallory.key"))[2] == b"false"
    # Only the modes that verify say "verified", as in mockd: a CA-signed certificate is not
    # checked here.
    assert https_get(srv.https_port, "/who",
                     tls_client(None, pki / "alice.pem", pki / "alice.key"))[2] == b"false"


def test_verify_if_given(serve, pki):
    who = http_mock("who", {"path": "/who"}, {"statusCode": 200, "body": "[{{mtls.cn}}]"})
    srv = engine_tls(serve, "--tls-auto", "--mtls-enabled", "--mtls-client-auth",
                     "verify-if-given", "--mtls-ca", pki / "ca.pem", mocks=(who,))
    assert https_get(srv.https_port, "/who", tls_client())[2] == b"[]"
    assert refused(srv.https_port, tls_client(None, pki / "mallory.pem", pki / "mallory.key"),
                   "/who")
    assert https_get(srv.https_port, "/who",
                     tls_client(None, pki / "alice.pem", pki / "alice.key"))[2] == b"[alice]"


def test_allowed_cns(serve, pki):
    srv = engine_tls(serve, "--tls-auto", "--mtls-enabled", "--mtls-ca", pki / "ca.pem",
                     "--mtls-allowed-cns", "alice,carol")
    assert https_get(srv.https_port, "/hello", tls_client(None, pki / "alice.pem",
                                                          pki / "alice.key"))[0] == 200
    assert refused(srv.https_port, tls_client(None, pki / "bob.pem", pki / "bob.key"))
    srv.assert_serving()


def test_server_config_https_tls_and_mtls(servers, pki):
    port = free_port()
    doc = json.loads(collection(http_mock("ou", {"path": "/ou"},
                                          {"statusCode": 200, "body": "{{mtls.ou}}"})))
    doc["serverConfig"] = {
        "httpsPort": port,
        # relative to the config's directory
        "tls": {"enabled": True, "certFile": f"../{pki.name}/server.pem",
                "keyFile": str(pki / "server.key")},
        "mtls": {"enabled": True, "clientAuth": "require-and-verify",
                 "caCertFiles": [str(pki / "ca.pem")], "allowedOUs": ["payments"]},
    }
    cfgdir = pki.parent / "cfg-https"
    cfgdir.mkdir(exist_ok=True)
    cfg = write_config(cfgdir, json.dumps(doc), "sc.json")
    servers.engine(cfg)
    wait_https(port)
    ca = str(pki / "ca.pem")
    assert https_get(port, "/ou", tls_client(ca, pki / "alice.pem", pki / "alice.key"))[2] == \
        b"payments"
    assert refused(port, tls_client(ca, pki / "bob.pem", pki / "bob.key"), "/ou")


def test_server_config_errors_name_the_field(tmp_path):
    doc = json.loads(collection(HELLO))
    doc["serverConfig"] = {"httpsPort": free_port(), "mtls": {"enabled": True, "clientAuth": 7}}
    cfg = write_config(tmp_path, json.dumps(doc), "c.json")
    r = run_mockd(["engine", "-c", cfg, "-p", "0"])
    assert r.returncode == 2
    assert "serverConfig.mtls.clientAuth: must be a string" in r.stderr
    doc["serverConfig"] = {"httpsPort": "443"}
    cfg = write_config(tmp_path, json.dumps(doc), "c.json")
    r = run_mockd(["engine", "-c", cfg, "-p", "0"])
    assert r.returncode == 2
    assert "serverConfig.httpsPort: must be a port number (0 to 65535)" in r.stderr


# --------------------------------------------------------------------------- matcher.mtls, templates


def test_mtls_matchers(serve, pki):
    fp = hashlib.sha256(cert_der(pki / "alice.pem")).hexdigest()
    colons = "SHA256:" + ":".join(fp[i:i + 2] for i in range(0, 64, 2)).upper()
    cases = {
        "cn": {"cn": "alice"},
        "cnpattern": {"cnPattern": "^al"},
        "ou": {"ou": "eng"},
        "o": {"o": "Acme Corp"},
        "fp": {"fingerprint": colons},
        "issuer": {"issuer": "Test Root CA"},
        "dns": {"san": {"dns": "*.svc.example.com"}},
        "email": {"san": {"email": "alice@example.com"}},
        "ip": {"san": {"ip": "10.1.2.3"}},
        "auth": {"requireAuth": True},
        "all": {"cn": "alice", "ou": "payments", "o": "Acme Corp", "issuer": "Test Root CA",
                "san": {"dns": "alice.*.com", "ip": "10.1.2.3"}, "requireAuth": True},
    }
    mocks = [http_mock(name, {"path": f"/m/{name}", "mtls": cond},
                       {"statusCode": 200, "body": name}) for name, cond in cases.items()]
    mocks.append(http_mock("wrong", {"path": "/m/wrong", "mtls": {"cn": "bob"}}))
    srv = engine_tls(serve, "--tls-auto", "--mtls-enabled", "--mtls-client-auth",
                     "verify-if-given", "--mtls-ca", pki / "ca.pem", mocks=mocks)
    alice = tls_client(None, pki / "alice.pem", pki / "alice.key")
    for name in cases:
        status, _, body = https_get(srv.https_port, f"/m/{name}", alice)
        assert (status, body) == (200, name.encode()), name
    # Alice's names on a certificate nobody signed, where any is accepted: everything but
    # requireAuth and the fingerprint.
    loose = engine_tls(serve, "--tls-auto", "--mtls-enabled", "--mtls-client-auth", "request",
                       mocks=mocks)
    mallory = tls_client(None, pki / "mallory.pem", pki / "mallory.key")
    assert https_get(loose.https_port, "/m/cn", mallory)[0] == 200
    assert https_get(loose.https_port, "/m/auth", mallory)[0] == 404
    assert https_get(loose.https_port, "/m/auth", alice)[0] == 404  # not verified in this mode
    assert https_get(loose.https_port, "/m/fp", mallory)[0] == 404
    status, _, body = https_get(srv.https_port, "/m/wrong", alice)
    assert status == 404
    misses = json.loads(body)["nearMisses"]
    miss = next(m for m in misses if m["mockId"] == "wrong")
    field = next(f for f in miss["fields"] if f["field"] == "mtls")
    assert miss["reason"] == "path matched, but mTLS client certificate does not match"
    assert field == {"field": "mtls", "matched": False, "score": 0, "maxScore": 15}
    # Without a certificate (no client certificate over HTTPS, or plain HTTP) nothing matches.
    status, _, body = https_get(srv.https_port, "/m/cn", tls_client())
    assert status == 404
    miss = next(m for m in json.loads(body)["nearMisses"] if m["mockId"] == "cn")
    field = next(f for f in miss["fields"] if f["field"] == "mtls")
    assert field["expected"] == "client certificate required"
    assert field["actual"] == "(no client certificate)"
    assert srv.get("/m/cn").status_code == 404


def test_mtls_matcher_scores_beat_a_plain_path(serve, pki):
    mocks = [http_mock("plain", {"path": "/acct"}, {"statusCode": 200, "body": "anyone"}),
             http_mock("alice", {"path": "/acct", "mtls": {"cn": "alice"}},
                       {"statusCode": 200, "body": "alice's account"})]
    srv = engine_tls(serve, "--tls-auto", "--mtls-enabled", "--mtls-client-auth", "request",
                     mocks=mocks)
    assert https_get(srv.https_port, "/acct",
                     tls_client(None, pki / "alice.pem", pki / "alice.key"))[2] == b"alice's account"
    assert https_get(srv.https_port, "/acct",
                     tls_client(None, pki / "bob.pem", pki / "bob.key"))[2] == b"anyone"
    assert srv.get("/acct").text == "anyone"


@pytest.mark.parametrize("matcher,message", [
    ({"path": "/x", "mtls": {"cn": "a", "cnPattern": "b"}}, "cannot specify both cn and cnPattern"),
    ({"path": "/x", "mtls": {"fingerprint": "abc"}}, "fingerprint must be 64 hex characters"),
    ({"path": "/x", "mtls": {"fingerprint": "z" * 64}}, "fingerprint must contain only hex"),
    ({"path": "/x", "mtls": {"cnPattern": "(("}}, "mtls.cnPattern: invalid regular expression"),
    ({"path": "/x", "mtls": {"requireAuth": "yes"}}, "mtls.requireAuth: must be true or false"),
    ({"path": "/x", "mtls": "alice"}, "mtls: must be an object"),
])
def test_bad_mtls_matchers(tmp_path, matcher, message):
    cfg = write_config(tmp_path, (collection(http_mock("m", matcher))), "c.json")
    r = run_mockd(["engine", "-c", cfg, "-p", "0"])
    assert r.returncode == 1
    assert message in r.stderr


def test_mtls_template_variables(serve, pki):
    fields = ["cn", "o", "ou", "serial", "fingerprint", "notBefore", "notAfter", "verified",
              "issuer.cn", "san.dns", "san.email", "san.ip", "san.uri"]
    body = "\n".join(f"{f}={{{{mtls.{f}}}}}" for f in fields) + "\nupper={{upper(mtls.cn)}}"
    who = http_mock("who", {"path": "/who"},
                    {"statusCode": 200, "body": body, "headers": {"X-Client": "{{mtls.cn}}"}})
    srv = engine_tls(serve, "--tls-auto", "--mtls-enabled", "--mtls-client-auth",
                     "verify-if-given", "--mtls-ca", pki / "ca.pem", mocks=(who,))
    status, headers, got = https_get(srv.https_port, "/who",
                                     tls_client(None, pki / "alice.pem", pki / "alice.key"))
    assert status == 200 and headers["x-client"] == "alice"
    values = dict(line.split("=", 1) for line in got.decode().splitlines())
    serial = int(cert_field(pki / "alice.pem", "-serial"), 16)

    def rfc3339(openssl_date):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.strptime(openssl_date, "%b %d %H:%M:%S %Y %Z"))

    assert values == {
        "cn": "alice",
        "o": "Acme Corp",
        "ou": "payments",
        "serial": str(serial),
        "fingerprint": hashlib.sha256(cert_der(pki / "alice.pem")).hexdigest(),
        "notBefore": rfc3339(cert_field(pki / "alice.pem", "-startdate").replace("  ", " ")),
        "notAfter": rfc3339(cert_field(pki / "alice.pem", "-enddate").replace("  ", " ")),
        "verified": "true",
        "issuer.cn": "Test Root CA",
        "san.dns": "alice.svc.example.com",
        "san.email": "alice@example.com",
        "san.ip": "10.1.2.3",
        "san.uri": "spiffe://example.com/alice",
        "upper": "ALICE",
    }
    # Without a certificate every variable is empty, verified too.
    _, headers, got = https_get(srv.https_port, "/who", tls_client())
    assert headers["x-client"] == ""
    assert all(line.endswith("=") for line in got.decode().splitlines())


# --------------------------------------------------------------------------- start mode and WireMock


def test_start_mode_reports_the_https_port(servers, pki):
    port = free_port()
    srv = servers.start("--https-port", port, "--tls-cert", pki / "server.pem",
                        "--tls-key", pki / "server.key")
    srv.wait_stderr(rf"mock server on https://localhost:{port}")
    status = requests.get(srv.admin_base + "/status", timeout=5).json()
    assert status["httpsPort"] == port and status["tlsEnabled"] is True
    ports = requests.get(srv.admin_base + "/ports", timeout=5).json()["ports"]
    assert {"port": port, "protocol": "HTTPS", "component": "Mock Engine", "status": "running",
            "tls": True} in ports
    # Mocks made over the admin API are served on both ports.
    r = requests.post(srv.admin_base + "/mocks", timeout=5, json={
        "type": "http", "http": {"matcher": {"path": "/new"},
                                 "response": {"statusCode": 201, "body": "new"}}})
    assert r.status_code == 201, r.text
    r = requests.get(f"https://localhost:{port}/new", verify=str(pki / "ca.pem"), timeout=5)
    assert (r.status_code, r.text) == (201, "new")
    assert srv.get("/new").status_code == 201
    # Both requests are in the request log.
    logs = requests.get(srv.admin_base + "/requests", timeout=5).json()["requests"]
    assert len([e for e in logs if e["path"] == "/new"]) == 2, logs


def wiremock_tls(servers, tmp_path, *flags):
    root = tmp_path / "wm"
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    (root / "mappings" / "hello.json").write_text(json.dumps(
        {"request": {"method": "GET", "url": "/hello"},
         "response": {"status": 200, "body": "wiremock over tls"}}))
    port = free_port()
    srv = servers.engine_args(["wiremock", "--port", "0", "--root-dir", root, "--https-port",
                               port, *flags], wait=False)
    srv.https_port = port
    wait_https(port)
    return srv


def test_wiremock_https_port_with_its_own_certificate(servers, tmp_path):
    srv = wiremock_tls(servers, tmp_path)
    status, headers, body = https_get(srv.https_port, "/hello", tls_client())
    assert (status, body) == (200, b"wiremock over tls")
    assert headers["matched-stub-id"]
    r = requests.get(f"https://localhost:{srv.https_port}/__admin/mappings", verify=False, timeout=5)
    assert r.status_code == 200 and r.json()["meta"]["total"] == 1


def test_wiremock_keystore_and_truststore(servers, tmp_path, pki):
    openssl("pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-out",
            str(tmp_path / "ks.p12"), "-passout", "pass:s3cret", cwd=pki)
    openssl("pkcs12", "-export", "-nokeys", "-in", "ca.pem", "-out", str(tmp_path / "ts.p12"),
            "-passout", "pass:password", cwd=pki)
    srv = wiremock_tls(servers, tmp_path, "--https-keystore", tmp_path / "ks.p12",
                       "--keystore-password", "s3cret", "--keystore-type", "PKCS12",
                       "--https-require-client-cert", "--https-truststore", tmp_path / "ts.p12",
                       "--truststore-type", "PKCS12")
    ca = str(pki / "ca.pem")
    status, _, body = https_get(srv.https_port, "/hello",
                                tls_client(ca, pki / "alice.pem", pki / "alice.key"))
    assert (status, body) == (200, b"wiremock over tls")
    assert refused(srv.https_port, tls_client(ca))
    assert refused(srv.https_port, tls_client(ca, pki / "mallory.pem", pki / "mallory.key"))


def test_wiremock_keystore_errors(tmp_path, pki):
    root = tmp_path / "wm"
    (root / "mappings").mkdir(parents=True)
    jks = tmp_path / "ks.jks"
    jks.write_bytes(b"\xfe\xed\xfe\xed" + b"\0" * 60)
    base = ["wiremock", "--port", "0", "--root-dir", str(root), "--https-port", str(free_port())]
    r = run_mockd(base + ["--https-keystore", str(jks)])
    assert r.returncode == 2
    assert f"{jks}: a JKS keystore; convert it to PKCS#12 (keytool -importkeystore" in r.stderr
    openssl("pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-out",
            str(tmp_path / "ks.p12"), "-passout", "pass:right", cwd=pki)
    r = run_mockd(base + ["--https-keystore", str(tmp_path / "ks.p12"), "--keystore-password",
                          "wrong"])
    assert r.returncode == 2
    assert "cannot open it (wrong password for --https-keystore?)" in r.stderr
    r = run_mockd(base + ["--keystore-type", "JKS"])
    assert r.returncode == 2
    assert "only PKCS12 is read" in r.stderr


# --------------------------------------------------------------------------- documents mockd reads


SPEC = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {"/ping": {"get": {"responses": {"200": {"description": "ok"}}}}}}


def test_imports_by_url_check_the_certificate(serve, pki, tmp_path):
    # A document mockd reads over HTTPS is checked as any client checks it: its certificate must
    # chain to a trusted CA (SSL_CERT_FILE adds a private one) and name the host.
    doc = http_mock("spec", {"method": "GET", "path": "/spec.json"},
                    {"statusCode": 200, "body": json.dumps(SPEC),
                     "headers": {"Content-Type": "application/json"}})
    srv = engine_tls(serve, "--tls-cert", pki / "server.pem", "--tls-key", pki / "server.key",
                     mocks=(doc,))
    for host in ("localhost", "127.0.0.1"):
        cfg = tmp_path / f"by-url-{host}.yaml"
        cfg.write_text(f"imports:\n  - url: https://{host}:{srv.https_port}/spec.json\n")
        untrusted = run_mockd(["validate", str(cfg)], timeout=30)
        out = untrusted.stdout + untrusted.stderr
        assert untrusted.returncode != 0, out
        assert "imports[0].url" in out and "unable to get local issuer certificate" in out, out
        assert "SSL_CERT_FILE" in out, out
        trusted = run_mockd(["validate", str(cfg)], timeout=30,
                            env={**os.environ, "SSL_CERT_FILE": str(pki / "ca.pem")})
        assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    # The certificate names localhost and 127.0.0.1, not another name of this machine.
    cfg = tmp_path / "wrong-name.yaml"
    cfg.write_text(f"imports:\n  - url: https://127.0.0.2:{srv.https_port}/spec.json\n")
    wrong = run_mockd(["validate", str(cfg)], timeout=30,
                      env={**os.environ, "SSL_CERT_FILE": str(pki / "ca.pem")})
    assert wrong.returncode != 0 and "mismatch" in (wrong.stdout + wrong.stderr), wrong.stderr
