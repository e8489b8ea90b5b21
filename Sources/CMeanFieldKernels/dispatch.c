#include "MeanFieldKernels.h"

#include "dispatch.h"

int mf_dispatch_state = -1;

int mf_set_vector_paths(int enabled) {
#if defined(__x86_64__)
    __atomic_store_n(&mf_dispatch_state, -1, __ATOMIC_RELAXED);
    if (enabled) return mf_avx2_available();
    __atomic_store_n(&mf_dispatch_state, 0, __ATOMIC_RELAXED);
#else
    (void)enabled;
#endif
    return 0;
}
