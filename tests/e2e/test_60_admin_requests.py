"""Admin API, part 3: the request log and its live SSE stream.

(The brief names this file test_62_admin_requests.py; files here must match test_60_admin_*.py.)
"""

import json

import pytest

from conftest import RawConn
from test_60_admin_helpers import REQ_ID, SSE, hm, iso_z, mockd  # noqa: F401


@pytest.fixture
def logged(mockd):
    return mockd(mocks=[
        hm("/users", mock_id="users", name="Users"),
        hm("/users", method="POST", mock_id="create-user", status=201),
        hm("/orders", mock_id="orders"),
    ])


def paths(data):
    return [e["path"] for e in data["requests"]]


# --------------------------------------------------------------------------- entries


def test_entry_for_a_matched_request(logged):
    a = logged
    conn = RawConn(a.port)
    try:
        body = b'{"name":"ann"}'
        resp = conn.request(
            b"POST /users?a=1&a=2&b=3 HTTP/1.1\r\nHost: localhost\r\nX-Multi: one\r\n"
            b"X-Multi: two\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)
        assert resp.status == 201
    finally:
        conn.close()
    data = a.log()
    assert data["count"] == 1 and data["total"] == 1
    e = data["requests"][0]
    assert REQ_ID.match(e["id"]), e
    assert iso_z(e["timestamp"]), e
    assert e["protocol"] == "http"
    assert e["method"] == "POST"
    assert e["path"] == "/users"
    assert e["queryString"] == "a=1&a=2&b=3"
    assert e["headers"]["X-Multi"] == ["one", "two"]
    assert e["headers"]["Content-Type"] == ["application/json"]
    assert e["body"] == '{"name":"ann"}'
    assert e["bodySize"] == len(body)
    assert "127.0.0.1" in e["remoteAddr"] or "::1" in e["remoteAddr"], e["remoteAddr"]
    assert e["matchedMockID"] == "create-user"
    assert e["responseStatus"] == 201
    assert isinstance(e["durationMs"], (int, float)) and 0 <= e["durationMs"] < 5000
    assert "nearMisses" not in e
    assert a.ok("GET", f"/requests/{e['id']}") == e


def test_entry_for_an_unmatched_request_has_near_misses(logged):
    a = logged
    assert a.hit("/users", method="PUT").status_code == 404
    e = a.log()["requests"][0]
    assert e["method"] == "PUT" and e["path"] == "/users"
    assert e["matchedMockID"] == ""
    assert e["responseStatus"] == 404
    misses = {m["mockId"]: m for m in e["nearMisses"]}
    # both /users mocks match the path but not the method
    assert {"users", "create-user"} <= set(misses), e["nearMisses"]
    for m in e["nearMisses"]:
        assert isinstance(m["matchPercentage"], (int, float)) and 0 < m["matchPercentage"] < 100, m
        assert isinstance(m["reason"], str) and m["reason"], m
    assert misses["users"]["mockName"] == "Users"
    assert "mockName" not in misses["create-user"]
    assert "method" in misses["users"]["reason"].lower(), misses["users"]
    assert a.ok("GET", f"/requests/{e['id']}") == e


def test_unknown_request_id_is_404(logged):
    r = logged.get("/requests/req-00000000deadbeef")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"


def test_newest_first_and_default_limit(logged):
    a = logged
    for i in range(105):
        a.hit("/users", params={"i": str(i)})
    data = a.log()
    assert data["total"] == 105
    assert data["count"] == 100 == len(data["requests"])
    got = [e["queryString"] for e in data["requests"]]
    assert got == [f"i={i}" for i in range(104, 4, -1)]
    ids = [e["id"] for e in data["requests"]]
    assert len(set(ids)) == 100


def test_order_is_global_across_connections(logged):
    a = logged
    for i in range(30):
        a.hit("/orders", params={"i": str(i)}, headers={"Connection": "close"})
    got = [e["queryString"] for e in a.log()["requests"]]
    assert got == [f"i={i}" for i in range(29, -1, -1)]


def test_duration_includes_the_mock_delay(mockd):
    slow = hm("/slow", mock_id="slow")
    slow["http"]["response"]["delayMs"] = 80
    a = mockd(mocks=[slow, hm("/fast", mock_id="fast")])
    a.hit("/slow")
    a.hit("/fast")
    fast, slow_entry = a.log()["requests"]
    assert slow_entry["path"] == "/slow" and 80 <= slow_entry["durationMs"] < 5000, slow_entry
    assert fast["path"] == "/fast" and fast["durationMs"] < 80, fast


# --------------------------------------------------------------------------- filters


@pytest.fixture
def mixed(logged):
    a = logged
    a.hit("/users")                    # users 200
    a.hit("/users", method="POST")     # create-user 201
    a.hit("/orders")                   # orders 200
    a.hit("/nothing")                  # 404
    a.hit("/users/extra")              # 404
    a.hit("/orders", method="DELETE")  # 404
    a.hit("/users")                    # users 200
    return a


def test_filter_method(mixed):
    assert paths(mixed.log(method="POST")) == ["/users"]
    data = mixed.log(method="DELETE")
    assert paths(data) == ["/orders"] and data["total"] == 1
    assert mixed.log(method="GET")["total"] == 5


def test_filter_path_substring(mixed):
    data = mixed.log(path="users")
    assert paths(data) == ["/users", "/users/extra", "/users", "/users"]
    assert data["total"] == 4
    assert mixed.log(path="zzz")["total"] == 0


def test_filter_matched_mock(mixed):
    data = mixed.log(matched="users")
    assert data["total"] == 2
    assert all(e["matchedMockID"] == "users" for e in data["requests"])
    assert mixed.log(matched="orders")["total"] == 1


def test_filter_status(mixed):
    data = mixed.log(status=404)
    assert data["total"] == 3
    assert paths(data) == ["/orders", "/users/extra", "/nothing"]
    assert mixed.log(status=201)["total"] == 1


def test_filter_unmatched_only(mixed):
    data = mixed.log(unmatchedOnly="true")
    assert paths(data) == ["/orders", "/users/extra", "/nothing"]
    assert all(e["matchedMockID"] == "" for e in data["requests"])


def test_filters_combine_and_page(mixed):
    data = mixed.log(method="GET", path="users", status=200)
    assert data["total"] == 2 and paths(data) == ["/users", "/users"]
    everything = [e["id"] for e in mixed.log()["requests"]]
    assert len(everything) == 7
    page = mixed.log(offset=2, limit=3)
    assert page["total"] == 7 and page["count"] == 3
    assert [e["id"] for e in page["requests"]] == everything[2:5]
    last = mixed.log(offset=6, limit=3)
    assert last["count"] == 1 and [e["id"] for e in last["requests"]] == everything[6:]


@pytest.mark.parametrize("params", [{"limit": "x"}, {"offset": "-2"}, {"status": "abc"}])
def test_bad_query_is_400(mixed, params):
    r = mixed.get("/requests", params=params)
    assert r.status_code == 400
    assert r.json()["error"] == "validation_error"


def test_clear_request_log(mixed):
    data = mixed.ok("DELETE", "/requests")
    assert data == {"message": "Request log cleared", "cleared": 7}
    assert mixed.log() == {"requests": [], "count": 0, "total": 0}
    mixed.hit("/orders")
    assert paths(mixed.log()) == ["/orders"]


def test_admin_calls_are_not_logged(logged):
    a = logged
    a.get("/mocks")
    a.get("/status")
    a.hit("/orders")
    assert paths(a.log()) == ["/orders"]


# --------------------------------------------------------------------------- bound


def test_log_is_bounded_to_newest_entries(mockd):
    a = mockd("--max-log-entries", "5", mocks=[hm("/p", mock_id="p")])
    for i in range(20):
        # a fresh connection each time, so the requests spread over the worker threads
        a.hit(f"/p{i}" if i % 2 else "/p", params={"n": str(i)}, headers={"Connection": "close"})
    data = a.log()
    assert data["total"] == 5 and data["count"] == 5
    assert [e["queryString"] for e in data["requests"]] == [f"n={i}" for i in range(19, 14, -1)]
    assert [e["path"] for e in data["requests"]] == ["/p19", "/p", "/p17", "/p", "/p15"]
    # counts are not bounded by the log
    assert a.call_count("p") == 10


def test_evicted_entries_stay_gone_whatever_is_cleared(mockd):
    # two keep-alive connections land on the two workers, so each worker's buffer holds
    # three entries while the log as a whole holds the newest three
    a = mockd("--workers", "2", "--max-log-entries", "3",
              mocks=[hm("/a", mock_id="a"), hm("/b", mock_id="b")])
    first, second = RawConn(a.port), RawConn(a.port)
    try:
        for _ in range(3):
            assert first.request(b"GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n").status == 200
        old_ids = [e["id"] for e in a.log()["requests"]]
        assert len(old_ids) == 3
        for _ in range(3):
            assert second.request(b"GET /b HTTP/1.1\r\nHost: localhost\r\n\r\n").status == 200
    finally:
        first.close()
        second.close()
    data = a.log()
    assert data["total"] == 3 and paths(data) == ["/b", "/b", "/b"]
    for rid in old_ids:
        assert a.get(f"/requests/{rid}").status_code == 404
    # nothing of /a is left in the log to clear; verification still counts every call
    assert a.ok("DELETE", "/mocks/a/invocations")["cleared"] == 0
    assert a.ok("DELETE", "/mocks/b/invocations")["cleared"] == 3
    assert a.log() == {"requests": [], "count": 0, "total": 0}
    for rid in old_ids:
        assert a.get(f"/requests/{rid}").status_code == 404
    a.hit("/a")
    assert paths(a.log()) == ["/a"]


# --------------------------------------------------------------------------- hasError


def test_filter_has_error(mockd):
    a = mockd(mocks=[
        hm("/ok", mock_id="ok"),
        hm("/teapot", mock_id="teapot", status=418),
        {"id": "file", "type": "http", "http": {
            "matcher": {"method": "GET", "path": "/file"},
            "response": {"statusCode": 200, "bodyFile": "never-written.txt"}}},
    ])
    # a WireMock stub whose fault breaks the connection (start serves /__admin on the mock port)
    stub = {"request": {"method": "GET", "url": "/reset"},
            "response": {"fault": "CONNECTION_RESET_BY_PEER"}}
    assert a.hit("/__admin/mappings", method="POST", json=stub).status_code == 201
    assert a.hit("/ok").status_code == 200
    assert a.hit("/teapot").status_code == 418
    assert a.hit("/file").status_code == 502
    assert a.hit("/nothing").status_code == 404
    conn = RawConn(a.port)
    try:
        conn.send(b"GET /reset HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert conn.wait_closed(5)
    finally:
        conn.close()

    errors = a.log(hasError="true")
    assert errors["total"] == 2 and paths(errors) == ["/reset", "/file"]
    reset, file_entry = errors["requests"]
    assert file_entry["responseStatus"] == 502
    assert "never-written.txt" in file_entry["error"], file_entry
    assert "CONNECTION_RESET_BY_PEER" in reset["error"], reset
    assert a.ok("GET", f"/requests/{file_entry['id']}")["error"] == file_entry["error"]
    # an error status the stub asked for, or an unmatched 404, is an answer, not an error
    clean = a.log(hasError="false")
    assert clean["total"] == 3 and paths(clean) == ["/nothing", "/teapot", "/ok"]
    assert all("error" not in e for e in clean["requests"])
    # Go's ParseBool spellings, and the filter combines with the others
    assert a.log(hasError="1")["total"] == 2
    assert a.log(hasError="F")["total"] == 3
    assert paths(a.log(hasError="true", matched="file")) == ["/file"]
    r = a.get("/requests", params={"hasError": "maybe"})
    assert r.status_code == 400 and r.json()["error"] == "validation_error"


# --------------------------------------------------------------------------- SSE


def test_stream_sends_connected_then_each_request(logged):
    a = logged
    a.hit("/orders")  # before subscribing: not replayed
    sse = SSE(a.base + "/requests/stream")
    try:
        assert sse.resp.status_code == 200
        assert sse.resp.headers["Content-Type"].startswith("text/event-stream")
        event, _ = sse.next()
        assert event == "connected"
        assert a.hit("/users").status_code == 200
        assert a.hit("/missing").status_code == 404
        event, data = sse.next()
        assert event == "request"
        first = json.loads(data)
        assert first["path"] == "/users"
        assert first["method"] == "GET"
        assert first["matchedMockID"] == "users"
        assert first["responseStatus"] == 200
        assert REQ_ID.match(first["id"])
        event, data = sse.next()
        assert event == "request"
        second = json.loads(data)
        assert second["path"] == "/missing"
        assert second["matchedMockID"] == "" and second["responseStatus"] == 404
        # the streamed entries are the log's entries
        assert a.ok("GET", f"/requests/{first['id']}")["path"] == "/users"
        assert a.ok("GET", f"/requests/{second['id']}")["path"] == "/missing"
        # admin calls are not streamed
        a.get("/mocks")
        assert a.hit("/orders").status_code == 200
        event, data = sse.next()
        assert event == "request" and json.loads(data)["path"] == "/orders"
    finally:
        sse.close()


def test_stream_fans_out_to_two_listeners(logged):
    a = logged
    one = SSE(a.base + "/requests/stream")
    two = SSE(a.base + "/requests/stream")
    try:
        assert one.next()[0] == "connected"
        assert two.next()[0] == "connected"
        a.hit("/orders", params={"k": "v"})
        for sse in (one, two):
            event, data = sse.next()
            assert event == "request"
            entry = json.loads(data)
            assert entry["path"] == "/orders" and entry["queryString"] == "k=v"
    finally:
        one.close()
        two.close()
    # the server keeps working after the listeners go away
    assert a.hit("/orders").status_code == 200
    assert a.log()["total"] == 2
