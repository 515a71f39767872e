/*
 * noise_avx512.c - the avx512 instantiation of simd/noise.inc (seeded noise), compiled with only this
 * tier's ISA flags and -ffp-contract=off (see CMakeLists.txt): the streams must match the scalar
 * path bit for bit, so no a*b+c may be fused unless the source says so.
 *
 * Contract: no argument checks - the Java side validated every argument (thimble.h).
 */
#include "../simd/vec_avx512.h"
#include "../simd/vnoise_avx512.h"
#include "../simd/noise.inc"
