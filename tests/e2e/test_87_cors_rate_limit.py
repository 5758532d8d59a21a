"""mockd's CORS on the mock port (local dev servers allowed by default, --cors-origins,
serverConfig.cors) and the per-IP token bucket (--rate-limit, serverConfig.rateLimit), as a
browser page and a load test see them."""

import json
import re
import socket
import time

import pytest
import requests

from conftest import collection, http_mock, run_mockd, wait_for, write_config

MOCKS = [
    http_mock("users", {"method": "GET", "path": "/users"},
              {"statusCode": 200, "body": '{"users": []}'}),
    http_mock("opt", {"method": "OPTIONS", "path": "/own-options"},
              {"statusCode": 204, "headers": {"Allow": "GET"}}),
]

DEFAULT_ORIGINS = [f"http://{h}:{p}" for h in ("localhost", "127.0.0.1") for p in (3000, 4290, 5173)]


def engine(servers, tmp_path, *flags, doc=None):
    doc = doc or json.loads(collection(*MOCKS))
    cfg = write_config(tmp_path / f"c{len(list(tmp_path.glob('c*')))}", json.dumps(doc), "m.json")
    return servers.engine(cfg, *flags)


def cors_headers(r):
    return {k: v for k, v in r.headers.items() if k.lower().startswith("access-control-")}


# --------------------------------------------------------------------------- CORS


@pytest.mark.parametrize("origin", DEFAULT_ORIGINS)
def test_local_dev_servers_are_allowed_by_default(servers, tmp_path, origin):
    srv = engine(servers, tmp_path)
    r = srv.get("/users", headers={"Origin": origin})
    assert r.status_code == 200 and r.json() == {"users": []}
    assert cors_headers(r) == {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD",
        "Access-Control-Allow-Headers": "Content-Type, Authorization, X-Requested-With, Accept, "
                                        "Origin",
        "Access-Control-Max-Age": "86400",
    }
    assert "Vary" not in r.headers


def test_preflights(servers, tmp_path):
    srv = engine(servers, tmp_path)
    pre = {"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"}
    r = srv.request("OPTIONS", "/users", headers=pre)
    assert r.status_code == 200 and r.content == b""
    assert r.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    # An origin that is not allowed, or none: 403 and no CORS headers.
    for headers in ({"Origin": "https://evil.example"}, {}):
        r = srv.request("OPTIONS", "/users", headers=headers)
        assert r.status_code == 403 and r.content == b"" and not cors_headers(r)
    # An OPTIONS mock answers for itself, with the CORS headers added.
    r = srv.request("OPTIONS", "/own-options", headers=pre)
    assert r.status_code == 204 and r.headers["Allow"] == "GET"
    assert r.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    r = srv.request("OPTIONS", "/own-options")
    assert r.status_code == 204 and not cors_headers(r)
    assert srv.get("/users").status_code == 200


def test_other_origins_are_served_without_cors_headers(servers, tmp_path):
    srv = engine(servers, tmp_path)
    r = srv.get("/users", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and not cors_headers(r)
    r = srv.get("/nothing", headers={"Origin": "http://localhost:3000"})
    assert r.status_code == 404 and r.json()["error"] == "no_match"
    assert r.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"


def test_cors_origins_flag(servers, tmp_path):
    srv = engine(servers, tmp_path, "--cors-origins", "https://app.example,https://admin.example")
    r = srv.get("/users", headers={"Origin": "https://admin.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "https://admin.example"
    assert r.headers["Access-Control-Allow-Headers"] == "*"
    assert not cors_headers(srv.get("/users", headers={"Origin": "http://localhost:3000"}))
    star = engine(servers, tmp_path, "--cors-origins", "*")
    # "*" without credentials is sent to every caller, with or without an Origin.
    assert star.get("/users").headers["Access-Control-Allow-Origin"] == "*"
    r = star.request("OPTIONS", "/users", headers={"Origin": "https://anything.example"})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"


def test_server_config_cors(servers, tmp_path):
    doc = json.loads(collection(*MOCKS))
    doc["serverConfig"] = {"cors": {
        "allowOrigins": ["*"], "allowCredentials": True, "allowMethods": ["GET"],
        "allowHeaders": ["X-Token"], "exposeHeaders": ["X-Request-Id", "X-Total"], "maxAge": 600}}
    srv = engine(servers, tmp_path, doc=doc)
    r = srv.get("/users", headers={"Origin": "https://app.example"})
    # With credentials a browser refuses "*": the caller's origin is named instead.
    assert cors_headers(r) == {
        "Access-Control-Allow-Origin": "https://app.example",
        "Access-Control-Allow-Methods": "GET",
        "Access-Control-Allow-Headers": "X-Token",
        "Access-Control-Expose-Headers": "X-Request-Id, X-Total",
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Max-Age": "600",
    }
    assert not cors_headers(srv.get("/users"))
    doc["serverConfig"] = {"cors": {"enabled": False}}
    off = engine(servers, tmp_path, doc=doc)
    assert not cors_headers(off.get("/users", headers={"Origin": "http://localhost:3000"}))
    r = off.request("OPTIONS", "/users", headers={"Origin": "http://localhost:3000"})
    assert r.status_code == 404  # no CORS: an OPTIONS request like any other


def test_start_mode_cors_leaves_wiremock_admin_alone(servers, tmp_path):
    srv = servers.start()
    # A preflight answered by CORS is not a request to the mocks: the request log skips it.
    r = srv.request("OPTIONS", "/anything", headers={"Origin": "http://localhost:3000"})
    assert r.status_code == 200
    logged = requests.get(srv.admin_base + "/requests", timeout=5).json()["requests"]
    assert not [e for e in logged if e.get("method") == "OPTIONS"], logged
    r = srv.get("/__mockd/health", headers={"Origin": "http://localhost:3000"})
    assert r.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    r = srv.get("/__admin/mappings", headers={"Origin": "http://localhost:3000"})
    assert not cors_headers(r)


def test_wiremock_mode_has_no_mockd_cors(servers, tmp_path):
    root = tmp_path / "wm"
    (root / "mappings").mkdir(parents=True)
    (root / "mappings" / "u.json").write_text(json.dumps(
        {"request": {"method": "GET", "url": "/users"}, "response": {"status": 200}}))
    srv = servers.engine_args(["wiremock", "--port", "0", "--root-dir", root], wait=False)
    srv.port = int(wait_for(lambda: re.search(r"port:\s+(\d+)", srv.stdout()), 10,
                            "the banner").group(1))
    r = srv.get("/users", headers={"Origin": "http://localhost:3000"})
    assert r.status_code == 200 and not cors_headers(r)
    # WireMock's own filter is --enable-stub-cors.
    assert srv.request("OPTIONS", "/users", headers={"Origin": "http://localhost:3000"}).status_code == 404


# --------------------------------------------------------------------------- rate limit


def burst(srv, n, path="/users", headers=None):
    """n requests on one keep-alive connection, back to back; returns the responses."""
    s = requests.Session()
    return [s.get(srv.base + path, headers=headers or {}, timeout=5) for _ in range(n)]


def test_rate_limit_token_bucket(servers, tmp_path):
    srv = engine(servers, tmp_path, "--rate-limit", "5")
    got = burst(srv, 14)
    statuses = [r.status_code for r in got]
    # A burst of twice the rate, then 429s (a token or so may refill during the loop).
    assert statuses[:10] == [200] * 10
    assert 429 in statuses[10:]
    ok = got[0]
    assert ok.headers["X-RateLimit-Limit"] == "10"
    assert ok.headers["X-RateLimit-Remaining"] == "9"
    refused = next(r for r in got if r.status_code == 429)
    assert refused.headers["Content-Type"] == "application/json"
    assert refused.text == ('{"error":"rate_limit_exceeded","message":"Too many requests. '
                            'Please slow down."}')
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["Retry-After"] == refused.headers["X-RateLimit-Reset"] == "1"
    # Tokens come back at the rate: after the Retry-After the client is served again.
    time.sleep(float(refused.headers["Retry-After"]))
    assert srv.get("/users").status_code == 200


def test_rate_limit_counts_every_request_and_each_address_alone(servers, tmp_path):
    srv = engine(servers, tmp_path, "--rate-limit", "1")
    got = [r.status_code for r in burst(srv, 3, "/no-such-mock")]
    assert got == [404, 404, 429]
    assert srv.get("/__mockd/health").status_code == 429
    # Another address has its own bucket (the server listens on IPv6 too).
    try:
        r = requests.get(f"http://[::1]:{srv.port}/users", timeout=5)
    except requests.exceptions.ConnectionError:
        pytest.skip("no IPv6 loopback here")
    assert r.status_code == 200


def test_trusted_proxies_name_the_client(servers, tmp_path):
    doc = json.loads(collection(*MOCKS))
    doc["serverConfig"] = {"rateLimit": {"enabled": True, "requestsPerSecond": 1, "burstSize": 1,
                                         "trustedProxies": ["127.0.0.0/8", "::1"]}}
    srv = engine(servers, tmp_path, doc=doc)
    for client in ("203.0.113.7", "203.0.113.8"):
        first = srv.get("/users", headers={"X-Forwarded-For": f"{client}, 10.0.0.1"})
        second = srv.get("/users", headers={"X-Forwarded-For": client})
        assert (first.status_code, second.status_code) == (200, 429), client
    assert srv.get("/users", headers={"X-Real-IP": "198.51.100.1"}).status_code == 200
    # Not from a trusted proxy: the header is ignored, the connection's address counts.
    doc["serverConfig"]["rateLimit"]["trustedProxies"] = ["10.0.0.0/8"]
    direct = engine(servers, tmp_path, doc=doc)
    assert direct.get("/users", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 200
    assert direct.get("/users", headers={"X-Forwarded-For": "203.0.113.10"}).status_code == 429


def test_rate_limited_server_keeps_serving_under_a_flood(servers, tmp_path):
    srv = engine(servers, tmp_path, "--rate-limit", "1000")
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"GET /users HTTP/1.1\r\nHost: x\r\n\r\n" * 5000)
        data = b""
        while data.count(b"HTTP/1.1 ") < 5000:
            chunk = s.recv(1 << 20)
            assert chunk
            data += chunk
    assert data.count(b"HTTP/1.1 429 ") > 2000
    assert data.count(b"HTTP/1.1 200 ") >= 2000


@pytest.mark.parametrize("server_config,message", [
    ({"cors": []}, "serverConfig.cors: must be an object"),
    ({"cors": {"allowOrigins": "x", "maxAge": -1}}, "serverConfig.cors.maxAge: must be a whole number from 0 to 31536000"),
    ({"cors": {"allowOrigins": [1]}}, "serverConfig.cors.allowOrigins: must be a list of strings"),
    ({"rateLimit": {"burstSize": 0}},
     "serverConfig.rateLimit.burstSize: must be a whole number from 1 to 1000000000"),
    ({"cors": {"enabled": "yes"}}, "serverConfig.cors.enabled: must be true or false"),
    ({"rateLimit": {"requestsPerSecond": 0}}, "serverConfig.rateLimit.requestsPerSecond: must be a "
                                              "positive number"),
    ({"rateLimit": {"trustedProxies": ["10.0.0.0/99"]}},
     'serverConfig.rateLimit.trustedProxies: "10.0.0.0/99" is not an IP address or CIDR'),
])
def test_bad_cors_and_rate_limit_settings(tmp_path, server_config, message):
    doc = json.loads(collection(*MOCKS))
    doc["serverConfig"] = server_config
    cfg = write_config(tmp_path, json.dumps(doc), "m.json")
    r = run_mockd(["engine", "-c", cfg, "-p", "0"])
    assert r.returncode == 2
    assert message in r.stderr


def test_negative_rate_limit_flag(tmp_path):
    cfg = write_config(tmp_path, collection(*MOCKS), "m.json")
    r = run_mockd(["engine", "-c", cfg, "-p", "0", "--rate-limit", "-3"])
    assert r.returncode == 2
    assert "--rate-limit must be 0 (off) or more" in r.stderr
