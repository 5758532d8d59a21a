#!/usr/bin/env bash
# No function in src/ longer than 150 lines (clang-tidy's readability-function-size, counted
# from the opening brace to the closing one, lambdas inside included). Reads the regular
# build's compilation database, so it runs after `make build`.
set -euo pipefail
build=${1:-build}
limit=${FUNCTION_LINES:-150}
jobs=${JOBS:-$(nproc)}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
run-clang-tidy -p "$build" -j "$jobs" -quiet \
    -config="{Checks: '-*,readability-function-size', WarningsAsErrors: '*',
              CheckOptions: [{key: readability-function-size.LineThreshold, value: $limit}]}" \
    "${FILES:-$PWD/src/.*\.cpp\$}" >"$out" 2>&1 || true
plain=$(sed 's/\x1b\[[0-9;]*m//g' "$out")
if grep -q '\[readability-function-size' <<<"$plain"; then
    echo "functions over $limit lines (split them):"
    grep -A1 '\[readability-function-size' <<<"$plain" | grep -v '^--$'
    exit 1
fi
if grep -q 'error:' <<<"$plain"; then
    echo "clang-tidy could not read every file:"
    grep -A3 'error:' <<<"$plain" | head -40
    exit 1
fi
echo "function size: every function in src/ is at most $limit lines"
