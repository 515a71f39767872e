/* dense x CSR^T, dense x CSR, SDDMM and transposed SDDMM on every supported tier against a
 * double-precision reference. */
#include "harness.h"

static void prep_out(float *o, float *old, size_t len, float beta) {
    if (beta == 0.0f) fill(o, len, NAN);
    memcpy(old, o, sizeof(float) * len);
}
static void expect(float *o, const float *old, size_t q, int in_range, double s, double sa,
                   float alpha, float beta, int64_t k, const char *what) {
    if (!in_range) {
        if (memcmp(o + q, old + q, sizeof(float)) != 0) FAIL("%s: %zu outside range written", what, q);
        return;
    }
    double b = beta == 0.0f ? 0.0 : (double)beta * old[q];
    check_close(o[q], alpha * s + b, fabs(alpha) * sa + fabs(b), k, what, (long)q);
}

static void test_csrt(int32_t m, int32_t k, int32_t n, double sp, float alpha, float beta) {
    csr_t w = make_csr(n, k, 1.0 - sp);
    float *x = rand_floats((size_t)m * k), *y = rand_floats((size_t)m * n), *old = malloc(sizeof(float) * m * n + 4);
    prep_out(y, old, (size_t)m * n, beta);
    int32_t r0 = m / 3;
    thimble_f32_dense_csrt(r0, m, k, n, x, w.row_ptr, w.col_idx, w.values, alpha, beta, y);
    for (int32_t i = 0; i < m; i++) {
        for (int32_t j = 0; j < n; j++) {
            double s = 0, sa = 0;
            for (int32_t p = w.row_ptr[j]; p < w.row_ptr[j + 1]; p++) {
                double t = (double)w.values[p] * x[(size_t)i * k + w.col_idx[p]];
                s += t, sa += fabs(t);
            }
            expect(y, old, (size_t)i * n + j, i >= r0, s, sa, alpha, beta, k, "dense_csrt");
        }
    }
    free_csr(&w), free(x), free(y), free(old);
}

static void test_csr(int32_t m, int32_t n, int32_t k, double sp, float alpha, float beta) {
    csr_t w = make_csr(n, k, 1.0 - sp);
    float *g = rand_floats((size_t)m * n), *d = rand_floats((size_t)m * k), *old = malloc(sizeof(float) * m * k + 4);
    prep_out(d, old, (size_t)m * k, beta);
    int32_t r0 = m / 3;
    thimble_f32_dense_csr(r0, m, n, k, g, w.row_ptr, w.col_idx, w.values, alpha, beta, d);
    double *s = calloc(k, sizeof(double)), *sa = calloc(k, sizeof(double));
    for (int32_t i = 0; i < m; i++) {
        memset(s, 0, sizeof(double) * k), memset(sa, 0, sizeof(double) * k);
        for (int32_t j = 0; j < n; j++) {
            for (int32_t p = w.row_ptr[j]; p < w.row_ptr[j + 1]; p++) {
                double t = (double)g[(size_t)i * n + j] * w.values[p];
                s[w.col_idx[p]] += t, sa[w.col_idx[p]] += fabs(t);
            }
        }
        for (int32_t t = 0; t < k; t++) expect(d, old, (size_t)i * k + t, i >= r0, s[t], sa[t], alpha, beta, n, "dense_csr");
    }
    free_csr(&w), free(g), free(d), free(old), free(s), free(sa);
}

static void test_sddmm(int32_t m, int32_t n, int32_t d, double sp, float alpha, float beta, int transposed) {
    csr_t pat = make_csr(m, n, 1.0 - sp);
    float *x = rand_floats((size_t)m * d), *y = rand_floats((size_t)n * d);
    float *out = rand_floats((size_t)pat.nnz + 1), *old = malloc(sizeof(float) * (pat.nnz + 1));
    prep_out(out, old, (size_t)pat.nnz, beta);
    int32_t r0 = m / 3;
    if (transposed) {
        thimble_f32_sddmm_t(r0, m, d, m, n, x, y, pat.row_ptr, pat.col_idx, alpha, beta, out);
    } else {
        thimble_f32_sddmm(r0, m, d, x, y, pat.row_ptr, pat.col_idx, alpha, beta, out);
    }
    for (int32_t i = 0; i < m; i++) {
        for (int32_t p = pat.row_ptr[i]; p < pat.row_ptr[i + 1]; p++) {
            double s = 0, sa = 0;
            for (int32_t t = 0; t < d; t++) {
                double v = transposed ? (double)x[(size_t)t * m + i] * y[(size_t)t * n + pat.col_idx[p]]
                                      : (double)x[(size_t)i * d + t] * y[(size_t)pat.col_idx[p] * d + t];
                s += v, sa += fabs(v);
            }
            expect(out, old, (size_t)p, i >= r0, s, sa, alpha, beta, d, transposed ? "sddmm_t" : "sddmm");
        }
    }
    free_csr(&pat), free(x), free(y), free(out), free(old);
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
                    int32_t a = MK[s][0], b = MK[s][1], c = SIZES[ni];
                    test_csrt(a, b, c, SPARSITY[sp], 1.0f, 0.0f);
                    test_csrt(a, c, b, SPARSITY[sp], -1.5f, 0.75f);
                    test_csr(a, b, c, SPARSITY[sp], 1.0f, 0.0f);
                    test_csr(a, c, b, SPARSITY[sp], -1.5f, 0.75f);
                    test_sddmm(a, b, c, SPARSITY[sp], 1.0f, 0.0f, 0);
                    test_sddmm(a, b, c, SPARSITY[sp], 2.0f, -0.5f, 0);
                    test_sddmm(a, b, c, SPARSITY[sp], 1.0f, 0.0f, 1);
                    test_sddmm(a, b, c, SPARSITY[sp], 2.0f, -0.5f, 1);
                }
            }
        }
        test_sddmm(3, 600, 5, 0.0, 1.0f, 0.0f, 1); /* a row longer than the transposed chunk */
        test_sddmm(3, 600, 40, 0.0, 1.0f, 0.5f, 1);
    }
    return finish("test_sparse");
}
