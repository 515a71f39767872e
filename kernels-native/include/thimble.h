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

/* Forces the tier the kernels dispatch to (tests, benchmarks): a tier this build or CPU lacks is
 * clamped down to the best supported tier below it (scalar always is). Returns the tier in effect.
 * Without a call, the first kernel call picks thimble_cpu_tier(), or the tier named by the
 * environment variable THIMBLE_NATIVE_TIER (scalar|neon|avx2|avx512), clamped the same way.
 * Safe to call while kernels run on other threads: a running call finishes on its old tier. */
THIMBLE_EXPORT int32_t thimble_select_tier(int32_t tier);

/* Returns the tier the kernels currently dispatch to (choosing it first if no kernel ran yet). */
THIMBLE_EXPORT int32_t thimble_active_tier(void);


/* ----------------------------------------------------------------------------------------------
 * Kernels. Conventions shared by all of them:
 *  - dense matrices are row-major and contiguous: an r x c matrix is float[r * c];
 *  - CSR: row_ptr int32[rows + 1] (row_ptr[0] == 0, non-decreasing), col_idx int32[nnz] sorted and
 *    unique within a row, values float[nnz];
 *  - BSR: block_row_ptr int32[block_rows + 1], block_col_idx int32[nnz_blocks], values
 *    float[nnz_blocks * bs * bs], each block row-major; edge blocks are zero-padded;
 *  - bit masks: bit i of a mask is bit (bit_offset + i) % 64 of uint64 word (bit_offset + i) / 64;
 *  - matrix kernels compute output rows [row_start, row_end) only, so callers can split rows
 *    across threads; calls with disjoint ranges write disjoint memory;
 *  - as in BLAS, when beta == 0 the output is written without being read (it may hold NaN), and
 *    entries a mask leaves out become beta * old (0 when beta == 0);
 *  - outputs never overlap inputs; no pointer may be NULL unless its length is 0.
 * ---------------------------------------------------------------------------------------------- */

/* C = alpha * A * B + beta * C for C rows [row_start, row_end).
 * A: m x k CSR (row_ptr int32[m + 1], col_idx int32[nnz], values float[nnz]);
 * b: float[k * n]; c: float[m * n]. */
THIMBLE_EXPORT void thimble_f32_spmm_csr(int32_t row_start, int32_t row_end, int32_t n,
                                         const int32_t *row_ptr, const int32_t *col_idx,
                                         const float *values, const float *b, float alpha, float beta,
                                         float *c);

/* C = alpha * A * B + beta * C for block rows [block_row_start, block_row_end); only rows < m of C
 * are written and only rows < k of B are read.
 * A: m x k BSR with bs in {4, 8, 16} (block_row_ptr int32[ceil(m/bs) + 1],
 * block_col_idx int32[nnzb], values float[nnzb * bs * bs]); b: float[k * n]; c: float[m * n]. */
THIMBLE_EXPORT void thimble_f32_spmm_bsr(int32_t block_row_start, int32_t block_row_end, int32_t m,
                                         int32_t k, int32_t n, int32_t bs, const int32_t *block_row_ptr,
                                         const int32_t *block_col_idx, const float *values,
                                         const float *b, float alpha, float beta, float *c);

/* Y = alpha * X * W^T + beta * Y for rows [row_start, row_end) of X and Y.
 * x: float[m * k]; W: n x k CSR (row_ptr int32[n + 1], col_idx int32[nnz], values float[nnz]);
 * y: float[m * n]. */
THIMBLE_EXPORT void thimble_f32_dense_csrt(int32_t row_start, int32_t row_end, int32_t k, int32_t n,
                                           const float *x, const int32_t *row_ptr,
                                           const int32_t *col_idx, const float *values, float alpha,
                                           float beta, float *y);

/* D = alpha * G * W + beta * D for rows [row_start, row_end) of G and D.
 * g: float[m * n]; W: n x k CSR (row_ptr int32[n + 1], col_idx int32[nnz], values float[nnz]);
 * d: float[m * k]. */
THIMBLE_EXPORT void thimble_f32_dense_csr(int32_t row_start, int32_t row_end, int32_t n, int32_t k,
                                          const float *g, const int32_t *row_ptr,
                                          const int32_t *col_idx, const float *values, float alpha,
                                          float beta, float *d);

/* SDDMM: out[p] = alpha * dot(X row i, Y row col_idx[p]) + beta * out[p] for every stored p of
 * pattern rows [row_start, row_end). x: float[m * d]; y: float[n * d];
 * pattern: row_ptr int32[m + 1], col_idx int32[nnz]; out: float[nnz]. */
THIMBLE_EXPORT void thimble_f32_sddmm(int32_t row_start, int32_t row_end, int32_t d, const float *x,
                                      const float *y, const int32_t *row_ptr, const int32_t *col_idx,
                                      float alpha, float beta, float *out);

/* Transposed SDDMM: out[p] = alpha * sum_t X(t, i) * Y(t, col_idx[p]) + beta * out[p] for every
 * stored p of pattern rows [row_start, row_end). x: float[d * m]; y: float[d * n];
 * pattern: row_ptr int32[m + 1], col_idx int32[nnz]; out: float[nnz]. */
THIMBLE_EXPORT void thimble_f32_sddmm_t(int32_t row_start, int32_t row_end, int32_t d, int32_t m,
                                        int32_t n, const float *x, const float *y,
                                        const int32_t *row_ptr, const int32_t *col_idx, float alpha,
                                        float beta, float *out);

/* Masked GEMM: C(i,j) = alpha * (A B)(i,j) + beta * C(i,j) where mask bit i*n+j is set, and
 * beta * C(i,j) elsewhere, for rows [row_start, row_end).
 * a: float[m * k]; b: float[k * n]; mask_words: uint64[ceil((mask_bit_offset + m * n) / 64)];
 * c: float[m * n]. */
THIMBLE_EXPORT void thimble_f32_masked_gemm(int32_t row_start, int32_t row_end, int32_t k, int32_t n,
                                            const float *a, const float *b,
                                            const uint64_t *mask_words, int64_t mask_bit_offset,
                                            float alpha, float beta, float *c);

/* Dense GEMM: C = alpha * A * B + beta * C for rows [row_start, row_end).
 * a: float[m * k]; b: float[k * n]; c: float[m * n]. */
THIMBLE_EXPORT void thimble_f32_gemm(int32_t row_start, int32_t row_end, int32_t k, int32_t n,
                                     const float *a, const float *b, float alpha, float beta,
                                     float *c);

/* Element-wise kernels on flat vectors of n elements (x, y, out: float[n]; masks as above). */
THIMBLE_EXPORT void thimble_f32_axpy(int64_t n, float alpha, const float *x, float *y);
THIMBLE_EXPORT void thimble_f32_masked_axpy(int64_t n, float alpha, const float *x,
                                            const uint64_t *mask_words, int64_t mask_bit_offset,
                                            float *y);
THIMBLE_EXPORT void thimble_f32_scale(int64_t n, float alpha, float *x);
/* x[i] = 0 where the mask bit is unset. */
THIMBLE_EXPORT void thimble_f32_apply_mask(int64_t n, float *x, const uint64_t *mask_words,
                                           int64_t mask_bit_offset);
/* out = sum_k weights[k] * xs[k]; weights: float[count]; xs: const float *[count], each float[n]. */
THIMBLE_EXPORT void thimble_f32_weighted_sum(int64_t n, int32_t count, const float *weights,
                                             const float *const *xs, float *out);
/* sum x[i] * y[i], accumulated so that the error stays O(u) per block (returned in double). */
THIMBLE_EXPORT double thimble_f32_dot(int64_t n, const float *x, const float *y);
/* sum of x[i]^2 where the mask bit is set (mask_words NULL: every element). */
THIMBLE_EXPORT double thimble_f32_sum_squares(int64_t n, const float *x, const uint64_t *mask_words,
                                              int64_t mask_bit_offset);
/* max |x[i]| where the mask bit is set (mask_words NULL: every element); NaN if any such x[i] is NaN;
 * 0 when nothing is selected. */
THIMBLE_EXPORT float thimble_f32_max_abs(int64_t n, const float *x, const uint64_t *mask_words,
                                         int64_t mask_bit_offset);

/* Magnitude selection (top-k and threshold masks) works on keys: the key of x is
 * (bits of x) & 0x7fffffff, which orders like |x|; keys above 0x7f800000 are NaN. */

/* One radix pass: for every element i of x (float[n]) whose mask bit is set (mask_words NULL:
 * every element) and whose key satisfies (key >> prefix_shift) == prefix (prefix_shift 31 with
 * prefix 0: every key), adds 1 to hist[(key >> shift) & (buckets - 1)].
 * hist: int64[buckets], buckets a power of two, not cleared first.
 * Returns the index of the first selected NaN, or -1 when there is none (NaNs are not counted). */
THIMBLE_EXPORT int64_t thimble_f32_magnitude_histogram(int64_t n, const float *x,
                                                       const uint64_t *mask_words,
                                                       int64_t mask_bit_offset, int32_t prefix_shift,
                                                       uint32_t prefix, int32_t shift,
                                                       int32_t buckets, int64_t *hist);

/* Writes the selection into out (bits [out_bit_offset, out_bit_offset + n) of out_words,
 * uint64[ceil((out_bit_offset + n) / 64)]; other bits untouched): bit i is set when element i is
 * selected by the mask (mask_words NULL: every element) and its key is above threshold_key, or equal
 * to it while fewer than ties_to_take ties have been taken (in index order). The caller has
 * rejected NaN candidates first (thimble_f32_magnitude_histogram reports them): keys are compared
 * as they are.
 * Returns the number of ties taken. */
THIMBLE_EXPORT int64_t thimble_f32_select_by_magnitude(int64_t n, const float *x,
                                                       const uint64_t *mask_words,
                                                       int64_t mask_bit_offset,
                                                       uint32_t threshold_key, int64_t ties_to_take,
                                                       uint64_t *out_words, int64_t out_bit_offset);

/* Seeded noise (zeroth-order perturbations). z(e) is element e of stream `stream` (0 Rademacher,
 * 1 Gaussian, 2 uniform) of key `seed` and tensor `tensor_id`, laid out as Java's
 * dev.thimble.random.NoiseStream documents (Philox4x32-10, counter = (block lo, block hi,
 * tensor id, stream), key = (seed lo, seed hi)); element i of the buffer is e = offset + i
 * (offset >= 0, offset + n < 2^63). Every tier produces the same bits.
 * x, out: float[n]; mask_words: uint64[ceil((mask_bit_offset + n) / 64)], or NULL for all. */

/* x[i] = fmaf(scale, z(offset + i), x[i]) where the mask bit is set; other entries untouched. */
THIMBLE_EXPORT void thimble_f32_add_noise(int64_t n, float *x, const uint64_t *mask_words,
                                          int64_t mask_bit_offset, float scale, uint64_t seed,
                                          int32_t tensor_id, int64_t offset, int32_t stream);
/* out[i] = scale * z(offset + i) where the mask bit is set, +0 elsewhere. */
THIMBLE_EXPORT void thimble_f32_fill_noise(int64_t n, float *out, const uint64_t *mask_words,
                                           int64_t mask_bit_offset, float scale, uint64_t seed,
                                           int32_t tensor_id, int64_t offset, int32_t stream);
/* thimble_f32_add_noise that also records, for each active i whose original w is NaN or is not
 * bit-identical to fmaf(-scale, z, fmaf(scale, z, w)), the pair (int32 i, bits of float w) at
 * exceptions[2 * count[0]], exceptions[2 * count[0] + 1], and increments count[0].
 * (in no particular order within a call). exceptions: int32[2 * capacity]; count: int64[1];
 * n <= INT32_MAX. Works in steps of at most 128
 * stream elements and stops before a step when capacity - count[0] < 128.
 * Returns how many leading elements were processed (n unless it stopped). */
THIMBLE_EXPORT int64_t thimble_f32_perturb_noise(int64_t n, float *x, const uint64_t *mask_words,
                                                 int64_t mask_bit_offset, float scale, uint64_t seed,
                                                 int32_t tensor_id, int64_t offset, int32_t stream,
                                                 int32_t *exceptions, int64_t capacity,
                                                 int64_t *count);

#ifdef __cplusplus
}
#endif

#endif /* THIMBLE_H */
