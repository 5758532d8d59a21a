"""Layer 25: what comes back (status, headers, bodies, files, delays, 404s, built-ins)."""

import email.utils
import json
import re
import threading
import time
from pathlib import Path

import pytest

from conftest import ISO_Z, http_mock, write_config


def one(mock_id, response, path="/r", method="GET"):
    return http_mock(mock_id, {"method": method, "path": path}, response)


# --------------------------------------------------------------------------- status and headers


def test_status_code_default_200(serve_mocks):
    s = serve_mocks([one("x", {"body": "ok"})])
    r = s.get("/r")
    assert r.status_code == 200
    assert r.text == "ok"


@pytest.mark.parametrize("code", [201, 204, 302, 400, 418, 500, 503])
def test_status_code_as_configured(serve_mocks, code):
    s = serve_mocks([one("x", {"statusCode": code, "body": "" if code == 204 else "b"})])
    r = s.get("/r")
    assert r.status_code == code


def test_custom_headers_and_explicit_content_type_kept(serve_mocks):
    s = serve_mocks([one("x", {
        "statusCode": 200,
        "headers": {"X-Custom": "abc 123", "Content-Type": "text/csv", "Cache-Control": "no-store"},
        "body": "{\"looks\":\"like json\"}",
    })])
    c = s.raw()
    r = c.request(b"GET /r HTTP/1.1\r\nHost: x\r\n\r\n")
    c.close()
    assert r.header("x-custom") == "abc 123"
    assert r.header("cache-control") == "no-store"
    assert [v for k, v in r.header_list if k.lower() == "content-type"] == ["text/csv"]


@pytest.mark.parametrize(
    "body,expected",
    [
        ('{"a":1}', "application/json"),
        ('  [1, 2, 3]\n', "application/json"),
        ("\n {\"x\": [1]} \t", "application/json"),
        ("<note><to>you</to></note>", "application/xml"),
        ("<?xml version=\"1.0\"?><a/>", "application/xml"),
        ("hello world", "text/plain"),
        ("{not closed", "text/plain"),
        ("[1, 2", "text/plain"),
        ("", "text/plain"),
    ],
    ids=["object", "array-trimmed", "object-whitespace", "xml", "xml-decl", "text",
         "open-brace", "open-bracket", "empty"],
)
def test_content_type_sniffed(serve_mocks, body, expected):
    s = serve_mocks([one("x", {"statusCode": 200, "body": body})])
    r = s.get("/r")
    assert r.headers["Content-Type"] == expected
    assert r.content == body.encode()


def test_content_type_sniffed_for_missing_body(serve_mocks):
    s = serve_mocks([one("x", {"statusCode": 200})])
    r = s.get("/r")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/plain"
    assert r.headers["Content-Length"] == "0"
    assert r.content == b""


def test_object_body_is_compact_json(serve_mocks):
    s = serve_mocks([one("x", {"statusCode": 200, "body": {"id": 42, "tags": ["a", "b"], "ok": True,
                                                          "nested": {"n": None, "f": 1.5}}})])
    r = s.get("/r")
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"id": 42, "tags": ["a", "b"], "ok": True, "nested": {"n": None, "f": 1.5}}
    assert b" " not in r.content and b"\n" not in r.content, r.content


def test_array_body_is_compact_json(serve_mocks):
    s = serve_mocks([one("x", {"statusCode": 200, "body": [1, {"a": "b"}, [2]]})])
    r = s.get("/r")
    assert r.content == b'[1,{"a":"b"},[2]]'
    assert r.headers["Content-Type"] == "application/json"


def test_yaml_object_body_served_as_json(serve):
    s = serve("""
        mocks:
          - id: user
            type: http
            http:
              matcher: { method: GET, path: "/u" }
              response:
                statusCode: 200
                body: { id: 42, name: Ada }
    """)
    r = s.get("/u")
    assert r.json() == {"id": 42, "name": "Ada"}
    assert r.content in (b'{"id":42,"name":"Ada"}', b'{"name":"Ada","id":42}')


def test_content_length_and_date_always(serve_mocks):
    s = serve_mocks([
        one("text", {"statusCode": 200, "body": "héllo wörld ✓"}, path="/text"),
        one("empty", {"statusCode": 200, "body": ""}, path="/empty"),
        one("err", {"statusCode": 500, "body": "boom"}, path="/err"),
    ])
    for path in ("/text", "/empty", "/err", "/missing", "/__mockd/health"):
        c = s.raw()
        r = c.request(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        c.close()
        assert r.header("content-length") == str(len(r.body)), (path, r.header_list)
        assert r.header("transfer-encoding") is None, path
        date = r.header("date")
        assert date, f"no Date header on {path}"
        parsed = email.utils.parsedate_to_datetime(date)
        assert abs(parsed.timestamp() - time.time()) < 120, date
        assert date.endswith(" GMT")
    assert s.get("/text").content == "héllo wörld ✓".encode()


# --------------------------------------------------------------------------- bodyFile


def test_body_file_relative_to_config_and_read_per_request(servers, tmp_path):
    cfgdir = tmp_path / "conf"
    (cfgdir / "data").mkdir(parents=True)
    (cfgdir / "data" / "report.json").write_text('{"v":1}')
    (cfgdir / "page.html").write_text("<html>hi</html>")
    cfg = write_config(cfgdir, """
        mocks:
          - id: report
            type: http
            http:
              matcher: { method: GET, path: /report }
              response: { statusCode: 200, bodyFile: data/report.json }
          - id: page
            type: http
            http:
              matcher: { method: GET, path: /page }
              response: { statusCode: 200, bodyFile: page.html, headers: { Content-Type: text/html } }
    """)
    # Start from another working directory: the path must be relative to the config file.
    s = servers.engine(cfg)
    r = s.get("/report")
    assert r.status_code == 200
    assert r.content == b'{"v":1}'
    assert r.headers["Content-Type"] == "application/json"
    (cfgdir / "data" / "report.json").write_text('{"v":2,"more":true}')
    r = s.get("/report")
    assert r.content == b'{"v":2,"more":true}'
    assert r.headers["Content-Length"] == str(len(b'{"v":2,"more":true}'))
    r = s.get("/page")
    assert r.text == "<html>hi</html>"
    assert r.headers["Content-Type"] == "text/html"


def test_body_file_missing_at_request_time_is_502(servers, tmp_path):
    cfgdir = tmp_path / "conf"
    cfgdir.mkdir()
    body = cfgdir / "body.txt"
    body.write_text("here")
    cfg = write_config(cfgdir, """
        mocks:
          - id: f
            type: http
            http:
              matcher: { method: GET, path: /f }
              response: { statusCode: 200, bodyFile: body.txt }
    """)
    s = servers.engine(cfg)
    assert s.get("/f").text == "here"
    body.unlink()
    r = s.get("/f")
    assert r.status_code == 502
    assert r.headers["Content-Type"].startswith("application/json")
    data = r.json()
    assert data["error"] == "body_file_error"
    body.write_text("back")
    assert s.get("/f").text == "back"


@pytest.mark.parametrize("code", [500, 502])
def test_templated_or_file_body_with_a_server_error_status_is_served(servers, tmp_path, code):
    # a stub whose own status is 500 or 502 still sends its body: only a failure replaces it
    cfgdir = tmp_path / "conf"
    cfgdir.mkdir()
    (cfgdir / "oops.txt").write_text("from file")
    cfg = write_config(cfgdir, f"""
        mocks:
          - id: t
            type: http
            http:
              matcher: {{ method: GET, path: /t }}
              response: {{ statusCode: {code}, body: "failed {{{{request.path}}}}" }}
          - id: f
            type: http
            http:
              matcher: {{ method: GET, path: /f }}
              response: {{ statusCode: {code}, bodyFile: oops.txt }}
    """)
    s = servers.engine(cfg)
    r = s.get("/t")
    assert r.status_code == code and r.text == "failed /t"
    r = s.get("/f")
    assert r.status_code == code and r.text == "from file"


# --------------------------------------------------------------------------- delay


def test_delay_does_not_block_other_connections(serve_mocks):
    s = serve_mocks([
        one("slow", {"statusCode": 200, "body": "slow", "delayMs": 2000}, path="/slow"),
        one("fast", {"statusCode": 200, "body": "fast"}, path="/fast"),
    ], "--workers", "1")
    result = {}

    def slow():
        t0 = time.monotonic()
        r = s.get("/slow")
        result["slow"] = (r.status_code, r.text, time.monotonic() - t0)

    th = threading.Thread(target=slow)
    t0 = time.monotonic()
    th.start()
    # Wait until the slow request is surely on the wire, but not nearly done.
    time.sleep(0.2)
    c = s.raw()
    t1 = time.monotonic()
    r = c.request(b"GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
    fast_elapsed = time.monotonic() - t1
    c.close()
    assert (r.status, r.body) == (200, b"fast")
    assert fast_elapsed < 0.5, f"parallel request took {fast_elapsed:.2f}s"
    assert time.monotonic() - t0 < 1.5, "fast answer came only after the delay"
    th.join(10)
    status, text, elapsed = result["slow"]
    assert (status, text) == (200, "slow")
    assert 2.0 <= elapsed < 4.0, elapsed


def test_many_parallel_delays_overlap(serve_mocks):
    s = serve_mocks([one("slow", {"statusCode": 200, "body": "z", "delayMs": 1000}, path="/slow")],
                    "--workers", "1")
    conns = [s.raw() for _ in range(8)]
    t0 = time.monotonic()
    for c in conns:
        c.send(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    for c in conns:
        r = c.read_response()
        assert (r.status, r.body) == (200, b"z")
        c.close()
    elapsed = time.monotonic() - t0
    assert 1.0 <= elapsed < 2.5, f"8 parallel 1 s delays took {elapsed:.2f}s"


# --------------------------------------------------------------------------- 404 and near misses


NEAR_MOCKS = [
    http_mock("get-hello", {"method": "GET", "path": "/hello"}, name="Hello"),
    http_mock("unnamed", {"method": "POST", "path": "/other"}),
]


def test_unmatched_404_body_and_headers(serve_mocks):
    s = serve_mocks(NEAR_MOCKS)
    c = s.raw()
    r = c.request(b"POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    c.close()
    assert r.status == 404
    assert r.header("content-type") == "application/json"
    data = r.json()
    assert int(r.header("x-mockd-near-misses")) == len(data["nearMisses"])
    # top-level keys in alphabetical order
    top_keys = list(json.loads(r.body, object_pairs_hook=lambda kv: kv))
    assert [k for k, _ in top_keys] == ["error", "message", "method", "nearMisses", "path"]
    assert data["error"] == "no_match"
    assert data["message"] == "No mock matched the request"
    assert data["method"] == "POST"
    assert data["path"] == "/hello"
    best = data["nearMisses"][0]
    assert best["mockId"] == "get-hello"
    assert best["mockName"] == "Hello"
    assert best["score"] == 15
    assert best["maxPossibleScore"] == 25
    assert best["matchPercentage"] == 60
    assert best["reason"] == 'path matched, but method expected "GET", got "POST"'
    fields = {f["field"]: f for f in best["fields"]}
    assert fields["method"] == {"field": "method", "matched": False, "score": 0, "maxScore": 10,
                                "expected": "GET", "actual": "POST"}
    assert fields["path"] == {"field": "path", "matched": True, "score": 15, "maxScore": 15,
                              "expected": "/hello", "actual": "/hello"}
    other = [m for m in data["nearMisses"] if m["mockId"] == "unnamed"]
    assert other, data
    assert "mockName" not in other[0]
    assert other[0]["score"] == 10


def test_near_miss_field_keys_order(serve_mocks):
    s = serve_mocks(NEAR_MOCKS)
    r = s.post("/hello")
    miss = json.loads(r.content, object_pairs_hook=lambda kv: kv)
    near = dict(miss)["nearMisses"][0]
    assert [k for k, _ in near] == ["mockId", "mockName", "score", "maxPossibleScore",
                                    "matchPercentage", "fields", "reason"]
    field = dict(dict(near)["fields"][0])
    assert list(field)[:4] == ["field", "matched", "score", "maxScore"]


def test_near_misses_at_most_three_best_first(serve_mocks):
    mocks = [
        http_mock("m1", {"method": "GET", "path": "/a", "headers": {"X-A": "1"}}),
        http_mock("m2", {"method": "GET", "path": "/x/y"}),
        http_mock("m3", {"method": "GET", "path": "/x/{id}", "queryParams": {"q": "1"}}),
        http_mock("m4", {"method": "GET", "path": "/x/*", "headers": {"X-B": "2"}}),
        http_mock("m5", {"method": "POST", "path": "/zzz"}),
        http_mock("m6", {"method": "GET", "path": "/nothing/in/common"}),
    ]
    s = serve_mocks(mocks)
    r = s.get("/x/y?q=2")
    # m2 is an exact match, so use a request that matches none fully:
    assert r.status_code == 200
    r = s.post("/x/y?q=2")
    assert r.status_code == 404
    data = r.json()
    misses = data["nearMisses"]
    assert len(misses) == 3  # m2, m3, m4 and m5 partly match; only the best 3 are listed
    assert r.headers["X-Mockd-Near-Misses"] == str(len(misses))
    scores = [m["score"] for m in misses]
    assert scores == sorted(scores, reverse=True), scores
    assert misses[0]["mockId"] == "m2"  # exact path 15 is the best partial score
    assert misses[1]["mockId"] == "m3"  # params 12
    assert "m6" not in [m["mockId"] for m in misses]
    for m in misses:
        assert m["matchPercentage"] == round(m["score"] * 100 / m["maxPossibleScore"]), m


def test_no_near_misses_key_when_nothing_partly_matches(serve_mocks):
    s = serve_mocks([http_mock("g", {"method": "GET", "path": "/only"})])
    r = s.request("DELETE", "/elsewhere")
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/json"
    data = r.json()
    assert "nearMisses" not in data
    assert data == {"error": "no_match", "message": "No mock matched the request",
                    "method": "DELETE", "path": "/elsewhere"}
    assert r.headers.get("X-Mockd-Near-Misses") == "0"


def test_near_miss_field_names(serve_mocks):
    s = serve_mocks([
        http_mock("all", {
            "method": "PUT", "pathPattern": "^/f/", "headers": {"X-H": "1"},
            "queryParams": {"q": "1"}, "bodyEquals": "eq", "bodyContains": "co",
            "bodyPattern": "pa+t", "bodyJsonPath": {"$.a": 1},
        }),
        http_mock("exact", {"method": "PUT", "path": "/f/x", "bodyContains": "nope"}),
    ])
    r = s.request("PUT", "/f/x?q=1", headers={"X-H": "1"}, data=b'{"a":2}')
    assert r.status_code == 404
    misses = {m["mockId"]: m for m in r.json()["nearMisses"]}
    names = [f["field"] for f in misses["all"]["fields"]]
    assert set(names) == {"method", "pathPattern", "headers", "queryParams", "bodyEquals",
                          "bodyContains", "bodyPattern", "bodyJSONPath"}, names
    fields = {f["field"]: f for f in misses["all"]["fields"]}
    assert fields["method"]["matched"] and fields["pathPattern"]["matched"]
    assert fields["headers"]["matched"] and fields["queryParams"]["matched"]
    assert not fields["bodyEquals"]["matched"] and not fields["bodyJSONPath"]["matched"]
    assert misses["all"]["score"] == 10 + 14 + 10 + 5
    assert misses["all"]["maxPossibleScore"] == 10 + 14 + 10 + 5 + 25 + 20 + 22 + 15
    assert {f["field"] for f in misses["exact"]["fields"]} == {"method", "path", "bodyContains"}
    assert misses["exact"]["score"] == 25


# --------------------------------------------------------------------------- built-ins


HEALTH_RX = re.compile(rb'^\{"status":"healthy","timestamp":"([^"]+)"\}\n$')


def test_builtin_mockd_health_always_wins(serve_mocks):
    s = serve_mocks([
        http_mock("steal", {"path": "/__mockd/health"}, {"statusCode": 500, "body": "mine"}),
        http_mock("catchall", {"path": "/*"}, {"statusCode": 500, "body": "all"}),
    ])
    r = s.get("/__mockd/health")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    m = HEALTH_RX.match(r.content)
    assert m, r.content
    assert ISO_Z.match(m.group(1).decode()), m.group(1)


def test_builtin_mockd_ready_counts_mocks(serve_mocks):
    s = serve_mocks([
        http_mock("a", {"method": "GET", "path": "/a"}),
        http_mock("b", {"method": "GET", "path": "/b"}),
        http_mock("c", {"method": "GET", "path": "/c"}),
    ])
    r = s.get("/__mockd/ready")
    assert r.status_code == 200
    assert r.content == b'{"checks":{"mocks":{"count":3,"status":"ok"}},"status":"ready"}\n'


def test_plain_health_and_ready_when_no_mock_matches(serve_mocks):
    s = serve_mocks([http_mock("a", {"method": "GET", "path": "/a"})])
    r = s.get("/health")
    assert r.status_code == 200
    assert HEALTH_RX.match(r.content), r.content
    r = s.get("/ready")
    assert r.status_code == 200
    assert r.content == b'{"checks":{"mocks":{"count":1,"status":"ok"}},"status":"ready"}\n'


def test_user_mock_on_health_and_ready_wins(serve_mocks):
    s = serve_mocks([
        http_mock("h", {"method": "GET", "path": "/health"}, {"statusCode": 200, "body": "user health"}),
        http_mock("r", {"method": "GET", "path": "/ready"}, {"statusCode": 503, "body": "not yet"}),
    ])
    assert s.get("/health").text == "user health"
    r = s.get("/ready")
    assert (r.status_code, r.text) == (503, "not yet")
    assert HEALTH_RX.match(s.get("/__mockd/health").content)


def test_engine_has_no_admin_api(serve_mocks):
    s = serve_mocks([http_mock("a", {"method": "GET", "path": "/a"})])
    for path in ("/__admin/health", "/mocks"):
        r = s.get(path)
        assert r.status_code == 404, path
        assert r.json()["error"] == "no_match", path
