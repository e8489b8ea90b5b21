#!/usr/bin/env python3
"""The plain scipy peer: what a researcher would write from the paper's recurrences
(THEORY.md sections 1-3), a Python loop over layers with scipy.integrate.quad for V phi and
V phi' and dblquad for W phi, default tolerances, infinite limits. Prints one JSON line
(common.emit) in the format of nt_worker.py.
"""
import argparse
import math
import time

START = time.perf_counter()
import numpy as np  # noqa: E402
from scipy.integrate import dblquad, quad  # noqa: E402
from scipy.special import erf  # noqa: E402

from common import emit, parameters  # noqa: E402

IMPORT_S = time.perf_counter() - START

ACTIVATIONS = {
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "erf": (lambda z: float(erf(z)), lambda z: 2 / math.sqrt(math.pi) * math.exp(-z * z)),
    "relu": (lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
}


def gauss(q):
    return lambda z: math.exp(-z * z / (2 * q)) / math.sqrt(2 * math.pi * q)


def V(f, q):
    g = gauss(q)
    return quad(lambda z: f(z) ** 2 * g(z), -np.inf, np.inf)[0]


def W(f, q, lam):
    det = q * q - lam * lam
    norm = 1 / (2 * math.pi * math.sqrt(det))
    return dblquad(lambda y, x: f(x) * f(y) * norm * math.exp(-(q * x * x - 2 * lam * x * y + q * y * y) / (2 * det)),
                   -np.inf, np.inf, -np.inf, np.inf)[0]


def curve(act, params, depth, layers):
    f, df = ACTIVATIONS[act]
    sw2, sb2 = params["sigma_w"] ** 2, params["sigma_b"] ** 2
    sv2, sa2 = params["sigma_v"] ** 2, params["sigma_a"] ** 2
    p, gamma = params["p0"], params["e0"] * params["p0"]
    log_chi_factors, rows = [], []
    for l in range(1, depth + 1):
        q, lam = sw2 * p + sb2, sw2 * gamma + sb2
        p = p + sv2 * V(f, q) + sa2
        gamma = gamma + sv2 * W(f, q, lam) + sa2
        log_chi_factors.append(math.log(1 + sv2 * sw2 * V(df, q)))  # backward, THEORY.md 3
        if l in layers:
            rows.append(dict(layer=l, p=p, gamma=gamma))
    return rows, log_chi_factors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--activation", default="tanh")
    ap.add_argument("--params", default="default")
    ap.add_argument("--depth", type=int, required=True)
    ap.add_argument("--layers", default="")
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    params = parameters(args.params)
    layers = {int(v) for v in args.layers.split(",") if v} | {args.depth}
    times, cpu_to_first = [], None
    for _ in range(args.repeats):
        t = time.perf_counter()
        rows, _ = curve(args.activation, params, args.depth, layers)
        times.append(time.perf_counter() - t)
        cpu_to_first = cpu_to_first or time.process_time()  # end-to-end CPU, as nt_worker.py
    emit(dict(tool="scipy-quad", activation=args.activation, params=args.params, depth=args.depth,
              import_s=IMPORT_S, first_s=times[0], steady_s=times[1:], cpu_to_first_s=cpu_to_first,
              rows=rows))


if __name__ == "__main__":
    main()
