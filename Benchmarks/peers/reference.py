#!/usr/bin/env python3
"""Independent reference values for the benchmarked curves: p and gamma at a few layers.

Reuses Tests/References/curves_reference.py (none of it shares code or method with the
engine): erf and ReLU iterated in mpmath at 30 digits through their closed forms, tanh with a
dense tensor Gauss-Legendre grid per layer and the increments accumulated in mpmath.
Writes reference.json (committed; `reference.py --if-stale`, as run.sh calls it, regenerates
it only when CASES changed).
"""
import importlib.util
import json
import os
import sys

from common import HERE, ROOT, parameters

LAYERS = (1, 2, 10, 100, 1000)
# (activation, parameter set, depth)
CASES = [("tanh", "default", 1000), ("erf", "default", 1000), ("relu", "default", 1000),
         ("tanh", "fig1", 1000), ("erf", "fig1", 2), ("relu", "fig1", 2)]


def key(act, params):
    return f"{act}/{params}"


def load_generator():
    path = os.path.join(ROOT, "Tests", "References", "curves_reference.py")
    spec = importlib.util.spec_from_file_location("curves_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    path = os.path.join(HERE, "reference.json")
    cases = [list(c) for c in CASES]
    if "--if-stale" in sys.argv and os.path.exists(path):
        with open(path) as f:
            if json.load(f).get("case_list") == cases:
                return
    gen = load_generator()
    out = {"generator": "Tests/References/curves_reference.py", "case_list": cases, "cases": {}}
    for act, pname, depth in CASES:
        p = parameters(pname)
        moments = {"tanh": gen.tanh_moments, "erf": gen.erf_moments,
                   "relu": gen.alpha_relu_moments_factory(1.0)}[act]
        layers = {l for l in LAYERS if l <= depth}
        rows = gen.curve("frn", moments, depth, p["sigma_w"], p["sigma_b"], p["sigma_v"], p["sigma_a"],
                         p["p0"], p["e0"], odd=act != "relu", layers=layers, label=key(act, pname))
        out["cases"][key(act, pname)] = dict(params=pname, depth=depth, rows=[
            dict(layer=r["layer"], p=r["p"], gamma=r["gamma"]) for r in rows if r["layer"] >= 1])
        print("done", act, pname, file=sys.stderr, flush=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
