#!/usr/bin/env bash
# All in-repo benchmarks (release builds): the engine, then the simulator.
# Results go to Docs/benchmarks-engine.md and Docs/benchmarks-simulator.md by hand, with the
# machine and date these scripts print.
set -euo pipefail
cd "$(dirname "$0")"
./run_engine_bench.sh
./run_simulator_bench.sh "$@"
