/* Guard-page test: every input and output of every kernel ends exactly where a PROT_NONE page
 * begins, so reading or writing one element too far crashes the test (SIGSEGV = failure). Values
 * are checked by the other tests; this one only has to survive. */
#include "harness.h"

static guard_t pool[64];
static int npool;
static void *G(const void *src, size_t bytes) { return guard_copy(&pool[npool++], src, bytes); }
static void release(void) {
    while (npool > 0) guard_free(&pool[--npool]);
}

static void run(int32_t m, int32_t k, int32_t n, int32_t bs, int64_t off, double density) {
    /* CSR operands for every sparse kernel: A m x k (spmm), W n x k (csrt), W n x k (csr),
     * pattern m x n (sddmm) */
    csr_t a = make_csr(m, k, density), w = make_csr(n, k, density), pat = make_csr(m, n, density);
    float *hb = rand_floats((size_t)k * n), *hx = rand_floats((size_t)m * k), *hy = rand_floats((size_t)n * k);
    float *hg = rand_floats((size_t)m * n);
    const int32_t *arp = G(a.row_ptr, 4 * (m + 1)), *aci = G(a.col_idx, 4 * a.nnz);
    const float *av = G(a.values, 4 * a.nnz);
    const int32_t *wrp = G(w.row_ptr, 4 * (n + 1)), *wci = G(w.col_idx, 4 * w.nnz);
    const float *wv = G(w.values, 4 * w.nnz);
    const int32_t *prp = G(pat.row_ptr, 4 * (m + 1)), *pci = G(pat.col_idx, 4 * pat.nnz);
    const float *b = G(hb, 4 * (size_t)k * n), *x = G(hx, 4 * (size_t)m * k), *y = G(hy, 4 * (size_t)n * k);
    const float *g = G(hg, 4 * (size_t)m * n);
    float *c = G(NULL, 4 * (size_t)m * n), *d = G(NULL, 4 * (size_t)m * k), *out = G(NULL, 4 * (size_t)pat.nnz);
    fill(c, (size_t)m * n, 1.0f), fill(d, (size_t)m * k, 1.0f), fill(out, pat.nnz, 1.0f);

    for (int beta = 0; beta < 2; beta++) {
        thimble_f32_spmm_csr(0, m, n, arp, aci, av, b, 1.0f, (float)beta, c);
        thimble_f32_dense_csrt(0, m, k, n, x, wrp, wci, wv, 1.0f, (float)beta, c);
        thimble_f32_dense_csr(0, m, n, k, g, wrp, wci, wv, 1.0f, (float)beta, d);
        thimble_f32_sddmm(0, m, k, x, y, prp, pci, 1.0f, (float)beta, out);
        /* transposed: x is k x m and y k x n -> reuse hx / hb, which have those lengths */
        thimble_f32_sddmm_t(0, m, k, m, n, x, b, prp, pci, 1.0f, (float)beta, out);
        thimble_f32_gemm(0, m, k, n, x, b, 1.0f, (float)beta, c);
    }
    /* BSR: block rows of bs, edge blocks padded */
    int32_t mb = (m + bs - 1) / bs, kb = (k + bs - 1) / bs, nnzb = 0;
    int32_t *brp = malloc(4 * (mb + 1)), *bci = malloc(4 * (mb * kb + 1));
    brp[0] = 0;
    for (int32_t r = 0; r < mb; r++) {
        for (int32_t cb = 0; cb < kb; cb++) if (density >= 1.0 || rnd01() < density) bci[nnzb++] = cb;
        brp[r + 1] = nnzb;
    }
    float *hv = rand_floats((size_t)nnzb * bs * bs);
    const int32_t *gbrp = G(brp, 4 * (mb + 1)), *gbci = G(bci, 4 * nnzb);
    const float *gv = G(hv, 4 * (size_t)nnzb * bs * bs);
    thimble_f32_spmm_bsr(0, mb, m, k, n, bs, gbrp, gbci, gv, b, 1.0f, 0.0f, c);
    thimble_f32_spmm_bsr(0, mb, m, k, n, bs, gbrp, gbci, gv, b, 1.0f, 0.5f, c);

    /* masks: exactly ceil((off + bits) / 64) words */
    size_t words;
    uint64_t *hm = rand_mask(off + (int64_t)m * n, 0.5, &words);
    const uint64_t *mask = G(hm, 8 * words);
    thimble_f32_masked_gemm(0, m, k, n, x, b, mask, off, 1.0f, 0.0f, c);
    thimble_f32_masked_gemm(0, m, k, n, x, b, mask, off, 1.0f, 0.5f, c);

    int64_t len = (int64_t)m * n; /* element-wise over c's length with the same mask */
    thimble_f32_axpy(len, 0.5f, g, c);
    thimble_f32_masked_axpy(len, 0.5f, g, mask, off, c);
    thimble_f32_scale(len, 0.5f, c);
    thimble_f32_apply_mask(len, c, mask, off);
    const float *xs[3] = {g, g, g};
    float wts[3] = {1.0f, 0.0f, -1.0f};
    thimble_f32_weighted_sum(len, 3, wts, xs, c);
    volatile double sink = thimble_f32_dot(len, g, c) + thimble_f32_sum_squares(len, g, NULL, 0) +
                           thimble_f32_sum_squares(len, g, mask, off) + thimble_f32_max_abs(len, g, NULL, 0) +
                           thimble_f32_max_abs(len, g, mask, off);
    (void)sink;
    int64_t *hist = G(NULL, 8 * 64);
    memset(hist, 0, 8 * 64);
    thimble_f32_magnitude_histogram(len, g, mask, off, 31, 0, 25, 64, hist);
    thimble_f32_magnitude_histogram(len, g, NULL, 0, 31, 0, 25, 64, hist);
    uint64_t *sel = G(NULL, 8 * ((off + len + 63) / 64));
    memset(sel, 0, 8 * ((off + len + 63) / 64));
    thimble_f32_select_by_magnitude(len, g, mask, off, 0x3f000000u, 3, sel, off);
    thimble_f32_select_by_magnitude(len, g, NULL, 0, 0x3f000000u, 3, sel, off);
    g_checks++;

    release();
    free_csr(&a), free_csr(&w), free_csr(&pat);
    free(hb), free(hx), free(hy), free(hg), free(brp), free(bci), free(hv), free(hm);
}

int main(void) {
    static const int32_t MKN[][3] = {{1, 1, 1}, {13, 17, 33}, {7, 3, 100}, {17, 16, 17}, {33, 100, 7},
                                     {9, 21, 207}, {100, 33, 13}, {5, 35, 129}};
    int32_t tiers[4];
    int nt = tiers_supported(tiers);
    for (int ti = 0; ti < nt; ti++) {
        thimble_select_tier(tiers[ti]);
        g_ctx = thimble_tier_name(tiers[ti]);
        for (size_t s = 0; s < sizeof(MKN) / sizeof(MKN[0]); s++) {
            for (int32_t bs = 4; bs <= 16; bs *= 2) {
                for (int64_t off = 0; off <= 5; off += 5) {
                    run(MKN[s][0], MKN[s][1], MKN[s][2], bs, off, 1.0);
                    run(MKN[s][0], MKN[s][1], MKN[s][2], bs, off, 0.5);
                }
            }
        }
    }
    return finish("test_guard");
}
