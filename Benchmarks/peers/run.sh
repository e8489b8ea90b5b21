#!/usr/bin/env bash
# Peer benchmarks in one command: sets up the peers in a virtual environment (first time:
# about 2.6 GB from PyPI), builds meanfield in release mode, measures everything
# (Benchmarks/peers/results.json) and regenerates the peers tables of Docs/benchmarks.md.
#   Benchmarks/peers/run.sh                  full run (about an hour on 2 cores)
#   Benchmarks/peers/run.sh --quick --rounds 2 --skip-finite     a smoke test of the scripts
# Options after the script name go to bench.py (--rounds, --deep-rounds, --widths, ...).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="/opt/swift/usr/bin:$PATH"
venv="$here/.venv"

# The venv is rebuilt when requirements.txt changes (its copy inside the venv differs).
if ! cmp -s "$here/requirements.txt" "$venv/requirements.txt" 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$venv/requirements.txt"
fi

cd "$root"
swift build -c release --product meanfield
swift build -c release --product peers-timing

cd "$here"
"$venv/bin/python" reference.py --if-stale
echo "load before: $(uptime)"
"$venv/bin/python" bench.py "$@"
echo "load after: $(uptime)"
"$venv/bin/python" report.py
