"""Reference constants for Tests/MeanFieldAsymptoticsTests, computed with mpmath at 50 digits,
independently of the Swift code (different formulas where possible):

- alpha-ReLU: J_alpha from the hypergeometric form (THEORY.md section 4, form 2), the fixed point
  1 - e* of J_alpha(e) = e by mpmath.findroot in u = 1 - e, J_alpha'(e*) by mpmath.diff of that
  form (numerical differentiation at 50 digits, not the identities the Swift code uses), and
  delta* = (1 - J'(e*))/(1 - alpha).
- tanh/erf residual: the root of B e = sigma_v^2 (2/pi) asin(e) + sigma_a^2 in e (not in 1 - e
  as the Swift code solves it), delta* = 1 - (2/pi) sigma_v^2/(B sqrt(1 - e*^2)).
- ReLU RRN: lambda solving lambda = 1 + sigma_w^2/2 + sigma_w^2/(pi (sqrt(lambda) - 1)) directly
  in lambda (the Swift code solves a cubic in sqrt(lambda)).

Run: python3 asymptotics_reference.py > asymptotics_reference.json
"""
import json
from mpmath import mp, mpf, hyp2f1, gamma, sqrt, pi, asin, findroot, diff, log

mp.dps = 50
half = mpf(1) / 2


def J(a, c):
    x = (1 + c) / 2
    g = gamma(a + 1) ** 2 / (gamma(a + half) * gamma(a + 3 * half))
    return x ** (a + half) * g * hyp2f1(half, half, a + 3 * half, x)


def alpha_entry(a):
    a = mpf(a)
    f = lambda u: 1 - J(a, 1 - u) - u
    # bracket by halving from u = 1/2, as any root finder must (u = 0 is the trivial root)
    lo, hi = mpf(1) / 2, mpf(1)
    while f(lo) <= 0:
        hi, lo = lo, lo / 2
    u = findroot(f, (lo, hi), solver="anderson")
    d = diff(lambda c: J(a, c), 1 - u)
    return {"alpha": str(a), "one_minus_e_star": mp.nstr(u, 30), "derivative": mp.nstr(d, 30),
            "delta_star": mp.nstr((1 - d) / (1 - a), 30)}


def arcsine_entry(sv, sa):
    sv2, sa2 = mpf(sv) ** 2, mpf(sa) ** 2
    b = sv2 + sa2
    if sa2 == 0:
        e = mpf(0)
    else:
        g = lambda e: b * e - sv2 * 2 / pi * asin(e) - sa2
        lo, hi = mpf(0), 1 - mpf(10) ** -40
        e = findroot(g, (lo, hi), solver="anderson")
    delta = 1 - 2 / pi * sv2 / (b * sqrt(1 - e * e))
    return {"sigma_v": str(sv), "sigma_a": str(sa), "one_minus_e_star": mp.nstr(1 - e, 30),
            "delta_star": mp.nstr(delta, 30)}


def relu_rrn_entry(sw):
    sw2 = mpf(sw) ** 2
    f = lambda lam: lam - 1 - sw2 / 2 - sw2 / (pi * (sqrt(lam) - 1))
    lo = 1 + sw2 / 2 + mpf(10) ** -30
    hi = lo + 1
    while f(hi) <= 0:
        hi *= 2
    lam = findroot(f, (lo, hi), solver="anderson")
    return {"sigma_w": str(sw), "p_rate": mp.nstr(log(lam), 30)}


alphas = ["0.1", "0.25", "0.4", "0.5", "0.6", "0.6666666666666666", "0.75", "0.9", "0.99"]
arcsine = [(1, 0), (1, 0.1), (1, 0.5), (0.5, 1), (2, 0.5), (1, 3), (0.3, 5)]
print(json.dumps({
    "alpha_relu": [alpha_entry(a) for a in alphas],
    "arcsine": [arcsine_entry(sv, sa) for sv, sa in arcsine],
    "relu_rrn": [relu_rrn_entry(sw) for sw in ["0.5", "1", "2"]],
}, indent=1))
