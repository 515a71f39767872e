/*
 * spmm_avx512.c - the avx512 instantiation of simd/spmm.inc: the kernels are written once
 * against a thin vector layer (simd/vec_avx512.h) and compiled here with only this tier's ISA
 * flags (see CMakeLists.txt), so dispatch.c calls them only on CPUs that have the ISA.
 *
 * Contract: no argument checks - the Java side validated every argument (thimble.h).
 */
#include "../simd/vec_avx512.h"
#include "../simd/spmm.inc"
