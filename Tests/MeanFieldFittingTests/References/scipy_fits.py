#!/usr/bin/env python3
"""Independent reference fits for MeanFieldFittingTests (scipy.optimize.curve_fit).

Generates noisy synthetic data sets with numpy (fixed seed), fits each with scipy in the
parametrization of the law's own formula (y = C x^k, not ln C), polishes the minimum with
Gauss-Newton steps on analytic Jacobians, and writes
../ScipyReferences.swift with the data, the parameters, their standard errors, the 95%
interval of k (Student t with n - p dof for unweighted fits, normal for weighted) and the AIC
as Docs/fitting.md defines it, computed here from scipy's residuals.

Run from this directory:  python3 scipy_fits.py
"""
import numpy as np
from scipy import optimize, stats

rng = np.random.default_rng(20240601)
TOL = dict(ftol=1e-15, xtol=1e-15, gtol=1e-15, maxfev=100000)


def power(x, C, k):
    return C * x**k


def exponential(x, C, k):
    return C * np.exp(k * x)


def exp_sqrt(x, C, k):
    return np.exp(C + k * np.sqrt(x))


def power_corrected(x, C1, k, C2, C3):
    return C1 * x**(-k) + C2 / np.sqrt(x) + C3 / x


MODELS = {"power": power, "exponential": exponential, "exp-sqrt": exp_sqrt,
          "power-corrected": power_corrected}

# Analytic derivatives of each model with respect to its parameters (columns).
JACOBIANS = {
    "power": lambda x, C, k: np.column_stack([x**k, C * x**k * np.log(x)]),
    "exponential": lambda x, C, k: np.column_stack([np.exp(k * x), C * x * np.exp(k * x)]),
    "exp-sqrt": lambda x, C, k: np.column_stack([exp_sqrt(x, C, k), np.sqrt(x) * exp_sqrt(x, C, k)]),
    "power-corrected": lambda x, C1, k, C2, C3: np.column_stack(
        [x**(-k), -C1 * x**(-k) * np.log(x), 1 / np.sqrt(x), 1 / x]),
}


def polish(law, scale, x, target, w, theta):
    """Gauss-Newton from curve_fit's answer: MINPACK stops on a small relative cost change,
    some 1e-7 short of the minimum for the ill-conditioned power-corrected law."""
    f, jac = MODELS[law], JACOBIANS[law]
    for _ in range(200):
        m = f(x, *theta)
        J = jac(x, *theta)
        if scale == "log":
            J = J / m[:, None]
            m = np.log(m)
        sw = np.sqrt(w)
        step, *_ = np.linalg.lstsq(J * sw[:, None], (target - m) * sw, rcond=None)
        theta = theta + step
        if np.all(np.abs(step) <= 1e-15 * np.abs(theta)):
            break
    m = f(x, *theta)
    J = jac(x, *theta)
    if scale == "log":
        J = J / m[:, None]
    return theta, J


def fit(name, law, scale, x, y, se, p0):
    f = MODELS[law]
    n, p = len(x), len(p0)
    if scale == "log":
        g = lambda x, *t: np.log(f(x, *t))
        target = np.log(y)
        sigma = None if se is None else se / y
    else:
        g = f
        target = y
        sigma = se
    popt, _ = optimize.curve_fit(g, x, target, p0=p0, sigma=sigma,
                                 absolute_sigma=se is not None, method="lm", **TOL)
    w = np.ones(n) if sigma is None else 1 / sigma**2
    popt, J = polish(law, scale, x, target, w, popt)
    r = target - g(x, *popt)
    pcov = np.linalg.inv((J * w[:, None]).T @ J)
    if se is None:
        rss = float(r @ r)
        pcov *= rss / (n - p)
        loglik = -0.5 * n * (np.log(2 * np.pi * rss / n) + 1)
        K = p + 1
        q = stats.t.ppf(0.975, n - p)
    else:
        chi2 = float(np.sum((r / sigma) ** 2))
        loglik = -0.5 * (chi2 + np.sum(np.log(2 * np.pi * sigma**2)))
        K = p
        q = stats.norm.ppf(0.975)
    if scale == "log":
        loglik -= np.sum(np.log(y))  # density of y, not of ln y
    aic = -2 * loglik + 2 * K
    perr = np.sqrt(np.diag(pcov))
    k, sk = popt[1], perr[1]
    return dict(name=name, law=law, scale=scale, x=x, y=y, se=se, params=popt, stderr=perr,
                ci=(k - q * sk, k + q * sk), aic=aic)


cases = []

x = np.arange(1.0, 41.0)
y = power(x, 1.5, 0.8) + 0.1 * rng.standard_normal(x.size)
cases.append(fit("powerLinear", "power", "linear", x, y, None, [1, 1]))

x = np.arange(1.0, 41.0)
y = power(x, 0.5, -0.6) * np.exp(0.05 * rng.standard_normal(x.size))
cases.append(fit("powerLog", "power", "log", x, y, None, [1, -1]))

x = np.arange(0.0, 50.0)
truth = exponential(x, 2.0, 0.07)
se = 0.03 * truth + 0.01
y = truth + se * rng.standard_normal(x.size)
cases.append(fit("exponentialWeighted", "exponential", "linear", x, y, se, [1, 0.1]))

x = np.arange(0.0, 300.0, 5.0)
y = exp_sqrt(x, 0.4, 0.3) + 0.5 * rng.standard_normal(x.size)
cases.append(fit("expSqrtLinear", "exp-sqrt", "linear", x, y, None, [0, 0.2]))

x = np.unique(np.round(np.logspace(0, 4, 50)))
truth = power_corrected(x, 0.8, 0.42, -0.3, 0.5)
se = 0.01 * truth
y = truth + se * rng.standard_normal(x.size)
cases.append(fit("powerCorrectedWeighted", "power-corrected", "linear", x, y, se, [0.8, 0.4, -0.3, 0.5]))

x = np.unique(np.round(np.logspace(0.5, 4, 45)))
y = power_corrected(x, 1.2, 0.38, 0.4, -0.6) * np.exp(0.01 * rng.standard_normal(x.size))
cases.append(fit("powerCorrectedLog", "power-corrected", "log", x, y, None, [1.2, 0.38, 0.4, -0.6]))


def swift_array(values):
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


lines = [
    "// Generated by References/scipy_fits.py (scipy " + __import__("scipy").__version__ + "); do not edit.",
    "@testable import MeanFieldFitting",
    "",
    "struct ScipyReference: Sendable, CustomStringConvertible {",
    "    let name: String",
    "    let law: GrowthLaw",
    "    let scale: ResidualScale",
    "    let x: [Double]",
    "    let y: [Double]",
    "    let standardErrors: [Double]?",
    "    /// In the law's notation (y = C x^k: C itself, not ln C).",
    "    let parameters: [Double]",
    "    let standardErrorsOfParameters: [Double]",
    "    let exponentInterval: ClosedRange<Double>",
    "    let aic: Double",
    "    var description: String { name }",
    "}",
    "",
    "let scipyReferences: [ScipyReference] = [",
]
for c in cases:
    law_case = {"power": ".power", "exponential": ".exponential", "exp-sqrt": ".expSqrt",
                "power-corrected": ".powerCorrected"}[c["law"]]
    lines += [
        "    ScipyReference(",
        f'        name: "{c["name"]}", law: {law_case}, scale: .{c["scale"]},',
        f"        x: {swift_array(c['x'])},",
        f"        y: {swift_array(c['y'])},",
        f"        standardErrors: {'nil' if c['se'] is None else swift_array(c['se'])},",
        f"        parameters: {swift_array(c['params'])},",
        f"        standardErrorsOfParameters: {swift_array(c['stderr'])},",
        f"        exponentInterval: ({float(c['ci'][0])!r})...({float(c['ci'][1])!r}),",
        f"        aic: {float(c['aic'])!r}),",
    ]
lines += ["]", ""]
with open("../ScipyReferences.swift", "w") as out:
    out.write("\n".join(lines))
print("wrote", len(cases), "cases")
