/*
 * noise_neon.c - the neon instantiation of simd/noise.inc (seeded noise), compiled with
 * -ffp-contract=off (see CMakeLists.txt): aarch64 compilers fuse a*b+c by default, and the streams
 * must match the scalar path bit for bit.
 *
 * Contract: no argument checks - the Java side validated every argument (thimble.h).
 */
#include "../simd/vec_neon.h"
#include "../simd/vnoise_neon.h"
#include "../simd/noise.inc"
