#ifndef MEANFIELD_CGSL_SHIM_H
#define MEANFIELD_CGSL_SHIM_H
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_hyperg.h>
#include <gsl/gsl_sf_bessel.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_zeta.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

/* GSL exposes its solver and method types as mutable globals, which Swift 6 refuses to read
   (shared mutable state). These accessors return them as values. */
static inline const gsl_integration_fixed_type *mf_integration_fixed_hermite(void) {
    return gsl_integration_fixed_hermite;
}
static inline const gsl_root_fsolver_type *mf_root_fsolver_brent(void) {
    return gsl_root_fsolver_brent;
}
static inline const gsl_multifit_nlinear_type *mf_multifit_nlinear_trust(void) {
    return gsl_multifit_nlinear_trust;
}
static inline const gsl_multifit_nlinear_trs *mf_multifit_nlinear_trs_lm(void) {
    return gsl_multifit_nlinear_trs_lm;
}
static inline const gsl_multifit_nlinear_trs *mf_multifit_nlinear_trs_lmaccel(void) {
    return gsl_multifit_nlinear_trs_lmaccel;
}
/* The bootstrap of growth-law fits draws from a fixed, seedable generator. */
static inline const gsl_rng_type *mf_rng_mt19937(void) {
    return gsl_rng_mt19937;
}
#endif
