#!/usr/bin/env bash
# Simulator benchmarks (Docs/benchmarks-simulator.md): release build, the paper's Fig. 1
# setting in dense mode against a straightforward numpy implementation, conditional mode at
# width 1e5, and the per-part costs from meanfield-bench. Usage:
#   Benchmarks/run_simulator_bench.sh [repeats]      (default 3; numpy runs once)
#   SKIP_NUMPY=1 Benchmarks/run_simulator_bench.sh   (the numpy baseline takes minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-3}"
swift build -c release --product meanfield >/dev/null
swift build -c release --package-path Benchmarks --product meanfield-bench >/dev/null
bin=.build/release
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Best of $repeats wall-clock times (and the user+system CPU of that run) of a command.
time_best() {
    local best="" line
    for _ in $(seq "$repeats"); do
        line=$( { /usr/bin/time -f "%e %U %S" "$@" >/dev/null; } 2>&1 | tail -1 )
        if [[ -z "$best" ]] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then
            best="$line"
        fi
    done
    read -r wall user sys <<<"$best"
    printf "  best wall %.2f s (cpu %.2f s)\n" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')"
}

fig1=(--arch frn --activation tanh --sigma-w 1.5 --sigma-b 0.5 --sigma-v 1.5 --sigma-a 0.5
      --depth 200 --runs 20)
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "dense, width 1000, depth 200, 20 runs, tied backward (Fig. 1 setting):"
time_best "$bin/meanfield" simulate "${fig1[@]}" --width 1000 --mode dense --format csv --output "$work/dense.csv"
echo "conditional, width 100000, depth 200, 20 runs, tied backward:"
time_best "$bin/meanfield" simulate "${fig1[@]}" --width 100000 --mode conditional --format csv --output "$work/conditional.csv"
if [[ "${SKIP_NUMPY:-0}" != 1 ]]; then
    echo "numpy (Benchmarks/simulate_numpy.py), width 1000, depth 200, 20 runs, one repeat:"
    /usr/bin/time -f "  wall %e s (cpu %U s user, %S s system)" python3 Benchmarks/simulate_numpy.py \
        --width 1000 --depth 200 --runs 20 --sigma-w 1.5 --sigma-b 0.5 --sigma-v 1.5 --sigma-a 0.5
fi
echo "parts (meanfield-bench, one thread):"
Benchmarks/.build/release/meanfield-bench | sed 's/^/  /'
