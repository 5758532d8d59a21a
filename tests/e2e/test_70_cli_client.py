"""Layer 70: the CLI client (status/stop/list/get/add/update/delete/verify/logs/
import/export/health/validate/init) against a real `mockd start` on port 0.

Every mockd process runs with HOME=<tmp>/home, --data-dir <tmp>/data and
--pid-file <tmp>/mockd.pid, so nothing touches the real home directory. Foreground
servers are killed by conftest's `servers` fixture; detached ones are killed by pid
(read from their PID file) by the `cli` fixture's finalizer.
"""

import http.server
import json
import os
import re
import select
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import yaml

from conftest import MOCKD_BIN, http_session, line_of, wait_for, write_config

CLI_TIMEOUT = 15

ADMIN_UNREACHABLE = "mockd: cannot reach the admin API"
ISO_TS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


# --------------------------------------------------------------------------- helpers


def isolated_env(tmp_path, **extra):
    """Environment overrides: a private HOME, and no inherited MOCKD_* settings."""
    home = Path(tmp_path) / "home"
    home.mkdir(parents=True, exist_ok=True)
    names = {"MOCKD_CONFIG", "MOCKD_PORT", "MOCKD_ADMIN_PORT", "MOCKD_MAX_LOG_ENTRIES",
             "MOCKD_ADMIN_URL", "MOCKD_API_KEY"}
    names |= {k for k in os.environ if k.startswith("MOCKD_")}
    env = {name: "" for name in names}  # empty values are ignored by mockd
    env.update({
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
    })
    env.update(extra)
    return env


def full_env(overrides):
    env = dict(os.environ)
    env.update(overrides)
    return env


def pid_alive(pid):
    """True while pid is a live (non-zombie) process."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def is_mockd(pid):
    try:
        return "mockd" in Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
    except OSError:
        return False


def closed_port():
    """A port where nothing listens (bound without listen, so nobody else takes it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock, sock.getsockname()[1]


def only_lines(text):
    return [line for line in text.splitlines() if line.strip()]


class Cli:
    """Runs mockd commands in an isolated environment; tracks detached servers."""

    def __init__(self, servers, tmp_path):
        self.servers = servers
        self.tmp = Path(tmp_path)
        self.env = isolated_env(tmp_path)
        self.data_dir = self.tmp / "data"
        self.pid_file = self.tmp / "mockd.pid"
        self.admin_url = None
        self.detached_pids = []

    # ---------------------------------------------------------------- servers
    def start(self, *flags, config=None, data_dir=None, pid_file=None):
        """Foreground `mockd start` (killed by the servers fixture); becomes the CLI target."""
        server = self.servers.start(
            "--data-dir", str(data_dir or self.data_dir),
            "--pid-file", str(pid_file or self.pid_file),
            *flags, config=config, env=self.env)
        self.admin_url = f"http://127.0.0.1:{server.admin_port}"
        return server

    def detach(self, *flags, data_dir=None, pid_file=None):
        """`mockd start -d`; remembers the child's pid so the finalizer can kill it."""
        pid_file = Path(pid_file or self.pid_file)
        before = self._pid_in(pid_file)
        r = self.run("start", "-p", "0", "-a", "0",
                     "--data-dir", str(data_dir or self.data_dir),
                     "--pid-file", str(pid_file), *flags, "-d")
        m = re.search(r"\(pid (\d+)\)", r.stdout)
        if m:
            self.detached_pids.append(int(m.group(1)))
        after = self._pid_in(pid_file)
        if after is not None and after != before:  # written by this start
            self.detached_pids.append(after)
        return r

    @staticmethod
    def _pid_in(pid_file):
        try:
            return int(json.loads(Path(pid_file).read_text())["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def cleanup(self):
        for pid in set(self.detached_pids):
            if pid_alive(pid) and is_mockd(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for pid in set(self.detached_pids):
            deadline = time.monotonic() + 5
            while pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.01)

    # ---------------------------------------------------------------- commands
    def run(self, *args, env=None, cwd=None, timeout=CLI_TIMEOUT, input=None):
        e = dict(self.env)
        if env:
            e.update(env)
        stdin = {"input": input} if input is not None else {"stdin": subprocess.DEVNULL}
        try:
            return subprocess.run([MOCKD_BIN, *map(str, args)], capture_output=True, text=True,
                                  timeout=timeout, env=full_env(e), cwd=cwd, **stdin)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"mockd {' '.join(map(str, args))} did not exit within "
                                 f"{timeout}s (stderr so far: {exc.stderr!r})")

    def __call__(self, *args, admin_url=None, **kw):
        """A client command against the current server (appends --admin-url)."""
        url = admin_url or self.admin_url
        assert url, "no server started"
        return self.run(*args, "--admin-url", url, **kw)

    def ok(self, *args, **kw):
        r = self(*args, **kw)
        assert r.returncode == 0, f"mockd {' '.join(map(str, args))}: rc={r.returncode} " \
                                  f"stdout={r.stdout!r} stderr={r.stderr!r}"
        return r

    def add(self, *args):
        r = self.ok("add", *args)
        m = re.fullmatch(r"(Created|Updated) mock: (\S+)\n?", r.stdout)
        assert m, f"unexpected add output {r.stdout!r}"
        return m.group(2)

    def list_json(self):
        return json.loads(self.ok("list", "--json").stdout)


@pytest.fixture
def cli(servers, tmp_path):
    c = Cli(servers, tmp_path)
    yield c
    c.cleanup()


def hit(server, method, path, **kw):
    kw.setdefault("timeout", 10)
    kw.setdefault("allow_redirects", False)
    with http_session() as s:
        return s.request(method, f"http://127.0.0.1:{server.port}{path}", **kw)


def strip_times(mocks):
    return sorted(({k: v for k, v in m.items() if k not in ("createdAt", "updatedAt")}
                   for m in mocks), key=lambda m: m["id"])


def json_values(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from json_values(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from json_values(v)
    else:
        yield obj


# --------------------------------------------------------------------------- status / stop


def test_status_running_then_not_running(cli):
    s = cli.start()
    cli.add("--path", "/one")
    cli.add("--path", "/two")
    r = cli.run("status", "--pid-file", cli.pid_file)
    assert r.returncode == 0, r
    out = r.stdout
    assert re.search(r"^mockd is running \(version [^)]+\)", out, re.M), out
    assert re.search(rf"http://[^\s]+:{s.port}\b", out), out
    assert re.search(rf"http://[^\s]+:{s.admin_port}\b", out), out
    assert re.search(r"\b2\b", re.search(r"mocks?:.*", out).group(0)), out
    assert re.search(rf"\bpid:?\s+{s.proc.pid}\b", out), out

    rj = cli.run("status", "--pid-file", cli.pid_file, "--json")
    assert rj.returncode == 0, rj
    values = list(json_values(json.loads(rj.stdout)))
    assert s.port in values and s.admin_port in values, rj.stdout

    s.signal(signal.SIGTERM)
    assert s.wait_exit(10) == 0
    assert not cli.pid_file.exists(), "PID file left behind after a clean exit"
    r = cli.run("status", "--pid-file", cli.pid_file)
    assert r.returncode == 1, r
    assert "mockd is not running" in r.stdout + r.stderr


def test_status_without_pid_file_is_not_running(cli):
    r = cli.run("status", "--pid-file", cli.tmp / "nothing.pid")
    assert r.returncode == 1
    assert "mockd is not running" in r.stdout + r.stderr


def test_detach_status_stop(cli):
    r = cli.detach()
    assert r.returncode == 0, r
    m = re.fullmatch(
        r"mockd running in the background \(pid (\d+)\)\n"
        r"  mock server: http://localhost:(\d+)\n"
        r"  admin API:   http://localhost:(\d+)\n"
        r"  stop it with: mockd stop\n", r.stdout)
    assert m, f"unexpected -d output {r.stdout!r}"
    pid, port, admin = map(int, m.groups())
    assert pid_alive(pid)
    assert port and admin and port != admin

    # ready when -d returns: no polling needed
    with http_session() as s:
        assert s.get(f"http://127.0.0.1:{admin}/health", timeout=5).status_code == 200
        assert s.get(f"http://127.0.0.1:{port}/nothing", timeout=5).status_code == 404

    # (that the PID file is already there when -d returns: test_pid_file_is_current_...)
    wait_for(lambda: Cli._pid_in(cli.pid_file) == pid, 5, "the PID file")
    info = json.loads(cli.pid_file.read_text())
    assert info["pid"] == pid
    assert ISO_TS.fullmatch(info["startTime"]) or re.match(r"\d{4}-\d{2}-\d{2}T", info["startTime"])
    assert info["version"] and "commit" in info
    assert info["components"]["admin"]["enabled"] is True
    assert info["components"]["admin"]["port"] == admin
    assert "host" in info["components"]["admin"]
    assert info["components"]["engine"]["enabled"] is True
    assert info["components"]["engine"]["port"] == port
    assert "host" in info["components"]["engine"] and "httpsPort" in info["components"]["engine"]
    assert info["config"] == {"file": "", "mocksLoaded": 0}

    log = cli.data_dir / "mockd.log"
    wait_for(lambda: log.exists() and f"admin API on http://localhost:{admin}" in log.read_text(),
             5, "the child's log in <data-dir>/mockd.log")

    st = cli.run("status", "--pid-file", cli.pid_file)
    assert st.returncode == 0, st
    assert "mockd is running" in st.stdout and str(pid) in st.stdout

    stop = cli.run("stop", "--pid-file", cli.pid_file)
    assert stop.returncode == 0, stop
    assert stop.stdout.strip() == f"mockd stopped (pid {pid})"
    assert not pid_alive(pid), "stop returned while the server still runs"
    assert not cli.pid_file.exists()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    st = cli.run("status", "--pid-file", cli.pid_file)
    assert st.returncode == 1 and "mockd is not running" in st.stdout + st.stderr


@pytest.mark.parametrize("stale", [False, True], ids=["no-pid-file", "stale-pid-file"])
def test_pid_file_is_current_when_detach_returns(cli, stale):
    # A script runs `mockd start -d && ... && mockd stop`: the PID file must name the
    # new server as soon as -d returns (checked over several rounds: it is a race).
    for round_ in range(8):
        if stale:
            stale_pid_file(cli.pid_file, dead_pid())
        r = cli.detach()
        assert r.returncode == 0, r
        child = int(re.search(r"\(pid (\d+)\)", r.stdout).group(1))
        text = cli.pid_file.read_text() if cli.pid_file.exists() else None
        assert text is not None, f"round {round_}: no PID file when -d returned"
        assert json.loads(text)["pid"] == child, \
            f"round {round_}: PID file names pid {json.loads(text)['pid']}, not the new {child}"
        os.kill(child, signal.SIGKILL)
        wait_for(lambda: not pid_alive(child), 5, "the killed server to go")
        cli.pid_file.unlink(missing_ok=True)


def test_stop_right_after_detach(cli):
    r = cli.detach()
    assert r.returncode == 0, r
    child = int(re.search(r"\(pid (\d+)\)", r.stdout).group(1))
    stop = cli.run("stop", "--pid-file", cli.pid_file)
    assert stop.returncode == 0, stop
    assert stop.stdout.strip() == f"mockd stopped (pid {child})"
    assert not pid_alive(child)


def test_stop_force(cli):
    r = cli.detach()
    assert r.returncode == 0, r
    pid = int(re.search(r"\(pid (\d+)\)", r.stdout).group(1))
    wait_for(lambda: Cli._pid_in(cli.pid_file) == pid, 5, "the PID file")
    stop = cli.run("stop", "--pid-file", cli.pid_file, "-f", "--timeout", "10s")
    assert stop.returncode == 0, stop
    assert f"mockd stopped (pid {pid})" in stop.stdout
    assert not pid_alive(pid)
    st = cli.run("status", "--pid-file", cli.pid_file)
    assert st.returncode == 1 and "mockd is not running" in st.stdout + st.stderr


def test_stop_without_pid_file(cli):
    r = cli.run("stop", "--pid-file", cli.tmp / "absent.pid")
    assert r.returncode == 1
    lines = only_lines(r.stderr)
    assert len(lines) == 1 and lines[0].startswith("mockd: no running server"), r.stderr


def dead_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def stale_pid_file(path, pid):
    Path(path).write_text(json.dumps({
        "pid": pid, "startTime": "2020-01-01T00:00:00Z", "version": "0.0.0", "commit": "x",
        "components": {"admin": {"enabled": True, "port": 1, "host": "localhost"},
                       "engine": {"enabled": True, "port": 2, "host": "localhost", "httpsPort": 0}},
        "config": {"file": "", "mocksLoaded": 0}}))


def test_stop_stale_pid_file_is_removed(cli):
    pid = dead_pid()
    stale_pid_file(cli.pid_file, pid)
    r = cli.run("stop", "--pid-file", cli.pid_file)
    assert r.returncode == 1, r
    assert not cli.pid_file.exists(), "stale PID file not removed"
    st = cli.run("status", "--pid-file", cli.pid_file)
    assert st.returncode == 1


def test_start_replaces_stale_pid_file(cli):
    stale_pid_file(cli.pid_file, dead_pid())
    r = cli.detach()
    assert r.returncode == 0, r
    new_pid = int(re.search(r"\(pid (\d+)\)", r.stdout).group(1))
    # (whether it is replaced before -d returns: test_pid_file_is_current_when_detach_returns)
    wait_for(lambda: Cli._pid_in(cli.pid_file) == new_pid, 5, "the stale PID file to be replaced")
    info = json.loads(cli.pid_file.read_text())
    assert pid_alive(new_pid)
    assert info["components"]["admin"]["port"] not in (1, 2)
    st = cli.run("status", "--pid-file", cli.pid_file)
    assert st.returncode == 0 and str(new_pid) in st.stdout


def test_detach_bad_config_fails_with_the_error(cli):
    cfg = write_config(cli.tmp, """
        mocks:
          - id: x
            type: http
            http:
              matcher: { method: GET, path: /x }
              response: { statusCode: "abc" }
    """)
    r = cli.detach("-c", cfg)
    assert r.returncode == 1, r
    lines = only_lines(r.stderr)
    assert len(lines) == 1 and lines[0].startswith("mockd: "), r.stderr
    assert "statusCode" in lines[0]
    assert "running in the background" not in r.stdout
    st = cli.run("status", "--pid-file", cli.pid_file)
    assert st.returncode == 1


def test_detach_busy_port_fails(cli):
    busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    busy.bind(("0.0.0.0", 0))
    busy.listen()
    try:
        port = busy.getsockname()[1]
        r = cli.run("start", "-p", port, "-a", "0", "--data-dir", cli.data_dir,
                    "--pid-file", cli.pid_file, "-d")
        m = re.search(r"\(pid (\d+)\)", r.stdout)
        if m:
            cli.detached_pids.append(int(m.group(1)))
        assert r.returncode == 1, r
        lines = only_lines(r.stderr)
        assert len(lines) == 1 and lines[0].startswith("mockd: "), r.stderr
        assert str(port) in lines[0]
    finally:
        busy.close()


# --------------------------------------------------------------------------- add / list / get


def test_add_is_live_at_once_with_status_body_headers(cli):
    s = cli.start()
    r = cli.ok("add", "-m", "GET", "--path", "/greet", "-s", "201", "-b", "hello there",
               "-H", "X-One: 1", "-H", "X-Two: two words", "-n", "greeter")
    m = re.fullmatch(r"Created mock: (\S+)\n", r.stdout)
    assert m, r.stdout
    mock_id = m.group(1)
    resp = hit(s, "GET", "/greet")
    assert resp.status_code == 201
    assert resp.text == "hello there"
    assert resp.headers["X-One"] == "1"
    assert resp.headers["X-Two"] == "two words"
    assert hit(s, "POST", "/greet").status_code == 404
    got = json.loads(cli.ok("get", mock_id).stdout)
    assert got["id"] == mock_id and got["name"] == "greeter"


def test_add_same_method_and_path_upserts(cli):
    s = cli.start()
    first = cli.ok("add", "--path", "/u", "-b", "v1")
    mock_id = re.fullmatch(r"Created mock: (\S+)\n", first.stdout).group(1)
    second = cli.ok("add", "--path", "/u", "-b", "v2", "-s", "202")
    assert second.stdout == f"Updated mock: {mock_id}\n"
    assert [m["id"] for m in cli.list_json()] == [mock_id]
    resp = hit(s, "GET", "/u")
    assert (resp.status_code, resp.text) == (202, "v2")
    # another method on the same path is a different mock
    other = cli.ok("add", "-m", "POST", "--path", "/u", "-b", "posted")
    assert other.stdout.startswith("Created mock: ")
    assert len(cli.list_json()) == 2


def test_add_allow_duplicate_creates_second_mock(cli):
    cli.start()
    a = cli.add("--path", "/dup", "-b", "a")
    r = cli.ok("add", "--path", "/dup", "-b", "b", "--allow-duplicate")
    m = re.fullmatch(r"Created mock: (\S+)\n", r.stdout)
    assert m, r.stdout
    assert m.group(1) != a
    assert sorted(x["id"] for x in cli.list_json()) == sorted([a, m.group(1)])


def test_add_body_file(cli, tmp_path):
    s = cli.start()
    body = '{"items": [1, 2, 3],\n "note": "from a file"}\n'
    path = tmp_path / "body.json"
    path.write_text(body)
    cli.add("--path", "/file", "--body-file", path, "-H", "Content-Type: application/json")
    resp = hit(s, "GET", "/file")
    assert resp.status_code == 200
    assert resp.text == body
    assert resp.headers["Content-Type"] == "application/json"


def test_add_match_header(cli):
    s = cli.start()
    cli.add("--path", "/secret", "--match-header", "X-Token: abc", "-b", "in")
    assert hit(s, "GET", "/secret").status_code == 404
    assert hit(s, "GET", "/secret", headers={"X-Token": "nope"}).status_code == 404
    resp = hit(s, "GET", "/secret", headers={"X-Token": "abc"})
    assert (resp.status_code, resp.text) == (200, "in")


def test_add_match_query_and_body_contains(cli):
    s = cli.start()
    cli.add("--path", "/search", "--match-query", "q=cats", "-b", "meow")
    cli.add("-m", "POST", "--path", "/orders", "--match-body-contains", "urgent", "-s", "202")
    assert hit(s, "GET", "/search").status_code == 404
    assert hit(s, "GET", "/search?q=dogs").status_code == 404
    assert hit(s, "GET", "/search?q=cats").text == "meow"
    assert hit(s, "POST", "/orders", data="a normal order").status_code == 404
    assert hit(s, "POST", "/orders", data="an urgent order").status_code == 202


def test_add_priority_and_delay(cli):
    s = cli.start()
    # priority breaks the tie between equally specific mocks (over "newest wins")
    cli.add("--path", "/prio", "-b", "preferred", "--priority", "50")
    cli.add("--path", "/prio", "-b", "newer", "--priority", "1", "--allow-duplicate")
    assert hit(s, "GET", "/prio").text == "preferred"
    cli.add("--path", "/slow", "--delay", "400", "-b", "late")
    t0 = time.monotonic()
    resp = hit(s, "GET", "/slow")
    assert resp.text == "late"
    assert time.monotonic() - t0 >= 0.4


def test_add_json_output(cli):
    cli.start()
    r = cli.ok("add", "--path", "/j", "-s", "204", "--json")
    data = json.loads(r.stdout)
    values = list(json_values(data))
    assert "/j" in values and 204 in values
    ids = [m["id"] for m in cli.list_json()]
    assert len(ids) == 1 and ids[0] in values


def test_list_table_and_json(cli):
    s = cli.start()
    a = cli.add("-m", "GET", "--path", "/alpha", "-s", "200")
    b = cli.add("-m", "POST", "--path", "/beta", "-s", "201")
    cli.ok("update", b, "--enabled", "false")
    r = cli.ok("list")
    lines = only_lines(r.stdout)
    assert lines[0].split() == ["ID", "TYPE", "METHOD", "PATH", "STATUS", "ENABLED"]
    assert lines[-1].strip() == "2 mock(s)"
    rows = {line.split()[0]: line.split() for line in lines[1:-1]}
    assert set(rows) == {a, b}
    assert rows[a][1:5] == ["http", "GET", "/alpha", "200"]
    assert rows[b][1:5] == ["http", "POST", "/beta", "201"]
    assert rows[a][5] != rows[b][5], "ENABLED column does not show the disabled mock"

    mocks = cli.list_json()
    assert isinstance(mocks, list)
    by_id = {m["id"]: m for m in mocks}
    assert set(by_id) == {a, b}
    assert by_id[a]["http"]["matcher"] == {"method": "GET", "path": "/alpha"}
    assert by_id[b]["enabled"] is False and by_id[a]["enabled"] is True

    assert only_lines(cli.ok("list", "-t", "http").stdout)[-1].strip() == "2 mock(s)"
    assert only_lines(cli.ok("list", "-t", "grpc").stdout)[-1].strip() == "0 mock(s)"
    assert json.loads(cli.ok("list", "-t", "grpc", "--json").stdout) == []
    assert hit(s, "POST", "/beta").status_code == 404


def test_get_by_id_and_unique_prefix(cli):
    cli.start()
    a = cli.add("--path", "/get-a", "-b", "A")
    b = cli.add("--path", "/get-b", "-b", "B")
    full = json.loads(cli.ok("get", a).stdout)
    assert full["id"] == a and full["http"]["response"]["body"] == "A"
    assert "\n  " in cli.ok("get", a).stdout, "not pretty-printed"
    # the shortest prefix that tells them apart
    n = next(i for i in range(1, len(a) + 1) if a[:i] != b[:i])
    assert json.loads(cli.ok("get", a[:n]).stdout) == full
    common = os.path.commonprefix([a, b])
    amb = cli("get", common)
    assert amb.returncode == 1
    assert a in amb.stderr and b in amb.stderr
    unknown = cli("get", "no-such-mock")
    assert unknown.returncode == 1 and unknown.stderr.startswith("mockd: ")


# --------------------------------------------------------------------------- update / delete


def test_update_changes_live_mock(cli):
    s = cli.start()
    mid = cli.add("--path", "/upd", "-b", "old", "-s", "200")
    r = cli.ok("update", mid, "-b", "new", "-s", "203", "-H", "X-Up: yes", "-n", "renamed")
    assert r.stdout == f"Updated mock: {mid}\n"
    resp = hit(s, "GET", "/upd")
    assert (resp.status_code, resp.text, resp.headers.get("X-Up")) == (203, "new", "yes")
    assert json.loads(cli.ok("get", mid).stdout)["name"] == "renamed"

    cli.ok("update", mid, "--delay", "300")
    t0 = time.monotonic()
    assert hit(s, "GET", "/upd").text == "new"
    assert time.monotonic() - t0 >= 0.3

    assert cli.ok("update", mid, "--enabled", "false").stdout == f"Updated mock: {mid}\n"
    assert hit(s, "GET", "/upd").status_code == 404
    cli.ok("update", mid, "--enabled", "true")
    assert hit(s, "GET", "/upd").status_code == 203


def test_update_without_changes_is_an_error(cli):
    s = cli.start()
    mid = cli.add("--path", "/same", "-b", "same")
    before = json.loads(cli.ok("get", mid).stdout)
    r = cli("update", mid)
    assert r.returncode == 1
    assert r.stderr.startswith("mockd: ")
    assert json.loads(cli.ok("get", mid).stdout) == before
    assert hit(s, "GET", "/same").text == "same"
    r = cli("update", "ghost", "-b", "x")
    assert r.returncode == 1


@pytest.mark.parametrize("verb", ["delete", "rm", "remove"])
def test_delete_by_prefix_and_aliases(cli, verb):
    s = cli.start()
    a = cli.add("--path", "/del-a")
    b = cli.add("--path", "/del-b")
    n = next(i for i in range(1, len(a) + 1) if a[:i] != b[:i])
    r = cli.ok(verb, a[:n], "-y")
    assert r.stdout == f"Deleted mock: {a}\n"
    assert hit(s, "GET", "/del-a").status_code == 404
    assert hit(s, "GET", "/del-b").status_code == 200
    assert [m["id"] for m in cli.list_json()] == [b]


def test_delete_ambiguous_prefix_lists_matches_and_keeps_them(cli):
    s = cli.start()
    a = cli.add("--path", "/amb-a")
    b = cli.add("--path", "/amb-b")
    common = os.path.commonprefix([a, b])
    r = cli("delete", common)
    assert r.returncode == 1
    assert a in r.stderr and b in r.stderr
    assert sorted(m["id"] for m in cli.list_json()) == sorted([a, b])
    assert hit(s, "GET", "/amb-a").status_code == 200
    r = cli("delete", "zz-unknown")
    assert r.returncode == 1 and r.stderr.startswith("mockd: ")
    assert len(cli.list_json()) == 2


# --------------------------------------------------------------------------- verify


def test_verify_status_check_invocations_reset(cli):
    s = cli.start()
    a = cli.add("--path", "/va")
    b = cli.add("-m", "POST", "--path", "/vb")
    assert hit(s, "GET", "/va").status_code == 200
    assert hit(s, "GET", "/va?x=1").status_code == 200
    assert hit(s, "POST", "/vb", data="payload").status_code == 200

    r = cli.ok("verify", "status", a)
    assert r.stdout.startswith(f"{a}: called 2 time(s)")
    assert cli.ok("verify", "status", b).stdout.startswith(f"{b}: called 1 time(s)")

    def check(mock_id, *criterion):
        res = cli("verify", "check", mock_id, *criterion)
        word = only_lines(res.stdout)[0].split()[0] if res.stdout.strip() else ""
        return res.returncode, word

    assert check(a, "--exactly", "2") == (0, "PASS")
    assert check(a, "--exactly", "3") == (1, "FAIL")
    assert check(a, "--at-least", "2") == (0, "PASS")
    assert check(a, "--at-least", "3") == (1, "FAIL")
    assert check(a, "--at-most", "2") == (0, "PASS")
    assert check(a, "--at-most", "1") == (1, "FAIL")
    assert check(a, "--never") == (1, "FAIL")
    none = cli("verify", "check", a)
    assert none.returncode == 1 and none.stderr.startswith("mockd: ")

    inv = json.loads(cli.ok("verify", "invocations", a, "--json").stdout)
    entries = inv["invocations"] if isinstance(inv, dict) else inv
    assert len(entries) == 2
    assert all(e["method"] == "GET" and e["path"] == "/va" for e in entries)
    text = cli.ok("verify", "invocations", b).stdout
    assert "POST" in text and "/vb" in text

    assert cli.ok("verify", "reset", a).returncode == 0
    assert cli.ok("verify", "status", a).stdout.startswith(f"{a}: called 0 time(s)")
    assert check(a, "--never") == (0, "PASS")
    assert cli.ok("verify", "status", b).stdout.startswith(f"{b}: called 1 time(s)")
    cli.ok("verify", "reset", "--all")
    assert cli.ok("verify", "status", b).stdout.startswith(f"{b}: called 0 time(s)")
    assert check(b, "--exactly", "0") == (0, "PASS")
    # counting goes on after a reset
    hit(s, "POST", "/vb")
    assert check(b, "--exactly", "1") == (0, "PASS")


# --------------------------------------------------------------------------- logs


def parse_log_line(line):
    parts = line.split()
    assert len(parts) >= 5, f"short log line {line!r}"
    return {"ts": parts[0], "method": parts[1], "path": parts[2], "status": parts[3],
            "mock": " ".join(parts[4:])}


@pytest.fixture
def logged(cli):
    """A server that saw: GET /log-a (a), POST /log-b (b, 201), GET /no-such-thing?x=1, DELETE /log-a."""
    s = cli.start()
    a = cli.add("--path", "/log-a")
    b = cli.add("-m", "POST", "--path", "/log-b", "-s", "201")
    hit(s, "GET", "/log-a")
    hit(s, "POST", "/log-b", data="x")
    hit(s, "GET", "/no-such-thing?x=1")
    hit(s, "DELETE", "/log-a")
    return s, a, b


def log_paths(cli, *args):
    return [parse_log_line(x)["path"] + ":" + parse_log_line(x)["method"]
            for x in only_lines(cli.ok("logs", *args).stdout)]


def test_logs_one_line_per_request_oldest_first(cli, logged):
    _, a, b = logged
    lines = [parse_log_line(x) for x in only_lines(cli.ok("logs").stdout)]
    assert [(x["method"], x["path"], x["status"], x["mock"]) for x in lines] == [
        ("GET", "/log-a", "200", a),
        ("POST", "/log-b", "201", b),
        ("GET", "/no-such-thing", "404", "(no match)"),
        ("DELETE", "/log-a", "404", "(no match)"),
    ]
    assert all(ISO_TS.fullmatch(x["ts"]) for x in lines), lines
    assert [x["ts"] for x in lines] == sorted(x["ts"] for x in lines)


def test_logs_method_filter(cli, logged):
    assert log_paths(cli, "-m", "POST") == ["/log-b:POST"]
    assert log_paths(cli, "-m", "DELETE") == ["/log-a:DELETE"]
    assert log_paths(cli, "-m", "GET") == ["/log-a:GET", "/no-such-thing:GET"]
    assert log_paths(cli, "-m", "GET", "--unmatched") == ["/no-such-thing:GET"]


def test_logs_path_and_match_filters(cli, logged):
    assert log_paths(cli, "-p", "such") == ["/no-such-thing:GET"]
    assert log_paths(cli, "-p", "/log-") == ["/log-a:GET", "/log-b:POST", "/log-a:DELETE"]
    assert log_paths(cli, "--matched") == ["/log-a:GET", "/log-b:POST"]
    assert log_paths(cli, "--unmatched") == ["/no-such-thing:GET", "/log-a:DELETE"]
    assert log_paths(cli, "-p", "log-a", "--unmatched") == ["/log-a:DELETE"]


def test_logs_limit_keeps_the_newest(cli, logged):
    assert log_paths(cli, "-n", "2") == ["/no-such-thing:GET", "/log-a:DELETE"]
    assert log_paths(cli, "-n", "1") == ["/log-a:DELETE"]


def test_logs_limit_counts_requests_that_pass_the_filters(cli, logged):
    # -n says how many requests are shown: the newest N that pass the filters
    assert log_paths(cli, "-m", "POST", "-n", "1") == ["/log-b:POST"]
    assert log_paths(cli, "--matched", "-n", "1") == ["/log-b:POST"]


def test_logs_json_one_object_per_line(cli, logged):
    _, a, b = logged
    js = [json.loads(x) for x in only_lines(cli.ok("logs", "--json").stdout)]
    assert [(e["method"], e["path"]) for e in js] == [
        ("GET", "/log-a"), ("POST", "/log-b"), ("GET", "/no-such-thing"), ("DELETE", "/log-a")]
    assert js[1]["responseStatus"] == 201
    assert js[0]["matchedMockID"] == a


def test_logs_clear(cli, logged):
    s, _, _ = logged
    assert cli.ok("logs", "--clear").returncode == 0
    after = only_lines(cli.ok("logs").stdout)
    assert not any("/log-" in x or "/no-such" in x for x in after), after
    assert only_lines(cli.ok("logs", "--json").stdout) == []
    hit(s, "GET", "/after-clear")
    assert log_paths(cli) == ["/after-clear:GET"]


class LineReader:
    """Reads lines from a process's stdout with a deadline."""

    def __init__(self, proc):
        self.proc = proc
        self.buf = b""
        self.lines = []

    def pump(self, timeout):
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], timeout)
        if ready:
            chunk = os.read(fd, 65536)
            if chunk:
                self.buf += chunk
                while b"\n" in self.buf:
                    line, self.buf = self.buf.split(b"\n", 1)
                    self.lines.append(line.decode("utf-8", "replace"))

    def wait_line(self, needle, timeout):
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines:
                if needle in line:
                    return line
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if self.proc.poll() is not None and not self.buf:
                self.pump(0)
                if not any(needle in x for x in self.lines):
                    return None
            self.pump(min(remaining, 0.05))


def test_logs_follow_prints_new_requests(cli):
    s = cli.start()
    mid = cli.add("--path", "/followed")
    env = full_env(cli.env)
    proc = subprocess.Popen([MOCKD_BIN, "logs", "-f", "--admin-url", cli.admin_url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env)
    try:
        reader = LineReader(proc)
        # The follower may subscribe a moment after it starts: poke until one shows up.
        deadline = time.monotonic() + 8
        seen = None
        n = 0
        while seen is None and time.monotonic() < deadline:
            n += 1
            hit(s, "GET", f"/follow-{n}")
            seen = reader.wait_line(f"/follow-{n}", 0.5)
            assert proc.poll() is None, f"logs -f exited: {proc.returncode} {proc.stderr.read()!r}"
        assert seen, "logs -f printed none of the requests"
        assert "404" in seen and "(no match)" in seen
        hit(s, "GET", "/followed")
        line = reader.wait_line("/followed", 5)
        assert line, f"logs -f did not print a later request; got {reader.lines!r}"
        fields = parse_log_line(line)
        assert (fields["method"], fields["path"], fields["status"], fields["mock"]) == \
            ("GET", "/followed", "200", mid)
        assert proc.poll() is None, "logs -f should keep running"
    finally:
        proc.kill()
        proc.wait(timeout=5)
        proc.stdout.close()
        proc.stderr.close()


# --------------------------------------------------------------------------- import / export

IMPORT_YAML = """
    version: "1.0"
    mocks:
      - id: imp-a
        type: http
        http:
          matcher: { method: GET, path: /imp-a }
          response: { statusCode: 200, body: "A" }
      - id: imp-b
        type: http
        http:
          matcher: { method: GET, path: /imp-b }
          response: { statusCode: 201, body: "B" }
"""


def test_import_yaml_json_dry_run_and_replace(cli, tmp_path):
    s = cli.start()
    existing = cli.add("--path", "/existing", "-b", "E")
    yml = write_config(tmp_path, IMPORT_YAML, "set.yaml")

    r = cli.ok("import", yml, "--dry-run")
    assert [m["id"] for m in cli.list_json()] == [existing], "--dry-run changed the mocks"
    assert hit(s, "GET", "/imp-a").status_code == 404

    r = cli.ok("import", yml)
    assert r.stdout.strip() == "Imported 2 mock(s) (3 in total)"
    assert sorted(m["id"] for m in cli.list_json()) == sorted([existing, "imp-a", "imp-b"])
    resp = hit(s, "GET", "/imp-b")
    assert (resp.status_code, resp.text) == (201, "B")

    # a JSON file whose name does not end in .json is still read as JSON
    js = tmp_path / "set.data"
    js.write_text(json.dumps({"version": "1.0", "mocks": [
        {"id": "j1", "type": "http",
         "http": {"matcher": {"method": "GET", "path": "/j1"},
                  "response": {"statusCode": 200, "body": "J"}}}]}))
    r = cli.ok("import", js, "--replace")
    assert r.stdout.strip() == "Imported 1 mock(s) (1 in total)"
    assert [m["id"] for m in cli.list_json()] == ["j1"]
    assert hit(s, "GET", "/j1").text == "J"
    assert hit(s, "GET", "/existing").status_code == 404
    assert hit(s, "GET", "/imp-a").status_code == 404


def test_import_broken_file_names_the_field_and_changes_nothing(cli, tmp_path):
    s = cli.start()
    keep = cli.add("--path", "/keep")
    bad = write_config(tmp_path, """
        version: "1.0"
        mocks:
          - id: fine
            type: http
            http:
              matcher: { method: GET, path: /fine }
              response: { statusCode: 200 }
          - id: broken
            type: http
            http:
              matcher: { method: GET, path: /broken }
              response: { statusCode: "lots" }
    """, "bad.yml")
    r = cli("import", bad)
    assert r.returncode == 1
    assert "statusCode" in r.stderr, r.stderr
    assert [m["id"] for m in cli.list_json()] == [keep]
    assert hit(s, "GET", "/fine").status_code == 404
    r = cli("import", bad, "--dry-run")
    assert r.returncode == 1 and "statusCode" in r.stderr
    r = cli("import", tmp_path / "missing.yaml")
    assert r.returncode == 1 and r.stderr.startswith("mockd: ")


def test_export_stdout_file_and_round_trip(cli, servers, tmp_path):
    s = cli.start()
    cli.add("--path", "/rt-a", "-s", "201", "-b", "alpha", "-H", "X-Rt: 1", "-n", "first")
    cli.add("-m", "POST", "--path", "/rt-b", "--match-header", "X-K: v", "--delay", "5")
    b_id = [m["id"] for m in cli.list_json() if m["http"]["matcher"]["path"] == "/rt-b"][0]
    cli.ok("update", b_id, "--enabled", "false")
    source = cli.list_json()

    out = json.loads(cli.ok("export").stdout)
    assert sorted(m["id"] for m in out["mocks"]) == sorted(m["id"] for m in source)
    named = json.loads(cli.ok("export", "-n", "my-set").stdout)
    assert named["name"] == "my-set"
    y = yaml.safe_load(cli.ok("export", "-f", "yaml").stdout)
    assert sorted(m["id"] for m in y["mocks"]) == sorted(m["id"] for m in source)

    target = tmp_path / "exported.yaml"
    cli.ok("export", "-o", target, "-n", "roundtrip")
    text = target.read_text()
    assert not text.lstrip().startswith("{"), "a .yaml export should be YAML"
    data = yaml.safe_load(text)
    assert data["name"] == "roundtrip" and len(data["mocks"]) == 2
    jtarget = tmp_path / "exported.json"
    cli.ok("export", "-o", jtarget)
    assert len(json.loads(jtarget.read_text())["mocks"]) == 2

    # a fresh server (own data dir) with a mock of its own
    fresh = cli.start(data_dir=tmp_path / "data2", pid_file=tmp_path / "fresh.pid")
    cli.add("--path", "/other")
    r = cli.ok("import", target, "--replace")
    assert r.stdout.strip() == "Imported 2 mock(s) (2 in total)"
    assert strip_times(cli.list_json()) == strip_times(source)
    resp = hit(fresh, "GET", "/rt-a")
    assert (resp.status_code, resp.text, resp.headers.get("X-Rt")) == (201, "alpha", "1")
    assert hit(fresh, "POST", "/rt-b", headers={"X-K": "v"}).status_code == 404  # disabled
    assert hit(fresh, "GET", "/other").status_code == 404
    assert s.alive()


# --------------------------------------------------------------------------- health


def test_health_ok_and_unreachable(cli):
    s = cli.start()
    for args in (["--port", s.admin_port], ["--url", f"http://127.0.0.1:{s.admin_port}"],
                 ["--url", f"http://127.0.0.1:{s.admin_port}/health"]):
        r = cli.run("health", *args)
        assert r.returncode == 0, (args, r)
        assert r.stdout.startswith("healthy ("), r.stdout
    sock, port = closed_port()
    try:
        r = cli.run("health", "--port", port)
        assert r.returncode == 1, r
        assert "healthy (" not in r.stdout
        r = cli.run("health", "--url", f"http://127.0.0.1:{port}")
        assert r.returncode == 1, r
    finally:
        sock.close()


# --------------------------------------------------------------------------- validate / init


def test_validate_good_and_bad_files_without_a_server(cli, tmp_path):
    good = write_config(tmp_path, IMPORT_YAML, "good.yaml")
    good_json = tmp_path / "good.json"
    good_json.write_text(json.dumps({"mocks": [
        {"id": "j", "type": "http", "http": {"matcher": {"method": "GET", "path": "/j"},
                                             "response": {"statusCode": 200}}}]}))
    bad = write_config(tmp_path, """
        version: "1.0"
        mocks:
          - id: ok-one
            type: http
            http:
              matcher: { method: GET, path: /ok }
              response: { statusCode: 200 }
          - id: bad-one
            type: http
            http:
              matcher: { method: GET, path: /bad }
              response:
                statusCode: "not a number"
    """, "bad.yaml")
    r = cli.run("validate", good, good_json)
    assert r.returncode == 0, r
    assert only_lines(r.stdout) == [f"ok   {good}: 2 mock(s)", f"ok   {good_json}: 1 mock(s)"]

    r = cli.run("validate", good, bad)
    assert r.returncode == 1, r
    out = only_lines(r.stdout + "\n" + r.stderr)
    assert f"ok   {good}: 2 mock(s)" in out
    fails = [x for x in out if x.startswith("FAIL ")]
    assert len(fails) == 1, out
    m = re.fullmatch(r"FAIL (.+):(\d+): (\S+): (.+)", fails[0])
    assert m, fails[0]
    assert m.group(1) == bad
    assert int(m.group(2)) == line_of(bad, "statusCode", nth=2)
    assert m.group(3).endswith("statusCode")


def test_init_writes_a_config_that_validates_and_serves(cli, servers, tmp_path):
    work = tmp_path / "proj"
    work.mkdir()
    r = cli.run("init", cwd=work)
    assert r.returncode == 0, r
    cfg = work / "mockd.yaml"
    assert cfg.exists()
    v = cli.run("validate", cfg)
    assert v.returncode == 0 and v.stdout.startswith(f"ok   {cfg}: "), v

    # refuses to overwrite; --force overwrites
    cfg.write_text("# mine\n")
    again = cli.run("init", cwd=work)
    assert again.returncode == 1, again
    assert cfg.read_text() == "# mine\n"
    forced = cli.run("init", "--force", cwd=work)
    assert forced.returncode == 0, forced
    assert cli.run("validate", cfg).returncode == 0

    js = work / "starter.json"
    r = cli.run("init", "-o", js, "--format", "json", cwd=work)
    assert r.returncode == 0, r
    json.loads(js.read_text())
    assert cli.run("validate", js).returncode == 0

    s = cli.start(config=cfg)
    resp = hit(s, "GET", "/api/hello")
    assert resp.status_code == 200, resp.text


# --------------------------------------------------------------------------- reachability / key


UNREACHABLE_COMMANDS = [
    ["list"], ["list", "--json"], ["get", "x"], ["add", "--path", "/x"],
    ["update", "x", "-b", "y"], ["delete", "x"], ["verify", "status", "x"],
    ["verify", "check", "x", "--never"], ["verify", "invocations", "x"],
    ["verify", "reset", "--all"], ["logs"], ["logs", "--clear"], ["import", "FILE"],
    ["export"],
]


@pytest.mark.parametrize("args", UNREACHABLE_COMMANDS, ids=lambda a: "-".join(a))
def test_unreachable_admin_api_one_line_error(cli, tmp_path, args):
    coll = write_config(tmp_path, IMPORT_YAML, "c.yaml")
    args = [coll if a == "FILE" else a for a in args]
    sock, port = closed_port()
    try:
        r = cli.run(*args, "--admin-url", f"http://127.0.0.1:{port}")
    finally:
        sock.close()
    assert r.returncode == 1, r
    lines = only_lines(r.stderr)
    assert len(lines) == 1 and lines[0].startswith(ADMIN_UNREACHABLE), r.stderr
    assert r.stdout == ""


def test_admin_url_from_environment(cli):
    s = cli.start()
    mid = cli.add("--path", "/env")
    r = cli.run("list", env={"MOCKD_ADMIN_URL": cli.admin_url})
    assert r.returncode == 0, r
    assert mid in r.stdout
    r = cli.run("add", "--path", "/env2", env={"MOCKD_ADMIN_URL": cli.admin_url})
    assert r.returncode == 0, r
    assert hit(s, "GET", "/env2").status_code == 200


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        type(self).seen.append((self.command, self.path, self.headers.get("X-API-Key")))
        body = json.dumps({"mocks": [], "total": 0, "count": 0}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    class Handler(_Recorder):
        seen = []

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv, Handler
    finally:
        srv.shutdown()
        srv.server_close()


def test_api_key_flag_and_env_sent_as_header(cli, recorder):
    srv, handler = recorder
    url = f"http://127.0.0.1:{srv.server_address[1]}"
    cli.run("list", "--admin-url", url, "--api-key", "flag-key-123")
    assert handler.seen, "mockd list sent nothing to the admin URL"
    assert all(key == "flag-key-123" for _, _, key in handler.seen), handler.seen
    handler.seen.clear()
    cli.run("list", "--admin-url", url, env={"MOCKD_API_KEY": "env-key-456"})
    assert handler.seen and all(key == "env-key-456" for _, _, key in handler.seen), handler.seen


def test_loopback_client_needs_no_key(cli):
    s = cli.start()
    # no --api-key, no MOCKD_API_KEY, and a data dir without a key file
    empty = cli.tmp / "empty-data"
    empty.mkdir()
    r = cli.run("add", "--path", "/nokey", "--admin-url", cli.admin_url, "--data-dir", empty)
    assert r.returncode == 0, r
    assert hit(s, "GET", "/nokey").status_code == 200


# --------------------------------------------------------------------------- mockd's command set


def one_error_line(r, *needles):
    """A failed command: exit 1, one `mockd: ...` line on stderr naming every needle."""
    assert r.returncode == 1, r
    lines = only_lines(r.stderr)
    assert len(lines) == 1 and lines[0].startswith("mockd: "), r.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def test_add_takes_the_mock_type_as_an_argument(cli):
    s = cli.start()
    mid = cli.add("http", "--path", "/typed", "-b", "typed body")
    resp = hit(s, "GET", "/typed")
    assert (resp.status_code, resp.text) == (200, "typed body")
    assert cli.add("HTTP", "--path", "/typed", "-b", "again") == mid  # upsert, any case
    assert hit(s, "GET", "/typed").text == "again"

    for kind in ("graphql", "grpc", "mqtt", "soap", "oauth"):
        one_error_line(cli("add", kind, "--path", "/other"), kind, "not supported yet")
    one_error_line(cli("add", "carrier-pigeon", "--path", "/other"), '"carrier-pigeon"', "http")
    assert [m["id"] for m in cli.list_json()] == [mid]
    assert hit(s, "GET", "/other").status_code == 404
    ws_id = cli.add("websocket", "--path", "/other", "--echo")  # tests/e2e/test_92 uses it
    assert [m["type"] for m in cli.list_json() if m["id"] == ws_id] == ["websocket"]


def test_health_admin_port_as_in_the_docker_healthcheck(cli):
    s = cli.start()
    for flag in ("--admin-port", "-a", "--port"):
        r = cli.run("health", flag, s.admin_port)
        assert r.returncode == 0, (flag, r)
        assert r.stdout.startswith(f"healthy (http://localhost:{s.admin_port}"), r.stdout
    sock, port = closed_port()
    try:
        r = cli.run("health", "--admin-port", port)
        assert r.returncode == 1, r
        assert "healthy (" not in r.stdout
    finally:
        sock.close()


WIREMOCK_MAPPINGS = {"mappings": [
    {"id": "wm-greet", "name": "greet",
     "request": {"method": "GET", "urlPath": "/wm/greet",
                 "headers": {"X-Who": {"equalTo": "ann"}}},
     "response": {"status": 202, "body": "hello ann", "headers": {"X-From": "wiremock"}}},
    {"request": {"method": "POST", "url": "/wm/orders",
                 "bodyPatterns": [{"contains": "urgent"}]},
     "response": {"status": 201, "jsonBody": {"queued": True}, "fixedDelayMilliseconds": 200}},
    {"request": {"method": "GET", "url": "/wm/file"},
     "response": {"status": 200, "bodyFileName": "page.txt"}},
]}


def test_import_wiremock_mappings_detected_or_named(cli, tmp_path):
    s = cli.start()
    root = tmp_path / "wm"
    (root / "mappings").mkdir(parents=True)
    (root / "__files").mkdir()
    (root / "__files" / "page.txt").write_text("from the body file")
    mapping = root / "mappings" / "all.json"
    mapping.write_text(json.dumps(WIREMOCK_MAPPINGS))

    r = cli.ok("import", mapping)
    assert r.stdout.strip() == "Imported 3 mock(s) (3 in total)", r.stdout
    assert hit(s, "GET", "/wm/greet").status_code == 404  # the header matcher came along
    resp = hit(s, "GET", "/wm/greet", headers={"X-Who": "ann"})
    assert (resp.status_code, resp.text, resp.headers.get("X-From")) == \
        (202, "hello ann", "wiremock")
    assert hit(s, "POST", "/wm/orders", data="a normal order").status_code == 404
    t0 = time.monotonic()
    resp = hit(s, "POST", "/wm/orders", data="an urgent order")
    assert resp.status_code == 201 and resp.json() == {"queued": True}
    assert resp.headers["Content-Type"].startswith("application/json")
    assert time.monotonic() - t0 >= 0.2
    assert hit(s, "GET", "/wm/file").text == "from the body file"
    assert "wm-greet" in [m["id"] for m in cli.list_json()]

    # a single stub on standard input, format named
    stub = {"request": {"method": "DELETE", "urlPath": "/wm/gone"}, "response": {"status": 410}}
    r = cli.ok("import", "-", "--format", "wiremock", input=json.dumps(stub))
    assert r.stdout.strip() == "Imported 1 mock(s) (4 in total)", r.stdout
    assert hit(s, "DELETE", "/wm/gone").status_code == 410


def test_import_from_standard_input(cli):
    s = cli.start()
    r = cli.ok("import", "-", "--dry-run", input=IMPORT_YAML)
    assert r.stdout.strip() == \
        "standard input is valid: 2 mock(s) (format: mockd); nothing changed"
    assert cli.list_json() == []
    r = cli.ok("import", "-", input=IMPORT_YAML)  # YAML, detected
    assert r.stdout.strip() == "Imported 2 mock(s) (2 in total)"
    assert hit(s, "GET", "/imp-b").text == "B"
    coll = {"version": "1.0", "mocks": [
        {"id": "stdin-json", "type": "http",
         "http": {"matcher": {"method": "GET", "path": "/stdin-json"},
                  "response": {"statusCode": 203, "body": "J"}}}]}
    r = cli.ok("import", "-", "-f", "mockd", "--replace", input=json.dumps(coll))
    assert r.stdout.strip() == "Imported 1 mock(s) (1 in total)"
    assert hit(s, "GET", "/stdin-json").status_code == 203
    assert hit(s, "GET", "/imp-b").status_code == 404
    one_error_line(cli("import", "-", input=""), "standard input is empty")


PETSTORE = {
    "openapi": "3.0.3", "info": {"title": "Pets", "version": "1"},
    "paths": {
        "/pets/{petId}": {"get": {"operationId": "getPet", "responses": {"200": {
            "description": "a pet", "content": {"application/json": {"schema": {
                "type": "object", "required": ["id", "name"],
                "properties": {"id": {"type": "integer", "minimum": 1},
                               "name": {"type": "string", "maxLength": 8}}}}}}}}},
        "/pets/mine": {"get": {"responses": {"200": {"description": "mine", "content": {
            "application/json": {"example": {"mine": True}}}}}}},
        "/pets": {"post": {"operationId": "addPet", "responses": {"201": {"description": "made"}}}},
    },
}


def test_import_reads_every_http_format(cli, tmp_path):
    s = cli.start()
    spec = tmp_path / "pets.yaml"
    spec.write_text(json.dumps(PETSTORE))  # JSON is YAML too: detected by its keys
    r = cli.ok("import", spec, "--dry-run")
    assert "GET /pets/{petId} (getPet)" in r.stdout and "(format: openapi)" in r.stdout, r.stdout
    assert cli.list_json() == []
    r = cli.ok("import", spec)
    assert r.stdout.strip() == "Imported 3 mock(s) (3 in total)", r.stdout
    pet = hit(s, "GET", "/pets/42").json()
    assert pet["id"] >= 1 and len(pet["name"]) <= 8
    assert hit(s, "GET", "/pets/mine").json() == {"mine": True}  # the concrete path wins
    made = hit(s, "POST", "/pets")
    assert made.status_code == 201 and made.json() == {"id": 1, "created": True}
    # Importing again replaces the same mocks (stable ids), never adds copies.
    cli.ok("import", spec)
    assert len(cli.list_json()) == 3

    postman = tmp_path / "shop.postman_collection.json"
    postman.write_text(json.dumps({
        "info": {"name": "Shop", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/"},
        "item": [{"name": "Order", "request": {"method": "GET", "url": {
            "raw": "{{base}}/orders/:id", "path": ["orders", ":id"]}},
            "response": [{"code": 202, "body": "an order"}]}]}))
    cli.ok("import", postman)
    assert (hit(s, "GET", "/orders/77").status_code, hit(s, "GET", "/orders/77").text) == \
        (202, "an order")

    har = tmp_path / "session.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": [
        {"request": {"method": "GET", "url": "https://x.test/api/me"},
         "response": {"status": 200, "content": {"mimeType": "application/json",
                                                  "text": '{"me": 1}'}}},
        {"request": {"method": "GET", "url": "https://x.test/logo.png"},
         "response": {"status": 200, "content": {"mimeType": "image/png"}}}]}}))
    cli.ok("import", har)
    assert hit(s, "GET", "/api/me").json() == {"me": 1}
    assert hit(s, "GET", "/logo.png").status_code == 404  # static assets left out

    r = cli.ok("import", "curl -X PUT https://api.test/v1/items/9 -H 'X-Key: k' -d 'x=1'")
    assert hit(s, "PUT", "/v1/items/9", data="x=1").status_code == 404  # X-Key is matched
    assert hit(s, "PUT", "/v1/items/9", data="x=1", headers={"X-Key": "k"}).json() == \
        {"status": "updated"}

    mockoon = tmp_path / "env.json"
    mockoon.write_text(json.dumps({"name": "E", "endpointPrefix": "mk", "port": 3000, "routes": [
        {"uuid": "u1", "method": "get", "endpoint": "hello/:who", "responses": [
            {"statusCode": 200, "body": "hi {{urlParam 'who'}}"}]}]}))
    cli.ok("import", mockoon)
    assert hit(s, "GET", "/mk/hello/ann").text == "hi ann"


def test_import_names_what_it_cannot_read(cli, tmp_path):
    s = cli.start()
    keep = cli.add("--path", "/keep")
    coll = write_config(tmp_path, IMPORT_YAML, "c.yaml")
    one_error_line(cli("import", coll, "-f", "wsdl"), "WSDL", "SOAP")
    one_error_line(cli("import", coll, "-f", "openapi"), "openapi", "not a valid OpenAPI")
    one_error_line(cli("import", coll, "--format", "excel"), '"excel"', "mockoon", "curl")
    notes = tmp_path / "notes.json"
    notes.write_text('{"hello": 1}')
    one_error_line(cli("import", notes), "cannot tell what format", "--format")
    broken = tmp_path / "broken.json"
    broken.write_text('{"openapi": "3.0.0", "paths": {"/a": ')
    one_error_line(cli("import", broken), "cannot tell what format")
    one_error_line(cli("import", "curl -s"), "curl", "no URL")
    assert [m["id"] for m in cli.list_json()] == [keep]
    assert hit(s, "GET", "/imp-a").status_code == 404


def test_admin_config_takes_other_formats(cli):
    s = cli.start()
    admin = f"http://127.0.0.1:{s.admin_port}"
    with http_session() as h:
        r = h.post(admin + "/config?dryRun=true", json=PETSTORE, timeout=10)
        assert r.status_code == 200 and r.json()["mocks"] == 3, r.text
        r = h.post(admin + "/config", json=PETSTORE, timeout=10)
        assert r.status_code == 200 and r.json()["imported"] == 3, r.text
        r = h.post(admin + "/config", data="curl https://x.test/ping", timeout=10,
                   headers={"Content-Type": "text/plain"})
        assert r.status_code == 200 and r.json()["imported"] == 1, r.text
        r = h.post(admin + "/config?format=postman", json=PETSTORE, timeout=10)
        assert r.status_code == 400 and r.json()["error"] == "import_error", r.text
        r = h.post(admin + "/config?format=excel", json=PETSTORE, timeout=10)
        assert r.status_code == 400 and r.json()["error"] == "invalid_format", r.text
        # A posted document is taken as written: $count stays (no environment expansion).
        spec = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {
            "/items/$count": {"get": {"responses": {"200": {"description": "n", "content": {
                "text/plain": {"example": "3"}}}}}}}}
        assert h.post(admin + "/config", json=spec, timeout=10).status_code == 200
    assert hit(s, "GET", "/items/$count").text == "3"
    assert hit(s, "GET", "/ping").json() == {"status": "ok"}


def test_config_imports_with_as_and_extend(cli, tmp_path):
    (tmp_path / "pets.json").write_text(json.dumps(PETSTORE))
    cfg = write_config(tmp_path, """
        version: "1.0"
        imports:
          - path: pets.json
            as: pets
        tables:
          - name: pets
            seedData: [{id: "1", name: rex}]
        extend:
          - {mock: pets.getPet, table: pets, action: get}
          - {mock: "POST /pets", table: pets, action: create}
        mocks: []
    """, "twin.yaml")
    s = cli.start(config=cfg)
    assert hit(s, "GET", "/pets/1").json()["name"] == "rex"
    made = hit(s, "POST", "/pets", json={"name": "tom"})
    assert made.status_code == 201, made.text
    assert hit(s, "GET", "/pets/" + str(made.json()["id"])).json()["name"] == "tom"
    assert hit(s, "GET", "/pets/nope").status_code == 404
    ids = [m["id"] for m in cli.list_json()]
    assert all(i.startswith("pets.http_") for i in ids), ids
    bad = write_config(tmp_path, """
        imports:
          - path: missing.json
    """, "bad.yaml")
    r = subprocess.run([MOCKD_BIN, "validate", bad], capture_output=True, text=True, timeout=10)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "imports[0].path" in out and "missing.json" in out, r


def test_config_imports_by_url(cli, tmp_path):
    # mockd's imports[].url: fetched once at load; the URL's last segment names the document
    # for format detection; 404 and other statuses stop the load with the URL in the message.
    served = {"/specs/pets.json": json.dumps(PETSTORE).encode(), "/specs/notes": b"just text"}

    class Specs(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = served.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Specs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        cfg = write_config(tmp_path, f"""
            version: "1.0"
            imports:
              - url: {base}/specs/pets.json
                as: pets
            mocks: []
        """, "by-url.yaml")
        s = cli.start(config=cfg)
        assert hit(s, "GET", "/pets/mine").json() == {"mine": True}
        assert hit(s, "POST", "/pets").status_code == 201
        ids = [m["id"] for m in cli.list_json()]
        assert ids and all(i.startswith("pets.http_") for i in ids), ids
        for path, says in (("/specs/missing.json", "not found (404)"),
                           ("/specs/notes", "cannot tell the format of")):
            bad = write_config(tmp_path, f"""
                imports:
                  - url: {base}{path}
            """, "bad-url.yaml")
            r = subprocess.run([MOCKD_BIN, "validate", bad], capture_output=True, text=True,
                               timeout=30)
            out = r.stdout + r.stderr
            assert r.returncode != 0 and "imports[0].url" in out and says in out, out
            assert base + path in out, out
    finally:
        server.shutdown()


def test_add_binds_mocks_to_tables(cli):
    s = cli.start()
    r = cli.ok("add", "--stateful", "users", "--path", "/api/users", "--json")
    out = json.loads(r.stdout)
    assert out["resource"] == "users" and out["basePath"] == "/api/users"
    assert "DELETE /api/users/{id}" in out["endpoints"] and len(out["endpoints"]) == 5
    made = hit(s, "POST", "/api/users", json={"name": "ann"})
    assert made.status_code == 201, made.text
    uid = made.json()["id"]
    assert hit(s, "GET", f"/api/users/{uid}").json()["name"] == "ann"
    assert hit(s, "PUT", f"/api/users/{uid}", json={"name": "bo"}).json()["name"] == "bo"

    cli.ok("add", "--path", "/people", "--table", "users", "--bind", "list")
    assert [u["name"] for u in hit(s, "GET", "/people").json()["data"]] == ["bo"]
    cli.ok("add", "-m", "PATCH", "--path", "/people/{id}", "--table", "users", "--bind", "patch")
    assert hit(s, "PATCH", f"/people/{uid}", json={"age": 3}).json()["age"] == 3
    assert hit(s, "DELETE", f"/api/users/{uid}").status_code == 204

    one_error_line(cli("add", "--path", "/x", "--table", "users"), "--table and --bind")
    one_error_line(cli("add", "--path", "/x", "--table", "users", "--bind", "fly"), "list, get")
    one_error_line(cli("add", "--path", "/x", "--table", "users", "--bind", "custom"),
                   "--operation")
    one_error_line(cli("add", "--path", "/x", "--table", "users", "--bind", "get", "-b", "x"),
                   "no --body")
    # A table that does not exist yet is taken (it may be added next), and named when called.
    cli.ok("add", "--path", "/later/{id}", "--table", "later", "--bind", "get")
    r = hit(s, "GET", "/later/1")
    assert r.status_code == 404 and "later" in r.text, r.text
    one_error_line(cli("add", "--stateful", "t", "-b", "x"), "--path only")


def test_delete_by_path_and_method(cli):
    s = cli.start()
    get_p = cli.add("--path", "/p", "-b", "got")
    post_p = cli.add("-m", "POST", "--path", "/p")
    other = cli.add("--path", "/p/deeper")

    r = cli.ok("delete", "--path", "/p", "--method", "post")
    assert r.stdout == f"Deleted mock: {post_p}\n"
    assert hit(s, "POST", "/p").status_code == 404
    assert hit(s, "GET", "/p").text == "got"
    one_error_line(cli("delete", "--path", "/p", "--method", "PUT"), "PUT /p")
    one_error_line(cli("delete", "--path", "/nowhere"), "/nowhere")

    # several matches: refused without -y (nobody can answer the question), all with -y
    second = cli.add("--path", "/p", "-b", "dup", "--allow-duplicate")
    line = one_error_line(cli("delete", "--path", "/p"), "2 mocks", "-y")
    assert get_p in line and second in line
    assert sorted(m["id"] for m in cli.list_json()) == sorted([get_p, second, other])
    assert cli.ok("delete", "--path", "/p", "-y").stdout == "Deleted 2 mock(s)\n"
    assert [m["id"] for m in cli.list_json()] == [other]
    assert hit(s, "GET", "/p").status_code == 404
    assert hit(s, "GET", "/p/deeper").status_code == 200

    one_error_line(cli("delete"), "--path")
    one_error_line(cli("delete", "--method", "GET"), "--path")
    one_error_line(cli("delete", other, "--path", "/p/deeper"), "not both")
    assert [m["id"] for m in cli.list_json()] == [other]


LONG_ID = "a-mock-id-that-is-much-longer-than-the-column"
LONG_PATH = "/api/v1/organisations/{org}/projects/{project}/members"


def test_list_config_file_without_a_server_and_no_truncate(cli, tmp_path):
    cfg = write_config(tmp_path, f"""
        version: "1.0"
        mocks:
          - id: {LONG_ID}
            type: http
            http:
              matcher: {{ method: GET, path: "{LONG_PATH}" }}
              response: {{ statusCode: 200 }}
          - id: short
            type: http
            http:
              matcher: {{ method: POST, path: /s }}
              response: {{ statusCode: 201 }}
    """)
    sock, port = closed_port()  # no server anywhere: -c reads the file only
    try:
        url = f"http://127.0.0.1:{port}"
        r = cli.run("list", "-c", cfg, "--admin-url", url)
        assert r.returncode == 0, r
        lines = only_lines(r.stdout)
        assert lines[0].split() == ["ID", "TYPE", "METHOD", "PATH", "STATUS", "ENABLED"]
        assert lines[-1].strip() == "2 mock(s)"
        assert LONG_ID not in r.stdout and LONG_PATH not in r.stdout  # cut short
        assert ["short", "http", "POST", "/s", "201", "yes"] in [x.split() for x in lines]

        r = cli.run("list", "--config", cfg, "-w", "--admin-url", url)
        assert r.returncode == 0, r
        rows = [x.split() for x in only_lines(r.stdout)[1:-1]]
        assert [LONG_ID, "http", "GET", LONG_PATH, "200", "yes"] in rows, r.stdout

        r = cli.run("list", "-c", cfg, "--json", "--admin-url", url)
        assert r.returncode == 0, r
        assert [m["id"] for m in json.loads(r.stdout)] == [LONG_ID, "short"]
        r = cli.run("list", "-c", cfg, "-t", "grpc", "--admin-url", url)
        assert only_lines(r.stdout)[-1].strip() == "0 mock(s)"
        one_error_line(cli.run("list", "-c", tmp_path / "missing.yaml", "--admin-url", url))
    finally:
        sock.close()


def test_list_no_truncate_against_the_server(cli):
    cli.start()
    mid = cli.add("--path", LONG_PATH)
    assert LONG_PATH not in cli.ok("list").stdout
    rows = [x.split() for x in only_lines(cli.ok("list", "--no-truncate").stdout)]
    assert [mid, "http", "GET", LONG_PATH, "200", "yes"] in rows


def test_logs_protocol_filter(cli, logged):
    everything = log_paths(cli)
    assert len(everything) == 4
    assert log_paths(cli, "--protocol", "http") == everything
    assert log_paths(cli, "--protocol", "HTTP", "-m", "POST") == ["/log-b:POST"]
    for proto in ("grpc", "mqtt", "soap", "graphql", "websocket", "sse"):
        assert log_paths(cli, "--protocol", proto) == [], proto
    one_error_line(cli("logs", "--protocol", "smtp"), '"smtp"', "websocket")


def test_logs_verbose_shows_query_headers_and_body(cli, logged):
    s, _, _ = logged
    hit(s, "PUT", "/log-verbose?k=v", data="the request body", headers={"X-Trace": "t-1"})
    out = cli.ok("logs", "--verbose", "-p", "/log-verbose").stdout.splitlines()
    assert parse_log_line(out[0])["path"] == "/log-verbose"
    assert "  Query: k=v" in out
    assert "  Headers:" in out
    assert "    X-Trace: t-1" in out
    assert "  Body: the request body" in out
    # without --verbose, one line per request
    assert len(only_lines(cli.ok("logs", "-p", "/log-verbose").stdout)) == 1
    out = cli.ok("logs", "--verbose", "-p", "/no-such").stdout.splitlines()
    assert "  Body: (empty)" in out


def test_init_templates(cli, tmp_path):
    work = tmp_path / "proj"
    work.mkdir()
    r = cli.run("init", "-t", "list", cwd=work)
    assert r.returncode == 0, r
    names = [line.split()[0] for line in only_lines(r.stdout)[1:] if line.startswith("  ") and
             not line.startswith("   ")]
    assert names == ["default", "crud"], r.stdout
    assert list(work.iterdir()) == [], "-t list wrote a file"

    for name in ("websocket-chat", "graphql-api", "grpc-service", "mqtt-iot"):
        one_error_line(cli.run("init", "-t", name, cwd=work), name, "not supported yet")
    one_error_line(cli.run("init", "--template", "bogus", cwd=work), '"bogus"', "list")
    assert list(work.iterdir()) == []

    r = cli.run("init", "-t", "default", cwd=work)
    assert r.returncode == 0, r
    assert cli.run("validate", work / "mockd.yaml").returncode == 0

    crud = work / "crud.yaml"
    r = cli.run("init", "--template", "crud", "-o", crud, cwd=work)
    assert r.returncode == 0, r
    v = cli.run("validate", crud)
    assert v.returncode == 0, v
    crud_json = work / "crud.json"
    assert cli.run("init", "-t", "crud", "-o", crud_json, cwd=work).returncode == 0
    assert json.loads(crud_json.read_text())["tables"][0]["name"] == "resources"

    s = cli.start(config=crud)
    listed = hit(s, "GET", "/api/resources")
    assert listed.status_code == 200, listed.text
    assert [x["id"] for x in listed.json()["data"]] == ["res_001", "res_002", "res_003"]
    created = hit(s, "POST", "/api/resources", json={"name": "New", "status": "pending"})
    assert created.status_code == 201, created.text
    new_id = created.json()["id"]
    got = hit(s, "GET", f"/api/resources/{new_id}")
    assert got.status_code == 200 and got.json()["name"] == "New"
    assert hit(s, "PATCH", "/api/resources/res_002", json={"status": "active"}).status_code == 200
    assert hit(s, "GET", "/api/resources/res_002").json()["status"] == "active"
    assert hit(s, "DELETE", "/api/resources/res_001").status_code in (200, 204)
    assert hit(s, "GET", "/api/resources/res_001").status_code == 404
    assert len(hit(s, "GET", "/api/resources").json()["data"]) == 3


HELP_COMMANDS = [
    ["add"], ["list"], ["get"], ["update"], ["delete"], ["logs"], ["import"], ["export"],
    ["health"], ["init"], ["status"], ["stop"], ["validate"], ["verify"], ["stateful"],
    ["start"], ["engine"], ["version"],
]
MAKING_OF = re.compile(r"c\+\+|cli11|re-?implement|port(ed)? of|clone|golang|\bgo\b|"
                       r"rewrite|generated by|claude|\bllm\b|\bai\b", re.I)


@pytest.mark.parametrize("args", HELP_COMMANDS, ids=lambda a: "-".join(a))
def test_help_describes_the_product(cli, args):
    r = cli.run(*args, "--help")
    assert r.returncode == 0, r
    assert r.stdout.strip(), r
    assert not MAKING_OF.search(r.stdout), MAKING_OF.search(r.stdout)


def test_help_names_the_new_flags(cli):
    expect = {
        "add": ["type", "--path"], "list": ["-c,--config", "-w,--no-truncate"],
        "delete": ["--path", "--method"], "logs": ["--protocol", "--verbose"],
        "import": ["-f,--format", "wiremock"], "health": ["--admin-port"],
        "init": ["-t,--template"],
    }
    for cmd, needles in expect.items():
        out = cli.run(cmd, "--help").stdout
        for needle in needles:
            assert needle in out, (cmd, needle, out)


def test_add_sse_makes_a_stream_of_the_events_given(cli):
    s = cli.start()
    mock_id = cli.add("--sse", "--path", "/events", "--sse-event", 'tick:{"n":1}',
                      "--sse-event", "plain words", "--sse-event", '{"whole":true}',
                      "--sse-delay", "5", "--sse-repeat", "2")
    block = json.loads(cli.ok("get", mock_id).stdout)["http"]["sse"]
    assert block["generator"]["template"]["repeat"] == 2
    body = hit(s, "GET", "/events").text
    events = [e for e in body.split("\n\n") if e and not e.startswith("retry:")]
    assert len(events) == 6  # three events, twice, then the stream ends
    assert events[0] == "event:tick\nid:1\ndata:{\"n\":1}"
    assert events[1] == "event:message\nid:2\ndata:plain words"
    assert events[2] == "event:message\nid:3\ndata:{\"whole\":true}"
    r = cli("add", "--sse", "--path", "/x", "--sse-keepalive", "2")
    assert r.returncode != 0 and ">= 5 seconds" in r.stderr, r.stderr
    r = cli("add", "--sse", "--path", "/x", "-b", "body")
    assert r.returncode != 0 and "--sse-event, not --body" in r.stderr, r.stderr
