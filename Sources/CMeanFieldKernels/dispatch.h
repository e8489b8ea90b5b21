#ifndef MEANFIELD_DISPATCH_H
#define MEANFIELD_DISPATCH_H

/// 1 when the processor has AVX2 (x86-64 only); decided once.
static inline int mf_avx2_available(void) {
#if defined(__x86_64__)
    static int state = -1;
    int value = __atomic_load_n(&state, __ATOMIC_RELAXED);
    if (value < 0) {
        __builtin_cpu_init();
        value = __builtin_cpu_supports("avx2") ? 1 : 0;
        __atomic_store_n(&state, value, __ATOMIC_RELAXED);
    }
    return value;
#else
    return 0;
#endif
}

#endif
