#!/usr/bin/env python3
"""Runs every peer benchmark and writes results.json (raw samples; report.py derives the
medians, ratios and errors and the tables of Docs/benchmarks.md). Called by run.sh.

Every sample is a fresh process, timed from outside (wall clock and the CPU time of the
process and its threads) and, where the tool reports it, inside (import, first call with
compilation, repeated calls). Samples are taken in rounds, each round runs every measurement
once, so that a change in the machine's load hits all tools alike. Before each round the
script waits (up to --wait seconds) for the other users' load to drop below one busy core.
"""
import argparse
import csv
import datetime
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time

from common import DEFAULT, HERE, ROOT, cli_options, parameters

MEANFIELD = os.path.join(ROOT, ".build", "release", "meanfield")
TIMING = os.path.join(ROOT, ".build", "release", "peers-timing")
NUMPY_SIM = os.path.join(ROOT, "Benchmarks", "simulate_numpy.py")
PY = sys.executable
LAYERS = "1,2,10,100,1000"
DEPTHS = (10, 100, 1000)
ACTIVATIONS = ("tanh", "erf", "relu")


def busy_cores(window=0.5):
    """CPU cores busy over a short window (all users), from /proc/stat."""
    def sample():
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        idle = values[3] + values[4]
        return sum(values) - idle, sum(values)
    b0, t0 = sample()
    time.sleep(window)
    b1, t1 = sample()
    return (b1 - b0) / max(t1 - t0, 1) * os.cpu_count()


def load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def wait_quiet(max_wait):
    start = time.time()
    while time.time() - start < max_wait and busy_cores(1.0) > 1.0:
        time.sleep(4)
    return time.time() - start


TIMEOUT = 3600  # seconds per sample (bench.py --timeout)


def run(cmd, timeout=None):
    """Runs one fresh process; returns wall seconds, CPU seconds (user + system of the
    process and its threads), load before, and the worker's RESULT record if it printed one."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    sample = dict(load1=load1(), busy=busy_cores(0.3))
    t = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout or TIMEOUT)
    sample["wall_s"] = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    sample["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            sample["record"] = json.loads(line[len("RESULT "):])
    sample["stdout"] = proc.stdout[-2000:]
    return sample


def csv_rows(path, layers):
    """The requested layers of a meanfield CSV (theory: p, gamma; simulate: p_mean, ...)."""
    with open(path) as f:
        return [dict(layer=int(r["layer"]), **{k: float(v) for k, v in r.items() if k != "layer" and v != ""})
                for r in csv.DictReader(f) if int(r["layer"]) in layers]


class Measurement:
    """One cell of a table: a command, run once per round."""

    def __init__(self, group, tool, variant, cmd, rounds, parse=None, **labels):
        self.group, self.tool, self.variant, self.cmd = group, tool, variant, cmd
        self.rounds, self.parse, self.labels = rounds, parse, labels
        self.samples, self.failures = [], []

    def take(self):
        """One sample; a failure (exit status, timeout, unparsable output) is recorded and the
        run goes on, so that one broken cell does not discard the others."""
        try:
            sample = run(self.cmd)
            if self.parse:
                sample.update(self.parse(sample))
        except Exception as error:  # noqa: BLE001 (reported in results.json and the document)
            print(f"  failed: {str(error)[-500:]}", flush=True)
            self.failures.append(str(error)[-3000:])
            return
        self.samples.append(sample)

    def json(self):
        return dict(group=self.group, tool=self.tool, variant=self.variant,
                    command=" ".join(map(str, self.cmd)), samples=self.samples, failures=self.failures,
                    **self.labels)


def theory_cli(out, act, pname, depth, layers):
    path = os.path.join(out, f"theory-{act}-{pname}-{depth}.csv")
    cmd = [MEANFIELD, "theory", *cli_options(parameters(pname)), "--activation", act,
           "--depth", str(depth), "--format", "csv", "--output", path]
    return cmd, lambda _: dict(rows=[dict(layer=r["layer"], p=r["p"], gamma=r["gamma"])
                                     for r in csv_rows(path, layers)])


def infinite_width(out, rounds, deep_rounds, whole_rounds, quick):
    ms = []
    depths = (10, 100) if quick else DEPTHS
    layer_set = {int(v) for v in LAYERS.split(",")}
    for act in ACTIVATIONS:
        for depth in depths:
            labels = dict(activation=act, params="default", depth=depth)
            cmd, parse = theory_cli(out, act, "default", depth, layer_set)
            ms.append(Measurement("infinite", "meanfield", "cli", cmd, rounds, parse, **labels))
            ms.append(Measurement("infinite", "meanfield", "library", [
                TIMING, "theory", *cli_options(DEFAULT), "--activation", act, "--depth", str(depth),
                "--repeats", "6"], rounds, **labels))
            ms.append(Measurement("infinite", "neural-tangents", "curve", [
                PY, os.path.join(HERE, "nt_worker.py"), "curve", "--activation", act, "--depth", str(depth),
                "--repeats", "6", "--layers", LAYERS], rounds, **labels))
            # A plain loop compiles nothing: a steady-state repeat at depth 10 shows it. Deeper
            # curves take minutes, so one call per process, and 1000 layers only --deep-rounds times.
            if depth <= 100 or deep_rounds > 0:
                ms.append(Measurement("infinite", "scipy-quad", "quad/dblquad", [
                    PY, os.path.join(HERE, "scipy_worker.py"), "--activation", act, "--depth", str(depth),
                    "--repeats", "2" if depth <= 10 else "1", "--layers", LAYERS],
                    rounds if depth <= 100 else deep_rounds, **labels))
    if not quick:
        # The paper's Fig. 1 parameters (q grows fast, the engine leaves its slow path early).
        labels = dict(activation="tanh", params="fig1", depth=1000)
        cmd, parse = theory_cli(out, "tanh", "fig1", 1000, layer_set)
        ms.append(Measurement("infinite", "meanfield", "cli", cmd, rounds, parse, **labels))
        ms.append(Measurement("infinite", "meanfield", "library", [
            TIMING, "theory", *cli_options(parameters("fig1")), "--activation", "tanh", "--depth", "1000",
            "--repeats", "6"], rounds, **labels))
        ms.append(Measurement("infinite", "neural-tangents", "curve", [
            PY, os.path.join(HERE, "nt_worker.py"), "curve", "--params", "fig1", "--depth", "1000",
            "--repeats", "6", "--layers", LAYERS], rounds, **labels))
        # NT tuned up: 4x the quadrature order (16x the work per layer).
        ms.append(Measurement("infinite", "neural-tangents", "curve-deg100", [
            PY, os.path.join(HERE, "nt_worker.py"), "curve", "--deg", "100", "--depth", "1000",
            "--repeats", "6", "--layers", LAYERS], rounds, activation="tanh", params="default", depth=1000))
    # NT's README usage: one jitted kernel_fn for the whole network. XLA compiles the unrolled
    # network, so compile time grows with depth; depth 1000 is not attempted.
    for depth in (10,) if quick else (10, 100):
        ms.append(Measurement("infinite", "neural-tangents", "whole", [
            PY, os.path.join(HERE, "nt_worker.py"), "whole", "--depth", str(depth), "--repeats", "3"],
            rounds if depth <= 10 else whole_rounds, activation="tanh", params="default", depth=depth))
    return ms


def parse_numpy_sim(sample, depth):
    """simulate_numpy.py prints its loop time (imports excluded) and the mean p^L."""
    elapsed = re.search(r": ([0-9.]+) s$", sample["stdout"], re.M)
    p = re.search(r"p\^L mean ([-0-9.e+]+)", sample["stdout"])
    return dict(record=dict(first_s=float(elapsed.group(1)), rows=[dict(layer=depth, p=float(p.group(1)))]))


def finite_width(out, rounds, quick, widths, depth, runs):
    ms = []
    for width in widths:
        labels = dict(activation="tanh", params="default", width=width, depth=depth, runs=runs)
        for mode in ("conditional", "dense"):
            path = os.path.join(out, f"simulate-{mode}-{width}.csv")
            cmd = [MEANFIELD, "simulate", *cli_options(DEFAULT), "--activation", "tanh", "--depth", str(depth),
                   "--width", str(width), "--runs", str(runs), "--mode", mode, "--format", "csv", "--output", path]
            parse = (lambda _, path=path: dict(rows=[dict(layer=r["layer"], p=r["p_mean"], p_std=r.get("p_std"),
                                                       gamma=r["gamma_mean"]) for r in csv_rows(path, {depth})]))
            ms.append(Measurement("finite", "meanfield", mode, cmd, rounds, parse, **labels))
        ms.append(Measurement("finite", "meanfield", "conditional-library", [
            TIMING, "simulate", *cli_options(DEFAULT), "--activation", "tanh", "--depth", str(depth),
            "--width", str(width), "--runs", str(runs), "--mode", "conditional", "--repeats", "6"],
            rounds, **labels))
        if os.path.exists(NUMPY_SIM):
            ms.append(Measurement("finite", "numpy", "simulate_numpy.py", [
                PY, NUMPY_SIM, "--width", str(width), "--depth", str(depth), "--runs", str(runs),
                *[f"--{k.replace('_', '-')}={v!r}" for k, v in DEFAULT.items()]],
                rounds, lambda sample, depth=depth: parse_numpy_sim(sample, depth), **labels))
        ms.append(Measurement("finite", "neural-tangents", "monte_carlo_kernel_fn", [
            PY, os.path.join(HERE, "nt_worker.py"), "mc", "--width", str(width), "--depth", str(depth),
            # one call per process beyond width 1024: a call takes minutes there
            "--samples", str(runs), "--repeats", "2" if width <= 1024 else "1"], rounds, **labels))
    return ms


def mapping_check(out):
    """NT's kernel against meanfield at depth 2, both parameter sets (section 'mapping')."""
    rows = []
    for pname in ("default", "fig1"):
        for act in ACTIVATIONS:
            cmd, parse = theory_cli(out, act, pname, 2, {1, 2})
            try:
                ours = {r["layer"]: r for r in parse(run(cmd))["rows"]}
                nt = run([PY, os.path.join(HERE, "nt_worker.py"), "curve", "--activation", act, "--params", pname,
                          "--depth", "2", "--repeats", "1", "--layers", "1,2"])["record"]
            except Exception as error:  # noqa: BLE001
                print(f"  mapping check {act} {pname} failed: {str(error)[-500:]}", flush=True)
                continue
            for r in nt["rows"]:
                o = ours[r["layer"]]
                rows.append(dict(activation=act, params=pname, layer=r["layer"], meanfield_p=o["p"],
                                 meanfield_gamma=o["gamma"], nt_p=r["p"], nt_gamma=r["gamma"]))
    return rows


def machine():
    def first(cmd, pattern=None):
        try:
            text = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
        except OSError:
            return None
        if pattern:
            m = re.search(pattern, text, re.M)
            return m.group(1).strip() if m else None
        return text.strip().splitlines()[0] if text.strip() else None
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    from importlib.metadata import PackageNotFoundError, version

    def installed(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return None
    packages = {p: installed(p) for p in ("jax", "jaxlib", "neural-tangents", "tf2jax", "numpy", "scipy", "mpmath")}
    return dict(cpu=first(["lscpu"], r"^Model name:\s*(.+)$"), cores=os.cpu_count(),
                threads_per_core=first(["lscpu"], r"^Thread\(s\) per core:\s*(.+)$"),
                memory_gib=round(mem_kb / 2**20, 1), kernel=platform.release(),
                python=platform.python_version(), swift=first(["swift", "--version"]),
                meanfield_commit=first(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]),
                packages=packages)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--deep-rounds", type=int, default=1, help="rounds of the 1000-layer scipy curves")
    ap.add_argument("--whole-rounds", type=int, default=None,
                    help="rounds of NT's whole-network jit at depth 100 (minutes of XLA compilation; default --rounds)")
    ap.add_argument("--finite-rounds", type=int, default=None, help="rounds of the finite-width cells (default --rounds)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per sample before it counts as failed")
    ap.add_argument("--wait", type=float, default=120, help="seconds to wait for a quiet machine per round")
    ap.add_argument("--quick", action="store_true", help="shallow cases only, for testing the scripts")
    ap.add_argument("--skip-finite", action="store_true")
    ap.add_argument("--skip-infinite", action="store_true", help="with --skip-finite: test one part")
    ap.add_argument("--widths", default="1024,4096")
    ap.add_argument("--sim-depth", type=int, default=20)
    ap.add_argument("--sim-runs", type=int, default=5)
    ap.add_argument("--output", default=os.path.join(HERE, "results.json"))
    args = ap.parse_args()
    global TIMEOUT
    TIMEOUT = args.timeout
    whole_rounds = args.rounds if args.whole_rounds is None else args.whole_rounds
    finite_rounds = args.rounds if args.finite_rounds is None else args.finite_rounds

    out = tempfile.mkdtemp(prefix="peers-")
    results = dict(date=datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                   machine=machine(), settings=vars(args), load_start=dict(load1=load1(), busy=busy_cores(1.0)))
    print(f"machine: {results['machine']['cpu']}, {results['machine']['cores']} cores", flush=True)
    results["mapping_check"] = [] if args.skip_infinite else mapping_check(out)
    ms = [] if args.skip_infinite else infinite_width(out, args.rounds, args.deep_rounds, whole_rounds, args.quick)
    if not args.skip_finite:
        widths = [int(w) for w in args.widths.split(",")]
        ms += finite_width(out, finite_rounds, args.quick, widths, args.sim_depth, args.sim_runs)
    waits = []

    def save(final):
        """Written after every round: an interrupted run still leaves its completed rounds."""
        results["complete"] = final
        results["load_end"] = dict(load1=load1(), busy=busy_cores(1.0))
        results["round_waits_s"] = waits
        results["measurements"] = [m.json() for m in ms]
        with open(args.output + ".tmp", "w") as f:
            json.dump(results, f, indent=1)
        os.replace(args.output + ".tmp", args.output)

    for rnd in range(max(m.rounds for m in ms)):
        waits.append(wait_quiet(args.wait))
        for m in ms:
            if rnd < m.rounds:
                print(f"round {rnd + 1}: {m.tool} {m.variant} {m.labels} ({time.strftime('%H:%M:%S')}, "
                      f"load {load1():.2f})", flush=True)
                m.take()
        save(False)
    save(True)
    print(f"wrote {args.output}", flush=True)


if __name__ == "__main__":
    main()
