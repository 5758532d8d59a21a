"""Shared helpers for test_80_tables.py (stateful tables). Holds no tests itself.

Configs are built as dicts (written as JSON collections): tables plus the mocks that route
to them, bound either through the top-level `extend` list or inline (`statefulBinding`).
"""

import itertools
import json
import re
import threading
from datetime import datetime, timezone

from conftest import ISO_Z, RawConn, run_mockd, stderr_lines, write_config

ACTIONS = ("list", "create", "get", "update", "patch", "delete")
ACTION_METHOD = {
    "list": "GET", "create": "POST", "get": "GET",
    "update": "PUT", "patch": "PATCH", "delete": "DELETE",
}
ITEM_ACTIONS = {"get", "update", "patch", "delete"}

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

_ids = itertools.count(1)


def api(table, path, item_path=None, via="extend", actions=ACTIONS, response=None):
    """Mocks routing `path` (collection) and `item_path` (default path + "/{id}") to `table`.

    Returns {"mocks": [...], "extend": [...]}; `via` is "extend" or "inline"; `response`
    goes on each binding.
    """
    item_path = item_path or path + "/{id}"
    mocks, extend = [], []
    for action in actions:
        mock_id = f"{table}-{action}-{next(_ids)}"
        http = {"matcher": {"method": ACTION_METHOD[action],
                            "path": item_path if action in ITEM_ACTIONS else path}}
        binding = {"table": table, "action": action}
        if response is not None:
            binding["response"] = response
        if via == "inline":
            http["statefulBinding"] = binding
        else:
            extend.append({"mock": mock_id, **binding})
        mocks.append({"id": mock_id, "type": "http", "http": http})
    return {"mocks": mocks, "extend": extend}


def config(tables, *apis, extra_mocks=()):
    doc = {"version": "1.0", "tables": list(tables), "mocks": list(extra_mocks), "extend": []}
    for a in apis:
        doc["mocks"] += a["mocks"]
        doc["extend"] += a["extend"]
    return doc


class Configs:
    """Writes numbered config files under tmp_path."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.n = 0

    def write(self, doc, name="mocks.json"):
        self.n += 1
        if isinstance(doc, str):
            return write_config(self.tmp_path / f"tcfg{self.n}", doc, name)
        return write_config(self.tmp_path / f"tcfg{self.n}", json.dumps(doc, indent=2), name)


def answer(r, status):
    """Assert the status and a JSON Content-Type; return the decoded body."""
    assert r.status_code == status, (
        f"{r.request.method} {r.url}: expected {status}, got {r.status_code} {r.text[:500]!r}")
    ctype = r.headers.get("Content-Type", "")
    assert ctype.startswith("application/json"), (
        f"{r.request.method} {r.url}: Content-Type {ctype!r}, body {r.text[:200]!r}")
    return r.json()


def ids_of(items, field="id"):
    return [item[field] for item in items]


def list_all(server, path, **params):
    params.setdefault("limit", 10000)
    return answer(server.get(path, params=params), 200)


def parse_iso(value):
    assert isinstance(value, str) and ISO_Z.match(value), f"not an ISO 8601 UTC time: {value!r}"
    text = value[:-1]
    if "." in text:
        head, frac = text.split(".")
        text = f"{head}.{(frac + '000000')[:6]}"
        fmt = "%Y-%m-%dT%H:%M:%S.%f"
    else:
        fmt = "%Y-%m-%dT%H:%M:%S"
    return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)


def assert_recent(value, slack=120):
    when = parse_iso(value)
    now = datetime.now(timezone.utc)
    assert abs((now - when).total_seconds()) < slack, f"{value!r} is not the current time"


def ulid_ms(value):
    ms = 0
    for ch in value[:10]:
        ms = ms * 32 + CROCKFORD.index(ch)
    return ms


def config_error(path):
    """Run `mockd engine` on a config that must be rejected; return its one stderr line."""
    r = run_mockd(["engine", "--config", str(path), "--port", "0", "--print-url"], timeout=10)
    assert r.returncode != 0, f"mockd accepted a bad config; stderr={r.stderr!r}"
    assert r.stdout == "", f"printed a URL for a bad config: {r.stdout!r}"
    lines = stderr_lines(r.stderr)
    assert len(lines) == 1, f"expected one stderr line, got: {r.stderr!r}"
    return lines[0]


def admin(server, method, path, **kw):
    kw.setdefault("timeout", 10)
    kw.setdefault("allow_redirects", False)
    return server.session.request(method, server.admin_base + path, **kw)


def concurrent_creates(port, path, total, connections=8, batch=25):
    """Create `total` items over `connections` keep-alive sockets at once (pipelined batches).

    Returns (statuses, created items)."""
    per = [total // connections + (1 if i < total % connections else 0)
           for i in range(connections)]
    results = [None] * connections
    errors = []
    barrier = threading.Barrier(connections)

    def worker(n):
        try:
            conn = RawConn(port, timeout=20)
            statuses, items = [], []
            try:
                barrier.wait(timeout=20)
                left = per[n]
                k = 0
                while left:
                    count = min(batch, left)
                    payload = b""
                    for _ in range(count):
                        body = json.dumps({"worker": n, "k": k}).encode()
                        k += 1
                        payload += (f"POST {path} HTTP/1.1\r\nHost: localhost\r\n"
                                    f"Content-Type: application/json\r\n"
                                    f"Content-Length: {len(body)}\r\n\r\n").encode() + body
                    conn.send(payload)
                    for _ in range(count):
                        resp = conn.read_response()
                        statuses.append(resp.status)
                        if resp.status == 201:
                            items.append(resp.json())
                    left -= count
            finally:
                conn.close()
            results[n] = (statuses, items)
        except Exception as exc:  # reported by the main thread
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    assert not errors, errors
    statuses = [s for r in results for s in r[0]]
    items = [i for r in results for i in r[1]]
    return statuses, items
