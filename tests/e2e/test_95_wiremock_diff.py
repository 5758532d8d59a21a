"""Layer 95: differential test of `mockd wiremock` against the real WireMock 3.13.2 jar.

Every case of the corpus (tests/e2e/wiremock_diff/NN_*.json, format in wiremock_diff/harness.py)
is replayed against both servers, and their answers are compared: the status always, the body as
normalised JSON (ids, timestamps, ports, key order and spacing do not matter) or as exact text,
and selected headers. The jar is the oracle: the corpus was recorded against it.

- One JVM (and one mockd) for the whole module; each server has its own copy of the root dir
  (root.json: mappings/ and __files/), rewritten and reloaded before every case.
- The jar comes from scripts/wiremock-jar.sh (it installs Java and the npm package `wiremock` if
  needed); the module is skipped only when that fails.
- WIREMOCK_DIFF_SELFTEST=1 compares the jar against a second jar instead of mockd: every case must
  pass trivially (it validates the corpus and the harness). The same runs outside pytest with
  `python3 tests/e2e/wiremock_diff/harness.py` (and `... harness.py dump [NAME]` prints what the
  jar answers, to write new cases).
"""

import os
import re

import pytest

from conftest import MOCKD_BIN
from wiremock_diff import harness

SELFTEST = os.environ.get("WIREMOCK_DIFF_SELFTEST") == "1"
CASES = harness.load_cases()


def case_id(stem, case):
    slug = re.sub(r"[^a-z0-9]+", "-", case["name"].lower()).strip("-")[:60].rstrip("-")
    return f"{stem}:{slug}"


@pytest.fixture(scope="module")
def servers_pair(tmp_path_factory):
    """(root spec, oracle, candidate): the jar and `mockd wiremock` (or a second jar)."""
    jar, why = harness.find_jar()
    if not jar:
        pytest.skip(f"the WireMock 3.13.2 jar is not available: {why}")
    spec = harness.load_root_spec()
    base = tmp_path_factory.mktemp("wiremock_diff")
    logs = base / "logs"
    started = []
    try:
        started.append(harness.start_jar(
            jar, harness.materialise_root(base / "oracle", spec, False), logs, "wiremock-jar"))
        candidate_root = harness.materialise_root(base / "candidate", spec, False)
        if SELFTEST:
            started.append(harness.start_jar(jar, candidate_root, logs, "wiremock-jar-2"))
        else:
            started.append(harness.start_mockd(MOCKD_BIN, candidate_root, logs, "mockd-wiremock"))
    except Exception:
        for target in started:
            target.kill()
        raise
    yield spec, started[0], started[1]
    for target in started:
        target.kill()


def test_corpus_is_big_enough():
    """The corpus covers at least 150 requests (a guard against losing cases by accident)."""
    steps = sum(1 for _, case in CASES for step in case["steps"] if "sleep" not in step)
    assert len(CASES) >= 40 and steps >= 150, (len(CASES), steps)
    names = [case_id(stem, case) for stem, case in CASES]
    assert len(set(names)) == len(names), "case names must be unique"
    disk = [bool(case.get("disk")) for _, case in CASES]
    assert disk == sorted(disk), "the cases that load mappings/ (\"disk\": true) must come last"


@pytest.mark.parametrize("case", [case for _, case in CASES],
                         ids=[case_id(stem, case) for stem, case in CASES])
def test_same_answers(servers_pair, case):
    spec, oracle, candidate = servers_pair
    for target in (oracle, candidate):
        if not target.alive():
            pytest.fail(f"{target.name} is not running (exit {target.proc.returncode}): "
                        f"{target.log_tail()}", pytrace=False)
    try:
        harness.run_case(case, oracle, candidate, spec, selftest=SELFTEST)
    except harness.Mismatch as exc:
        pytest.fail(str(exc), pytrace=False)
