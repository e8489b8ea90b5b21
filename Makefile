# meanfield: the two commands of the README, and helpers.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
BIN := .build/release/meanfield
OUT ?= out

.PHONY: setup run test test-slow bench bench-peers clean

# Install system libraries (apt) and build the release binary.
setup:
	./scripts/setup.sh

# Set up, then run the default job: Fig. 1 of Yang & Schoenholz 2017 (tanh FRN, theory
# against 20 simulated networks of width 1000), as PNG/SVG, data and z-score checks in $(OUT)/.
run: setup
	$(BIN) reproduce fig1 --output-dir $(OUT)
	@echo "wrote $(OUT)/fig1.png, fig1.svg, fig1.gp, fig1-*.csv and fig1.json (checks)"

# The test suite (fast checks; MEANFIELD_SLOW_TESTS=1 adds the slow statistical ones).
test:
	./scripts/setup.sh --deps-only
	swift test

# Everything, including the slow statistical checks (fixed seeds).
test-slow:
	MEANFIELD_SLOW_TESTS=1 $(MAKE) test

bench: setup
	./Benchmarks/run.sh

# meanfield against neural-tangents, scipy-quad and numpy (Docs/benchmarks.md, Benchmarks/peers):
# creates Benchmarks/peers/.venv with pip the first time (PEERS_VENV=/path uses an existing
# venv with the pinned peers), measures, and regenerates the peers tables of Docs/benchmarks.md.
# PEERS_ARGS passes options to bench.py, e.g. PEERS_ARGS="--quick --rounds 1 --skip-finite".
bench-peers:
	./Benchmarks/peers/run.sh $(PEERS_ARGS)

clean:
	rm -rf .build
