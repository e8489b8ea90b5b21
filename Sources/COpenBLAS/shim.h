#ifndef MEANFIELD_COPENBLAS_SHIM_H
#define MEANFIELD_COPENBLAS_SHIM_H
#include <cblas.h>
#include <stddef.h>

/* LAPACK routines inside libopenblas (no lapack.h ships with it). Fortran calling
   convention: every argument by pointer, and one hidden length per character argument at
   the end (gfortran ABI; omitting them breaks with gfortran >= 8 sibling-call optimization). */

/* Eigenvalues (jobz = "N") or eigenpairs of a symmetric matrix, divide and conquer. */
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork,
             int *info, size_t jobz_length, size_t uplo_length);

/* Cholesky factorization A = U^T U (uplo = "U") of a symmetric positive definite matrix;
   info > 0: not positive definite. */
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info,
             size_t uplo_length);

/* Householder QR: R in the upper triangle of a, the reflectors below it and in tau. */
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau,
             double *work, const int *lwork, int *info);

/* The first n columns of Q from dgeqrf's reflectors. */
void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda,
             const double *tau, double *work, const int *lwork, int *info);

#endif
