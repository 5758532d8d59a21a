#!/usr/bin/env python3
"""Admin writes at scale: mocks created one by one over the admin API, as a test suite's
beforeEach or a WireMock client per stub creates them, and the time each create (and, at the
end, each delete) takes as the set grows. One run on this machine, for `mockd start` (POST
/mocks on the admin port, with its store), `mockd wiremock` (POST /__admin/mappings) and the
WireMock jar in the same run.

Each create is timed alone, over one keep-alive connection, and reported as the mean of the
100 creates before each checkpoint (1,000, 5,000 and 10,000 mocks by default); deletes are the
mean of 100 deletes once every mock is in.

With --serving, it measures serving while writing instead: wrk on a static mock of a server
holding --count mocks, in rounds that alternate wrk alone and wrk under an admin load (so the
machine's drift cancels out): creates one by one at 500 a second (a busy test suite's pace) and
as fast as one client can, and one bulk call of --count mocks; for each, the median share of
wrk's throughput alone and the requests wrk lost (socket errors, timeouts, statuses other than
200). The same client only reading (GET of one mock) at the same pace is the ceiling in the same
run: what a client's calls cost a 2-core machine, whatever they do. Informational: nothing here
fails a build.

Usage: bench/admin_writes.py [--mockd build/mockd] [--count 10000] [--servers start,wiremock,jar]
                             [--checkpoints 1000,5000,10000] [--serving [--seconds 3] [--rounds 3]]
                             [--loads reads500,creates500,reads,creates,bulk]
                             [--markdown] [--output FILE]
"""
import argparse
import http.client
import json
import os
import re
import statistics
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from suite import Server, free_port  # noqa: E402  (the suite's helpers, beside this file)
WINDOW = 100
LABEL = {"start": "mockd start (POST /mocks, store)", "wiremock": "mockd wiremock",
         "jar": "WireMock 3.13.2 jar"}


def log(msg):
    print(f"admin-writes: {msg}", file=sys.stderr, flush=True)


class Admin:
    """A server process (the suite's Server) and the keep-alive admin connection the creates
    go over."""

    def __init__(self, kind, argv, admin_port, health, work, port):
        self.kind, self.admin_port, self.port = kind, admin_port, port
        self.server = Server(kind, kind, argv, admin_port, health, work, None)
        self.conn = None

    def start(self):
        self.server.start()

    def stop(self):
        self.server.stop()

    def request(self, method, path, body=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=60)
        # bytes: a body the caller encoded beforehand (outside a measured window)
        data = body if isinstance(body, bytes) else \
            json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        try:
            self.conn.request(method, path, body=data, headers=headers)
            r = self.conn.getresponse()
            return r.status, r.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = None
            raise


def create_request(kind, i):
    """The admin call that adds mock number i, and how to read its id from the answer."""
    path = f"/w/{i}/item"
    if kind == "start":
        return "/mocks", {"type": "http", "http": {"matcher": {"method": "GET", "path": path},
                                                   "response": {"statusCode": 200, "body": "ok"}}}
    return "/__admin/mappings", {"request": {"method": "GET", "url": path},
                                 "response": {"status": 200, "body": "ok"}}


def delete_path(kind, mock_id):
    return f"/mocks/{mock_id}" if kind == "start" else f"/__admin/mappings/{mock_id}"


def server_for(kind, args, work):
    port, admin = free_port(), free_port()
    if kind == "start":
        data = os.path.join(work, "start-data")
        argv = [args.mockd, "start", "--port", str(port), "--admin-port", str(admin),
                "--data-dir", data, "--pid-file", os.path.join(work, "start.pid"),
                "--log-level", "warn"]
        return Admin(kind, argv, admin, "/health", work, port)
    root = os.path.join(work, kind + "-root")
    os.makedirs(os.path.join(root, "mappings"), exist_ok=True)
    if kind == "wiremock":
        argv = [args.mockd, "wiremock", "--port", str(port), "--root-dir", root,
                "--disable-banner"]
    else:
        argv = ["java"] + args.jvm_opts.split() + ["-jar", args.jar, "--port", str(port),
                                                   "--root-dir", root, "--disable-banner"]
    return Admin(kind, argv, port, "/__admin/health", work, port)


def measure(server, kind, count, checkpoints):
    """Creates `count` mocks one by one; returns {checkpoint: mean ms}, and the mean ms of
    WINDOW deletes at the full count."""
    creates, ids = {}, []
    window = []
    for i in range(1, count + 1):
        path, body = create_request(kind, i)
        t0 = time.perf_counter()
        status, answer = server.request("POST", path, body)
        window.append(time.perf_counter() - t0)
        if status not in (200, 201):
            raise SystemExit(f"admin-writes: {kind}: create {i} answered {status}: {answer[:200]}")
        ids.append(json.loads(answer)["id"])
        window = window[-WINDOW:]
        if i in checkpoints:
            creates[i] = 1000 * sum(window) / len(window)
            log(f"{kind}: {i} mocks, {creates[i]:.2f} ms per create")
    took = []
    for mock_id in ids[-WINDOW:]:
        t0 = time.perf_counter()
        status, answer = server.request("DELETE", delete_path(kind, mock_id))
        took.append(time.perf_counter() - t0)
        if status not in (200, 204):
            raise SystemExit(f"admin-writes: {kind}: delete answered {status}: {answer[:200]}")
    return creates, 1000 * sum(took) / len(took)


def bulk_request(kind, first, count):
    """One admin call that adds mocks first..first+count-1."""
    items = [create_request(kind, i)[1] for i in range(first, first + count)]
    if kind == "start":
        return "/mocks/bulk", items
    return "/__admin/mappings/import", {"mappings": items}


def wrk(url, secs):
    """Runs wrk on url; returns (requests/s, lost requests)."""
    out = subprocess.run(["wrk", "-t1", "-c16", f"-d{secs}s", url], check=True,
                         capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lost = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        lost += sum(int(g) for g in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        lost += int(m.group(1))
    return rps, lost


def while_running(secs, url, load):
    """wrk on url for secs while load(stop) runs on this thread; returns (rps, lost, calls)."""
    result = {}
    t = threading.Thread(target=lambda: result.update(zip(("rps", "lost"), wrk(url, secs))))
    t.start()
    calls = load(t.is_alive)
    t.join()
    return result["rps"], result["lost"], calls


def serving(server, kind, count, secs, rounds, only=None):
    """Serving while writing: wrk's throughput under each admin load, against wrk alone in the
    rounds around it (alone and loaded alternate, so the machine's drift cancels out)."""
    static_path, static_body = ("/mocks", {"type": "http", "http": {
        "matcher": {"method": "GET", "path": "/static"},
        "response": {"statusCode": 200, "body": "ok"}}}) if kind == "start" else \
        ("/__admin/mappings", {"request": {"method": "GET", "url": "/static"},
                               "response": {"status": 200, "body": "ok"}})
    status, answer = server.request("POST", static_path, static_body)
    static_id = json.loads(answer)["id"]
    next_id = 1
    while next_id <= count:  # the set the writes go into
        n = min(1000, count - next_id + 1)
        path, body = bulk_request(kind, next_id, n)
        status, answer = server.request("POST", path, body)
        if status not in (200, 201):
            raise SystemExit(f"admin-writes: {kind}: bulk create answered {status}: {answer[:200]}")
        next_id += n
    url = f"http://127.0.0.1:{server.port}/static"
    wrk(url, 1)  # warm-up
    read_path = f"/mocks/{static_id}" if kind == "start" else f"/__admin/mappings/{static_id}"

    def read(_):
        server.request("GET", read_path)

    def create(_):
        nonlocal next_id
        path, body = create_request(kind, next_id)
        status, answer = server.request("POST", path, body)
        if status not in (200, 201):
            raise SystemExit(f"admin-writes: {kind}: create answered {status}")
        next_id += 1

    def repeat(call, rate=None):
        def load(alive):
            n, t0 = 0, time.perf_counter()
            while alive():
                call(n)
                n += 1
                if rate and (wait := t0 + n / rate - time.perf_counter()) > 0:
                    time.sleep(wait)
            return n
        return load

    bulk_ms = []
    # The client's part of a bulk (building and encoding 10,000 mocks) is done before the
    # rounds: the window measures what the server's work costs serving, not the client's.
    bulks = []
    for r in range(rounds):
        path, body = bulk_request(kind, next_id + (r + 1) * count, count)
        bulks.append((path, json.dumps(body).encode()))

    def one_bulk(alive):
        nonlocal next_id
        path, body = bulks[len(bulk_ms)]
        t0 = time.perf_counter()
        status, answer = server.request("POST", path, body)
        bulk_ms.append(1000 * (time.perf_counter() - t0))
        if status not in (200, 201):
            raise SystemExit(f"admin-writes: {kind}: bulk create answered {status}")
        next_id += count
        while alive():
            time.sleep(0.01)
        return count

    loads = [("reads, 500 a second", repeat(read, 500), "reads"),
             ("creates, 500 a second", repeat(create, 500), "creates"),
             ("reads, as fast as one client can", repeat(read), "reads"),
             ("creates, as fast as one client can", repeat(create), "creates"),
             (f"one bulk create of {count:,} mocks", one_bulk, "mocks")]
    if only:
        keys = ["reads500", "creates500", "reads", "creates", "bulk"]
        loads = [load for key, load in zip(keys, loads) if key in only]
    rows = []
    for name, load, unit in loads:
        alone, loaded, shares, lost, calls = [], [], [], 0, 0
        for _ in range(rounds):
            rps0, lost0 = wrk(url, secs)
            rps1, lost1, n = while_running(secs, url, load)
            alone.append(rps0)
            loaded.append(rps1)
            shares.append(rps1 / rps0)
            lost += lost0 + lost1
            calls += n
        share = statistics.median(shares)
        per = f"{calls // rounds:,} {unit} in {statistics.median(bulk_ms):,.0f} ms" \
            if unit == "mocks" else f"{calls / rounds / secs:,.0f} {unit}/s"
        rows.append((name, statistics.median(alone), statistics.median(loaded), share, lost, per))
        log(f"{kind}: {name}: {statistics.median(loaded):,.0f} requests/s, "
            f"{100 * share:.0f}% of alone, {lost} lost, {per}")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mockd", default=os.path.join(ROOT, "build", "mockd"))
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--servers", default="start,wiremock,jar")
    ap.add_argument("--checkpoints", default="1000,5000,10000")
    ap.add_argument("--jvm-opts", default="")
    ap.add_argument("--serving", action="store_true")
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--loads", default="reads500,creates500,reads,creates,bulk",
                    help="with --serving: which admin loads to run")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--output")
    args = ap.parse_args()
    kinds = [k for k in args.servers.split(",") if k]
    checkpoints = sorted({int(c) for c in args.checkpoints.split(",") if int(c) <= args.count})
    if not checkpoints or checkpoints[-1] != args.count:
        checkpoints.append(args.count)
    args.jar = None
    if "jar" in kinds:
        try:
            args.jar = subprocess.run(["bash", os.path.join(ROOT, "scripts/wiremock-jar.sh")],
                                      check=True, capture_output=True, text=True).stdout.strip()
        except subprocess.CalledProcessError as e:
            log(f"no WireMock jar ({e.stderr.strip()}); its row is skipped")
            kinds.remove("jar")
    work = tempfile.mkdtemp(prefix="mockd-admin-writes-")
    rows = []
    try:
        for kind in kinds:
            server = server_for(kind, args, work)
            log(f"starting {kind}")
            server.start()
            try:
                if args.serving:
                    rows.append((kind, serving(server, kind, args.count, args.seconds, args.rounds,
                                                        args.loads.split(","))))
                else:
                    creates, delete_ms = measure(server, kind, args.count, set(checkpoints))
                    rows.append((kind, creates, delete_ms))
            finally:
                server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.serving:
        lines = [f"| server ({args.count:,} mocks) | admin load | wrk alone (requests/s) | "
                 "wrk loaded (requests/s) | loaded / alone | lost | load |",
                 "|---|---|---|---|---|---|---|"]
        for kind, result in rows:
            for name, alone, loaded, share, lost, per in result:
                lines.append(f"| {LABEL[kind]} | {name} | {alone:,.0f} | {loaded:,.0f} | "
                             f"{100 * share:.0f}% | {lost} | {per} |")
    else:
        head = "| server | " + " | ".join(f"ms per create at {c:,}" for c in checkpoints) + \
            f" | ms per delete at {args.count:,} |"
        lines = [head, "|---" * (len(checkpoints) + 2) + "|"]
        for kind, creates, delete_ms in rows:
            lines.append(f"| {LABEL[kind]} | " +
                         " | ".join(f"{creates[c]:.2f}" for c in checkpoints) +
                         f" | {delete_ms:.2f} |")
    text = "\n".join(lines) + "\n"
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    print(text if args.markdown else text.replace("|", " "))


if __name__ == "__main__":
    main()
