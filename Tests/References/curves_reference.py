#!/usr/bin/env python3
"""Independent reference curves for the theory engine (THEORY.md sections 2-3).

Closed-form activations (erf; alpha-ReLU through mpmath's own 2F1) are iterated in mpmath at
30 digits. tanh uses a dense tensor Gauss-Legendre grid in (z, z') per layer (float64, 16 nodes
a panel, panels at the activation's features and at multiples of sqrt(q)); its increments are
accumulated in mpmath, so the sums lose nothing. None of this shares code or method with the
engine (GSL adaptive quadrature in (m, w) coordinates, the tanh sign decomposition, the
connection series). Output: curves_reference.json, rows at selected layers with every column
of `meanfield theory`. Run: python3 curves_reference.py  (about 30 minutes on 2 cores).
"""
import json
import math
import sys
import mpmath as mp
import numpy as np

mp.mp.dps = 30


def selected_layers(depth, count=40):
    layers = {0, 1, 2, 3, depth - 1, depth}
    for k in np.unique(np.round(np.logspace(0, math.log10(depth), count)).astype(int)):
        layers.add(int(k))
    return sorted(l for l in layers if 0 <= l <= depth)


# --- erf closed forms -------------------------------------------------------------------
def erf_moments(q, lam):
    V = 2 / mp.pi * mp.asin(2 * q / (1 + 2 * q))
    W = 2 / mp.pi * mp.asin(2 * lam / (1 + 2 * q))
    Vp = 4 / mp.pi / mp.sqrt(1 + 4 * q)
    return V, W, Vp, mp.mpf(0)


# --- alpha-ReLU closed forms (mpmath hypergeometric) ---------------------------------------
def alpha_relu_moments_factory(alpha):
    a = mp.mpf(alpha)
    ca = mp.power(2, a - 1) * mp.gamma(a + 0.5) / mp.sqrt(mp.pi)
    cam1 = mp.power(2, a - 2) * mp.gamma(a - 0.5) / mp.sqrt(mp.pi) if a > 0.5 else None
    G = mp.gamma(a + 1) ** 2 / (mp.gamma(a + 0.5) * mp.gamma(a + 1.5))
    kappa = mp.power(2, a / 2 - 1) * mp.gamma((a + 1) / 2) / mp.sqrt(mp.pi)

    def J(c):
        x = (1 + c) / 2
        if x <= 0:
            return mp.mpf(0)
        return x ** (a + 0.5) * G * mp.hyp2f1(0.5, 0.5, a + 1.5, x)

    def moments(q, lam):
        c = lam / q
        V = ca * q ** a
        Vp = a * a * cam1 * q ** (a - 1)
        return V, V * J(c), Vp, kappa * q ** (a / 2)
    return moments


# --- tanh by a dense tensor grid ----------------------------------------------------------
def _gl(breaks, n=20):
    x0, w0 = np.polynomial.legendre.leggauss(n)
    xs, ws = [], []
    for lo, hi in zip(breaks[:-1], breaks[1:]):
        xs.append(0.5 * (hi - lo) * x0 + 0.5 * (lo + hi))
        ws.append(0.5 * (hi - lo) * w0)
    return np.concatenate(xs), np.concatenate(ws)


def _grid(q):
    sd = math.sqrt(q)
    cut = 14 * sd
    pts = {0.0, cut, -cut}
    for f in (0.25, 0.5, 1, 2, 4, 8, 16, 24):
        if f < cut:
            pts.update((f, -f))
    for k in (1, 2, 3, 4, 6, 8, 10, 12):
        pts.update((k * sd, -k * sd))
    return _gl(np.array(sorted(pts)), 16)


def tanh_moments(q, lam):
    q, lam = float(q), float(lam)
    x, w = _grid(q)
    g = w * np.exp(-x * x / (2 * q)) / math.sqrt(2 * math.pi * q)
    t = np.tanh(x)
    V = math.fsum(g * t * t)
    e = np.exp(-2 * np.abs(x))
    Vp = math.fsum(g * (4 * e / (1 + e) ** 2) ** 2)
    c = lam / q
    s2 = q * (1 - c * c)
    # bivariate density on the tensor grid
    dens = np.exp(-(x[:, None] ** 2 - 2 * c * x[:, None] * x[None, :] + x[None, :] ** 2) / (2 * s2))
    dens *= (w[:, None] * w[None, :]) / (2 * math.pi * math.sqrt(q * s2))
    W = math.fsum((dens * (t[:, None] * t[None, :])).ravel())
    return mp.mpf(V), mp.mpf(W), mp.mpf(Vp), mp.mpf(0)


# --- the recurrences ------------------------------------------------------------------------
def curve(arch, moments, depth, sw, sb, sv=1.0, sa=0.0, p0=1.0, e0=0.5, m0=0.0, odd=True,
          layers=None, label=""):
    sw2, sb2 = mp.mpf(sw) ** 2, mp.mpf(sb) ** 2
    if arch == "rrn":
        sv2, sa2 = mp.mpf(1), mp.mpf(0)
    else:
        sv2, sa2 = mp.mpf(sv) ** 2, mp.mpf(sa) ** 2
    p, gamma, m = mp.mpf(p0), mp.mpf(e0) * mp.mpf(p0), mp.mpf(m0)
    rows = {0: dict(layer=0, p=p, q=None, gamma=gamma, lam=None)}
    logfactors = [mp.mpf(0)]  # index l: ln(chi^{l-1}/chi^l)
    extra = {}
    for l in range(1, depth + 1):
        q = sw2 * p + sb2
        lam = sw2 * gamma + sb2
        V, W, Vp, M = moments(q, lam)
        p_prev = p
        if arch == "ff":
            p, gamma = V, W
        else:
            mean = 0
            if arch == "rrn" and not odd:
                mean = 2 * M * m
                m = m + M
            p = p + sv2 * V + sa2 + mean
            gamma = gamma + sv2 * W + sa2 + mean
        if arch == "ff":
            logfactors.append(mp.log(sw2 * Vp))
        else:
            logfactors.append(mp.log(1 + sv2 * sw2 * Vp))
        extra[l] = (Vp, V, p_prev)
        if layers is None or l in layers:
            rows[l] = dict(layer=l, p=p, q=q, gamma=gamma, lam=lam)
        if l % 1000 == 0:
            print(label, l, flush=True)
    # backward: ln(chi^l/chi^L) = sum_{j > l} ln factor_j
    suffix = [mp.mpf(0)] * (depth + 2)
    for l in range(depth, -1, -1):
        suffix[l] = suffix[l + 1] + (logfactors[l + 1] if l + 1 <= depth else 0)
    out = []
    for l in sorted(rows):
        r = rows[l]
        log_chi = suffix[l]
        rec = {"layer": l, "p": r["p"], "q": r["q"], "gamma": r["gamma"], "lambda": r["lam"],
               "e": r["gamma"] / r["p"], "c": None if r["q"] is None else r["lam"] / r["q"],
               "s": 2 * (r["p"] - r["gamma"]), "log_chi": log_chi}
        if l >= 1:
            Vp, V, p_prev = extra[l]
            log_b = log_chi + mp.log(Vp) + (mp.log(sv2) if arch == "frn" else 0)
            rec["log_chi_b"] = log_b
            rec["log_chi_w"] = log_b + mp.log(p_prev)
            if arch == "frn":
                rec["log_chi_v"] = log_chi + mp.log(V)
                rec["log_chi_a"] = log_chi
        out.append({k: (None if v is None else (v if isinstance(v, int) else mp.nstr(v, 22)))
                    for k, v in rec.items()})
    return out


CASES = [
    # name, arch, activation, alpha, depth, sigmas / inputs
    ("erf-frn", "frn", "erf", None, 100000, dict(sw=1.2, sb=0.1, sv=0.9, sa=0.3, p0=1.3, e0=0.5)),
    ("erf-rrn", "rrn", "erf", None, 100000, dict(sw=0.8, sb=0.2, p0=2.0, e0=0.2)),
    ("erf-ff", "ff", "erf", None, 1000, dict(sw=1.6, sb=0.1, p0=0.7, e0=0.9)),
    ("alpha-frn-0.75", "frn", "alpha-relu", 0.75, 100000, dict(sw=1.1, sb=0.2, sv=0.7, sa=0.1, p0=1.0, e0=0.3)),
    ("alpha-frn-0.6", "frn", "alpha-relu", 0.6, 10000, dict(sw=1.0, sb=0.0, sv=1.0, sa=0.0, p0=1.0, e0=0.5)),
    ("alpha-rrn-0.75", "rrn", "alpha-relu", 0.75, 2000, dict(sw=0.7, sb=0.3, p0=1.0, e0=0.4, m0=0.5)),
    ("relu-rrn", "rrn", "alpha-relu", 1.0, 20, dict(sw=0.7, sb=0.3, p0=1.0, e0=0.5, m0=0.0)),
    ("relu-ff", "ff", "alpha-relu", 1.0, 500, dict(sw=1.414, sb=0.05, p0=1.0, e0=0.2)),
    ("tanh-frn", "frn", "tanh", None, 3000, dict(sw=1.0, sb=0.0, sv=1.0, sa=0.0, p0=1.0, e0=0.5)),
    ("tanh-frn-biased", "frn", "tanh", None, 1000, dict(sw=1.3, sb=0.4, sv=0.8, sa=0.5, p0=0.5, e0=0.1)),
    ("tanh-rrn", "rrn", "tanh", None, 1000, dict(sw=0.9, sb=0.2, p0=1.0, e0=0.7)),
    ("tanh-ff", "ff", "tanh", None, 300, dict(sw=1.5, sb=0.3, p0=1.0, e0=0.5)),
]


def main():
    only = set(sys.argv[1:])
    try:
        with open("curves_reference.json") as f:
            out = json.load(f)
    except FileNotFoundError:
        out = {}
    for name, arch, act, alpha, depth, kw in CASES:
        if only and name not in only:
            continue
        if act == "erf":
            moments, odd = erf_moments, True
        elif act == "tanh":
            moments, odd = tanh_moments, True
        else:
            moments, odd = alpha_relu_moments_factory(alpha), False
        layers = set(selected_layers(depth))
        rows = curve(arch, moments, depth, odd=odd, layers=layers, label=name, **kw)
        config = dict(arch=arch, activation=act, alpha=alpha, depth=depth, **kw)
        out[name] = {"config": config, "rows": rows}
        with open("curves_reference.json", "w") as f:
            json.dump(out, f, indent=0)
        print("done", name, flush=True)


if __name__ == "__main__":
    main()
