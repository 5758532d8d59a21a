"""Layer 96: `mockd wiremock` (a drop-in for the WireMock 3.13.2 standalone server) and the
WireMock additions to `mockd start` (/__admin on the mock port, --load DIR --watch).

Every test gets its own root directory (mappings/ and __files/) and its own server. A server
on --port 0 is found through the banner line "port:  N"; with --disable-banner the test picks
a free port itself. Everything waits by polling with a deadline; the few fixed waits are the
windows in which something must NOT happen.
"""

import json
import re
import signal
import socket
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from conftest import START_DEADLINE, run_mockd, wait_for, write_config

WIREMOCK_VERSION = "3.13.2"
WATCH_DEADLINE = 3.0  # a watched change must be live within this
QUIET_WINDOW = 1.0  # how long "nothing changes" is watched for (the watcher polls every 0.2 s)

BANNER_PORT = re.compile(r"^port:\s+(\d+)\s*$", re.M)
JETTY_FLAGS = ["--container-threads", "4", "--jetty-acceptor-threads", "2",
               "--async-response-enabled", "true", "--jetty-header-buffer-size", "16384"]


# --------------------------------------------------------------------------- helpers


def new_id():
    return str(uuid.uuid4())


def stub(url, body, method="GET", status=200, stub_id=None, **extra):
    """A WireMock stub mapping (as a dict) answering `url` with `body`."""
    request = {"method": method, "url": url}
    response = {"status": status, "body": body}
    for key in ("fixedDelayMilliseconds", "bodyFileName", "headers"):
        if key in extra:
            response[key] = extra.pop(key)
    if "bodyFileName" in response:
        response.pop("body")
    mapping = {"id": stub_id or new_id(), "request": request, "response": response}
    mapping.update(extra)
    return mapping


def make_root(base, mappings=None, files=None):
    """A WireMock root dir: mappings {relative path: dict or raw text}, files {path: text}."""
    root = Path(base)
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    (root / "__files").mkdir(parents=True, exist_ok=True)
    for rel, content in (mappings or {}).items():
        write_mapping(root, rel, content)
    for rel, content in (files or {}).items():
        path = root / "__files" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def write_mapping(root, rel, content):
    path = Path(root) / "mappings" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else json.dumps(content, indent=2)
    # Write then rename, as editors do: the watcher never sees half a file.
    tmp = path.with_name(path.name + ".tmp-write")
    tmp.write_text(text)
    tmp.replace(path)
    return path


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def describe(r):
    """A response, for failure messages."""
    return f"{r.status_code} {dict(r.headers)} {r.text[:500]!r}"


def wait_answering(server, what="the WireMock server"):
    """Poll until the server answers any HTTP request (it may be guarded by basic auth)."""
    def answered():
        server._fail_if_dead(what)
        try:
            server.get("/__admin/health", timeout=1)
            return True
        except OSError:
            return False
    wait_for(answered, START_DEADLINE, what)


def wiremock(servers, root, *flags, env=None, port=0):
    """Start `mockd wiremock --port PORT --root-dir ROOT FLAGS...` and wait until it answers.

    port=0 with the banner on: the port comes from the banner's "port:" line. port=None: no
    --port flag at all (it comes from WIREMOCK_OPTIONS, which must then name it)."""
    args = ["wiremock"]
    if port is not None:
        args += ["--port", str(port)]
    args += ["--root-dir", str(root), *[str(f) for f in flags]]
    server = servers.engine_args(args, env=env, wait=False)
    if port == 0:
        def banner_port():
            server._fail_if_dead("the banner's port line")
            m = BANNER_PORT.search(server.stdout())
            return int(m.group(1)) if m else None
        server.port = wait_for(banner_port, START_DEADLINE, "the banner's 'port:' line")
    elif port is None:
        m = re.search(r"--port[ =](\d+)", (env or {}).get("WIREMOCK_OPTIONS", ""))
        assert m, "port=None needs --port in WIREMOCK_OPTIONS"
        server.port = int(m.group(1))
    else:
        server.port = port
    wait_answering(server)
    return server


def serves(server, path, body, status=200, method="GET"):
    """A predicate: `path` answers `status` with exactly `body`."""
    def check():
        r = server.request(method, path)
        return r.status_code == status and r.text == body
    return check


def wait_serves(server, path, body, timeout=WATCH_DEADLINE, status=200, method="GET"):
    try:
        wait_for(serves(server, path, body, status, method), timeout,
                 f"{method} {path} -> {status} {body!r}")
    except AssertionError as exc:
        r = server.request(method, path)
        raise AssertionError(f"{exc}; last answer: {describe(r)}") from None


def wait_gone(server, path, timeout=WATCH_DEADLINE):
    def gone():
        return server.get(path).status_code == 404
    try:
        wait_for(gone, timeout, f"GET {path} -> 404")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; last answer: {describe(server.get(path))}") from None


def stays(server, path, status, body=None, window=QUIET_WINDOW):
    """For `window` seconds, `path` keeps answering `status` (and `body` if given)."""
    deadline = time.monotonic() + window
    while True:
        r = server.get(path)
        ok = r.status_code == status and (body is None or r.text == body)
        assert ok, f"GET {path} changed to {describe(r)} (expected {status} {body!r})"
        if time.monotonic() >= deadline:
            return
        time.sleep(0.05)


def mapping_files(root):
    return sorted(p for p in (Path(root) / "mappings").rglob("*.json"))


def files_mentioning(root, text):
    return [p for p in mapping_files(root) if text in p.read_text()]


def admin_json(server, method, path, expect=200, **kw):
    r = server.request(method, "/__admin" + path, **kw)
    assert r.status_code == expect, f"{method} /__admin{path}: {describe(r)}"
    return r.json() if r.content else None


@pytest.fixture
def root(tmp_path):
    return make_root(tmp_path / "wm")


# --------------------------------------------------------------------------- start-up


def test_version_is_wiremock_3_13_2():
    r = run_mockd(["wiremock", "--version"], timeout=5)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == WIREMOCK_VERSION, r.stdout


def test_serves_mappings_recursively_with_body_files(servers, tmp_path):
    one, two, three = new_id(), new_id(), new_id()
    root = make_root(tmp_path / "wm", mappings={
        "single.json": stub("/single", "one", stub_id=one),
        "sub/deep/many.json": {"mappings": [
            stub("/many/a", "two", stub_id=two),
            stub("/many/b", None, stub_id=three, bodyFileName="bodies/b.txt"),
        ]},
    }, files={"bodies/b.txt": "from a body file"})
    s = wiremock(servers, root)
    assert s.get("/single").text == "one", describe(s.get("/single"))
    assert s.get("/many/a").text == "two", describe(s.get("/many/a"))
    r = s.get("/many/b")
    assert (r.status_code, r.text) == (200, "from a body file"), describe(r)
    listed = admin_json(s, "GET", "/mappings")
    assert listed["meta"]["total"] == 3, listed
    assert sorted(m["id"] for m in listed["mappings"]) == sorted([one, two, three]), listed


def test_banner_names_the_port_and_can_be_disabled(servers, tmp_path):
    root = make_root(tmp_path / "wm", mappings={"a.json": stub("/a", "A")})
    s = wiremock(servers, root)  # finds its port through the banner
    assert s.get("/a").text == "A"
    assert "port:" in s.stdout(), s.stdout()

    port = free_port()
    quiet = wiremock(servers, root, "--disable-banner", port=port)
    assert quiet.get("/a").text == "A"
    assert "port:" not in quiet.stdout(), quiet.stdout()


@pytest.mark.parametrize("content", [
    '{"request": {"method": "GET", "url": "/x"}, "response": {"status": 200',
    json.dumps({"request": {"method": "GET", "urlx": "/x"}, "response": {"status": 200}}),
], ids=["broken-json", "unknown-field"])
def test_bad_mapping_file_fails_startup_naming_it(tmp_path, content):
    root = make_root(tmp_path / "wm", mappings={
        "good.json": stub("/good", "fine"),
        "nested/bad-mapping.json": content,
    })
    r = run_mockd(["wiremock", "--port", "0", "--root-dir", str(root)], timeout=10)
    assert r.returncode != 0, (r.returncode, r.stdout, r.stderr)
    assert "bad-mapping.json" in r.stderr, r.stderr


def test_busy_port_fails_fast_naming_the_port(servers, root):
    first = wiremock(servers, root)
    t0 = time.monotonic()
    r = run_mockd(["wiremock", "--port", str(first.port), "--root-dir", str(root),
                   "--disable-banner"], timeout=10)
    elapsed = time.monotonic() - t0
    assert r.returncode != 0, (r.stdout, r.stderr)
    assert elapsed < 3.0, f"took {elapsed:.2f}s to give up"
    assert str(first.port) in r.stderr, r.stderr
    assert first.alive()


def test_wiremock_options_env_is_appended(servers, tmp_path):
    root = make_root(tmp_path / "wm", mappings={"a.json": stub("/a", "from env port")})
    port = free_port()
    s = wiremock(servers, root, port=None,
                 env={"WIREMOCK_OPTIONS": f"--port {port} --disable-banner"})
    r = s.get("/a")
    assert (r.status_code, r.text) == (200, "from env port"), describe(r)
    assert "port:" not in s.stdout(), s.stdout()


def test_jetty_and_jvm_tuning_flags_are_accepted(servers, tmp_path):
    root = make_root(tmp_path / "wm", mappings={"a.json": stub("/a", "A")})
    s = wiremock(servers, root, *JETTY_FLAGS)
    assert s.get("/a").text == "A"

    v = wiremock(servers, root, "--verbose", *JETTY_FLAGS)
    assert v.get("/a").text == "A"
    try:
        v.wait_stderr(r"container-threads", timeout=3)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; stderr: {v.stderr()!r}") from None


def test_enable_stub_cors(servers, tmp_path):
    """--enable-stub-cors answers as WireMock 3.13.2's CORS filter does (headers recorded from the
    jar): preflights before any stub, the caller's Origin allowed on stub, 404 and admin answers."""
    stub_id = new_id()
    root = make_root(tmp_path / "wm", mappings={"c.json": stub("/c", "x", stub_id=stub_id)})
    s = wiremock(servers, root, "--enable-stub-cors")
    origin = "http://app.example"

    plain = s.get("/c")
    assert plain.status_code == 200 and plain.headers.get("Vary") == "Origin", describe(plain)
    assert "Access-Control-Allow-Origin" not in plain.headers, describe(plain)

    for path, status in (("/c", 200), ("/nothing-here", 404), ("/__admin/health", 200)):
        r = s.get(path, headers={"Origin": origin})
        assert r.status_code == status, describe(r)
        assert r.headers.get("Access-Control-Allow-Origin") == origin, describe(r)
        assert r.headers.get("Access-Control-Allow-Credentials") == "true", describe(r)
    assert s.get("/c", headers={"Origin": origin}).headers["Matched-Stub-Id"] == stub_id

    pre = s.request("OPTIONS", "/c", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "X-Trace, Content-Type"})
    assert pre.status_code == 200 and pre.text == "", describe(pre)
    assert pre.headers.get("Access-Control-Allow-Origin") == origin, describe(pre)
    assert pre.headers.get("Access-Control-Allow-Methods") == "OPTIONS,GET,POST,PUT,PATCH,DELETE"
    assert pre.headers.get("Access-Control-Allow-Headers") == "X-Trace,Content-Type"
    assert pre.headers.get("Access-Control-Max-Age") == "1800"
    # The preflight never reached a stub, so the journal holds only the GETs above.
    journal = s.get("/__admin/requests").json()["requests"]
    assert [e["request"]["method"] for e in journal] == ["GET"] * 4, journal

    # Without the flag nothing is added.
    off = wiremock(servers, root)
    r = off.get("/c", headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in r.headers and "Vary" not in r.headers, describe(r)


# --------------------------------------------------------------------------- request journal


@pytest.mark.parametrize("flags", [["--max-request-journal-entries", "3"],
                                   ["--max-request-journal-size=3"]],
                         ids=["entries", "size="])
def test_journal_keeps_the_newest_n(servers, tmp_path, flags):
    root = make_root(tmp_path / "wm", mappings={"j.json": {
        "request": {"method": "GET", "urlPathPattern": "/j/.*"},
        "response": {"status": 200, "body": "j"}}})
    s = wiremock(servers, root, *flags)
    for i in range(10):
        r = s.get(f"/j/{i}")
        assert r.status_code == 200, describe(r)
    data = admin_json(s, "GET", "/requests")
    urls = [e["request"]["url"] for e in data["requests"]]
    assert urls == ["/j/9", "/j/8", "/j/7"], data


def test_no_request_journal(servers, tmp_path):
    root = make_root(tmp_path / "wm", mappings={"a.json": stub("/a", "A")})
    s = wiremock(servers, root, "--no-request-journal")
    assert s.get("/a").text == "A"
    data = admin_json(s, "GET", "/requests")
    assert data.get("requestJournalDisabled") is True, data
    count = admin_json(s, "POST", "/requests/count", json={"method": "GET", "url": "/a"})
    assert count == {"count": -1, "requestJournalDisabled": True}, count


# --------------------------------------------------------------------------- admin basic auth


def test_admin_api_basic_auth(servers, tmp_path):
    root = make_root(tmp_path / "wm", mappings={"a.json": stub("/a", "open")})
    s = wiremock(servers, root, "--admin-api-basic-auth", "user:pass")
    r = s.get("/__admin/mappings")
    assert r.status_code == 401 and r.content == b"", describe(r)
    r = s.get("/__admin/mappings", auth=("user", "wrong"))
    assert r.status_code == 401, describe(r)
    r = s.get("/__admin/mappings", auth=("user", "pass"))
    assert r.status_code == 200, describe(r)
    assert r.json()["meta"]["total"] == 1, r.text
    r = s.get("/a")
    assert (r.status_code, r.text) == (200, "open"), describe(r)


# --------------------------------------------------------------------------- watching mappings/


def test_watch_mappings_add_change_delete(servers, tmp_path):
    root = make_root(tmp_path / "wm", mappings={"a.json": stub("/a", "A1")})
    s = wiremock(servers, root, "--watch-mappings")
    assert s.get("/a").text == "A1"

    b_id = new_id()
    write_mapping(root, "more/b.json", stub("/b", "B", stub_id=b_id))
    wait_serves(s, "/b", "B")
    assert s.get("/b").headers.get("Matched-Stub-Id") == b_id

    write_mapping(root, "a.json", stub("/a", "A2 changed"))
    wait_serves(s, "/a", "A2 changed")

    (root / "mappings" / "more" / "b.json").unlink()
    wait_gone(s, "/b")
    assert s.get("/a").text == "A2 changed"
    assert s.alive()


def test_watch_mappings_broken_file_keeps_previous_stubs(servers, tmp_path):
    root = make_root(tmp_path / "wm", mappings={"a.json": stub("/a", "A")})
    s = wiremock(servers, root, "--watch-mappings")
    write_mapping(root, "broken.json", '{"request": {"url": "/broken"}, "response": ')
    stays(s, "/a", 200, "A")
    assert s.get("/broken").status_code == 404
    assert s.alive(), s.stderr()
    # Once fixed, the watcher picks the file up: it kept running.
    write_mapping(root, "broken.json", stub("/broken", "fixed"))
    wait_serves(s, "/broken", "fixed")
    assert s.get("/a").text == "A"


def test_watch_mappings_keeps_api_stubs(servers, tmp_path):
    root = make_root(tmp_path / "wm", mappings={"a.json": stub("/a", "A")})
    s = wiremock(servers, root, "--watch-mappings")
    admin_json(s, "POST", "/mappings", expect=201, json=stub("/api", "from the API"))
    assert s.get("/api").text == "from the API"
    write_mapping(root, "b.json", stub("/b", "B"))
    wait_serves(s, "/b", "B")
    r = s.get("/api")
    assert (r.status_code, r.text) == (200, "from the API"), describe(r)
    assert s.get("/a").text == "A"


def test_without_watch_only_reset_reloads(servers, tmp_path):
    scenario = [
        stub("/walk", "first", scenarioName="walk", requiredScenarioState="Started",
             newScenarioState="second"),
        stub("/walk", "second", scenarioName="walk", requiredScenarioState="second"),
    ]
    root = make_root(tmp_path / "wm", mappings={
        "a.json": stub("/a", "A1"),
        "walk.json": {"mappings": scenario},
    })
    s = wiremock(servers, root)
    admin_json(s, "POST", "/mappings", expect=201, json=stub("/api", "from the API"))
    assert s.get("/walk").text == "first"
    assert s.get("/walk").text == "second"
    assert s.get("/api").text == "from the API"
    assert admin_json(s, "GET", "/requests")["requests"], "journal should hold the calls"

    write_mapping(root, "b.json", stub("/b", "B"))
    write_mapping(root, "a.json", stub("/a", "A2 changed on disk"))
    deadline = time.monotonic() + QUIET_WINDOW
    while time.monotonic() < deadline:
        assert s.get("/b").status_code == 404, describe(s.get("/b"))
        assert s.get("/a").text == "A1", describe(s.get("/a"))
        time.sleep(0.05)

    r = s.post("/__admin/mappings/reset")
    assert r.status_code == 200, describe(r)
    r = s.get("/b")
    assert (r.status_code, r.text) == (200, "B"), describe(r)
    assert s.get("/a").text == "A2 changed on disk", describe(s.get("/a"))
    r = s.get("/api")
    assert r.status_code == 404, f"API stub should be dropped by reset: {describe(r)}"
    # The journal was cleared by the reset (it now holds only the three calls above).
    urls = [e["request"]["url"] for e in admin_json(s, "GET", "/requests")["requests"]]
    assert urls == ["/api", "/a", "/b"], urls
    # The scenario is back at Started.
    assert s.get("/walk").text == "first", describe(s.get("/walk"))


# --------------------------------------------------------------------------- persistence


def test_persistent_stub_is_written_and_deleted(servers, root):
    s = wiremock(servers, root)
    before = mapping_files(root)
    transient = admin_json(s, "POST", "/mappings", expect=201, json=stub("/t", "transient"))
    assert mapping_files(root) == before, "a non-persistent stub must write nothing"
    assert not files_mentioning(root, transient["id"])

    created = admin_json(s, "POST", "/mappings", expect=201,
                         json=stub("/p", "persistent", persistent=True))
    pid = created["id"]
    written = files_mentioning(root, pid)
    assert len(written) == 1, f"files: {mapping_files(root)}"
    assert json.loads(written[0].read_text())["id"] == pid, written[0].read_text()
    assert s.get("/p").text == "persistent"

    r = s.request("DELETE", f"/__admin/mappings/{pid}")
    assert r.status_code == 200, describe(r)
    assert not written[0].exists(), f"{written[0]} still there"
    assert s.get("/p").status_code == 404


def test_mappings_save_writes_every_stub(servers, tmp_path):
    file_id = new_id()
    root = make_root(tmp_path / "wm", mappings={"f.json": stub("/f", "F", stub_id=file_id)})
    s = wiremock(servers, root)
    ids = [admin_json(s, "POST", "/mappings", expect=201, json=stub(f"/s{i}", f"S{i}"))["id"]
           for i in range(2)]
    assert all(not files_mentioning(root, i) for i in ids)
    r = s.post("/__admin/mappings/save")
    assert r.status_code == 200, describe(r)
    for i in ids + [file_id]:
        assert files_mentioning(root, i), f"no file for {i}: {mapping_files(root)}"
    # What was saved loads back: a fresh server on the same root serves all of it.
    again = wiremock(servers, root)
    for i in range(2):
        assert again.get(f"/s{i}").text == f"S{i}", describe(again.get(f"/s{i}"))
    assert again.get("/f").text == "F"


# --------------------------------------------------------------------------- files API


def test_files_api(servers, root):
    s = wiremock(servers, root)
    r = s.request("PUT", "/__admin/files/dir/a.txt", data=b"hello")
    assert r.status_code == 200, describe(r)
    assert r.json() == "aGVsbG8=", describe(r)
    on_disk = root / "__files" / "dir" / "a.txt"
    assert on_disk.read_text() == "hello"

    listed = admin_json(s, "GET", "/files")
    assert isinstance(listed, list) and "dir/a.txt" in listed, listed
    r = s.get("/__admin/files/dir/a.txt")
    assert (r.status_code, r.text) == (200, "hello"), describe(r)
    r = s.get("/dir/a.txt")  # no stub: served straight from __files
    assert (r.status_code, r.text) == (200, "hello"), describe(r)

    r = s.request("DELETE", "/__admin/files/dir/a.txt")
    assert r.status_code == 200, describe(r)
    assert not on_disk.exists()
    assert "dir/a.txt" not in admin_json(s, "GET", "/files")
    assert s.get("/dir/a.txt").status_code == 404


# --------------------------------------------------------------------------- answers


def test_unmatched_with_stubs_is_wiremock_plain_text_404(servers, tmp_path):
    root = make_root(tmp_path / "wm", mappings={"a.json": stub("/a", "A")})
    s = wiremock(servers, root)
    r = s.get("/not-there")
    assert r.status_code == 404, describe(r)
    assert r.headers.get("Content-Type", "").startswith("text/plain"), describe(r)
    assert "Request was not matched" in r.text, describe(r)


def test_unmatched_without_stubs(servers, root):
    s = wiremock(servers, root)
    r = s.get("/anything")
    assert r.status_code == 404, describe(r)
    assert r.text == ("No response could be served as there are no stub mappings in this "
                      "WireMock instance."), describe(r)


def test_matched_stub_headers(servers, tmp_path):
    named, anonymous = new_id(), new_id()
    root = make_root(tmp_path / "wm", mappings={
        "named.json": stub("/named", "N", stub_id=named, name="The named stub"),
        "anon.json": stub("/anon", "X", stub_id=anonymous),
    })
    s = wiremock(servers, root)
    r = s.get("/named")
    assert r.headers.get("Matched-Stub-Id") == named, describe(r)
    assert r.headers.get("Matched-Stub-Name") == "The named stub", describe(r)
    r = s.get("/anon")
    assert r.headers.get("Matched-Stub-Id") == anonymous, describe(r)
    assert "Matched-Stub-Name" not in r.headers, describe(r)


@pytest.mark.parametrize("order", [(1, 5), (5, 1)], ids=["high-first", "low-first"])
def test_priority_wins_regardless_of_order(servers, root, order):
    s = wiremock(servers, root)
    for p in order:
        admin_json(s, "POST", "/mappings", expect=201,
                   json=stub("/prio", f"priority {p}", priority=p))
    r = s.get("/prio")
    assert r.text == "priority 1", describe(r)


def test_equal_priority_newest_wins(servers, root):
    s = wiremock(servers, root)
    for name in ("older", "newer"):
        admin_json(s, "POST", "/mappings", expect=201, json=stub("/same", name, priority=3))
    r = s.get("/same")
    assert r.text == "newer", describe(r)


def test_scenario_walk_and_state_api(servers, root):
    s = wiremock(servers, root)
    for mapping in (
        stub("/todo", "empty", scenarioName="todo", requiredScenarioState="Started"),
        stub("/todo", "added", method="POST", status=201, scenarioName="todo",
             requiredScenarioState="Started", newScenarioState="one item"),
        stub("/todo", "one item in the list", scenarioName="todo",
             requiredScenarioState="one item"),
    ):
        admin_json(s, "POST", "/mappings", expect=201, json=mapping)
    assert s.get("/todo").text == "empty"
    r = s.post("/todo")
    assert (r.status_code, r.text) == (201, "added"), describe(r)
    assert s.get("/todo").text == "one item in the list", describe(s.get("/todo"))
    scenarios = admin_json(s, "GET", "/scenarios")["scenarios"]
    assert [(x["name"], x["state"]) for x in scenarios] == [("todo", "one item")], scenarios

    admin_json(s, "PUT", "/scenarios/todo/state", json={"state": "Started"})
    assert s.get("/todo").text == "empty", describe(s.get("/todo"))
    admin_json(s, "PUT", "/scenarios/todo/state", json={"state": "one item"})
    assert s.get("/todo").text == "one item in the list", describe(s.get("/todo"))

    r = s.request("PUT", "/__admin/scenarios/no-such-scenario/state", json={"state": "Started"})
    assert r.status_code == 404, describe(r)
    r = s.request("PUT", "/__admin/scenarios/todo/state", json={"state": "no such state"})
    assert r.status_code == 422, describe(r)
    assert s.get("/todo").text == "one item in the list", "a refused state change moved it"


def test_global_fixed_delay(servers, tmp_path):
    root = make_root(tmp_path / "wm", mappings={"a.json": stub("/a", "A")})
    s = wiremock(servers, root)
    r = s.post("/__admin/settings", json={"fixedDelay": 300})
    assert r.status_code == 200, describe(r)
    t0 = time.monotonic()
    r = s.get("/a")
    elapsed = time.monotonic() - t0
    assert r.text == "A", describe(r)
    assert elapsed >= 0.3, f"answered in {elapsed:.3f}s"
    settings = admin_json(s, "GET", "/settings")
    assert settings["settings"]["fixedDelay"] == 300, settings


# --------------------------------------------------------------------------- stopping


def test_admin_shutdown_exits_zero(servers, root):
    s = wiremock(servers, root)
    r = s.post("/__admin/shutdown")
    assert r.status_code == 200, describe(r)
    assert s.wait_exit(5) == 0, s.stderr()


def test_sigterm_lets_a_delayed_response_finish(servers, tmp_path):
    root = make_root(tmp_path / "wm", mappings={
        "slow.json": stub("/slow", "slow done", fixedDelayMilliseconds=1500)})
    s = wiremock(servers, root)
    c = s.raw(timeout=10)
    t0 = time.monotonic()
    c.send(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.3)  # let the request get in flight (the scenario, not synchronisation)
    s.signal(signal.SIGTERM)
    r = c.read_response()
    elapsed = time.monotonic() - t0
    c.close()
    assert (r.status, r.body) == (200, b"slow done"), r
    assert elapsed >= 1.5, f"answered after {elapsed:.2f}s"
    assert s.wait_exit(6) == 0, s.stderr()


# --------------------------------------------------------------------------- mockd start / engine


def test_start_mode_has_wiremock_admin_on_the_mock_port(servers):
    s = servers.start()
    r = s.post("/__admin/mappings", json=stub("/wm", "via the WireMock API"))
    assert r.status_code == 201, describe(r)
    stub_id = r.json()["id"]
    r = s.get("/wm")
    assert (r.status_code, r.text) == (200, "via the WireMock API"), describe(r)
    assert r.headers.get("Matched-Stub-Id") == stub_id, describe(r)
    listed = s.get("/__admin/mappings")
    assert listed.status_code == 200, describe(listed)
    assert [m["id"] for m in listed.json()["mappings"]] == [stub_id], listed.text


def test_engine_mode_has_no_wiremock_admin(servers, tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: hello
            type: http
            http:
              matcher: { method: GET, path: /hello }
              response: { statusCode: 200, body: "hello" }
    """)
    s = servers.engine(cfg)
    for method, path in (("GET", "/__admin/mappings"), ("POST", "/__admin/mappings"),
                         ("GET", "/__admin")):
        kw = {"json": stub("/x", "x")} if method == "POST" else {}
        r = s.request(method, path, **kw)
        assert r.status_code == 404, f"{method} {path}: {describe(r)}"
        assert r.headers.get("Content-Type", "").startswith("application/json"), describe(r)
        assert r.json().get("error") == "no_match", describe(r)
    assert s.get("/x").status_code == 404


YAML_COLLECTION = """
    mocks:
      - id: a
        type: http
        http:
          matcher: { method: GET, path: /a }
          response: { statusCode: 200, body: "%s" }
"""


def test_start_load_watch_serves_yaml_and_wiremock_files(servers, tmp_path):
    load = tmp_path / "load"
    yaml_path = write_config(load, YAML_COLLECTION % "A", "mocks.yaml")
    wm_id = new_id()
    (load / "wiremock-stub.json").write_text(json.dumps(stub("/wm", "from WireMock",
                                                             stub_id=wm_id)))
    s = servers.start("--load", load, "--watch")
    r = s.get("/a")
    assert (r.status_code, r.text) == (200, "A"), describe(r)
    r = s.get("/wm")
    assert (r.status_code, r.text) == (200, "from WireMock"), describe(r)
    assert r.headers.get("Matched-Stub-Id") == wm_id, describe(r)

    tmp = Path(yaml_path).with_name("mocks.yaml.tmp-write")
    tmp.write_text(textwrap.dedent(YAML_COLLECTION % "A edited").lstrip("\n"))
    tmp.replace(yaml_path)
    wait_serves(s, "/a", "A edited")
    r = s.get("/wm")
    assert (r.status_code, r.text) == (200, "from WireMock"), describe(r)


def test_workers_flag(servers, tmp_path):
    p = run_mockd(["wiremock", "--port", "0", "--root-dir", str(make_root(tmp_path / "bad")),
                   "--workers", "0"])
    assert p.returncode == 2 and "--workers must be 1 to 1024" in p.stderr, p.stderr
    server = wiremock(servers, make_root(tmp_path / "ok"), "--workers", "2")
    assert server.get("/__admin/health").status_code == 200
