/*
 * Portable scalar dense x sparse kernels and SDDMM (plain and transposed).
 *
 * Contract: no argument checks here - the Java side validated shapes, lengths and structure
 * (thimble.h); these loops trust it.
 */
#include "../kernels_internal.h"

static inline float combine(float acc, float alpha, float beta, const float *old) {
    return beta == 0.0f ? alpha * acc : alpha * acc + beta * *old;
}

void thimble_scalar_dense_csrt(int32_t row_start, int32_t row_end, int32_t k, int32_t n,
                               const float *x, const int32_t *row_ptr, const int32_t *col_idx,
                               const float *values, float alpha, float beta, float *y) {
    for (int32_t i = row_start; i < row_end; i++) {
        const float *xr = x + (size_t)i * k;
        float *yr = y + (size_t)i * n;
        for (int32_t j = 0; j < n; j++) {
            float acc = 0.0f;
            for (int32_t p = row_ptr[j]; p < row_ptr[j + 1]; p++) acc += values[p] * xr[col_idx[p]];
            yr[j] = combine(acc, alpha, beta, yr + j);
        }
    }
}

void thimble_scalar_dense_csr(int32_t row_start, int32_t row_end, int32_t n, int32_t k,
                              const float *g, const int32_t *row_ptr, const int32_t *col_idx,
                              const float *values, float alpha, float beta, float *d) {
    for (int32_t i = row_start; i < row_end; i++) {
        const float *gr = g + (size_t)i * n;
        float *dr = d + (size_t)i * k;
        if (beta == 0.0f) {
            for (int32_t t = 0; t < k; t++) dr[t] = 0.0f;
        } else {
            for (int32_t t = 0; t < k; t++) dr[t] *= beta;
        }
        for (int32_t j = 0; j < n; j++) {
            /* no skip of g == 0: 0 * inf must still give NaN, as the dense product does */
            const float s = alpha * gr[j];
            for (int32_t p = row_ptr[j]; p < row_ptr[j + 1]; p++) dr[col_idx[p]] += s * values[p];
        }
    }
}

void thimble_scalar_sddmm(int32_t row_start, int32_t row_end, int32_t d, const float *x,
                          const float *y, const int32_t *row_ptr, const int32_t *col_idx,
                          float alpha, float beta, float *out) {
    for (int32_t i = row_start; i < row_end; i++) {
        const float *xr = x + (size_t)i * d;
        for (int32_t p = row_ptr[i]; p < row_ptr[i + 1]; p++) {
            const float *yr = y + (size_t)col_idx[p] * d;
            float acc = 0.0f;
            for (int32_t t = 0; t < d; t++) acc += xr[t] * yr[t];
            out[p] = combine(acc, alpha, beta, out + p);
        }
    }
}

#define TCHUNK 256

void thimble_scalar_sddmm_t(int32_t row_start, int32_t row_end, int32_t d, int32_t m, int32_t n,
                            const float *x, const float *y, const int32_t *row_ptr,
                            const int32_t *col_idx, float alpha, float beta, float *out) {
    /* the row's entries are accumulated over t in a stack buffer (out may hold NaN when
     * beta == 0, so it cannot be the accumulator) */
    float acc[TCHUNK];
    for (int32_t i = row_start; i < row_end; i++) {
        for (int32_t p0 = row_ptr[i]; p0 < row_ptr[i + 1]; p0 += TCHUNK) {
            const int32_t len = row_ptr[i + 1] - p0 < TCHUNK ? row_ptr[i + 1] - p0 : TCHUNK;
            const int32_t *cols = col_idx + p0;
            for (int32_t q = 0; q < len; q++) acc[q] = 0.0f;
            for (int32_t t = 0; t < d; t++) {
                const float xv = x[(size_t)t * m + i];
                const float *yr = y + (size_t)t * n;
                for (int32_t q = 0; q < len; q++) acc[q] += xv * yr[cols[q]];
            }
            for (int32_t q = 0; q < len; q++) out[p0 + q] = combine(acc[q], alpha, beta, out + p0 + q);
        }
    }
}
