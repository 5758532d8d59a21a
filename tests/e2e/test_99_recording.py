"""Layer 99: WireMock's recorder, seen by real clients.

`/__admin/recordings/start|stop|status|snapshot` and `--record-mappings` on `mockd wiremock`, with
a second `mockd wiremock` as the upstream. The expected stubs and file names were recorded from
the WireMock 3.13.2 jar driving the same traffic to the same upstream.
"""

import json
import re

import pytest

from test_96_wiremock_mode import admin_json, describe, make_root, new_id, wiremock

UPSTREAM_STUBS = [
    {'request': {'method': 'GET', 'url': '/api/items/1'}, 'response': {'status': 200, 'body': '{"id":1,"name":"one"}', 'headers': {'Content-Type': 'application/json', 'X-Up': 'a'}}},
    {'request': {'method': 'GET', 'urlPath': '/api/text'}, 'response': {'status': 201, 'body': 'hello text', 'headers': {'Content-Type': 'text/plain'}}},
    {'request': {'method': 'POST', 'url': '/api/json'}, 'response': {'status': 200, 'body': '{"ok":true}', 'headers': {'Content-Type': 'application/json'}}},
    {'request': {'method': 'POST', 'url': '/api/xml'}, 'response': {'status': 200, 'body': '<ok/>', 'headers': {'Content-Type': 'application/xml'}}},
    {'request': {'method': 'POST', 'url': '/api/form'}, 'response': {'status': 200, 'body': 'form'}},
    {'request': {'method': 'GET', 'url': '/api/bin'}, 'response': {'status': 200, 'base64Body': 'AAECAwQ=', 'headers': {'Content-Type': 'application/octet-stream'}}},
    {'request': {'method': 'GET', 'url': '/api/empty'}, 'response': {'status': 204}},
    {'scenarioName': 'c', 'requiredScenarioState': 'Started', 'newScenarioState': 'two', 'request': {'method': 'GET', 'url': '/api/count'}, 'response': {'status': 200, 'body': 'first'}},
    {'scenarioName': 'c', 'requiredScenarioState': 'two', 'newScenarioState': 'three', 'request': {'method': 'GET', 'url': '/api/count'}, 'response': {'status': 200, 'body': 'second'}},
    {'scenarioName': 'c', 'requiredScenarioState': 'three', 'request': {'method': 'GET', 'url': '/api/count'}, 'response': {'status': 200, 'body': 'third'}},
]

# What WireMock 3.13.2 answered to POST /recordings/stop after `traffic` through it to the same
# upstream (ids, Date and the upstream's Matched-Stub-Id left out), newest first.
JAR_STOP = [
    {'name': 'api_items_1', 'request': {'url': '/api/items/1', 'method': 'GET'}, 'response': {'status': 200, 'body': '{"id":1,"name":"one"}', 'headers': {'X-Up': 'a', 'Content-Type': 'application/json'}}, 'persistent': True, 'scenarioName': 'scenario-1-api-items-1', 'requiredScenarioState': 'scenario-1-api-items-1-2'},
    {'name': 'api_count', 'request': {'url': '/api/count', 'method': 'GET'}, 'response': {'status': 200, 'base64Body': 'dGhpcmQ='}, 'persistent': True, 'scenarioName': 'scenario-2-api-count', 'requiredScenarioState': 'scenario-2-api-count-3'},
    {'name': 'api_count', 'request': {'url': '/api/count', 'method': 'GET'}, 'response': {'status': 200, 'base64Body': 'c2Vjb25k'}, 'persistent': True, 'scenarioName': 'scenario-2-api-count', 'requiredScenarioState': 'scenario-2-api-count-2', 'newScenarioState': 'scenario-2-api-count-3'},
    {'name': 'api_count', 'request': {'url': '/api/count', 'method': 'GET'}, 'response': {'status': 200, 'base64Body': 'Zmlyc3Q='}, 'persistent': True, 'scenarioName': 'scenario-2-api-count', 'requiredScenarioState': 'Started', 'newScenarioState': 'scenario-2-api-count-2'},
    {'name': 'api_empty', 'request': {'url': '/api/empty', 'method': 'GET'}, 'response': {'status': 204}, 'persistent': True},
    {'name': 'api_bin', 'request': {'url': '/api/bin', 'method': 'GET'}, 'response': {'status': 200, 'base64Body': 'AAECAwQ=', 'headers': {'Content-Type': 'application/octet-stream'}}, 'persistent': True},
    {'name': 'api_form', 'request': {'url': '/api/form', 'method': 'POST', 'bodyPatterns': [{'equalTo': 'a=1&b=2', 'caseInsensitive': False}]}, 'response': {'status': 200, 'base64Body': 'Zm9ybQ=='}, 'persistent': True},
    {'name': 'api_xml', 'request': {'url': '/api/xml', 'method': 'POST', 'bodyPatterns': [{'equalToXml': '<q>1</q>'}]}, 'response': {'status': 200, 'body': '<ok/>', 'headers': {'Content-Type': 'application/xml'}}, 'persistent': True},
    {'name': 'api_json', 'request': {'url': '/api/json', 'method': 'POST', 'bodyPatterns': [{'equalToJson': '{"q":[1,2]}', 'ignoreArrayOrder': True, 'ignoreExtraElements': True}]}, 'response': {'status': 200, 'body': '{"ok":true}', 'headers': {'Content-Type': 'application/json'}}, 'persistent': True},
    {'name': 'api_text', 'request': {'urlPath': '/api/text', 'method': 'GET', 'queryParameters': {'a': {'hasExactly': [{'equalTo': '1'}]}, 'b': {'hasExactly': [{'equalTo': 'two'}]}}}, 'response': {'status': 201, 'body': 'hello text', 'headers': {'Content-Type': 'text/plain'}}, 'persistent': True},
    {'name': 'api_items_1', 'request': {'url': '/api/items/1', 'method': 'GET'}, 'response': {'status': 200, 'body': '{"id":1,"name":"one"}', 'headers': {'X-Up': 'a', 'Content-Type': 'application/json'}}, 'persistent': True, 'scenarioName': 'scenario-1-api-items-1', 'requiredScenarioState': 'Started', 'newScenarioState': 'scenario-1-api-items-1-2'},
]


def normalised(stub):
    """A recorded stub without what differs from run to run: ids, Date, the upstream's stub id."""
    s = json.loads(json.dumps(stub))
    for key in ("id", "uuid"):
        s.pop(key, None)
    headers = s["response"].get("headers", {})
    headers.pop("Date", None)
    headers.pop("Matched-Stub-Id", None)
    if not headers:
        s["response"].pop("headers", None)
    return s


@pytest.fixture
def upstream(servers, tmp_path):
    server = wiremock(servers, make_root(tmp_path / "up", {"s.json": {"mappings": UPSTREAM_STUBS}}))
    return server


@pytest.fixture
def root(tmp_path):
    return make_root(tmp_path / "rec")


@pytest.fixture
def wm(servers, root):
    return wiremock(servers, root)


def traffic(server):
    """The requests JAR_STOP was recorded from, oldest first."""
    assert server.get("/api/items/1", headers={"X-Cap": "Val"}).status_code == 200
    assert server.get("/api/text?a=1&b=two").text == "hello text"
    server.post("/api/json", data='{"q":[1,2]}', headers={"Content-Type": "application/json"})
    server.post("/api/xml", data="<q>1</q>", headers={"Content-Type": "text/xml"})
    server.post("/api/form", data="a=1&b=2",
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert server.get("/api/bin").content == b"\x00\x01\x02\x03\x04"
    assert server.get("/api/empty").status_code == 204
    assert [server.get("/api/count").text for _ in range(3)] == ["first", "second", "third"]
    assert server.get("/api/items/1").status_code == 200


def gone(server):
    """Stop the upstream: what follows is served from the recording alone."""
    server.expect_exit = True
    server.kill()


def status(server):
    return admin_json(server, "GET", "/recordings/status")["status"]


# --------------------------------------------------------------------------- record, stop, replay


def test_record_stop_and_replay_with_the_upstream_gone(wm, upstream, root):
    assert status(wm) == "NeverStarted"
    assert admin_json(wm, "POST", "/recordings/start",
                      json={"targetBaseUrl": upstream.base}) == {}
    assert status(wm) == "Recording"
    # The proxy stub WireMock adds: any method, no priority, status 200.
    proxies = admin_json(wm, "GET", "/mappings")["mappings"]
    assert [normalised(m) for m in proxies] == [
        {"request": {"method": "ANY"},
         "response": {"status": 200, "proxyBaseUrl": upstream.base}}]
    traffic(wm)
    result = admin_json(wm, "POST", "/recordings/stop")
    assert status(wm) == "Stopped"
    assert [normalised(m) for m in result["mappings"]] == JAR_STOP
    # The proxy stub is gone; the recorded stubs are live, persisted under WireMock's names.
    live = admin_json(wm, "GET", "/mappings")["mappings"]
    assert sorted(m["id"] for m in live) == sorted(m["id"] for m in result["mappings"])
    files = sorted(p.name for p in (root / "mappings").iterdir())
    assert files == sorted(f"{m['name']}-{m['id']}.json" for m in result["mappings"])

    gone(upstream)
    r = wm.get("/api/items/1")
    assert r.status_code == 200 and r.json() == {"id": 1, "name": "one"}, describe(r)
    assert r.headers["X-Up"] == "a"
    assert wm.get("/api/text?b=two&a=1").text == "hello text"
    assert wm.get("/api/text?a=1").status_code == 404  # hasExactly: every parameter counts
    r = wm.post("/api/json", data='{"q":[2,1],"extra":0}', headers={"Content-Type": "application/json"})
    assert r.json() == {"ok": True}, describe(r)  # ignoreArrayOrder, ignoreExtraElements
    assert wm.get("/api/bin").content == b"\x00\x01\x02\x03\x04"
    # The repeats replay in the order they were recorded, then stay on the last.
    assert [wm.get("/api/count").text for _ in range(4)] == ["first", "second", "third", "third"]


def test_start_twice_and_stop_when_idle(wm, upstream):
    r = wm.post("/__admin/recordings/stop")
    assert r.status_code == 400
    assert r.json() == {"errors": [{"code": 30, "title": "Not currently recording."}]}
    admin_json(wm, "POST", "/recordings/start", json={"targetBaseUrl": upstream.base})
    # Starting again changes nothing: still one proxy stub.
    assert admin_json(wm, "POST", "/recordings/start",
                      json={"targetBaseUrl": "http://127.0.0.1:1"}) == {}
    mappings = admin_json(wm, "GET", "/mappings")["mappings"]
    assert [m["response"]["proxyBaseUrl"] for m in mappings] == [upstream.base]
    assert admin_json(wm, "POST", "/recordings/stop") == {"mappings": []}
    assert status(wm) == "Stopped"
    assert admin_json(wm, "GET", "/mappings")["mappings"] == []


def test_start_without_a_target_records_what_other_proxy_stubs_forward(wm, upstream):
    admin_json(wm, "POST", "/mappings", expect=201, json={
        "request": {"method": "ANY", "urlPattern": "/api/.*"},
        "response": {"proxyBaseUrl": upstream.base}})
    wm.get("/api/items/1")  # before the recording: not part of it
    assert admin_json(wm, "POST", "/recordings/start", json={}) == {}
    wm.get("/api/text?a=1&b=two")
    result = admin_json(wm, "POST", "/recordings/stop", )
    assert [m["name"] for m in result["mappings"]] == ["api_text"]


# --------------------------------------------------------------------------- snapshot


def test_snapshot_with_filters_ids_and_no_persist(wm, upstream, root):
    admin_json(wm, "POST", "/mappings", expect=201, json={
        "request": {"method": "ANY", "urlPattern": "/api/.*"},
        "response": {"proxyBaseUrl": upstream.base}, "priority": 1})
    admin_json(wm, "POST", "/mappings", expect=201, json={
        "request": {"method": "GET", "url": "/local"}, "response": {"body": "mine"}})
    traffic(wm)
    assert wm.get("/local").text == "mine"
    events = admin_json(wm, "GET", "/requests")["requests"]
    text_event = next(e["id"] for e in events if e["request"]["url"].startswith("/api/text"))

    got = admin_json(wm, "POST", "/recordings/snapshot", json={
        "filters": {"urlPattern": "/api/(count|items).*", "method": "GET", "notAField": 1},
        "persist": False, "repeatsAsScenarios": False, "outputFormat": "IDS"})
    ids = got["ids"]
    assert set(got) == {"ids"} and len(ids) == 2  # one per request: the repeats dropped
    stubs = [admin_json(wm, "GET", f"/mappings/{i}") for i in ids]
    assert [s["name"] for s in stubs] == ["api_items_1", "api_count"]
    assert all("persistent" not in s and "scenarioName" not in s for s in stubs)
    # The newest answer of a repeated request is the one kept.
    assert stubs[1]["response"]["base64Body"] == "dGhpcmQ="
    assert list((root / "mappings").iterdir()) == []

    by_id = admin_json(wm, "POST", "/recordings/snapshot",
                       json={"filters": {"ids": [text_event]}, "persist": False})
    assert [m["request"] for m in by_id["mappings"]] == [JAR_STOP[-2]["request"]]

    # Unproxied events count only when asked for.
    local = admin_json(wm, "POST", "/recordings/snapshot",
                       json={"filters": {"url": "/local"}, "persist": False})
    assert local == {"mappings": []}
    local = admin_json(wm, "POST", "/recordings/snapshot", json={
        "filters": {"url": "/local", "allowNonProxied": True}, "persist": False})
    assert [m["response"]["base64Body"] for m in local["mappings"]] == ["bWluZQ=="]  # no type


def test_snapshot_with_an_empty_body_uses_the_defaults(wm, upstream, root):
    admin_json(wm, "POST", "/mappings", expect=201, json={
        "request": {"method": "ANY"}, "response": {"proxyBaseUrl": upstream.base}})
    traffic(wm)
    r = wm.post("/__admin/recordings/snapshot", data="")
    assert r.status_code == 200, describe(r)
    assert [normalised(m) for m in r.json()["mappings"]] == JAR_STOP
    assert len(list((root / "mappings").iterdir())) == len(JAR_STOP)


def test_capture_headers_and_request_body_pattern(wm, upstream):
    admin_json(wm, "POST", "/mappings", expect=201, json={
        "request": {"method": "ANY"}, "response": {"proxyBaseUrl": upstream.base}})
    wm.post("/api/json", data='{"q":1}',
            headers={"Content-Type": "application/json", "X-Cap": "Abc", "x-other": "1"})
    got = admin_json(wm, "POST", "/recordings/snapshot", json={
        "persist": False,
        "captureHeaders": {"x-cap": {}, "X-Other": {"caseInsensitive": True}, "Missing": {}},
        "requestBodyPattern": {"matcher": "equalTo", "caseInsensitive": True}})
    # As the jar records the same request.
    assert got["mappings"][0]["request"] == {
        "url": "/api/json", "method": "POST",
        "headers": {"x-cap": {"equalTo": "Abc"},
                    "X-Other": {"equalTo": "1", "caseInsensitive": True}},
        "bodyPatterns": [{"equalTo": '{"q":1}', "caseInsensitive": True}]}


def test_extract_body_criteria_writes_files_under_wiremocks_names(wm, upstream, root):
    admin_json(wm, "POST", "/mappings", expect=201, json={
        "request": {"method": "ANY"}, "response": {"proxyBaseUrl": upstream.base}})
    traffic(wm)
    got = admin_json(wm, "POST", "/recordings/snapshot", json={
        "extractBodyCriteria": {"textSizeThreshold": "5", "binarySizeThreshold": 0},
        "repeatsAsScenarios": False})
    by_name = {m["name"]: m for m in got["mappings"]}
    # As the jar: text over 5 characters and any binary body go to __files/<name>-<id>.<ext>.
    expected = {"api_items_1": "json", "api_text": "txt", "api_json": "json", "api_form": "txt",
                "api_bin": "txt", "api_count": "txt"}
    for name, ext in expected.items():
        m = by_name[name]
        assert m["response"]["bodyFileName"] == f"{name}-{m['id']}.{ext}", m
        assert "body" not in m["response"] and "base64Body" not in m["response"]
        assert (root / "__files" / m["response"]["bodyFileName"]).is_file()
    assert by_name["api_xml"]["response"]["body"] == "<ok/>"  # five characters stay inline
    assert "bodyFileName" not in by_name["api_empty"]["response"]
    assert (root / "__files" / by_name["api_items_1"]["response"]["bodyFileName"]).read_text() \
        == '{"id":1,"name":"one"}'
    gone(upstream)
    assert wm.get("/api/items/1").json() == {"id": 1, "name": "one"}
    assert wm.get("/api/bin").content == b"\x00\x01\x02\x03\x04"


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("body, pointer, detail", [
    ('{"bogus":1}', "/bogus", 'Unrecognized field "bogus" (class '
     'com.github.tomakehurst.wiremock.recording.RecordSpec), not marked as ignorable'),
    ('{"outputFormat":"XYZ"}', "/outputFormat", "Invalid output format"),
    ('{"persist":"x"}', "/persist", 'Cannot deserialize value of type `java.lang.Boolean` from '
     'String "x": only "true" or "false" recognized'),
    ('{"captureHeaders":{"A":{"bad":1}}}', "/captureHeaders/A/bad", 'Unrecognized field "bad" '
     '(class com.github.tomakehurst.wiremock.recording.CaptureHeadersSpec), not marked as '
     'ignorable'),
    ('{"extractBodyCriteria":{"textSizeThreshold":"abc"}}', "/extractBodyCriteria",
     'Invalid size string: "abc"'),
    ('{"filters":{"ids":["zz"]}}', "/filters/ids/0", 'Cannot deserialize value of type '
     '`java.util.UUID` from String "zz": UUID has to be represented by standard 36-char '
     'representation'),
    ('{"requestBodyPattern":{"matcher":"equalToJson","bogus":1}}', "/requestBodyPattern/bogus",
     'Unrecognized field "bogus" (class com.github.tomakehurst.wiremock.recording.'
     'RequestBodyEqualToJsonPatternFactory), not marked as ignorable'),
    ('{"transformers":"x"}', "/transformers", "Cannot construct instance of `java.util.ArrayList` "
     "(although at least one Creator exists): no String-argument constructor/factory method to "
     "deserialize from String value ('x')"),
    ("[]", "/", "Cannot deserialize value of type `com.github.tomakehurst.wiremock.recording."
     "RecordSpec` from Array value (token `JsonToken.START_ARRAY`)"),
])
@pytest.mark.parametrize("route", ["/recordings/snapshot", "/recordings/start"])
def test_bad_record_specs_get_wiremocks_422(wm, route, body, pointer, detail):
    r = wm.post("/__admin" + route, data=body)
    assert r.status_code == 422, describe(r)
    assert r.json() == {"errors": [{"code": 10, "source": {"pointer": pointer},
                                    "title": "Error parsing JSON", "detail": detail}]}
    assert status(wm) == "NeverStarted"


def test_start_with_no_body_is_refused(wm):
    r = wm.post("/__admin/recordings/start", data="")
    assert r.status_code == 422
    assert r.json()["errors"][0]["detail"] == "No content to map due to end-of-input"
    assert status(wm) == "NeverStarted"


# --------------------------------------------------------------------------- --record-mappings


def test_record_mappings_writes_each_new_exchange(servers, tmp_path, upstream):
    root = make_root(tmp_path / "standalone")
    server = wiremock(servers, root, "--proxy-all", upstream.base, "--record-mappings")
    server.get("/api/items/1")
    server.get("/api/items/1")  # already received: not recorded again
    server.post("/api/json", data='{"a":1}', headers={"Content-Type": "application/json"})
    server.post("/api/form", data="x=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
    server.get("/api/empty")
    server.get("/")
    mappings = sorted(p.name for p in (root / "mappings").iterdir())
    # WireMock's names: mapping-<path parts>-<5-character id>.json, and the body file alike.
    pattern = re.compile(r"mapping-(\(root\)|api-items-1|api-json|api-form|api-empty)-"
                         r"([A-Za-z0-9]{5})\.json")
    assert len(mappings) == 5 and all(pattern.fullmatch(n) for n in mappings), mappings
    for name in mappings:
        stub = json.loads((root / "mappings" / name).read_text())
        parts, short = pattern.fullmatch(name).groups()
        ext = "json" if parts in ("api-items-1", "api-json") else "txt"
        assert stub["response"]["bodyFileName"] == f"body-{parts}-{short}.{ext}"
        assert (root / "__files" / stub["response"]["bodyFileName"]).is_file()
        assert stub["id"] == stub["uuid"] and "persistent" not in stub and "name" not in stub
        assert "Content-Length" not in stub["response"].get("headers", {})
        if parts == "api-json":
            assert stub["request"] == {"url": "/api/json", "method": "POST", "bodyPatterns": [
                {"equalToJson": '{"a":1}', "ignoreArrayOrder": True, "ignoreExtraElements": True}]}
        if parts == "api-form":
            assert stub["request"]["bodyPatterns"] == [{"equalTo": "x=1"}]
    # Files only: the running server still proxies.
    assert len(admin_json(server, "GET", "/mappings")["mappings"]) == 1
    # A restart without the proxy serves what was recorded.
    again = wiremock(servers, root)
    assert again.get("/api/items/1").json() == {"id": 1, "name": "one"}
    assert again.get("/api/empty").status_code == 204


def test_record_mappings_needs_the_journal(servers, tmp_path):
    from conftest import run_mockd
    r = run_mockd(["wiremock", "--port", "0", "--root-dir", str(make_root(tmp_path / "r")),
                   "--proxy-all", "http://127.0.0.1:1", "--record-mappings", "--no-request-journal"])
    assert r.returncode == 2
    assert "--record-mappings needs the request journal" in r.stderr
