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
