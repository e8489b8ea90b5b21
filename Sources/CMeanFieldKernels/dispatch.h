#ifndef MEANFIELD_DISPATCH_H
#define MEANFIELD_DISPATCH_H

#include "MeanFieldKernels.h"

/// -1 undecided, 0 portable paths, 1 AVX2 paths (dispatch.c; shared by the kernels).
extern int mf_dispatch_state;
/// Calls name##_avx2(...) when the AVX2 paths run, else name##_portable(...): for kernels
/// defined twice from one source (tanh.c, pair_passes.c).
#if defined(__x86_64__)
#define MF_DISPATCH_AVX2(name, ...)                                                            \
    do {                                                                                       \
        if (mf_avx2_available()) {                                                             \
            name##_avx2(__VA_ARGS__);                                                          \
        } else {                                                                               \
            name##_portable(__VA_ARGS__);                                                      \
        }                                                                                      \
    } while (0)
#else
#define MF_DISPATCH_AVX2(name, ...) name##_portable(__VA_ARGS__)
#endif

/// The normals' path: -1 undecided, else an MFNormalPath (dispatch.c).
extern int mf_normal_path_state;
/// The fastest normals' path tests allow (MFNormalPath; dispatch.c).
extern int mf_normal_path_limit;

/// 1 when the AVX2 paths run: the processor has AVX2 (x86-64 only; decided once) and
/// mf_set_vector_paths has not turned them off.
static inline int mf_avx2_available(void) {
#if defined(__x86_64__)
    int value = __atomic_load_n(&mf_dispatch_state, __ATOMIC_RELAXED);
    if (value < 0) {
        __builtin_cpu_init();
        value = __builtin_cpu_supports("avx2") ? 1 : 0;
        __atomic_store_n(&mf_dispatch_state, value, __ATOMIC_RELAXED);
    }
    return value;
#else
    return 0;
#endif
}

/// The normals' path: AVX2 for the ziggurat and the AES instructions for ARS, 256 bits wide
/// (VAES) or 128 (AES-NI); else portable.
static inline int mf_normal_path(void) {
#if defined(__x86_64__)
    int value = __atomic_load_n(&mf_normal_path_state, __ATOMIC_RELAXED);
    if (value < 0) {
        value = MF_NORMALS_PORTABLE;
        if (mf_avx2_available() && __builtin_cpu_supports("aes")) {
            value = __builtin_cpu_supports("vaes") ? MF_NORMALS_VAES : MF_NORMALS_AESNI;
        }
        int limit = __atomic_load_n(&mf_normal_path_limit, __ATOMIC_RELAXED);
        value = value < limit ? value : limit;
        __atomic_store_n(&mf_normal_path_state, value, __ATOMIC_RELAXED);
    }
    return value;
#else
    return MF_NORMALS_PORTABLE;
#endif
}

#endif
