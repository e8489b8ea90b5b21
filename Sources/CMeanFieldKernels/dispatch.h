#ifndef MEANFIELD_DISPATCH_H
#define MEANFIELD_DISPATCH_H

/// -1 undecided, 0 portable paths, 1 AVX2 paths (dispatch.c; shared by the kernels).
extern int mf_dispatch_state;

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

#endif
