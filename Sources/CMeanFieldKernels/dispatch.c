#include "MeanFieldKernels.h"

#include "dispatch.h"

int mf_dispatch_state = -1;
int mf_normal_path_state = -1;
int mf_normal_path_limit = MF_NORMALS_VAES;

int mf_set_vector_paths(int enabled) {
#if defined(__x86_64__)
    __atomic_store_n(&mf_dispatch_state, -1, __ATOMIC_RELAXED);
    __atomic_store_n(&mf_normal_path_state, -1, __ATOMIC_RELAXED);
    __atomic_store_n(&mf_normal_path_limit, enabled ? MF_NORMALS_VAES : MF_NORMALS_PORTABLE,
                     __ATOMIC_RELAXED);
    if (enabled) return mf_avx2_available();
    __atomic_store_n(&mf_dispatch_state, 0, __ATOMIC_RELAXED);
#else
    (void)enabled;
#endif
    return 0;
}

int mf_limit_normal_path(int path) {
#if defined(__x86_64__)
    __atomic_store_n(&mf_normal_path_limit, path, __ATOMIC_RELAXED);
    __atomic_store_n(&mf_normal_path_state, -1, __ATOMIC_RELAXED);
    return mf_normal_path();
#else
    (void)path;
    return MF_NORMALS_PORTABLE;
#endif
}
