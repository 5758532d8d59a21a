"""Layer 92: WebSocket mocks (`type: websocket`), driven by Debian's two Python clients,
`websocket-client` (python3-websocket) and `websockets` (python3-websockets), against mockd's
behaviour (reference: mockd-streaming-graphql.md §3) with its bugs fixed: the real close code in
the request log, one log entry and one call per connection, `{{message}}` as documented.
"""

import asyncio
import base64
import json
import socket
import time

import pytest
import requests
import websocket  # websocket-client
import websockets

from conftest import wait_for
from test_60_admin_helpers import mockd  # noqa: F401


def ws_mock(path, mock_id=None, **fields):
    mock = {"type": "websocket", "websocket": {"path": path, **fields}}
    if mock_id:
        mock["id"] = mock_id
    return mock


CHAT = ws_mock("/ws/chat", "chat",
               subprotocols=["chat.v2", "chat.v1"],
               matchers=[
                   {"match": {"type": "json", "path": "$.op", "value": "join"},
                    "response": {"type": "json",
                                 "value": {"op": "joined", "room": "{{request.body.room}}"}}},
                   {"match": {"type": "regex", "value": "^ping( .*)?$", "messageType": "text"},
                    "response": {"type": "text", "value": "pong", "delay": "50ms"}},
                   {"match": {"type": "prefix", "value": "#"}, "noResponse": True},
                   {"match": {"type": "exact", "value": "bytes"},
                    "response": {"type": "binary", "value": "AAECAw=="}},
               ],
               defaultResponse={"type": "text", "value": "unknown: {{message}}"})


def url(a, path):
    return f"ws://127.0.0.1:{a.port}{path}"


def test_echo_by_default_text_and_binary(mockd):
    a = mockd(mocks=[ws_mock("/ws/echo", "echo")])
    ws = websocket.create_connection(url(a, "/ws/echo"), timeout=5)
    ws.send("hello")
    assert ws.recv() == "hello"
    ws.send_binary(b"\x00\x01\xff")
    opcode, data = ws.recv_data()
    assert (opcode, data) == (websocket.ABNF.OPCODE_BINARY, b"\x00\x01\xff")
    ws.close()


def test_matchers_in_order_default_and_no_response(mockd):
    a = mockd(mocks=[CHAT])
    ws = websocket.create_connection(url(a, "/ws/chat"), timeout=5,
                                     subprotocols=["chat.v1", "chat.v2"])
    assert ws.getsubprotocol() == "chat.v2"  # the mock's preference wins
    ws.send(json.dumps({"op": "join", "room": "lobby"}))
    assert json.loads(ws.recv()) == {"op": "joined", "room": "lobby"}
    started = time.monotonic()
    ws.send("ping now")
    assert ws.recv() == "pong"
    assert time.monotonic() - started >= 0.05
    ws.send("#quiet")  # taken, nothing sent, and the default is not tried
    ws.send("what?")
    assert ws.recv() == "unknown: what?"
    ws.send("bytes")
    assert ws.recv_data() == (websocket.ABNF.OPCODE_BINARY, b"\x00\x01\x02\x03")
    ws.close()


def test_handshake_rules(mockd):
    a = mockd(mocks=[
        ws_mock("/ws/strict", subprotocols=["json"], requireSubprotocol=True),
        ws_mock("/ws/one", maxConnections=1),
    ])
    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        websocket.create_connection(url(a, "/ws/strict"), timeout=5, subprotocols=["xml"])
    assert e.value.status_code == 400
    ok = websocket.create_connection(url(a, "/ws/strict"), timeout=5, subprotocols=["xml", "json"])
    assert ok.getsubprotocol() == "json"
    first = websocket.create_connection(url(a, "/ws/one"), timeout=5)
    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        websocket.create_connection(url(a, "/ws/one"), timeout=5)
    assert e.value.status_code == 503
    first.close()
    # Once it is gone, the place is free again.
    wait_for(lambda: a.ok("GET", "/websocket/stats")["activeConnections"] == 1, 5, "a close")
    again = websocket.create_connection(url(a, "/ws/one"), timeout=5)  # the slot is free again
    again.send("after-reconnect")
    assert again.recv() == "after-reconnect"
    again.close()
    # A plain GET on the path is not a WebSocket request: no mock answers it.
    assert requests.get(f"http://127.0.0.1:{a.port}/ws/one", timeout=5).status_code == 404
    # An unknown path: 404 before any upgrade.
    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        websocket.create_connection(url(a, "/ws/none"), timeout=5)
    assert e.value.status_code == 404
    ok.close()


def test_admin_lists_sends_and_closes_and_the_log_has_one_entry_each(mockd):
    a = mockd(mocks=[ws_mock("/ws/echo", "echo")])

    def admin(method, path, **kw):  # from the event loop, without blocking it
        return asyncio.get_running_loop().run_in_executor(None, lambda: a.ok(method, path, **kw))

    async def session():
        async with websockets.connect(url(a, "/ws/echo")) as ws:
            await ws.send("one")
            assert await ws.recv() == "one"
            listed = await admin("GET", "/websocket/connections")
            assert listed["stats"]["activeConnections"] == 1
            conn = listed["connections"][0]
            assert conn["mockId"] == "echo" and conn["path"] == "/ws/echo"
            assert conn["messagesRecv"] == 1 and conn["messagesSent"] == 1
            cid = conn["id"]
            sent = await admin("POST", f"/websocket/connections/{cid}/send",
                               json={"type": "text", "data": "from the API"})
            assert sent["message"] == "Message sent"
            assert await ws.recv() == "from the API"
            await admin("POST", f"/websocket/connections/{cid}/send",
                        json={"type": "binary", "data": base64.b64encode(b"\x07").decode()})
            assert await ws.recv() == b"\x07"
            bad = a.call("POST", f"/websocket/connections/{cid}/send",
                         json={"type": "binary", "data": "%%"})
            assert bad.status_code == 400 and bad.json()["error"] == "invalid_base64"
            assert (await admin("GET", "/mocks/echo/websocket/connections"))["count"] == 1
            await admin("DELETE", f"/websocket/connections/{cid}")
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
            return cid, ws.close_code, ws.close_reason

    cid, code, reason = asyncio.run(session())
    assert (code, reason) == (1000, "closed by API")
    wait_for(lambda: a.ok("GET", "/websocket/stats")["activeConnections"] == 0, 5, "the close")
    assert a.call("GET", f"/websocket/connections/{cid}").status_code == 404
    assert a.call_count("echo") == 1
    entries = a.log(protocol="websocket")["requests"]
    assert len(entries) == 1
    logged = entries[0]["websocket"]
    assert logged["closeCode"] == 1000 and logged["closeReason"] == "closed by API"
    assert [(m["direction"], m["data"]) for m in logged["messages"]][:3] == [
        ("in", "one"), ("out", "one"), ("out", "from the API")]


def test_updating_the_mock_closes_its_connections_with_1012(mockd):
    a = mockd(mocks=[ws_mock("/ws/feed", "feed")])

    async def scenario():
        async with websockets.connect(url(a, "/ws/feed")) as ws:
            await ws.send("x")
            assert await ws.recv() == "x"
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: a.ok("PUT", "/mocks/feed", json=ws_mock("/ws/feed", "feed",
                                                                       echoMode=False)))
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
            return ws.close_code, ws.close_reason

    assert asyncio.run(scenario()) == (1012, "mock updated")


def test_unmatched_messages_are_logged_with_near_misses_and_ignored(mockd):
    a = mockd(mocks=[ws_mock("/ws/strict", "strict", matchers=[
        {"match": {"type": "exact", "value": "hello"}, "response": {"type": "text", "value": "hi"}}])])
    ws = websocket.create_connection(url(a, "/ws/strict"), timeout=5)
    ws.send("bye")  # no matcher, no default, echo off (there are matchers): nothing comes back
    ws.send("hello")
    assert ws.recv() == "hi"
    ws.close()
    wait_for(lambda: a.ok("GET", "/websocket/stats")["activeConnections"] == 0, 5, "the close")
    logged = a.log(protocol="websocket")["requests"][0]["websocket"]
    first = logged["messages"][0]
    assert first["matched"] is None
    assert first["nearMisses"][0]["reason"] == 'the message does not equal "hello"'
    assert logged["closeCode"] == 1000


def test_heartbeat_and_idle_timeout(mockd):
    a = mockd(mocks=[ws_mock("/ws/idle", idleTimeout="1500ms"),
                     ws_mock("/ws/beat", heartbeat={"enabled": True, "interval": "200ms",
                                                    "timeout": "1s"})])

    async def idle():
        async with websockets.connect(url(a, "/ws/idle"), ping_interval=None) as ws:
            started = time.monotonic()
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)
            return ws.close_code, time.monotonic() - started

    code, took = asyncio.run(idle())
    assert code == 1001 and 1.4 <= took < 4, (code, took)

    async def beat():
        # websockets answers pings by itself: the connection lives through several of them.
        async with websockets.connect(url(a, "/ws/beat"), ping_interval=None) as ws:
            await asyncio.sleep(1.2)
            await ws.send("still here")
            return await asyncio.wait_for(ws.recv(), 5)

    assert asyncio.run(beat()) == "still here"


def test_bad_websocket_configs_name_the_field(mockd):
    a = mockd()
    for mock, words in [
        (ws_mock("ws"), "path must start with /"),
        (ws_mock("/w", matchers=[{"match": {"type": "jsonpath", "value": "x"}}]),
         "invalid matcher type"),
        (ws_mock("/w", matchers=[{"match": {"type": "regex", "value": "("}}]), "invalid regex"),
        (ws_mock("/w", idleTimeout=100), "duration string"),
        (ws_mock("/w", heartbeat={"enabled": True, "interval": "5 sec"}), "unknown unit"),
        (ws_mock("/w", scenario={"steps": [{"type": "send"}]}),
         "scenario.steps[0].message: a send step needs a message"),
    ]:
        r = a.post("/mocks", json=mock)
        assert r.status_code == 400 and words in r.text, (mock, r.text)
    made = a.create(ws_mock("/w", "w", idleTimeout="2m"))
    assert a.ok("GET", "/mocks/w")["websocket"]["idleTimeout"] == "2m0s"
    assert made["id"] == "w"


def test_wss_on_the_https_port(serve):
    import ssl

    from test_89_tls import free_port, wait_https

    https = free_port()
    srv = serve(json.dumps({"mocks": [ws_mock("/ws/echo", "echo")]}), "--https-port", https,
                "--tls-auto", name="m.json")
    wait_https(https)
    ws = websocket.create_connection(f"wss://127.0.0.1:{https}/ws/echo", timeout=5,
                                     sslopt={"cert_reqs": ssl.CERT_NONE, "check_hostname": False})
    ws.send("over tls")
    assert ws.recv() == "over tls"
    ws.close()
    # The plain port serves ws:// beside it.
    plain = websocket.create_connection(f"ws://127.0.0.1:{srv.port}/ws/echo", timeout=5)
    plain.send("plain")
    assert plain.recv() == "plain"
    plain.close()


def test_a_drain_closes_open_connections_with_1001(mockd):
    a = mockd(mocks=[ws_mock("/ws/echo", "echo")])

    async def session():
        async with websockets.connect(url(a, "/ws/echo")) as ws:
            await ws.send("x")
            assert await ws.recv() == "x"
            a.server.signal(15)  # SIGTERM: the server drains
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)
            return ws.close_code, ws.close_reason

    assert asyncio.run(session()) == (1001, "server shutdown")
    assert a.server.wait_exit(15) == 0


def test_a_scenario_sends_expects_and_waits_per_connection(mockd):
    a = mockd(mocks=[ws_mock("/ws/feed", "feed", scenario={"name": "handshake", "steps": [
        {"type": "send", "message": {"type": "json", "value": {"hello": True}}},
        {"type": "expect", "match": {"type": "json", "path": "type", "value": "ready"},
         "timeout": "5s"},
        {"type": "send", "message": {"type": "text", "value": "ack {{request.body.client}}"}},
        {"type": "wait", "duration": "300ms"},
        {"type": "send", "message": {"type": "binary", "value": "AAECAw=="}},
    ]}, matchers=[{"match": {"type": "exact", "value": "other"},
                   "response": {"type": "text", "value": "matched"}}])])

    async def one():
        async with websockets.connect(url(a, "/ws/feed")) as ws:
            assert json.loads(await ws.recv()) == {"hello": True}
            await ws.send("other")  # not what the expect waits for: the matchers answer it
            assert await ws.recv() == "matched"
            await ws.send(json.dumps({"type": "ready", "client": "c1"}))
            assert await ws.recv() == "ack c1"
            started = time.monotonic()
            assert await ws.recv() == b"\x00\x01\x02\x03"
            return time.monotonic() - started

    assert asyncio.run(one()) >= 0.25
    assert asyncio.run(one()) >= 0.25  # every connection runs its own copy from the start


def test_cli_client_and_connection_commands(mockd):
    from conftest import run_mockd

    a = mockd(mocks=[ws_mock("/ws/echo", "echo"),
                     ws_mock("/ws/hello", "hello", scenario={"steps": [
                         {"type": "send", "message": {"type": "text", "value": "one"}},
                         {"type": "send", "message": {"type": "text", "value": "two"}}]})])
    admin = ["--admin-url", f"http://127.0.0.1:{a.admin_port}", "--data-dir", str(a.data_dir)]
    r = run_mockd(["websocket", "send", url(a, "/ws/echo"), "hi there"])
    assert r.returncode == 0 and r.stdout == f"Sent to {url(a, '/ws/echo')}: hi there\n", r
    r = run_mockd(["ws", "listen", url(a, "/ws/hello"), "-n", "2", "--json"])
    assert r.returncode == 0, r
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(x["index"], x["data"]) for x in lines] == [(0, "one"), (1, "two")]
    r = run_mockd(["ws", "listen", url(a, "/ws/none")])
    assert r.returncode == 1 and "(HTTP 404)" in r.stderr, r
    r = run_mockd(["ws", "send", "ws://127.0.0.1:1/x", "hi"])  # nothing listens there
    assert r.returncode == 1 and "connection failed" in r.stderr and "HTTP" not in r.stderr, r
    held = websocket.create_connection(url(a, "/ws/echo"), timeout=5)
    r = run_mockd(["ws", "connections", *admin, "--json"])
    conns = json.loads(r.stdout)["connections"]
    assert [c["mockId"] for c in conns] == ["echo"], r.stdout
    r = run_mockd(["ws", "connections", "send", conns[0]["id"], "pushed", *admin])
    assert r.returncode == 0, r
    assert held.recv() == "pushed"
    r = run_mockd(["ws", "connections", "close", conns[0]["id"], *admin])
    assert r.returncode == 0 and "Closed connection" in r.stdout, r
    stats = json.loads(run_mockd(["ws", "stats", *admin]).stdout)
    assert stats["totalConnections"] >= 3
    r = run_mockd(["sse", "stats", *admin])
    assert r.returncode == 0 and json.loads(r.stdout)["activeConnections"] == 0, r


def test_cli_mock_commands_for_websocket_and_sse(mockd):
    from conftest import run_mockd

    a = mockd(mocks=[])
    admin = ["--admin-url", f"http://127.0.0.1:{a.admin_port}", "--data-dir", str(a.data_dir)]

    def ok(*args):
        r = run_mockd([*args, *admin])
        assert r.returncode == 0, r
        return r.stdout

    assert ok("add", "websocket", "--path", "/ws/a", "--echo").startswith("Created mock: ")
    # The same path again replaces it (as `mockd add` does for method + path).
    assert ok("ws", "add", "--path", "/ws/a", "--message", '{"ok":true}').startswith("Updated")
    ok("ws", "add", "--path", "/ws/b", "--message", "plain", "-n", "bee")
    listed = json.loads(ok("ws", "list", "--json"))["mocks"]
    assert sorted(m["websocket"]["path"] for m in listed) == ["/ws/a", "/ws/b"]
    by_path = {m["websocket"]["path"]: m for m in listed}
    assert by_path["/ws/a"]["websocket"]["defaultResponse"] == {"type": "json", "value": {"ok": True}}
    assert by_path["/ws/b"]["name"] == "bee"
    c = websocket.create_connection(url(a, "/ws/b"), timeout=5)
    c.send("anything")
    assert c.recv() == "plain"
    status = {m["path"]: m for m in json.loads(ok("ws", "status", "--json"))["mocks"]}
    assert status["/ws/b"]["connections"] == 1 and status["/ws/a"]["connections"] == 0
    c.close()
    r = run_mockd(["ws", "add", *admin])
    assert r.returncode == 1 and "--path is required for WebSocket mocks" in r.stderr, r

    ok("sse", "add", "--path", "/events", "--sse-event", 'tick:{"n":1}', "--sse-delay", "0")
    sse_mocks = json.loads(ok("sse", "list", "--json"))["mocks"]
    assert [m["http"]["matcher"]["path"] for m in sse_mocks] == ["/events"]
    body = requests.get(f"http://127.0.0.1:{a.port}/events", timeout=5).text
    assert body.endswith('event:tick\ndata:{"n":1}\n\n'), body
    sse_id = sse_mocks[0]["id"]
    r = run_mockd(["ws", "get", sse_id, *admin])
    assert r.returncode == 1 and "is not a websocket mock" in r.stderr, r
    assert json.loads(ok("sse", "get", sse_id[:8]))["id"] == sse_id  # an id prefix will do
    assert ok("sse", "delete", sse_id) == f"Deleted mock: {sse_id}\n"
    assert json.loads(ok("sse", "list", "--json"))["count"] == 0
    assert json.loads(ok("ws", "list", "--json"))["count"] == 2


def test_large_messages_arrive_whole_in_both_kinds(mockd):
    a = mockd(mocks=[ws_mock("/ws/echo", "echo", maxMessageSize=1 << 20)])
    c = websocket.create_connection(url(a, "/ws/echo"), timeout=10)
    text = "".join(chr(ord("a") + i % 26) for i in range(300_000))
    c.send(text)
    assert c.recv() == text
    blob = bytes(i % 251 for i in range(200_000))
    c.send_binary(blob)
    assert c.recv() == blob
    c.send("small")  # the next message starts clean
    assert c.recv() == "small"
    c.close()
    small = mockd(mocks=[ws_mock("/ws/small", "small", maxMessageSize=1000)])
    c = websocket.create_connection(url(small, "/ws/small"), timeout=10)
    c.send("x" * 1000)
    assert c.recv() == "x" * 1000  # at the limit: taken
    c.send("y" * 1001)
    frame = c.recv_frame()
    assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(frame.data[:2], "big") == 1009, frame.data


def test_disabling_deleting_or_clearing_mocks_closes_their_connections(mockd):
    # mockd's integration tests: every change to a mock ends what it serves (here with 1012), and
    # only what it serves: a connection of another mock stays open.
    a = mockd(mocks=[ws_mock("/ws/a", "a"), ws_mock("/ws/b", "b"),
                     {"id": "feed", "type": "http", "http": {
                         "matcher": {"method": "GET", "path": "/feed"},
                         "sse": {"events": [{"data": "first"}, {"data": "late", "delay": 60000}]}}}])

    async def admin(*args, **kw):
        return await asyncio.get_running_loop().run_in_executor(None, lambda: a.ok(*args, **kw))

    async def closed(ws):
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        return ws.close_code

    async def session():
        async with websockets.connect(url(a, "/ws/a")) as wa, \
                websockets.connect(url(a, "/ws/b")) as wb:
            await admin("POST", "/mocks/a/toggle")  # disabled
            assert await closed(wa) == 1012
            await wb.send("still here")
            assert await wb.recv() == "still here"
            await admin("DELETE", "/mocks", status=204)  # clear
            assert await closed(wb) == 1012

    stream = requests.get(f"http://127.0.0.1:{a.port}/feed", stream=True, timeout=10)
    lines = stream.iter_lines()
    assert next(x for x in lines if x.startswith(b"data:")) == b"data:first"
    assert a.call("DELETE", "/mocks/feed").status_code in (200, 204)
    assert b"data:late" not in list(lines)  # the stream ends with its mock, the late event unsent
    asyncio.run(session())
    wait_for(lambda: a.ok("GET", "/websocket/stats")["activeConnections"] == 0, 5, "the closes")
    assert a.ok("GET", "/sse/stats")["activeConnections"] == 0


def test_skip_origin_verify_false_refuses_other_origins(mockd):
    a = mockd(mocks=[ws_mock("/ws/strict", "strict", skipOriginVerify=False),
                     ws_mock("/ws/open", "open")])
    here = f"http://127.0.0.1:{a.port}"
    c = websocket.create_connection(url(a, "/ws/strict"), origin=here, timeout=5)
    c.send("same origin")
    assert c.recv() == "same origin"
    c.close()
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url(a, "/ws/strict"), origin="http://evil.example",
                                    timeout=5)
    assert refused.value.status_code == 403
    c = websocket.create_connection(url(a, "/ws/strict"), suppress_origin=True, timeout=5)
    c.close()  # no Origin: not a browser, let through
    c = websocket.create_connection(url(a, "/ws/open"), origin="http://evil.example", timeout=5)
    c.close()  # the default takes any origin


# mockd's tests/e2e/websocket_test.go cases that the tests above did not already hold.

def test_echo_mode_with_matchers_and_a_default_sends_one_reply(mockd):
    a = mockd(mocks=[ws_mock("/ws/test", echoMode=True, matchers=[
        {"match": {"type": "exact", "value": "ping"}, "response": {"type": "text", "value": "pong"}}],
        defaultResponse={"type": "text", "value": "unknown"})])
    c = websocket.create_connection(url(a, "/ws/test"), timeout=5)
    c.send("ping")
    assert c.recv() == "pong"
    c.send("something-random")
    assert c.recv() == "unknown"
    c.settimeout(0.3)
    with pytest.raises(websocket.WebSocketTimeoutException):
        c.recv()  # no echo after either reply
    c.close()


def test_contains_and_suffix_matchers(mockd):
    a = mockd(mocks=[ws_mock("/ws/contains", matchers=[
        {"match": {"type": "contains", "value": "help"},
         "response": {"type": "text", "value": "How can I assist you?"}},
        {"match": {"type": "suffix", "value": "!"}, "response": {"type": "text", "value": "calm"}}])])
    c = websocket.create_connection(url(a, "/ws/contains"), timeout=5)
    c.send("can you help me")
    assert c.recv() == "How can I assist you?"
    c.send("now!")
    assert c.recv() == "calm"
    c.close()


def test_a_disabled_websocket_mock_refuses_handshakes_until_enabled(mockd):
    # mockd answers 503 from an internal flag no API sets; a mock disabled over the API matches
    # nothing, so the handshake gets the 404 of an unknown path.
    a = mockd(mocks=[ws_mock("/ws/d", "d")])
    a.ok("POST", "/mocks/d/toggle")
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url(a, "/ws/d"), timeout=5)
    assert refused.value.status_code == 404
    a.ok("POST", "/mocks/d/toggle")
    c = websocket.create_connection(url(a, "/ws/d"), timeout=5)
    c.send("back")
    assert c.recv() == "back"
    c.close()


def test_chaos_latency_delays_the_handshake(mockd):
    # mockd's chaos middleware sleeps before any handler, the upgrade's too.
    a = mockd(mocks=[ws_mock("/ws/echo", "echo")])
    a.ok("PUT", "/chaos", json={"enabled": True,
                                "latency": {"min": "400ms", "max": "400ms", "probability": 1}})
    started = time.monotonic()
    c = websocket.create_connection(url(a, "/ws/echo"), timeout=5)
    assert time.monotonic() - started >= 0.4
    c.send("late but here")
    assert c.recv() == "late but here"
    c.close()
    # A client that gives up during the delay leaves no connection behind.
    with socket.create_connection(("127.0.0.1", a.port)) as s:
        s.sendall(("GET /ws/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        time.sleep(0.1)
    wait_for(lambda: a.ok("GET", "/websocket/stats")["activeConnections"] == 0, 5, "no leftovers")
