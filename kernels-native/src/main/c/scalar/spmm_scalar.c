/*
 * Portable scalar SpMM (CSR and BSR): the reference path every tier must agree with, and the one
 * used on CPUs without a SIMD tier.
 *
 * Contract: no argument checks here - the Java side validated shapes, lengths and structure
 * (thimble.h); these loops trust it.
 */
#include "../kernels_internal.h"

/* columns of C handled per pass over a row's non-zeros: the stack accumulator stays in L1 and
 * the compiler can vectorize the inner axpy with the baseline ISA */
#define CHUNK 64

static inline void finish(float *c, const float *acc, int32_t len, float alpha, float beta) {
    if (beta == 0.0f) {
        for (int32_t j = 0; j < len; j++) c[j] = alpha * acc[j];
    } else {
        for (int32_t j = 0; j < len; j++) c[j] = alpha * acc[j] + beta * c[j];
    }
}

void thimble_scalar_spmm_csr(int32_t row_start, int32_t row_end, int32_t n, const int32_t *row_ptr,
                             const int32_t *col_idx, const float *values, const float *b,
                             float alpha, float beta, float *c) {
    float acc[CHUNK];
    for (int32_t i = row_start; i < row_end; i++) {
        for (int32_t j0 = 0; j0 < n; j0 += CHUNK) {
            int32_t len = n - j0 < CHUNK ? n - j0 : CHUNK;
            for (int32_t j = 0; j < len; j++) acc[j] = 0.0f;
            for (int32_t p = row_ptr[i]; p < row_ptr[i + 1]; p++) {
                const float v = values[p];
                const float *brow = b + (size_t)col_idx[p] * n + j0;
                for (int32_t j = 0; j < len; j++) acc[j] += v * brow[j];
            }
            finish(c + (size_t)i * n + j0, acc, len, alpha, beta);
        }
    }
}

void thimble_scalar_spmm_bsr(int32_t block_row_start, int32_t block_row_end, int32_t m, int32_t k,
                             int32_t n, int32_t bs, const int32_t *block_row_ptr,
                             const int32_t *block_col_idx, const float *values, const float *b,
                             float alpha, float beta, float *c) {
    float acc[16 * CHUNK];
    for (int32_t br = block_row_start; br < block_row_end; br++) {
        const int32_t r0 = br * bs;
        const int32_t rows = m - r0 < bs ? m - r0 : bs; /* edge block row: only rows < m exist */
        for (int32_t j0 = 0; j0 < n; j0 += CHUNK) {
            int32_t len = n - j0 < CHUNK ? n - j0 : CHUNK;
            for (int32_t t = 0; t < rows * CHUNK; t++) acc[t] = 0.0f;
            for (int32_t p = block_row_ptr[br]; p < block_row_ptr[br + 1]; p++) {
                const int32_t c0 = block_col_idx[p] * bs;
                const int32_t cols = k - c0 < bs ? k - c0 : bs; /* never read B rows >= k */
                const float *blk = values + (size_t)p * bs * bs;
                for (int32_t ci = 0; ci < cols; ci++) {
                    const float *brow = b + (size_t)(c0 + ci) * n + j0;
                    for (int32_t ri = 0; ri < rows; ri++) {
                        const float v = blk[ri * bs + ci];
                        float *a = acc + ri * CHUNK;
                        for (int32_t j = 0; j < len; j++) a[j] += v * brow[j];
                    }
                }
            }
            for (int32_t ri = 0; ri < rows; ri++) {
                finish(c + (size_t)(r0 + ri) * n + j0, acc + ri * CHUNK, len, alpha, beta);
            }
        }
    }
}
