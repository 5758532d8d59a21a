"""The portable release binary (`make release`): glibc is the only shared library it needs, at
no newer symbol version than Debian 12's 2.36, it is stripped, and it says what it was built
from. The rest of the suite runs against it with `make release-check` (MOCKD_BIN=...)."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

RELEASE = Path(os.environ.get("MOCKD_RELEASE_BIN")
               or REPO / "build-release" / "mockd-linux-amd64")
GLIBC_LIBS = {"linux-vdso.so.1", "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2",
              "librt.so.1", "ld-linux-x86-64.so.2"}
MAX_GLIBC = (2, 36)

pytestmark = pytest.mark.skipif(not RELEASE.exists(),
                                reason=f"no release binary at {RELEASE} (make release)")


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60, check=True)


def test_only_glibc_is_linked_dynamically():
    out = run("ldd", str(RELEASE)).stdout
    libs = {Path(line.split()[0]).name for line in out.splitlines() if line.strip()}
    assert libs, out
    assert libs <= GLIBC_LIBS, f"not glibc: {sorted(libs - GLIBC_LIBS)}\n{out}"
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]",
                        run("readelf", "-d", str(RELEASE)).stdout)
    assert set(needed) <= GLIBC_LIBS, needed


def test_glibc_symbol_versions_are_at_most_debian_12s():
    out = run("objdump", "-T", str(RELEASE)).stdout
    versions = {tuple(int(x) for x in v.split(".")) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)",
                                                                        out)}
    assert versions, out[:2000]
    assert max(versions) <= MAX_GLIBC, sorted(versions)[-5:]
    assert "GLIBCXX_" not in out and "CXXABI_" not in out and "GCC_" not in out, (
        "libstdc++/libgcc symbols are imported: they must be linked in")


def test_it_is_stripped():
    sections = run("readelf", "-S", "-W", str(RELEASE)).stdout
    assert ".symtab" not in sections and ".debug_info" not in sections


def test_version_names_the_version_and_the_commit():
    out = run(str(RELEASE), "version").stdout
    cmake = (REPO / "CMakeLists.txt").read_text()
    version = re.search(r"project\(mockd VERSION ([\d.]+)", cmake).group(1)
    assert version in out, out
    commit = re.search(r"commit ([0-9a-f]{7,40})\b", out)
    assert commit, out
    git = ["git", "-C", str(REPO)]
    if subprocess.run(git + ["rev-parse"], capture_output=True).returncode == 0:
        kind = subprocess.run(git + ["cat-file", "-t", commit.group(1)], capture_output=True,
                              text=True).stdout.strip()
        assert kind == "commit", f"{commit.group(1)} is no commit of this repository"
        if "MOCKD_RELEASE_BIN" in os.environ:  # make release-check: built from HEAD just now
            head = run(*git, "rev-parse", "--short", "HEAD").stdout.strip()
            assert commit.group(1) == head, (head, out)
    assert run(str(RELEASE), "--version").stdout.strip()


def test_it_serves(tmp_path):
    cfg = tmp_path / "m.yaml"
    cfg.write_text("mocks:\n  - id: a\n    type: http\n    http:\n"
                   "      matcher: { method: GET, path: /a }\n"
                   "      response: { statusCode: 200, body: release }\n")
    p = subprocess.Popen([str(RELEASE), "engine", "--config", str(cfg), "--port", "0",
                          "--print-url"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
    try:
        url = p.stdout.readline().strip()
        out = subprocess.run(["curl", "-s", url + "/a"], capture_output=True, text=True,
                             timeout=10).stdout
        assert out == "release"
        # TLS is linked in too: the proxy's https client needs OpenSSL.
        r = subprocess.run([str(RELEASE), "health", "--url", "https://127.0.0.1:1/x",
                            "--timeout", "1s"], capture_output=True, text=True, timeout=10)
        assert r.returncode == 1 and "unhealthy" in r.stderr, r
    finally:
        p.terminate()
        p.wait(timeout=10)
