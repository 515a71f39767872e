/*
 * dispatch.c - the exported thimble_* kernels: each calls through the function table of the tier
 * in effect.
 *
 * The tier is chosen once, at the first kernel call (pthread_once): the best tier the CPU has
 * (thimble_cpu_tier), or the one named by the environment variable THIMBLE_NATIVE_TIER
 * (scalar|neon|avx2|avx512), clamped to what the CPU supports. thimble_select_tier() replaces it
 * later (tests and benchmarks); the table pointer is published atomically, so a kernel running
 * concurrently finishes on the table it started with.
 *
 * Contract: no argument checks here either; arguments pass through untouched (thimble.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_internal.h"

#define TABLE(T)                                                                                   \
    {                                                                                              \
        thimble_##T##_spmm_csr, thimble_##T##_spmm_bsr, thimble_##T##_dense_csrt,                  \
            thimble_##T##_dense_csr, thimble_##T##_sddmm, thimble_##T##_sddmm_t,                   \
            thimble_##T##_masked_gemm, thimble_##T##_gemm, thimble_##T##_axpy,                     \
            thimble_##T##_masked_axpy, thimble_##T##_scale, thimble_##T##_apply_mask,              \
            thimble_##T##_weighted_sum, thimble_##T##_dot, thimble_##T##_sum_squares,              \
            thimble_##T##_max_abs, thimble_##T##_magnitude_histogram,                              \
            thimble_##T##_select_by_magnitude, thimble_##T##_add_noise, thimble_##T##_fill_noise,  \
            thimble_##T##_perturb_noise                                                            \
    }

static const struct thimble_kernels scalar_table = TABLE(scalar);
#if defined(THIMBLE_HAVE_X86_TIERS)
static const struct thimble_kernels avx2_table = TABLE(avx2);
static const struct thimble_kernels avx512_table = TABLE(avx512);
#endif
#if defined(THIMBLE_HAVE_NEON_TIER)
static const struct thimble_kernels neon_table = TABLE(neon);
#endif

/* the table for a tier this build and CPU support, or NULL */
static const struct thimble_kernels *table_for(int32_t tier) {
    const int32_t cpu = thimble_cpu_tier();
    (void)cpu; /* unused in builds with no SIMD tier */
    switch (tier) {
    case THIMBLE_TIER_SCALAR: return &scalar_table;
#if defined(THIMBLE_HAVE_X86_TIERS)
    case THIMBLE_TIER_AVX2: return cpu >= THIMBLE_TIER_AVX2 ? &avx2_table : NULL;
    case THIMBLE_TIER_AVX512: return cpu >= THIMBLE_TIER_AVX512 ? &avx512_table : NULL;
#endif
#if defined(THIMBLE_HAVE_NEON_TIER)
    case THIMBLE_TIER_NEON: return cpu == THIMBLE_TIER_NEON ? &neon_table : NULL;
#endif
    default: return NULL;
    }
}

static const struct thimble_kernels *active_table;
static int32_t active_tier;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* clamps `tier` down to the best supported tier at or below it and publishes its table */
static int32_t install(int32_t tier) {
    if (tier > THIMBLE_TIER_AVX512) tier = THIMBLE_TIER_AVX512;
    if (tier < THIMBLE_TIER_SCALAR) tier = THIMBLE_TIER_SCALAR;
    const struct thimble_kernels *t;
    while ((t = table_for(tier)) == NULL) tier--;
    __atomic_store_n(&active_tier, tier, __ATOMIC_RELAXED);
    __atomic_store_n(&active_table, t, __ATOMIC_RELEASE);
    return tier;
}

static void init_tier(void) {
    int32_t tier = thimble_cpu_tier();
    const char *env = getenv("THIMBLE_NATIVE_TIER");
    if (env != NULL) {
        for (int32_t t = THIMBLE_TIER_SCALAR; t <= THIMBLE_TIER_AVX512; t++) {
            if (strcmp(env, thimble_tier_name(t)) == 0) tier = t;
        }
    }
    install(tier);
}

static inline const struct thimble_kernels *K(void) {
    const struct thimble_kernels *t = __atomic_load_n(&active_table, __ATOMIC_ACQUIRE);
    if (__builtin_expect(t == NULL, 0)) {
        pthread_once(&init_once, init_tier);
        t = __atomic_load_n(&active_table, __ATOMIC_ACQUIRE);
    }
    return t;
}

int32_t thimble_select_tier(int32_t tier) {
    pthread_once(&init_once, init_tier);
    return install(tier);
}

int32_t thimble_active_tier(void) {
    pthread_once(&init_once, init_tier);
    return __atomic_load_n(&active_tier, __ATOMIC_RELAXED);
}

void thimble_f32_spmm_csr(int32_t row_start, int32_t row_end, int32_t n, const int32_t *row_ptr,
                          const int32_t *col_idx, const float *values, const float *b, float alpha,
                          float beta, float *c) {
    K()->spmm_csr(row_start, row_end, n, row_ptr, col_idx, values, b, alpha, beta, c);
}

void thimble_f32_spmm_bsr(int32_t block_row_start, int32_t block_row_end, int32_t m, int32_t k,
                          int32_t n, int32_t bs, const int32_t *block_row_ptr,
                          const int32_t *block_col_idx, const float *values, const float *b,
                          float alpha, float beta, float *c) {
    K()->spmm_bsr(block_row_start, block_row_end, m, k, n, bs, block_row_ptr, block_col_idx, values,
                  b, alpha, beta, c);
}

void thimble_f32_dense_csrt(int32_t row_start, int32_t row_end, int32_t k, int32_t n,
                            const float *x, const int32_t *row_ptr, const int32_t *col_idx,
                            const float *values, float alpha, float beta, float *y) {
    K()->dense_csrt(row_start, row_end, k, n, x, row_ptr, col_idx, values, alpha, beta, y);
}

void thimble_f32_dense_csr(int32_t row_start, int32_t row_end, int32_t n, int32_t k, const float *g,
                           const int32_t *row_ptr, const int32_t *col_idx, const float *values,
                           float alpha, float beta, float *d) {
    K()->dense_csr(row_start, row_end, n, k, g, row_ptr, col_idx, values, alpha, beta, d);
}

void thimble_f32_sddmm(int32_t row_start, int32_t row_end, int32_t d, const float *x,
                       const float *y, const int32_t *row_ptr, const int32_t *col_idx, float alpha,
                       float beta, float *out) {
    K()->sddmm(row_start, row_end, d, x, y, row_ptr, col_idx, alpha, beta, out);
}

void thimble_f32_sddmm_t(int32_t row_start, int32_t row_end, int32_t d, int32_t m, int32_t n,
                         const float *x, const float *y, const int32_t *row_ptr,
                         const int32_t *col_idx, float alpha, float beta, float *out) {
    K()->sddmm_t(row_start, row_end, d, m, n, x, y, row_ptr, col_idx, alpha, beta, out);
}

void thimble_f32_masked_gemm(int32_t row_start, int32_t row_end, int32_t k, int32_t n,
                             const float *a, const float *b, const uint64_t *mask_words,
                             int64_t mask_bit_offset, float alpha, float beta, float *c) {
    K()->masked_gemm(row_start, row_end, k, n, a, b, mask_words, mask_bit_offset, alpha, beta, c);
}

void thimble_f32_gemm(int32_t row_start, int32_t row_end, int32_t k, int32_t n, const float *a,
                      const float *b, float alpha, float beta, float *c) {
    K()->gemm(row_start, row_end, k, n, a, b, alpha, beta, c);
}

void thimble_f32_axpy(int64_t n, float alpha, const float *x, float *y) { K()->axpy(n, alpha, x, y); }

void thimble_f32_masked_axpy(int64_t n, float alpha, const float *x, const uint64_t *mask_words,
                             int64_t mask_bit_offset, float *y) {
    K()->masked_axpy(n, alpha, x, mask_words, mask_bit_offset, y);
}

void thimble_f32_scale(int64_t n, float alpha, float *x) { K()->scale(n, alpha, x); }

void thimble_f32_apply_mask(int64_t n, float *x, const uint64_t *mask_words,
                            int64_t mask_bit_offset) {
    K()->apply_mask(n, x, mask_words, mask_bit_offset);
}

void thimble_f32_weighted_sum(int64_t n, int32_t count, const float *weights,
                              const float *const *xs, float *out) {
    K()->weighted_sum(n, count, weights, xs, out);
}

double thimble_f32_dot(int64_t n, const float *x, const float *y) { return K()->dot(n, x, y); }

double thimble_f32_sum_squares(int64_t n, const float *x, const uint64_t *mask_words,
                               int64_t mask_bit_offset) {
    return K()->sum_squares(n, x, mask_words, mask_bit_offset);
}

float thimble_f32_max_abs(int64_t n, const float *x, const uint64_t *mask_words,
                          int64_t mask_bit_offset) {
    return K()->max_abs(n, x, mask_words, mask_bit_offset);
}

int64_t thimble_f32_magnitude_histogram(int64_t n, const float *x, const uint64_t *mask_words,
                                        int64_t mask_bit_offset, int32_t prefix_shift,
                                        uint32_t prefix, int32_t shift, int32_t buckets,
                                        int64_t *hist) {
    return K()->magnitude_histogram(n, x, mask_words, mask_bit_offset, prefix_shift, prefix, shift,
                                    buckets, hist);
}

int64_t thimble_f32_select_by_magnitude(int64_t n, const float *x, const uint64_t *mask_words,
                                        int64_t mask_bit_offset, uint32_t threshold_key,
                                        int64_t ties_to_take, uint64_t *out_words,
                                        int64_t out_bit_offset) {
    return K()->select_by_magnitude(n, x, mask_words, mask_bit_offset, threshold_key, ties_to_take,
                                    out_words, out_bit_offset);
}

void thimble_f32_add_noise(int64_t n, float *x, const uint64_t *mask_words, int64_t mask_bit_offset,
                           float scale, uint64_t seed, int32_t tensor_id, int64_t offset,
                           int32_t stream) {
    K()->add_noise(n, x, mask_words, mask_bit_offset, scale, seed, tensor_id, offset, stream);
}

void thimble_f32_fill_noise(int64_t n, float *out, const uint64_t *mask_words,
                            int64_t mask_bit_offset, float scale, uint64_t seed, int32_t tensor_id,
                            int64_t offset, int32_t stream) {
    K()->fill_noise(n, out, mask_words, mask_bit_offset, scale, seed, tensor_id, offset, stream);
}

int64_t thimble_f32_perturb_noise(int64_t n, float *x, const uint64_t *mask_words,
                                  int64_t mask_bit_offset, float scale, uint64_t seed,
                                  int32_t tensor_id, int64_t offset, int32_t stream,
                                  int32_t *exceptions, int64_t capacity, int64_t *count) {
    return K()->perturb_noise(n, x, mask_words, mask_bit_offset, scale, seed, tensor_id, offset, stream,
                              exceptions, capacity, count);
}
