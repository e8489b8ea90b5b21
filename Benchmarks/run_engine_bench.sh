#!/usr/bin/env bash
# Engine benchmarks (Docs/benchmarks-engine.md): whole theory curves, every column, release
# build, through ordo-one/benchmark (wall clock and CPU, percentiles over repeated runs), then the
# end-to-end CLI (parse, compute, format, atomic CSV write) for the issue's two targets.
# Usage: Benchmarks/run_engine_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH
echo "# $(date -u +%Y-%m-%d) on $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores), load $(cut -d' ' -f1-3 /proc/loadavg)"
(cd Benchmarks && swift package --allow-writing-to-package-directory benchmark \
    --target EngineBenchmarks --format markdown --no-progress 2>/dev/null)

swift build -c release --product meanfield >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo
echo "## End to end (meanfield theory ... --format csv --output FILE), best of 5"
for args in "--arch frn --activation tanh --depth 100000" \
            "--arch frn --activation alpha-relu --alpha 0.75 --depth 100000" \
            "--arch ff --activation tanh --sigma-w 1.5 --sigma-b 0.3 --depth 200"; do
    best=""
    for _ in 1 2 3 4 5; do
        line=$( { /usr/bin/time -f "%e %U %S" .build/release/meanfield theory $args --format csv \
                    --output "$work/curve.csv" >/dev/null; } 2>&1 | tail -1 )
        if [[ -z "$best" ]] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then best="$line"; fi
    done
    read -r wall user sys <<<"$best"
    printf -- "- \`%s\`: wall %.2f s, CPU %.2f s\n" "$args" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')"
done
