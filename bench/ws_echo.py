#!/usr/bin/env python3
"""WebSocket echo: messages/s of a `type: websocket` echo mock against the ceiling, a minimal
Boost.Beast echo server (bench/ws/echo_server.cpp), both on one thread and driven by the same
Beast load client (bench/ws/load.cpp; wrk speaks no WebSocket): 64 connections, each sending a
small text message and waiting for its answer. Rounds alternate between the servers; the table
gives each round and the median ratio. A second mockd row answers through a JSON matcher with a
templated reply, the work a real mock does.

usage: bench/ws_echo.py [--mockd build/mockd] [--connections 64] [--seconds 5] [--rounds 3]
                        [--markdown]
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(out_dir):
    """Compiles the two helpers (optimised as the release build is) when their source is newer."""
    os.makedirs(out_dir, exist_ok=True)
    for name in ("echo_server", "load"):
        src, exe = os.path.join(HERE, "ws", name + ".cpp"), os.path.join(out_dir, name)
        if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
            print(f"ws-echo: building {name}", file=sys.stderr)
            subprocess.run(["g++", "-std=c++20", "-O2", "-o", exe, src, "-pthread"], check=True)
    return os.path.join(out_dir, "echo_server"), os.path.join(out_dir, "load")


def wait_port(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"ws-echo: nothing listens on {port}")


def drive(load, port, path, args, expected=None):
    cmd = [load, "127.0.0.1", str(port), path, str(args.connections), str(args.seconds)]
    if expected:
        cmd += ['{"type":"ping","seq":1}', expected]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=args.seconds * 3 + 30)
    if r.returncode != 0:
        raise SystemExit(f"ws-echo: the load client failed: {r.stdout} {r.stderr}")
    return json.loads(r.stdout)


def run_server(cmd, port):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_port(port)
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mockd", default=os.path.join(ROOT, "build", "mockd"))
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    echo_server, load = build(os.path.join(os.path.dirname(os.path.abspath(args.mockd)), "bench-ws"))
    work = tempfile.mkdtemp(prefix="mockd-ws-echo-")
    config = os.path.join(work, "mocks.json")
    with open(config, "w") as f:
        json.dump({"mocks": [
            {"id": "echo", "type": "websocket", "websocket": {"path": "/echo"}},
            {"id": "rpc", "type": "websocket", "websocket": {"path": "/rpc", "matchers": [
                {"match": {"type": "json", "path": "$.type", "value": "ping"},
                 "response": {"type": "json",
                              "value": {"type": "pong", "seq": "{{request.body.seq}}"}}}]}}]}, f)
    results = {"ceiling": [], "echo": [], "rpc": []}
    for _ in range(args.rounds):
        port = free_port()
        p = run_server([echo_server, str(port), "1"], port)
        try:
            results["ceiling"].append(drive(load, port, "/echo", args))
        finally:
            p.terminate()
            p.wait(timeout=10)
        port = free_port()
        p = run_server([args.mockd, "engine", "-c", config, "--port", str(port), "--workers", "1",
                        "--log-level", "warn"], port)
        try:
            results["echo"].append(drive(load, port, "/echo", args))
            results["rpc"].append(drive(load, port, "/rpc", args, '{"seq":"1","type":"pong"}'))
        finally:
            p.terminate()
            p.wait(timeout=10)
    rate = {k: [r["messagesPerSecond"] for r in v] for k, v in results.items()}
    ratios = {k: statistics.median(a / c for a, c in zip(rate[k], rate["ceiling"]))
              for k in ("echo", "rpc")}
    rows = [("Beast echo server (ceiling)", "ceiling", None),
            ("mockd, echo mock", "echo", ratios["echo"]),
            ("mockd, JSON matcher + templated reply", "rpc", ratios["rpc"])]
    if args.markdown:
        print(f"| server ({args.connections} connections, 1 thread) | messages/s per round | "
              "p50 / p99 (µs, last round) | x ceiling (median) |")
        print("|---|---|---|---|")
    for label, key, ratio in rows:
        per_round = ", ".join(f"{r:,.0f}" for r in rate[key])
        last = results[key][-1]
        x = "1.00" if ratio is None else f"{ratio:.2f}"
        if args.markdown:
            print(f"| {label} | {per_round} | {last['p50us']} / {last['p99us']} | {x} |")
        else:
            print(f"{label}: {per_round} msg/s; p50 {last['p50us']} µs, p99 {last['p99us']} µs; "
                  f"x ceiling {x}")
    if ratios["echo"] < 0.8:
        print(f"ws-echo: echo at {ratios['echo']:.2f}x the ceiling, below 0.8x", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
