"""Layer 85: mockd's chaos engineering on the mock port, driven through the admin API's
/chaos routes, `mockd chaos ...` and the --chaos-* start flags, seen by real clients
(python-requests and raw sockets). Timings only have generous lower bounds: an injected
delay must never come early.
"""

import json
import socket
import time

import pytest
import requests

from conftest import (MOCKD_BIN, collection, http_mock, http_session, run_mockd, wait_for,
                      write_config)

PROFILES = ["degraded", "dns-flaky", "flaky", "mobile-3g", "offline", "overloaded",
            "rate-limited", "satellite", "slow-api", "timeout"]


def mocks_config(tmp_path, *mocks, server_config=None, name="mocks.json"):
    doc = json.loads(collection(*(mocks or [
        http_mock("hello", {"method": "GET", "path": "/hello"},
                  {"statusCode": 200, "body": "hello world"}),
        http_mock("big", {"method": "GET", "path": "/big"},
                  {"statusCode": 200, "body": "x" * 4000}),
        http_mock("post", {"method": "POST", "path": "/api/orders"},
                  {"statusCode": 201, "body": "created"}),
        http_mock("get", {"method": "GET", "path": "/api/orders"},
                  {"statusCode": 200, "body": "orders"}),
    ])))
    if server_config is not None:
        doc["serverConfig"] = server_config
    return write_config(tmp_path / f"cfg-{time.monotonic_ns()}", doc, name)


@pytest.fixture
def srv(servers, tmp_path):
    return servers.start(config=mocks_config(tmp_path))


def admin(server, method, path, expect=200, **kw):
    r = http_session().request(method, server.admin_base + path, timeout=10, **kw)
    assert r.status_code == expect, (method, path, r.status_code, r.text)
    return r.json() if r.content else None


def put_chaos(server, cfg, expect=200):
    return admin(server, "PUT", "/chaos", expect=expect, json=cfg)


def rule(pattern, *faults, **extra):
    return {"enabled": True, "rules": [{"pathPattern": pattern, "faults": list(faults), **extra}]}


def get(server, path, **kw):
    return http_session().get(server.base + path, timeout=kw.pop("timeout", 10), **kw)


def timed(server, path, **kw):
    t0 = time.monotonic()
    r = get(server, path, **kw)
    return r, time.monotonic() - t0


def raw_exchange(server, path, timeout=10.0):
    """Send one GET and read until the server closes; returns (bytes, seconds, reset?)."""
    port = int(server.base.rsplit(":", 1)[1])
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
    t0 = time.monotonic()
    data, was_reset, stamps = b"", False, []
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            stamps.append(time.monotonic() - t0)
            data += chunk
    except ConnectionResetError:
        was_reset = True
    finally:
        s.close()
    return data, stamps, was_reset


def cli(server, *args, expect=0):
    r = run_mockd(["chaos", *args, "--admin-url", server.admin_base], timeout=15)
    assert r.returncode == expect, (args, r.returncode, r.stdout, r.stderr)
    return r


# --------------------------------------------------------------------------- config & stats


def test_chaos_is_off_until_configured(srv):
    assert admin(srv, "GET", "/chaos") == {"enabled": False}
    assert admin(srv, "GET", "/chaos/stats") == {
        "totalRequests": 0, "injectedFaults": 0, "latencyInjected": 0, "errorsInjected": 0,
        "timeoutsInjected": 0, "faultsByType": {}}
    assert admin(srv, "GET", "/chaos/faults") == {}
    assert get(srv, "/hello").text == "hello world"


def test_global_latency_delays_every_request_and_is_counted(srv):
    cfg = {"enabled": True, "latency": {"min": "150ms", "max": "200ms", "probability": 1.0}}
    assert put_chaos(srv, cfg) == {"status": "ok"}
    assert admin(srv, "GET", "/chaos") == cfg
    for _ in range(2):
        r, took = timed(srv, "/hello")
        assert r.status_code == 200 and r.text == "hello world"
        assert took >= 0.15, took
    stats = admin(srv, "GET", "/chaos/stats")
    assert stats["totalRequests"] == 2
    assert stats["latencyInjected"] == 2 and stats["injectedFaults"] == 2
    assert stats["faultsByType"] == {"latency": 2}
    assert admin(srv, "POST", "/chaos/stats/reset") == {"message": "chaos stats reset"}
    assert admin(srv, "GET", "/chaos/stats")["totalRequests"] == 0


def test_global_error_rate_answers_with_the_listed_codes(srv):
    put_chaos(srv, {"enabled": True, "errorRate": {"probability": 1.0, "statusCodes": [502]}})
    r = get(srv, "/hello")
    assert r.status_code == 502
    assert r.text == "Bad Gateway\n"
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    # An unmatched request is degraded too: chaos sits in front of the mocks.
    assert get(srv, "/nothing-here").status_code == 502
    put_chaos(srv, {"enabled": True, "errorRate": {"probability": 1.0, "defaultCode": 503}})
    assert get(srv, "/hello").status_code == 503
    # Every PUT starts a new configuration with fresh statistics, as in mockd.
    assert admin(srv, "GET", "/chaos/stats")["errorsInjected"] == 1


def test_builtins_stay_healthy_under_chaos(srv):
    put_chaos(srv, {"enabled": True, "errorRate": {"probability": 1.0}})
    r = get(srv, "/__mockd/health")
    assert r.status_code == 200 and r.json()["status"] == "healthy"
    assert http_session().get(srv.admin_base + "/health").status_code == 200


def test_disabling_turns_chaos_off_and_drops_it(srv):
    put_chaos(srv, {"enabled": True, "errorRate": {"probability": 1.0}})
    assert get(srv, "/hello").status_code == 500
    put_chaos(srv, {"enabled": False, "errorRate": {"probability": 1.0}})
    assert admin(srv, "GET", "/chaos") == {"enabled": False}
    assert get(srv, "/hello").text == "hello world"


def test_bandwidth_dribbles_the_body(srv):
    put_chaos(srv, {"enabled": True, "bandwidth": {"bytesPerSecond": 4000, "probability": 1.0}})
    r, took = timed(srv, "/big")
    assert r.status_code == 200 and r.text == "x" * 4000
    assert took >= 0.7, took  # 4000 bytes at 4000 B/s, the first tenth at once
    assert admin(srv, "GET", "/chaos/stats")["faultsByType"] == {"slow_body": 1}


def test_rule_matches_path_and_method_and_replaces_the_globals(srv):
    put_chaos(srv, {"enabled": True, "latency": {"min": "300ms", "max": "300ms", "probability": 1},
                    "rules": [{"pathPattern": "^/api/", "methods": ["POST"], "probability": 1.0,
                               "faults": [{"type": "error", "probability": 1.0,
                                           "config": {"statusCodes": [503]}}]}]})
    r = http_session().post(srv.base + "/api/orders", timeout=10)
    assert r.status_code == 503 and r.text == "Service Unavailable\n"
    r, took = timed(srv, "/api/orders")  # GET: the rule does not match; the global latency does
    assert r.text == "orders" and took >= 0.3
    assert admin(srv, "GET", "/chaos")["rules"][0]["methods"] == ["POST"]


def test_rule_probability_zero_never_fires(srv):
    put_chaos(srv, rule("/hello", {"type": "error", "probability": 1.0}, probability=0))
    assert all(get(srv, "/hello").status_code == 200 for _ in range(5))


# --------------------------------------------------------------------------- faults


def test_latency_fault_in_a_rule(srv):
    put_chaos(srv, rule("/hello", {"type": "latency", "probability": 1.0,
                                   "min": "200ms", "max": "250ms"}))
    r, took = timed(srv, "/hello")
    assert r.text == "hello world" and took >= 0.2


def test_timeout_holds_then_gives_up_with_504(srv):
    put_chaos(srv, rule("/hello", {"type": "timeout", "probability": 1.0,
                                   "config": {"duration": "600ms"}}))
    r, took = timed(srv, "/hello")
    assert r.status_code == 504 and r.text == "Gateway Timeout\n"
    assert took >= 0.6
    assert admin(srv, "GET", "/chaos/stats")["timeoutsInjected"] == 1


def test_connection_reset(srv):
    put_chaos(srv, rule("/hello", {"type": "connection_reset", "probability": 1.0}))
    with pytest.raises(requests.exceptions.ConnectionError):
        get(srv, "/hello")
    data, _, was_reset = raw_exchange(srv, "/hello")
    assert data == b"" and was_reset


def test_empty_response(srv):
    put_chaos(srv, rule("/hello", {"type": "empty_response", "probability": 1.0}))
    r = get(srv, "/hello")
    assert r.status_code == 200 and r.content == b""
    assert r.headers["Content-Length"] == "0"


def test_corrupt_body_keeps_the_length_and_changes_bytes(srv):
    put_chaos(srv, rule("/big", {"type": "corrupt_body", "probability": 1.0, "corruptRate": 0.5}))
    r = get(srv, "/big")
    assert r.status_code == 200 and len(r.content) == 4000
    assert r.content != b"x" * 4000
    assert sum(1 for b in r.content if b != ord("x")) > 1000


def test_partial_response_cuts_the_body_and_closes(srv):
    put_chaos(srv, rule("/big", {"type": "partial_response", "probability": 1.0,
                                 "config": {"maxBytes": 100}}))
    try:  # urllib3 2 reports the short body; urllib3 1 hands it over as it came
        assert len(get(srv, "/big").content) == 100
    except requests.exceptions.ChunkedEncodingError:
        pass
    data, _, _ = raw_exchange(srv, "/big")
    head, body = data.split(b"\r\n\r\n", 1)
    assert b"Content-Length: 4000" in head
    assert body == b"x" * 100


def test_slow_body_arrives_over_time(srv):
    put_chaos(srv, rule("/big", {"type": "slow_body", "probability": 1.0, "bytesPerSecond": 5000}))
    data, stamps, _ = raw_exchange(srv, "/big")
    assert b"Transfer-Encoding: chunked" in data
    assert data.endswith(b"0\r\n\r\n")
    assert stamps[-1] >= 0.6, stamps  # 4000 bytes at 5000 B/s
    r = get(srv, "/big")
    assert r.text == "x" * 4000


def test_chunked_dribble(srv):
    put_chaos(srv, rule("/big", {"type": "chunked_dribble", "probability": 1.0,
                                 "chunkSize": 1000, "chunkDelay": "200ms"}))
    r, took = timed(srv, "/big")
    assert r.text == "x" * 4000
    assert r.headers["Transfer-Encoding"] == "chunked"
    assert took >= 0.6, took  # four chunks, 200 ms apart


def test_fault_without_probability_never_fires(srv):
    put_chaos(srv, rule("/hello", {"type": "error"}))
    assert get(srv, "/hello").status_code == 200


# --------------------------------------------------------------------------- stateful faults


def test_circuit_breaker_trips_rejects_and_resets(srv):
    put_chaos(srv, rule("/hello", {"type": "circuit_breaker", "probability": 1.0,
                                   "tripAfter": 3, "openDuration": "1h"}))
    assert get(srv, "/hello").status_code == 200
    assert get(srv, "/hello").status_code == 200
    r = get(srv, "/hello")
    assert r.status_code == 503
    assert r.headers["X-Circuit-State"] == "open"
    assert r.headers["Retry-After"] == "3600"
    assert r.json() == {"error": "circuit breaker open", "state": "open", "retry_after": 3600}
    cb = admin(srv, "GET", "/chaos/faults")["circuitBreakers"]["0:0"]
    assert cb["state"] == "open" and cb["totalTrips"] == 1 and cb["totalPassed"] == 2
    assert "openedAt" in cb
    assert admin(srv, "POST", "/chaos/circuit-breakers/0:0/reset") == {
        "message": "circuit breaker reset", "key": "0:0"}
    assert get(srv, "/hello").status_code == 200
    assert admin(srv, "POST", "/chaos/circuit-breakers/0:0/trip") == {
        "message": "circuit breaker tripped", "key": "0:0"}
    assert get(srv, "/hello").status_code == 503
    err = admin(srv, "POST", "/chaos/circuit-breakers/3:1/trip", expect=404)
    assert err["error"] == "not_found" and "3:1" in err["message"]


def test_circuit_breaker_half_open_then_closed(srv):
    put_chaos(srv, rule("/hello", {"type": "circuit_breaker", "probability": 1.0, "config": {
        "openDuration": "300ms", "halfOpenErrorRate": 0, "successThreshold": 2,
        "openStatusCode": 500, "openBody": "{\"down\":true}"}}))
    admin(srv, "POST", "/chaos/circuit-breakers/0:0/trip")
    r = get(srv, "/hello")
    assert r.status_code == 500 and r.json() == {"down": True}
    assert r.headers["Retry-After"] == "1"
    wait_for(lambda: admin(srv, "GET", "/chaos/faults")["circuitBreakers"]["0:0"]["state"]
             == "half_open", 5, "the breaker to go half-open")
    assert get(srv, "/hello").status_code == 200
    assert admin(srv, "GET", "/chaos/faults")["circuitBreakers"]["0:0"]["state"] == "half_open"
    assert get(srv, "/hello").status_code == 200
    cb = admin(srv, "GET", "/chaos/faults")["circuitBreakers"]["0:0"]
    assert cb["state"] == "closed" and cb["stateChanges"] == 3


def test_circuit_breaker_opens_after_synthetic_failures(srv):
    put_chaos(srv, rule("/hello", {"type": "circuit_breaker", "probability": 1.0,
                                   "closedErrorRate": 1.0, "failureThreshold": 2}))
    r = get(srv, "/hello")
    assert r.status_code == 500 and r.text == "Internal Server Error\n"
    r = get(srv, "/hello")
    assert r.status_code == 503 and r.headers["X-Circuit-State"] == "open"


def test_retry_after_limits_with_the_header(srv):
    put_chaos(srv, rule("/hello", {"type": "retry_after", "probability": 1.0,
                                   "config": {"statusCode": 503, "retryAfter": "20s"}}))
    for _ in range(2):
        r = get(srv, "/hello")
        assert r.status_code == 503
        assert 19 <= int(r.headers["Retry-After"]) <= 20
        assert r.json()["error"] == "Service Unavailable"
    t = admin(srv, "GET", "/chaos/faults")["retryAfterTrackers"]["0:0"]
    assert t["isLimited"] and t["statusCode"] == 503 and t["retryAfterMs"] == 20000
    assert t["totalLimited"] == 1


def test_retry_after_recovers_after_the_period(srv):
    put_chaos(srv, rule("/hello", {"type": "retry_after", "probability": 1.0,
                                   "retryAfter": "300ms", "body": "slow down"}))
    r = get(srv, "/hello")
    assert r.status_code == 429 and r.text == "slow down" and r.headers["Retry-After"] == "1"
    wait_for(lambda: get(srv, "/hello").status_code == 200, 5, "the limit to lift")
    assert admin(srv, "GET", "/chaos/faults")["retryAfterTrackers"]["0:0"]["totalPassed"] == 1


def test_progressive_degradation_slows_then_fails(srv):
    put_chaos(srv, rule("/hello", {"type": "progressive_degradation", "probability": 1.0,
                                   "initialDelay": "100ms", "delayIncrement": "100ms",
                                   "errorAfter": 2, "errorCode": 502}))
    r, took = timed(srv, "/hello")
    assert r.status_code == 200 and took >= 0.1
    r, took = timed(srv, "/hello")
    assert r.status_code == 200 and took >= 0.2
    r, took = timed(srv, "/hello")
    assert r.status_code == 502 and took >= 0.3
    assert r.json() == {"error": "Bad Gateway",
                        "degradation": {"request_count": 3, "delay_ms": 300}}
    pd = admin(srv, "GET", "/chaos/faults")["progressiveDegradations"]["0:0"]
    assert pd["requestCount"] == 3 and pd["isErroring"] and pd["totalErrors"] == 1
    assert pd["currentDelayMs"] == 400 and pd["maxDelayMs"] == 5000


# --------------------------------------------------------------------------- profiles


def test_profiles_list_and_each_applies_and_reports(srv):
    listed = admin(srv, "GET", "/chaos/profiles")
    assert [p["name"] for p in listed] == PROFILES
    for p in listed:
        assert p["description"] and p["config"]["enabled"] is True
        assert admin(srv, "GET", f"/chaos/profiles/{p['name']}") == p
        applied = admin(srv, "POST", f"/chaos/profiles/{p['name']}/apply")
        assert applied == {"status": "ok", "profile": p["name"],
                           "message": "chaos profile applied: " + p["description"]}
        assert admin(srv, "GET", "/chaos") == p["config"]
    by_name = {p["name"]: p["config"] for p in listed}
    assert by_name["offline"]["errorRate"] == {"probability": 1.0, "statusCodes": [503]}
    assert by_name["timeout"]["latency"]["min"] == "30000ms"
    assert by_name["mobile-3g"]["bandwidth"] == {"bytesPerSecond": 51200, "probability": 1.0}
    assert by_name["overloaded"]["errorRate"]["statusCodes"] == [500, 502, 503, 504]
    assert by_name["slow-api"]["latency"] == {"min": "500ms", "max": "2000ms", "probability": 1.0}
    assert by_name["rate-limited"]["errorRate"]["statusCodes"] == [429]
    err = admin(srv, "GET", "/chaos/profiles/nope", expect=404)
    assert err == {"error": "not_found", "message": "chaos profile not found: nope"}
    admin(srv, "POST", "/chaos/profiles/nope/apply", expect=404)


def test_offline_and_slow_api_profiles_behave(srv):
    admin(srv, "POST", "/chaos/profiles/offline/apply")
    assert get(srv, "/hello").status_code == 503
    admin(srv, "POST", "/chaos/profiles/slow-api/apply")
    r, took = timed(srv, "/hello")
    assert r.text == "hello world" and took >= 0.5


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("body,needle", [
    ({"enabled": True, "rules": [{"pathPattern": "(", "faults": []}]}, "rules[0].pathPattern"),
    ({"enabled": True, "latency": {"min": "soon", "max": "1s"}}, "latency.min"),
    ({"enabled": True, "bandwidth": {"bytesPerSecond": 0, "probability": 1}}, "bytesPerSecond"),
    ({"enabled": True, "rules": [{"pathPattern": "/", "faults": [{"type": "explode"}]}]},
     "unknown fault type"),
    ({"enabled": True, "latency": {"min": "1ms", "probability": "often"}}, "latency.probability"),
    ({"enabled": True, "errorRate": {"probability": 1, "statusCodes": [42]}}, "statusCodes"),
])
def test_bad_config_is_a_400_validation_error(srv, body, needle):
    before = admin(srv, "GET", "/chaos")
    err = put_chaos(srv, body, expect=400)
    assert err["error"] == "validation_error" and needle in err["message"], err
    assert admin(srv, "GET", "/chaos") == before


def test_bad_json_and_wrong_methods(srv):
    r = http_session().put(srv.admin_base + "/chaos", data="{nope", timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_json"
    assert admin(srv, "DELETE", "/chaos", expect=405)["error"] == "method_not_allowed"
    admin(srv, "GET", "/chaos/stats/reset", expect=405)
    admin(srv, "GET", "/chaos/circuit-breakers/0:0/trip", expect=405)
    err = admin(srv, "POST", "/chaos/circuit-breakers/0:0/trip", expect=404)
    assert err["message"] == "chaos is not enabled"


# --------------------------------------------------------------------------- CLI


def test_cli_enable_status_disable(srv):
    r = cli(srv, "enable", "--latency", "50ms-200ms", "--error-rate", "0.25", "--error-code",
            "503")
    assert "Chaos injection enabled" in r.stdout and "Error rate: 25.0% (HTTP 503)" in r.stdout
    cfg = admin(srv, "GET", "/chaos")
    assert cfg["latency"] == {"min": "50ms", "max": "200ms", "probability": 1.0}
    assert cfg["errorRate"] == {"probability": 0.25, "defaultCode": 503}
    r = cli(srv, "status")
    assert "Chaos injection: enabled" in r.stdout and "Latency: 50ms - 200ms" in r.stdout
    assert json.loads(cli(srv, "status", "--json").stdout) == cfg
    assert "Chaos injection disabled" in cli(srv, "disable").stdout
    assert "Chaos injection: disabled" in cli(srv, "status").stdout
    r = cli(srv, "enable", expect=1)
    assert "at least --latency or --error-rate must be specified" in r.stderr


def test_cli_enable_on_one_path(srv):
    cli(srv, "enable", "-e", "1.0", "--error-code", "502", "-p", "^/api/")
    assert get(srv, "/api/orders").status_code == 502
    assert get(srv, "/hello").status_code == 200


def test_cli_profiles_apply_faults_and_breakers(srv):
    r = cli(srv, "profiles")
    assert "Available chaos profiles:" in r.stdout
    for name in PROFILES:
        assert name in r.stdout
    assert [p["name"] for p in json.loads(cli(srv, "profiles", "--json").stdout)] == PROFILES
    r = cli(srv, "apply", "offline")
    assert "Applied chaos profile: offline" in r.stdout and "Service completely down" in r.stdout
    assert get(srv, "/hello").status_code == 503
    assert "chaos profile not found: nope" in cli(srv, "apply", "nope", expect=1).stderr

    assert "No stateful chaos faults" in cli(srv, "faults").stdout
    put_chaos(srv, rule("/hello", {"type": "circuit_breaker", "probability": 1.0}))
    assert "Circuit breaker 0:0 tripped" in cli(srv, "circuit-breaker", "trip", "0:0").stdout
    assert get(srv, "/hello").status_code == 503
    r = cli(srv, "faults")
    assert "0:0" in r.stdout and "state=open" in r.stdout
    assert json.loads(cli(srv, "faults", "--json").stdout)["circuitBreakers"]["0:0"]["state"] \
        == "open"
    assert "Circuit breaker 0:0 reset" in cli(srv, "circuit-breaker", "reset", "0:0").stdout
    assert get(srv, "/hello").status_code == 200
    assert "not found" in cli(srv, "circuit-breaker", "trip", "9:9", expect=1).stderr


# --------------------------------------------------------------------------- start flags & config


def test_start_flags_enable_chaos(servers, tmp_path):
    s = servers.start("--chaos-enabled", "--chaos-error-rate", "1", config=mocks_config(tmp_path))
    assert get(s, "/hello").status_code == 500
    assert admin(s, "GET", "/chaos")["errorRate"] == {"probability": 1.0, "defaultCode": 500}


def test_start_flag_latency(servers, tmp_path):
    s = servers.start("--chaos-enabled", "--chaos-latency", "200ms",
                      config=mocks_config(tmp_path))
    r, took = timed(s, "/hello")
    assert r.text == "hello world" and took >= 0.2


def test_serve_with_a_profile(servers, tmp_path):
    s = servers.start("--chaos-profile", "dns-flaky", config=mocks_config(tmp_path),
                      command="serve")
    assert admin(s, "GET", "/chaos")["errorRate"] == {"probability": 0.1, "statusCodes": [503]}


def test_bad_chaos_flags_fail_at_start(tmp_path):
    r = run_mockd(["start", "-p", "0", "-a", "0", "--data-dir", str(tmp_path / "d"),
                   "--pid-file", str(tmp_path / "p"), "--chaos-profile", "nope"])
    assert r.returncode != 0 and "unknown profile \"nope\"" in r.stderr
    r = run_mockd(["start", "-p", "0", "-a", "0", "--data-dir", str(tmp_path / "d"),
                   "--pid-file", str(tmp_path / "p"), "--chaos-profile", "offline",
                   "--chaos-error-rate", "0.5"])
    assert r.returncode != 0 and "cannot be combined" in r.stderr
    r = run_mockd(["start", "-p", "0", "-a", "0", "--data-dir", str(tmp_path / "d"),
                   "--pid-file", str(tmp_path / "p"), "--chaos-latency", "fast"])
    assert r.returncode != 0 and "--chaos-latency" in r.stderr


def test_config_file_chaos_block(servers, tmp_path):
    cfg = mocks_config(tmp_path, server_config={"chaos": {
        "enabled": True,
        "global": {"errorRate": {"probability": 1.0, "statusCodes": [418]}},
        "rules": [{"pathPattern": "^/big$", "faults": [{"type": "empty_response",
                                                       "probability": 1.0}]}]}})
    s = servers.start(config=cfg)
    assert get(s, "/hello").status_code == 418
    assert get(s, "/big").content == b""
    e = servers.engine(cfg)  # the headless engine reads it too
    assert get(e, "/hello").status_code == 418


def test_config_file_with_bad_chaos_names_the_field(tmp_path):
    cfg = mocks_config(tmp_path, server_config={"chaos": {
        "enabled": True, "rules": [{"pathPattern": "[", "faults": []}]}})
    r = run_mockd(["engine", "--config", cfg, "--port", "0"])
    assert r.returncode != 0
    assert "serverConfig.chaos: rules[0].pathPattern" in r.stderr
