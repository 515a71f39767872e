/*
 * noise_avx2.c - the avx2 instantiation of simd/noise.inc (seeded noise), compiled with only this
 * tier's ISA flags and -ffp-contract=off (see CMakeLists.txt): the streams must match the scalar
 * path bit for bit, so no a*b+c may be fused unless the source says so.
 *
 * Contract: no argument checks - the Java side validated every argument (thimble.h).
 */
#include "../simd/vec_avx2.h"
#include "../simd/vnoise_avx2.h"
#include "../simd/noise.inc"
