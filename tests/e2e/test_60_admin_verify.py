"""Admin API, part 2: call verification and per-mock invocations.

(The brief names this file test_61_admin_verify.py; files here must match test_60_admin_*.py.)
"""

from datetime import datetime, timezone

import pytest

from conftest import RawConn
from test_60_admin_helpers import REQ_ID, hm, iso_z, mockd  # noqa: F401


def parse_iso(value):
    return datetime.strptime(value.rstrip("Z")[:26], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc)


@pytest.fixture
def two(mockd):
    """A server with mocks 'a' (/a) and 'b' (/b, POST)."""
    return mockd(mocks=[hm("/a", mock_id="a"), hm("/b", method="POST", mock_id="b", status=201)])


# --------------------------------------------------------------------------- GET verify


def test_verify_counts_calls_and_last_call_time(two):
    a = two
    data = a.ok("GET", "/mocks/a/verify")
    assert data == {"mockId": "a", "callCount": 0}  # no lastCalledAt before a call
    before = datetime.now(timezone.utc)
    for _ in range(3):
        assert a.hit("/a").status_code == 200
    after = datetime.now(timezone.utc)
    assert a.hit("/a", method="POST").status_code == 404  # not this mock's method
    assert a.hit("/a/x").status_code == 404
    data = a.ok("GET", "/mocks/a/verify")
    assert data["mockId"] == "a"
    assert data["callCount"] == 3
    assert iso_z(data["lastCalledAt"]), data
    last = parse_iso(data["lastCalledAt"])
    assert (before - last).total_seconds() < 1 and (last - after).total_seconds() < 1, (before, last, after)
    assert a.call_count("b") == 0


def test_verify_counts_per_mock(two):
    a = two
    for _ in range(2):
        a.hit("/a")
    for _ in range(5):
        assert a.hit("/b", method="POST").status_code == 201
    assert a.call_count("a") == 2
    assert a.call_count("b") == 5


def test_verify_unknown_mock_is_404(two):
    for method, body in (("GET", None), ("POST", {"exactly": 1})):
        r = two.call(method, "/mocks/ghost/verify", json=body)
        assert r.status_code == 404, method
        assert r.json()["error"] == "not_found"
    for method in ("GET", "DELETE"):
        r = two.call(method, "/mocks/ghost/invocations")
        assert r.status_code == 404, method
        assert r.json()["error"] == "not_found"


def test_disabled_mock_is_not_counted(two):
    a = two
    a.hit("/a")
    a.ok("POST", "/mocks/a/toggle")
    assert a.hit("/a").status_code == 404
    assert a.call_count("a") == 1


# --------------------------------------------------------------------------- POST verify


@pytest.mark.parametrize("criteria, passed, expected", [
    ({"exactly": 2}, True, "exactly 2 time(s)"),
    ({"exactly": 1}, False, "exactly 1 time(s)"),
    ({"exactly": 0}, False, "exactly 0 time(s)"),
    ({"atLeast": 1}, True, "at least 1 time(s)"),
    ({"atLeast": 2}, True, "at least 2 time(s)"),
    ({"atLeast": 3}, False, "at least 3 time(s)"),
    ({"atMost": 2}, True, "at most 2 time(s)"),
    ({"atMost": 1}, False, "at most 1 time(s)"),
    ({"atLeast": 1, "atMost": 10}, True, "at least 1 time(s) and at most 10 time(s)"),
    ({"atLeast": 3, "atMost": 10}, False, "at least 3 time(s) and at most 10 time(s)"),
    ({"atLeast": 0, "atMost": 1}, False, "at least 0 time(s) and at most 1 time(s)"),
    ({"never": True}, False, "never (0 times)"),
])
def test_verify_criteria_after_two_calls(two, criteria, passed, expected):
    a = two
    a.hit("/a")
    a.hit("/a")
    r = a.post("/mocks/a/verify", json=criteria)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["passed"] is passed
    assert data["actual"] == 2
    assert data["expected"] == expected
    assert isinstance(data["message"], str) and data["message"]
    if not passed:
        assert expected in data["message"] and "2" in data["message"], data["message"]


@pytest.mark.parametrize("criteria, expected", [
    ({"never": True}, "never (0 times)"),
    ({"exactly": 0}, "exactly 0 time(s)"),
    ({"atMost": 0}, "at most 0 time(s)"),
])
def test_verify_never_called(two, criteria, expected):
    two.hit("/a")
    data = two.ok("POST", "/mocks/b/verify", json=criteria)
    assert data["passed"] is True
    assert data["actual"] == 0
    assert data["expected"] == expected


def test_verify_without_criteria_is_400(two):
    r = two.post("/mocks/a/verify", json={})
    assert r.status_code == 400
    assert r.json()["error"] == "missing_criteria"


@pytest.mark.parametrize("criteria", [
    {"exactly": -1}, {"atLeast": -3}, {"atMost": "2"}, {"exactly": "one"}, {"atLeast": 1.5},
    {"never": "yes"},
])
def test_verify_bad_criteria_is_400(two, criteria):
    r = two.post("/mocks/a/verify", json=criteria)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "validation_error"


def test_verify_bad_json_is_400(two):
    r = two.post("/mocks/a/verify", data=b"{exactly", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_json"


# --------------------------------------------------------------------------- invocations


def test_invocations_newest_first_with_details(two):
    a = two
    assert a.hit("/b", method="POST", params={"q": "1", "tag": "x"}, data=b'{"n":1}',
                 headers={"Content-Type": "application/json", "X-Trace": "t1"}).status_code == 201
    conn = RawConn(a.port)
    try:
        resp = conn.request(
            b"POST /b?q=2&q=3 HTTP/1.1\r\nHost: localhost\r\nX-Multi: first\r\nX-Multi: second\r\n"
            b"Content-Length: 7\r\n\r\n{\"n\":2}")
        assert resp.status == 201
    finally:
        conn.close()
    a.hit("/a")  # another mock's call: not listed
    data = a.ok("GET", "/mocks/b/invocations")
    assert data["count"] == 2 and data["total"] == 2
    newest, oldest = data["invocations"]
    assert newest["method"] == "POST" and newest["path"] == "/b"
    assert newest["body"] == '{"n":2}'
    assert newest["headers"]["X-Multi"] == "first"
    assert newest["queryParams"] == {"q": "2"}
    assert newest["responseStatus"] == 201
    assert oldest["body"] == '{"n":1}'
    assert oldest["headers"]["X-Trace"] == "t1"
    assert oldest["queryParams"] == {"q": "1", "tag": "x"}
    assert oldest["responseStatus"] == 201
    for inv in data["invocations"]:
        assert iso_z(inv["timestamp"]), inv
        assert REQ_ID.match(inv["id"]), inv
    assert newest["id"] != oldest["id"]
    assert newest["timestamp"] >= oldest["timestamp"]
    # no query string: no queryParams
    a.hit("/b", method="POST")
    assert "queryParams" not in a.ok("GET", "/mocks/b/invocations")["invocations"][0]
    # the ids are the request log's ids
    entry = a.ok("GET", f"/requests/{newest['id']}")
    assert entry["path"] == "/b" and entry["body"] == '{"n":2}'


def test_invocations_paging(two):
    a = two
    for i in range(7):
        a.hit("/a", params={"i": str(i)})
    data = a.ok("GET", "/mocks/a/invocations", params={"limit": 3})
    assert data["count"] == 3 and data["total"] == 7
    assert [inv["queryParams"]["i"] for inv in data["invocations"]] == ["6", "5", "4"]
    data = a.ok("GET", "/mocks/a/invocations", params={"limit": 3, "offset": 5})
    assert data["count"] == 2 and data["total"] == 7
    assert [inv["queryParams"]["i"] for inv in data["invocations"]] == ["1", "0"]
    r = a.get("/mocks/a/invocations", params={"limit": "x"})
    assert r.status_code == 400 and r.json()["error"] == "validation_error"


def test_clear_one_mocks_invocations(two):
    a = two
    for _ in range(3):
        a.hit("/a")
    a.hit("/b", method="POST")
    data = a.ok("DELETE", "/mocks/a/invocations")
    assert data == {"message": "Invocations cleared", "mockId": "a", "cleared": 3}
    assert a.ok("GET", "/mocks/a/verify") == {"mockId": "a", "callCount": 0}
    inv = a.ok("GET", "/mocks/a/invocations")
    assert inv["invocations"] == [] and inv["total"] == 0
    assert a.ok("POST", "/mocks/a/verify", json={"never": True})["passed"] is True
    # the other mock is untouched
    assert a.call_count("b") == 1
    assert a.ok("GET", "/mocks/b/invocations")["total"] == 1
    # counting resumes from zero
    a.hit("/a")
    assert a.call_count("a") == 1


def test_clear_all_verification_data(two):
    a = two
    for _ in range(2):
        a.hit("/a")
    for _ in range(3):
        a.hit("/b", method="POST")
    a.hit("/unmatched")
    logged = a.log()["total"]
    assert logged == 6
    data = a.ok("DELETE", "/verify")
    assert data["message"] == "All verification data cleared"
    assert data["cleared"] == logged
    for mid in ("a", "b"):
        assert a.ok("GET", f"/mocks/{mid}/verify") == {"mockId": mid, "callCount": 0}
        assert a.ok("GET", f"/mocks/{mid}/invocations")["total"] == 0
    assert a.ok("DELETE", "/verify")["cleared"] == 0
    a.hit("/b", method="POST")
    assert a.call_count("b") == 1
    assert a.call_count("a") == 0


def test_count_survives_update_of_other_mock(two):
    """Changing one mock must not reset another mock's call count."""
    a = two
    for _ in range(4):
        a.hit("/a")
    a.ok("PATCH", "/mocks/b", json={"http": {"response": {"statusCode": 202}}})
    a.create(hm("/c"))
    assert a.call_count("a") == 4
