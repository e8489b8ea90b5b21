#!/usr/bin/env bash
# Installs the system libraries meanfield needs (Debian/Ubuntu) and, unless --deps-only, builds
# the release binary. Idempotent: packages already present are not reinstalled.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libgsl-dev libopenblas-dev gnuplot-nox pkg-config)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
        sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q
    $sudo apt-get install -y -q "${missing[@]}"
fi

if ! command -v swift >/dev/null; then
    [ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH
fi
command -v swift >/dev/null || { echo "setup: Swift 6 toolchain not found (expected on PATH or at /opt/swift)" >&2; exit 1; }
[ "${1:-}" = "--deps-only" ] && exit 0
swift build -c release
