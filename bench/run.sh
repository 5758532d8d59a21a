#!/usr/bin/env bash
# Static-stub benchmark: nginx (one worker, `return 200` with the same body) against
# `mockd engine --workers 1` with one static mock, each driven by wrk on loopback in the same run.
# Server pinned to core 0 and wrk to core 1 where taskset and two cores allow.
# Usage: bench/run.sh [path/to/mockd] [duration, default 10s] [connections, default 50]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mockd=${1:-$here/../build/mockd}
duration=${2:-10s}
conns=${3:-50}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)"; exit 2; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "bench: nginx is missing (apt-get install nginx-light)"; exit 2; }
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

server_pin=""; client_pin=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then server_pin="taskset -c 0"; client_pin="taskset -c 1"; fi
body='{"message":"hello"}'

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.05; done; echo "bench: $1 did not come up"; exit 1; }

# nginx: one worker, no access log.
nport=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$nport;
    location / { default_type application/json; return 200 '$body'; }
  }
}
CONF
$server_pin "$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" & pids+=($!)
wait_up "http://127.0.0.1:$nport/api/hello"

# mockd: one static mock, one worker thread.
cat >"$work/mocks.yaml" <<CONF
mocks:
  - id: hello
    type: http
    http:
      matcher: { method: GET, path: /api/hello }
      response: { statusCode: 200, headers: { Content-Type: application/json }, body: '$body' }
  - id: templated
    type: http
    http:
      matcher: { method: GET, path: "/api/users/{id}" }
      response:
        statusCode: 200
        headers: { Content-Type: application/json }
        body: '{"id": "{{request.pathParam.id}}", "q": "{{request.query.q}}", "name": "{{faker.name}}", "email": "{{faker.email}}", "card": "{{faker.creditCard}}"}'
CONF
$server_pin "$mockd" engine --config "$work/mocks.yaml" --port 0 --print-url --workers 1 >"$work/url" 2>"$work/mockd.log" & pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/url" ] && break; sleep 0.05; done
murl=$(head -n1 "$work/url" | sed 's/localhost/127.0.0.1/')
wait_up "$murl/api/hello"

run_wrk() {  # prints "rps p50 p99"
  $client_pin wrk -t1 -c"$conns" -d"$duration" --latency "$1" >"$work/wrk.out" 2>&1
  awk '/Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} END {print rps, p50, p99}' "$work/wrk.out"
}
# Warm both up, then measure in turn.
$client_pin wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$nport/api/hello" >/dev/null
$client_pin wrk -t1 -c"$conns" -d2s "$murl/api/hello" >/dev/null
read -r n_rps n_p50 n_p99 < <(run_wrk "http://127.0.0.1:$nport/api/hello")
read -r m_rps m_p50 m_p99 < <(run_wrk "$murl/api/hello")
read -r t_rps t_p50 t_p99 < <(run_wrk "$murl/api/users/42?q=bench")

echo
echo "static stub, wrk -t1 -c$conns -d$duration, loopback${server_pin:+, server on core 0, wrk on core 1}"
printf '%-28s %12s %10s %10s\n' "server" "requests/s" "p50" "p99"
printf '%-28s %12s %10s %10s\n' "nginx (1 worker)" "$n_rps" "$n_p50" "$n_p99"
printf '%-28s %12s %10s %10s\n' "mockd engine (1 worker)" "$m_rps" "$m_p50" "$m_p99"
printf '%-28s %12s %10s %10s\n' "mockd templated (1 worker)" "$t_rps" "$t_p50" "$t_p99"
python3 -c "import sys; print('ratio mockd/nginx: %.2f (target >= 0.80)' % (float(sys.argv[1])/float(sys.argv[2])))" "$m_rps" "$n_rps"
python3 -c "import sys; print('ratio templated/static: %.2f (target >= 0.60; path param, query and 3 faker values)' % (float(sys.argv[1])/float(sys.argv[2])))" "$t_rps" "$m_rps"
