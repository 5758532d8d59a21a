#!/usr/bin/python3
"""Soak test: mixed traffic against `mockd start` for a long time, with admin changes and hot
reloads every second. Fails on any answer the traffic did not ask for, on RSS growth, on a crash,
and (for an ASan build) on a leak reported at exit.

  scripts/soak.py [--binary build/mockd] [--minutes 30] [--rss-growth-mb 20] [--sanitized]

Traffic, from 6 client threads on keep-alive connections:
  - a static mock, a templated one with a path parameter, a JSON body matched by JSONPath;
  - table create/get/delete through bound mocks;
  - unmatched requests (404 with near misses), pipelined batches of 16;
  - the admin API: a mock created, updated and deleted every second, the request log read;
  - a file in the --load directory rewritten every second (hot reload by --watch).
RSS is sampled every 5 s; growth is measured from the end of the first fifth of the run (the
request log fills up to its bound first) to the end.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CONFIG = """\
version: "1.0"
tables:
  - name: items
    seedData: [{ id: seed, name: seeded }]
mocks:
  - id: static
    http: { matcher: { method: GET, path: /soak/static }, response: { statusCode: 200, body: ok } }
  - id: templated
    http:
      matcher: { method: GET, path: "/soak/users/{id}" }
      response: { statusCode: 200, body: '{"id": "{{request.pathParam.id}}", "n": {{random.int(1, 9)}}}' }
  - id: body
    http:
      matcher: { method: POST, path: /soak/orders, bodyJsonPath: { "$.qty": 2 } }
      response: { statusCode: 201, body: '{"accepted": true}' }
  - id: item-create
    http: { matcher: { method: POST, path: /soak/items } }
  - id: item-get
    http: { matcher: { method: GET, path: "/soak/items/{id}" } }
  - id: item-delete
    http: { matcher: { method: DELETE, path: "/soak/items/{id}" } }
extend:
  - { mock: item-create, table: items, action: create }
  - { mock: item-get, table: items, action: get }
  - { mock: item-delete, table: items, action: delete }
"""


class Failure(Exception):
    pass


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.errors = []

    def add(self, n=1):
        with self.lock:
            self.requests += n

    def error(self, what):
        with self.lock:
            if len(self.errors) < 20:
                self.errors.append(what)


def rss_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def expect(stats, what, resp, status, body_check=None):
    data = resp.read()
    if resp.status != status:
        stats.error(f"{what}: status {resp.status}, wanted {status}: {data[:200]!r}")
        return None
    if body_check and not body_check(data):
        stats.error(f"{what}: unexpected body {data[:200]!r}")
    stats.add()
    return data


def traffic(port, stats, stop, seed):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n = seed * 1_000_000
    while not stop.is_set():
        n += 1
        try:
            conn.request("GET", "/soak/static")
            expect(stats, "static", conn.getresponse(), 200, lambda b: b == b"ok")
            conn.request("GET", f"/soak/users/u{n}")
            expect(stats, "templated", conn.getresponse(), 200,
                   lambda b, n=n: json.loads(b)["id"] == f"u{n}")
            conn.request("POST", "/soak/orders", body='{"qty": 2}',
                         headers={"Content-Type": "application/json"})
            expect(stats, "body", conn.getresponse(), 201)
            conn.request("POST", "/soak/orders", body='{"qty": 3}',
                         headers={"Content-Type": "application/json"})
            expect(stats, "body near miss", conn.getresponse(), 404,
                   lambda b: b'"nearMisses"' in b)
            conn.request("GET", f"/unmatched/{n}")
            expect(stats, "unmatched", conn.getresponse(), 404)
            conn.request("POST", "/soak/items", body=json.dumps({"name": f"item {n}"}),
                         headers={"Content-Type": "application/json"})
            created = expect(stats, "table create", conn.getresponse(), 201)
            if created:
                item = json.loads(created)["id"]
                conn.request("GET", f"/soak/items/{item}")
                expect(stats, "table get", conn.getresponse(), 200)
                conn.request("DELETE", f"/soak/items/{item}")
                expect(stats, "table delete", conn.getresponse(), 204)
        except (OSError, http.client.HTTPException, ValueError, KeyError) as e:
            stats.error(f"traffic: {type(e).__name__}: {e}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.close()


def pipelined(port, stats, stop):
    batch = b"GET /soak/static HTTP/1.1\r\nHost: soak\r\n\r\n" * 16
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                for _ in range(50):
                    if stop.is_set():
                        break
                    s.sendall(batch)
                    got = b""
                    while got.count(b"\r\n\r\nok") < 16:
                        chunk = s.recv(65536)
                        if not chunk:
                            raise OSError("connection closed mid-batch")
                        got += chunk
                    if got.count(b"HTTP/1.1 200 OK") != 16:
                        stats.error(f"pipelined: {got[:200]!r}")
                    stats.add(16)
        except OSError as e:
            stats.error(f"pipelined: {e}")


def admin_changes(admin_port, stats, stop):
    conn = http.client.HTTPConnection("127.0.0.1", admin_port, timeout=10)
    i = 0
    while not stop.wait(1.0):
        i += 1
        mid = f"churn-{i}"
        mock = {"id": mid, "type": "http", "http": {
            "matcher": {"method": "GET", "path": f"/churn/{i}"},
            "response": {"statusCode": 200, "body": f"v1-{i}"}}}
        try:
            conn.request("POST", "/mocks", body=json.dumps(mock),
                         headers={"Content-Type": "application/json"})
            expect(stats, "admin create", conn.getresponse(), 201)
            mock["http"]["response"]["body"] = f"v2-{i}"
            conn.request("PUT", f"/mocks/{mid}", body=json.dumps(mock),
                         headers={"Content-Type": "application/json"})
            expect(stats, "admin update", conn.getresponse(), 200)
            conn.request("GET", "/requests?limit=5")
            expect(stats, "admin log", conn.getresponse(), 200)
            if i > 1:
                conn.request("DELETE", f"/mocks/churn-{i - 1}")
                expect(stats, "admin delete", conn.getresponse(), 204)
        except (OSError, http.client.HTTPException) as e:
            stats.error(f"admin: {e}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", admin_port, timeout=10)
    conn.close()


def reloads(load_dir, port, stats, stop):
    i = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while not stop.wait(1.0):
        i += 1
        doc = {"version": "1.0", "mocks": [{"id": "reloaded", "http": {
            "matcher": {"method": "GET", "path": "/soak/reloaded"},
            "response": {"statusCode": 200, "body": f"gen-{i}"}}}]}
        tmp = load_dir / "reloaded.json.tmp"
        tmp.write_text(json.dumps(doc))
        os.replace(tmp, load_dir / "reloaded.json")
        try:
            # Whatever generation is live, the mock answers: a reload never leaves a gap.
            conn.request("GET", "/soak/reloaded")
            expect(stats, "reloaded", conn.getresponse(), 200, lambda b: b.startswith(b"gen-"))
        except (OSError, http.client.HTTPException) as e:
            stats.error(f"reload: {e}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default="build/mockd")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--rss-growth-mb", type=float, default=20)
    ap.add_argument("--sanitized", action="store_true",
                    help="an ASan build: RSS is reported, not checked; leaks fail the run")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mockd-soak-"))
    load_dir = work / "load"
    load_dir.mkdir()
    (load_dir / "reloaded.json").write_text(json.dumps({"version": "1.0", "mocks": [
        {"id": "reloaded", "http": {"matcher": {"method": "GET", "path": "/soak/reloaded"},
                                    "response": {"statusCode": 200, "body": "gen-0"}}}]}))
    (work / "config.yaml").write_text(CONFIG)
    err_path = work / "stderr.txt"
    proc = subprocess.Popen(
        [args.binary, "start", "-p", "0", "-a", "0", "--no-auth", "--log-level", "info",
         "--data-dir", str(work / "data"), "--pid-file", str(work / "mockd.pid"),
         "--config", str(work / "config.yaml"), "--load", str(load_dir), "--watch"],
        stdout=subprocess.DEVNULL, stderr=open(err_path, "wb"))
    try:
        deadline = time.monotonic() + 30
        port = admin_port = None
        while time.monotonic() < deadline and not (port and admin_port):
            text = err_path.read_text(errors="replace")
            m, a = (re.search(r"mock server on http://localhost:(\d+)", text),
                    re.search(r"admin API on http://localhost:(\d+)", text))
            port, admin_port = (int(m.group(1)) if m else None), (int(a.group(1)) if a else None)
            if proc.poll() is not None:
                raise Failure(f"mockd exited at start: {text}")
            time.sleep(0.05)
        if not port:
            raise Failure("mockd did not start in 30 s")

        stats, stop = Stats(), threading.Event()
        threads = [threading.Thread(target=traffic, args=(port, stats, stop, i)) for i in range(4)]
        threads.append(threading.Thread(target=pipelined, args=(port, stats, stop)))
        threads.append(threading.Thread(target=pipelined, args=(port, stats, stop)))
        threads.append(threading.Thread(target=admin_changes, args=(admin_port, stats, stop)))
        threads.append(threading.Thread(target=reloads, args=(load_dir, port, stats, stop)))
        for t in threads:
            t.start()
        start = time.monotonic()
        total = args.minutes * 60
        samples = []
        baseline = None
        while time.monotonic() - start < total:
            time.sleep(min(5, max(0.1, total - (time.monotonic() - start))))
            if proc.poll() is not None:
                stop.set()
                raise Failure(f"mockd exited during the run with {proc.returncode}")
            elapsed = time.monotonic() - start
            samples.append((elapsed, rss_kb(proc.pid), stats.requests))
            if baseline is None and elapsed >= total / 5:
                baseline = samples[-1]
            print(f"soak: {elapsed:6.0f} s  {stats.requests:9d} requests  RSS {samples[-1][1]} kB",
                  flush=True)
        stop.set()
        for t in threads:
            t.join(30)
        end = samples[-1]
        baseline = baseline or samples[0]
        growth_mb = (end[1] - baseline[1]) / 1024
        print(f"soak: {args.minutes:g} min, {stats.requests} requests "
              f"({stats.requests / max(1, end[0]):.0f}/s), RSS {samples[0][1]} kB at "
              f"{samples[0][0]:.0f} s, {baseline[1]} kB at {baseline[0]:.0f} s, {end[1]} kB at "
              f"the end ({growth_mb:+.1f} MB)")
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(60)
        text = err_path.read_text(errors="replace")
        problems = list(stats.errors)
        if rc != 0:
            problems.append(f"mockd exited with {rc} on SIGTERM")
        if "LeakSanitizer" in text or "AddressSanitizer" in text or "runtime error:" in text:
            problems.append("sanitizer report:\n" + text[-4000:])
        if not args.sanitized and growth_mb > args.rss_growth_mb:
            problems.append(f"RSS grew by {growth_mb:.1f} MB (limit {args.rss_growth_mb} MB)")
        if stats.requests < 1000:
            problems.append(f"only {stats.requests} requests were served")
        if problems:
            raise Failure("\n".join(problems))
        print("soak: passed")
    finally:
        if proc.poll() is None:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"soak: FAILED\n{e}", file=sys.stderr)
        sys.exit(1)
