#!/usr/bin/env bash
# Runs the jest suites in tests/jest (WireMock's npm client libraries against `mockd wiremock`).
# Usage: scripts/jest.sh [MOCKD_BIN] [jest args...]; installs the pinned packages on first use.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-${MOCKD_BIN:-$here/build/mockd}}"
[ $# -gt 0 ] && shift
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "scripts/jest.sh: node and npm are needed (apt-get install nodejs npm)" >&2
    exit 1
fi
cd "$here/tests/jest"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
# The tests are ES modules (@osskit/wiremock-client ships only ESM).
MOCKD_BIN="$(realpath "$bin")" exec node --experimental-vm-modules node_modules/jest/bin/jest.js \
    --ci "$@"
