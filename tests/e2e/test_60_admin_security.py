"""Admin API, part 5: who may call it (loopback, Origin / Sec-Fetch-Site, Host, API key).

(The brief names this file test_64_admin_security.py; files here must match test_60_admin_*.py.)
"""

import os
import signal
import socket
import stat

import pytest

from test_60_admin_helpers import API_KEY, hm, mockd  # noqa: F401

EVIL_HOST = {"Host": "evil.example"}
EVIL_ORIGIN = {"Origin": "http://evil.example"}


@pytest.fixture
def srv(mockd):
    a = mockd(mocks=[hm("/m", mock_id="m")])
    return a


# --------------------------------------------------------------------------- loopback


@pytest.mark.parametrize("path", ["/mocks", "/status", "/ports", "/ready", "/requests", "/config", "/mocks/m"])
def test_loopback_needs_no_key(srv, path):
    r = srv.get(path)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "127.0.0.1", "[::1]", "localhost:{port}",
                                  "127.0.0.1:{port}", "[::1]:{port}", "{hostname}", "{hostname}:{port}"])
def test_loopback_host_names_are_accepted(srv, host):
    host = host.format(port=srv.admin_port, hostname=socket.gethostname())
    r = srv.get("/mocks", headers={"Host": host})
    assert r.status_code == 200, (host, r.text)


# --------------------------------------------------------------------------- cross-site


@pytest.mark.parametrize("headers", [
    EVIL_ORIGIN,
    {"Origin": "https://evil.example:8443"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
    {"Origin": "http://localhost.evil.example"},
    {"Origin": "http://127.0.0.1.evil.example:4290"},
], ids=["origin", "origin-https-port", "sec-fetch-site", "both", "localhost-prefix", "127-prefix"])
@pytest.mark.parametrize("path", ["/mocks", "/requests", "/config", "/status"])
def test_cross_site_is_403(srv, headers, path):
    r = srv.get(path, headers=headers)
    assert r.status_code == 403, r.text
    assert r.json()["error"] == "forbidden"


def test_rebinding_page_with_loopback_looking_name_is_refused(srv):
    """A DNS-rebinding page served as http://127.0.0.1.evil.example:<port> sends its own
    name as Host and Origin (and Sec-Fetch-Site: same-origin): that name is not loopback."""
    host = f"127.0.0.1.evil.example:{srv.admin_port}"
    r = srv.post("/mocks", json=hm("/rebind", mock_id="rebind"),
                 headers={"Host": host, "Origin": f"http://{host}", "Sec-Fetch-Site": "same-origin"})
    assert r.status_code in (401, 403), r.text
    assert r.json()["error"] in ("missing_api_key", "forbidden")
    assert srv.hit("/rebind").status_code == 404
    assert srv.mock_ids() == ["m"]


def test_cross_site_cannot_change_anything(srv):
    r = srv.post("/mocks", json=hm("/evil", mock_id="evil"), headers=EVIL_ORIGIN)
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"
    r = srv.delete("/mocks", headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    r = srv.post("/config", params={"replace": "true"}, json={"mocks": []}, headers=EVIL_ORIGIN)
    assert r.status_code == 403
    r = srv.delete("/mocks/m", headers=EVIL_ORIGIN)
    assert r.status_code == 403
    assert srv.mock_ids() == ["m"]
    assert srv.hit("/m").status_code == 200
    assert srv.hit("/evil").status_code == 404


@pytest.mark.parametrize("style", ["x-api-key", "bearer"])
def test_cross_site_with_the_key_is_allowed(srv, style):
    key = srv.key()
    auth = {"X-API-Key": key} if style == "x-api-key" else {"Authorization": f"Bearer {key}"}
    r = srv.post("/mocks", json=hm("/keyed", mock_id="keyed"), headers={**EVIL_ORIGIN, **auth})
    assert r.status_code == 201, r.text
    r = srv.get("/mocks", headers={"Sec-Fetch-Site": "cross-site", **auth})
    assert r.status_code == 200
    assert srv.hit("/keyed").status_code == 200


def test_cross_site_with_a_wrong_key_is_refused(srv):
    r = srv.get("/mocks", headers={**EVIL_ORIGIN, "X-API-Key": "mk_" + "0" * 64})
    assert r.status_code in (401, 403), r.text
    assert r.json()["error"] in ("forbidden", "invalid_api_key")


@pytest.mark.parametrize("headers", [
    {"Origin": "http://localhost:3000"},
    {"Origin": "http://127.0.0.1:5173"},
    {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Mode": "cors"},  # Node's fetch: no Origin
    {"Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "none"},
], ids=["localhost-3000", "127-5173", "localhost-same-site", "node-fetch", "same-origin", "none"])
def test_local_pages_and_tools_are_allowed(srv, headers):
    r = srv.get("/mocks", headers=headers)
    assert r.status_code == 200, r.text
    r = srv.post("/mocks", json=hm("/local"), headers=headers)
    assert r.status_code == 201, r.text
    assert srv.hit("/local").status_code == 200


# --------------------------------------------------------------------------- Host header


@pytest.mark.parametrize("path", ["/mocks", "/status", "/ports", "/ready", "/requests", "/config",
                                  "/mocks/m", "/mocks/m/verify"])
def test_foreign_host_needs_a_key(srv, path):
    r = srv.get(path, headers=EVIL_HOST)
    assert r.status_code == 401, r.text
    assert r.json()["error"] == "missing_api_key"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "10.1.2.3", "attacker.localhost.evil.example",
                                  "localhost.evil.example", "127.0.0.1.evil.example", "127.evil.example:4290",
                                  "[2001:db8::1]:4290"])
def test_dns_rebinding_hosts_are_refused(srv, host):
    r = srv.post("/mocks", json=hm("/rebound"), headers={"Host": host})
    assert r.status_code == 401, (host, r.text)
    assert r.json()["error"] == "missing_api_key"
    assert srv.mocks()["total"] == 1
    assert srv.hit("/rebound").status_code == 404


@pytest.mark.parametrize("style", ["x-api-key", "bearer"])
def test_foreign_host_with_the_key_is_allowed(srv, style):
    key = srv.key()
    auth = {"X-API-Key": key} if style == "x-api-key" else {"Authorization": f"Bearer {key}"}
    r = srv.get("/mocks", headers={**EVIL_HOST, **auth})
    assert r.status_code == 200, r.text
    r = srv.post("/mocks", json=hm("/viakey", mock_id="viakey"), headers={**EVIL_HOST, **auth})
    assert r.status_code == 201, r.text
    assert srv.hit("/viakey").status_code == 200


@pytest.mark.parametrize("auth", [
    {"X-API-Key": "mk_" + "0" * 64},
    {"X-API-Key": "wrong"},
    {"Authorization": "Bearer mk_" + "1" * 64},
], ids=["x-api-key-zeros", "x-api-key-short", "bearer"])
def test_foreign_host_with_a_wrong_key_is_401(srv, auth):
    r = srv.get("/mocks", headers={**EVIL_HOST, **auth})
    assert r.status_code == 401, r.text
    assert r.json()["error"] == "invalid_api_key"


def test_key_prefix_or_extension_is_wrong(srv):
    key = srv.key()
    for bad in (key[:-1], key + "0", key.upper()):
        r = srv.get("/mocks", headers={**EVIL_HOST, "X-API-Key": bad})
        assert r.status_code == 401, bad
        assert r.json()["error"] == "invalid_api_key"


def test_health_and_metrics_are_open(srv):
    for headers in (EVIL_HOST, EVIL_ORIGIN, {"Host": "evil.example", "Sec-Fetch-Site": "cross-site"}):
        r = srv.get("/health", headers=headers)
        assert r.status_code == 200, (headers, r.text)
        assert r.json()["status"] == "ok"
    r = srv.get("/metrics", headers=EVIL_HOST)
    assert r.status_code == 200
    assert "mockd_mocks_total 1" in r.text


def test_mock_port_is_not_guarded(srv):
    """The rules are the admin API's: mocks answer cross-site callers and any Host."""
    r = srv.hit("/m", headers={**EVIL_ORIGIN, **EVIL_HOST, "Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 200


# --------------------------------------------------------------------------- the key


def test_key_file_is_generated_private_and_reused(mockd, tmp_path):
    data_dir = tmp_path / "keydir"
    a = mockd(data_dir=data_dir)
    path = data_dir / "admin-api-key"
    assert path.is_file()
    content = path.read_text()
    assert content.count("\n") <= 1 and content.strip() == content.rstrip("\n")
    key = content.strip()
    assert API_KEY.match(key), key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert a.get("/mocks", headers={**EVIL_HOST, "X-API-Key": key}).status_code == 200
    a.server.signal(signal.SIGTERM)  # restart on the same data dir
    assert a.server.wait_exit(10) == 0

    b = mockd(data_dir=data_dir)
    assert path.read_text() == content
    assert b.get("/mocks", headers={**EVIL_HOST, "X-API-Key": key}).status_code == 200
    assert b.get("/mocks", headers=EVIL_HOST).status_code == 401

    other = mockd(data_dir=tmp_path / "otherdir")
    other_key = other.key()
    assert API_KEY.match(other_key) and other_key != key
    r = other.get("/mocks", headers={**EVIL_HOST, "X-API-Key": key})
    assert r.status_code == 401 and r.json()["error"] == "invalid_api_key"


def test_existing_key_file_is_used(mockd, tmp_path):
    data_dir = tmp_path / "preset"
    data_dir.mkdir()
    key = "mk_" + "ab" * 32
    (data_dir / "admin-api-key").write_text(key + "\n")
    a = mockd(data_dir=data_dir)
    assert a.get("/mocks", headers={**EVIL_HOST, "X-API-Key": key}).status_code == 200
    assert (data_dir / "admin-api-key").read_text() == key + "\n"


def test_env_key_wins_over_key_file(mockd, tmp_path):
    data_dir = tmp_path / "envdir"
    data_dir.mkdir()
    file_key = "mk_" + "cd" * 32
    (data_dir / "admin-api-key").write_text(file_key + "\n")
    env_key = "env-secret-" + "9" * 20
    a = mockd(data_dir=data_dir, env={"MOCKD_API_KEY": env_key})
    r = a.get("/mocks", headers={**EVIL_HOST, "X-API-Key": env_key})
    assert r.status_code == 200, r.text
    r = a.get("/mocks", headers={**EVIL_HOST, "Authorization": f"Bearer {env_key}"})
    assert r.status_code == 200, r.text
    r = a.get("/mocks", headers={**EVIL_HOST, "X-API-Key": file_key})
    assert r.status_code == 401 and r.json()["error"] == "invalid_api_key"
    # loopback still needs nothing
    assert a.get("/mocks").status_code == 200


def test_env_key_without_data_dir_file(mockd, tmp_path):
    data_dir = tmp_path / "envonly"
    a = mockd(data_dir=data_dir, env={"MOCKD_API_KEY": "only-from-env"})
    assert a.get("/mocks", headers={**EVIL_HOST, "X-API-Key": "only-from-env"}).status_code == 200
    assert a.get("/mocks", headers=EVIL_HOST).status_code == 401


# --------------------------------------------------------------------------- --no-auth


def test_no_auth_lets_a_foreign_host_in(mockd):
    a = mockd("--no-auth", mocks=[hm("/m", mock_id="m")])
    r = a.get("/mocks", headers=EVIL_HOST)
    assert r.status_code == 200, r.text
    assert a.ok("POST", "/mocks", 201, json=hm("/open"), headers=EVIL_HOST)
    assert a.hit("/open").status_code == 200


def test_no_auth_still_refuses_cross_site(mockd):
    a = mockd("--no-auth", mocks=[hm("/m", mock_id="m")])
    r = a.post("/mocks", json=hm("/evil"), headers=EVIL_ORIGIN)
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"
    assert a.hit("/evil").status_code == 404


# --------------------------------------------------------------------------- as an attacker would


@pytest.mark.parametrize("param", ["api_key", "apiKey", "key", "token", "access_token"])
def test_a_key_in_the_query_string_is_never_accepted(srv, param):
    key = srv.key()
    r = srv.get(f"/mocks?{param}={key}", headers=EVIL_HOST)
    assert r.status_code == 401, (param, r.text)
    r = srv.post(f"/mocks?{param}={key}", json=hm("/viaquery"), headers=EVIL_HOST)
    assert r.status_code == 401
    assert srv.hit("/viaquery").status_code == 404


def test_a_page_on_another_origin_cannot_post_a_mock_even_with_a_simple_request(srv):
    # What a browser sends for a form-like cross-origin POST (no preflight): text/plain JSON.
    headers = {**EVIL_ORIGIN, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors",
               "Content-Type": "text/plain"}
    r = srv.post("/mocks", data='{"type":"http","http":{"matcher":{"path":"/evil"}}}',
                 headers=headers)
    assert r.status_code == 403
    assert srv.hit("/evil").status_code == 404


@pytest.mark.parametrize("headers,status", [
    (EVIL_ORIGIN, 403),
    ({"Sec-Fetch-Site": "cross-site"}, 403),
    (EVIL_HOST, 401),
    ({"Host": "127.0.0.1.evil.example"}, 401),
], ids=["origin", "sec-fetch-site", "foreign-host", "rebinding-host"])
def test_wiremock_admin_on_the_mock_port_follows_the_same_rules(srv, headers, status):
    r = srv.hit("/__admin/mappings", headers=headers)
    assert r.status_code == status, r.text
    stub = {"request": {"method": "GET", "url": "/wm-evil"}, "response": {"status": 200}}
    r = srv.hit("/__admin/mappings", method="POST", json=stub, headers=headers)
    assert r.status_code == status
    assert srv.hit("/wm-evil").status_code == 404
    # From loopback, and from elsewhere with the key, it works.
    assert srv.hit("/__admin/mappings").status_code == 200
    r = srv.hit("/__admin/mappings", headers={**EVIL_HOST, "X-API-Key": srv.key()})
    assert r.status_code == 200
