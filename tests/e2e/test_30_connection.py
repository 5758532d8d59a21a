"""Layer 30: the HTTP/1.1 connection (keep-alive, pipelining, framing, limits, timeouts)."""

import json
import socket
import threading
import time

import pytest

from conftest import RawConn, curl, http_mock, wait_for

MOCKS = [
    http_mock("a", {"method": "GET", "path": "/a"}, {"statusCode": 200, "body": "A"}),
    http_mock("b", {"method": "GET", "path": "/b"}, {"statusCode": 200, "body": "B"}),
    http_mock("c", {"method": "GET", "path": "/c"}, {"statusCode": 200, "body": "C"}),
    http_mock("slow", {"method": "GET", "path": "/slow"},
              {"statusCode": 200, "body": "SLOW", "delayMs": 600}),
    http_mock("slow1s", {"method": "GET", "path": "/slow1s"},
              {"statusCode": 200, "body": "SLOW1S", "delayMs": 1000}),
    http_mock("echo", {"method": "POST", "path": "/upload", "bodyEquals": "hello chunked world"},
              {"statusCode": 201, "body": "got it"}),
    http_mock("five", {"method": "POST", "path": "/five", "bodyEquals": "12345"},
              {"statusCode": 200, "body": "five"}),
    http_mock("big", {"method": "POST", "path": "/big"}, {"statusCode": 200, "body": "big ok"}),
]

LIMITS = ["--max-body-size", "1KiB", "--max-header-size", "2KiB",
          "--header-timeout", "1s", "--idle-timeout", "2s"]


@pytest.fixture
def srv(serve_mocks):
    return serve_mocks(MOCKS, *LIMITS)


def GET(path, extra=""):
    return f"GET {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode()


# --------------------------------------------------------------------------- keep-alive


def test_keep_alive_many_requests_on_one_socket(srv):
    c = srv.raw()
    for i in range(50):
        r = c.request(GET("/" + "abc"[i % 3]))
        assert r.status == 200
        assert r.body == "ABC"[i % 3].encode()
        assert (r.header("connection") or "").lower() != "close"
    # unmatched responses keep the connection too
    r = c.request(GET("/nope"))
    assert r.status == 404
    r = c.request(GET("/a"))
    assert r.body == b"A"
    c.close()


def test_requests_session_reuses_connection(srv):
    # a real client: requests with a Session keeps one connection alive
    for _ in range(10):
        assert srv.get("/a").text == "A"
    pool = srv.session.get_adapter(srv.base).poolmanager
    conns = sum(p.num_connections for p in pool.pools._container.values())
    assert conns == 1


def test_pipelining_three_in_one_write(srv):
    c = srv.raw()
    c.send(GET("/a") + GET("/b") + GET("/c") + GET("/nope") + GET("/a"))
    bodies = []
    for _ in range(5):
        r = c.read_response()
        bodies.append((r.status, r.body[:1]))
    assert bodies == [(200, b"A"), (200, b"B"), (200, b"C"), (404, b"{"), (200, b"A")]
    c.close()


def test_pipelining_preserves_order_behind_a_delay(srv):
    c = srv.raw()
    t0 = time.monotonic()
    c.send(GET("/slow") + GET("/a") + GET("/b"))
    r1 = c.read_response()
    t1 = time.monotonic() - t0
    r2 = c.read_response()
    r3 = c.read_response()
    assert [r1.body, r2.body, r3.body] == [b"SLOW", b"A", b"B"]
    assert t1 >= 0.6
    c.close()


def test_pipelined_post_bodies(srv):
    c = srv.raw()
    req = b"POST /five HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n12345"
    bad = b"POST /five HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n54321"
    c.send(req + bad + req)
    assert [c.read_response().status for _ in range(3)] == [200, 404, 200]
    c.close()


# --------------------------------------------------------------------------- request bodies


def test_chunked_request_body_matches_body_equals(srv):
    c = srv.raw()
    body = (b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"6\r\nhello \r\n"
            b"8;ext=1\r\nchunked \r\n"
            b"5\r\nworld\r\n"
            b"0\r\n\r\n")
    r = c.request(body)
    assert (r.status, r.body) == (201, b"got it")
    # the connection is still usable afterwards
    assert c.request(GET("/a")).body == b"A"
    c.close()


def test_chunked_request_body_in_separate_writes(srv):
    c = srv.raw()
    c.send(b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    for piece in (b"6\r\nhello \r\n", b"8\r\nchunked \r\n", b"5\r\nworld\r\n", b"0\r\n\r\n"):
        c.send(piece)
    r = c.read_response()
    assert (r.status, r.body) == (201, b"got it")
    c.close()


def test_chunked_body_from_requests_generator(srv):
    def gen():
        yield b"hello "
        yield b"chunked "
        yield b"world"

    r = srv.post("/upload", data=gen())
    assert (r.status_code, r.text) == (201, "got it")


def test_expect_100_continue(srv):
    c = srv.raw()
    c.send(b"POST /five HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
    assert c.wait_bytes(b"\r\n\r\n", 0.8), f"no interim response before the body was sent; got {c.buf!r}"
    interim = c.read_response()
    assert interim.status == 100
    assert interim.raw_head.startswith(b"HTTP/1.1 100 Continue\r\n")
    c.send(b"12345")
    final = c.read_response()
    assert (final.status, final.body) == (200, b"five")
    c.close()


def test_expect_100_continue_with_curl(srv):
    # curl waits for the 100 before sending the body (it would stall for 1 s otherwise)
    t0 = time.monotonic()
    out = curl("-H", "Expect: 100-continue", "--expect100-timeout", "5",
               "--data-binary", "12345", srv.base + "/five")
    assert out.returncode == 0, out.stderr
    assert out.stdout == b"five"
    assert time.monotonic() - t0 < 3


# --------------------------------------------------------------------------- closing


def test_connection_close_request(srv):
    c = srv.raw()
    r = c.request(GET("/a", "Connection: close\r\n"))
    assert (r.status, r.body) == (200, b"A")
    assert (r.header("connection") or "").lower() == "close"
    assert c.wait_closed(2), "server kept the connection open after Connection: close"
    assert c.buf == b""
    c.close()


def test_http10_without_keep_alive_closes(srv):
    c = srv.raw()
    r = c.request(b"GET /b HTTP/1.0\r\n\r\n")
    assert (r.status, r.body) == (200, b"B")
    assert c.wait_closed(2), "HTTP/1.0 connection not closed"
    c.close()


# --------------------------------------------------------------------------- limits


def test_body_too_large_by_content_length(srv):
    c = srv.raw()
    r = c.request(b"POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\n\r\n")
    assert r.status == 413
    assert r.header("content-type") == "application/json"
    assert r.json() == {"error": "body_too_large", "message": "Request body exceeds maximum allowed size"}
    assert (r.header("connection") or "").lower() == "close"
    assert c.wait_closed(2)
    c.close()
    srv.assert_serving()


def test_body_too_large_sent_in_full(srv):
    c = srv.raw()
    c.send(b"POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n" + b"x" * 3000)
    r = c.read_response()
    assert r.status == 413
    assert r.json()["error"] == "body_too_large"
    assert (r.header("connection") or "").lower() == "close"
    c.close()
    srv.assert_serving()


def test_body_too_large_chunked(srv):
    c = srv.raw()
    c.send(b"POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    c.send(b"400\r\n" + b"y" * 1024 + b"\r\n")
    c.send(b"400\r\n" + b"y" * 1024 + b"\r\n0\r\n\r\n")
    r = c.read_response()
    assert r.status == 413
    assert r.json()["error"] == "body_too_large"
    c.close()
    srv.assert_serving()


def test_body_at_limit_is_accepted(srv):
    r = srv.post("/big", data=b"z" * 1024)
    assert (r.status_code, r.text) == (200, "big ok")


def test_header_too_large_431(srv):
    c = srv.raw()
    r = c.request(GET("/a", "X-Big: " + "h" * 4096 + "\r\n"))
    assert r.status == 431
    c.close()
    srv.assert_serving()


def test_many_headers_under_limit_ok(srv):
    extra = "".join(f"X-H{i}: {i}\r\n" for i in range(50))
    c = srv.raw()
    r = c.request(GET("/a", extra))
    assert (r.status, r.body) == (200, b"A")
    c.close()


@pytest.mark.parametrize(
    "data",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /x HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET /a HTTP/1.1\r\nHost: x\r\nThis is not a header\r\n\r\n",
        b"GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nxxxx",
        b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
        b"GET /a HTTP/1.1\r\nX-No-Host: 1\r\n\r\n",
    ],
    ids=["garbage", "bad-version", "bad-header-line", "bad-content-length",
         "transfer-encoding-not-chunked", "chunked-not-last", "http11-without-host"],
)
def test_malformed_request_400_and_close(srv, data):
    c = srv.raw()
    r = c.request(data)
    assert r.status == 400
    assert c.wait_closed(2), "connection left open after a malformed request"
    c.close()
    srv.assert_serving()


def test_http10_without_host_is_fine(srv):
    c = srv.raw()
    r = c.request(b"GET /a HTTP/1.0\r\n\r\n")
    assert (r.status, r.body) == (200, b"A")
    c.close()


def test_malformed_after_good_request_on_same_socket(srv):
    c = srv.raw()
    c.send(GET("/a") + b"NOT HTTP AT ALL\r\n\r\n")
    assert c.read_response().body == b"A"
    assert c.read_response().status == 400
    assert c.wait_closed(2)
    c.close()


# --------------------------------------------------------------------------- timeouts


def test_header_timeout_disconnects_stalled_client(srv):
    c = srv.raw(timeout=10)
    c.send(b"GET /a HTTP/1.1\r\nHost: x\r\nX-Half: ")
    t0 = time.monotonic()
    # a well-behaved client on another connection is unaffected meanwhile
    assert srv.get("/b").text == "B"
    assert c.wait_closed(4), "stalled client not disconnected after --header-timeout 1s"
    elapsed = time.monotonic() - t0
    assert 0.7 <= elapsed <= 3.0, elapsed
    if c.buf:
        assert c.buf.startswith(b"HTTP/1.1 408"), c.buf
    c.close()
    srv.assert_serving()


def test_slow_but_progressing_headers_within_timeout(srv):
    c = srv.raw()
    for piece in (b"GET /a HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"):
        c.send(piece)
    assert c.read_response().body == b"A"
    c.close()


def test_idle_keep_alive_connection_closed(srv):
    c = srv.raw(timeout=10)
    assert c.request(GET("/a")).body == b"A"
    t0 = time.monotonic()
    assert c.wait_closed(5), "idle keep-alive connection not closed after --idle-timeout 2s"
    elapsed = time.monotonic() - t0
    assert 1.5 <= elapsed <= 4.0, elapsed
    assert c.buf == b"", c.buf
    c.close()
    srv.assert_serving()


def test_client_disconnect_during_delay(srv):
    c = srv.raw()
    c.send(GET("/slow1s"))
    # the request is on the wire; hang up before the delay ends
    wait_for(lambda: srv.get("/a").text == "A", 2, "server answering meanwhile")
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    c.close()
    # another delayed request outlives the first one's timer
    t0 = time.monotonic()
    r = srv.get("/slow1s")
    assert (r.status_code, r.text) == (200, "SLOW1S")
    assert time.monotonic() - t0 >= 1.0
    srv.assert_serving()
    for _ in range(5):
        assert srv.get("/b").text == "B"


def test_many_clients_disconnect_during_delay(srv):
    conns = [srv.raw() for _ in range(20)]
    for c in conns:
        c.send(GET("/slow"))
    for c in conns:
        c.close()
    c = srv.raw()
    r = c.request(GET("/slow"))
    assert r.body == b"SLOW"
    c.close()
    srv.assert_serving()


# --------------------------------------------------------------------------- max connections


def test_max_connections(serve_mocks):
    s = serve_mocks(MOCKS, "--max-connections", "2")
    c1, c2 = s.raw(), s.raw()
    assert c1.request(GET("/a")).body == b"A"
    assert c2.request(GET("/b")).body == b"B"
    c3 = s.raw()
    try:
        c3.send(GET("/c"))
    except OSError:
        pass
    assert c3.wait_closed(3), "a third connection over --max-connections 2 was not closed"
    assert c3.buf == b"", c3.buf
    c3.close()
    # the two admitted connections still work
    assert c1.request(GET("/a")).body == b"A"
    c2.close()

    def fresh_connection_served():
        c = s.raw()
        try:
            return c.request(GET("/c")).body == b"C"
        except Exception:
            return False
        finally:
            c.close()

    wait_for(fresh_connection_served, 5, "a new connection once one slot was freed")
    c1.close()
