#!/usr/bin/env python3
"""Independent high-precision references for the Gaussian transforms (mpmath, 30+ digits).

The engine integrates in (m, w) = ((z+z')/2, (z-z')/2) coordinates with GSL adaptive rules
(or, for tanh at large q, a sign decomposition with a series); these references use other
methods: one-dimensional integrals and the alpha-ReLU hypergeometric form by mpmath at 30-60
digits, and the tanh two-dimensional integrals by a dense composite Gauss-Legendre rule in the
conditional coordinates z, z'|z (float64, with the change between 24 and 40 nodes a panel
recorded as the reference's own error estimate). Output: transforms_reference.json (committed). Run: python3 transforms_reference.py
"""
import json
import mpmath as mp
import numpy as np
import math

mp.mp.dps = 30


def gauss_expect_1d(f, q, points=()):
    """E[f(z)], z ~ N(0, q), split at 0, the given points and Gaussian scale points."""
    sd = mp.sqrt(q)
    cut = 14 * sd
    pts = sorted(set([mp.mpf(0)] + [mp.mpf(p) for p in points if 0 < p < cut]
                     + [k * sd for k in (1, 2, 4, 8) if k * sd < cut] + [cut]))
    pts = [-p for p in reversed(pts[1:])] + pts
    dens = lambda x: mp.exp(-x * x / (2 * q)) / mp.sqrt(2 * mp.pi * q)
    return mp.quad(lambda x: f(x) * dens(x), pts)


FEATURES = (0.25, 0.5, 1, 2, 4, 8, 16, 24)


def tanh_V(q):
    return gauss_expect_1d(lambda x: mp.tanh(x) ** 2, q, FEATURES)


def tanh_Vp(q):
    return gauss_expect_1d(lambda x: mp.sech(x) ** 4, q, FEATURES)


def _gl_panels(breaks, n):
    """Composite Gauss-Legendre nodes/weights on sorted breakpoints (numpy float64)."""
    x0, w0 = np.polynomial.legendre.leggauss(n)
    xs, ws = [], []
    for a, b in zip(breaks[:-1], breaks[1:]):
        xs.append(0.5 * (b - a) * x0 + 0.5 * (a + b))
        ws.append(0.5 * (b - a) * w0)
    return np.concatenate(xs), np.concatenate(ws)


def _breaks(lo, hi, sd, centre, features):
    pts = {lo, hi}
    for k in (0.25, 0.5, 1, 2, 3, 4, 6, 8, 10):
        for p in (centre - k * sd, centre + k * sd):
            if lo < p < hi:
                pts.add(p)
    for p in features:
        if lo < p < hi:
            pts.add(p)
    return np.array(sorted(pts))


def _tanh_diff(a, b, delta):
    """tanh a - tanh b without cancellation, given delta = a - b exactly (vectorized)."""
    out = np.tanh(a) - np.tanh(b)
    small = (np.abs(a) < 300) & (np.abs(b) < 300)
    out[small] = np.sinh(delta[small]) / (np.cosh(a[small]) * np.cosh(b[small]))
    # Same-sign tails: 2 (e^{-2b} - e^{-2a}) / ((1+e^{-2a})(1+e^{-2b})) and its mirror, with
    # the difference of exponentials through expm1 of the smaller exponent.
    pos = (a > 20) & (b > 20)
    ea, eb, dl = np.exp(-2 * a[pos]), np.exp(-2 * b[pos]), delta[pos]
    num = np.where(dl >= 0, -eb * np.expm1(-2 * np.maximum(dl, 0)), ea * np.expm1(2 * np.minimum(dl, 0)))
    out[pos] = 2 * num / ((1 + ea) * (1 + eb))
    neg = (a < -20) & (b < -20)
    ea, eb, dl = np.exp(2 * a[neg]), np.exp(2 * b[neg]), delta[neg]
    num = np.where(dl >= 0, -ea * np.expm1(-2 * np.maximum(dl, 0)), eb * np.expm1(2 * np.minimum(dl, 0)))
    out[neg] = 2 * num / ((1 + ea) * (1 + eb))
    return out


TANH_FEATURES = [f * sgn for f in (0.25, 0.5, 1, 2, 4, 8, 16, 24) for sgn in (1, -1)] + [0.0]


def tanh_pair_numpy(q, one_minus_c, n):
    """W and D by composite Gauss-Legendre in conditional coordinates: z ~ N(0, q) and the
    offset u = z' - c z ~ N(0, s^2), s^2 = q (1 - c^2), independent of z; z - z' = z (1-c) - u
    is formed exactly. float64, n nodes a panel."""
    c = 1 - one_minus_c
    s2 = q * one_minus_c * (2 - one_minus_c)
    s, sd = np.sqrt(s2), np.sqrt(q)
    x, wx = _gl_panels(_breaks(-14 * sd, 14 * sd, sd, 0.0, TANH_FEATURES), n)
    gx = wx * np.exp(-x * x / (2 * q)) / np.sqrt(2 * np.pi * q)
    W = []
    D = []
    for xi, gi in zip(x, gx):
        mu = c * xi
        shifted = [f - mu for f in TANH_FEATURES]
        u, wu = _gl_panels(_breaks(-14 * s, 14 * s, s, 0.0, shifted), n)
        gu = wu * np.exp(-u * u / (2 * s2)) / np.sqrt(2 * np.pi * s2)
        y = mu + u
        W.append(gi * np.tanh(xi) * np.dot(gu, np.tanh(y)))
        d = _tanh_diff(np.full_like(y, xi), y, xi * one_minus_c - u)
        D.append(gi * 0.5 * np.dot(gu, d * d))
    return math.fsum(W), math.fsum(D)


def tanh_pair(q, one_minus_c):
    """Reference W, D and their estimated error (change from 24 to 40 nodes a panel)."""
    W1, D1 = tanh_pair_numpy(float(q), float(one_minus_c), 24)
    W2, D2 = tanh_pair_numpy(float(q), float(one_minus_c), 40)
    return W2, D2, abs(W2 - W1), abs(D2 - D1)


def c_alpha(a):
    return mp.power(2, a - 1) * mp.gamma(a + mp.mpf(1) / 2) / mp.sqrt(mp.pi)


def J_alpha(a, one_minus_c):
    """Hypergeometric form, mpmath at 50 digits (J and 1 - J)."""
    with mp.workdps(60):
        # The engine receives the nearest doubles; evaluate exactly at those.
        a = mp.mpf(float(a))
        c = 1 - mp.mpf(float(one_minus_c))
        x = (1 + c) / 2
        G = mp.gamma(a + 1) ** 2 / (mp.gamma(a + mp.mpf(1) / 2) * mp.gamma(a + mp.mpf(3) / 2))
        J = x ** (a + mp.mpf(1) / 2) * G * mp.hyp2f1(mp.mpf(1) / 2, mp.mpf(1) / 2, a + mp.mpf(3) / 2, x)
        return J, 1 - J


def main():
    out = {"tanh_1d": [], "tanh_pair": [], "alpha_kernel": [], "alpha_constants": []}
    for q in ["0.01", "0.3", "1", "4.5", "30", "100", "1e3", "1e4", "1e6", "1e8"]:
        qq = mp.mpf(float(q))
        out["tanh_1d"].append({"q": float(qq), "V": mp.nstr(tanh_V(qq), 25),
                               "Vprime": mp.nstr(tanh_Vp(qq), 25)})
        print("1d", q, flush=True)
    pairs = [("1", "0.5"), ("1", "1e-10"), ("1", "1.5"), ("0.3", "0.99"), ("4.5", "0.2"),
             ("30", "0.5"), ("30", "0.9"), ("100", "0.3"), ("100", "1e-3"), ("1e3", "0.05"),
             ("1e3", "0.8"), ("1e4", "0.5"), ("1e4", "1e-10"), ("1e4", "1e-5"), ("1e4", "0.999"),
             ("1e6", "0.5"), ("1e6", "1e-10"), ("1e8", "0.7"), ("1e8", "1e-12"), ("50", "1.95")]
    for q, omc in pairs:
        W, D, errW, errD = tanh_pair(mp.mpf(q), mp.mpf(omc))
        out["tanh_pair"].append({"q": float(mp.mpf(q)), "one_minus_c": float(mp.mpf(omc)),
                                 "W": repr(W), "D": repr(D), "W_error": errW, "D_error": errD})
        print("pair", q, omc, flush=True)
    for a in ["0.1", "0.3", "0.49", "0.5", "0.51", "0.6", "0.75", "0.9", "1", "1.2", "1.49", "1.5", "1.51",
              "1.75", "2", "-0.49", "-0.3", "-0.1", "0", "1.01"]:
        with mp.workdps(40):
            out["alpha_constants"].append({"alpha": float(a), "c_alpha": mp.nstr(c_alpha(mp.mpf(float(a))), 25)})
        for omc in ["1e-14", "1e-10", "1e-6", "1e-3", "0.1", "0.3", "0.5", "0.51", "0.75", "1",
                    "1.3", "1.7", "1.99", "1.999999"]:
            J, Jc = J_alpha(a, omc)
            out["alpha_kernel"].append({"alpha": float(mp.mpf(a)), "one_minus_c": float(mp.mpf(omc)),
                                        "J": mp.nstr(J, 25), "complement": mp.nstr(Jc, 25)})
    with open("transforms_reference.json", "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
