#!/usr/bin/env bash
# Prints the path of WireMock 3.13.2's standalone jar (the oracle of tests/e2e/test_95_wiremock_diff.py),
# installing what is missing first:
#   - Java: Debian's openjdk-17-jre-headless (apt-get, through sudo when not root), only if `java` is absent;
#   - the npm package wiremock@3.13.2 (it bundles the jar) in ${XDG_CACHE_HOME:-$HOME/.cache}/mockd/wiremock.
# Idempotent and quiet: on success the only output is the jar's path on stdout; errors go to stderr and the
# exit status is non-zero when something cannot be installed. sudo runs non-interactively (-n): a password
# prompt would hang a test run, so it fails instead.
set -euo pipefail

version=3.13.2
cache=${XDG_CACHE_HOME:-$HOME/.cache}/mockd/wiremock
jar=$cache/node_modules/wiremock/build/wiremock-standalone-$version.jar

log() { echo "wiremock-jar: $*" >&2; }

if ! command -v java >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { log "java is missing and sudo is not available"; exit 1; }
    sudo="sudo -n"
  fi
  export DEBIAN_FRONTEND=noninteractive
  out=$({ $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless; } 2>&1) \
    || { log "could not install openjdk-17-jre-headless: $(tail -n 5 <<<"$out")"; exit 1; }
  command -v java >/dev/null 2>&1 || { log "java is still missing after the install"; exit 1; }
fi

if [ ! -s "$jar" ]; then
  command -v npm >/dev/null 2>&1 || { log "npm is missing (install nodejs and npm)"; exit 1; }
  mkdir -p "$cache"
  [ -f "$cache/package.json" ] || echo '{"name":"mockd-wiremock-oracle","private":true}' >"$cache/package.json"
  out=$(cd "$cache" && npm install --no-audit --no-fund --no-progress --save-exact --loglevel=error "wiremock@$version" 2>&1) \
    || { log "npm install wiremock@$version failed: $(tail -n 5 <<<"$out")"; exit 1; }
  [ -s "$jar" ] || { log "the npm package has no $jar"; exit 1; }
fi

echo "$jar"
