#ifndef MEANFIELD_PORTABLE_MATH_H
#define MEANFIELD_PORTABLE_MATH_H
// exp and log for the ziggurat's slow path and the tanh kernel, in plain IEEE operations (this
// module is built with -ffp-contract=off): glibc picks FMA or non-FMA variants of exp and log1p by processor, and
// those may differ in the last bit, which would make a tail normal depend on the machine.
// Accuracy a few ulp (tested against libm), ample for an acceptance test and a tail sample.
#include <stdint.h>
#include <string.h>

/// The shared core of exp and expm1 for y in [-1010 ln 2, 0]: y = k ln 2 + s, |s| <= ln2/2
/// (k through the 1.5 * 2^52 shift, the integer landing in the low bits), expm1(s) by a
/// degree-14 Taylor polynomial in Estrin's scheme (short dependency chains, vectorizes),
/// truncation below 1e-17 relative. Returns 2^k and expm1(s); exp(y) = 2^k (1 + expm1(s)).
static inline __attribute__((always_inline)) void mf_exp_reduced(double y, double *scale, double *expm1s) {
    const double shifter = 0x1.8p52;
    double shifted = y * 1.4426950408889634 + shifter;
    double k = shifted - shifter;
    double s = (y - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
    double s2 = s * s, s4 = s2 * s2, s8 = s4 * s4;
    double a0 = 1 + s * 0.5;
    double a1 = 1.0 / 6 + s * (1.0 / 24);
    double a2 = 1.0 / 120 + s * (1.0 / 720);
    double a3 = 1.0 / 5040 + s * (1.0 / 40320);
    double a4 = 1.0 / 362880 + s * (1.0 / 3628800);
    double a5 = 1.0 / 39916800 + s * (1.0 / 479001600);
    double a6 = 1.0 / 6227020800 + s * (1.0 / 87178291200);
    double b0 = a0 + s2 * a1, b1 = a2 + s2 * a3, b2 = a4 + s2 * a5;
    double p = (b0 + s4 * b1) + s8 * (b2 + s4 * a6);
    *expm1s = p * s;
    uint64_t shiftedBits;
    memcpy(&shiftedBits, &shifted, sizeof shiftedBits);
    uint64_t scaleBits = (shiftedBits + 1023) << 52;
    memcpy(scale, &scaleBits, sizeof *scale);
}

/// exp(y) for y in [-700, 0] (the wedge test needs y >= -6.7).
static inline double mf_exp_nonpositive(double y) {
    double scale, expm1s;
    mf_exp_reduced(y, &scale, &expm1s);
    return scale * (1 + expm1s);
}

/// log(v) for a normal positive v: v = m 2^e with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh t
/// with t = (m - 1)/(m + 1), |t| <= 0.172, by its series to t^23 (truncation below 1e-17).
static inline double mf_log_positive(double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int64_t e = (int64_t)(bits >> 52) - 1023;
    bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;  // m in [1, 2)
    double m;
    memcpy(&m, &bits, sizeof m);
    if (m > 1.4142135623730951) {
        m *= 0.5;  // exact
        e += 1;
    }
    double f = m - 1;  // exact (Sterbenz)
    double t = f / (2 + f);
    double t2 = t * t;
    double series = 1.0 / 23;
    series = 1.0 / 21 + t2 * series;
    series = 1.0 / 19 + t2 * series;
    series = 1.0 / 17 + t2 * series;
    series = 1.0 / 15 + t2 * series;
    series = 1.0 / 13 + t2 * series;
    series = 1.0 / 11 + t2 * series;
    series = 1.0 / 9 + t2 * series;
    series = 1.0 / 7 + t2 * series;
    series = 1.0 / 5 + t2 * series;
    series = 1.0 / 3 + t2 * series;
    double logm = 2 * t + 2 * t * (t2 * series);
    double k = (double)e;
    return k * 6.93147180369123816490e-01 + (k * 1.90821492927058770002e-10 + logm);
}

#endif
