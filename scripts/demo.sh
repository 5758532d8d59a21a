#!/usr/bin/env bash
# Starts `mockd start` on the bundled example and says what to try.
set -euo pipefail
bin=${1:-build/mockd}
cat >&2 <<'MSG'

mockd demo: serving examples/demo.yaml (Ctrl+C to stop)
  curl http://localhost:4280/api/hello
  curl http://localhost:4280/api/users/42
  curl -X POST http://localhost:4280/api/orders -H 'Content-Type: application/json' -d '{"item":"book"}'
  curl http://localhost:4280/api/slow            (answers after 1.5 s)
  curl http://localhost:4280/api/nothing-here    (404 with near misses)
  curl http://localhost:4290/health              (admin API)

MSG
exec "$bin" start --config examples/demo.yaml "${@:2}"
