#!/usr/bin/env python3
"""Checks Dockerfiles for the rules our images keep (no Docker or hadolint needed).

Usage: lint-dockerfiles.py DOCKERFILE...   (paths relative to the build context: the repo root)
Prints `file:line: problem` for each problem and exits 1 when there is any.

Rules: base images pinned to a version (a tag with a digit, or a digest; never `latest`); no ADD
(COPY is explicit, and ADD of a URL fetches unpinned content); apt-get install with
--no-install-recommends and the apt lists removed in the same RUN; no `apt-get upgrade`; every
COPY source exists in the build context and is not excluded by .dockerignore; the final stage
runs as a non-root USER, EXPOSEs its ports, and has a HEALTHCHECK, ENTRYPOINT and CMD/ENTRYPOINT
in exec (JSON) form so signals reach the server and no shell is needed.
"""

import fnmatch
import json
import re
import sys
from pathlib import Path

CONTEXT = Path(__file__).resolve().parents[1]


def instructions(text):
    """(line number, KEYWORD, arguments) with continuation lines joined and comments dropped."""
    out, buf, start = [], "", 0
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if buf and line.startswith("#"):
            continue
        if not buf:
            start = n
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        keyword, _, args = buf.partition(" ")
        out.append((start, keyword.upper(), args.strip()))
        buf = ""
    return out


def dockerignore():
    path = CONTEXT / ".dockerignore"
    if not path.exists():
        return []
    return [l.strip() for l in path.read_text().splitlines() if l.strip() and not l.startswith("#")]


def ignored(rel, patterns):
    parts = Path(rel).parts
    for pat in patterns:
        pat = pat.rstrip("/")
        for i in range(1, len(parts) + 1):
            prefix = "/".join(parts[:i])
            if fnmatch.fnmatch(prefix, pat) or fnmatch.fnmatch(prefix, pat.replace("**/", "")):
                return True
    return False


def exec_form(args):
    try:
        value = json.loads(args)
    except ValueError:
        return False
    return isinstance(value, list) and all(isinstance(v, str) for v in value) and value


def lint(path):
    problems = []
    text = Path(path).read_text()
    ins = instructions(text)
    say = lambda n, msg: problems.append(f"{path}:{n}: {msg}")
    stages = [i for i, (_, k, _) in enumerate(ins) if k == "FROM"]
    if not stages:
        return [f"{path}:1: no FROM"]
    names = set()
    patterns = dockerignore()
    for n, k, args in ins:
        if k == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            image = words[0]
            if len(words) >= 3 and words[1].upper() == "AS":
                names.add(words[2])
            if image in names or image == "scratch":
                continue
            tag = image.split("@")[0].rpartition(":")[2] if ":" in image.split("/")[-1] else ""
            if "@sha256:" not in image and (not tag or tag == "latest" or not re.search(r"\d", tag)):
                say(n, f"base image {image} is not pinned to a version")
        elif k == "ADD":
            say(n, "ADD: use COPY (ADD of a URL fetches unpinned content)")
        elif k == "RUN":
            if re.search(r"apt-get\s+(-\S+\s+)*(dist-)?upgrade", args):
                say(n, "apt-get upgrade: pin the base image instead")
            if re.search(r"apt-get\s+(-\S+\s+)*install", args):
                if "--no-install-recommends" not in args:
                    say(n, "apt-get install without --no-install-recommends")
                if "rm -rf /var/lib/apt/lists" not in args and n > ins[stages[-1]][0]:
                    say(n, "apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN")
            if re.search(r"\bcurl\b[^|]*\|\s*(ba)?sh", args):
                say(n, "piping a download into a shell")
        elif k == "COPY" and "--from=" not in args:
            words = [w for w in args.split() if not w.startswith("--")]
            if words and words[0].startswith("["):
                words = json.loads(args)
            for src in words[:-1]:
                if src == ".":
                    continue
                if not (CONTEXT / src).exists():
                    say(n, f"COPY {src}: no such file in the build context")
                elif ignored(src, patterns):
                    say(n, f"COPY {src}: excluded by .dockerignore")
    final = ins[stages[-1]:]
    keys = {k for _, k, _ in final}
    users = [(n, a) for n, k, a in final if k == "USER"]
    if not users:
        say(ins[stages[-1]][0], "the final stage has no USER: it would run as root")
    elif users[-1][1].split(":")[0] in ("root", "0"):
        say(users[-1][0], "the final stage runs as root")
    for needed in ("HEALTHCHECK", "EXPOSE", "ENTRYPOINT"):
        if needed not in keys:
            say(ins[stages[-1]][0], f"the final stage has no {needed}")
    for n, k, args in final:
        if k in ("ENTRYPOINT", "CMD") and not exec_form(args):
            say(n, f"{k} in shell form: signals would go to a shell, not the server")
        if k == "HEALTHCHECK":
            cmd = re.sub(r"^(--\S+\s+)*", "", args)
            if not cmd.startswith("CMD ") or not exec_form(cmd[4:].strip()):
                say(n, "HEALTHCHECK is not CMD [exec form]")
            elif exec_form(cmd[4:].strip())[0] in ("curl", "wget"):
                say(n, "HEALTHCHECK needs curl/wget in the image: use `mockd health`")
    return problems


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    problems = [p for f in argv[1:] for p in lint(f)]
    for p in problems:
        print(p)
    if not problems:
        print(f"lint-dockerfiles: {len(argv) - 1} file(s) clean")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
