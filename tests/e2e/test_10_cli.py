"""Layer 10: the command line (help, version, flags, --print-url, where output goes)."""

import re
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import MOCKD_BIN, RawConn, curl, run_mockd, stderr_lines, wait_for, write_config

SIMPLE = """
    mocks:
      - id: hello
        type: http
        http:
          matcher: { method: GET, path: /hello }
          response: { statusCode: 200, body: "hi" }
"""

ENGINE_FLAGS = [
    "--config", "--port", "--host", "--print-url", "--bind", "--log-level", "--log-format",
    "--workers", "--max-body-size", "--max-header-size", "--header-timeout", "--idle-timeout",
    "--drain-timeout", "--max-connections",
]


def test_version_prints_name_version_and_commit():
    r = run_mockd(["version"])
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(r"mockd \S+ \(commit \S+\)\n?", r.stdout), repr(r.stdout)
    # The commit is read at build time, so a rebuild after a new commit names the new one.
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent)
    if head.returncode == 0 and Path(MOCKD_BIN).resolve().is_relative_to(
            Path(__file__).resolve().parents[2]):
        assert f"(commit {head.stdout.strip()})" in r.stdout, (r.stdout, head.stdout)


def test_top_level_help_lists_subcommands():
    r = run_mockd(["--help"])
    assert r.returncode == 0, r.stderr
    for word in ("engine", "start", "serve", "version"):
        assert word in r.stdout, f"{word!r} missing from --help: {r.stdout}"


def test_engine_help_lists_every_flag():
    r = run_mockd(["engine", "--help"])
    assert r.returncode == 0, r.stderr
    for flag in ENGINE_FLAGS:
        assert flag in r.stdout, f"{flag} missing from engine --help"


def test_start_help_lists_ports_and_flags():
    r = run_mockd(["start", "--help"])
    assert r.returncode == 0, r.stderr
    for flag in ["-p", "-a", "--admin-port", *ENGINE_FLAGS]:
        assert flag in r.stdout, f"{flag} missing from start --help"


@pytest.mark.parametrize(
    "args",
    [
        ["--bogus"],
        ["engine", "--config", "x.yaml", "--no-such-flag"],
        ["start", "--frobnicate"],
    ],
    ids=["top-level", "engine", "start"],
)
def test_unknown_flag_exits_2_with_one_line(args, tmp_path):
    cfg = write_config(tmp_path, SIMPLE)
    args = [cfg if a == "x.yaml" else a for a in args]
    r = run_mockd(args)
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = stderr_lines(r.stderr)
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("mockd:"), lines[0]
    assert r.stdout == ""


def test_engine_without_config_fails(tmp_path):
    r = run_mockd(["engine", "--port", "0"])
    assert r.returncode != 0
    assert r.stderr.startswith("mockd:"), r.stderr
    assert "config" in r.stderr


def test_print_url_first_stdout_line(servers, tmp_path):
    cfg = write_config(tmp_path, SIMPLE)
    s = servers.engine(cfg)
    assert s.url_line == f"http://localhost:{s.port}"
    assert 0 < s.port < 65536
    # The printed URL itself works with a real client (curl resolving localhost).
    r = curl("-i", s.url_line + "/hello")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"HTTP/1.1 200")
    assert r.stdout.endswith(b"\r\n\r\nhi")


def test_print_url_uses_host_flag(servers, tmp_path):
    cfg = write_config(tmp_path, SIMPLE)
    s = servers.engine(cfg, "--host", "mock.example.test")
    assert s.url_line == f"http://mock.example.test:{s.port}"
    assert s.get("/hello").text == "hi"


def test_print_url_is_flushed_while_running(servers, tmp_path):
    # The Server helper only returns once the line is in the stdout file; the process
    # must still be running at that point (i.e. the line was flushed, not written at exit).
    cfg = write_config(tmp_path, SIMPLE)
    s = servers.engine(cfg)
    assert s.alive()
    assert s.stdout() == s.url_line + "\n"


def test_logs_go_to_stderr_not_stdout(servers, tmp_path):
    cfg = write_config(tmp_path, SIMPLE)
    s = servers.engine(cfg, "--log-level", "debug")
    assert s.get("/hello").status_code == 200
    assert s.get("/nope").status_code == 404
    s.wait_stderr(r"/nope")
    assert s.stdout() == s.url_line + "\n", "stdout must hold only the URL line"
    assert "/hello" in s.stderr()


def test_engine_default_log_level_is_warn(servers, tmp_path):
    cfg = write_config(tmp_path, SIMPLE)
    s = servers.engine(cfg)
    assert s.get("/hello").status_code == 200
    assert s.get("/nope").status_code == 404
    s.signal(15)
    assert s.wait_exit(10) == 0
    err = s.stderr()
    assert not re.search(r"\b(INFO|DEBUG|info|debug)\b", err), f"info/debug output at default level: {err!r}"
    assert "/hello" not in err


def test_info_level_logs_startup(servers, tmp_path):
    cfg = write_config(tmp_path, SIMPLE)
    s = servers.engine(cfg, "--log-level", "info")
    s.wait_stderr(str(s.port))


@pytest.mark.parametrize("command", ["start", "serve"])
def test_start_and_serve_run_mock_and_admin_ports(servers, tmp_path, command):
    cfg = write_config(tmp_path, SIMPLE)
    s = servers.start(config=cfg, command=command)
    assert s.port != s.admin_port
    assert s.get("/hello").text == "hi"
    r = s.session.get(s.admin_base + "/health", timeout=5)
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_start_print_url_prints_mock_port(servers, tmp_path):
    cfg = write_config(tmp_path, SIMPLE)
    s = servers.start(config=cfg, print_url=True)
    mock_line = re.search(r"mock server on http://localhost:(\d+)", s.stderr())
    assert s.url_line == f"http://localhost:{mock_line.group(1)}"
    assert s.get("/hello").text == "hi"


def test_workers_flag_single_worker_still_serves(servers, tmp_path):
    cfg = write_config(tmp_path, SIMPLE)
    s = servers.engine(cfg, "--workers", "1")
    for _ in range(20):
        assert s.get("/hello").text == "hi"


def test_bind_ipv4_loopback_only(servers, tmp_path):
    cfg = write_config(tmp_path, SIMPLE)
    s = servers.engine(cfg, "--bind", "127.0.0.1")
    assert s.get("/hello").text == "hi"
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    with pytest.raises(OSError):
        RawConn(s.port, host="::1", family=socket.AF_INET6, timeout=2)


def test_default_bind_serves_ipv4_and_ipv6(servers, tmp_path):
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        probe = socket.socket(socket.AF_INET6)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("no IPv6 loopback")
    cfg = write_config(tmp_path, SIMPLE)
    s = servers.engine(cfg)
    for host, family in (("127.0.0.1", socket.AF_INET), ("::1", socket.AF_INET6)):
        c = RawConn(s.port, host=host, family=family)
        r = c.request(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (r.status, r.body) == (200, b"hi"), host
        c.close()


def test_start_print_url_uses_host_flag(servers, tmp_path):
    cfg = write_config(tmp_path, SIMPLE)
    s = servers.start("--host", "mock.example.test", config=cfg, print_url=True)
    assert s.url_line == f"http://mock.example.test:{s.port}"
    assert s.get("/hello").text == "hi"
