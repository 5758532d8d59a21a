# mockd: `make demo` builds and starts the server on the bundled example; `make test` builds
# and runs every test. Both install the Debian packages they need first.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
MOCKD := $(BUILD)/mockd

.PHONY: all deps configure build test unit e2e jest demo bench format clean

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

bench: build
	bash bench/run.sh $(MOCKD)

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h')

clean:
	rm -rf $(BUILD)
