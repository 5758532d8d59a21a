"""Layer 99: forwarding requests upstream, seen by real clients.

WireMock's proxy stubs (`proxyBaseUrl` with prefix removal and request-header changes, templated
URLs, `--proxy-all` under higher-priority stubs) and mockd's `--proxy-unmatched`, against a
second mockd as the upstream (its journal shows what arrived) and, where the connection itself
matters (reuse, HTTPS), a small Python upstream.
"""

import http.server
import json
import socket
import ssl
import subprocess
import threading
import time

import pytest
import requests

from conftest import wait_for, write_config
from test_96_wiremock_mode import admin_json, describe, make_root, new_id, wiremock

ECHO = ("{{request.method}} {{request.url}} host={{request.headers.Host}} "
        "x={{request.headers.X-Test}} body={{request.body}}")


@pytest.fixture
def upstream(servers, tmp_path):
    """A `mockd wiremock` upstream: /echo/** answers what it received, /slow waits 2 s."""
    server = wiremock(servers, make_root(tmp_path / "up"))
    admin_json(server, "POST", "/mappings", expect=201, json={
        "request": {"urlPattern": "/echo.*", "method": "ANY"},
        "response": {"status": 203, "body": ECHO, "transformers": ["response-template"],
                     "headers": {"X-Upstream": "yes", "Content-Type": "text/plain"}}})
    admin_json(server, "POST", "/mappings", expect=201, json={
        "request": {"url": "/slow", "method": "GET"},
        "response": {"status": 200, "body": "slow", "fixedDelayMilliseconds": 2000}})
    return server


def received(upstream):
    """The requests the upstream saw, oldest first."""
    events = admin_json(upstream, "GET", "/requests")["requests"]
    return [e["request"] for e in reversed(events)]


@pytest.fixture
def wm(servers, tmp_path):
    return wiremock(servers, make_root(tmp_path / "wm"))


def proxy_stub(url_pattern, base, **response):
    return {"id": new_id(), "request": {"method": "ANY", "urlPattern": url_pattern},
            "response": {"proxyBaseUrl": base, **response}}


# --------------------------------------------------------------------------- proxy stubs


def test_proxy_stub_forwards_method_target_headers_and_body(wm, upstream):
    stub = proxy_stub("/echo.*", upstream.base, headers={"X-Stub": "added"})
    admin_json(wm, "POST", "/mappings", expect=201, json=stub)
    r = wm.post("/echo/a?q=1&q=2", data="payload", headers={"X-Test": "t1"})
    assert r.status_code == 203, describe(r)
    assert r.text == f"POST /echo/a?q=1&q=2 host=127.0.0.1:{upstream.port} x=t1 body=payload"
    assert r.headers["X-Upstream"] == "yes"
    assert r.headers["X-Stub"] == "added"  # the stub's headers join the upstream's
    # The answer is the upstream's: its own Matched-Stub-Id, not the proxy stub's.
    assert stub["id"] not in r.headers["Matched-Stub-Id"]
    got = received(upstream)[-1]
    assert got["method"] == "POST" and got["url"] == "/echo/a?q=1&q=2"
    assert got["headers"]["X-Test"] == "t1"
    assert got["headers"]["Content-Length"] == "7"


def test_prefix_removal_and_request_header_changes(wm, upstream):
    admin_json(wm, "POST", "/mappings", expect=201, json=proxy_stub(
        "/api/.*", upstream.base + "/echo", proxyUrlPrefixToRemove="/api",
        additionalProxyRequestHeaders={"X-Test": "replaced", "X-Added": "a"},
        removeProxyRequestHeaders=["x-secret"]))
    r = wm.get("/api/items/7", headers={"X-Test": "original", "X-Secret": "s"})
    assert r.status_code == 203, describe(r)
    assert r.text.startswith("GET /echo/items/7 ")
    got = received(upstream)[-1]["headers"]
    # As in WireMock, an added header goes after the client's own of the same name.
    assert got["X-Test"] == ["original", "replaced"]
    assert got["X-Added"] == "a"
    assert "X-Secret" not in got and "x-secret" not in got


def test_host_header_names_the_upstream_unless_preserved(servers, tmp_path, upstream):
    stub = proxy_stub("/echo.*", upstream.base)
    plain = wiremock(servers, make_root(tmp_path / "a"))
    admin_json(plain, "POST", "/mappings", expect=201, json=stub)
    assert f"host=127.0.0.1:{upstream.port} " in plain.get("/echo/h").text
    kept = wiremock(servers, make_root(tmp_path / "b"), "--preserve-host-header")
    admin_json(kept, "POST", "/mappings", expect=201, json=stub)
    r = kept.get("/echo/h", headers={"Host": "client.example:1234"})
    assert "host=client.example:1234 " in r.text, r.text


def test_templated_proxy_url_and_headers(wm, upstream):
    admin_json(wm, "POST", "/mappings", expect=201, json=proxy_stub(
        "/t/.*", "http://127.0.0.1:{{request.headers.X-Port}}/echo",
        transformers=["response-template"],
        additionalProxyRequestHeaders={"X-Test": "{{request.pathSegments.1}}"}))
    r = wm.get("/t/segment", headers={"X-Port": str(upstream.port)})
    assert r.status_code == 203, describe(r)
    assert r.text.startswith("GET /echo/t/segment ") and "x=segment" in r.text


def test_proxy_all_sits_under_higher_priority_stubs(servers, tmp_path, upstream):
    root = make_root(tmp_path / "all")
    server = wiremock(servers, root, "--proxy-all", upstream.base)
    admin_json(server, "POST", "/mappings", expect=201, json={
        "request": {"method": "GET", "url": "/echo/local"},
        "response": {"status": 200, "body": "intercepted"}})
    assert server.get("/echo/local").text == "intercepted"
    r = server.get("/echo/remote")
    assert r.status_code == 203 and r.text.startswith("GET /echo/remote "), describe(r)
    mappings = admin_json(server, "GET", "/mappings")["mappings"]
    proxies = [m for m in mappings if m["response"].get("proxyBaseUrl") == upstream.base]
    assert len(proxies) == 1 and proxies[0]["priority"] == 10
    assert proxies[0]["request"] == {"method": "ANY"}
    # As in WireMock, the proxy is a stub like the others: a reset removes it.
    admin_json(server, "POST", "/reset")
    assert admin_json(server, "GET", "/mappings")["mappings"] == []
    assert server.get("/echo/again").status_code == 404


def test_unreachable_upstream_gives_wiremocks_500(wm):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    admin_json(wm, "POST", "/mappings", expect=201,
               json=proxy_stub(".*", f"http://127.0.0.1:{dead}"))
    r = wm.get("/x")
    assert r.status_code == 500
    assert r.text.startswith(
        f"Network failure trying to make a proxied request from WireMock to "
        f"http://127.0.0.1:{dead}/x\r\n"), r.text
    assert r.text.endswith(f"Connect to http://127.0.0.1:{dead} failed: Connection refused")


def test_proxy_timeout(servers, tmp_path, upstream):
    server = wiremock(servers, make_root(tmp_path / "t"), "--proxy-timeout", "300")
    admin_json(server, "POST", "/mappings", expect=201, json=proxy_stub("/slow", upstream.base))
    r = server.get("/slow", timeout=10)
    assert r.status_code == 500 and "Read timed out" in r.text, describe(r)
    assert server.get("/__admin/health").status_code == 200


def test_journal_keeps_the_upstream_answer(wm, upstream):
    admin_json(wm, "POST", "/mappings", expect=201, json=proxy_stub("/echo.*", upstream.base))
    wm.get("/echo/j", headers={"X-Test": "journal"})
    event = admin_json(wm, "GET", "/requests")["requests"][0]
    assert event["response"]["status"] == 203
    assert event["response"]["body"].startswith("GET /echo/j ")
    assert event["response"]["headers"]["X-Upstream"] == "yes"
    assert event["responseDefinition"]["proxyBaseUrl"] == upstream.base


def test_pipelined_requests_keep_their_order_around_a_proxied_one(wm, upstream):
    admin_json(wm, "POST", "/mappings", expect=201, json=proxy_stub("/echo.*", upstream.base))
    admin_json(wm, "POST", "/mappings", expect=201, json={
        "request": {"method": "GET", "url": "/local"}, "response": {"body": "local"}})
    conn = wm.raw()
    req = lambda p: f"GET {p} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    conn.send(req("/local") + req("/echo/p") + req("/local"))
    bodies = [conn.read_response().body for _ in range(3)]
    assert bodies[0] == b"local" and bodies[2] == b"local"
    assert bodies[1].startswith(b"GET /echo/p ")


def test_proxy_wins_over_a_fault(wm, upstream):
    # WireMock forwards a proxy stub's request even when the stub also names a fault.
    admin_json(wm, "POST", "/mappings", expect=201,
               json=proxy_stub("/echo.*", upstream.base, fault="EMPTY_RESPONSE"))
    r = wm.get("/echo/f")
    assert r.status_code == 203 and r.text.startswith("GET /echo/f "), describe(r)


def test_dribbled_proxy_response(wm, upstream):
    admin_json(wm, "POST", "/mappings", expect=201, json=proxy_stub(
        "/echo.*", upstream.base, chunkedDribbleDelay={"numberOfChunks": 3, "totalDuration": 300}))
    r = wm.get("/echo/d")
    assert r.status_code == 203 and r.text.startswith("GET /echo/d ")
    assert r.headers.get("Transfer-Encoding") == "chunked"


def test_stub_cors_covers_proxied_answers(servers, tmp_path, upstream):
    server = wiremock(servers, make_root(tmp_path / "c"), "--enable-stub-cors")
    admin_json(server, "POST", "/mappings", expect=201, json=proxy_stub("/echo.*", upstream.base))
    r = server.get("/echo/cors", headers={"Origin": "http://app.example"})
    assert r.status_code == 203, describe(r)
    assert r.headers["Access-Control-Allow-Origin"] == "http://app.example"
    assert r.headers["Vary"] == "Origin"


def test_bad_proxy_fields_are_rejected(wm):
    r = wm.post("/__admin/mappings", json=proxy_stub(".*", "http://x", removeProxyRequestHeaders="x"))
    assert r.status_code == 422, describe(r)
    r = wm.post("/__admin/mappings", json=proxy_stub(".*", 5))
    assert r.status_code == 422, describe(r)


# --------------------------------------------------------------------------- the connection


class CountingHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    peers = set()

    def do_GET(self):
        CountingHandler.peers.add(self.client_address)
        body = f"{self.command} {self.path} {self.headers.get('Host')}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Scheme", "https" if isinstance(self.connection, ssl.SSLSocket) else "http")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def python_upstream():
    CountingHandler.peers = set()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_upstream_connections_are_reused(servers, tmp_path, python_upstream):
    port = python_upstream.server_address[1]
    server = wiremock(servers, make_root(tmp_path / "r"), "--proxy-all", f"http://127.0.0.1:{port}")
    with requests.Session() as s:
        for i in range(20):
            r = s.get(f"{server.base}/n{i}")
            assert r.status_code == 200 and r.text == f"GET /n{i} 127.0.0.1:{port}"
    # One client connection lands on one worker, which keeps its upstream connection open.
    assert len(CountingHandler.peers) == 1, CountingHandler.peers


def test_https_upstream(servers, tmp_path, python_upstream):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    python_upstream.socket = ctx.wrap_socket(python_upstream.socket, server_side=True)
    port = python_upstream.server_address[1]
    server = wiremock(servers, make_root(tmp_path / "s"), "--proxy-all", f"https://localhost:{port}")
    r = server.get("/secure?x=1")
    assert r.status_code == 200, describe(r)
    assert r.text == f"GET /secure?x=1 localhost:{port}"
    assert r.headers["X-Scheme"] == "https"


# --------------------------------------------------------------------------- --proxy-unmatched


def test_proxy_unmatched_forwards_what_no_mock_matches(servers, tmp_path, upstream):
    config = write_config(tmp_path, """
        mocks:
          - id: local
            http:
              matcher: {method: GET, path: /echo/local}
              response: {statusCode: 200, body: mine}
    """)
    server = servers.start("--proxy-unmatched", upstream.base, config=config)
    assert server.get("/echo/local").text == "mine"
    r = server.post("/echo/remote?a=b", data="hi", headers={"X-Test": "u"})
    assert r.status_code == 203, describe(r)
    assert r.text == f"POST /echo/remote?a=b host=127.0.0.1:{upstream.port} x=u body=hi"
    log = requests.get(f"{server.admin_base}/requests").json()["requests"]
    entry = next(e for e in log if e["path"] == "/echo/remote")
    assert entry["responseStatus"] == 203 and entry["matchedMockID"] == ""
    assert entry["proxied"] is True
    assert entry["proxyUrl"] == f"{upstream.base}/echo/remote?a=b"


def test_chaos_applies_to_forwarded_requests(servers, tmp_path, upstream):
    config = write_config(tmp_path, "mocks: []\n")
    server = servers.start("--proxy-unmatched", upstream.base, config=config)
    r = requests.put(f"{server.admin_base}/chaos", json={
        "enabled": True, "rules": [{"pathPattern": "^/echo/slow", "faults": [
            {"type": "latency", "probability": 1, "config": {"min": "400ms", "max": "400ms"}}]},
            {"pathPattern": "^/echo/cut", "faults": [
                {"type": "partial_response", "probability": 1, "config": {"maxBytes": 4}}]}]})
    assert r.status_code == 200, describe(r)
    t0 = time.monotonic()
    r = server.get("/echo/slow")
    assert r.status_code == 203 and time.monotonic() - t0 >= 0.4
    conn = server.raw()
    conn.send(b"GET /echo/cut HTTP/1.1\r\nHost: x\r\n\r\n")
    assert conn.wait_closed(5)
    assert conn.buf.endswith(b"\r\n\r\nGET "), conn.buf  # 4 of the bytes the head announced


def test_proxy_unmatched_upstream_down_is_a_502(servers, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    config = write_config(tmp_path, "mocks: []\n")
    server = servers.engine(config, "--proxy-unmatched", f"http://127.0.0.1:{dead}")
    r = server.get("/nothing")
    assert r.status_code == 502, describe(r)
    assert r.json()["error"] == "proxy_error"
    assert f"http://127.0.0.1:{dead}/nothing" in r.json()["message"]


def test_bad_proxy_url_flag_fails_startup(tmp_path):
    from conftest import run_mockd
    config = write_config(tmp_path, "mocks: []\n")
    p = run_mockd(["engine", "--config", config, "--proxy-unmatched", "ftp://x"])
    assert p.returncode == 2 and "--proxy-unmatched" in p.stderr and "scheme" in p.stderr
