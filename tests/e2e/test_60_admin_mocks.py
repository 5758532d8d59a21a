"""Admin API, part 1: health, metrics, status, and mock CRUD on the admin port."""

import re
import time

import pytest

from conftest import RawConn, get_req, wait_for
from test_60_admin_helpers import MOCK_ID, hm, iso_z, metric_value, mockd  # noqa: F401


# --------------------------------------------------------------------------- health & info


def test_health_is_ok_json(mockd):
    a = mockd()
    r = a.get("/health")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    data = r.json()
    assert data["status"] == "ok"
    assert isinstance(data["uptime"], int) and data["uptime"] >= 0
    assert iso_z(data["timestamp"]), data


def test_metrics_counts_hits_misses_and_mocks(mockd):
    a = mockd(mocks=[hm("/one", mock_id="one"), hm("/two", mock_id="two", status=201)])
    for _ in range(3):
        assert a.hit("/one").status_code == 200
    assert a.hit("/two").status_code == 201
    assert a.hit("/missing").status_code == 404
    assert a.hit("/missing2").status_code == 404
    r = a.get("/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    text = r.text
    assert metric_value(text, "mockd_requests_total", {"mock": "one", "status": "200"}) == 3
    assert metric_value(text, "mockd_requests_total", {"mock": "two", "status": "201"}) == 1
    assert metric_value(text, "mockd_match_hits_total") == 4
    assert metric_value(text, "mockd_match_misses_total") == 2
    assert metric_value(text, "mockd_mocks_total") == 2
    assert metric_value(text, "mockd_mocks_enabled") == 2
    assert metric_value(text, "mockd_uptime_seconds") >= 0
    assert metric_value(text, "mockd_active_connections") is not None
    # toggling one off shows in the gauges
    a.ok("POST", "/mocks/two/toggle")
    text = a.metrics()
    assert metric_value(text, "mockd_mocks_total") == 2
    assert metric_value(text, "mockd_mocks_enabled") == 1


def test_requests_total_counts_the_status_sent_and_never_goes_back(mockd):
    a = mockd(mocks=[
        hm("/ok", mock_id="ok"),
        {"id": "file", "type": "http", "http": {
            "matcher": {"method": "GET", "path": "/file"},
            "response": {"statusCode": 200, "bodyFile": "never-written.txt"}}},
    ])

    def total(mock, status):
        return metric_value(a.metrics(), "mockd_requests_total", {"mock": mock, "status": status})

    for _ in range(3):
        assert a.hit("/ok").status_code == 200
    for _ in range(2):
        assert a.hit("/file").status_code == 502
    assert a.hit("/nowhere").status_code == 404
    # the status the client got, not the one configured
    assert total("file", "502") == 2
    assert total("file", "200") is None
    assert total("ok", "200") == 3
    assert total("", "404") == 1
    text = a.metrics()
    assert "# TYPE mockd_requests_total counter" in text

    # clearing verification data leaves the counter alone
    assert a.ok("DELETE", "/mocks/ok/invocations")["mockId"] == "ok"
    assert a.call_count("ok") == 0
    assert total("ok", "200") == 3
    a.ok("DELETE", "/verify")
    assert total("ok", "200") == 3 and total("file", "502") == 2
    assert a.hit("/ok").status_code == 200
    assert total("ok", "200") == 4
    # and so does deleting the mock: what was served stays counted
    a.ok("DELETE", "/mocks/ok", 204)
    assert a.hit("/ok").status_code == 404
    assert total("ok", "200") == 4
    assert total("", "404") == 2


def test_metrics_latency_histogram(mockd):
    slow = hm("/slow", mock_id="slow")
    slow["http"]["response"]["delayMs"] = 60
    a = mockd(mocks=[hm("/fast", mock_id="fast"), slow])
    for _ in range(4):
        assert a.hit("/fast").status_code == 200
    assert a.hit("/slow").status_code == 200
    text = a.metrics()
    buckets = []
    for m in re.finditer(r'^mockd_request_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$', text, re.M):
        buckets.append((m.group(1), int(m.group(2))))
    assert buckets, text
    assert buckets[-1][0] == "+Inf"
    counts = [c for _, c in buckets]
    assert counts == sorted(counts), "histogram buckets must be cumulative"
    assert buckets[-1][1] == 5
    assert metric_value(text, "mockd_request_duration_seconds_count") == 5
    total = metric_value(text, "mockd_request_duration_seconds_sum")
    assert 0.06 <= total < 5, total
    le = {float(k) if k != "+Inf" else float("inf"): v for k, v in buckets}
    # the 60 ms request is above every bucket below 0.06 and inside every bucket from 0.1 up
    assert all(v <= 4 for k, v in le.items() if k < 0.06), buckets
    assert all(v == 5 for k, v in le.items() if k >= 0.1), buckets


def test_metrics_active_connections(mockd):
    a = mockd(mocks=[hm("/c")])
    conns = [RawConn(a.port) for _ in range(3)]
    try:
        for c in conns:
            assert c.request(get_req("/c")).status == 200  # keep-alive: stays open
        wait_for(lambda: metric_value(a.metrics(), "mockd_active_connections") == 3, 5,
                 "mockd_active_connections == 3")
    finally:
        for c in conns:
            c.close()
    wait_for(lambda: metric_value(a.metrics(), "mockd_active_connections") == 0, 5,
             "mockd_active_connections back to 0")


def test_ready_status_and_ports(mockd):
    a = mockd(mocks=[hm("/x", mock_id="x"), hm("/y", mock_id="y", enabled=False)])
    r = a.get("/ready")
    assert r.status_code == 200 and r.json()["status"] == "ready"
    assert a.hit("/x").status_code == 200
    assert a.hit("/x").status_code == 200
    assert a.hit("/nothing").status_code == 404
    st = a.ok("GET", "/status")
    assert st["status"] == "running"
    assert st["httpPort"] == a.port
    assert st["adminPort"] == a.admin_port
    assert st["mockCount"] == 2
    assert st["activeMocks"] == 1
    assert st["requestCount"] == 3
    assert isinstance(st["version"], str) and st["version"]
    assert st["protocols"]["http"] == {"enabled": True, "port": a.port}
    assert iso_z(st["startedAt"]), st
    ports = a.ok("GET", "/ports")["ports"]
    by_component = {p["component"]: p for p in ports}
    assert set(by_component) == {"Mock Engine", "Admin API"}
    assert by_component["Mock Engine"]["port"] == a.port
    assert by_component["Admin API"]["port"] == a.admin_port
    for p in ports:
        assert p["protocol"] == "HTTP" and p["status"] == "running"


# --------------------------------------------------------------------------- create


def test_create_generates_id_and_is_live_at_once(mockd):
    a = mockd()
    assert a.hit("/fresh").status_code == 404
    before = time.time()
    body = a.create(hm("/fresh", body="fresh body", status=203))
    assert MOCK_ID.match(body["id"]), body
    assert body["action"] == "created"
    assert body["message"] == "Created http mock"
    mock = body["mock"]
    assert mock["id"] == body["id"]
    assert mock["type"] == "http"
    assert mock["enabled"] is True
    assert mock["http"]["matcher"] == {"method": "GET", "path": "/fresh"}
    assert mock["http"]["response"]["statusCode"] == 203
    assert mock["http"]["response"]["body"] == "fresh body"
    assert iso_z(mock["createdAt"]) and iso_z(mock["updatedAt"]), mock
    # live for the very next request, no waiting
    r = a.hit("/fresh")
    assert r.status_code == 203 and r.text == "fresh body"
    assert a.ok("GET", f"/mocks/{body['id']}") == mock
    assert time.time() - before < 5


def test_generated_ids_are_unique(mockd):
    a = mockd()
    ids = {a.create(hm(f"/u{i}"))["id"] for i in range(10)}
    assert len(ids) == 10
    assert all(MOCK_ID.match(i) for i in ids)


def test_create_with_id_name_and_disabled(mockd):
    a = mockd()
    body = a.create(hm("/off", mock_id="my-mock", name="My Mock", enabled=False))
    assert body["id"] == "my-mock"
    assert body["mock"]["name"] == "My Mock"
    assert body["mock"]["enabled"] is False
    assert a.hit("/off").status_code == 404
    assert a.ok("GET", "/mocks/my-mock")["name"] == "My Mock"


def test_create_duplicate_id_is_409_and_keeps_original(mockd):
    a = mockd()
    a.create(hm("/dup", body="first", mock_id="dup"))
    r = a.post("/mocks", json=hm("/dup2", body="second", mock_id="dup"))
    assert r.status_code == 409
    assert r.json()["error"] == "duplicate_id"
    assert a.ok("GET", "/mocks/dup")["http"]["matcher"]["path"] == "/dup"
    assert a.hit("/dup").text == "first"
    assert a.hit("/dup2").status_code == 404
    assert a.mocks()["total"] == 1


def test_create_with_a_config_mocks_id_is_409(mockd):
    a = mockd(mocks=[hm("/c", body="config", mock_id="cfg")])
    r = a.post("/mocks", json=hm("/c", body="api", mock_id="cfg"))
    assert r.status_code == 409
    assert r.json()["error"] == "duplicate_id"
    assert a.hit("/c").text == "config"


def test_id_can_be_reused_after_delete(mockd):
    a = mockd()
    a.create(hm("/r1", body="one", mock_id="r"))
    a.ok("DELETE", "/mocks/r", 204)
    body = a.create(hm("/r2", body="two", mock_id="r"))
    assert body["id"] == "r"
    assert a.hit("/r1").status_code == 404
    assert a.hit("/r2").text == "two"


def test_create_legacy_bare_mock(mockd):
    a = mockd()
    body = a.create({"matcher": {"method": "GET", "path": "/legacy"},
                     "response": {"statusCode": 202, "body": "old style"}})
    assert MOCK_ID.match(body["id"])
    assert body["mock"]["type"] == "http"
    r = a.hit("/legacy")
    assert r.status_code == 202 and r.text == "old style"


@pytest.mark.parametrize("data", [b"{not json", b"", b"[1, 2", b'{"type": "http",}'])
def test_create_bad_json_is_400_invalid_json(mockd, data):
    a = mockd()
    r = a.post("/mocks", data=data, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["error"] == "invalid_json"
    assert a.mocks()["total"] == 0


@pytest.mark.parametrize("mutate, field", [
    (lambda m: m["http"]["response"].update(statusCode="x"), "http.response.statusCode"),
    (lambda m: m["http"]["matcher"].update(path="nope"), "http.matcher.path"),
    (lambda m: m.update(enabled="yes"), "enabled"),
], ids=["statusCode-string", "path-without-slash", "enabled-string"])
def test_create_wrong_field_is_400_naming_the_field(mockd, mutate, field):
    a = mockd()
    mock = hm("/valid")
    mutate(mock)
    r = a.post("/mocks", json=mock)
    assert r.status_code == 400, r.text
    data = r.json()
    assert data["error"] == "validation_error"
    assert data["message"].startswith(field + ": "), data
    assert data["details"]["field"] == field
    assert a.mocks()["total"] == 0
    assert a.hit("/valid").status_code == 404


def test_api_mock_wins_over_config_mock(mockd):
    a = mockd(mocks=[hm("/same", body="from config", mock_id="cfg")])
    assert a.hit("/same").text == "from config"
    api = a.create(hm("/same", body="from api"))["id"]
    assert a.hit("/same").text == "from api"
    a.ok("DELETE", f"/mocks/{api}", 204)
    assert a.hit("/same").text == "from config"


def test_newest_api_mock_wins_on_ties(mockd):
    a = mockd()
    a.create(hm("/tie", body="older", mock_id="older"))
    a.create(hm("/tie", body="newer", mock_id="newer"))
    assert a.hit("/tie").text == "newer"
    a.ok("POST", "/mocks/newer/toggle")
    assert a.hit("/tie").text == "older"


# --------------------------------------------------------------------------- list


@pytest.fixture
def listed(mockd):
    a = mockd()
    a.create(hm("/users", mock_id="users-list", name="List users"))
    a.create(hm("/users/1", mock_id="user-one", name="One user"))
    a.create(hm("/orders", mock_id="orders", name="Orders", enabled=False))
    a.create(hm("/health-check", mock_id="hc", name="Probe"))
    a.create(hm("/items", mock_id="items", name="Items", enabled=False))
    return a


def test_list_all(listed):
    data = listed.mocks()
    assert data["total"] == 5 and data["count"] == 5
    assert {m["id"] for m in data["mocks"]} == {"users-list", "user-one", "orders", "hc", "items"}
    assert all("http" in m and "enabled" in m for m in data["mocks"])


def test_list_filter_enabled(listed):
    on = listed.mocks(enabled="true")
    assert on["total"] == 3 and {m["id"] for m in on["mocks"]} == {"users-list", "user-one", "hc"}
    off = listed.mocks(enabled="false")
    assert off["total"] == 2 and {m["id"] for m in off["mocks"]} == {"orders", "items"}


def test_list_filter_type(listed):
    assert listed.mocks(type="http")["total"] == 5
    data = listed.mocks(type="grpc")
    assert data == {"mocks": [], "total": 0, "count": 0}


@pytest.mark.parametrize("search, expected", [
    ("user", {"users-list", "user-one"}),  # id and path
    ("Probe", {"hc"}),                     # name
    ("/items", {"items"}),                 # path
    ("zzz", set()),
])
def test_list_search(listed, search, expected):
    data = listed.mocks(search=search)
    assert {m["id"] for m in data["mocks"]} == expected
    assert data["total"] == len(expected) == data["count"]


def test_list_filters_combine(listed):
    data = listed.mocks(search="o", enabled="false")
    assert {m["id"] for m in data["mocks"]} == {"orders"}


def test_list_pagination(listed):
    everything = listed.mock_ids()
    pages = []
    for offset in (0, 2, 4):
        data = listed.mocks(offset=offset, limit=2)
        assert data["total"] == 5
        assert data["count"] == len(data["mocks"]) == (2 if offset < 4 else 1)
        pages += [m["id"] for m in data["mocks"]]
    assert pages == everything
    beyond = listed.mocks(offset=10, limit=2)
    assert beyond["total"] == 5 and beyond["count"] == 0 and beyond["mocks"] == []
    assert listed.mocks(limit=0)["count"] == 0


@pytest.mark.parametrize("params", [{"offset": "-1"}, {"limit": "abc"}, {"limit": "-5"}, {"offset": "1.5"}])
def test_list_bad_paging_is_400(listed, params):
    r = listed.get("/mocks", params=params)
    assert r.status_code == 400
    assert r.json()["error"] == "validation_error"


# --------------------------------------------------------------------------- bulk


def test_bulk_create_array(mockd):
    a = mockd()
    r = a.post("/mocks/bulk", json=[hm("/b1", body="one"), hm("/b2", body="two", mock_id="b2")])
    assert r.status_code == 201, r.text
    data = r.json()
    assert data["created"] == 2
    assert len(data["mocks"]) == 2
    assert data["mocks"][1]["id"] == "b2"
    assert MOCK_ID.match(data["mocks"][0]["id"])
    assert a.hit("/b1").text == "one"
    assert a.hit("/b2").text == "two"
    assert a.mocks()["total"] == 2


def test_bulk_create_wrapped(mockd):
    a = mockd()
    r = a.post("/mocks/bulk", json={"mocks": [hm("/w1"), hm("/w2"), hm("/w3")]})
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 3
    for p in ("/w1", "/w2", "/w3"):
        assert a.hit(p).status_code == 200


def test_bulk_is_all_or_nothing(mockd):
    a = mockd()
    a.create(hm("/keep", mock_id="keep"))
    bad = hm("/bad")
    bad["http"]["response"]["statusCode"] = "x"
    r = a.post("/mocks/bulk", json=[hm("/good1"), hm("/good2"), bad])
    assert r.status_code == 400
    assert r.json()["error"] == "validation_error"
    assert a.mock_ids() == ["keep"]
    assert a.hit("/good1").status_code == 404
    assert a.hit("/good2").status_code == 404


def test_bulk_duplicate_id_within_the_batch_is_400_and_changes_nothing(mockd):
    a = mockd()
    a.create(hm("/keep", mock_id="keep"))
    r = a.post("/mocks/bulk", json=[hm("/d1", mock_id="dup"), hm("/other", mock_id="other"),
                                    hm("/d2", mock_id="dup"), hm("/gen")])
    assert r.status_code == 400, r.text
    data = r.json()
    assert data["error"] == "duplicate_id"
    assert "'dup'" in data["message"] and "index 2" in data["message"], data
    assert a.mock_ids() == ["keep"]
    for p in ("/d1", "/d2", "/other", "/gen"):
        assert a.hit(p).status_code == 404


def test_bulk_with_an_existing_id_is_409_and_changes_nothing(mockd):
    a = mockd()
    a.create(hm("/orig", body="original", mock_id="taken"))
    a.hit("/orig")
    r = a.post("/mocks/bulk", json=[hm("/new1", mock_id="new1"),
                                    hm("/orig", body="overwritten", mock_id="taken")])
    assert r.status_code == 409, r.text
    data = r.json()
    assert data["error"] == "already_exists"
    assert '"taken"' in data["message"], data
    assert sorted(a.mock_ids()) == ["taken"]
    assert a.hit("/orig").text == "original"
    assert a.hit("/new1").status_code == 404
    assert a.call_count("taken") == 2


def test_bulk_replace_overwrites_the_ids_it_names(mockd):
    a = mockd()
    a.create(hm("/orig", body="original", mock_id="taken"))
    r = a.post("/mocks/bulk", params={"replace": "true"},
               json=[hm("/orig", body="replaced", mock_id="taken"), hm("/more", mock_id="more")])
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 2
    assert sorted(a.mock_ids()) == ["more", "taken"]
    assert a.hit("/orig").text == "replaced"
    # a duplicate inside the batch is refused even then
    r = a.post("/mocks/bulk", params={"replace": "true"},
               json=[hm("/x", mock_id="more"), hm("/y", mock_id="more")])
    assert r.status_code == 400 and r.json()["error"] == "duplicate_id"
    assert a.hit("/more").status_code == 200


def test_bulk_bad_json(mockd):
    a = mockd()
    r = a.post("/mocks/bulk", data=b"[{", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_json"


# --------------------------------------------------------------------------- get / put / patch / delete


def test_get_unknown_is_404(mockd):
    a = mockd()
    r = a.get("/mocks/does-not-exist")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"


def test_put_replaces_keeping_id_and_created_at(mockd):
    a = mockd()
    created = a.create(hm("/put", body="v1", mock_id="p", name="old name"))["mock"]
    r = a.put("/mocks/p", json={"type": "http", "http": {
        "matcher": {"method": "POST", "path": "/put2"},
        "response": {"statusCode": 201, "body": "v2"}}})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["id"] == "p" and data["action"] == "updated"
    assert data["message"] == "Updated http mock"
    mock = data["mock"]
    assert mock["id"] == "p"
    assert mock["createdAt"] == created["createdAt"]
    assert mock["updatedAt"] > created["updatedAt"]
    assert "name" not in mock  # full replace: fields not sent are gone
    assert mock["http"]["matcher"] == {"method": "POST", "path": "/put2"}
    assert a.ok("GET", "/mocks/p") == mock
    assert a.hit("/put").status_code == 404
    r = a.hit("/put2", method="POST")
    assert r.status_code == 201 and r.text == "v2"


def test_put_with_other_id_in_body_keeps_path_id(mockd):
    a = mockd()
    a.create(hm("/k", mock_id="k"))
    r = a.put("/mocks/k", json=hm("/k", body="new", mock_id="other"))
    assert r.status_code == 200
    assert r.json()["id"] == "k"
    assert a.mock_ids() == ["k"]
    assert a.hit("/k").text == "new"


def test_patch_changes_only_the_status(mockd):
    a = mockd()
    created = a.create(hm("/patch", body="patched body", mock_id="pt", name="keep me"))["mock"]
    r = a.patch("/mocks/pt", json={"http": {"response": {"statusCode": 202}}})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["id"] == "pt" and data["action"] == "updated"
    mock = data["mock"]
    assert mock["http"]["response"]["statusCode"] == 202
    assert mock["http"]["response"]["body"] == "patched body"
    assert mock["http"]["matcher"] == created["http"]["matcher"]
    assert mock["name"] == "keep me"
    assert mock["createdAt"] == created["createdAt"]
    r = a.hit("/patch")
    assert r.status_code == 202 and r.text == "patched body"


def test_patch_null_removes_a_field(mockd):
    a = mockd()
    a.create(hm("/pn", mock_id="pn", name="to remove"))
    mock = a.ok("PATCH", "/mocks/pn", json={"name": None})["mock"]
    assert "name" not in mock
    assert a.hit("/pn").status_code == 200


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_invalid_is_400_and_changes_nothing(mockd, method):
    a = mockd()
    before = a.create(hm("/inv", body="orig", mock_id="inv"))["mock"]
    if method == "PUT":
        body = hm("/inv", body="new")
        body["http"]["response"]["statusCode"] = "x"
    else:
        body = {"http": {"response": {"statusCode": "x"}}}
    r = a.call(method, "/mocks/inv", json=body)
    assert r.status_code == 400
    data = r.json()
    assert data["error"] == "validation_error"
    assert data["details"]["field"] == "http.response.statusCode"
    assert a.ok("GET", "/mocks/inv") == before
    assert a.hit("/inv").text == "orig"
    r = a.call(method, "/mocks/inv", data=b"{oops", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_json"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_update_or_delete_unknown_is_404(mockd, method):
    a = mockd()
    r = a.call(method, "/mocks/ghost", json=hm("/ghost"))
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    assert a.mocks()["total"] == 0


def test_delete_one(mockd):
    a = mockd()
    a.create(hm("/del", mock_id="del"))
    a.create(hm("/stay", mock_id="stay"))
    r = a.delete("/mocks/del")
    assert r.status_code == 204
    assert r.content == b""
    assert a.get("/mocks/del").status_code == 404
    assert a.hit("/del").status_code == 404
    assert a.hit("/stay").status_code == 200
    assert a.delete("/mocks/del").status_code == 404
    assert a.mock_ids() == ["stay"]


def test_delete_all(mockd):
    a = mockd(mocks=[hm("/c1"), hm("/c2")])
    a.create(hm("/a1"))
    assert a.mocks()["total"] == 3
    r = a.delete("/mocks")
    assert r.status_code == 204 and r.content == b""
    assert a.mocks() == {"mocks": [], "total": 0, "count": 0}
    for p in ("/c1", "/c2", "/a1"):
        assert a.hit(p).status_code == 404


def test_toggle(mockd):
    a = mockd()
    a.create(hm("/tg", mock_id="tg"))
    data = a.ok("POST", "/mocks/tg/toggle")
    assert data["id"] == "tg" and data["action"] == "toggled"
    assert data["message"] == "Mock disabled"
    assert data["mock"]["enabled"] is False
    assert a.hit("/tg").status_code == 404
    assert a.ok("GET", "/mocks/tg")["enabled"] is False
    data = a.ok("POST", "/mocks/tg/toggle")
    assert data["message"] == "Mock enabled"
    assert data["mock"]["enabled"] is True
    assert a.hit("/tg").status_code == 200
    r = a.post("/mocks/ghost/toggle")
    assert r.status_code == 404 and r.json()["error"] == "not_found"


# --------------------------------------------------------------------------- routing errors


@pytest.mark.parametrize("method, path", [
    ("PUT", "/mocks"),
    ("PATCH", "/mocks"),
    ("GET", "/mocks/bulk"),
    ("POST", "/mocks/m"),
    ("GET", "/mocks/m/toggle"),
    ("PUT", "/mocks/m/verify"),
    ("POST", "/mocks/m/invocations"),
    ("POST", "/health"),
    ("DELETE", "/metrics"),
    ("POST", "/status"),
    ("PUT", "/requests"),
    ("GET", "/verify"),
    ("DELETE", "/config"),
])
def test_wrong_method_is_405(mockd, method, path):
    a = mockd(mocks=[hm("/m", mock_id="m")])
    r = a.call(method, path, json={})
    assert r.status_code == 405, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["error"] == "method_not_allowed"
    assert a.ok("GET", "/mocks/m")["id"] == "m"  # nothing was changed


@pytest.mark.parametrize("path", ["/", "/nope", "/mocks/m/nope", "/mocks/m/verify/extra", "/requests/a/b"])
def test_unknown_route_is_404_json(mockd, path):
    a = mockd(mocks=[hm("/m", mock_id="m")])
    r = a.get(path)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["error"] == "not_found"


@pytest.mark.parametrize("method, path, status, message", [
    # A route under /mocks/{id} says the mock is unknown before it looks at the method.
    ("POST", "/mocks/ghost", 404, 'no mock with id "ghost"'),
    ("PUT", "/mocks/ghost/toggle", 404, 'no mock with id "ghost"'),
    ("GET", "/mocks/ghost/nope", 404, 'no mock with id "ghost"'),
    ("GET", "/mocks/m/nope", 404, "no admin route GET /mocks/m/nope"),
    # /mocks/bulk is its own resource, not a mock named "bulk".
    ("GET", "/mocks/bulk", 405, "GET is not allowed on /mocks/bulk (allowed: POST)"),
    ("POST", "/mocks/m", 405, "POST is not allowed on /mocks/m (allowed: GET, PUT, PATCH, DELETE)"),
    ("PUT", "/mocks", 405, "PUT is not allowed on /mocks (allowed: GET, POST, DELETE)"),
    ("PATCH", "/requests", 405, "PATCH is not allowed on /requests (allowed: GET, DELETE)"),
    ("POST", "/requests/stream", 405, "POST is not allowed on /requests/stream (allowed: GET)"),
    ("PUT", "/state/operations", 405,
     "PUT is not allowed on /state/operations (allowed: GET, POST)"),
    ("GET", "/state/resources/ghost/items", 404, 'no table named "ghost"'),
    ("GET", "/chaos/circuit-breakers/k/trip", 405,
     "GET is not allowed on /chaos/circuit-breakers/k/trip (allowed: POST)"),
    ("GET", "/chaos/profiles/ghost", 404, "chaos profile not found: ghost"),
    ("GET", "/", 404, "no admin route GET /"),
])
def test_routes_answer_404_and_405_in_mockds_order(mockd, method, path, status, message):
    a = mockd(mocks=[hm("/m", mock_id="m")])
    r = a.call(method, path, json={})
    assert (r.status_code, r.json()["message"]) == (status, message), r.text
    assert a.ok("GET", "/mocks/m")["id"] == "m"  # nothing was changed
