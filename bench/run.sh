#!/usr/bin/env bash
# The benchmark suite: nginx, `mockd engine`, `mockd wiremock` and the WireMock 3.13.2 jar under wrk
# on loopback, in one run (see bench/README.md). All flags go to bench/suite.py (--help lists them);
# a first argument that is not a flag is read as the mockd binary, as the old script took it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
args=()
if [ $# -gt 0 ] && [[ $1 != -* ]]; then args+=(--mockd "$1"); shift; fi
# 1,000 connections need more descriptors than the usual 1,024 (suite.py raises the soft limit too).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec python3 "$here/suite.py" "${args[@]+"${args[@]}"}" "$@"
