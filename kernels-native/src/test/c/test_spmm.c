/* CSR and BSR SpMM on every supported tier against a double-precision reference. */
#include "harness.h"

static void check_rows(const float *c, const float *c_old, int32_t m, int32_t n, int32_t r0,
                       int32_t r1, const double *ref, const double *sum, int64_t kterms,
                       const char *what) {
    for (int32_t i = 0; i < m; i++) {
        for (int32_t j = 0; j < n; j++) {
            size_t q = (size_t)i * n + j;
            if (i < r0 || i >= r1) {
                if (memcmp(&c[q], &c_old[q], sizeof(float)) != 0) FAIL("%s: row %d outside range written", what, i);
            } else {
                check_close(c[q], ref[q], sum[q], kterms, what, (long)q);
            }
        }
    }
}

static void test_csr(int32_t m, int32_t k, int32_t n, double sparsity, float alpha, float beta) {
    csr_t a = make_csr(m, k, 1.0 - sparsity);
    float *b = rand_floats((size_t)k * n);
    float *c = rand_floats((size_t)m * n), *c_old = malloc(sizeof(float) * m * n);
    if (beta == 0.0f) fill(c, (size_t)m * n, NAN);
    memcpy(c_old, c, sizeof(float) * m * n);
    double *ref = calloc((size_t)m * n, sizeof(double)), *sum = calloc((size_t)m * n, sizeof(double));
    int64_t maxrow = 0;
    for (int32_t i = 0; i < m; i++) {
        if (a.row_ptr[i + 1] - a.row_ptr[i] > maxrow) maxrow = a.row_ptr[i + 1] - a.row_ptr[i];
        for (int32_t j = 0; j < n; j++) {
            double s = 0, sa = 0;
            for (int32_t p = a.row_ptr[i]; p < a.row_ptr[i + 1]; p++) {
                double t = (double)a.values[p] * b[(size_t)a.col_idx[p] * n + j];
                s += t;
                sa += fabs(t);
            }
            size_t q = (size_t)i * n + j;
            ref[q] = alpha * s + (beta == 0.0f ? 0.0 : (double)beta * c_old[q]);
            sum[q] = fabs(alpha) * sa + (beta == 0.0f ? 0.0 : fabs((double)beta * c_old[q]));
        }
    }
    int32_t r0 = m / 3, r1 = m; /* a partial row range: rows below r0 must stay untouched */
    thimble_f32_spmm_csr(r0, r1, n, a.row_ptr, a.col_idx, a.values, b, alpha, beta, c);
    check_rows(c, c_old, m, n, r0, r1, ref, sum, maxrow, "spmm_csr");
    free_csr(&a);
    free(b), free(c), free(c_old), free(ref), free(sum);
}

static void test_bsr(int32_t m, int32_t k, int32_t n, int32_t bs, double block_density, float alpha,
                     float beta) {
    int32_t mb = (m + bs - 1) / bs, kb = (k + bs - 1) / bs;
    int32_t *brp = malloc(sizeof(int32_t) * (mb + 1)), *bci = malloc(sizeof(int32_t) * (mb * kb + 1));
    int32_t nnzb = 0;
    brp[0] = 0;
    for (int32_t r = 0; r < mb; r++) {
        for (int32_t cb = 0; cb < kb; cb++) {
            if (block_density >= 1.0 || rnd01() < block_density) bci[nnzb++] = cb;
        }
        brp[r + 1] = nnzb;
    }
    float *vals = malloc(sizeof(float) * ((size_t)nnzb * bs * bs + 1));
    for (int32_t r = 0; r < mb; r++) {
        for (int32_t p = brp[r]; p < brp[r + 1]; p++) {
            for (int32_t ri = 0; ri < bs; ri++) {
                for (int32_t ci = 0; ci < bs; ci++) {
                    int pad = r * bs + ri >= m || bci[p] * bs + ci >= k;
                    /* the padding is NaN, not 0: it must never reach a written output */
                    vals[(size_t)p * bs * bs + ri * bs + ci] = pad ? NAN : rndf();
                }
            }
        }
    }
    float *b = rand_floats((size_t)k * n);
    float *c = rand_floats((size_t)m * n), *c_old = malloc(sizeof(float) * m * n);
    if (beta == 0.0f) fill(c, (size_t)m * n, NAN);
    memcpy(c_old, c, sizeof(float) * m * n);
    double *ref = calloc((size_t)m * n, sizeof(double)), *sum = calloc((size_t)m * n, sizeof(double));
    for (int32_t i = 0; i < m; i++) {
        int32_t r = i / bs, ri = i % bs;
        for (int32_t j = 0; j < n; j++) {
            double s = 0, sa = 0;
            for (int32_t p = brp[r]; p < brp[r + 1]; p++) {
                for (int32_t ci = 0; ci < bs && bci[p] * bs + ci < k; ci++) {
                    double t = (double)vals[(size_t)p * bs * bs + ri * bs + ci] * b[(size_t)(bci[p] * bs + ci) * n + j];
                    s += t;
                    sa += fabs(t);
                }
            }
            size_t q = (size_t)i * n + j;
            ref[q] = alpha * s + (beta == 0.0f ? 0.0 : (double)beta * c_old[q]);
            sum[q] = fabs(alpha) * sa + (beta == 0.0f ? 0.0 : fabs((double)beta * c_old[q]));
        }
    }
    int32_t br0 = mb / 3;
    thimble_f32_spmm_bsr(br0, mb, m, k, n, bs, brp, bci, vals, b, alpha, beta, c);
    check_rows(c, c_old, m, n, br0 * bs, m, ref, sum, (int64_t)kb * bs, "spmm_bsr");
    free(brp), free(bci), free(vals), free(b), free(c), free(c_old), free(ref), free(sum);
}

int main(void) {
    static const int32_t MK[][2] = {{1, 1}, {3, 7}, {13, 17}, {16, 33}, {17, 16}, {100, 207}, {207, 100}};
    int32_t tiers[4];
    int nt = tiers_supported(tiers);
    for (int ti = 0; ti < nt; ti++) {
        thimble_select_tier(tiers[ti]);
        g_ctx = thimble_tier_name(tiers[ti]);
        for (size_t s = 0; s < sizeof(MK) / sizeof(MK[0]); s++) {
            for (int ni = 0; ni < NSIZES; ni++) {
                for (int sp = 0; sp < 4; sp++) {
                    test_csr(MK[s][0], MK[s][1], SIZES[ni], SPARSITY[sp], 1.0f, 0.0f);
                    test_csr(MK[s][0], MK[s][1], SIZES[ni], SPARSITY[sp], -1.5f, 0.75f);
                }
                test_csr(MK[s][0], MK[s][1], SIZES[ni] + 128, 0.5, 0.5f, 0.0f); /* > one register block */
                for (int32_t bs = 4; bs <= 16; bs *= 2) {
                    test_bsr(MK[s][0], MK[s][1], SIZES[ni], bs, 0.5, 1.0f, 0.0f);
                    test_bsr(MK[s][0], MK[s][1], SIZES[ni], bs, 1.0, -0.5f, 2.0f);
                    test_bsr(MK[s][0], MK[s][1], SIZES[ni], bs, 0.0, 1.0f, 0.5f);
                }
            }
        }
        test_csr(0, 5, 7, 0.5, 1.0f, 0.0f);
        /* B beyond one K slice (spmm.inc: SPMM_KSLICE_BYTES) with enough non-zeros per row and
         * slice: beta == 0 takes the K-sliced path (partial sums resumed from C, groups of rows,
         * full register blocks + masked tail), beta != 0 the one-pass path */
        test_csr(300, 3000, 200, 0.5, 0.5f, 0.0f);
        test_csr(19, 20000, 16, 0.9, -2.0f, 0.0f);
        test_csr(45, 3000, 200, 0.5, 0.5f, 1.0f);
        test_csr(150, 3000, 128, 0.97, 1.0f, 0.0f); /* too few non-zeros per slice: one pass */
        test_csr(130, 9000, 64, 0.9, 1.0f, 0.0f);   /* 3 slices, 2 row groups, 4-vector tile */
    }
    return finish("test_spmm");
}
