#!/usr/bin/env python3
"""Straightforward numpy simulation of a full residual tanh network (the paper's Fig. 1
setting), forward and tied backward pass, as the baseline for Docs/benchmarks-simulator.md.

One np.random.default_rng per run, weights drawn with standard_normal, products with @, the
forward weights kept for the backward pass. Prints the wall time and a few statistics so that
the two implementations can be checked against each other.

    python3 Benchmarks/simulate_numpy.py --width 1000 --depth 200 --runs 20
"""
import argparse
import time

import numpy as np


def simulate_run(rng, width, depth, sigma_w, sigma_b, sigma_v, sigma_a, p0, e0):
    n = width
    # Two inputs with (1/N)|x|^2 = p0 and (1/N) x.x' = e0 p0, from orthonormalized directions.
    q, _ = np.linalg.qr(rng.standard_normal((n, 2)))
    x = np.sqrt(n * p0) * q[:, 0]
    x2 = np.sqrt(n * p0) * (e0 * q[:, 0] + np.sqrt(1 - e0 * e0) * q[:, 1])
    xs = np.stack([x, x2], axis=1)
    weights, hidden = [], []
    p = np.empty(depth + 1)
    gamma = np.empty(depth + 1)
    p[0], gamma[0] = p0, e0 * p0
    for layer in range(1, depth + 1):
        w = rng.standard_normal((n, n)) * (sigma_w / np.sqrt(n))
        b = rng.standard_normal(n) * sigma_b
        v = rng.standard_normal((n, n)) * (sigma_v / np.sqrt(n))
        a = rng.standard_normal(n) * sigma_a
        h = w @ xs + b[:, None]
        xs = v @ np.tanh(h) + a[:, None] + xs
        weights.append((w, v))
        hidden.append(h[:, 0])
        p[layer] = xs[:, 0] @ xs[:, 0] / n
        gamma[layer] = xs[:, 0] @ xs[:, 1] / n
    g = rng.standard_normal(n)
    chi = np.empty(depth + 1)
    chi[depth] = g @ g / n
    for layer in range(depth, 0, -1):
        w, v = weights[layer - 1]
        delta = (v.T @ g) / np.cosh(hidden[layer - 1]) ** 2
        g = g + w.T @ delta
        chi[layer - 1] = g @ g / n
    return p, gamma, chi / chi[depth]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=1000)
    parser.add_argument("--depth", type=int, default=200)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sigma-w", type=float, default=1.0)
    parser.add_argument("--sigma-b", type=float, default=0.0)
    parser.add_argument("--sigma-v", type=float, default=1.0)
    parser.add_argument("--sigma-a", type=float, default=0.0)
    parser.add_argument("--p0", type=float, default=1.0)
    parser.add_argument("--e0", type=float, default=0.5)
    args = parser.parse_args()
    start = time.perf_counter()
    results = [simulate_run(np.random.default_rng([args.seed, run]), args.width, args.depth,
                            args.sigma_w, args.sigma_b, args.sigma_v, args.sigma_a,
                            args.p0, args.e0)
               for run in range(args.runs)]
    elapsed = time.perf_counter() - start
    p = np.array([r[0] for r in results])
    chi = np.array([r[2] for r in results])
    print(f"numpy: width {args.width} depth {args.depth} runs {args.runs}: {elapsed:.2f} s")
    print(f"p^L mean {p[:, -1].mean():.6g}  log chi^0/chi^L mean {np.log(chi[:, 0]).mean():.6g}")


if __name__ == "__main__":
    main()
