#!/usr/bin/env python3
"""Idle streams: what N open SSE streams and N open WebSockets cost the server.

Starts `mockd start` with an SSE mock (a keep-alive every 15 s, its one event an hour away) and
a WebSocket echo mock, opens N connections of each from this process (raw sockets, no client
library: each stays idle once its handshake is read), and reports the server's resident memory
and thread count before and with them open.

usage: bench/streams_idle.py [--mockd build/mockd] [--count 10000] [--markdown]
                             [--max-log-entries N]
"""

import argparse
import base64
import json
import os
import resource
import selectors
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def open_all(port, count, request, until):
    """Opens `count` connections sending `request`, each read until `until` arrives."""
    socks, sel = [], selectors.DefaultSelector()
    for i in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.setblocking(False)
        s.sendall(request(i))
        sel.register(s, selectors.EVENT_READ, [b""])
        socks.append(s)
    pending = len(socks)
    deadline = time.monotonic() + 120
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            got = key.data
            try:
                chunk = key.fileobj.recv(4096)
            except BlockingIOError:
                continue
            if not chunk:
                raise SystemExit("streams-idle: a connection closed during its handshake")
            got[0] += chunk
            if until in got[0]:
                sel.unregister(key.fileobj)
                pending -= 1
    if pending:
        raise SystemExit(f"streams-idle: {pending} connections never got their handshake")
    return socks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mockd", default=os.path.join(HERE, "..", "build", "mockd"))
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--max-log-entries", type=int, default=None,
                    help="the server's request log size (default: mockd's own default)")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < args.count + 100:
        raise SystemExit(f"streams-idle: the open-file limit ({hard}) is below --count")
    work = tempfile.mkdtemp(prefix="mockd-streams-idle-")
    config = os.path.join(work, "mocks.json")
    with open(config, "w") as f:
        json.dump({"mocks": [
            {"id": "feed", "type": "http", "http": {
                "matcher": {"method": "GET", "path": "/feed"},
                "sse": {"events": [{"data": "late", "delay": 3600000}],
                        "lifecycle": {"keepaliveInterval": 15}}}},
            {"id": "echo", "type": "websocket", "websocket": {"path": "/echo"}}]}, f)
    n = args.count
    key = base64.b64encode(b"0123456789abcdef").decode()
    kinds = [
        (f"{n:,} idle SSE streams", lambda i: b"GET /feed HTTP/1.1\r\nHost: x\r\n\r\n",
         b"retry:3000"),
        (f"{n:,} idle WebSockets", lambda i: (
            "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode(),
         b"\r\n\r\n"),
    ]
    log_flags = ([] if args.max_log_entries is None
                 else ["--max-log-entries", str(args.max_log_entries)])
    rows = []
    for name, request, until in kinds:  # each on a fresh server
        port, admin = free_port(), free_port()
        server = subprocess.Popen([args.mockd, "start", "--config", config, "--port", str(port),
                                   "--admin-port", str(admin), "--data-dir", work,
                                   "--pid-file", os.path.join(work, "pid"), "--log-level", "warn",
                                   "--max-connections", str(n + 100),
                                   "--max-sse-connections", str(n),
                                   *log_flags])
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port)).close()
                    break
                except OSError:
                    time.sleep(0.05)
            time.sleep(0.2)
            base_rss, base_threads = status(server.pid, "VmRSS"), status(server.pid, "Threads")
            socks = open_all(port, n, request, until)
            time.sleep(1)
            rss, threads = status(server.pid, "VmRSS"), status(server.pid, "Threads")
            rows.append((name, base_rss, rss, base_threads, threads))
            for s in socks:
                s.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    if args.markdown:
        print("| connections | RSS before (MB) | RSS with them (MB) | growth (MB) | KB each | "
              "threads before | threads with them |")
        print("|---|---|---|---|---|---|---|")
    for name, before, after, t0, t1 in rows:
        growth = (after - before) / 1024
        each = (after - before) / n
        if args.markdown:
            print(f"| {name} | {before / 1024:.1f} | {after / 1024:.1f} | {growth:.1f} | "
                  f"{each:.1f} | {t0} | {t1} |")
        else:
            print(f"{name}: RSS {before / 1024:.1f} -> {after / 1024:.1f} MB "
                  f"(+{growth:.1f} MB, {each:.1f} KB each), threads {t0} -> {t1}")


if __name__ == "__main__":
    sys.exit(main())
