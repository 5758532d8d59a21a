"""The Docker images without Docker: each Dockerfile passes our linter, and what the images run
(their ENTRYPOINT/CMD, the WireMock image's entrypoint script, their HEALTHCHECK commands) is run
here directly against the built binary, with a temp dir standing in for /home/wiremock."""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import (MOCKD_BIN, REPO, START_DEADLINE, Server, http_session, run_mockd,
                      wait_for, write_config)

LINT = REPO / "scripts" / "lint-dockerfiles.py"
ENTRYPOINT = REPO / "docker" / "wiremock" / "docker-entrypoint.sh"
BANNER_PORT = re.compile(r"^port:\s+(\d+)\s*$", re.M)


def instruction(dockerfile, keyword):
    """The last `keyword` instruction of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (REPO / dockerfile).read_text())
    found = [l.strip()[len(keyword):].strip() for l in text.splitlines()
             if l.strip().startswith(keyword + " ")]
    assert found, f"{dockerfile} has no {keyword}"
    return found[-1]


def healthcheck(dockerfile, port):
    """The image's HEALTHCHECK command with its port replaced by `port`."""
    args = instruction(dockerfile, "HEALTHCHECK")
    cmd = json.loads(re.sub(r"^(--\S+\s+)*CMD\s+", "", args))
    assert cmd[0] == "mockd", cmd
    return [MOCKD_BIN] + [re.sub(r"localhost:\d+", f"localhost:{port}", a) for a in cmd[1:]]


def lint(*files):
    return subprocess.run([sys.executable, str(LINT), *map(str, files)], capture_output=True,
                          text=True, timeout=30, cwd=REPO)


# --------------------------------------------------------------------------- the linter


def test_our_dockerfiles_pass_the_lint():
    r = lint("Dockerfile", "docker/wiremock/Dockerfile")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 file(s) clean" in r.stdout


def test_the_lint_names_each_problem(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text(
        "FROM debian:latest AS build\n"
        "FROM ubuntu\n"
        "ADD https://example.com/tool.tar.gz /opt/\n"
        "RUN apt-get update && apt-get upgrade -y && apt-get install -y curl\n"
        "COPY no/such/file /x\n"
        "HEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1\n"
        "ENTRYPOINT mockd start\n")
    r = lint(bad)
    assert r.returncode == 1, r
    out = r.stdout
    for line, needle in [(1, "debian:latest is not pinned"), (2, "ubuntu is not pinned"),
                         (3, "ADD"), (4, "apt-get upgrade"), (4, "--no-install-recommends"),
                         (4, "/var/lib/apt/lists"), (5, "COPY no/such/file"),
                         (6, "HEALTHCHECK is not CMD [exec form]"), (7, "shell form"),
                         (2, "no USER"), (2, "no EXPOSE")]:
        assert f"{bad}:{line}: " in out and needle in out, (line, needle, out)
    root = tmp_path / "Root.Dockerfile"
    root.write_text('FROM debian:12.11-slim\nUSER root\nEXPOSE 80\n'
                    'HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]\nENTRYPOINT ["x"]\n')
    out = lint(root).stdout
    assert f"{root}:2: the final stage runs as root" in out, out
    assert "needs curl/wget in the image" in out, out


def test_the_images_keep_to_the_packaging_promises():
    for dockerfile, ports in (("Dockerfile", "4280 4290"),
                              ("docker/wiremock/Dockerfile", "8080 8443")):
        assert instruction(dockerfile, "EXPOSE") == ports
        assert instruction(dockerfile, "USER") not in ("root", "0")
        assert "make release" in (REPO / dockerfile).read_text()
    assert json.loads(instruction("Dockerfile", "ENTRYPOINT")) == ["mockd"]
    assert json.loads(instruction("Dockerfile", "CMD")) == ["start"]
    assert json.loads(instruction("docker/wiremock/Dockerfile", "ENTRYPOINT")) == [
        "/docker-entrypoint.sh"]
    assert os.access(ENTRYPOINT, os.X_OK)


# --------------------------------------------------------------------------- the mockd image


def test_the_mockd_image_command_and_health_check(servers, tmp_path):
    """The seed's compose service: ENTRYPOINT + `start --config /mocks/config.json`, checked
    healthy by the image's HEALTHCHECK."""
    cfg = write_config(tmp_path, {"mocks": [{
        "id": "hello", "type": "http",
        "http": {"matcher": {"method": "GET", "path": "/hello"},
                 "response": {"statusCode": 200, "body": "from the image"}}}]}, "config.json")
    entry = json.loads(instruction("Dockerfile", "ENTRYPOINT"))
    cmd = json.loads(instruction("Dockerfile", "CMD"))
    assert entry + cmd == ["mockd", "start"]
    s = servers.start(config=cfg)
    r = subprocess.run(healthcheck("Dockerfile", s.port), capture_output=True, text=True,
                       timeout=10)
    assert r.returncode == 0, r
    assert r.stdout.startswith(f"healthy (http://localhost:{s.port}/__mockd/health)")
    assert s.get("/hello").text == "from the image"
    s.signal(signal.SIGTERM)
    assert s.wait_exit(10) == 0
    r = subprocess.run(healthcheck("Dockerfile", s.port), capture_output=True, text=True,
                       timeout=10)
    assert r.returncode == 1, r
    assert r.stderr.startswith("mockd health: unhealthy: "), r.stderr


def test_the_health_check_works_for_engine_mode_too(servers, tmp_path):
    s = servers.engine(write_config(tmp_path, "mocks: []\n"))
    r = subprocess.run(healthcheck("Dockerfile", s.port), capture_output=True, text=True,
                       timeout=10)
    assert r.returncode == 0, r


# --------------------------------------------------------------------------- the WireMock image


@pytest.fixture
def wm_home():
    """A stand-in for /home/wiremock that another uid can reach (pytest's tmp dirs are 0700)."""
    home = Path(tempfile.mkdtemp(prefix="wm-home-"))
    home.chmod(0o755)
    (home / "mappings").mkdir()
    (home / "__files").mkdir()
    (home / "mappings" / "hello.json").write_text(json.dumps({
        "request": {"method": "GET", "url": "/hello"},
        "response": {"status": 200, "bodyFileName": "hello.txt",
                     "headers": {"X-Path": "{{request.path}}"}}}))
    (home / "mappings" / "slow.json").write_text(json.dumps({
        "request": {"method": "GET", "url": "/slow"},
        "response": {"status": 200, "body": "slow done", "fixedDelayMilliseconds": 1200}}))
    (home / "__files" / "hello.txt").write_text("hello from __files")
    yield home
    subprocess.run(["rm", "-rf", str(home)], check=False)


class EntrypointServer(Server):
    """The image's entrypoint script run the way Docker runs it, with WIREMOCK_HOME standing in
    for /home/wiremock; a Server in every other respect."""

    def __init__(self, home, args, env):
        workdir = Path(str(home) + "-proc")
        workdir.mkdir(exist_ok=True)
        self.args = [str(ENTRYPOINT), *args]
        self.mode = "wiremock"
        self.workdir = workdir
        self.stdout_path = workdir / "stdout.txt"
        self.stderr_path = workdir / "stderr.txt"
        self._out = open(self.stdout_path, "wb")
        self._err = open(self.stderr_path, "wb")
        full = dict(os.environ, WIREMOCK_HOME=str(home), MOCKD=MOCKD_BIN)
        full.update(env or {})
        self.proc = subprocess.Popen(self.args, stdout=self._out, stderr=self._err,
                                     stdin=subprocess.DEVNULL, env=full)
        self.expect_exit = False
        self.port = self.admin_port = self.url_line = None
        self.session = http_session()

        def banner_port():
            self._fail_if_dead("the banner's port line")
            m = BANNER_PORT.search(self.stdout())
            return int(m.group(1)) if m else None
        self.port = wait_for(banner_port, START_DEADLINE, "the banner's 'port:' line")


@pytest.fixture
def wm():
    started = []
    yield lambda home, *args, env=None: started.append(EntrypointServer(home, args, env)) or \
        started[-1]
    for s in started:
        s.kill()


def test_the_entrypoint_serves_home_with_wiremock_options(wm, wm_home):
    s = wm(wm_home, "--port", "0",
           env={"WIREMOCK_OPTIONS": "--global-response-templating --max-request-journal-size=1"})
    r = s.get("/hello")
    assert (r.status_code, r.text) == (200, "hello from __files")
    # WIREMOCK_OPTIONS reached the server: templating is global, the journal keeps one entry.
    assert r.headers["X-Path"] == "/hello"
    s.get("/hello")
    assert len(s.get("/__admin/requests").json()["requests"]) == 1
    # The image's HEALTHCHECK, and the curl check WireMock users already have in their compose.
    r = subprocess.run(healthcheck("docker/wiremock/Dockerfile", s.port), capture_output=True,
                       text=True, timeout=10)
    assert r.returncode == 0, r
    assert r.stdout == f"healthy (http://localhost:{s.port}/__admin/health)\n"
    r = subprocess.run(["curl", "-sf", f"http://localhost:{s.port}/__admin/health"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 0 and json.loads(r.stdout)["status"] == "healthy", r


def test_sigterm_to_the_container_process_drains(wm, wm_home):
    s = wm(wm_home, "--port", "0")
    c = s.raw(timeout=10)
    t0 = time.monotonic()
    c.send(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.3)  # the scenario: the request is in flight when `docker stop` comes
    s.proc.send_signal(signal.SIGTERM)  # what docker stop sends to the entrypoint's pid
    r = c.read_response()
    c.close()
    assert (r.status, r.body) == (200, b"slow done"), r
    assert time.monotonic() - t0 >= 1.2
    assert s.wait_exit(10) == 0, s.stderr()


def test_uid_hands_home_to_that_user_and_runs_the_server_as_it(wm, wm_home):
    if os.geteuid() != 0:
        pytest.skip("switching users needs root, as in the image")
    s = wm(wm_home, "--port", "0", env={"uid": "12345"})
    assert s.get("/hello").text == "hello from __files"
    status = Path(f"/proc/{s.proc.pid}/status").read_text()
    uids = re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()
    assert set(uids) == {"12345"}, status
    for p in [wm_home, *wm_home.rglob("*")]:
        assert p.stat().st_uid == 12345, p
    # Recording writes stubs as that user: an admin-created stub can be saved into mappings/.
    r = s.post("/__admin/mappings", json={"request": {"url": "/new"},
                                          "response": {"body": "x"}, "persistent": True})
    assert r.status_code == 201, r.text
    r = s.post("/__admin/mappings/save")
    assert r.status_code == 200, r.text
    saved = [p for p in (wm_home / "mappings").iterdir() if p.name not in ("hello.json",
                                                                          "slow.json")]
    assert saved and all(p.stat().st_uid == 12345 for p in saved), saved


def test_uid_without_root_warns_and_runs_as_the_current_user(wm_home):
    if os.geteuid() != 0:
        pytest.skip("needs root to start the script as another user")
    subprocess.run(["chown", "-R", "12346:12346", str(wm_home)], check=True)
    # As `docker run --user 12346 -e uid=999` would start it.
    env = dict(os.environ, WIREMOCK_HOME=str(wm_home), MOCKD=MOCKD_BIN, uid="999")
    p = subprocess.Popen(["setpriv", "--reuid=12346", "--regid=12346", "--clear-groups",
                          str(ENTRYPOINT), "--port", "0"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        line = p.stderr.readline()
        assert line.startswith(
            "docker-entrypoint: uid=999 needs the container started as root (--user root)"), line
        m = None
        while not m:
            out = p.stdout.readline()
            assert out, "no banner"
            m = BANNER_PORT.search(out)
        with http_session() as h:
            assert h.get(f"http://127.0.0.1:{m.group(1)}/hello", timeout=5).status_code == 200
        assert Path(f"/proc/{p.pid}/status").read_text().count("12346") >= 2
    finally:
        p.kill()
        p.wait()


def test_a_non_flag_command_runs_instead_of_the_server(wm_home):
    env = dict(os.environ, WIREMOCK_HOME=str(wm_home), MOCKD=MOCKD_BIN)
    r = subprocess.run([str(ENTRYPOINT), "sh", "-c", "pwd; ls"], capture_output=True, text=True,
                       env=env, timeout=10)
    assert r.returncode == 0, r
    assert r.stdout.splitlines() == [str(wm_home), "__files", "mappings"], r.stdout
    r = subprocess.run([str(ENTRYPOINT), "--version"], capture_output=True, text=True, env=env,
                       timeout=10)
    assert r.returncode == 0 and r.stdout.strip(), r


def test_a_bad_uid_is_one_line_and_no_server(wm_home):
    env = dict(os.environ, WIREMOCK_HOME=str(wm_home), MOCKD=MOCKD_BIN, uid="wiremock")
    r = subprocess.run([str(ENTRYPOINT)], capture_output=True, text=True, env=env, timeout=10)
    assert r.returncode == 2, r
    assert r.stderr == 'docker-entrypoint: uid must be a number (got "wiremock")\n'
