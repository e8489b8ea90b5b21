"""What every peer script shares: the benchmarked networks and the two inputs.

All parameters follow THEORY.md section 0 (FRN: h = W x + b, x' = V phi(h) + a + x).
"""
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# The CLI defaults (shared/CLI.md): a configuration nobody tuned for this benchmark.
DEFAULT = dict(sigma_w=1.0, sigma_b=0.0, sigma_v=1.0, sigma_a=0.0, p0=1.0, e0=0.5)
# The paper's Fig. 1 setting (biases on): checks the b_std mapping, and a second tanh case.
FIG1 = dict(sigma_w=1.5, sigma_b=0.5, sigma_v=1.5, sigma_a=0.5, p0=1.0, e0=0.5)


def parameters(name):
    return {"default": DEFAULT, "fig1": FIG1}[name]


def cli_options(params):
    """The meanfield network options for a parameter set."""
    return ["--arch", "frn", "--sigma-w", repr(params["sigma_w"]), "--sigma-b", repr(params["sigma_b"]),
            "--sigma-v", repr(params["sigma_v"]), "--sigma-a", repr(params["sigma_a"]),
            "--p0", repr(params["p0"]), "--e0", repr(params["e0"])]


def input_pair(params, dim=2):
    """Two inputs with |x|^2/dim = p0 and x.x'/dim = e0 p0: neural-tangents' input kernel is
    x x'^T / dim, so after a Dense stem with W_std = 1, b_std = 0 the kernel is (p^0, gamma^0)."""
    import numpy as np
    p0, e0 = params["p0"], params["e0"]
    x = np.zeros((2, dim))
    x[0, 0] = 1.0
    x[1, 0], x[1, 1] = e0, math.sqrt(1 - e0 * e0)
    return x * math.sqrt(dim * p0)


def emit(record):
    """Workers print one JSON line last; the orchestrator reads it."""
    print("RESULT " + json.dumps(record), flush=True)
