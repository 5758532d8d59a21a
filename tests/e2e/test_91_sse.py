"""Layer 91: server-sent events and chunked streams (`http.sse`, `http.chunked`), read with
`requests` streaming and `curl -N` as an app's client would, against mockd's behaviour
(reference: mockd-streaming-graphql.md §1-2) with its bugs fixed where its docs promise more:
a keep-alive does not restart the wait for the next event, a generator stops at its count, a
simulated disconnect is a broken stream, one request-log entry and one call per stream.
"""

import socket
import subprocess
import threading
import time

import pytest
import requests

from conftest import wait_for
from test_60_admin_helpers import Admin, hm, mockd  # noqa: F401


def sse_mock(path, sse, mock_id=None, method="GET"):
    mock = {"type": "http", "http": {"matcher": {"method": method, "path": path}, "sse": sse}}
    if mock_id:
        mock["id"] = mock_id
    return mock


def read_events(resp):
    """Every event of a finished stream as dicts of its fields (comments under ':')."""
    events, current = [], {}
    for raw in resp.iter_lines(chunk_size=1, decode_unicode=False):
        line = raw.decode()
        if line == "":
            if current:
                events.append(current)
            current = {}
            continue
        field, _, value = line.partition(":")
        current.setdefault(field, []).append(value)
    return events


def stream(a, path, headers=None, timeout=10):
    return requests.get(f"http://127.0.0.1:{a.port}{path}", stream=True, headers=headers or {},
                        timeout=timeout)


TICKER = {"events": [{"id": "1", "type": "price", "data": {"sym": "ACME", "px": 10.5}},
                     {"id": "2", "type": "price", "data": "beta", "comment": "tick"},
                     {"id": "3", "data": "gamma"},
                     {"id": "4", "data": "delta"}],
          "timing": {"fixedDelay": 20},
          "resume": {"enabled": True, "bufferSize": 10}}


def test_events_arrive_in_order_with_their_fields_and_the_stream_ends_cleanly(mockd):
    a = mockd(mocks=[sse_mock("/ticker", TICKER, "ticker")])
    r = stream(a, "/ticker")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/event-stream"
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.headers["Transfer-Encoding"] == "chunked"
    events = read_events(r)  # a broken stream would raise here
    assert events[0] == {"retry": ["3000"]}  # the preamble comes first, always
    assert events[1] == {"event": ["price"], "id": ["1"], "data": ['{"px":10.5,"sym":"ACME"}']}
    assert events[2] == {"": ["tick"], "event": ["price"], "id": ["2"], "data": ["beta"]}
    assert [e["data"] for e in events[3:]] == [["gamma"], ["delta"]]


def test_last_event_id_resumes_after_that_event(mockd):
    a = mockd(mocks=[sse_mock("/ticker", TICKER)])
    events = read_events(stream(a, "/ticker", {"Last-Event-ID": "2"}))
    assert [e["data"] for e in events[1:]] == [["gamma"], ["delta"]]
    # Without resume the header changes nothing.
    a.create(sse_mock("/plain", {"events": TICKER["events"]}))
    events = read_events(stream(a, "/plain", {"Last-Event-ID": "2"}))
    assert len(events) == 5


def test_a_keepalive_does_not_restart_the_wait_for_a_slower_event(mockd):
    # mockd restarts its wait at every keep-alive, so this event never comes there.
    a = mockd(mocks=[sse_mock("/slow", {"events": [{"data": "late", "delay": 6500}],
                                        "lifecycle": {"keepaliveInterval": 5}})])
    started = time.monotonic()
    events = read_events(stream(a, "/slow", timeout=15))
    took = time.monotonic() - started
    assert {"": [" keepalive"]} in events
    assert events[-1] == {"data": ["late"]}
    assert 6.0 <= took < 12, took


def test_generators_templates_and_request_data_in_events(mockd):
    a = mockd(mocks=[
        sse_mock("/count", {"generator": {"type": "sequence", "count": 4,
                                          "sequence": {"start": 1, "increment": 2,
                                                       "format": "n=%d"}},
                            "lifecycle": {"maxEvents": 3,
                                          "termination": {"finalEvent": {"type": "end",
                                                                         "data": "bye"}}}}),
        sse_mock("/hello", {"events": [{"data": {"greeting": "hi {{request.query.name}}"}}]}),
    ])
    events = read_events(stream(a, "/count"))
    assert [e["data"] for e in events[1:]] == [["n=1"], ["n=3"], ["n=5"], ["bye"]]
    assert [e.get("id") for e in events[1:4]] == [["1"], ["3"], ["5"]]
    assert events[-1]["event"] == ["end"]
    events = read_events(stream(a, "/hello?name=Ada"))
    assert events[1]["data"] == ['{"greeting":"hi Ada"}']


def test_openai_chat_template_read_with_curl(mockd):
    a = mockd(mocks=[sse_mock("/v1/chat/completions", {
        "template": "openai-chat",
        "templateParams": {"tokens": ["Hi", " there"], "delayPerToken": 10}}, method="POST")])
    out = subprocess.run(["curl", "-sN", "-X", "POST", "-d", "{}",
                          f"http://127.0.0.1:{a.port}/v1/chat/completions"],
                         capture_output=True, text=True, timeout=20, check=True).stdout
    data = [line[5:] for line in out.splitlines() if line.startswith("data:")]
    assert data[-1] == "[DONE]" and len(data) == 3, out
    assert '"content":"Hi"' in data[0] and '"finish_reason":null' in data[0]
    assert '"finish_reason":"stop"' in data[1] and '"object":"chat.completion.chunk"' in data[1]


def test_admin_lists_and_closes_streams_and_logs_one_entry_each(mockd):
    a = mockd(mocks=[sse_mock("/feed", {"events": [{"data": "x", "delay": 60000}]}, "feed"),
                     sse_mock("/other", {"events": [{"data": "y", "delay": 60000}]}, "other")])
    feed = stream(a, "/feed", timeout=20)
    other = stream(a, "/other", timeout=20)
    listed = wait_for(lambda: (lambda j: j if j["stats"]["activeConnections"] == 2 else None)(
        a.ok("GET", "/sse/connections")), 5, "two open streams")
    by_mock = {c["mockId"]: c for c in listed["connections"]}
    assert by_mock["feed"]["path"] == "/feed" and by_mock["feed"]["status"] == "active"
    assert listed["stats"]["connectionsByMock"] == {"feed": 1, "other": 1}
    one = a.ok("GET", f"/mocks/feed/sse/connections")
    assert one["count"] == 1 and one["mockId"] == "feed"
    assert a.call("GET", "/mocks/ghost/sse/connections").status_code == 404
    cid = by_mock["feed"]["id"]
    assert a.ok("GET", f"/sse/connections/{cid}")["mockId"] == "feed"
    closed = a.ok("DELETE", f"/sse/connections/{cid}")
    assert closed["message"] == "Connection closed"
    assert read_events(feed) == [{"retry": ["3000"]}]  # ended cleanly, no final event
    assert a.call("GET", f"/sse/connections/{cid}").status_code == 404
    # Updating a mock ends its streams, and only its own.
    updated = sse_mock("/feed", {"events": [{"data": "new"}]}, "feed")
    a.ok("PUT", "/mocks/feed", json=updated)
    wait_for(lambda: a.ok("GET", "/sse/stats")["activeConnections"] == 1, 5, "one stream left")
    assert a.ok("GET", "/mocks/other/sse/connections")["count"] == 1
    assert a.ok("DELETE", "/mocks/other/sse/connections")["closed"] == 1
    read_events(other)
    # One entry and one call per stream, whatever it sent.
    assert a.call_count("feed") == 1
    log = a.log(protocol="sse")["requests"]
    assert {e["matchedMockID"] for e in log} == {"feed", "other"}
    entry = next(e for e in log if e["matchedMockID"] == "feed")
    assert entry["sse"]["status"] == "closed" and entry["sse"]["endedBy"] == "api"


def test_the_stream_limit_answers_503(mockd):
    a = mockd("--max-sse-connections", "1",
              mocks=[sse_mock("/feed", {"events": [{"data": "x", "delay": 60000}]})])
    first = stream(a, "/feed", timeout=20)
    wait_for(lambda: a.ok("GET", "/sse/stats")["activeConnections"] == 1, 5, "the first stream")
    second = requests.get(f"http://127.0.0.1:{a.port}/feed", timeout=5)
    assert second.status_code == 503
    assert second.text == "sse: maximum connections reached\n"
    assert a.ok("GET", "/sse/stats")["connectionErrors"] == 1
    first.close()


def test_simulated_disconnect_breaks_the_stream(mockd):
    a = mockd(mocks=[sse_mock("/flaky", {"events": [{"data": str(i)} for i in range(5)],
                                         "lifecycle": {"simulateDisconnect": 2}})])
    r = stream(a, "/flaky")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        read_events(r)


def test_rate_limit_waits_and_drops(mockd):
    events = [{"data": str(i)} for i in range(6)]
    a = mockd(mocks=[
        sse_mock("/wait", {"events": events, "rateLimit": {"eventsPerSecond": 20, "burstSize": 1,
                                                           "headers": True}}),
        sse_mock("/drop", {"events": events, "rateLimit": {"eventsPerSecond": 1, "burstSize": 2,
                                                           "strategy": "drop"}}),
    ])
    started = time.monotonic()
    r = stream(a, "/wait")
    assert r.headers["X-RateLimit-Limit"] == "20" and r.headers["X-RateLimit-Remaining"] == "1"
    assert len(read_events(r)) == 7
    assert time.monotonic() - started >= 0.2  # 5 events waited 50 ms each
    assert [e["data"] for e in read_events(stream(a, "/drop"))[1:]] == [["0"], ["1"]]


def test_chunked_and_ndjson_streams(mockd, tmp_path):
    a = mockd(mocks=[
        {"type": "http", "http": {"matcher": {"method": "GET", "path": "/bytes"},
                                  "chunked": {"data": "0123456789abcdef", "chunkSize": 4,
                                              "chunkDelay": 30}}},
        {"type": "http", "http": {"matcher": {"method": "GET", "path": "/items"},
                                  "chunked": {"format": "ndjson",
                                              "ndjsonItems": [{"id": 1}, {"id": 2, "s": "ok"}]}}},
    ])
    started = time.monotonic()
    r = requests.get(f"http://127.0.0.1:{a.port}/bytes", stream=True, timeout=10)
    pieces = list(r.raw.read_chunked(decode_content=False))
    assert pieces == [b"0123", b"4567", b"89ab", b"cdef"]
    assert time.monotonic() - started >= 0.09
    assert r.headers["Content-Type"] == "application/octet-stream"
    r = requests.get(f"http://127.0.0.1:{a.port}/items", timeout=10)
    assert r.headers["Content-Type"] == "application/x-ndjson"
    assert r.text == '{"id":1}\n{"id":2,"s":"ok"}\n'


def test_bad_stream_configs_are_one_clear_error(mockd):
    a = mockd()
    r = a.post("/mocks", json=sse_mock("/x", {"events": [{"data": "x"}],
                                              "lifecycle": {"keepaliveInterval": 2}}))
    assert r.status_code == 400, r.text
    assert "keepaliveInterval" in r.text and ">= 5 seconds" in r.text
    r = a.post("/mocks", json={"type": "http", "http": {
        "matcher": {"path": "/x"}, "response": {"statusCode": 200},
        "sse": {"events": [{"data": "x"}]}}})
    assert r.status_code == 400 and "only one of response" in r.text, r.text
    # Created and read back as written.
    made = a.create(sse_mock("/ok", TICKER, "ok"))
    back = a.ok("GET", "/mocks/ok")
    assert back["http"]["sse"]["events"][1]["comment"] == "tick"
    assert back["http"]["sse"]["resume"]["enabled"] is True
    assert made["id"] == "ok"


def test_the_resume_buffer_resumes_shows_and_clears(mockd):
    # mockd keeps a fixed 100-event buffer it never consults and answers 501 on its routes; ours
    # holds resume.bufferSize events, resumes by it and shows it.
    counting = {"generator": {"type": "sequence", "count": 6,
                              "sequence": {"start": 1, "increment": 2}},
                "resume": {"enabled": True, "bufferSize": 3}}
    unnamed = {"events": [{"data": "a"}, {"data": "b"}, {"data": "c"}],
               "resume": {"enabled": True, "bufferSize": 5, "maxAge": 1}}
    a = mockd(mocks=[sse_mock("/count", counting, "count"), sse_mock("/abc", unnamed, "abc"),
                     {"id": "plain", "type": "http", "http": {"matcher": {"path": "/p"},
                                                              "response": {"body": "x"}}}])
    events = read_events(stream(a, "/count"))
    assert [e["id"] for e in events[1:]] == [["1"], ["3"], ["5"], ["7"], ["9"], ["11"]]
    buf = a.ok("GET", "/mocks/count/sse/buffer")
    assert (buf["enabled"], buf["bufferSize"], buf["count"]) == (True, 3, 3)
    assert [(e["id"], e["data"], e["position"]) for e in buf["events"]] == [
        ("7", "7", 4), ("9", "9", 5), ("11", "11", 6)]
    events = read_events(stream(a, "/count", {"Last-Event-ID": "9"}))
    assert [e["data"] for e in events[1:]] == [["11"]]
    assert a.ok("DELETE", "/mocks/count/sse/buffer") == {
        "message": "Buffer cleared", "cleared": 3, "mockId": "count"}
    assert a.ok("GET", "/mocks/count/sse/buffer")["count"] == 0
    # Events without ids are sent with their place in the list, and resume by it.
    events = read_events(stream(a, "/abc"))
    assert [(e["id"], e["data"]) for e in events[1:]] == [(["1"], ["a"]), (["2"], ["b"]),
                                                          (["3"], ["c"])]
    events = read_events(stream(a, "/abc", {"Last-Event-ID": "2"}))
    assert [e["data"] for e in events[1:]] == [["c"]]
    assert a.ok("GET", "/mocks/abc/sse/buffer")["count"] == 4
    time.sleep(1.2)  # maxAge: 1 second
    assert a.ok("GET", "/mocks/abc/sse/buffer")["count"] == 0
    r = a.call("GET", "/mocks/plain/sse/buffer")
    assert r.status_code == 400 and r.json()["error"] == "not_sse", r.text
    assert a.call("DELETE", "/mocks/none/sse/buffer").status_code == 404


def test_chaos_latency_holds_the_head_of_a_stream(mockd):
    a = mockd(mocks=[sse_mock("/quick", {"events": [{"data": "one"}]}, "quick")])
    a.ok("PUT", "/chaos", json={"enabled": True,
                                "latency": {"min": "400ms", "max": "400ms", "probability": 1}})
    started = time.monotonic()
    events = read_events(stream(a, "/quick"))
    assert time.monotonic() - started >= 0.4
    assert [e["data"] for e in events[1:]] == [["one"]]
    # A client that leaves during the delay leaves no stream counted as open.
    with socket.create_connection(("127.0.0.1", a.port)) as s:
        s.sendall(b"GET /quick HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.1)
    time.sleep(0.6)
    stats = a.ok("GET", "/sse/stats")
    assert stats["activeConnections"] == 0 and stats["totalConnections"] == 2, stats
    assert a.ok("GET", "/chaos/stats")["latencyInjected"] == 2


def test_an_open_stream_is_not_idle_for_the_idle_timeout(mockd):
    a = mockd("--idle-timeout", "1s",
              mocks=[sse_mock("/slow", {"events": [{"data": "late", "delay": 2500}]})])
    started = time.monotonic()
    events = read_events(stream(a, "/slow"))
    assert time.monotonic() - started >= 2.5
    assert [e["data"] for e in events[1:]] == [["late"]]



def test_connection_timeout_ends_the_stream_gracefully(mockd):
    # mockd's tests/e2e/sse_test.go case: the stream's time is up, it ends with its final event.
    a = mockd(mocks=[sse_mock("/ct", {
        "events": [{"data": "first"}, {"data": "second", "delay": 30000}],
        "lifecycle": {"connectionTimeout": 1,
                      "termination": {"finalEvent": {"type": "end", "data": "bye"}}}})])
    started = time.monotonic()
    events = read_events(stream(a, "/ct"))  # raises if the stream breaks instead of ending
    took = time.monotonic() - started
    assert [e["data"] for e in events[1:]] == [["first"], ["bye"]]
    assert events[-1]["event"] == ["end"]
    assert 1.0 <= took < 5, took
