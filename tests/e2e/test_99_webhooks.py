"""Layer 99: WireMock webhooks (`serveEventListeners` and legacy `postServeActions`) hitting a
local receiver: templated with `originalRequest` and `parameters`, delayed, fired after the
answer without holding it up, and journaled as WireMock's sub-events.
"""

import http.server
import json
import threading
import time

import pytest

from conftest import wait_for
from test_96_wiremock_mode import admin_json, describe, make_root, new_id, wiremock


class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    got = []
    slow = 0.0
    reply = b"done"

    def _any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if Receiver.slow:
            time.sleep(Receiver.slow)
        Receiver.got.append({"method": self.command, "path": self.path,
                             "headers": list(self.headers.items()), "body": body,
                             "at": time.monotonic()})
        self.send_response(202)
        self.send_header("Content-Length", str(len(Receiver.reply)))
        self.send_header("X-Receiver", "r")
        self.end_headers()
        self.wfile.write(Receiver.reply)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.got, Receiver.slow, Receiver.reply = [], 0.0, b"done"
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def wm(servers, tmp_path):
    return wiremock(servers, make_root(tmp_path / "wm"))


def hooked(url, *hooks, field="serveEventListeners", **response):
    stub = {"id": new_id(), "request": {"method": "ANY", "urlPath": url},
            "response": {"status": 200, "body": "answered", **response}}
    stub[field] = [{"name": "webhook", "parameters": h} for h in hooks]
    return stub


def arrivals(n, timeout=5):
    return wait_for(lambda: Receiver.got if len(Receiver.got) >= n else None, timeout,
                    f"{n} webhook request(s)")


def test_templated_webhook(wm, receiver):
    admin_json(wm, "POST", "/mappings", expect=201, json=hooked("/order", {
        "method": "{{originalRequest.headers.X-Method}}",
        "url": receiver + "/callback/{{originalRequest.query.id}}",
        "headers": {"Content-Type": "application/json", "X-Id": "{{originalRequest.query.id}}",
                    "X-Multi": ["a", "{{parameters.extra}}"]},
        "body": '{"name": "{{jsonPath originalRequest.body \'$.name\'}}", "p": "{{parameters.extra}}"}',
        "extra": "E1"}))
    r = wm.post("/order?id=42", json={"name": "ada"}, headers={"X-Method": "PUT"})
    assert r.status_code == 200 and r.text == "answered", describe(r)
    [got] = arrivals(1)
    assert got["method"] == "PUT" and got["path"] == "/callback/42"
    headers = got["headers"]
    assert ("X-Id", "42") in headers and ("Content-Type", "application/json") in headers
    assert [v for k, v in headers if k == "X-Multi"] == ["a", "E1"]
    assert json.loads(got["body"]) == {"name": "ada", "p": "E1"}


@pytest.mark.parametrize("form", ["list", "object"])
def test_legacy_post_serve_actions(wm, receiver, form):
    params = {"method": "POST", "url": receiver + "/legacy", "body": "{{originalRequest.path}}"}
    stub = hooked("/legacy-" + form, params, field="postServeActions")
    if form == "object":
        stub["postServeActions"] = {"webhook": params}  # WireMock 2's form
    admin_json(wm, "POST", "/mappings", expect=201, json=stub)
    wm.get("/legacy-" + form)
    [got] = arrivals(1)
    assert got["path"] == "/legacy" and got["body"] == f"/legacy-{form}".encode()


def test_fixed_delay_and_a_slow_receiver_never_hold_the_answer(wm, receiver):
    Receiver.slow = 1.0
    admin_json(wm, "POST", "/mappings", expect=201, json=hooked("/later", {
        "method": "POST", "url": receiver + "/late", "body": "x",
        "delay": {"type": "fixed", "milliseconds": 500}}))
    t0 = time.monotonic()
    r = wm.get("/later")
    answered = time.monotonic() - t0
    assert r.text == "answered"
    assert answered < 0.5, answered  # neither the delay nor the slow receiver shows here
    [got] = arrivals(1, timeout=10)
    assert got["at"] - t0 >= 0.5


def test_body_binary_and_bodyless_methods(wm, receiver):
    admin_json(wm, "POST", "/mappings", expect=201, json=hooked(
        "/kinds",
        {"method": "POST", "url": receiver + "/b64", "base64Body": "aGVsbG8="},
        {"method": "GET", "url": receiver + "/get", "body": "not sent with GET"}))
    wm.get("/kinds")
    got = {g["path"]: g for g in arrivals(2)}
    assert got["/b64"]["body"] == b"hello"
    assert got["/get"]["body"] == b"" and "Content-Length" not in dict(got["/get"]["headers"])


def test_journal_has_webhook_sub_events(wm, receiver):
    stub = hooked("/logged", {"method": "POST", "url": receiver + "/ok", "body": "b"},
                  {"method": "POST", "url": "http://127.0.0.1:1/refused"})
    admin_json(wm, "POST", "/mappings", expect=201, json=stub)
    wm.get("/logged")
    arrivals(1)

    def subs():
        event = admin_json(wm, "GET", "/requests")["requests"][0]
        types = sorted(s["type"] for s in event["subEvents"])
        return event["subEvents"] if types == ["ERROR", "WEBHOOK_REQUEST", "WEBHOOK_REQUEST",
                                               "WEBHOOK_RESPONSE"] else None
    events = wait_for(subs, 5, "the webhook sub-events")
    by = {}
    for s in events:
        by.setdefault(s["type"], []).append(s["data"])
    ok = next(d for d in by["WEBHOOK_REQUEST"] if d["url"] == "/ok")
    assert ok["method"] == "POST" and ok["body"] == "b" and ok["absoluteUrl"] == receiver + "/ok"
    assert by["WEBHOOK_RESPONSE"][0]["status"] == 202
    assert by["WEBHOOK_RESPONSE"][0]["body"] == "done"
    assert by["WEBHOOK_RESPONSE"][0]["headers"]["X-Receiver"] == "r"
    assert by["ERROR"][0]["message"] == (
        "Failed to fire webhook POST http://127.0.0.1:1/refused: "
        "Connect to http://127.0.0.1:1 failed: Connection refused")


def test_bytes_that_are_not_utf8_reach_the_journal_as_replacement_characters(wm, receiver):
    # A receiver answering with bytes that are not UTF-8, and a webhook body made from a
    # request body that is not UTF-8: both are journaled (U+FFFD for each bad byte).
    Receiver.reply = b"ok\xff\xfe"
    stub = hooked("/binary", {"method": "POST", "url": receiver + "/bin",
                              "body": "{{originalRequest.body}}"})
    admin_json(wm, "POST", "/mappings", expect=201, json=stub)
    r = wm.post("/binary", data=b"in\xc3")
    assert r.status_code == 200
    assert arrivals(1)[0]["body"] == b"in\xc3"

    def subs():
        event = admin_json(wm, "GET", "/requests")["requests"][0]
        types = sorted(s["type"] for s in event.get("subEvents", []))
        return event["subEvents"] if types == ["WEBHOOK_REQUEST", "WEBHOOK_RESPONSE"] else None
    events = {s["type"]: s["data"] for s in wait_for(subs, 5, "the webhook sub-events")}
    assert events["WEBHOOK_RESPONSE"]["body"] == "ok\ufffd\ufffd"
    assert events["WEBHOOK_REQUEST"]["body"] == "in\ufffd"
    assert wm.get("/__admin/health").status_code == 200


def test_broken_webhook_template_leaves_the_stub_answering(wm, receiver):
    admin_json(wm, "POST", "/mappings", expect=201, json=hooked("/broken", {
        "method": "POST", "url": receiver + "/{{#if}}"}))
    r = wm.get("/broken")
    assert r.status_code == 200 and r.text == "answered"
    event = wait_for(lambda: [s for s in admin_json(wm, "GET", "/requests")["requests"][0]["subEvents"]
                              if s["type"] == "ERROR"], 5, "the ERROR sub-event")
    assert "configuring webhook" in event[0]["data"]["message"]
    assert Receiver.got == []


def test_webhook_stub_is_echoed_as_written(wm, receiver):
    stub = hooked("/echoed", {"method": "POST", "url": receiver, "extra": {"k": [1, 2]}})
    created = admin_json(wm, "POST", "/mappings", expect=201, json=stub)
    assert created["serveEventListeners"] == stub["serveEventListeners"]


def test_non_list_listeners_are_rejected(wm):
    r = wm.post("/__admin/mappings", json={"request": {"url": "/x"}, "response": {},
                                           "serveEventListeners": "webhook"})
    assert r.status_code == 422, describe(r)


def test_a_proxy_stub_fires_its_webhooks_too(wm, receiver):
    stub = hooked("/proxied-hook", {"method": "POST", "url": receiver + "/after-proxy",
                                    "body": "{{originalRequest.path}}"})
    stub["response"] = {"proxyBaseUrl": receiver}
    admin_json(wm, "POST", "/mappings", expect=201, json=stub)
    r = wm.get("/proxied-hook")
    assert r.status_code == 202 and r.text == "done", describe(r)  # the receiver answered
    got = {g["path"]: g for g in arrivals(2)}
    assert got["/after-proxy"]["body"] == b"/proxied-hook"
