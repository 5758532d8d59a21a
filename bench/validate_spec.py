#!/usr/bin/env python3
"""What `--validate-spec` costs per request: wrk against `mockd engine` on the same mocks with and
without the spec check, in the same run (the ceiling is the server without it). Two loads: a GET
whose query and header parameters are coerced and checked, and a POST whose JSON body is checked
against a schema with a $ref, a pattern, a format and an enum. The server runs pinned to core 0
and wrk to core 1 when two cores allow; rounds alternate the two servers, and the median of
--rounds is printed with the ratio.

  python3 bench/validate_spec.py [--mockd build/mockd] [--rounds 3] [--duration 5s]
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "orders", "version": "1"},
    "paths": {
        "/orders": {
            "get": {
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                "maximum": 100}},
                    {"name": "status", "in": "query",
                     "schema": {"type": "string", "enum": ["open", "paid", "void"]}},
                    {"name": "X-Team", "in": "header", "required": True,
                     "schema": {"type": "string", "pattern": "^[a-z]+$"}},
                ],
                "responses": {"200": {"description": "ok"}},
            },
            "post": {
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Order"}}}},
                "responses": {"201": {"description": "created"}},
            },
        },
    },
    "components": {"schemas": {"Order": {
        "type": "object", "required": ["sku", "quantity", "email"],
        "properties": {
            "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
            "quantity": {"type": "integer", "minimum": 1},
            "email": {"type": "string", "format": "email"},
            "placed": {"type": "string", "format": "date-time"},
            "channel": {"type": "string", "enum": ["web", "store", "phone"]},
            "lines": {"type": "array", "items": {"type": "object",
                                                 "properties": {"note": {"type": "string"}}}},
        }}}},
}

MOCKS = {"version": "1.0", "mocks": [
    {"id": "list", "type": "http", "http": {"matcher": {"method": "GET", "path": "/orders"},
                                            "response": {"statusCode": 200, "body": "[]"}}},
    {"id": "create", "type": "http", "http": {"matcher": {"method": "POST", "path": "/orders"},
                                              "response": {"statusCode": 201, "body": "{}"}}},
]}

BODY = json.dumps({"sku": "ABC-1234", "quantity": 2, "email": "ann@example.com",
                   "placed": "2026-12-08T10:00:00Z", "channel": "web",
                   "lines": [{"note": "gift"}, {"note": "wrap"}]})

POST_LUA = """wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["Content-Type"] = "application/json"
""" % BODY

GET_LUA = """wrk.headers["X-Team"] = "core"
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pins():
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", "0"], ["taskset", "-c", "1"]
    return [], []


def start(mockd, work, extra, server_pin):
    port = free_port()
    argv = server_pin + [mockd, "engine", "--config", os.path.join(work, "mocks.json"),
                         "--port", str(port), "--workers", "1", "--log-level", "error"] + extra
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/__mockd/health", timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.01)
    proc.kill()
    raise SystemExit("mockd did not start")


def wrk(client_pin, url, script, duration, conns):
    argv = client_pin + ["wrk", "-t1", f"-c{conns}", f"-d{duration}", "--latency", "-s", script,
                         url]
    out = subprocess.run(argv, capture_output=True, text=True).stdout
    rps = p99 = None
    non2xx = 0
    for line in out.splitlines():
        f = line.split()
        if line.startswith("Requests/sec:"):
            rps = float(f[1])
        elif f and f[0] == "99%":
            m = re.match(r"([\d.]+)(us|ms|s)", f[1])
            p99 = float(m.group(1)) * {"us": 1, "ms": 1000, "s": 1e6}[m.group(2)]
        elif "Non-2xx or 3xx responses:" in line:
            non2xx = int(f[-1])
    return rps, p99, non2xx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mockd", default="build/mockd")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", default="5s")
    ap.add_argument("--connections", type=int, default=32)
    a = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench: wrk is missing (apt-get install wrk)")
    work = tempfile.mkdtemp(prefix="mockd-validate-bench-")
    with open(os.path.join(work, "mocks.json"), "w") as f:
        json.dump(MOCKS, f)
    with open(os.path.join(work, "spec.json"), "w") as f:
        json.dump(SPEC, f)
    scripts = {}
    for name, lua in (("get", GET_LUA), ("post", POST_LUA)):
        scripts[name] = os.path.join(work, name + ".lua")
        with open(scripts[name], "w") as f:
            f.write(lua)
    server_pin, client_pin = pins()
    configs = {"without": [], "with": ["--validate-spec", os.path.join(work, "spec.json"),
                                       "--validate-fail"]}
    results = {(load, cfg): [] for load in scripts for cfg in configs}
    try:
        for _ in range(a.rounds):
            for cfg, extra in configs.items():
                proc, port = start(a.mockd, work, extra, server_pin)
                try:
                    for load, script in scripts.items():
                        url = f"http://127.0.0.1:{port}/orders?limit=20&status=open"
                        rps, p99, non2xx = wrk(client_pin, url, script, a.duration,
                                               a.connections)
                        if non2xx:
                            raise SystemExit(f"{cfg} {load}: {non2xx} answers were not 2xx")
                        results[(load, cfg)].append((rps, p99))
                finally:
                    proc.terminate()
                    proc.wait(timeout=10)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("| load | without the check (req/s, p99) | with --validate-spec (req/s, p99) | ratio |")
    print("|---|---|---|---|")
    for load in scripts:
        base = statistics.median(r for r, _ in results[(load, "without")])
        base99 = statistics.median(p for _, p in results[(load, "without")])
        got = statistics.median(r for r, _ in results[(load, "with")])
        got99 = statistics.median(p for _, p in results[(load, "with")])
        print(f"| {load.upper()} /orders | {base:,.0f}, {base99:.0f} µs | {got:,.0f}, "
              f"{got99:.0f} µs | {got / base:.2f} |")


if __name__ == "__main__":
    main()
