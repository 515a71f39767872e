/* CPU capability probe: picks the instruction-set tier the kernels dispatch on. */
#include "thimble.h"

#if defined(__x86_64__) || defined(_M_X64)
static int32_t probe(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
        return THIMBLE_TIER_AVX512;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        return THIMBLE_TIER_AVX2;
    }
    return THIMBLE_TIER_SCALAR;
}
#elif defined(__aarch64__)
/* Advanced SIMD is mandatory in ARMv8-A, so every arm64 CPU has it. */
static int32_t probe(void) { return THIMBLE_TIER_NEON; }
#else
static int32_t probe(void) { return THIMBLE_TIER_SCALAR; }
#endif

int32_t thimble_abi_version(void) { return THIMBLE_ABI_VERSION; }

int32_t thimble_cpu_tier(void) {
    /* the probe is idempotent, so a race between two first callers is harmless */
    static int32_t tier = -1;
    if (tier < 0) {
        tier = probe();
    }
    return tier;
}

const char *thimble_tier_name(int32_t tier) {
    switch (tier) {
    case THIMBLE_TIER_SCALAR: return "scalar";
    case THIMBLE_TIER_NEON: return "neon";
    case THIMBLE_TIER_AVX2: return "avx2";
    case THIMBLE_TIER_AVX512: return "avx512";
    default: return "unknown";
    }
}
