# The two set-up commands of the README, plus developer conveniences.
#   make run    install deps, build, start csm-server on 127.0.0.1:8080 (demo model)
#   make test   install deps, build, run every test (ctest)
#   make fuzz   long libFuzzer runs of every parser of untrusted input (FUZZ_SECONDS each)
#   make test-asan  the whole suite built with ASan+UBSan (tests/sanitizers)
#   make soak   the demo server at capacity for SOAK_MINUTES (30) with barge-in (bench/soak)
#   make test-fullsize  configs/csm-1b.json on full-size checkpoints in every layout (tests/fullsize)
#   make bench-fullsize the server at csm-1b size next to the bare model (bench/fullsize)
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CONFIG ?= configs/demo.json

.PHONY: all deps configure build run test test-asan test-fullsize bench bench-fullsize soak fuzz \
        format lint clean

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

# The full-size end-to-end test alone (it is part of `make test` too).
test-fullsize: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L fullsize $(CTEST_ARGS)

# The whole suite under sanitizers, in its own build folder (fuzz tests are sanitized already).
# tests/sanitizers/run-suite sets the runtime options and suppressions.
test-asan: deps
	tests/sanitizers/run-suite build-asan address,undefined $(JOBS) $(CTEST_ARGS)

bench: build
	$(BUILD_DIR)/bin/bench-safetensors 1024 5
	OMP_WAIT_POLICY=PASSIVE $(BUILD_DIR)/bin/csm-bench-engine --model demo --threads 1
	bench/client/demo-bench.sh $(BUILD_DIR) --sessions 4 --turns 3 --max-audio-ms 2400

# The server at csm-1b size (random weights, bf16, this CPU): start-up, memory, TTFA and
# frames/s of one WebSocket session next to csm-bench-model's figure in the same run.
bench-fullsize: build
	bench/fullsize $(BUILD_DIR) $(FULLSIZE_ARGS)

# Long run at capacity: RSS per minute, failed turns, underruns, TTFA by turn index.
SOAK_MINUTES ?= 30
soak: build
	bench/soak $(BUILD_DIR) --minutes $(SOAK_MINUTES) $(SOAK_ARGS)

# Long fuzz runs of every parser of untrusted input (tests/fuzz; ctest runs 15 s of each).
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= client_message speech_request request_target sentence_splitter config tokenizer_json \
                safetensors_header utf8
fuzz: deps
	@mkdir -p $(BUILD_DIR)/fuzz; for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz $$t ($(FUZZ_SECONDS) s, log in $(BUILD_DIR)/fuzz/$$t.log)"; \
	  tests/fuzz/run-fuzz.sh $(BUILD_DIR) $$t $(FUZZ_SECONDS) >$(BUILD_DIR)/fuzz/$$t.log 2>&1; \
	  rc=$$?; grep -E 'stat::number_of_executed_units|SUMMARY|Test unit written' \
	    $(BUILD_DIR)/fuzz/$$t.log; [ $$rc -eq 0 ] || exit $$rc; \
	done
	tests/codec/audio/fuzz/run-fuzz.sh $(BUILD_DIR) $(FUZZ_SECONDS)

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

lint: configure
	git ls-files '*.cpp' | grep -v '^tests/' | xargs clang-tidy -p $(BUILD_DIR) --quiet

clean:
	rm -rf $(BUILD_DIR)
