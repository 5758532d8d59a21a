"""Fixtures and helpers for the mockd end-to-end tests.

Every test runs the real binary (env MOCKD_BIN, default <repo>/build/mockd) on port 0
and discovers the port: engine mode through --print-url, start mode from the
"mock server on ..." / "admin API on ..." stderr lines. Nothing synchronises with
sleeps: everything polls with a deadline. Every server a test starts is killed by a
fixture finalizer, and a server that died on its own during a test fails that test.
"""

import json
import os
import re
import signal
import socket
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
MOCKD_BIN = os.environ.get("MOCKD_BIN") or str(REPO / "build" / "mockd")

START_DEADLINE = 10.0  # seconds allowed for a server to start listening
POLL = 0.01  # poll interval while waiting on a deadline

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


# --------------------------------------------------------------------------- helpers


def wait_for(predicate, timeout, what="condition"):
    """Poll predicate() until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(POLL)


def write_config(directory, text, name="mocks.yaml"):
    """Write a config (dedented) into directory and return its path as a string."""
    path = Path(directory) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(text, str):
        text = json.dumps(text, indent=2)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return str(path)


def line_of(path, needle, nth=1):
    """1-based line number of the nth line of file `path` containing `needle`."""
    count = 0
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if needle in line:
            count += 1
            if count == nth:
                return number
    raise AssertionError(f"{needle!r} not found in {path}")


def run_mockd(args, timeout=10, env=None, cwd=None):
    """Run mockd to completion (for commands that must exit) and return CompletedProcess."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    try:
        return subprocess.run(
            [MOCKD_BIN, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
            cwd=cwd,
        )
    except subprocess.TimeoutExpired as exc:  # pragma: no cover - reported as a failure
        raise AssertionError(
            f"mockd {' '.join(args)} did not exit within {timeout}s "
            f"(stderr so far: {exc.stderr!r})"
        )


def stderr_lines(text):
    return [line for line in text.splitlines() if line.strip()]


def http_session():
    session = requests.Session()
    session.trust_env = False  # never go through an environment proxy
    return session


def curl(*args, timeout=10):
    """Run curl (never through a proxy) and return CompletedProcess with bytes output."""
    return subprocess.run(
        ["curl", "--noproxy", "*", "-sS", "--max-time", str(timeout), *args],
        capture_output=True,
        timeout=timeout + 5,
    )


class ConnectionClosed(Exception):
    pass


class RawResponse:
    def __init__(self, version, status, reason, header_list, body, raw_head):
        self.version = version
        self.status = status
        self.reason = reason
        self.header_list = header_list
        self.headers = {}
        for name, value in header_list:
            self.headers[name.lower()] = value
        self.body = body
        self.raw_head = raw_head

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<RawResponse {self.status} {self.header_list} {self.body[:200]!r}>"


class RawConn:
    """A plain TCP client for pipelining, malformed and slow requests."""

    def __init__(self, port, host="127.0.0.1", timeout=5.0, family=None):
        if family is None:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        else:
            self.sock = socket.socket(family, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect((host, port))
        self.timeout = timeout
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def _fill(self):
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            raise ConnectionClosed(f"connection closed; unread bytes: {self.buf!r}")
        self.buf += chunk

    def _read_until(self, marker):
        while marker not in self.buf:
            self._fill()
        idx = self.buf.index(marker) + len(marker)
        data, self.buf = self.buf[:idx], self.buf[idx:]
        return data

    def _read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response(self, head=False):
        """Read one response. head=True: the request was HEAD (no body follows)."""
        raw_head = self._read_until(b"\r\n\r\n")
        lines = raw_head[:-4].decode("latin-1").split("\r\n")
        status_line = lines[0]
        parts = status_line.split(" ", 2)
        assert len(parts) >= 2 and parts[0].startswith("HTTP/"), f"bad status line {status_line!r}"
        version, status = parts[0], int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        header_list = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            header_list.append((name.strip(), value.strip()))
        resp = RawResponse(version, status, reason, header_list, b"", raw_head)
        if head or 100 <= status < 200 or status in (204, 304):
            return resp
        te = (resp.header("transfer-encoding") or "").lower()
        if "chunked" in te:
            body = b""
            while True:
                size_line = self._read_until(b"\r\n")
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    self._read_until(b"\r\n")
                    break
                body += self._read_exact(size)
                self._read_exact(2)
            resp.body = body
        elif resp.header("content-length") is not None:
            resp.body = self._read_exact(int(resp.header("content-length")))
        else:
            # No framing: the body runs to the end of the connection.
            while True:
                try:
                    self._fill()
                except ConnectionClosed:
                    break
            resp.body, self.buf = self.buf, b""
        return resp

    def request(self, data, head=False):
        self.send(data)
        return self.read_response(head=head)

    def wait_closed(self, timeout):
        """True if the peer closes (EOF or reset) within timeout; bytes read meanwhile go to buf."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.sock.settimeout(remaining)
                try:
                    chunk = self.sock.recv(65536)
                except socket.timeout:
                    return False
                except (ConnectionResetError, BrokenPipeError):
                    return True
                if not chunk:
                    return True
                self.buf += chunk
        finally:
            self.sock.settimeout(self.timeout)

    def wait_bytes(self, marker, timeout):
        """True once marker is in the unread buffer; False on timeout or close."""
        deadline = time.monotonic() + timeout
        try:
            while marker not in self.buf:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.sock.settimeout(remaining)
                try:
                    chunk = self.sock.recv(65536)
                except (socket.timeout, ConnectionResetError):
                    return False
                if not chunk:
                    return False
                self.buf += chunk
            return True
        finally:
            self.sock.settimeout(self.timeout)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def get_req(path, host="localhost", extra=""):
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode()


# --------------------------------------------------------------------------- servers


class Server:
    """A running mockd process, with its discovered ports and captured output."""

    def __init__(self, args, workdir, env=None, mode="engine", wait=True):
        self.args = args
        self.mode = mode
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        n = len(list(self.workdir.glob("stdout-*.txt")))
        self.stdout_path = self.workdir / f"stdout-{n}.txt"
        self.stderr_path = self.workdir / f"stderr-{n}.txt"
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        self._out = open(self.stdout_path, "wb")
        self._err = open(self.stderr_path, "wb")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            [MOCKD_BIN, *args],
            stdout=self._out,
            stderr=self._err,
            stdin=subprocess.DEVNULL,
            env=full_env,
        )
        self.expect_exit = False
        self.port = None
        self.admin_port = None
        self.url_line = None
        self.session = http_session()
        if wait:
            self._discover()

    # -- output
    def stdout(self):
        return self.stdout_path.read_bytes().decode("utf-8", "replace")

    def stderr(self):
        return self.stderr_path.read_bytes().decode("utf-8", "replace")

    def _fail_if_dead(self, what):
        if self.proc.poll() is not None:
            raise AssertionError(
                f"mockd exited with {self.proc.returncode} while waiting for {what}; "
                f"stderr: {self.stderr()!r}"
            )

    def _discover(self):
        if "--print-url" in self.args:
            def first_line():
                self._fail_if_dead("the --print-url line")
                out = self.stdout()
                return out.split("\n", 1)[0] if "\n" in out else None

            self.url_line = wait_for(first_line, START_DEADLINE, "the --print-url line")
            m = re.fullmatch(r"http://([^:/]+):(\d+)", self.url_line)
            assert m, f"first stdout line is not http://HOST:PORT: {self.url_line!r}"
            self.port = int(m.group(2))
        if self.mode == "start":
            def admin_line():
                self._fail_if_dead("the 'admin API on' stderr line")
                err = self.stderr()
                mock = re.search(r"mock server on http://localhost:(\d+)", err)
                admin = re.search(r"admin API on http://localhost:(\d+)", err)
                return (mock, admin) if mock and admin else None

            mock, admin = wait_for(admin_line, START_DEADLINE, "start-mode port lines on stderr")
            if self.port is None:
                self.port = int(mock.group(1))
            self.admin_port = int(admin.group(1))
        assert self.port, "no way to discover the mock port (use --print-url)"

    # -- clients
    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_base(self):
        return f"http://127.0.0.1:{self.admin_port}"

    def request(self, method, path, **kw):
        kw.setdefault("timeout", 10)
        kw.setdefault("allow_redirects", False)
        return self.session.request(method, self.base + path, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def raw(self, timeout=5.0):
        return RawConn(self.port, timeout=timeout)

    def assert_serving(self):
        """The server still answers a fresh request on a fresh connection."""
        assert self.alive(), f"mockd died: rc={self.proc.returncode} stderr={self.stderr()!r}"
        r = requests.get(self.base + "/__mockd/health", timeout=5,
                         proxies={"http": None, "https": None})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "healthy"

    # -- process control
    def alive(self):
        return self.proc.poll() is None

    def signal(self, sig):
        self.expect_exit = True
        self.proc.send_signal(sig)

    def wait_exit(self, timeout):
        """Wait for the process to exit; return its exit code (fails after timeout)."""
        self.expect_exit = True
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"mockd did not exit within {timeout}s; stderr: {self.stderr()!r}")

    def wait_stderr(self, pattern, timeout=5.0):
        """Poll stderr until the regex matches; return the match."""
        rx = re.compile(pattern, re.M)
        return wait_for(lambda: rx.search(self.stderr()), timeout, f"stderr matching {pattern!r}")

    def kill(self):
        self.session.close()
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass
        self._out.close()
        self._err.close()


@pytest.fixture
def servers(request, tmp_path):
    """Factory: servers.engine(config_path, *flags) / servers.start(*flags)."""
    started = []

    class Factory:
        def engine(self, config, *flags, env=None, print_url=True, wait=True):
            args = ["engine", "--config", str(config), "--port", "0"]
            if print_url:
                args.append("--print-url")
            args += [str(f) for f in flags]
            server = Server(args, tmp_path / "proc", env=env, wait=wait)
            started.append(server)
            return server

        def engine_args(self, args, env=None, wait=True):
            server = Server([str(a) for a in args], tmp_path / "proc", env=env, wait=wait)
            started.append(server)
            return server

        def start(self, *flags, config=None, env=None, command="start", print_url=False):
            args = [command, "-p", "0", "-a", "0", "--log-level", "info"]
            # Each server gets its own data dir and PID file: nothing touches the real home.
            n = len(started)
            if "--data-dir" not in flags:
                args += ["--data-dir", str(tmp_path / f"data{n}")]
            if "--pid-file" not in flags:
                args += ["--pid-file", str(tmp_path / f"mockd{n}.pid")]
            if config is not None:
                args += ["--config", str(config)]
            if print_url:
                args.append("--print-url")
            args += [str(f) for f in flags]
            server = Server(args, tmp_path / "proc", env=env, mode="start")
            started.append(server)
            return server

    yield Factory()

    died = []
    for server in started:
        if server.proc.poll() is not None and not server.expect_exit:
            died.append((server.args, server.proc.returncode, server.stderr()[-2000:]))
        server.kill()
    if died:
        pytest.fail(f"mockd exited unexpectedly during the test: {died}", pytrace=False)


@pytest.fixture
def serve(servers, tmp_path):
    """serve(yaml_text, *flags, name=...) -> running engine on that config."""
    counter = [0]

    def _serve(text, *flags, name=None, env=None):
        counter[0] += 1
        cfg = write_config(tmp_path / f"cfg{counter[0]}", text, name or "mocks.yaml")
        return servers.engine(cfg, *flags, env=env)

    return _serve


def http_mock(mock_id, matcher, response=None, **extra):
    """Build one collection-form mock as a dict."""
    http = {"matcher": matcher, "response": response or {"statusCode": 200, "body": mock_id}}
    for key in ("priority",):
        if key in extra:
            http[key] = extra.pop(key)
    mock = {"id": mock_id, "type": "http", "http": http}
    mock.update(extra)
    return mock


def collection(*mocks):
    return json.dumps({"version": "1.0", "mocks": list(mocks)}, indent=2)


@pytest.fixture
def serve_mocks(servers, tmp_path):
    """serve_mocks([mock dicts], *flags) -> running engine on a JSON collection."""
    counter = [0]

    def _serve(mocks, *flags, env=None):
        counter[0] += 1
        cfg = write_config(tmp_path / f"json{counter[0]}", collection(*mocks), "mocks.json")
        return servers.engine(cfg, *flags, env=env)

    return _serve
