#!/usr/bin/env bash
# One start-up, as hyperfine times it: starts "CMD..." in the background, polls
# http://127.0.0.1:PORT/PATH over bash's /dev/tcp (no process per poll) until it answers 200,
# then kills the server (SIGKILL, so no drain time is counted) and reaps it.
# Usage: startup_once.sh PORT PATH CMD [ARGS...]
port=$1 path=$2; shift 2
"$@" >/dev/null 2>&1 &
pid=$!
for ((i = 0; i < 2000000; i++)); do
  if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
    line=""
    read -r line <&3
    exec 3>&-
    case $line in "HTTP/1."?" 200"*) kill -9 "$pid"; wait "$pid" 2>/dev/null; exit 0 ;; esac
  fi
  kill -0 "$pid" 2>/dev/null || { echo "startup_once: the server exited" >&2; exit 1; }
done
kill -9 "$pid"; wait "$pid" 2>/dev/null
echo "startup_once: no answer on port $port" >&2
exit 1
