"""Layer 26: mockd's response sequences (`http.responses`, `responsesMode`) and mocks that
expire after N matches (`http.times`), from config files and through the admin API."""

import threading

import pytest

from conftest import http_session, line_of, run_mockd, stderr_lines, write_config
from test_60_admin_helpers import mockd  # noqa: F401
from test_96_wiremock_mode import make_root
from test_96_wiremock_mode import wiremock as start_wiremock


def seq_mock(path, statuses, mock_id="seq", mode=None, times=None, method="GET"):
    http = {
        "matcher": {"method": method, "path": path},
        "responses": [{"statusCode": s, "body": f"answer {i}"} for i, s in enumerate(statuses)],
    }
    if mode:
        http["responsesMode"] = mode
    if times is not None:
        http["times"] = times
    return {"id": mock_id, "type": "http", "http": http}


def limited(path, times, mock_id="lim", body="limited", method="GET"):
    return {"id": mock_id, "type": "http", "http": {
        "matcher": {"method": method, "path": path},
        "response": {"statusCode": 200, "body": body},
        "times": times}}


def answers(server, path, n, method="GET"):
    return [(r.status_code, r.text) for r in (server.request(method, path) for _ in range(n))]


# --------------------------------------------------------------------------- sequences


def test_sequence_sticks_at_the_last_response_by_default(serve_mocks):
    s = serve_mocks([seq_mock("/s", [201, 202, 503])])
    assert answers(s, "/s", 5) == [
        (201, "answer 0"), (202, "answer 1"), (503, "answer 2"), (503, "answer 2"), (503, "answer 2")]


def test_sequence_cycles_when_asked(serve_mocks):
    s = serve_mocks([seq_mock("/c", [200, 500], mode="cycle")])
    assert [a[0] for a in answers(s, "/c", 5)] == [200, 500, 200, 500, 200]


def test_each_response_keeps_its_own_headers_body_and_template(tmp_path, servers):
    cfg = write_config(tmp_path, """
        mocks:
          - id: steps
            type: http
            http:
              matcher: { method: GET, path: "/steps/{id}" }
              responses:
                - statusCode: 202
                  headers: { Retry-After: "1" }
                  body: '{"state": "pending"}'
                - statusCode: 200
                  headers: { X-Step: "done" }
                  body: "item {{request.pathParam.id}} is ready"
    """, "seq.yaml")
    s = servers.engine(cfg)
    first = s.request("GET", "/steps/42")
    assert first.status_code == 202
    assert first.headers["Retry-After"] == "1"
    assert first.headers["Content-Type"] == "application/json"
    assert first.json() == {"state": "pending"}
    second = s.request("GET", "/steps/42")
    assert second.status_code == 200
    assert second.headers["X-Step"] == "done"
    assert "Retry-After" not in second.headers
    assert second.text == "item 42 is ready"


def test_sequence_position_shows_in_admin_and_rearms(mockd):
    a = mockd(mocks=[seq_mock("/p", [200, 201, 202])])
    a.hit("/p")
    m = a.ok("GET", "/mocks/seq")
    assert m["http"]["responsesMode"] == "last"
    assert [r["statusCode"] for r in m["http"]["responses"]] == [200, 201, 202]
    assert m["usage"] == {"nextResponse": 1}
    a.hit("/p"), a.hit("/p"), a.hit("/p")
    assert a.ok("GET", "/mocks/seq")["usage"] == {"nextResponse": 2}
    # Resetting verification starts the sequence again.
    a.ok("DELETE", "/verify")
    assert a.hit("/p").status_code == 200


# --------------------------------------------------------------------------- times


def test_times_expires_then_falls_through_to_the_next_mock(serve_mocks):
    fallback = {"id": "fallback", "type": "http", "http": {
        "matcher": {"path": "/t"}, "response": {"statusCode": 200, "body": "fallback"}}}
    s = serve_mocks([limited("/t", 2), fallback])
    assert answers(s, "/t", 4) == [(200, "limited"), (200, "limited"), (200, "fallback"), (200, "fallback")]


def test_times_expired_gives_a_404_whose_near_miss_says_why(serve_mocks):
    s = serve_mocks([limited("/once", 1, mock_id="once")])
    assert s.request("GET", "/once").status_code == 200
    r = s.request("GET", "/once")
    assert r.status_code == 404
    body = r.json()
    assert body["error"] == "no_match"
    [nm] = body["nearMisses"]
    assert nm["mockId"] == "once"
    assert nm["reason"] == (
        "method and path matched, but its times: 1 limit is used up (matched 1 time(s); "
        "reset verification or update the mock to re-arm it)")
    times_field = [f for f in nm["fields"] if f["field"] == "times"]
    assert times_field == [{"field": "times", "matched": False, "score": 0, "maxScore": 0,
                            "expected": "at most 1 match(es)", "actual": "all 1 used"}]


def test_times_with_a_sequence_gives_each_response_once(serve_mocks):
    s = serve_mocks([seq_mock("/ts", [201, 202], times=2)])
    assert [a[0] for a in answers(s, "/ts", 3)] == [201, 202, 404]


def test_concurrent_requests_get_exactly_times_matches(mockd):
    a = mockd("--workers", "4", mocks=[limited("/race", 50, mock_id="race")])
    statuses = []
    lock = threading.Lock()

    def worker():
        session = http_session()
        mine = []
        for _ in range(25):
            mine.append(session.get(f"http://127.0.0.1:{a.port}/race", timeout=10).status_code)
        with lock:
            statuses.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 200
    assert statuses.count(200) == 50
    assert statuses.count(404) == 150
    m = a.ok("GET", "/mocks/race")
    assert m["usage"] == {"timesUsed": 50, "timesRemaining": 0}
    assert a.call_count("race") == 50


def test_admin_shows_remaining_and_put_or_reset_rearms(mockd):
    a = mockd(mocks=[limited("/r", 3, mock_id="r")])
    assert a.ok("GET", "/mocks/r")["usage"] == {"timesUsed": 0, "timesRemaining": 3}
    a.hit("/r"), a.hit("/r")
    assert a.ok("GET", "/mocks/r")["usage"] == {"timesUsed": 2, "timesRemaining": 1}
    listed = [m for m in a.mocks()["mocks"] if m["id"] == "r"]
    assert listed[0]["usage"] == {"timesUsed": 2, "timesRemaining": 1}
    # Toggling off and on keeps the count.
    a.ok("POST", "/mocks/r/toggle")
    a.ok("POST", "/mocks/r/toggle")
    assert a.hit("/r").status_code == 200
    assert a.hit("/r").status_code == 404
    # DELETE /verify re-arms every limited mock.
    a.ok("DELETE", "/verify")
    assert a.ok("GET", "/mocks/r")["usage"]["timesRemaining"] == 3
    for _ in range(3):
        assert a.hit("/r").status_code == 200
    assert a.hit("/r").status_code == 404
    # Clearing the mock's invocations re-arms it too.
    a.ok("DELETE", "/mocks/r/invocations")
    assert a.hit("/r").status_code == 200
    # A PUT is a new definition: fresh count. What GET showed can be sent back as it is.
    doc = a.ok("GET", "/mocks/r")
    assert doc["usage"]["timesUsed"] == 1
    doc["http"]["times"] = 1
    put = a.ok("PUT", "/mocks/r", json=doc)
    assert put["mock"]["http"]["times"] == 1
    assert a.ok("GET", "/mocks/r")["usage"] == {"timesUsed": 0, "timesRemaining": 1}
    assert a.hit("/r").status_code == 200
    assert a.hit("/r").status_code == 404


def test_other_changes_to_the_registry_keep_the_count(mockd):
    a = mockd(mocks=[limited("/k", 2, mock_id="k")])
    assert a.hit("/k").status_code == 200
    a.create({"id": "other", "type": "http", "http": {
        "matcher": {"path": "/other"}, "response": {"statusCode": 200}}})
    assert a.hit("/k").status_code == 200
    assert a.hit("/k").status_code == 404


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("http_extra, field, message", [
    ({"responses": []}, "http.responses",
     "must list at least one response (or use response for a single one)"),
    ({"responses": {"statusCode": 200}}, "http.responses", "must be an array of responses, not an object"),
    ({"responses": [{"statusCode": 200}], "response": {"statusCode": 200}}, "http.responses",
     "cannot be given together with response; put every response of the sequence in responses"),
    ({"responses": [{"statusCode": 200}], "responsesMode": "random"}, "http.responsesMode",
     'must be "last" (repeat the last response) or "cycle" (start again), not "random"'),
    ({"responsesMode": "cycle"}, "http.responsesMode", "needs responses (a response sequence)"),
    ({"times": 0}, "http.times",
     "must be 1 or more, not 0 (to stop a mock from matching, set enabled: false)"),
    ({"times": -2}, "http.times",
     "must be 1 or more, not -2 (to stop a mock from matching, set enabled: false)"),
    ({"times": 1.5}, "http.times", "must be a whole number of matches (1 or more), not 1.5"),
    ({"times": "3"}, "http.times", "must be a whole number of matches (1 or more), not a string"),
])
def test_admin_refuses_bad_input_with_a_clear_400(mockd, http_extra, field, message):
    a = mockd()
    http = {"matcher": {"path": "/bad"}}
    if "responses" not in http_extra and "response" not in http_extra:
        http["response"] = {"statusCode": 200}
    http.update(http_extra)
    r = a.post("/mocks", json={"id": "bad", "type": "http", "http": http})
    assert r.status_code == 400, r.text
    assert r.json() == {"error": "validation_error", "message": f"{field}: {message}",
                        "details": {"field": field}}
    assert a.get("/mocks/bad").status_code == 404


def test_config_load_names_the_file_line_and_field(tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: ok
            type: http
            http:
              matcher: { path: /ok }
              response: { statusCode: 200 }
          - id: bad
            type: http
            http:
              matcher: { path: /bad }
              response: { statusCode: 200 }
              times: 0
    """, "c.yaml")
    r = run_mockd(["engine", "--config", cfg, "--port", "0", "--print-url"], timeout=10)
    assert r.returncode != 0
    assert r.stdout == ""
    line = line_of(cfg, "times: 0")
    assert stderr_lines(r.stderr) == [
        f"mockd: {cfg}:{line}: mocks[1].http.times: must be 1 or more, not 0 "
        "(to stop a mock from matching, set enabled: false)"]


def test_config_load_refuses_an_empty_sequence(tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: empty
            type: http
            http:
              matcher: { path: /e }
              responses: []
    """, "c.yaml")
    r = run_mockd(["engine", "--config", cfg, "--port", "0", "--print-url"], timeout=10)
    assert r.returncode != 0
    line = line_of(cfg, "responses: []")
    assert stderr_lines(r.stderr) == [
        f"mockd: {cfg}:{line}: mocks[0].http.responses: must list at least one response "
        "(or use response for a single one)"]


# --------------------------------------------------------------------------- WireMock stubs


def test_wiremock_stub_with_times_expires(servers, tmp_path):
    s = start_wiremock(servers, make_root(tmp_path / "wm"))
    admin = http_session()
    base = f"http://127.0.0.1:{s.port}/__admin"
    r = admin.post(f"{base}/mappings", json={
        "request": {"method": "GET", "url": "/w"}, "response": {"status": 200, "body": "twice"},
        "times": 2}, timeout=10)
    assert r.status_code == 201, r.text
    assert r.json()["times"] == 2
    stub_id = r.json()["id"]
    assert [s.request("GET", "/w").status_code for _ in range(3)] == [200, 200, 404]
    # PUT is a new definition: armed again.
    r = admin.put(f"{base}/mappings/{stub_id}", json={
        "request": {"method": "GET", "url": "/w"}, "response": {"status": 200}, "times": 1},
        timeout=10)
    assert r.status_code == 200, r.text
    assert [s.request("GET", "/w").status_code for _ in range(2)] == [200, 404]
    bad = admin.post(f"{base}/mappings", json={"request": {"url": "/x"}, "times": 0}, timeout=10)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["source"]["pointer"] == "/times"
