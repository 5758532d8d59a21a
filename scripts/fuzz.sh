#!/usr/bin/env bash
# Runs the libFuzzer targets of a fuzz build (tests/fuzz/).
#   fuzz.sh smoke  BUILD [TARGET...]  each target FUZZ_SECONDS (60) from the committed seeds; new
#                                     inputs go to BUILD/fuzz-corpus/, a crash to BUILD/fuzz-crashes/
#   fuzz.sh replay BUILD [TARGET...]  every committed seed and regression input once
# Fails on the first target that crashes, leaks, times out or runs out of memory.
set -euo pipefail
mode=$1 build=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
fuzz=$here/tests/fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$fuzz"/*_fuzz.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
seconds=${FUZZ_SECONDS:-60}
status=0
for t in "${targets[@]}"; do
  name=${t%_fuzz}
  bin=$build/tests/fuzz/${name}_fuzz
  [ -x "$bin" ] || { echo "fuzz: $bin is not built" >&2; exit 2; }
  dirs=()
  for d in "$fuzz/corpus/$name" "$fuzz/regressions/$name"; do [ -d "$d" ] && dirs+=("$d"); done
  dict=()
  [ -f "$fuzz/dict/$name.dict" ] && dict=(-dict="$fuzz/dict/$name.dict")
  log=$build/fuzz-logs/$name.log
  mkdir -p "$build/fuzz-logs"
  start=$(date +%s)
  if [ "$mode" = smoke ]; then
    work=$build/fuzz-corpus/$name crashes=$build/fuzz-crashes/$name/
    mkdir -p "$work" "$crashes"
    set +e
    "$bin" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=8192 -print_final_stats=1 -artifact_prefix="$crashes" \
      "$work" "${dirs[@]}" >"$log" 2>&1
    rc=$?
    set -e
  else
    set +e
    "$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 "${dirs[@]}" >"$log" 2>&1
    rc=$?
    set -e
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  if [ $rc -ne 0 ]; then
    echo "fuzz $mode $name: FAILED (exit $rc, $(( $(date +%s) - start )) s); the end of $log:"
    tail -60 "$log"
    status=1
  else
    echo "fuzz $mode $name: ok ($(( $(date +%s) - start )) s${execs:+, $execs runs}${cov:+, $cov})"
  fi
done
exit $status
