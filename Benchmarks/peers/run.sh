#!/usr/bin/env bash
# Peer benchmarks in one command: sets up the peers in a virtual environment (first time:
# about 2.6 GB from PyPI), builds meanfield in release mode, measures everything
# (Benchmarks/peers/results.json) and regenerates the peers tables of Docs/benchmarks.md.
#   Benchmarks/peers/run.sh                  full run (about an hour on 2 cores)
#   Benchmarks/peers/run.sh --quick --rounds 2 --skip-finite     a smoke test of the scripts
#   Benchmarks/peers/run.sh --rounds 3 --finite-rounds 2 --whole-rounds 1 --wait 10   (about 45 minutes)
# Options after the script name go to bench.py (--rounds, --deep-rounds, --whole-rounds,
# --finite-rounds, --widths, --wait, --timeout, --quick, --skip-finite, ...).
# PEERS_VENV=/path/to/venv uses an existing virtual environment with the peers instead of
# creating Benchmarks/peers/.venv (for machines where pip cannot reach PyPI); run.sh then only
# checks that the pinned versions are installed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="/opt/swift/usr/bin:$PATH"

if [ -n "${PEERS_VENV:-}" ]; then
    venv="$PEERS_VENV"
    "$venv/bin/python" - <<'PY'
from importlib.metadata import version
pins = {"jax": "0.4.30", "jaxlib": "0.4.30", "tf2jax": "0.3.6", "neural-tangents": "0.6.5"}
wrong = {p: version(p) for p in pins if version(p) != pins[p]}
for p in ("numpy", "scipy"):
    version(p)
if wrong:
    raise SystemExit(f"PEERS_VENV: pinned versions differ: {wrong} (requirements.txt: {pins})")
PY
# The venv is rebuilt when requirements.txt changes (its copy inside the venv differs).
elif venv="$here/.venv"; ! cmp -s "$here/requirements.txt" "$venv/requirements.txt" 2>/dev/null; then
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
