# mockd: `make demo` builds and starts the server on the bundled example; `make test` builds
# and runs every test. Both install the Debian packages they need first.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
MOCKD := $(BUILD)/mockd
# ccache keys leave out the build directory, so build-release reuses build's objects (same
# sources, same flags) and `make release` after `make build` is little more than a link; paths
# under the checkout are hashed relative to it, so another clone of the same commit reuses them.
export CCACHE_NOHASHDIR ?= 1
export CCACHE_BASEDIR ?= $(CURDIR)

.PHONY: all deps configure build test unit e2e jest corpus demo bench bench-quick bench-micro format clean \
        release release-check release-check-smoke lint-docker \
	function-size asan-build asan asan-unit asan-corpus asan-e2e tsan fuzz-build fuzz-smoke fuzz-replay soak soak-ci

all: build

# DEPS=build: only the packages building the binary needs.
deps:
	@bash scripts/install-deps.sh $(DEPS)

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

unit: build
	$(BUILD)/mockd_tests --gtest_brief=1

# No function in src/ over 150 lines (clang-tidy readability-function-size).
function-size: build
	bash scripts/function-size.sh $(BUILD)

e2e: build
	MOCKD_BIN=$(abspath $(MOCKD)) /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/e2e

# WireMock's npm client libraries (wiremock-captain, wiremock-rest-client,
# @osskit/wiremock-client) as real clients of `mockd wiremock`.
jest: build
	bash scripts/jest.sh $(abspath $(MOCKD))

# The OpenAPI directory (2,600 real API specs): each imported, loaded and served, every operation
# reached by a request built from its path template (tests/corpus/openapi_corpus.cpp), and the
# bodies generated for 20 operations of each validated against their schemas (96 % valid today;
# below 95 % fails).
corpus: build
	bash scripts/openapi-corpus.sh $(abspath $(BUILD)) --min-valid-bodies 97.5

# jest before e2e: it installs tests/jest/node_modules, which the docs' jest example runs with.
test: unit jest corpus e2e

demo: build
	@bash scripts/demo.sh $(MOCKD)

# The benchmark suite (bench/README.md): nginx, mockd and the WireMock jar under wrk. Never
# part of `make test`. BENCH_ARGS passes flags, e.g. BENCH_ARGS='--cases static,10k'.
bench: build
	bash bench/run.sh --mockd $(MOCKD) $(BENCH_ARGS)

bench-quick: build
	bash bench/run.sh --mockd $(MOCKD) --quick $(BENCH_ARGS)

# Google Benchmark micro-benchmarks (src/**/*_bench.cpp), in their own Release build tree.
BENCH_BUILD ?= build-bench
BENCH_BUILD_TYPE ?= Release
bench-micro: deps
	cmake -S . -B $(BENCH_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BENCH_BUILD_TYPE) -DMOCKD_BUILD_BENCH=ON -DMOCKD_BUILD_TESTS=OFF
	cmake --build $(BENCH_BUILD) -j $(JOBS) --target mockd_bench
	$(BENCH_BUILD)/mockd_bench $(BENCH_MICRO_ARGS)

# The portable release binary, $(RELEASE_BUILD)/mockd-linux-amd64: every library but glibc linked
# in statically, stripped. Same build type and compile flags as `make build`, so with ccache the
# objects are the ones the tests just ran on and only the link is new.
RELEASE_BUILD ?= build-release
RELEASE_BIN := $(RELEASE_BUILD)/mockd-linux-amd64
release: deps
	cmake -S . -B $(RELEASE_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DMOCKD_STATIC=ON \
	      -DMOCKD_BUILD_TESTS=OFF -DMOCKD_COMMIT=$(MOCKD_COMMIT)
	cmake --build $(RELEASE_BUILD) -j $(JOBS) --target mockd
	strip --strip-all -o $(RELEASE_BIN) $(RELEASE_BUILD)/mockd
	@ls -l $(RELEASE_BIN)

# The release binary under the end-to-end tests, its linkage checks (test_17_release.py) included.
release-check: release
	MOCKD_BIN=$(abspath $(RELEASE_BIN)) MOCKD_RELEASE_BIN=$(abspath $(RELEASE_BIN)) \
	    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/e2e $(RELEASE_E2E_ARGS)

# What CI runs on the release binary: the linkage tests and a smoke subset touching each
# statically linked library (YAML and JSON configs, RE2 and PCRE2 matching, OpenSSL on the HTTPS
# port, SQLite persistence, WireMock mode), then the seed suites (.ci/run).
RELEASE_SMOKE ?= tests/e2e/test_17_release.py tests/e2e/test_10_cli.py \
	tests/e2e/test_20_http_matching.py tests/e2e/test_40_config.py \
	tests/e2e/test_71_persistence.py tests/e2e/test_89_tls.py tests/e2e/test_96_wiremock_mode.py
release-check-smoke: release
	MOCKD_BIN=$(abspath $(RELEASE_BIN)) MOCKD_RELEASE_BIN=$(abspath $(RELEASE_BIN)) \
	    /usr/bin/python3 -m pytest -q -p no:cacheprovider $(RELEASE_SMOKE)

lint-docker:
	/usr/bin/python3 scripts/lint-dockerfiles.py Dockerfile docker/wiremock/Dockerfile

# Sanitizer builds (clang-14). The ASan+UBSan tree also carries libFuzzer's coverage hooks, so one
# build gives the sanitized mockd and mockd_tests and every fuzz target: CI compiles it once.
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= $(ASAN_BUILD)
SAN_CXX ?= clang++-14
# The e2e files run under ASan+UBSan: those that feed parsers and protocol edges (requests on
# the wire, configs, admin payloads, templates, TLS, WireMock's matchers and templating, the proxy).
# The rest (CLI plumbing, lifecycle, the differential corpus) run once, on the regular build.
# ASAN_E2E=tests/e2e runs them all. Load tests skip themselves there.
ASAN_E2E ?= $(addprefix tests/e2e/,test_20_http_matching.py test_25_http_responses.py \
	test_30_connection.py test_40_config.py test_41_unsupported.py test_60_admin_mocks.py \
	test_60_admin_security.py test_91_sse.py \
	test_80_tables.py test_85_chaos.py test_88_abuse.py test_89_tls.py test_90_templates.py \
	test_94_validate_spec.py test_96_wiremock_mode.py test_98_wiremock_templating.py \
	test_99_proxy.py)
# The concurrency tests: registry swaps under load, the journal, tables, verification counters.
TSAN_FILTER ?= *Concurren*:RegistryChanges.*:*Thread*:*Race*:*Parallel*:*UnderLoad*:Journal*:RequestCounts*:TableStore*:Connection.*
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS ?= halt_on_error=1:second_deadlock_stack=1

$(sort $(ASAN_BUILD)/build.ninja $(FUZZ_BUILD)/build.ninja):
	cmake -S . -B $(@D) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=$(SAN_CXX) -DMOCKD_SANITIZE=address,undefined -DMOCKD_BUILD_FUZZ=ON

asan-build: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target mockd mockd_tests mockd_openapi_corpus

asan-unit: asan-build
	$(ASAN_BUILD)/mockd_tests --gtest_brief=1

asan-e2e: asan-build
	MOCKD_BIN=$(abspath $(ASAN_BUILD)/mockd) MOCKD_SANITIZED=1 \
	  /usr/bin/python3 -m pytest -q -p no:cacheprovider $(ASAN_E2E)

# A hundred specs of the OpenAPI directory, spread over it (the whole of it runs on `make corpus`).
asan-corpus: asan-build
	bash scripts/openapi-corpus.sh $(abspath $(ASAN_BUILD)) --sample 100

asan: asan-unit asan-corpus asan-e2e

$(TSAN_BUILD)/build.ninja:
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=$(SAN_CXX) -DMOCKD_SANITIZE=thread

tsan: deps $(TSAN_BUILD)/build.ninja
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target mockd_tests
	$(TSAN_BUILD)/mockd_tests --gtest_brief=1 --gtest_filter='$(TSAN_FILTER)'

fuzz-build: deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target mockd_fuzz

# Each fuzz target for FUZZ_SECONDS (60) from the committed seeds; FUZZ_TARGETS picks some.
FUZZ_SECONDS ?= 60
fuzz-smoke: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh smoke $(FUZZ_BUILD) $(FUZZ_TARGETS)

# Every committed seed and regression input once (what CI runs).
fuzz-replay: fuzz-build
	bash scripts/fuzz.sh replay $(FUZZ_BUILD) $(FUZZ_TARGETS)

# Soak: mixed traffic with admin changes and hot reloads every second (scripts/soak.py).
# `make soak` runs 30 minutes on the regular build (RSS must stay flat); SOAK_BIN and
# SOAK_MINUTES change that. `make soak-ci` is CI's two minutes: one on the regular build (RSS),
# one on the ASan build (leaks and sanitizer reports at exit).
SOAK_MINUTES ?= 30
SOAK_BIN ?= $(BUILD)/mockd
soak: build
	/usr/bin/python3 scripts/soak.py --binary $(SOAK_BIN) --minutes $(SOAK_MINUTES)

soak-ci: build asan-build
	/usr/bin/python3 scripts/soak.py --binary $(BUILD)/mockd --minutes 1
	/usr/bin/python3 scripts/soak.py --binary $(ASAN_BUILD)/mockd --minutes 1 --sanitized

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h')

clean:
	rm -rf $(BUILD) $(BENCH_BUILD) $(RELEASE_BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
