# mockd: `make demo` builds and starts the server on the bundled example; `make test` builds
# and runs every test. Both install the Debian packages they need first.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
MOCKD := $(BUILD)/mockd

.PHONY: all deps configure build test unit e2e jest demo bench bench-quick bench-micro format clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

unit: build
	$(BUILD)/mockd_tests --gtest_brief=1

e2e: build
	MOCKD_BIN=$(abspath $(MOCKD)) /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/e2e

# WireMock's npm client libraries (wiremock-captain, wiremock-rest-client,
# @osskit/wiremock-client) as real clients of `mockd wiremock`.
jest: build
	bash scripts/jest.sh $(abspath $(MOCKD))

test: unit e2e jest

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

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h')

clean:
	rm -rf $(BUILD) $(BENCH_BUILD)
