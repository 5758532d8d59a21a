"""`mockd health` and `mockd wait`: the checks the Docker images' HEALTHCHECK and CI steps run
instead of curl loops, against real servers in every mode."""

import json
import socket
import subprocess
import threading
import time

import pytest

from conftest import MOCKD_BIN, run_mockd, wait_for, write_config, START_DEADLINE

CONFIG = """
mocks:
  - id: hello
    type: http
    http:
      matcher: { method: GET, path: /hello }
      response: { statusCode: 200, body: hi }
"""

SICK = """
mocks:
  - id: sick
    type: http
    http:
      matcher: { method: GET, path: /health }
      response: { statusCode: 503, body: '{"status":"down"}' }
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield sock.getsockname()[1]
    stop.set()
    t.join()
    for c in held:
        c.close()
    sock.close()


def test_health_of_the_mock_port_and_of_the_admin_api(servers, tmp_path):
    s = servers.start()
    for url in (f"http://127.0.0.1:{s.port}", f"http://127.0.0.1:{s.port}/__mockd/health",
                f"http://127.0.0.1:{s.admin_port}/health"):
        r = run_mockd(["health", "--url", url])
        assert r.returncode == 0, (url, r)
        assert r.stdout.startswith("healthy (http://127.0.0.1:"), r.stdout
        assert r.stderr == ""


def test_health_of_a_wiremock_server_by_its_base_url(servers, tmp_path):
    (tmp_path / "wm" / "mappings").mkdir(parents=True)
    port = free_port()
    s = servers.engine_args(["wiremock", "--port", port, "--root-dir", tmp_path / "wm"],
                            wait=False)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: run_mockd(["health", "--url", base]).returncode == 0, START_DEADLINE,
             "mockd wiremock to answer healthy")
    r = run_mockd(["health", "--url", base])
    # A WireMock server has no /health: its /__admin/health is the one that answers.
    assert r.stdout == f"healthy ({base}/__admin/health)\n", r
    assert s.alive()


def test_an_unhealthy_answer_exits_1_and_names_the_status(servers, tmp_path):
    s = servers.engine(write_config(tmp_path, SICK))
    r = run_mockd(["health", "--url", s.base])
    assert r.returncode == 1, r
    assert r.stdout == ""
    assert r.stderr.strip() == f"mockd health: unhealthy: {s.base}/health: answered 503", r
    r = run_mockd(["health", "--url", s.base, "--json"])
    assert r.returncode == 1
    assert json.loads(r.stdout) == {"status": "unhealthy", "url": f"{s.base}/health",
                                    "error": f"unhealthy: {s.base}/health: answered 503"}


def test_health_json_when_healthy(servers, tmp_path):
    s = servers.engine(write_config(tmp_path, CONFIG))
    r = run_mockd(["health", "--url", s.base + "/__mockd/health", "--json"])
    assert r.returncode == 0, r
    assert json.loads(r.stdout) == {"status": "healthy", "url": s.base + "/__mockd/health"}


def test_a_server_that_never_answers_fails_within_the_timeout(silent_server):
    t0 = time.monotonic()
    r = run_mockd(["health", "--url", f"http://127.0.0.1:{silent_server}", "--timeout", "1s"])
    elapsed = time.monotonic() - t0
    assert r.returncode == 1, r
    assert "no answer within 1s" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert elapsed < 5, elapsed


def test_health_of_nothing_says_it_cannot_connect():
    port = free_port()
    r = run_mockd(["health", "--port", str(port)])
    assert r.returncode == 1, r
    line = r.stderr.strip()
    assert line.startswith(f"mockd health: unhealthy: http://localhost:{port}/health: "), line
    assert "refused" in line.lower(), line


def test_wait_returns_once_the_server_comes_up(servers, tmp_path):
    port = free_port()
    cfg = write_config(tmp_path, CONFIG)
    waiter = subprocess.Popen(
        [MOCKD_BIN, "wait", "--url", f"http://127.0.0.1:{port}", "--timeout", "20s"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.3)  # the scenario: the server starts after the waiter
        assert waiter.poll() is None, waiter.communicate()
        s = servers.engine_args(["engine", "--config", cfg, "--port", port], wait=False)
        s.port = port
        out, err = waiter.communicate(timeout=20)
    finally:
        if waiter.poll() is None:
            waiter.kill()
    assert waiter.returncode == 0, (out, err)
    assert out == f"healthy (http://127.0.0.1:{port}/health)\n", out
    # Once wait returned, the mocks answer.
    assert s.get("/hello").text == "hi"


def test_wait_times_out_with_what_it_last_saw():
    port = free_port()
    t0 = time.monotonic()
    r = run_mockd(["wait", "--url", f"http://127.0.0.1:{port}/__admin/health",
                   "--timeout", "1s"])
    elapsed = time.monotonic() - t0
    assert r.returncode == 1, r
    line = r.stderr.strip()
    assert line.startswith(
        f"mockd wait: not healthy after 1s: http://127.0.0.1:{port}/__admin/health: "), line
    assert "refused" in line.lower(), line
    assert 0.9 <= elapsed < 5, elapsed


def test_wait_on_a_silent_server_keeps_to_its_timeout(silent_server):
    t0 = time.monotonic()
    r = run_mockd(["wait", "--url", f"http://127.0.0.1:{silent_server}", "--timeout", "1500ms"])
    elapsed = time.monotonic() - t0
    assert r.returncode == 1, r
    assert "not healthy after 1.5s" in r.stderr, r.stderr
    assert elapsed < 4, elapsed


@pytest.mark.parametrize("args, message", [
    (["wait", "--timeout", "soon"], 'mockd wait: --timeout: "soon" is not a duration'),
    (["health", "--timeout", "0"], 'mockd health: --timeout: "0" is not a duration'),
    (["health", "--url", "localhost:4290"], "mockd health: localhost:4290: "),
])
def test_bad_flags_are_one_line_and_exit_2(args, message):
    r = run_mockd(args)
    assert r.returncode == 2, r
    assert r.stderr.startswith(message), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["health", "wait"])
def test_help_says_what_the_command_checks(command):
    r = run_mockd([command, "--help"])
    assert r.returncode == 0, r
    for needle in ("--url", "--timeout", "/__admin/health", "--port"):
        assert needle in r.stdout, (needle, r.stdout)
