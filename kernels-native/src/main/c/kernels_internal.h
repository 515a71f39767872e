/*
 * kernels_internal.h - what the tiers of libthimble share, never exported.
 *
 * Every tier (scalar, avx2, avx512, neon) provides one function per kernel of thimble.h, named
 * thimble_<tier>_<kernel> with the signature of thimble_<kernel>, and dispatch.c gathers them into
 * one struct thimble_kernels per tier. A tier may point an entry at the scalar function (it says
 * why where it does).
 *
 * Contract: like thimble.h, nothing here checks its arguments; the Java side validated them.
 */
#ifndef THIMBLE_KERNELS_INTERNAL_H
#define THIMBLE_KERNELS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "thimble.h"

#define THIMBLE_INTERNAL __attribute__((visibility("hidden")))

/* One entry per kernel of thimble.h, same signatures. */
struct thimble_kernels {
    void (*spmm_csr)(int32_t, int32_t, int32_t, const int32_t *, const int32_t *, const float *,
                     const float *, float, float, float *);
    void (*spmm_bsr)(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, const int32_t *,
                     const int32_t *, const float *, const float *, float, float, float *);
    void (*dense_csrt)(int32_t, int32_t, int32_t, int32_t, const float *, const int32_t *,
                       const int32_t *, const float *, float, float, float *);
    void (*dense_csr)(int32_t, int32_t, int32_t, int32_t, const float *, const int32_t *,
                      const int32_t *, const float *, float, float, float *);
    void (*sddmm)(int32_t, int32_t, int32_t, const float *, const float *, const int32_t *,
                  const int32_t *, float, float, float *);
    void (*sddmm_t)(int32_t, int32_t, int32_t, int32_t, int32_t, const float *, const float *,
                    const int32_t *, const int32_t *, float, float, float *);
    void (*masked_gemm)(int32_t, int32_t, int32_t, int32_t, const float *, const float *,
                        const uint64_t *, int64_t, float, float, float *);
    void (*gemm)(int32_t, int32_t, int32_t, int32_t, const float *, const float *, float, float,
                 float *);
    void (*axpy)(int64_t, float, const float *, float *);
    void (*masked_axpy)(int64_t, float, const float *, const uint64_t *, int64_t, float *);
    void (*scale)(int64_t, float, float *);
    void (*apply_mask)(int64_t, float *, const uint64_t *, int64_t);
    void (*weighted_sum)(int64_t, int32_t, const float *, const float *const *, float *);
    double (*dot)(int64_t, const float *, const float *);
    double (*sum_squares)(int64_t, const float *, const uint64_t *, int64_t);
    float (*max_abs)(int64_t, const float *, const uint64_t *, int64_t);
    int64_t (*magnitude_histogram)(int64_t, const float *, const uint64_t *, int64_t, int32_t,
                                   uint32_t, int32_t, int32_t, int64_t *);
    int64_t (*select_by_magnitude)(int64_t, const float *, const uint64_t *, int64_t, uint32_t,
                                   int64_t, uint64_t *, int64_t);
    void (*add_noise)(int64_t, float *, const uint64_t *, int64_t, float, uint64_t, int32_t, int64_t,
                      int32_t);
    void (*fill_noise)(int64_t, float *, const uint64_t *, int64_t, float, uint64_t, int32_t, int64_t,
                       int32_t);
    int64_t (*perturb_noise)(int64_t, float *, const uint64_t *, int64_t, float, uint64_t, int32_t,
                             int64_t, int32_t, int32_t *, int64_t, int64_t *);
};

/* Declares every kernel of one tier: THIMBLE_DECLARE_TIER(scalar) -> thimble_scalar_spmm_csr, ... */
#define THIMBLE_DECLARE_TIER(T)                                                                    \
    THIMBLE_INTERNAL void thimble_##T##_spmm_csr(int32_t, int32_t, int32_t, const int32_t *,        \
                                                 const int32_t *, const float *, const float *,     \
                                                 float, float, float *);                            \
    THIMBLE_INTERNAL void thimble_##T##_spmm_bsr(int32_t, int32_t, int32_t, int32_t, int32_t,       \
                                                 int32_t, const int32_t *, const int32_t *,         \
                                                 const float *, const float *, float, float,        \
                                                 float *);                                          \
    THIMBLE_INTERNAL void thimble_##T##_dense_csrt(int32_t, int32_t, int32_t, int32_t,              \
                                                   const float *, const int32_t *,                  \
                                                   const int32_t *, const float *, float, float,    \
                                                   float *);                                        \
    THIMBLE_INTERNAL void thimble_##T##_dense_csr(int32_t, int32_t, int32_t, int32_t,               \
                                                  const float *, const int32_t *, const int32_t *,  \
                                                  const float *, float, float, float *);            \
    THIMBLE_INTERNAL void thimble_##T##_sddmm(int32_t, int32_t, int32_t, const float *,             \
                                              const float *, const int32_t *, const int32_t *,      \
                                              float, float, float *);                               \
    THIMBLE_INTERNAL void thimble_##T##_sddmm_t(int32_t, int32_t, int32_t, int32_t, int32_t,        \
                                                const float *, const float *, const int32_t *,      \
                                                const int32_t *, float, float, float *);            \
    THIMBLE_INTERNAL void thimble_##T##_masked_gemm(int32_t, int32_t, int32_t, int32_t,             \
                                                    const float *, const float *,                   \
                                                    const uint64_t *, int64_t, float, float,        \
                                                    float *);                                       \
    THIMBLE_INTERNAL void thimble_##T##_gemm(int32_t, int32_t, int32_t, int32_t, const float *,     \
                                             const float *, float, float, float *);                 \
    THIMBLE_INTERNAL void thimble_##T##_axpy(int64_t, float, const float *, float *);               \
    THIMBLE_INTERNAL void thimble_##T##_masked_axpy(int64_t, float, const float *,                  \
                                                    const uint64_t *, int64_t, float *);            \
    THIMBLE_INTERNAL void thimble_##T##_scale(int64_t, float, float *);                             \
    THIMBLE_INTERNAL void thimble_##T##_apply_mask(int64_t, float *, const uint64_t *, int64_t);    \
    THIMBLE_INTERNAL void thimble_##T##_weighted_sum(int64_t, int32_t, const float *,               \
                                                     const float *const *, float *);                \
    THIMBLE_INTERNAL double thimble_##T##_dot(int64_t, const float *, const float *);               \
    THIMBLE_INTERNAL double thimble_##T##_sum_squares(int64_t, const float *, const uint64_t *,     \
                                                      int64_t);                                     \
    THIMBLE_INTERNAL float thimble_##T##_max_abs(int64_t, const float *, const uint64_t *,          \
                                                 int64_t);                                          \
    THIMBLE_INTERNAL int64_t thimble_##T##_magnitude_histogram(int64_t, const float *,              \
                                                               const uint64_t *, int64_t, int32_t,  \
                                                               uint32_t, int32_t, int32_t,          \
                                                               int64_t *);                          \
    THIMBLE_INTERNAL int64_t thimble_##T##_select_by_magnitude(int64_t, const float *,              \
                                                               const uint64_t *, int64_t, uint32_t, \
                                                               int64_t, uint64_t *, int64_t); \
    THIMBLE_INTERNAL void thimble_##T##_add_noise(int64_t, float *, const uint64_t *, int64_t, float, \
                                                  uint64_t, int32_t, int64_t, int32_t);            \
    THIMBLE_INTERNAL void thimble_##T##_fill_noise(int64_t, float *, const uint64_t *, int64_t,     \
                                                   float, uint64_t, int32_t, int64_t, int32_t);    \
    THIMBLE_INTERNAL int64_t thimble_##T##_perturb_noise(int64_t, float *, const uint64_t *,        \
                                                         int64_t, float, uint64_t, int32_t,        \
                                                         int64_t, int32_t, int32_t *, int64_t,     \
                                                         int64_t *);

THIMBLE_DECLARE_TIER(scalar)
#if defined(__x86_64__)
THIMBLE_DECLARE_TIER(avx2)
THIMBLE_DECLARE_TIER(avx512)
#endif
#if defined(__aarch64__)
THIMBLE_DECLARE_TIER(neon)
#endif

/* ---- bit-mask helpers (bit i of a mask is bit (off + i) % 64 of word (off + i) / 64) ---- */

static inline int thimble_bit(const uint64_t *words, int64_t pos) {
    return (int)((words[pos >> 6] >> (pos & 63)) & 1u);
}

/* Bits [pos, pos + count) as the low bits of the result, 1 <= count <= 64. Reads only the words
 * that hold those bits (a second word only when the run crosses into it), so it never reads past
 * the ceil((off + n) / 64) words a mask has. */
static inline uint64_t thimble_load_bits(const uint64_t *words, int64_t pos, int count) {
    int64_t w = pos >> 6;
    int sh = (int)(pos & 63);
    uint64_t r = words[w] >> sh;
    if (sh != 0 && sh + count > 64) {
        r |= words[w + 1] << (64 - sh);
    }
    return count < 64 ? r & ((UINT64_C(1) << count) - 1) : r;
}

/* Writes bits [pos, pos + count) from the low bits of `bits`, keeping every other bit. */
static inline void thimble_store_bits(uint64_t *words, int64_t pos, uint64_t bits, int count) {
    int64_t w = pos >> 6;
    int sh = (int)(pos & 63);
    uint64_t m = count < 64 ? (UINT64_C(1) << count) - 1 : ~UINT64_C(0);
    bits &= m;
    words[w] = (words[w] & ~(m << sh)) | (bits << sh);
    if (sh != 0 && sh + count > 64) {
        int lo = 64 - sh;
        words[w + 1] = (words[w + 1] & ~(m >> lo)) | (bits >> lo);
    }
}

static inline uint32_t thimble_key(float v) {
    union { float f; uint32_t u; } c;
    c.f = v;
    return c.u & 0x7fffffffu;
}

#define THIMBLE_INF_KEY 0x7f800000u

#endif /* THIMBLE_KERNELS_INTERNAL_H */
