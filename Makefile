# meanfield: the two commands of the README, and helpers.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
BIN := .build/release/meanfield
OUT ?= out

.PHONY: setup run test test-slow bench clean

# Install system libraries (apt) and build the release binary.
setup:
	./scripts/setup.sh

# Set up, then run the default job.
run: setup
	mkdir -p $(OUT)
	$(BIN) theory --arch frn --activation tanh --depth 200 --every 20
	$(BIN) theory --arch frn --activation alpha-relu --alpha 0.75 --depth 100000 --every 10000 \
	    --format csv --output $(OUT)/alpha-relu-frn.csv
	@echo "wrote $(OUT)/alpha-relu-frn.csv"

# The test suite (fast checks; MEANFIELD_SLOW_TESTS=1 adds the slow statistical ones).
test:
	./scripts/setup.sh --deps-only
	swift test

# Everything, including the slow statistical checks (fixed seeds).
test-slow:
	MEANFIELD_SLOW_TESTS=1 $(MAKE) test

bench: setup
	./Benchmarks/run.sh

clean:
	rm -rf .build
