// tanh and sech^2 over arrays from one exponential, without branches, so that the compiler
// vectorizes the loops (4 lanes with AVX2, chosen at run time; 2 with SSE2). The same
// operations on both paths and no FMA contraction: the same bits everywhere.
//
// With a = |x|, m = expm1(-2a), e = exp(-2a): tanh a = -m / (2 + m) (no cancellation for small
// a) and sech^2 a = 4 e / (1 + e)^2 = 4 e r^2 with r = 1/(2 + m), since 2 + m = 1 + e (no
// cancellation for large a; one division for both). expm1 by range reduction
// -2a = k ln 2 + s, |s| <= ln2/2, and a degree-14 Taylor polynomial (truncation below 1e-17
// relative): expm1(-2a) = 2^k expm1(s) + (2^k - 1). Within a few ulp of libm (tested).
#include "MeanFieldKernels.h"

#include <stddef.h>
#include <string.h>

#include "dispatch.h"

/// Beyond this |x|, tanh is 1 in double precision and sech^2 below 1e-300; clamping keeps 2^k
/// a normal number. NaN passes through.
#define CLAMP 350.0
#define SIGN_MASK 0x8000000000000000ULL

static inline __attribute__((always_inline)) void exponentials(double x, double *m, double *e) {
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    bits &= ~SIGN_MASK;
    double a;
    memcpy(&a, &bits, sizeof a);
    a = CLAMP < a ? CLAMP : a;
    double y = -2 * a;
    // k = round(y / ln 2) through the 1.5 * 2^52 shift: the integer lands in the low bits.
    const double shifter = 0x1.8p52;
    double shifted = y * 1.4426950408889634 + shifter;
    double k = shifted - shifter;
    double s = (y - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
    // Estrin's scheme: short dependency chains.
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
    double expm1s = p * s;
    // 2^k from the integer in the shifted value's low bits (k >= -1010 by the clamp).
    uint64_t shiftedBits;
    memcpy(&shiftedBits, &shifted, sizeof shiftedBits);
    uint64_t scaleBits = (shiftedBits + 1023) << 52;
    double scale;
    memcpy(&scale, &scaleBits, sizeof scale);
    *m = scale * expm1s + (scale - 1);
    *e = scale * (1 + expm1s);
}

static inline __attribute__((always_inline)) double with_sign_of(double magnitude, double x) {
    uint64_t m, b;
    memcpy(&m, &magnitude, sizeof m);
    memcpy(&b, &x, sizeof b);
    m |= b & SIGN_MASK;
    memcpy(&magnitude, &m, sizeof m);
    return magnitude;
}

#define DEFINE_KERNELS(suffix, attributes)                                                     \
    attributes static void values_##suffix(const double *x, double *out, int64_t n) {         \
        for (int64_t i = 0; i < n; i++) {                                                      \
            double m, e;                                                                       \
            exponentials(x[i], &m, &e);                                                        \
            out[i] = with_sign_of(-m / (2 + m), x[i]);                                         \
        }                                                                                      \
    }                                                                                          \
    attributes static void both_##suffix(const double *x, double *values, double *derivatives, \
                                         int64_t n) {                                          \
        for (int64_t i = 0; i < n; i++) {                                                      \
            double m, e;                                                                       \
            exponentials(x[i], &m, &e);                                                        \
            double r = 1 / (2 + m);                                                            \
            double value = with_sign_of(-m * r, x[i]);                                         \
            derivatives[i] = 4 * e * r * r;                                                    \
            values[i] = value;                                                                 \
        }                                                                                      \
    }                                                                                          \
    attributes static void derivatives_##suffix(const double *x, double *out, int64_t n) {    \
        for (int64_t i = 0; i < n; i++) {                                                      \
            double m, e;                                                                       \
            exponentials(x[i], &m, &e);                                                        \
            double d = 1 + e;                                                                  \
            out[i] = 4 * e / (d * d);                                                          \
        }                                                                                      \
    }

DEFINE_KERNELS(portable, )
#if defined(__x86_64__)
DEFINE_KERNELS(avx2, __attribute__((target("avx2"))))
#define DISPATCH(name, ...)                                                                     \
    do {                                                                                       \
        if (mf_avx2_available()) {                                                             \
            name##_avx2(__VA_ARGS__);                                                          \
        } else {                                                                               \
            name##_portable(__VA_ARGS__);                                                      \
        }                                                                                      \
    } while (0)
#else
#define DISPATCH(name, ...) name##_portable(__VA_ARGS__)
#endif

void mf_tanh(const double *x, double *out, int64_t n) { DISPATCH(values, x, out, n); }

void mf_tanh_and_derivative(const double *x, double *values, double *derivatives, int64_t n) {
    DISPATCH(both, x, values, derivatives, n);
}

void mf_tanh_derivative(const double *x, double *out, int64_t n) {
    DISPATCH(derivatives, x, out, n);
}

void mf_tanh_portable(const double *x, double *values, double *derivatives, int64_t n) {
    if (derivatives == NULL) {
        values_portable(x, values, n);
    } else if (values == NULL) {
        derivatives_portable(x, derivatives, n);
    } else {
        both_portable(x, values, derivatives, n);
    }
}
