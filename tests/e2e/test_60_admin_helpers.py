"""Shared helpers for the admin API tests (test_60_admin_*.py). Holds no tests itself.

`mockd` fixture: mockd(*flags, mocks=[...], config=path, env={...}, data_dir=path) runs
`mockd start -p 0 -a 0 --data-dir <tmp>/data ...` (through conftest's `servers`, which kills
every server at the end of the test) and returns an Admin client for it.
"""

import re
import socket
import threading
from pathlib import Path

import pytest

from conftest import ISO_Z, collection, http_session, wait_for, write_config

MOCK_ID = re.compile(r"^http_[0-9a-f]{16}$")
REQ_ID = re.compile(r"^req-[0-9a-f]{16}$")
API_KEY = re.compile(r"^mk_[0-9a-f]{64}$")


def hm(path, body=None, method="GET", status=200, mock_id=None, **extra):
    """A mockd http mock (API form)."""
    mock = {
        "type": "http",
        "http": {
            "matcher": {"method": method, "path": path},
            "response": {"statusCode": status, "body": path if body is None else body},
        },
    }
    if mock_id is not None:
        mock["id"] = mock_id
    mock.update(extra)
    return mock


def iso_z(value):
    return isinstance(value, str) and ISO_Z.match(value) is not None


class Admin:
    """A running `mockd start` plus clients for its admin and mock ports."""

    def __init__(self, server, data_dir):
        self.server = server
        self.data_dir = Path(data_dir)
        self.session = http_session()

    # ------------------------------------------------------------------ ports
    @property
    def port(self):
        return self.server.port

    @property
    def admin_port(self):
        return self.server.admin_port

    @property
    def base(self):
        return self.server.admin_base

    @property
    def pid(self):
        return self.server.proc.pid

    # ------------------------------------------------------------------ admin calls
    def call(self, method, path, **kw):
        kw.setdefault("timeout", 10)
        kw.setdefault("allow_redirects", False)
        return self.session.request(method, self.base + path, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, **kw):
        return self.call("POST", path, **kw)

    def put(self, path, **kw):
        return self.call("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.call("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def ok(self, method, path, status=200, **kw):
        """Call and assert the status; return the JSON body (None for 204)."""
        r = self.call(method, path, **kw)
        assert r.status_code == status, f"{method} {path}: {r.status_code} {r.text}"
        if status == 204:
            return None
        return r.json()

    def create(self, mock):
        """POST /mocks; assert 201; return the response body."""
        return self.ok("POST", "/mocks", 201, json=mock)

    def mocks(self, **params):
        return self.ok("GET", "/mocks", params=params)

    def mock_ids(self, **params):
        return [m["id"] for m in self.mocks(**params)["mocks"]]

    def call_count(self, mock_id):
        return self.ok("GET", f"/mocks/{mock_id}/verify")["callCount"]

    def log(self, **params):
        return self.ok("GET", "/requests", params=params)

    def metrics(self):
        r = self.get("/metrics")
        assert r.status_code == 200, r.text
        return r.text

    def key(self):
        return (self.data_dir / "admin-api-key").read_text().strip()

    # ------------------------------------------------------------------ mock port
    def hit(self, path, method="GET", **kw):
        return self.server.request(method, path, **kw)

    def rss_kb(self):
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS line")


def metric_value(text, name, labels=None):
    """The value of one Prometheus sample (None if absent)."""
    if labels:
        label_text = ",".join(f'{k}="{v}"' for k, v in labels.items())
        prefix = f"{name}{{{label_text}}} "
    else:
        prefix = f"{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line[len(prefix):])
    return None


@pytest.fixture
def mockd(servers, tmp_path):
    counter = [0]

    def _start(*flags, mocks=None, config=None, env=None, data_dir=None):
        counter[0] += 1
        data_dir = Path(data_dir) if data_dir is not None else tmp_path / "data"
        if mocks is not None:
            config = write_config(tmp_path / f"admincfg{counter[0]}", collection(*mocks), "mocks.json")
        full_env = {"MOCKD_API_KEY": ""}  # an inherited key must not change the rules under test
        if env:
            full_env.update(env)
        server = servers.start("--data-dir", str(data_dir), *flags, config=config, env=full_env)
        return Admin(server, data_dir)

    return _start


# ---------------------------------------------------------------------- SSE


class SSE:
    """A text/event-stream reader. Each read waits at most `read_timeout` seconds (the socket
    timeout), so next() fails with a deadline instead of hanging."""

    def __init__(self, url, headers=None, read_timeout=5.0):
        self.session = http_session()
        self.resp = self.session.get(url, stream=True, timeout=(5, read_timeout), headers=headers or {})
        self.lines = self.resp.iter_lines(chunk_size=1)

    def next(self):
        """The next (event, data) pair."""
        event, data = None, []
        try:
            for raw in self.lines:
                line = raw.decode("utf-8", "replace")
                if line == "":
                    if event is not None or data:
                        return event, "\n".join(data)
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
        except Exception as exc:
            raise AssertionError(f"no complete SSE event: {exc!r}")
        raise AssertionError("the event stream ended")

    def close(self):
        try:
            self.resp.close()
        finally:
            self.session.close()


# ---------------------------------------------------------------------- load


def pipelined_load(port, total, request, connections=4, batch=200, timeout=30.0):
    """Send `total` copies of `request` (bytes, or a list of requests sent together as one
    copy) over `connections` keep-alive connections, pipelined in batches, and wait for every
    response. Returns (responses, statuses): how many responses arrived and how many carried
    each status code."""
    if isinstance(request, (list, tuple)):
        per_copy = len(request)
        request = b"".join(request)
    else:
        per_copy = 1
    shares = [total // connections + (1 if i < total % connections else 0) for i in range(connections)]
    results = [(0, {})] * connections
    errors = []
    marker = b"HTTP/1.1 "

    def worker(index, n):
        statuses = {}
        got = 0
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                done = 0
                while done < n:
                    copies = min(batch, n - done)
                    want = copies * per_copy
                    sock.sendall(request * copies)
                    buf = b""
                    seen = 0
                    while seen < want:
                        chunk = sock.recv(1 << 18)
                        if not chunk:
                            raise AssertionError(f"connection closed after {got + seen} responses")
                        start = max(0, len(buf) - len(marker) + 1)
                        buf += chunk
                        seen += buf.count(marker, start)  # status lines that end in the new bytes
                    for m in re.finditer(rb"HTTP/1\.1 (\d{3}) ", buf):
                        statuses[int(m.group(1))] = statuses.get(int(m.group(1)), 0) + 1
                    got += want
                    done += copies
            finally:
                sock.close()
        except Exception as exc:  # reported by the caller
            errors.append(repr(exc))
        results[index] = (got, statuses)

    threads = [threading.Thread(target=worker, args=(i, n)) for i, n in enumerate(shares)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 30)
    assert not errors, errors
    responses = sum(r[0] for r in results)
    statuses = {}
    for _, st in results:
        for k, v in st.items():
            statuses[k] = statuses.get(k, 0) + v
    return responses, statuses


__all__ = [
    "Admin", "SSE", "API_KEY", "MOCK_ID", "REQ_ID", "hm", "iso_z", "metric_value", "mockd",
    "pipelined_load", "wait_for",
]
