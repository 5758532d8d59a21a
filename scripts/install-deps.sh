#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests, the benchmarks and the seed examples need.
# Idempotent: packages already present are skipped, and `apt-get update` runs at most once.
# `install-deps.sh build` installs only what building the mockd binary needs (the Docker images'
# build stage); the default is everything.
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libyaml-cpp-dev libyaml-dev libre2-dev libpcre2-dev nlohmann-json3-dev libcli11-dev
  libspdlog-dev libfmt-dev libssl-dev libsqlite3-dev libpugixml-dev libvalijson-dev
)
if [ "${1:-all}" = build ]; then
  packages=("${build_packages[@]}")
else
packages=(
  "${build_packages[@]}"
  ccache git libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy
  # the release binary's linkage check (ldd, objdump)
  binutils
  # sanitizer and fuzzing builds (make asan, tsan, fuzz-smoke)
  clang-14 libclang-rt-14-dev llvm-14
  # tests and seed examples
  curl python3 python3-pytest python3-requests python3-websockets python3-websocket golang-go
  nodejs npm
  # the WireMock differential test runs the real WireMock jar (npm package `wiremock`)
  openjdk-17-jre-headless
  # benchmarks
  wrk nginx-light util-linux hyperfine
)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node and npm may come from outside Debian (nodesource or a tarball): accept any working pair.
if command -v node >/dev/null && command -v npm >/dev/null; then
  keep=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || keep+=("$p"); done
  missing=("${keep[@]+"${keep[@]}"}")
fi
[ ${#missing[@]} -eq 0 ] && { echo "install-deps: all packages present"; exit 0; }

echo "install-deps: installing ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
