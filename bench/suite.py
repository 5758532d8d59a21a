#!/usr/bin/env python3
"""mockd's benchmark suite (issue 8): one run on this machine, wrk on loopback, every case against
`mockd engine` (and `mockd wiremock` where it applies), nginx (one worker) and the WireMock 3.13.2
jar, then one table of requests/s, p50, p99 and the ratios vs nginx and vs WireMock, start-up
times, RSS, and the targets of SPEC.md section 8 (informational: nothing here fails a build).

Servers run pinned to core 0 and wrk to core 1 (when taskset and two cores allow); mockd runs one
worker (`mockd wiremock` has no --workers flag: it runs one per core it counts), nginx one worker
process, the JVM is pinned like the others and gets a warm-up run before every case.

Usage: bench/suite.py [--mockd build/mockd] [--duration 10s] [--quick] [--cases LIST] ...
(see --help). `make bench` runs it with the defaults; `make bench-quick` with --quick.
"""
import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ALL_CASES = ["static", "10k", "unmatched", "templated", "table-get", "table-create",
             "pipeline", "c1000", "startup", "rss"]
IMPLS = ["nginx", "engine", "wiremock", "jar"]
IMPL_LABEL = {"nginx": "nginx (1 worker)", "engine": "mockd engine", "wiremock": "mockd wiremock",
              "jar": "WireMock 3.13.2 jar"}
CASE_LABEL = {
    "static": "1. static stub",
    "10k": "2. 10k stubs, last-added",
    "unmatched": "3. unmatched among 10k",
    "templated": "4. templated response",
    "table-get": "5a. table get",
    "table-create": "5b. table create (POST)",
    "pipeline": "6. pipelined, 16 per write",
    "c1000": "7. 1,000 connections",
}
TEMPLATED_PATH = "/api/users/42?q=bench"


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def seconds(d):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)?", d)
    if not m:
        raise SystemExit(f"bench: bad duration {d!r} (e.g. 10s, 500ms, 1m)")
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "ms" else v * 60 if m.group(2) == "m" else v


def http_get(url, method="GET", body=None, headers=None, timeout=10):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Server:
    """One server process (nginx, mockd in a mode, or the jar) on a free loopback port."""

    def __init__(self, impl, name, argv, port, health, work, pin, env=None):
        self.impl, self.name, self.argv, self.port, self.health = impl, name, argv, port, health
        self.log_path = os.path.join(work, f"{name}.log")
        self.pin, self.env = pin, env
        self.proc = None
        self.base = f"http://127.0.0.1:{port}"

    def start(self, timeout=120):
        argv = (self.pin + self.argv) if self.pin else self.argv
        self.logf = open(self.log_path, "w")
        self.proc = subprocess.Popen(argv, stdout=self.logf, stderr=subprocess.STDOUT,
                                     env=self.env, start_new_session=True)
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: {self.name} exited with {self.proc.returncode}; "
                                 f"see {self.log_path}:\n{open(self.log_path).read()[-2000:]}")
            try:
                status, _ = http_get(self.base + self.health, timeout=2)
                if status == 200:
                    return time.monotonic() - t0
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.02)
        raise SystemExit(f"bench: {self.name} did not come up in {timeout}s")

    @property
    def pid(self):
        # The pinned process is exec'd by taskset, so the pid is the server's own.
        return self.proc.pid

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.logf.close()
        self.proc = None


class Suite:
    def __init__(self, a):
        self.a = a
        self.work = tempfile.mkdtemp(prefix="mockd-bench-")
        self.servers = []
        self.rows = []  # dicts: case, impl, rps, p50, p99, errors, note
        self.startup = []  # dicts: what, impl, mean_ms, sd_ms, min_ms, runs, tool
        self.memory = []  # dicts: what, impl, kb, note
        self.notes = []
        two = shutil.which("taskset") and (os.cpu_count() or 1) >= 2 and not a.no_pin
        self.server_pin = ["taskset", "-c", "0"] if two else []
        self.client_pin = ["taskset", "-c", "1"] if two else []
        self.duration = a.duration
        self.conns = a.connections
        gen = subprocess.run([sys.executable, os.path.join(HERE, "gen_stubs.py"), self.work,
                              "--count", str(a.stubs)], check=True, capture_output=True, text=True)
        paths = json.loads(gen.stdout)
        self.last_path, self.miss_path = paths["last"], paths["miss"]
        self.jar = None
        if "jar" in a.impls:
            try:
                self.jar = subprocess.run(["bash", os.path.join(ROOT, "scripts/wiremock-jar.sh")],
                                          check=True, capture_output=True, text=True).stdout.strip()
            except subprocess.CalledProcessError as e:
                log(f"no WireMock jar ({e.stderr.strip()}); its rows are skipped")
                a.impls = [i for i in a.impls if i != "jar"]
        self.nginx_bin = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        if "nginx" in a.impls and not self.nginx_bin:
            log("nginx is missing (apt-get install nginx-light); its rows are skipped")
            a.impls = [i for i in a.impls if i != "nginx"]
        if not shutil.which("wrk"):
            raise SystemExit("bench: wrk is missing (apt-get install wrk)")

    # ---- servers -------------------------------------------------------------------------
    def nginx(self):
        port = free_port()
        d = os.path.join(self.work, "nginx")
        os.makedirs(os.path.join(d, "logs"), exist_ok=True)
        body = '{"message":"hello"}'
        conf = f"""worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/logs/error.log;
worker_rlimit_nofile 8192;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path {d}; proxy_temp_path {d}; fastcgi_temp_path {d};
  uwsgi_temp_path {d}; scgi_temp_path {d};
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{ default_type application/json; return 200 '{body}'; }}
  }}
}}
"""
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)
        return Server("nginx", "nginx", [self.nginx_bin, "-p", d, "-c", os.path.join(d, "nginx.conf")],
                      port, "/health", self.work, self.server_pin)

    def engine(self, config, name, mode="engine", extra=()):
        port = free_port()
        argv = [self.a.mockd, mode, "--config", os.path.join(self.work, config), "--port", str(port),
                "--workers", "1"]
        if mode == "start":
            argv += ["--admin-port", str(free_port()), "--data-dir", os.path.join(self.work, name + "-data"),
                     "--pid-file", os.path.join(self.work, name + ".pid"), "--log-level", "warn"]
        return Server("engine", name, argv + list(extra), port, "/health", self.work, self.server_pin)

    def mockd_wiremock(self, root, name, journal=False):
        port = free_port()
        argv = [self.a.mockd, "wiremock", "--port", str(port), "--root-dir", os.path.join(self.work, root),
                "--disable-banner"] + ([] if journal else ["--no-request-journal"])
        return Server("wiremock", name, argv, port, "/__admin/health", self.work, self.server_pin)

    def jar_server(self, root, name, journal=False):
        port = free_port()
        argv = ["java"] + self.a.jvm_opts.split() + ["-jar", self.jar, "--port", str(port), "--root-dir",
                                                     os.path.join(self.work, root), "--disable-banner"]
        if not journal:
            argv.append("--no-request-journal")
        return Server("jar", name, argv, port, "/__admin/health", self.work, self.server_pin)

    def up(self, server):
        log(f"starting {server.name}")
        server.start()
        self.servers.append(server)
        return server

    def down(self, server):
        server.stop()
        if server in self.servers:
            self.servers.remove(server)

    # ---- wrk ------------------------------------------------------------------------------
    def wrk(self, url, duration, conns=None, script=None, script_args=(), timeout="10s"):
        conns = conns or self.conns
        argv = self.client_pin + ["wrk", "-t1", f"-c{conns}", f"-d{duration}", "--latency",
                                  f"--timeout={timeout}"]
        if script:
            argv += ["-s", os.path.join(HERE, script)]
        argv.append(url)
        if script_args:
            argv += ["--"] + [str(x) for x in script_args]
        out = subprocess.run(argv, capture_output=True, text=True).stdout
        res = {"rps": None, "p50": None, "p99": None, "errors": 0, "non2xx": 0, "requests": 0}
        for line in out.splitlines():
            f = line.split()
            if line.startswith("Requests/sec:"):
                res["rps"] = float(f[1])
            elif f and f[0] == "50%":
                res["p50"] = us(f[1])
            elif f and f[0] == "99%":
                res["p99"] = us(f[1])
            elif "Non-2xx or 3xx responses:" in line:
                res["non2xx"] = int(f[-1])
            elif line.strip().startswith("Socket errors:"):
                res["errors"] = sum(int(x) for x in re.findall(r"\d+", line))
            elif re.match(r"\s*\d+ requests in", line):
                res["requests"] = int(f[0])
        if res["rps"] is None:
            log(f"wrk gave no figures for {url}:\n{out}")
        return res

    def wrk_count(self, url, n, limit_s=900):
        """About n requests (bench/count_stop.lua), however long they take (up to limit_s)."""
        marker = os.path.join(self.work, "count.done")
        if os.path.exists(marker):
            os.remove(marker)
        argv = self.client_pin + ["wrk", "-t1", f"-c{self.conns}", f"-d{limit_s}s", "--latency",
                                  "--timeout=10s", "-s", os.path.join(HERE, "count_stop.lua"), url,
                                  "--", str(n), marker]
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        while p.poll() is None and not os.path.exists(marker):
            time.sleep(0.1)
        if p.poll() is None:
            p.send_signal(signal.SIGINT)  # wrk prints its figures on SIGINT
        out = p.communicate()[0]
        m = re.search(r"(\d+) requests in", out)
        res = {"requests": int(m.group(1)) if m else 0, "non2xx": 0, "errors": 0}
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if m:
            res["non2xx"] = int(m.group(1))
        m = re.search(r"Socket errors: (.*)", out)
        if m:
            res["errors"] = sum(int(x) for x in re.findall(r"\d+", m.group(1)))
        return res

    def measure(self, case, impl, url, expect_non2xx=False, warm=None, **kw):
        warm = warm if warm is not None else (self.a.jar_warmup if impl == "jar" else self.a.warmup)
        if warm and seconds(warm) > 0:
            w = self.wrk(url, warm, **kw)
            # wrk leaves its last requests in flight when it stops: on a slow case (an unmatched
            # request among 10,000 stubs, the JVM) the server would still be answering them while
            # the measured run starts. Wait about as long as that backlog takes.
            conns = kw.get("conns") or self.conns
            if w["rps"] is not None:
                backlog = conns * (16 if kw.get("script") == "pipeline.lua" else 1) / max(w["rps"], 1.0)
                if backlog > 0.05:
                    time.sleep(min(30.0, 1.5 * backlog + 0.2))
        r = self.wrk(url, self.duration, **kw)
        note = []
        if r["errors"]:
            note.append(f"{r['errors']} socket errors")
        if r["non2xx"] and not expect_non2xx:
            note.append(f"{r['non2xx']} non-2xx")
        if r["requests"] < 50:
            note.append(f"only {r['requests']} answers: run longer (--duration) for a figure")
        if expect_non2xx and r["requests"] and r["non2xx"] < r["requests"]:
            note.append(f"only {r['non2xx']}/{r['requests']} were 404")
        row = dict(case=case, impl=impl, note=", ".join(note), **r)
        self.rows.append(row)
        log(f"{case:13} {impl:9} {fmt_rps(r['rps']):>10} req/s  p50 {fmt_us(r['p50'])}  p99 {fmt_us(r['p99'])}"
            + (f"  ({row['note']})" if row["note"] else ""))
        return row

    def check(self, server, path, want, contains=None, method="GET", body=None, headers=None):
        status, text = http_get(server.base + path, method=method, body=body, headers=headers)
        if status != want or (contains and contains not in text):
            raise SystemExit(f"bench: {server.name} {method} {path} answered {status} {text[:300]!r}; "
                             f"expected {want}" + (f" with {contains!r}" if contains else ""))

    # ---- throughput cases -----------------------------------------------------------------
    def throughput(self):
        cases, impls = self.a.cases, self.a.impls
        small = {"static", "templated", "table-get", "table-create", "pipeline", "c1000"}
        big = {"10k", "unmatched"}
        if "nginx" in impls and cases & {"static", "10k", "unmatched", "templated", "table-get",
                                         "table-create", "pipeline", "c1000"}:
            s = self.up(self.nginx())
            u = s.base + "/api/hello"
            self.measure("static", "nginx", u)
            if "pipeline" in cases:
                self.measure("pipeline", "nginx", u, script="pipeline.lua")
            if "c1000" in cases:
                self.measure("c1000", "nginx", u, conns=1000)
            self.down(s)
        for impl in [i for i in ["engine", "wiremock", "jar"] if i in impls]:
            if cases & small:
                if impl == "engine":
                    s = self.up(self.engine("mockd-small.yaml", "engine-small"))
                elif impl == "wiremock":
                    s = self.up(self.mockd_wiremock("wm-small", "wiremock-small"))
                else:
                    s = self.up(self.jar_server("wm-small", "jar-small"))
                u = s.base + "/api/hello"
                self.check(s, "/api/hello", 200, '"hello"')
                if cases & {"static", "templated"}:
                    self.measure("static", impl, u)
                if "templated" in cases:
                    self.check(s, TEMPLATED_PATH, 200, '"42"')
                    self.measure("templated", impl, s.base + TEMPLATED_PATH)
                if impl == "engine" and "table-get" in cases:
                    self.check(s, "/api/items/1", 200, "Alice")
                    self.measure("table-get", impl, s.base + "/api/items/1")
                if impl == "engine" and "table-create" in cases:
                    self.check(s, "/api/items", 201, "Bench", method="POST",
                               body=b'{"name":"Bench User"}', headers={"Content-Type": "application/json"})
                    self.measure("table-create", impl, s.base + "/api/items", script="post_create.lua")
                if "pipeline" in cases:
                    self.measure("pipeline", impl, u, script="pipeline.lua")
                if "c1000" in cases:
                    self.measure("c1000", impl, u, conns=1000)
                self.down(s)
            if cases & big:
                if impl == "engine":
                    s = self.up(self.engine("mockd-10k.json", "engine-10k"))
                elif impl == "wiremock":
                    s = self.up(self.mockd_wiremock("wm-10k", "wiremock-10k"))
                else:
                    s = self.up(self.jar_server("wm-10k", "jar-10k"))
                if "10k" in cases:
                    self.check(s, self.last_path, 200, '"n":%d' % (self.a.stubs - 1))
                    self.measure("10k", impl, s.base + self.last_path)
                if "unmatched" in cases:
                    marker = {"engine": "nearMisses", "wiremock": "Request was not matched",
                              "jar": "Request was not matched"}[impl]
                    self.check(s, self.miss_path, 404, marker)
                    self.measure("unmatched", impl, s.base + self.miss_path, expect_non2xx=True)
                self.down(s)

    # ---- start-up -------------------------------------------------------------------------
    def startup_cases(self):
        hyperfine = shutil.which("hyperfine") if not self.a.no_hyperfine else None
        runs = self.a.startup_runs
        plans = []  # (label, impl, argv builder(port), health, runs)
        if "engine" in self.a.impls:
            for cfg, what in [("mockd-one.yaml", "1 stub"), ("mockd-10k.yaml", "10k stubs (YAML)"),
                              ("mockd-10k.json", "10k stubs (JSON)")]:
                plans.append((what, "engine", lambda p, c=cfg: [self.a.mockd, "engine", "--config",
                              os.path.join(self.work, c), "--port", str(p), "--workers", "1"],
                              "/health", runs))
        if "wiremock" in self.a.impls:
            for root, what in [("wm-one", "1 stub"), ("wm-10k", "10k stubs (JSON)")]:
                plans.append((what, "wiremock", lambda p, r=root: [self.a.mockd, "wiremock", "--port", str(p),
                              "--root-dir", os.path.join(self.work, r), "--disable-banner"],
                              "/__admin/health", runs))
        if "jar" in self.a.impls:
            for root, what in [("wm-one", "1 stub"), ("wm-10k", "10k stubs (JSON)")]:
                plans.append((what, "jar", lambda p, r=root: ["java"] + self.a.jvm_opts.split() + [
                              "-jar", self.jar, "--port", str(p), "--root-dir", os.path.join(self.work, r),
                              "--disable-banner"], "/__admin/health", self.a.jar_startup_runs))
        for what, impl, build, health, n in plans:
            port = free_port()
            argv = build(port)
            if hyperfine:
                out = os.path.join(self.work, "hyperfine.json")
                cmd = " ".join(shlex_quote(x) for x in
                               ["bash", os.path.join(HERE, "startup_once.sh"), str(port), health] + argv)
                subprocess.run([hyperfine, "-N", "--warmup", "1" if impl == "jar" else "3", "--runs", str(n),
                                "--export-json", out, "--style", "none", cmd],
                               check=True, capture_output=True)
                res = json.load(open(out))["results"][0]
                times = [t * 1000 for t in res["times"]]
                tool = "hyperfine"
            else:
                times = [poll_startup(argv, port, health) * 1000 for _ in range(n)]
                tool = "python timer"
            sd = statistics.stdev(times) if len(times) > 1 else 0.0
            self.startup.append(dict(what=what, impl=impl, mean_ms=statistics.mean(times), sd_ms=sd,
                                     min_ms=min(times), runs=n, tool=tool))
            log(f"start-up {impl:9} {what:17} {statistics.mean(times):8.1f} ms ± {sd:.1f} (min {min(times):.1f}, "
                f"{n} runs, {tool})")

    # ---- memory ---------------------------------------------------------------------------
    def rss_cases(self):
        n = self.a.rss_requests
        plans = []
        if "engine" in self.a.impls:
            plans.append(("engine", "mockd engine, 1 stub (no journal)", lambda: self.engine("mockd-one.yaml", "rss-engine"), False))
            plans.append(("engine", "mockd engine, 10k stubs", lambda: self.engine("mockd-10k.json", "rss-engine-10k"), None))
            plans.append(("engine", "mockd start, 1 stub (journal 10,000)", lambda: self.engine("mockd-one.yaml", "rss-start", mode="start"), True))
        if "wiremock" in self.a.impls:
            plans.append(("wiremock", "mockd wiremock, 1 stub (journal 10,000)",
                          lambda: self.mockd_wiremock("wm-one", "rss-wiremock", journal=True), True))
        if "jar" in self.a.impls:
            plans.append(("jar", "WireMock jar, 1 stub (journal unbounded)",
                          lambda: self.jar_server("wm-one", "rss-jar", journal=True), self.a.jar_rss))
        for impl, what, make, load in plans:
            s = self.up(make())
            time.sleep(0.5)
            idle = rss_kb(s.pid)
            row = dict(impl=impl, what=what, idle_kb=idle, after_kb=None, requests=None)
            if load:
                path = "/api/hello"
                res = self.wrk_count(s.base + path, n)
                time.sleep(0.5)
                row["after_kb"] = rss_kb(s.pid)
                row["requests"] = res["requests"]
                if res["non2xx"] or res["errors"]:
                    self.notes.append(f"RSS run on {s.name}: {res['non2xx']} non-2xx, {res['errors']} socket errors")
            self.memory.append(row)
            log(f"RSS {what}: idle {kb_mb(idle)}" + (f", after {row['requests']:,} requests {kb_mb(row['after_kb'])}"
                                                      if row["after_kb"] else ""))
            self.down(s)

    def cleanup(self):
        for s in list(self.servers):
            s.stop()
        if not self.a.keep:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            log(f"kept {self.work}")

    # ---- report ---------------------------------------------------------------------------
    def row(self, case, impl):
        for r in self.rows:
            if r["case"] == case and r["impl"] == impl and r["rps"]:
                return r
        return None

    def report(self):
        md = self.a.markdown
        lines = []
        p = lines.append
        p(machine_description(self))
        p("")
        p(f"wrk -t1 -c{self.conns} -d{self.duration} --latency on loopback"
          + (", server pinned to core 0, wrk to core 1" if self.server_pin else ", no pinning")
          + f"; warm-up {self.a.warmup} per case ({self.a.jar_warmup} for the JVM); "
          f"x nginx: against nginx on the same wrk settings (static for cases 1-5); "
          f"x WireMock: against the jar on the same case.")
        p("")
        head = ["case", "server", "requests/s", "p50", "p99", "x nginx", "x WireMock", "note"]
        table = []
        for case in [c for c in CASE_LABEL if c in self.a.cases]:
            for impl in IMPLS:
                r = self.row(case, impl)
                if not r:
                    continue
                base_case = case if case in ("pipeline", "c1000") else "static"
                n = self.row(base_case, "nginx")
                j = self.row(case, "jar")
                table.append([CASE_LABEL[case], IMPL_LABEL[impl], fmt_rps(r["rps"]), fmt_us(r["p50"]),
                              fmt_us(r["p99"]), ratio(r, n) if impl != "nginx" or case != base_case else "1.00",
                              ratio(r, j) if j and impl != "jar" else ("1.00" if impl == "jar" else ""),
                              r["note"]])
        if table:
            lines += render(head, table, md)
            p("")
            p("Pipelined rows: requests/s counts responses; p50/p99 are per batch of 16.")
            p("")
        if self.startup:
            lines += render(["start-up to a healthy /health", "server", "mean", "± sd", "min", "runs", "tool"],
                            [[s["what"], IMPL_LABEL[s["impl"]], f"{s['mean_ms']:.1f} ms", f"{s['sd_ms']:.1f} ms",
                              f"{s['min_ms']:.1f} ms", str(s["runs"]), s["tool"]] for s in self.startup], md)
            p("")
        if self.memory:
            lines += render(["RSS (VmRSS)", "idle", "after requests", "growth"],
                            [[m["what"], kb_mb(m["idle_kb"]),
                              f"{kb_mb(m['after_kb'])} after {m['requests']:,}" if m["after_kb"] else "",
                              f"+{(m['after_kb'] - m['idle_kb']) / 1024:.1f} MB" if m["after_kb"] else ""]
                             for m in self.memory], md)
            p("")
        targets = self.targets()
        if targets:
            lines += render(["target (informational)", "measured", "result"], targets, md)
            p("")
        for n in self.notes:
            p(f"note: {n}")
        text = "\n".join(lines)
        print(text)
        if self.a.output:
            with open(self.a.output, "w") as f:
                f.write(text + "\n")

    def targets(self):
        out = []

        def rel(label, a, b, goal):
            if a and b:
                v = a["rps"] / b["rps"]
                ok = v >= goal
                out.append([label, f"{v:.2f}x", "met" if ok else f"MISSED by {(1 - v / goal) * 100:.0f}%"])

        n = self.row("static", "nginx")
        for impl in ["engine", "wiremock"]:
            tag = "" if impl == "engine" else " (mockd wiremock)"
            rel(f"static >= 0.8x nginx{tag}", self.row("static", impl), n, 0.8)
            rel(f"10k last-added >= 0.7x nginx{tag}", self.row("10k", impl), n, 0.7)
            rel(f"unmatched among 10k >= 0.2x nginx{tag}", self.row("unmatched", impl), n, 0.2)
            rel(f"templated >= 0.6x static{tag}", self.row("templated", impl), self.row("static", impl), 0.6)
            rel(f"static >= 15x WireMock{tag}", self.row("static", impl), self.row("static", "jar"), 15)
        for s in self.startup:
            if s["impl"] != "engine":
                continue
            goal = 20 if s["what"] == "1 stub" else 300
            ok = s["mean_ms"] <= goal
            out.append([f"start-up, {s['what']} <= {goal} ms", f"{s['mean_ms']:.1f} ms",
                        "met" if ok else f"MISSED by {s['mean_ms'] - goal:.1f} ms ({(s['mean_ms'] / goal - 1) * 100:.0f}%)"])
        for m in self.memory:
            if m["impl"] == "jar" or not m["idle_kb"]:
                continue
            if "10k" not in m["what"]:
                ok = m["idle_kb"] <= 10 * 1024
                out.append([f"idle RSS <= 10 MB: {m['what']}", kb_mb(m["idle_kb"]),
                            "met" if ok else f"MISSED by {(m['idle_kb'] - 10240) / 1024:.1f} MB"])
            if m["after_kb"]:
                grow = (m["after_kb"] - m["idle_kb"]) / 1024
                ok = grow <= 30
                out.append([f"RSS after {m['requests']:,} requests <= idle + 30 MB: {m['what']}",
                            f"+{grow:.1f} MB", "met" if ok else f"MISSED by {grow - 30:.1f} MB"])
        return out


def shlex_quote(s):
    import shlex
    return shlex.quote(s)


def poll_startup(argv, port, health):
    """Seconds from spawning argv until GET health answers 200 (polled over a raw socket)."""
    req = f"GET {health} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if p.poll() is not None:
                raise SystemExit(f"bench: {argv[0]} exited during start-up")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                    s.sendall(req)
                    if s.recv(64).split(b" ")[1:2] == [b"200"]:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.0005)
    finally:
        p.kill()
        p.wait()


def us(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m or float(m.group(1)) == 0:
        return None  # wrk prints 0.00us when it has too few samples
    return float(m.group(1)) * {"us": 1, "ms": 1e3, "s": 1e6, "m": 6e7}[m.group(2)]


def fmt_us(v):
    if v is None:
        return "-"
    if v >= 1e6:
        return f"{v / 1e6:.2f} s"
    if v >= 1e4:
        return f"{v / 1e3:.1f} ms"
    if v >= 1e3:
        return f"{v / 1e3:.2f} ms"
    return f"{v:.0f} µs"


def fmt_rps(v):
    return "-" if v is None else f"{v:,.0f}"


def kb_mb(kb):
    return "-" if kb is None else f"{kb / 1024:.1f} MB"


def ratio(r, base):
    if not base or not r or not base["rps"]:
        return ""
    return f"{r['rps'] / base['rps']:.2f}"


def render(head, rows, md):
    if md:
        out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return out
    w = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    fmt = lambda r: "  ".join(str(x).ljust(w[i]) if i < 2 or i == len(r) - 1 else str(x).rjust(w[i])
                              for i, x in enumerate(r)).rstrip()
    return [fmt(head), fmt(["-" * x for x in w])] + [fmt(r) for r in rows]


def tool_version(argv, pattern=None):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        text = (p.stdout + p.stderr).strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    if pattern:
        m = re.search(pattern, text)
        return m.group(1) if m else "?"
    return text.splitlines()[0] if text else "?"


def machine_description(s):
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    distro = "?"
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                distro = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    parts = [f"{distro}, kernel {platform.release()}, {os.cpu_count()} CPUs ({cpu}), {mem} RAM",
             tool_version([s.a.mockd, 'version']),
             f"wrk {tool_version(['wrk', '-v'], r'wrk (?:debian/)?([0-9.]+)')}"]
    if s.nginx_bin:
        parts.append(f"nginx {tool_version([s.nginx_bin, '-v'], r'nginx/([0-9.]+)')}")
    if s.jar:
        java = tool_version(["java", "-version"], r'version "([^"]+)"')
        parts.append(f"WireMock {os.path.basename(s.jar)} on Java {java}")
    if shutil.which("hyperfine"):
        parts.append(tool_version(["hyperfine", "--version"]))
    return "; ".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mockd", default=os.path.join(ROOT, "build", "mockd"))
    ap.add_argument("--duration", default="10s", help="wrk run per case (default 10s; --quick: 3s)")
    ap.add_argument("--warmup", default="2s", help="wrk warm-up per case for native servers (default 2s)")
    ap.add_argument("--jar-warmup", default="10s", help="wrk warm-up per case for the JVM (default 10s)")
    ap.add_argument("--connections", type=int, default=50, help="wrk connections (default 50)")
    ap.add_argument("--cases", default=",".join(ALL_CASES),
                    help="comma list of: " + ", ".join(ALL_CASES) + " (default: all)")
    ap.add_argument("--servers", default=",".join(IMPLS), help="comma list of: " + ", ".join(IMPLS))
    ap.add_argument("--stubs", type=int, default=10000, help="stubs in the big set (default 10000)")
    ap.add_argument("--startup-runs", type=int, default=20)
    ap.add_argument("--jar-startup-runs", type=int, default=3)
    ap.add_argument("--rss-requests", type=int, default=1000000)
    ap.add_argument("--jar-rss", action="store_true", help="also send --rss-requests to the jar (slow)")
    ap.add_argument("--jvm-opts", default="", help="extra java options for the jar")
    ap.add_argument("--no-hyperfine", action="store_true", help="time start-up with the Python timer")
    ap.add_argument("--no-pin", action="store_true", help="do not pin with taskset")
    ap.add_argument("--quick", action="store_true",
                    help="3s runs, 1s warm-ups (5s for the JVM), 10 start-up runs")
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    ap.add_argument("--output", help="also write the report to this file")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (configs, logs)")
    a = ap.parse_args()
    if a.quick:
        if a.duration == "10s":
            a.duration = "3s"
        if a.warmup == "2s":
            a.warmup = "1s"
        if a.jar_warmup == "10s":
            a.jar_warmup = "5s"
        if a.startup_runs == 20:
            a.startup_runs = 10
    a.cases = set(c.strip() for c in a.cases.split(",") if c.strip())
    bad = a.cases - set(ALL_CASES)
    if bad:
        raise SystemExit(f"bench: unknown case(s) {', '.join(sorted(bad))}; pick from {', '.join(ALL_CASES)}")
    a.impls = [i.strip() for i in a.servers.split(",") if i.strip()]
    if set(a.impls) - set(IMPLS):
        raise SystemExit(f"bench: unknown server(s); pick from {', '.join(IMPLS)}")
    a.mockd = os.path.abspath(a.mockd)
    if not os.access(a.mockd, os.X_OK):
        raise SystemExit(f"bench: no mockd binary at {a.mockd} (make build)")
    # 1,000 connections (wrk and server) need more descriptors than the usual 1,024.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard == resource.RLIM_INFINITY else hard
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    except (ValueError, OSError):
        pass
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 2100 and "c1000" in a.cases:
        log("ulimit -n is below 2,100: the 1,000-connection case may fail")

    s = Suite(a)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    t0 = time.monotonic()
    try:
        s.throughput()
        if "startup" in a.cases:
            s.startup_cases()
        if "rss" in a.cases:
            s.rss_cases()
    finally:
        s.cleanup()
    log(f"done in {time.monotonic() - t0:.0f}s")
    s.report()


if __name__ == "__main__":
    main()
