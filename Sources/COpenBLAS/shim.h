#ifndef MEANFIELD_COPENBLAS_SHIM_H
#define MEANFIELD_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
