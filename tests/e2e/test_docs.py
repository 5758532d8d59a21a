"""The user docs (docs/*.md) against the product: their shell blocks run against the built binary,
and the references are checked against the code and a running server, so they cannot drift.

Conventions in the pages (docs/README.md says them to writers):
- ```sh blocks run, in page order, as one bash script per page in a temp dir with `mockd` on
  PATH; ports 4280/4290/8080 are replaced by free ones (in the text, and in MOCKD_PORT,
  MOCKD_ADMIN_PORT and MOCKD_ADMIN_URL for the defaults). ```sh not-run: REASON marks a block that
  cannot run here (Docker, the network); ```sh needs=jest runs when jest is installed.
- A block with file=NAME (```yaml file=mocks.yaml) is written to NAME first, ports replaced too.
"""

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MOCKD_BIN, REPO, START_DEADLINE, Server, http_session, wait_for

DOCS = REPO / "docs"
PAGES = sorted(DOCS.glob("*.md"))
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)
SHELLS = ("sh", "bash", "shell", "console")
JEST = REPO / "tests" / "jest" / "node_modules"
MAX_NOT_RUN = 4  # a block that does not run is a defect: keep the exceptions few


def blocks(page):
    for m in FENCE.finditer(page.read_text()):
        info = m.group(1).strip()
        lang, _, attrs = info.partition(" ")
        yield lang, attrs.strip(), m.group(2), page.read_text()[:m.start()].count("\n") + 1


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def runnable_pages():
    return [p for p in PAGES
            if any(lang in SHELLS and not attrs.startswith("not-run") for lang, attrs, _, _ in
                   blocks(p))]


def test_every_shell_block_runs_or_says_why_not():
    not_run = []
    for page in PAGES:
        for lang, attrs, _, line in blocks(page):
            if lang in SHELLS and attrs.startswith("not-run"):
                reason = attrs.partition(":")[2].strip()
                assert reason, f"{page.name}:{line}: not-run needs a reason"
                not_run.append(f"{page.name}:{line}")
            elif lang in SHELLS:
                assert attrs in ("", "needs=jest"), f"{page.name}:{line}: unknown marker {attrs!r}"
            elif not lang:
                pytest.fail(f"{page.name}:{line}: a code block without a language")
    assert len(not_run) <= MAX_NOT_RUN, not_run


@pytest.mark.parametrize("page", runnable_pages(), ids=lambda p: p.name)
def test_the_shell_blocks_of_the_page_run(page, tmp_path):
    p_mock, p_admin, p_wm = free_ports(3)

    def ports(text):
        return (text.replace("4280", str(p_mock)).replace("4290", str(p_admin))
                .replace("8080", str(p_wm)))

    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "mockd").symlink_to(MOCKD_BIN)
    work = tmp_path / "work"
    work.mkdir()
    script = ["set -euo pipefail -x", "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT"]
    skipped = []
    for lang, attrs, text, line in blocks(page):
        name = re.search(r"\bfile=(\S+)", attrs)
        if name:
            (work / name.group(1)).write_text(ports(text))
        elif lang in SHELLS and not attrs.startswith("not-run"):
            if attrs == "needs=jest":
                if not JEST.is_dir():
                    skipped.append(line)
                    continue
                if not (work / "node_modules").exists():
                    (work / "node_modules").symlink_to(JEST)
            script.append(f"# {page.name}:{line}\n{ports(text)}")
    # The defaults the pages rely on without writing them (mockd start's ports, the admin URL the
    # client commands use) move to the free ports through mockd's environment variables.
    path = os.pathsep.join([str(bindir), os.path.dirname(sys.executable), os.environ["PATH"]])
    env = dict(os.environ, PATH=path, HOME=str(tmp_path / "home"),
               MOCKD_PORT=str(p_mock), MOCKD_ADMIN_PORT=str(p_admin),
               MOCKD_ADMIN_URL=f"http://localhost:{p_admin}",
               GOFLAGS="-mod=mod", GOPROXY="off", GOCACHE=str(tmp_path / "gocache"))
    for var in ("XDG_DATA_HOME", "MOCKD_API_KEY", "MOCKD_CONFIG", "WIREMOCK_OPTIONS"):
        env.pop(var, None)
    r = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env, capture_output=True,
                       text=True, timeout=240)
    assert r.returncode == 0, f"{page.name}: exit {r.returncode}\n{r.stdout}\n{r.stderr[-6000:]}"
    if skipped:
        pytest.skip(f"{page.name}: jest blocks at lines {skipped} need tests/jest/node_modules")


# --------------------------------------------------------------------------- the CLI reference


def test_the_cli_reference_is_the_help_text(tmp_path):
    out = tmp_path / "cli.md"
    subprocess.run([sys.executable, str(REPO / "scripts" / "gen-cli-doc.py"), MOCKD_BIN,
                    str(out)], check=True, timeout=60)
    assert out.read_text() == (DOCS / "cli.md").read_text(), (
        "docs/cli.md is out of date: run scripts/gen-cli-doc.py build/mockd")


def test_every_flag_of_every_command_is_in_the_cli_reference():
    text = (DOCS / "cli.md").read_text()
    help_text = subprocess.run([MOCKD_BIN, "wiremock", "--help"], capture_output=True,
                               text=True).stdout
    for flag in set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", help_text)):
        assert flag in text, flag


# --------------------------------------------------------------------------- the config reference


def test_every_field_the_loader_knows_is_in_the_config_reference():
    doc = (DOCS / "config.md").read_text()
    documented = set(re.findall(r"`([A-Za-z][A-Za-z0-9]*)`", doc))
    codec = (REPO / "src" / "core" / "mock_codec.cpp").read_text()
    fields = set()
    for m in re.finditer(r"warnUnknown\(\s*\w+,\s*\w+,\s*\{([^}]*)\}", codec):
        fields |= set(re.findall(r'"([^"]+)"', m.group(1)))
    loader = (REPO / "src" / "config" / "loader.cpp").read_text()
    fields |= set(re.findall(r'"([^"]+)"', re.search(r"kKnown = \{([^}]*)\}", loader).group(1)))
    assert len(fields) > 40, fields
    assert not fields - documented, sorted(fields - documented)


# --------------------------------------------------------------------------- the admin API reference


def documented_routes(section):
    text = (DOCS / "admin-api.md").read_text()
    wm_at = text.index("## WireMock admin API")
    text = text[:wm_at] if section == "mockd" else text[wm_at:]
    return re.findall(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/[^` ]*)`", text, re.M)


def code_segments(path, patterns):
    code = (REPO / path).read_text()
    found = set()
    for pat in patterns:
        found |= set(re.findall(pat, code))
    return found


def test_every_path_segment_the_code_routes_is_documented():
    # The mockd admin API's route table, method by method, against the reference's rows.
    table = (REPO / "src" / "admin" / "admin_api.cpp").read_text()
    table = table.replace('std::string(table) + "', '"/state/resources/{name}')
    table = re.sub(r'\b(table)\b(?=, MOCKD_ROUTE)', '"/state/resources/{name}"', table)
    routed = set(re.findall(r'route\("([A-Z]+)",\s*"(/[^"]*)"', table))
    loop = re.search(r'for \(const char\* method : \{([^}]*)\}\)\s*routes_\.route\(method, '
                     r'"(/[^"]*)"', table)
    routed |= {(m, loop.group(2)) for m in re.findall(r'"([A-Z]+)"', loop.group(1))}
    # The protocols' routes (protocols::AdminRoute: {"METHOD", "/pattern", handler}).
    for source in sorted((REPO / "src" / "protocols").glob("*/*.cpp")):
        routed |= set(re.findall(r'\{"(GET|POST|PUT|PATCH|DELETE)",\s*"(/[^"]*)"',
                                 source.read_text()))
    assert {("GET", "/mocks"), ("POST", "/mocks/{id}/toggle"), ("GET", "/health"),
            ("GET", "/sse/connections")} <= routed
    documented = set(documented_routes("mockd"))
    assert not routed - documented, f"routed, not in docs/admin-api.md: {sorted(routed - documented)}"
    assert not documented - routed, f"documented, not routed: {sorted(documented - routed)}"
    # WireMock's table: each route is documented; a prefix ("*", ".../{*rest}") routes to a
    # resource's own handler, whose sub-paths (rest == "...") are documented under it.
    code = (REPO / "src" / "wiremock" / "admin_api.cpp").read_text()
    wm_documented = set(documented_routes("wiremock"))
    wm_paths = " ".join(p for _, p in wm_documented)
    wm_routed = set(re.findall(r'route\("([A-Z]+)",\s*"(/[^"]*)"', code))
    for loop in re.finditer(r'for \(const char\* m : \{([^}]*)\}\)\s*routes_\.route\(m, "(/[^"]*)"',
                            code):
        wm_routed |= {(m, loop.group(2)) for m in re.findall(r'"([A-Z]+)"', loop.group(1))}
    wm_routed = {(m, "/__admin" + p) for m, p in wm_routed}
    assert {("POST", "/__admin/mappings/save"), ("POST", "/__admin/requests/count"),
            ("GET", "/__admin/mappings/{id}")} <= wm_routed
    missing = sorted(wm_routed - wm_documented)
    assert not missing, f"routed in src/wiremock/admin_api.cpp, not in docs/admin-api.md: {missing}"
    prefixes = re.findall(r'route\("\*",\s*"(/[^"/]*)/\{\*rest\}"', code)
    assert {"/scenarios", "/files", "/settings", "/recordings"} <= set(prefixes)
    subs = set(re.findall(r'rest == "([^"]+)"', code))
    assert {"reset", "status", "extended"} <= subs
    missing = [s for s in prefixes + sorted(subs) if s.lstrip("/") not in wm_paths]
    assert not missing, f"routed in src/wiremock/admin_api.cpp, not in docs/admin-api.md: {missing}"


MOCKD_CONFIG = {
    "mocks": [{"id": "doc-mock", "type": "http",
               "http": {"matcher": {"method": "GET", "path": "/doc"},
                        "response": {"statusCode": 200, "body": "doc"}}}],
    "tables": [{"name": "users", "seedData": [{"id": "1", "name": "Ada"}]}],
    "customOperations": [{
        "name": "noop",
        "steps": [{"type": "read", "resource": "users", "id": "input.id", "as": "u"}],
        "response": {"name": "u.name"}}],
}


def test_every_documented_mockd_route_exists(servers, tmp_path):
    cfg = tmp_path / "docs.json"
    cfg.write_text(json.dumps(MOCKD_CONFIG))
    s = servers.start(config=cfg)
    base = s.admin_base
    with http_session() as h:
        profiles = h.get(base + "/chaos/profiles", timeout=5).json()
        profile = (profiles if isinstance(profiles, list) else profiles.get("profiles"))[0]
        profile = profile["name"] if isinstance(profile, dict) else profile
        subst = {"{id}": "doc-mock", "{name}": "users", "{key}": "doc-breaker"}
        problems = []
        routes = documented_routes("mockd")
        assert len(routes) > 50, routes
        # Destructive routes last, so the others still find their mock and table.
        routes.sort(key=lambda r: r[0] == "DELETE" or r[1].endswith("unregister"))
        for method, path in routes:
            url = path
            if "/operations/{name}" in path:
                url = url.replace("{name}", "noop")
            if "/profiles/{name}" in path:
                url = url.replace("{name}", profile)
            if path.startswith("/state/resources/{name}/items/{id}"):
                url = url.replace("{id}", "1")
            for k, v in subst.items():
                url = url.replace(k, v)
            kw = {"timeout": 10}
            if path == "/requests/stream":
                kw["stream"] = True
            r = h.request(method, base + url, json={} if method in ("POST", "PUT", "PATCH")
                          else None, **kw)
            body = r.text if not kw.get("stream") else ""
            r.close()
            if r.status_code == 405 or (r.status_code == 404 and "no admin route" in body):
                problems.append(f"{method} {path} -> {r.status_code} {body[:120]}")
        assert not problems, problems


def test_every_documented_wiremock_route_exists(servers, tmp_path):
    root = tmp_path / "wm"
    (root / "mappings").mkdir(parents=True)
    (root / "__files").mkdir()
    (root / "__files" / "doc.txt").write_text("doc")
    (root / "mappings" / "doc.json").write_text(json.dumps({
        "id": "8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7", "request": {"url": "/doc"},
        "response": {"body": "doc"}, "scenarioName": "flow",
        "requiredScenarioState": "Started"}))
    port = free_ports(1)[0]
    s = servers.engine_args(["wiremock", "--port", port, "--root-dir", root], wait=False)
    s.port = port
    base = f"http://127.0.0.1:{port}"
    with http_session() as h:
        wait_for(lambda: _answers(h, base), START_DEADLINE, "mockd wiremock")
        h.get(base + "/doc", timeout=5)
        request_id = h.get(base + "/__admin/requests", timeout=5).json()["requests"][0]["id"]
        subst = {"/mappings/{id}": "/mappings/8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7",
                 "/requests/{id}": f"/requests/{request_id}", "/files/{name}": "/files/doc.txt",
                 "/scenarios/{name}": "/scenarios/flow"}
        routes = documented_routes("wiremock")
        assert len(routes) > 40, routes
        # Reads first, then changes, then deletions (one stub before all of them), shutdown last.
        routes.sort(key=lambda r: (r[1] == "/__admin/shutdown", r[0] == "DELETE",
                                   r[0] != "GET", "{" not in r[1]))
        problems = []
        for method, path in routes:
            url = path
            for k, v in subst.items():
                url = url.replace(k, v)
            data = {"PUT": '{"state": "Started"}' if "scenarios" in path else "x"}.get(method)
            if method in ("POST", "PATCH"):
                data = "{}"
            if path == "/__admin/mappings/edit":
                data = (root / "mappings" / "doc.json").read_text()
            r = h.request(method, base + url, data=data, timeout=10, allow_redirects=False)
            if r.status_code == 404 and not r.text:
                problems.append(f"{method} {path} -> 404")
        assert not problems, problems
    s.wait_exit(5)


def _answers(h, base):
    try:
        return h.get(base + "/__admin/health", timeout=1).status_code == 200
    except OSError:
        return False


# --------------------------------------------------------------------------- the rest of the pages


def test_every_yaml_and_json_block_parses():
    yaml = pytest.importorskip("yaml")
    for page in PAGES:
        for lang, attrs, text, line in blocks(page):
            where = f"{page.name}:{line}"
            if lang == "json":
                json.loads(text)
            elif lang == "yaml":
                assert yaml.safe_load(text) is not None, where


def test_every_relative_link_leads_somewhere():
    link = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
    for page in [*PAGES, REPO / "README.md"]:
        for target in link.findall(page.read_text()):
            if re.match(r"[a-z]+://", target):
                continue
            assert (page.parent / target).exists(), f"{page.name}: broken link {target}"
