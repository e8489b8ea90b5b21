#ifndef MEANFIELD_KERNELS_H
#define MEANFIELD_KERNELS_H

#include <stdint.h>

/// The paths of mf_fill_normals, slowest first.
enum MFNormalPath {
    MF_NORMALS_PORTABLE = 0,
    /// AVX2 ziggurat, ARS blocks one at a time through AES-NI.
    MF_NORMALS_AESNI = 1,
    /// AVX2 ziggurat, ARS blocks two at a time through VAES.
    MF_NORMALS_VAES = 2,
};

/// ARS4x32-R (Salmon et al., SC 2011; Random123's ars4x32_R): `rounds` AES rounds (1...10) of
/// `counter` with the Weyl key schedule from `key`, through the portable round.
void mf_ars4x32(const uint32_t counter[4], const uint32_t key[4], int rounds, uint32_t out[4]);

/// The same block through the processor's AES instructions (0 when it has none; out untouched).
int mf_ars4x32_hardware(const uint32_t counter[4], const uint32_t key[4], int rounds,
                        uint32_t out[4]);

/// Writes scale * (normals start ..< start + count) of the stream (seed, run, layer, role) to
/// `out`. Normal i comes from 64-bit word i mod 2 of ARS4x32-7 block i / 2 with counter
/// (i/2 low 32 bits, i/2 high 16 bits | role << 16, layer, run) and key (seed low, seed high,
/// 0, 0), through the 256-layer ziggurat; start + count must stay below 2^48 and role below
/// 128. Uses AVX2 and the AES instructions where the processor has them; the result is the
/// same bit for bit on every path.
void mf_fill_normals(double *out, int64_t count, uint64_t start, double scale, uint64_t seed,
                     uint32_t run, uint32_t layer, uint32_t role);

/// The same numbers through the portable (scalar) path only.
void mf_fill_normals_portable(double *out, int64_t count, uint64_t start, double scale,
                              uint64_t seed, uint32_t run, uint32_t layer, uint32_t role);

/// The path mf_fill_normals takes on this machine (an MFNormalPath).
int mf_normals_path(void);

/// Tests: mf_fill_normals takes at most this path (MFNormalPath) until called again; returns
/// the path it now takes. Not for use while kernels run on other threads.
int mf_limit_normal_path(int path);

/// x_255, where the ziggurat's tail starts.
double mf_ziggurat_tail_start(void);

/// tanh(x[i]) into out (n values); AVX2 where available, the same bits either way.
void mf_tanh(const double *x, double *out, int64_t n);

/// tanh and sech^2 = tanh' from one exponential (arrays must not overlap).
void mf_tanh_and_derivative(const double *x, double *values, double *derivatives, int64_t n);

/// sech^2(x[i]) into out.
void mf_tanh_derivative(const double *x, double *out, int64_t n);

/// The portable path only (tests): mf_tanh_and_derivative, or mf_tanh when derivatives is
/// NULL, or mf_tanh_derivative (into derivatives) when values is NULL.
void mf_tanh_portable(const double *x, double *values, double *derivatives, int64_t n);

/// The slow path's exp (y in [-700, 0]) and log (v > 0 normal), without libm (tests).
double mf_portable_exp(double y);
double mf_portable_log(double v);

/// Tests: 0 makes every kernel take its portable path, 1 restores the processor's choice;
/// returns whether AVX2 paths now run. Not for use while kernels run on other threads.
int mf_set_vector_paths(int enabled);

// MARK: - The fused pair path's passes (pair_passes.c)
//
// Four partial sums per quantity: unit i of a range goes to lane i mod 4 (ranges start at
// multiples of four; a last partial quad reads zeros). The caller keeps the lanes between
// ranges and adds them up in a fixed order. AVX2 where available, the same bits either way.

/// The orthonormal basis of a pair x0, x1 without storing it: q0 = a0 x0 + a1 x1,
/// q1 = ((x1 - coefficient q0) - overlap q0) inverseResidual.
typedef struct {
    double a0, a1, coefficient, overlap, inverseResidual;
} MFPairBasis;

/// |x0|^2, x0.x1, |x1|^2 and |x0 - x1|^2 in lanes.
typedef struct {
    double s00[4], s01[4], s11[4], difference[4];
} MFPairSums;

/// Gram-Schmidt's reorthogonalization sums q.w and w.w in lanes (mf_pair_overlap).
typedef struct {
    double overlap[4], residual[4];
} MFOverlapSums;

/// Z^T v (two coordinates) and Q^T xi (two) in lanes.
typedef struct {
    double z0[4], z1[4], xi0[4], xi1[4];
} MFProjectionSums;

/// Adds units 0 ..< count of the pair to `sums`.
void mf_pair_sums(const double *x0, const double *x1, int64_t count, MFPairSums *sums);

/// Gram-Schmidt's reorthogonalization sums: with q = a0 x0 and w = x1 - coefficient q, adds
/// q.w and w.w to `sums`.
void mf_pair_overlap(const double *x0, const double *x1, int64_t count, double a0,
                     double coefficient, MFOverlapSums *sums);

/// Adds z0.v, z1.v, q0.xi and q1.xi (q: `basis` of the pair x0, x1) to `sums`, and v.v to
/// squareLanes unless it is NULL.
void mf_pair_projections(const double *v, const double *z0, const double *z1,
                         const MFPairBasis *basis, const double *x0, const double *x1,
                         const double *xi, int64_t count, MFProjectionSums *sums,
                         double *squareLanes);

/// A tied transpose added in place: v = keep v + scale ((length xi + q0 c0) + q1 c1), and v.v
/// (the new v) added to squareLanes.
void mf_pair_tied_update(double *v, double keep, const MFPairBasis *basis, const double *x0,
                         const double *x1, const double *xi, double scale, double length,
                         double coefficient0, double coefficient1, int64_t count,
                         double squareLanes[4]);

/// A tied transpose times phi': out = scale ((length xi + q0 c0) + q1 c1) derivatives.
void mf_pair_tied_branch(double *out, const double *derivatives, const MFPairBasis *basis,
                         const double *x0, const double *x1, const double *xi, double scale,
                         double length, double coefficient0, double coefficient1,
                         int64_t count);

#endif
