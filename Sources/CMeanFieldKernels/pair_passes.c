// The inner loops of the simulator's fused pair path (PairConditionalRun.swift): sums and
// updates over the N units of a pair of inputs, four units at a time. Written in C for the same
// reason as the tanh kernel: an AVX2 copy chosen at run time (the Swift module is built for
// baseline x86-64) and loops without a branch per load; these passes were a third of a
// conditional-mode run.
//
// Sums keep one partial sum per lane: unit i of a range goes to lane i mod 4 (ranges start at
// multiples of four), and the last, partial quad reads its missing units as zeros, exactly as
// the Swift code it replaced (Quad.swift). The same operations in every lane, no FMA
// contraction (-ffp-contract=off): the AVX2 and portable paths give the same bits.
#include "MeanFieldKernels.h"

#include <string.h>

#include "dispatch.h"

/// Four doubles; one AVX2 register, or two SSE2 registers on the portable path. The helpers
/// are macros: a function taking or returning v4 would need a different ABI on each path.
typedef double v4 __attribute__((vector_size(32)));

#define LOAD4(p)                                                                               \
    ({                                                                                         \
        v4 loaded_;                                                                            \
        memcpy(&loaded_, (p), sizeof loaded_);                                                 \
        loaded_;                                                                               \
    })
#define STORE4(p, v)                                                                           \
    do {                                                                                       \
        v4 stored_ = (v);                                                                      \
        memcpy((p), &stored_, sizeof stored_);                                                 \
    } while (0)
/// Units p[0 ..< valid] (valid < 4) and zeros; the store writes units 0 ..< valid only.
#define LOAD_PARTIAL(p)                                                                        \
    ({                                                                                         \
        double lanes_[4] = {0, 0, 0, 0};                                                       \
        for (int64_t k_ = 0; k_ < valid; k_++) lanes_[k_] = (p)[k_];                           \
        LOAD4(lanes_);                                                                         \
    })
#define STORE_PARTIAL(p, v)                                                                    \
    do {                                                                                       \
        double lanes_[4];                                                                      \
        STORE4(lanes_, v);                                                                     \
        for (int64_t k_ = 0; k_ < valid; k_++) (p)[k_] = lanes_[k_];                           \
    } while (0)
#define SPLAT(x) ((v4){(x), (x), (x), (x)})

/// The basis vectors of a pair at four units: q0 = a0 x0 + a1 x1,
/// q1 = ((x1 - c q0) - t q0) / residual (PairBasis.q).
#define BASIS4(b, x0Value, x1Value, q0, q1)                                                    \
    do {                                                                                       \
        v4 x1Basis_ = (x1Value);                                                               \
        q0 = (x0Value) * SPLAT((b)->a0) + x1Basis_ * SPLAT((b)->a1);                           \
        v4 w_ = x1Basis_ - SPLAT((b)->coefficient) * q0;                                       \
        q1 = (w_ - SPLAT((b)->overlap) * q0) * SPLAT((b)->inverseResidual);                    \
    } while (0)

/// Runs BODY(i, LOAD, STORE) over the quads of 0 ..< count: the full ones with LOAD4 and
/// STORE4, then the partial one with LOAD_PARTIAL and STORE_PARTIAL (`valid` units).
#define FOR_EACH_QUAD(count, BODY)                                                             \
    do {                                                                                       \
        int64_t i = 0;                                                                         \
        for (; i + 4 <= (count); i += 4) {                                                     \
            BODY(i, LOAD4, STORE4)                                                             \
        }                                                                                      \
        if (i < (count)) {                                                                     \
            int64_t valid = (count) - i;                                                       \
            BODY(i, LOAD_PARTIAL, STORE_PARTIAL)                                               \
        }                                                                                      \
    } while (0)

#define PAIR_SUMS_BODY(i, LOAD, STORE)                                                         \
    {                                                                                          \
        v4 a = LOAD(x0 + i), b = LOAD(x1 + i), d = a - b;                                      \
        s00 += a * a;                                                                          \
        s01 += a * b;                                                                          \
        s11 += b * b;                                                                          \
        sdd += d * d;                                                                          \
    }

#define OVERLAP_BODY(i, LOAD, STORE)                                                           \
    {                                                                                          \
        v4 q = LOAD(x0 + i) * a0;                                                              \
        v4 w = LOAD(x1 + i) - coefficient * q;                                                 \
        t += q * w;                                                                            \
        vv += w * w;                                                                           \
    }

#define PROJECTIONS_BODY(i, LOAD, STORE)                                                       \
    {                                                                                          \
        v4 value = LOAD(v + i), q0, q1;                                                        \
        if (square) squares += value * value;                                                  \
        BASIS4(basis, LOAD(x0 + i), LOAD(x1 + i), q0, q1);                                     \
        v4 xiValue = LOAD(xi + i);                                                             \
        z0Sum += LOAD(z0 + i) * value;                                                         \
        z1Sum += LOAD(z1 + i) * value;                                                         \
        xi0Sum += q0 * xiValue;                                                                \
        xi1Sum += q1 * xiValue;                                                                \
    }

/// A tied transpose at four units (Docs/simulator.md): scale ((|v| xi + q0 c0) + q1 c1).
#define TIED_TRANSPOSE(xiValue, q0, q1)                                                        \
    (SPLAT(scale) * ((SPLAT(length) * (xiValue) + (q0) * SPLAT(coefficient0))                  \
                     + (q1) * SPLAT(coefficient1)))

#define TIED_UPDATE_BODY(i, LOAD, STORE)                                                       \
    {                                                                                          \
        v4 q0, q1;                                                                             \
        BASIS4(basis, LOAD(x0 + i), LOAD(x1 + i), q0, q1);                                     \
        v4 value = SPLAT(keep) * LOAD(v + i) + TIED_TRANSPOSE(LOAD(xi + i), q0, q1);           \
        STORE(v + i, value);                                                                   \
        squares += value * value;                                                              \
    }

#define TIED_BRANCH_BODY(i, LOAD, STORE)                                                       \
    {                                                                                          \
        v4 q0, q1;                                                                             \
        BASIS4(basis, LOAD(x0 + i), LOAD(x1 + i), q0, q1);                                     \
        STORE(out + i, TIED_TRANSPOSE(LOAD(xi + i), q0, q1) * LOAD(derivatives + i));          \
    }

#define DEFINE_KERNELS(suffix, attributes)                                                     \
    attributes static void pair_sums_##suffix(const double *x0, const double *x1,              \
                                              int64_t count, MFPairSums *sums) {               \
        v4 s00 = LOAD4(sums->s00), s01 = LOAD4(sums->s01), s11 = LOAD4(sums->s11);             \
        v4 sdd = LOAD4(sums->difference);                                                      \
        FOR_EACH_QUAD(count, PAIR_SUMS_BODY);                                                  \
        STORE4(sums->s00, s00);                                                                \
        STORE4(sums->s01, s01);                                                                \
        STORE4(sums->s11, s11);                                                                \
        STORE4(sums->difference, sdd);                                                         \
    }                                                                                          \
    attributes static void overlap_##suffix(const double *x0, const double *x1, int64_t count, \
                                            double a0Scalar, double coefficientScalar,         \
                                            MFOverlapSums *sums) {                             \
        v4 a0 = SPLAT(a0Scalar), coefficient = SPLAT(coefficientScalar);                       \
        v4 t = LOAD4(sums->overlap), vv = LOAD4(sums->residual);                               \
        FOR_EACH_QUAD(count, OVERLAP_BODY);                                                    \
        STORE4(sums->overlap, t);                                                              \
        STORE4(sums->residual, vv);                                                            \
    }                                                                                          \
    attributes static void projections_##suffix(                                               \
        const double *v, const double *z0, const double *z1, const MFPairBasis *basis,         \
        const double *x0, const double *x1, const double *xi, int64_t count,                   \
        MFProjectionSums *sums, double *squareLanes) {                                         \
        int square = squareLanes != NULL;                                                      \
        v4 squares = square ? LOAD4(squareLanes) : SPLAT(0);                                   \
        v4 z0Sum = LOAD4(sums->z0), z1Sum = LOAD4(sums->z1);                                   \
        v4 xi0Sum = LOAD4(sums->xi0), xi1Sum = LOAD4(sums->xi1);                               \
        FOR_EACH_QUAD(count, PROJECTIONS_BODY);                                                \
        STORE4(sums->z0, z0Sum);                                                               \
        STORE4(sums->z1, z1Sum);                                                               \
        STORE4(sums->xi0, xi0Sum);                                                             \
        STORE4(sums->xi1, xi1Sum);                                                             \
        if (square) STORE4(squareLanes, squares);                                              \
    }                                                                                          \
    attributes static void tied_update_##suffix(                                               \
        double *v, double keep, const MFPairBasis *basis, const double *x0, const double *x1,  \
        const double *xi, double scale, double length, double coefficient0,                    \
        double coefficient1, int64_t count, double squareLanes[4]) {                           \
        v4 squares = LOAD4(squareLanes);                                                       \
        FOR_EACH_QUAD(count, TIED_UPDATE_BODY);                                                \
        STORE4(squareLanes, squares);                                                          \
    }                                                                                          \
    attributes static void tied_branch_##suffix(                                               \
        double *out, const double *derivatives, const MFPairBasis *basis, const double *x0,    \
        const double *x1, const double *xi, double scale, double length, double coefficient0,  \
        double coefficient1, int64_t count) {                                                  \
        FOR_EACH_QUAD(count, TIED_BRANCH_BODY);                                                \
    }

DEFINE_KERNELS(portable, )
#if defined(__x86_64__)
DEFINE_KERNELS(avx2, __attribute__((target("avx2"))))
#endif

void mf_pair_sums(const double *x0, const double *x1, int64_t count, MFPairSums *sums) {
    MF_DISPATCH_AVX2(pair_sums, x0, x1, count, sums);
}

void mf_pair_overlap(const double *x0, const double *x1, int64_t count, double a0,
                     double coefficient, MFOverlapSums *sums) {
    MF_DISPATCH_AVX2(overlap, x0, x1, count, a0, coefficient, sums);
}

void mf_pair_projections(const double *v, const double *z0, const double *z1,
                         const MFPairBasis *basis, const double *x0, const double *x1,
                         const double *xi, int64_t count, MFProjectionSums *sums,
                         double *squareLanes) {
    MF_DISPATCH_AVX2(projections, v, z0, z1, basis, x0, x1, xi, count, sums, squareLanes);
}

void mf_pair_tied_update(double *v, double keep, const MFPairBasis *basis, const double *x0,
                         const double *x1, const double *xi, double scale, double length,
                         double coefficient0, double coefficient1, int64_t count,
                         double squareLanes[4]) {
    MF_DISPATCH_AVX2(tied_update, v, keep, basis, x0, x1, xi, scale, length, coefficient0, coefficient1,
             count, squareLanes);
}

void mf_pair_tied_branch(double *out, const double *derivatives, const MFPairBasis *basis,
                         const double *x0, const double *x1, const double *xi, double scale,
                         double length, double coefficient0, double coefficient1,
                         int64_t count) {
    MF_DISPATCH_AVX2(tied_branch, out, derivatives, basis, x0, x1, xi, scale, length, coefficient0,
             coefficient1, count);
}
