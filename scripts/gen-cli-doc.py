#!/usr/bin/env python3
"""Writes docs/cli.md from the binary's own --help, so the CLI reference cannot drift from the
CLI: `scripts/gen-cli-doc.py [MOCKD] [OUT]` (defaults: build/mockd, docs/cli.md).
tests/e2e/test_docs.py fails when the committed page differs from what this writes."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

INTRO = """# mockd command reference

Every command and flag, as `mockd <command> --help` prints them (this page is written from the
help text by `scripts/gen-cli-doc.py`, and a test fails when they differ).

- Durations are written `10s`, `500ms`, `2m`; sizes `64KiB`, `10MiB`.
- Commands that talk to a running server (`list`, `add`, `verify`, ...) find it with
  `--admin-url` (or `MOCKD_ADMIN_URL`, default `http://localhost:4290`) and authenticate with
  `--api-key` (or `MOCKD_API_KEY`, or the key file `mockd start` wrote into its data dir).
- Exit codes: 0 success; 1 the check failed or the server answered with an error; 2 bad flags.

"""


def help_of(mockd, path):
    r = subprocess.run([mockd, *path, "--help"], capture_output=True, text=True, timeout=10)
    return r.stdout.rstrip() + "\n"


def subcommands(text):
    m = re.search(r"^Subcommands:\n((?:  \S.*\n?)+)", text, re.M)
    if not m:
        return []
    names = []
    for line in m.group(1).splitlines():
        name = line.split()[0].rstrip(",")
        names.append(name)
    return names


def walk(mockd, path, out):
    text = help_of(mockd, path)
    out.append((path, text))
    if path == ["wiremock"]:
        return
    for name in subcommands(text):
        walk(mockd, path + [name], out)


def render(mockd):
    pages = []
    walk(mockd, [], pages)
    body = [INTRO]
    for path, text in pages:
        title = "mockd " + " ".join(path) if path else "mockd"
        body.append(f"## `{title}`\n\n```text\n{text}```\n")
    return "\n".join(body)


def main(argv):
    mockd = argv[1] if len(argv) > 1 else str(REPO / "build" / "mockd")
    out = Path(argv[2]) if len(argv) > 2 else REPO / "docs" / "cli.md"
    out.write_text(render(mockd))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
