#ifndef MEANFIELD_KERNELS_H
#define MEANFIELD_KERNELS_H

#include <stdint.h>

/// Philox4x32-10 (Salmon et al., SC 2011): the 128-bit block of `counter` under `key`.
void mf_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

/// Writes scale * (normals start ..< start + count) of the stream (seed, run, layer, role) to
/// `out`. Normal i comes from 64-bit word i mod 2 of Philox4x32-10 block i / 2 with counter
/// (i/2 low 32 bits, i/2 high 16 bits | role << 16, layer, run) and key (seed low, seed high),
/// through the 256-layer ziggurat; start + count must stay below 2^48 and role below 128.
/// Uses AVX2 where the processor has it; the result is the same bit for bit either way.
void mf_fill_normals(double *out, int64_t count, uint64_t start, double scale, uint64_t seed,
                     uint32_t run, uint32_t layer, uint32_t role);

/// The same numbers through the portable (scalar) path only.
void mf_fill_normals_portable(double *out, int64_t count, uint64_t start, double scale,
                              uint64_t seed, uint32_t run, uint32_t layer, uint32_t role);

/// 1 when mf_fill_normals uses the AVX2 path on this machine.
int mf_normals_use_avx2(void);

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

#endif
