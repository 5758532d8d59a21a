"""Layer 88: hostile input. Each gets a clear error, and the server keeps serving others."""

import json
import threading
import time

import pytest
import requests

from conftest import http_mock

MOCKS = [
    http_mock("a", {"method": "GET", "path": "/a"}, {"statusCode": 200, "body": "A"}),
    # A pattern that backtracking engines take exponential time on; RE2 runs it in linear time.
    http_mock("redos", {"pathPattern": "^/re/(a+)+$"}, {"statusCode": 200, "body": "RE"}),
    http_mock("jp", {"method": "POST", "path": "/j", "bodyJsonPath": {"$.a": 1}},
              {"statusCode": 200, "body": "J"}),
]


@pytest.fixture
def srv(serve_mocks):
    return serve_mocks(MOCKS, "--max-header-size", "8KiB", "--header-timeout", "1s")


def raw_exchange(srv, data, timeout=5.0):
    c = srv.raw(timeout=timeout)
    try:
        return c.request(data)
    finally:
        c.close()


# --------------------------------------------------------------------------- framing


@pytest.mark.parametrize(
    "data",
    [
        # Content-Length and Transfer-Encoding together: the classic smuggling pair.
        b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
        b"0\r\n\r\n",
        # Two Content-Length values that disagree.
        b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        # NUL bytes in the request line and in a header value.
        b"GET /a\x00b HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
    ],
    ids=["cl-then-te", "te-then-cl", "duplicate-content-length", "nul-in-path", "nul-in-header"],
)
def test_ambiguous_or_corrupt_framing_is_refused_and_closed(srv, data):
    c = srv.raw()
    r = c.request(data)
    assert r.status == 400
    # Nothing after the refused request is read as a second request.
    assert c.wait_closed(2), "connection left open after a refused request"
    assert b"HTTP/1.1" not in c.buf
    c.close()
    srv.assert_serving()


def test_oversized_request_line_gets_431(srv):
    r = raw_exchange(srv, b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert r.status == 431
    srv.assert_serving()


def test_slowloris_one_byte_at_a_time_is_cut_at_the_header_deadline(srv):
    # Bytes keep arriving, but the whole head must arrive within --header-timeout.
    c = srv.raw(timeout=10)
    head = b"GET /a HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"z" * 100
    t0 = time.monotonic()
    closed = False
    for byte in head:
        try:
            c.send(bytes([byte]))
        except OSError:
            closed = True
            break
        time.sleep(0.05)
        if time.monotonic() - t0 > 4:
            break
    closed = closed or c.wait_closed(3)
    assert closed, "a client trickling its headers kept the connection past --header-timeout 1s"
    assert time.monotonic() - t0 < 6
    c.close()
    srv.assert_serving()


def test_many_slow_clients_do_not_block_a_fast_one(srv):
    stalled = [srv.raw(timeout=10) for _ in range(50)]
    for c in stalled:
        c.send(b"GET /a HTTP/1.1\r\nHost: x\r\nX-Half: ")
    assert srv.get("/a").text == "A"
    for c in stalled:
        c.close()


# --------------------------------------------------------------------------- content


def test_path_that_is_not_utf8_gets_valid_json_back(srv):
    r = raw_exchange(srv, b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert r.status == 404
    doc = json.loads(r.body.decode("utf-8"))  # strict UTF-8: raw 0xff would fail here
    assert doc["error"] == "no_match"
    assert doc["path"] == "/\ufffd\ufffd"
    srv.assert_serving()


def test_catastrophic_regex_runs_in_linear_time(srv):
    # 6,000 a's then a mismatch: a backtracking engine would not finish this in a lifetime.
    r = requests.get(srv.base + "/re/" + "a" * 6_000 + "!", timeout=10)
    assert r.status_code == 404
    assert requests.get(srv.base + "/re/" + "a" * 6_000, timeout=10).text == "RE"


def test_json_body_nested_100000_deep_is_not_json_to_matchers(srv):
    deep = "[" * 100_000 + "]" * 100_000
    r = requests.post(srv.base + "/j", data=deep, headers={"Content-Type": "application/json"},
                      timeout=10)
    assert r.status_code == 404
    assert r.json()["error"] == "no_match"
    assert requests.post(srv.base + "/j", json={"a": 1}, timeout=5).text == "J"


def test_concurrent_garbage_and_good_traffic(srv):
    errors = []

    def garbage():
        for i in range(30):
            try:
                raw_exchange(srv, bytes((i * 37 + k) % 256 for k in range(200)) + b"\r\n\r\n", 3)
            except Exception:
                pass

    def good():
        for _ in range(30):
            try:
                if requests.get(srv.base + "/a", timeout=5).text != "A":
                    errors.append("wrong answer")
            except Exception as e:
                errors.append(repr(e))

    threads = [threading.Thread(target=garbage) for _ in range(3)]
    threads += [threading.Thread(target=good) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    srv.assert_serving()


# --------------------------------------------------------------------------- admin payloads


@pytest.fixture
def admin(servers):
    return servers.start("--no-auth")


@pytest.mark.parametrize(
    "body,field",
    [
        ("[]", "mock"),
        ('"x"', "mock"),
        ("1", "mock"),
        ("null", "mock"),
        ("true", "mock"),
        ('{"http":5}', "http"),
        ('{"type":5}', "type"),
        ('{"id":{"a":1},"type":"http","http":{"matcher":{"path":"/x"}}}', "id"),
        ('{"type":"http","http":{"matcher":"x"}}', "http.matcher"),
        ('{"type":"http","http":{"matcher":{"path":5}}}', "http.matcher.path"),
        ('{"type":"http","http":{"matcher":{"path":"/x","headers":[1]}}}', "http.matcher.headers"),
        ('{"type":"http","http":{"matcher":{"path":"/x"},"response":{"statusCode":"200"}}}',
         "http.response.statusCode"),
        ('{"type":"http","http":{"matcher":{"path":"/x"},"response":{"statusCode":99999}}}',
         "http.response.statusCode"),
        ('{"type":"http","http":{"matcher":{"path":"/x"},"response":{"delayMs":-5}}}',
         "http.response.delayMs"),
    ],
)
def test_admin_mock_of_a_wrong_type_names_the_field(admin, body, field):
    r = requests.post(admin.admin_base + "/mocks", data=body,
                      headers={"Content-Type": "application/json"}, timeout=5)
    assert r.status_code == 400
    doc = r.json()
    assert doc["error"] == "validation_error"
    assert doc["details"]["field"] == field
    assert requests.get(admin.admin_base + "/health", timeout=5).status_code == 200


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000 + "]" * 100_000, '{"a":1e400}', '{"a":', "\xff\xfe", ""],
    ids=["nested-100000", "number-out-of-range", "truncated", "not-utf8", "empty"],
)
def test_admin_body_that_is_not_usable_json_is_a_400(admin, body):
    r = requests.post(admin.admin_base + "/mocks", data=body.encode("latin-1"),
                      headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 400
    assert r.json()["error"] in ("invalid_json", "validation_error")
    assert requests.get(admin.admin_base + "/mocks", timeout=5).status_code == 200


# --------------------------------------------------------------------------- templates that explode


def test_template_that_would_expand_without_end_is_bounded(admin):
    # 10^10 repetitions of 40 bytes: the output stops at 16 MB and the answer comes at once.
    body = ("{{#each (range 1 100000)}}{{#each (range 1 100000)}}" + "x" * 40 +
            "{{/each}}{{/each}}")
    stub = {"request": {"url": "/boom"},
            "response": {"status": 200, "body": body, "transformers": ["response-template"]}}
    r = requests.post(admin.base + "/__admin/mappings", json=stub, timeout=5)
    assert r.status_code == 201, r.text
    t0 = time.monotonic()
    r = requests.get(admin.base + "/boom", timeout=60)
    assert r.status_code == 200
    assert 16 * 1024 * 1024 <= len(r.content) <= 17 * 1024 * 1024
    print(f"bounded expansion: {len(r.content)} bytes in {time.monotonic() - t0:.2f}s")
    # mockd's own templates: each generator is capped (random.string at 64 KiB).
    mock = {"type": "http", "http": {"matcher": {"path": "/big"}, "response": {
        "statusCode": 200, "body": "{{random.string(99999999999)}}{{random.string(1e300)}}"}}}
    assert requests.post(admin.admin_base + "/mocks", json=mock, timeout=5).status_code == 201
    r = requests.get(admin.base + "/big", timeout=10)
    assert r.status_code == 200 and len(r.content) == 2 * 65536
    admin.assert_serving()


# --------------------------------------------------------------------------- connection floods


def _raise_own_fd_limit(n):
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n <= hard or hard == resource.RLIM_INFINITY:
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= n


def _connect_many(port, n):
    import socket
    conns = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")  # RST on close
        s.connect(("127.0.0.1", port))
        conns.append(s)
    return conns


def _healthy(srv):
    return srv.get("/__mockd/health").status_code == 200


def test_ten_thousand_idle_connections_then_the_limit(serve_mocks):
    if not _raise_own_fd_limit(10_300):
        pytest.skip("this machine allows fewer than 10,300 open files per process")
    srv = serve_mocks(MOCKS, "--max-connections", "10000")
    conns = _connect_many(srv.port, 9_999)
    try:
        # All held open and idle; the server still answers on one more.
        assert wait_until(lambda: _healthy(srv), 10)
        # One over the limit is closed at once, without a response; the held ones stay open.
        extra = _connect_many(srv.port, 2)
        closed = []
        for s in extra:
            s.settimeout(5)
            s.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                closed.append(s.recv(100))
            except ConnectionResetError:
                closed.append(b"")
        assert b"" in closed, "a connection over --max-connections was served"
        for s in extra:
            s.close()
        conns[0].sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        conns[0].settimeout(5)
        assert conns[0].recv(100).startswith(b"HTTP/1.1 200")
    finally:
        for s in conns:
            s.close()
    # Once they are gone the server takes new connections again.
    assert wait_until(lambda: _healthy(srv), 10)


@pytest.mark.skipif(bool(__import__("os").environ.get("MOCKD_SANITIZED")),
                    reason="the sanitizers' own checks need file descriptors (a pipe) to run")
def test_running_out_of_file_descriptors_is_survived(tmp_path):
    import resource
    import socket
    import subprocess

    from conftest import MOCKD_BIN, collection, wait_for, write_config

    cfg = write_config(tmp_path, collection(*MOCKS), "m.json")

    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))

    proc = subprocess.Popen([MOCKD_BIN, "engine", "-c", cfg, "-p", "0", "--print-url"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=low_limit)
    try:
        port = int(proc.stdout.readline().decode().rsplit(":", 1)[1])
        if not _raise_own_fd_limit(1_000):
            pytest.skip("cannot open 1,000 sockets here")
        conns = _connect_many(port, 300)  # far more than the server's 128 descriptors
        time.sleep(0.5)
        assert proc.poll() is None, "mockd died when it ran out of descriptors"
        for s in conns:
            s.close()

        def serves():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                    s.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    return s.recv(100).startswith(b"HTTP/1.1 200")
            except OSError:
                return False

        assert wait_for(serves, 10, "mockd to serve again after the descriptor flood")
        assert proc.poll() is None
    finally:
        proc.kill()
        _, err = proc.communicate(timeout=10)
    assert b"accept failed" in err  # said once per backoff, not a crash


def wait_until(pred, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if pred():
                return True
        except requests.exceptions.RequestException:
            pass
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("body,field", [
    ({"name": 5, "steps": []}, "name"),
    ({"name": "op", "consistency": 5}, "consistency"),
    ({"name": "op", "steps": "x"}, "steps"),
    ({"name": "op", "steps": [5]}, "steps[0]"),
    ({"name": "op", "steps": [{"type": 5}]}, "steps[0].type"),
    ({"name": "op", "steps": [{"read": 5}]}, "steps[0].read"),
    ({"name": "op", "steps": [{"type": "read", "resource": 7, "id": "x"}]}, "steps[0].resource"),
    ({"name": "op", "steps": [{"type": "validate", "condition": "true", "errorStatus": "x"}]},
     "steps[0].errorStatus"),
    ({"name": "op", "steps": [{"type": "set", "var": ["v"], "value": 1}]}, "steps[0].var"),
    ({"name": "op", "response": "x"}, "response"),
])
def test_admin_custom_operation_of_a_wrong_type_names_the_field(admin, body, field):
    r = requests.post(admin.admin_base + "/state/operations", json=body, timeout=5)
    assert r.status_code == 400, r.text
    assert r.json()["details"]["field"] == field
    admin.assert_serving()


@pytest.mark.parametrize("validation,field", [
    ({"mode": 5}, "validation.mode"),
    ({"auto": "yes"}, "validation.auto"),
    ({"onCreate": 1}, "validation.onCreate"),
    ({"fields": {"a": {"type": "string", "required": "yes"}}}, "validation.fields.a.required"),
])
def test_admin_table_validation_of_a_wrong_type_names_the_field(admin, validation, field):
    r = requests.post(admin.admin_base + "/state/resources", timeout=5,
                      json={"name": "things", "validation": validation})
    assert r.status_code == 400, r.text
    assert field in r.text
    admin.assert_serving()
