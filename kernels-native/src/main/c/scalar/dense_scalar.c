/*
 * Portable scalar dense GEMM and masked GEMM (row-wise: each output row is accumulated in a stack
 * chunk of CHUNK columns over the k rows of B).
 *
 * Contract: no argument checks here - the Java side validated shapes and lengths (thimble.h).
 */
#include "../kernels_internal.h"

#define CHUNK 64

static void row_chunk(const float *ar, int32_t k, const float *b, int32_t n, int32_t j0, int32_t len,
                      float *acc) {
    for (int32_t j = 0; j < len; j++) acc[j] = 0.0f;
    for (int32_t t = 0; t < k; t++) {
        const float a = ar[t];
        const float *br = b + (size_t)t * n + j0;
        for (int32_t j = 0; j < len; j++) acc[j] += a * br[j];
    }
}

void thimble_scalar_gemm(int32_t row_start, int32_t row_end, int32_t k, int32_t n, const float *a,
                         const float *b, float alpha, float beta, float *c) {
    float acc[CHUNK];
    for (int32_t i = row_start; i < row_end; i++) {
        for (int32_t j0 = 0; j0 < n; j0 += CHUNK) {
            const int32_t len = n - j0 < CHUNK ? n - j0 : CHUNK;
            row_chunk(a + (size_t)i * k, k, b, n, j0, len, acc);
            float *cr = c + (size_t)i * n + j0;
            for (int32_t j = 0; j < len; j++) {
                cr[j] = beta == 0.0f ? alpha * acc[j] : alpha * acc[j] + beta * cr[j];
            }
        }
    }
}

void thimble_scalar_masked_gemm(int32_t row_start, int32_t row_end, int32_t k, int32_t n,
                                const float *a, const float *b, const uint64_t *mask_words,
                                int64_t mask_bit_offset, float alpha, float beta, float *c) {
    float acc[CHUNK];
    for (int32_t i = row_start; i < row_end; i++) {
        for (int32_t j0 = 0; j0 < n; j0 += CHUNK) {
            const int32_t len = n - j0 < CHUNK ? n - j0 : CHUNK;
            const uint64_t bits =
                thimble_load_bits(mask_words, mask_bit_offset + (int64_t)i * n + j0, len);
            float *cr = c + (size_t)i * n + j0;
            if (bits != 0) row_chunk(a + (size_t)i * k, k, b, n, j0, len, acc);
            for (int32_t j = 0; j < len; j++) {
                const float old = beta == 0.0f ? 0.0f : beta * cr[j];
                cr[j] = (bits >> j) & 1u ? alpha * acc[j] + old : old;
            }
        }
    }
}
