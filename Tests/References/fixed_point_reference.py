#!/usr/bin/env python3
"""Independent references for the FF fixed point (THEORY.md section 7).

tanh: q* from mpmath 1-D integrals and mpmath.findroot (30 digits); c* as the root of the
c-map 1 - c - sigma_w^2 D(q*, (1-c) q*)/q* with D from the dense conditional-coordinate
Gauss-Legendre rule of transforms_reference.py (float64, ~1e-16); chi_c = sigma_w^2 E[phi'(z) phi'(z')]
by the same dense rule. erf: closed forms in mpmath. Output: fixed_point_reference.json.
"""
import json
import math
import mpmath as mp
import numpy as np
from transforms_reference import gauss_expect_1d, FEATURES, _gl_panels, _breaks, _tanh_diff, TANH_FEATURES

mp.mp.dps = 30


def dense_pair(q, one_minus_c, f, n=40):
    """E[f(z, z')] by composite Gauss-Legendre in conditional coordinates (float64)."""
    c = 1 - one_minus_c
    s2 = q * one_minus_c * (2 - one_minus_c)
    s, sd = math.sqrt(s2), math.sqrt(q)
    x, wx = _gl_panels(_breaks(-14 * sd, 14 * sd, sd, 0.0, TANH_FEATURES), n)
    gx = wx * np.exp(-x * x / (2 * q)) / math.sqrt(2 * math.pi * q)
    parts = []
    for xi, gi in zip(x, gx):
        mu = c * xi
        u, wu = _gl_panels(_breaks(-14 * s, 14 * s, s, 0.0, [t - mu for t in TANH_FEATURES]), n)
        gu = wu * np.exp(-u * u / (2 * s2)) / math.sqrt(2 * math.pi * s2)
        parts.append(gi * np.dot(gu, f(xi, mu + u, xi * one_minus_c - u)))
    return math.fsum(parts)


def tanh_fixed_point(sw, sb):
    sw2, sb2 = mp.mpf(sw) ** 2, mp.mpf(sb) ** 2
    V = lambda q: gauss_expect_1d(lambda x: mp.tanh(x) ** 2, q, FEATURES)
    Vp = lambda q: gauss_expect_1d(lambda x: mp.sech(x) ** 4, q, FEATURES)
    q = mp.mpf(1)
    for _ in range(200):   # iterate to the attracting fixed point, then polish
        q = sw2 * V(q) + sb2
    q = mp.findroot(lambda x: sw2 * V(x) + sb2 - x, q)
    chi1 = sw2 * Vp(q)
    second = gauss_expect_1d(lambda x: -2 * mp.tanh(x) ** 2 * mp.sech(x) ** 2, q, FEATURES)
    out = {"sigma_w": sw, "sigma_b": sb, "q_star": mp.nstr(q, 20), "chi_1": mp.nstr(chi1, 20)}
    factor = chi1 + sw2 * second
    out["xi_q"] = mp.nstr(-1 / mp.log(factor), 20) if 0 < factor < 1 else None
    qf = float(q)
    if chi1 <= 1:
        cstar = 1.0
        chic = float(chi1)
    else:
        D = lambda omc: dense_pair(qf, omc, lambda a, b, d: 0.5 * _tanh_diff(np.full_like(b, a), b, d) ** 2)
        g = lambda c: (1 - c) - float(sw2) * D(1 - c) / qf
        lo, hi = 0.0, 1 - 1e-6
        if g(lo) < 0:
            lo = -1 + 1e-9
        for _ in range(60):   # bisection to double precision
            mid = 0.5 * (lo + hi)
            if g(mid) > 0:
                lo = mid
            else:
                hi = mid
        cstar = 0.5 * (lo + hi)
        sech2 = lambda t: 1 / np.cosh(np.clip(t, -300, 300)) ** 2
        chic = float(sw2) * dense_pair(qf, 1 - cstar, lambda a, b, d: sech2(a) * sech2(b))
    out["c_star"] = cstar
    out["chi_c"] = chic
    out["xi_c"] = -1 / math.log(chic) if 0 < chic < 1 else None
    return out


def erf_fixed_point(sw, sb):
    sw2, sb2 = mp.mpf(sw) ** 2, mp.mpf(sb) ** 2
    V = lambda q: 2 / mp.pi * mp.asin(2 * q / (1 + 2 * q))
    q = mp.mpf(1)
    for _ in range(500):
        q = sw2 * V(q) + sb2
    q = mp.findroot(lambda x: sw2 * V(x) + sb2 - x, q)
    chi1 = sw2 * 4 / mp.pi / mp.sqrt(1 + 4 * q)
    return {"sigma_w": sw, "sigma_b": sb, "q_star": mp.nstr(q, 20), "chi_1": mp.nstr(chi1, 20)}


if __name__ == "__main__":
    out = {"tanh": [tanh_fixed_point(1.5, 0.3), tanh_fixed_point(0.9, 0.1), tanh_fixed_point(2.5, 0.05)],
           "erf": [erf_fixed_point(1.3, 0.2), erf_fixed_point(0.7, 0.5)]}
    with open("fixed_point_reference.json", "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(out, indent=1))
