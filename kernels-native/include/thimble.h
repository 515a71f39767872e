/*
 * thimble.h - the whole C ABI of libthimble, Thimble's native kernels.
 *
 * Contract: the Java side (dev.thimble.ffi) validates every argument - shapes, lengths, liveness -
 * before it calls in; these functions trust it and check nothing. Every pointer parameter states
 * its element type and length in elements.
 */
#ifndef THIMBLE_H
#define THIMBLE_H

#include <stdint.h>

#if defined(_WIN32)
#define THIMBLE_EXPORT __declspec(dllexport)
#else
#define THIMBLE_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this ABI; bumped whenever a signature changes. */
#define THIMBLE_ABI_VERSION 1

/* Instruction-set tiers, in increasing order of preference. */
enum thimble_tier {
    THIMBLE_TIER_SCALAR = 0, /* portable C */
    THIMBLE_TIER_NEON = 1,   /* arm64 Advanced SIMD */
    THIMBLE_TIER_AVX2 = 2,   /* x86-64 AVX2 + FMA */
    THIMBLE_TIER_AVX512 = 3  /* x86-64 AVX-512 F/BW/VL/DQ */
};

/* Returns THIMBLE_ABI_VERSION of the library actually loaded. */
THIMBLE_EXPORT int32_t thimble_abi_version(void);

/* Returns the best enum thimble_tier this CPU supports (probed once, at first call). */
THIMBLE_EXPORT int32_t thimble_cpu_tier(void);

/* Returns a static, NUL-terminated name of a tier ("scalar", "neon", "avx2", "avx512"). */
THIMBLE_EXPORT const char *thimble_tier_name(int32_t tier);

#ifdef __cplusplus
}
#endif

#endif /* THIMBLE_H */
