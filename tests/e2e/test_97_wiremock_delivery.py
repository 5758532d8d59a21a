"""Layer 97: how `mockd wiremock` delivers a response beyond its bytes, as WireMock 3.13.2 does:
delay distributions (per stub and global), chunked dribble, and the four faults, seen by real
clients (python-requests and a raw socket). Timings are measured with generous upper bounds:
a delay must never come early, and never far too late on a loaded CI machine.
"""

import json
import socket
import time

import pytest
import requests

from test_96_wiremock_mode import admin_json, describe, make_root, new_id, wiremock

LATE = 1.5  # seconds a response may come after its delay on a busy machine


def stub(url, body, stub_id=None, **response):
    """A GET stub on `url` answering `body`, with the other response fields given."""
    return {"id": stub_id or new_id(), "request": {"method": "GET", "url": url},
            "response": {"status": 200, "body": body, **response}}


def timed(server, path, **kw):
    t0 = time.monotonic()
    r = server.get(path, **kw)
    return r, time.monotonic() - t0


def add(server, mapping):
    return admin_json(server, "POST", "/mappings", expect=201, json=mapping)


@pytest.fixture
def wm(servers, tmp_path):
    return wiremock(servers, make_root(tmp_path / "wm"))


# --------------------------------------------------------------------------- delays


def test_uniform_distribution_stays_within_its_bounds(wm):
    add(wm, stub("/uniform", "u", delayDistribution={"type": "uniform", "lower": 150, "upper": 350}))
    for _ in range(4):
        r, took = timed(wm, "/uniform")
        assert r.status_code == 200 and r.text == "u", describe(r)
        assert 0.15 <= took < 0.35 + LATE, took


def test_lognormal_distribution_with_a_cap(wm):
    add(wm, stub("/lognormal", "l", delayDistribution={
        "type": "lognormal", "median": 80, "sigma": 0.4, "maxValue": 200}))
    took = [timed(wm, "/lognormal")[1] for _ in range(5)]
    assert all(t < 0.2 + LATE for t in took), took
    assert max(took) >= 0.03, took  # a median of 80 ms: some delay always shows


def test_fixed_distribution_adds_to_the_fixed_delay(wm):
    add(wm, stub("/fixed", "f", fixedDelayMilliseconds=200,
                 delayDistribution={"type": "fixed", "milliseconds": 300}))
    r, took = timed(wm, "/fixed")
    assert r.text == "f" and 0.5 <= took < 0.5 + LATE, took


def test_global_settings_delays_and_stub_overrides(wm):
    add(wm, stub("/plain", "p"))
    add(wm, stub("/own", "o", fixedDelayMilliseconds=50))
    admin_json(wm, "POST", "/settings", json={
        "fixedDelay": 300, "delayDistribution": {"type": "uniform", "lower": 100, "upper": 100}})
    r, took = timed(wm, "/plain")
    assert r.text == "p" and 0.4 <= took < 0.4 + LATE, took
    # The stub's own fixed delay replaces the global one; the global distribution still adds.
    r, took = timed(wm, "/own")
    assert r.text == "o" and 0.15 <= took < 0.3, took
    settings = admin_json(wm, "GET", "/settings")["settings"]
    assert settings["delayDistribution"]["type"] == "uniform", settings
    admin_json(wm, "POST", "/settings", json={})
    r, took = timed(wm, "/plain")
    assert took < 0.3, took


@pytest.mark.parametrize("response, pointer, words", [
    ({"fault": "NOPE"}, "/response/fault", "not one of the values accepted"),
    ({"delayDistribution": {"type": "weird"}}, "/response/delayDistribution",
     "known type ids = [fixed, lognormal, uniform]"),
    ({"delayDistribution": {"type": "lognormal", "median": 10, "sigma": 0.1, "maxValue": 5}},
     "/response/delayDistribution", "greater than or equal to the median"),
    ({"chunkedDribbleDelay": {"numberOfChunks": 3, "totalDuration": 30, "x": 1}},
     "/response/chunkedDribbleDelay/x", "Unrecognized field \"x\""),
], ids=["fault", "distribution-type", "lognormal-cap", "dribble-field"])
def test_bad_delivery_fields_are_422(wm, response, pointer, words):
    r = wm.post("/__admin/mappings", json={"request": {"url": "/bad"}, "response": response})
    assert r.status_code == 422, describe(r)
    error = r.json()["errors"][0]
    assert error["source"]["pointer"] == pointer and words in error["detail"], error


def test_settings_with_a_bad_distribution_are_422_and_change_nothing(wm):
    admin_json(wm, "POST", "/settings", json={"fixedDelay": 10})
    r = wm.post("/__admin/settings", json={"delayDistribution": {"type": "weird"}})
    assert r.status_code == 422, describe(r)
    assert admin_json(wm, "GET", "/settings")["settings"]["fixedDelay"] == 10


# --------------------------------------------------------------------------- dribble


def test_chunked_dribble_spreads_the_body_over_the_duration(wm):
    add(wm, stub("/dribble", "abcdefghijk",
                 chunkedDribbleDelay={"numberOfChunks": 5, "totalDuration": 1000}))
    conn = wm.raw(timeout=5)
    try:
        conn.send(b"GET /dribble HTTP/1.1\r\nHost: x\r\n\r\n")
        t0 = time.monotonic()
        assert conn.wait_bytes(b"\r\n\r\n", 2), conn.buf
        head_at = time.monotonic() - t0
        arrivals = []
        conn.sock.settimeout(3)
        while not conn.buf.endswith(b"0\r\n\r\n"):
            chunk = conn.sock.recv(65536)
            assert chunk, "closed before the last chunk"
            conn.buf += chunk
            arrivals.append(time.monotonic() - t0)
        head, _, body = conn.buf.partition(b"\r\n\r\n")
        assert b"Transfer-Encoding: chunked" in head and b"Content-Length" not in head, head
        # WireMock's cut: equal pieces, the remainder in the last one.
        assert body == b"2\r\nab\r\n2\r\ncd\r\n2\r\nef\r\n2\r\ngh\r\n3\r\nijk\r\n0\r\n\r\n", body
        assert head_at < 0.15, head_at
        assert len(arrivals) >= 3, arrivals  # the pieces come separately...
        assert 0.9 <= arrivals[-1] < 1.0 + LATE, arrivals  # ...and the last one at the end
        # The connection stays usable for the next request.
        conn.buf = b""
        conn.send(b"GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert conn.read_response().status == 200
    finally:
        conn.close()


def test_dribble_through_requests_reassembles_the_body(wm):
    add(wm, stub("/dribble2", json.dumps({"k": "v" * 50}),
                 chunkedDribbleDelay={"numberOfChunks": 4, "totalDuration": 400}))
    r, took = timed(wm, "/dribble2")
    assert r.json() == {"k": "v" * 50} and 0.4 <= took < 0.4 + LATE, took


# --------------------------------------------------------------------------- faults


def test_connection_reset_by_peer(wm):
    add(wm, stub("/reset", "never", fault="CONNECTION_RESET_BY_PEER"))
    with pytest.raises(requests.exceptions.ConnectionError) as exc:
        wm.get("/reset")
    assert "reset" in str(exc.value).lower() or "aborted" in str(exc.value).lower(), exc.value
    sock = socket.create_connection(("127.0.0.1", wm.port), timeout=5)
    sock.sendall(b"GET /reset HTTP/1.1\r\nHost: x\r\n\r\n")
    with pytest.raises(ConnectionResetError):
        while sock.recv(65536):
            pass
    sock.close()
    wm.assert_serving()


def test_empty_response(wm):
    add(wm, stub("/empty", "never", fault="EMPTY_RESPONSE"))
    with pytest.raises(requests.exceptions.ConnectionError):
        wm.get("/empty")
    conn = wm.raw()
    conn.send(b"GET /empty HTTP/1.1\r\nHost: x\r\n\r\n")
    assert conn.wait_closed(3) and conn.buf == b"", conn.buf
    conn.close()


def test_malformed_response_chunk(wm):
    add(wm, stub("/malformed", "never", fault="MALFORMED_RESPONSE_CHUNK"))
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        wm.get("/malformed")
    conn = wm.raw()
    conn.send(b"GET /malformed HTTP/1.1\r\nHost: x\r\n\r\n")
    assert conn.wait_closed(3)
    head, _, rest = conn.buf.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and b"Transfer-Encoding: chunked" in head, head
    size = rest.split(b"\r\n", 1)[0]
    with pytest.raises(ValueError):
        int(size, 16)  # not a chunk size
    conn.close()


def test_random_data_then_close(wm):
    add(wm, stub("/random", "never", fault="RANDOM_DATA_THEN_CLOSE"))
    with pytest.raises(requests.exceptions.ConnectionError):
        wm.get("/random")
    conn = wm.raw()
    conn.send(b"GET /random HTTP/1.1\r\nHost: x\r\n\r\n")
    assert conn.wait_closed(3)
    assert conn.buf and not conn.buf.startswith(b"HTTP/"), conn.buf
    conn.close()


def test_a_fault_after_a_delay_and_behind_pipelined_requests(wm):
    add(wm, stub("/ok", "fine"))
    add(wm, stub("/late-reset", "never", fault="CONNECTION_RESET_BY_PEER",
                 fixedDelayMilliseconds=300))
    sock = socket.create_connection(("127.0.0.1", wm.port), timeout=5)
    t0 = time.monotonic()
    sock.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\nGET /late-reset HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    with pytest.raises(ConnectionResetError):
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
    took = time.monotonic() - t0
    sock.close()
    # The response before the fault arrives whole; nothing after it does.
    assert got.count(b"HTTP/1.1 200 OK") == 1 and got.endswith(b"fine"), got
    assert 0.3 <= took < 0.3 + LATE, took


def test_faults_are_journaled(wm):
    stub_id = new_id()
    add(wm, stub("/empty2", "never", fault="EMPTY_RESPONSE", stub_id=stub_id))
    with pytest.raises(requests.exceptions.ConnectionError):
        wm.get("/empty2")
    events = admin_json(wm, "GET", "/requests")["requests"]
    assert [e["stubMapping"]["id"] for e in events] == [stub_id], events
    mapping = admin_json(wm, "GET", f"/mappings/{stub_id}")
    assert mapping["response"]["fault"] == "EMPTY_RESPONSE", mapping
