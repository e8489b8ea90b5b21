#!/usr/bin/env python3
"""neural-tangents peer, one fresh process per measurement (run by bench.py).

  curve: the infinite-width kernel of every layer 1..L, the block's kernel function iterated
         by jax.lax.scan under one jit (NT's fastest path for a whole curve);
  whole: stax.serial(stem, block x L) jitted, the kernel of layer L only (NT's README usage);
  mc:    nt.monte_carlo_kernel_fn at finite width, the NNGP of layer L averaged over samples.

Prints the import time, the first call (tracing and XLA compilation included), the later
calls (steady state) and the kernel entries p, gamma at the requested layers.
"""
import argparse
import time

START = time.perf_counter()
import warnings  # noqa: E402

warnings.filterwarnings("ignore")  # ElementwiseNumerical and FanInSum warn on every use
import jax  # noqa: E402

# float64: NT's default float32 would cap every kernel entry at ~1e-7 relative accuracy.
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import neural_tangents as nt  # noqa: E402
from neural_tangents import stax  # noqa: E402

from common import emit, input_pair, parameters  # noqa: E402

IMPORT_S = time.perf_counter() - START


def activation(name, deg):
    if name == "tanh":  # no closed form in NT: Gauss-Hermite quadrature of order deg
        return stax.ElementwiseNumerical(jnp.tanh, deg=deg)
    return {"erf": stax.Erf(), "relu": stax.Relu()}[name]


def network(params, act, depth, width=1):
    """Dense stem, then depth blocks x + V phi(W x + b) + a (THEORY.md section 0, FRN).
    NT refuses a non-Gaussian identity branch, so the stem turns the input into a GP with
    kernel (p0, e0 p0). Width matters only for mc (the kernel limit ignores it)."""
    branch = stax.serial(stax.Dense(width, W_std=params["sigma_w"], b_std=params["sigma_b"]), act,
                         stax.Dense(width, W_std=params["sigma_v"], b_std=params["sigma_a"]))
    block = stax.serial(stax.FanOut(2), stax.parallel(branch, stax.Identity()), stax.FanInSum())
    stem = stax.Dense(width, W_std=1.0, b_std=0.0)
    return stem, block, stax.serial(stem, *[block] * depth)


def timed(call, repeats, record):
    """Wall times of repeated calls; the process's CPU time (all threads, since its start)
    when the first call is done, for the end-to-end CPU figure."""
    times, result = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - t)
        record.setdefault("cpu_to_first_s", time.process_time())
    record["first_s"], record["steady_s"] = times[0], times[1:]
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["curve", "whole", "mc"])
    ap.add_argument("--activation", default="tanh")
    ap.add_argument("--params", default="default")
    ap.add_argument("--depth", type=int, required=True)
    ap.add_argument("--deg", type=int, default=25)  # NT's documented starting point
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--layers", default="")  # layers to report (curve mode)
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    params = parameters(args.params)
    x = input_pair(params)
    act = activation(args.activation, args.deg)
    record = dict(tool="neural-tangents", mode=args.mode, activation=args.activation,
                  params=args.params, depth=args.depth, deg=args.deg if args.activation == "tanh" else None,
                  import_s=IMPORT_S, devices=[str(d) for d in jax.devices()])

    if args.mode == "curve":
        stem, block, _ = network(params, act, args.depth)
        stem_kernel, block_kernel = stem[2], block[2]

        def body(kernel, _):
            kernel = block_kernel(kernel)
            return kernel, kernel.nngp

        # ntk=None: NT then skips the tangent kernel, which nobody compares here.
        curve = jax.jit(lambda inputs: jax.lax.scan(
            body, stem_kernel(inputs, None).replace(ntk=None), None, length=args.depth)[1])
        nngp = timed(lambda: np.asarray(curve(x)), args.repeats, record)
        layers = [int(v) for v in args.layers.split(",") if v] or [args.depth]
        record["rows"] = [dict(layer=l, p=float(nngp[l - 1, 0, 0]), gamma=float(nngp[l - 1, 0, 1]))
                          for l in layers if 1 <= l <= args.depth]
    elif args.mode == "whole":
        _, _, net = network(params, act, args.depth)
        kernel_fn = jax.jit(net[2], static_argnames="get")
        nngp = timed(lambda: np.asarray(kernel_fn(x, None, "nngp")), args.repeats, record)
        record["rows"] = [dict(layer=args.depth, p=float(nngp[0, 0]), gamma=float(nngp[0, 1]))]
    else:
        init_fn, apply_fn, _ = network(params, act, args.depth, width=args.width)[2]
        # Forward kernel only ('nngp'), like the infinite-width runs; all samples each call.
        kernel_fn = nt.monte_carlo_kernel_fn(init_fn, apply_fn, jax.random.PRNGKey(args.seed),
                                             args.samples)
        nngp = timed(lambda: np.asarray(kernel_fn(x, None, "nngp")), args.repeats, record)
        record.update(width=args.width, samples=args.samples)
        record["rows"] = [dict(layer=args.depth, p=float(nngp[0, 0]), gamma=float(nngp[0, 1]))]
    emit(record)


if __name__ == "__main__":
    main()
