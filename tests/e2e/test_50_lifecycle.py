"""Layer 50: the process (signals and draining, ports, start mode, logging)."""

import json
import re
import signal
import threading
import time

import pytest

from conftest import ISO_Z, RawConn, http_mock, run_mockd, stderr_lines, wait_for, write_config

CONFIG = """
    mocks:
      - id: hello
        type: http
        http:
          matcher: { method: GET, path: /hello }
          response: { statusCode: 200, body: "hello" }
      - id: slow
        type: http
        http:
          matcher: { method: GET, path: /slow }
          response: { statusCode: 200, body: "slow done", delayMs: 1500 }
      - id: veryslow
        type: http
        http:
          matcher: { method: GET, path: /veryslow }
          response: { statusCode: 200, body: "never", delayMs: 8000 }
      - id: create
        type: http
        http:
          matcher: { method: POST, path: /items }
          response: { statusCode: 201, body: { ok: true } }
"""


@pytest.fixture
def cfg(tmp_path):
    return write_config(tmp_path, CONFIG)


# --------------------------------------------------------------------------- signals


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_drains_in_flight_request(servers, cfg, sig):
    s = servers.engine(cfg, "--drain-timeout", "5s")
    c = s.raw(timeout=10)
    t0 = time.monotonic()
    c.send(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.3)  # let the request get in flight (this is the scenario, not synchronisation)
    s.signal(sig)
    t_sig = time.monotonic()
    r = c.read_response()
    elapsed = time.monotonic() - t0
    c.close()  # like curl: hang up once the answer is in
    assert (r.status, r.body) == (200, b"slow done")
    assert elapsed >= 1.5
    rc = s.wait_exit(6)
    assert rc == 0, f"exit code {rc}; stderr={s.stderr()!r}"
    assert time.monotonic() - t_sig < 5.0, "did not exit within --drain-timeout 5s"


def test_signal_does_not_wait_for_a_delay_whose_client_hung_up(servers, cfg):
    # A client that gave up on a delayed answer leaves nothing in flight: its timer is
    # cancelled, so shutdown neither waits for the delay nor for --drain-timeout.
    s = servers.engine(cfg, "--drain-timeout", "5s")
    c = s.raw(timeout=10)
    c.send(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    wait_for(lambda: s.get("/hello").status_code == 200, 2, "the server answering meanwhile")
    c.close()
    # The hang-up must reach the server before the signal; the server keeps answering.
    wait_for(lambda: s.get("/hello").status_code == 200, 2, "the server answering after")
    time.sleep(0.2)  # the window in which the hang-up is read (not synchronisation)
    t_sig = time.monotonic()
    s.signal(signal.SIGTERM)
    assert s.wait_exit(5) == 0, s.stderr()
    assert time.monotonic() - t_sig < 1.0, "shutdown waited for a delay nobody was waiting for"


def test_signal_does_not_wait_drain_timeout_for_idle_keep_alive(servers, cfg):
    # The client keeps its keep-alive connection open after the in-flight answer (as
    # browsers and pooled clients do): nothing is in flight any more, so the server
    # should close it and exit, not sit out the whole drain timeout.
    s = servers.engine(cfg, "--drain-timeout", "5s")
    c = s.raw(timeout=10)
    c.send(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.3)
    s.signal(signal.SIGTERM)
    r = c.read_response()
    t_resp = time.monotonic()
    assert (r.status, r.body) == (200, b"slow done")
    assert s.wait_exit(6) == 0
    waited = time.monotonic() - t_resp
    assert waited < 1.5, f"exited {waited:.2f}s after the last response (drain timeout 5s)"
    c.close()


def test_sigterm_idle_server_exits_quickly(servers, cfg):
    s = servers.engine(cfg)
    assert s.get("/hello").text == "hello"
    t0 = time.monotonic()
    s.signal(signal.SIGTERM)
    assert s.wait_exit(3) == 0
    assert time.monotonic() - t0 < 2.0


def test_sigterm_closes_idle_keep_alive_connection(servers, cfg):
    s = servers.engine(cfg, "--log-level", "debug", "--drain-timeout", "3s")
    c = s.raw()
    assert c.request(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").body == b"hello"
    t0 = time.monotonic()
    s.signal(signal.SIGTERM)
    assert c.wait_closed(1.0), "idle keep-alive connection not closed at once on SIGTERM"
    assert c.buf == b""
    assert s.wait_exit(3.5) == 0
    assert time.monotonic() - t0 < 3.5, "did not exit within --drain-timeout 3s"
    c.close()


def test_drain_timeout_bounds_shutdown(servers, cfg):
    s = servers.engine(cfg, "--drain-timeout", "1s")
    c = s.raw(timeout=10)
    c.send(b"GET /veryslow HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.2)
    t0 = time.monotonic()
    s.signal(signal.SIGTERM)
    s.wait_exit(4)
    elapsed = time.monotonic() - t0
    assert 0.8 <= elapsed < 3.0, f"exited after {elapsed:.2f}s with --drain-timeout 1s"
    c.close()


def test_sigterm_stops_accepting_new_work_then_exits(servers, cfg):
    s = servers.engine(cfg, "--drain-timeout", "5s")
    c = s.raw(timeout=10)
    c.send(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.2)
    s.signal(signal.SIGTERM)
    assert c.read_response().status == 200
    c.close()
    s.wait_exit(5)
    with pytest.raises(OSError):
        RawConn(s.port, timeout=1).request(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")


# --------------------------------------------------------------------------- ports


def test_busy_port_fails_fast(servers, cfg, tmp_path):
    first = servers.engine(cfg)
    t0 = time.monotonic()
    r = run_mockd(["engine", "--config", cfg, "--port", str(first.port)], timeout=5)
    elapsed = time.monotonic() - t0
    assert r.returncode != 0
    assert elapsed < 1.0, f"took {elapsed:.2f}s to give up"
    lines = stderr_lines(r.stderr)
    assert len(lines) == 1, r.stderr
    assert str(first.port) in lines[0] and "already in use" in lines[0], lines[0]
    assert r.stdout == ""
    # the first one is unaffected
    assert first.get("/hello").text == "hello"


def test_busy_port_fails_fast_start_mode(servers, cfg):
    first = servers.engine(cfg)
    t0 = time.monotonic()
    r = run_mockd(["start", "--config", cfg, "-p", str(first.port), "-a", "0"], timeout=5)
    assert r.returncode != 0
    assert time.monotonic() - t0 < 1.0
    lines = stderr_lines(r.stderr)
    assert any(str(first.port) in line and "already in use" in line for line in lines), r.stderr
    assert first.get("/hello").text == "hello"


def test_two_engines_side_by_side(servers, tmp_path):
    cfg1 = write_config(tmp_path / "one", """
        mocks:
          - id: one
            type: http
            http:
              matcher: { method: GET, path: /who }
              response: { body: one }
    """)
    cfg2 = write_config(tmp_path / "two", """
        mocks:
          - id: two
            type: http
            http:
              matcher: { method: GET, path: /who }
              response: { body: two }
          - id: only-two
            type: http
            http:
              matcher: { method: GET, path: /only-two }
              response: { body: only }
    """)
    a = servers.engine(cfg1)
    b = servers.engine(cfg2)
    assert a.port != b.port
    assert a.get("/who").text == "one"
    assert b.get("/who").text == "two"
    assert a.get("/only-two").status_code == 404
    assert b.get("/only-two").text == "only"
    a.signal(signal.SIGTERM)
    assert a.wait_exit(5) == 0
    assert b.get("/who").text == "two"


# --------------------------------------------------------------------------- start mode


def test_start_mode_ports_and_health(servers, cfg):
    s = servers.start(config=cfg)
    assert s.port != s.admin_port
    err = s.stderr()
    assert f"mock server on http://localhost:{s.port}" in err
    assert f"admin API on http://localhost:{s.admin_port}" in err
    r = s.session.get(s.admin_base + "/health", timeout=5)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    data = r.json()
    assert data["status"] == "ok"
    assert isinstance(data["uptime"], int) and data["uptime"] >= 0
    assert ISO_Z.match(data["timestamp"]), data
    assert list(data) == ["status", "uptime", "timestamp"]
    # the mock port serves mocks and its own health
    assert s.get("/hello").text == "hello"
    r = s.get("/health")
    assert r.status_code == 200 and r.json()["status"] == "healthy"


def test_start_mode_unknown_admin_routes_404_json(servers, cfg):
    s = servers.start(config=cfg)
    for path in ("/nope", "/mocks/x/y/z", "/requests/a/b"):
        r = s.session.get(s.admin_base + path, timeout=5)
        assert r.status_code == 404, path
        assert r.headers["Content-Type"].startswith("application/json"), path
        assert r.json()["error"] == "not_found", path
    # the admin port does not serve mocks
    assert s.session.get(s.admin_base + "/hello", timeout=5).status_code == 404


def test_start_without_config(servers):
    s = servers.start()
    assert s.session.get(s.admin_base + "/health", timeout=5).json()["status"] == "ok"
    assert s.get("/__mockd/ready").content == b'{"checks":{"mocks":{"count":0,"status":"ok"}},"status":"ready"}\n'
    assert s.get("/anything").status_code == 404


def test_start_mode_sigterm_exits_zero(servers, cfg):
    s = servers.start(config=cfg)
    s.signal(signal.SIGTERM)
    assert s.wait_exit(5) == 0


# --------------------------------------------------------------------------- logging


def test_debug_log_one_line_per_request(servers, cfg):
    s = servers.engine(cfg, "--log-level", "debug")
    assert s.get("/hello?x=1").status_code == 200
    assert s.post("/items", data=b"{}").status_code == 201
    assert s.request("DELETE", "/missing-thing").status_code == 404
    s.wait_stderr(r"/missing-thing")
    lines = s.stderr().splitlines()

    def lines_for(path):
        return [ln for ln in lines if re.search(re.escape(path) + r"(\s|$|\?)", ln)]

    hello = lines_for("/hello")
    assert len(hello) == 1, lines
    assert "GET" in hello[0] and "200" in hello[0] and "hello" in hello[0].replace("/hello", "")
    items = lines_for("/items")
    assert len(items) == 1, lines
    assert "POST" in items[0] and "201" in items[0] and "create" in items[0]
    missing = lines_for("/missing-thing")
    assert len(missing) == 1, lines
    assert "DELETE" in missing[0] and "404" in missing[0]
    # Each line says how long the request took.
    for line in (hello[0], items[0], missing[0]):
        assert re.search(r"duration_us=\d+", line), line


def test_json_log_format(servers, cfg):
    s = servers.engine(cfg, "--log-level", "debug", "--log-format", "json")
    assert s.get("/hello").status_code == 200
    assert s.get("/nothing-here").status_code == 404
    s.wait_stderr(r"nothing-here")
    s.signal(signal.SIGTERM)
    assert s.wait_exit(5) == 0
    lines = [ln for ln in s.stderr().splitlines() if ln.strip()]
    assert len(lines) >= 3
    objects = []
    for ln in lines:
        try:
            obj = json.loads(ln)
        except ValueError:
            pytest.fail(f"stderr line is not JSON: {ln!r}")
        assert isinstance(obj, dict), ln
        objects.append(obj)
    hello = [o for o in objects if "/hello" in json.dumps(o)]
    assert len(hello) == 1, objects
    values = set(map(str, hello[0].values()))
    assert {"GET", "/hello", "200", "hello"} <= values, hello[0]


def test_json_log_format_for_config_warnings(servers, tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: u
            type: http
            surprise: 1
            http:
              matcher: { path: /u }
              response: { body: u }
    """)
    s = servers.engine(cfg, "--log-format", "json")
    assert s.get("/u").text == "u"
    s.wait_stderr("unknown field")
    for ln in stderr_lines(s.stderr()):
        assert isinstance(json.loads(ln), dict), ln
