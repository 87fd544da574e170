# The two set-up commands of the README, plus developer conveniences.
#   make run    install deps, build, start csm-server on 127.0.0.1:8080 (demo model)
#   make test   install deps, build, run every test (ctest)
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CONFIG ?= configs/demo.json

.PHONY: all deps configure build run test bench format lint clean

all: build

deps:
	scripts/install-deps --with-test-tools

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE); fi

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# OpenMP threads that spin on a busy CPU slow every small op down: let them sleep.
run: build
	OMP_WAIT_POLICY=PASSIVE $(BUILD_DIR)/bin/csm-server --config $(CONFIG) $(ARGS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

bench: build
	$(BUILD_DIR)/bin/bench-safetensors 1024 5
	OMP_WAIT_POLICY=PASSIVE $(BUILD_DIR)/bin/csm-bench-engine --model demo --threads 1
	bench/client/demo-bench.sh $(BUILD_DIR) --sessions 4 --turns 3 --max-audio-ms 2400

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

lint: configure
	git ls-files '*.cpp' | grep -v '^tests/' | xargs clang-tidy -p $(BUILD_DIR) --quiet

clean:
	rm -rf $(BUILD_DIR)
