/* Dense and masked GEMM on every supported tier against a double-precision reference, mask bit
 * offsets 0 and 5, masks empty / half / full / with whole empty rows. */
#include "harness.h"

static void test_gemm(int32_t m, int32_t k, int32_t n, float alpha, float beta, int64_t off, double md) {
    float *a = rand_floats((size_t)m * k), *b = rand_floats((size_t)k * n);
    float *c = rand_floats((size_t)m * n), *old = malloc(sizeof(float) * m * n + 4);
    if (beta == 0.0f) fill(c, (size_t)m * n, NAN);
    memcpy(old, c, sizeof(float) * m * n);
    size_t words;
    uint64_t *mask = md < 0 ? NULL : rand_mask(off + (int64_t)m * n, md, &words);
    if (mask != NULL && md > 0 && md < 1 && m > 2) { /* one row with no bit set */
        for (int32_t j = 0; j < n; j++) mask[(off + n + j) / 64] &= ~(1ull << ((off + n + j) % 64));
    }
    int32_t r0 = m / 3;
    if (mask == NULL) {
        thimble_f32_gemm(r0, m, k, n, a, b, alpha, beta, c);
    } else {
        thimble_f32_masked_gemm(r0, m, k, n, a, b, mask, off, alpha, beta, c);
    }
    const char *what = mask == NULL ? "gemm" : "masked_gemm";
    for (int32_t i = 0; i < m; i++) {
        for (int32_t j = 0; j < n; j++) {
            size_t q = (size_t)i * n + j;
            if (i < r0) {
                if (memcmp(c + q, old + q, 4) != 0) FAIL("%s: row %d outside range written", what, i);
                continue;
            }
            double s = 0, sa = 0;
            for (int32_t t = 0; t < k; t++) {
                double v = (double)a[(size_t)i * k + t] * b[(size_t)t * n + j];
                s += v, sa += fabs(v);
            }
            double bo = beta == 0.0f ? 0.0 : (double)beta * old[q];
            int set = mask == NULL || tbit(mask, off + (int64_t)q);
            check_close(c[q], set ? alpha * s + bo : bo, set ? fabs(alpha) * sa + fabs(bo) : fabs(bo), k, what, (long)q);
        }
    }
    free(a), free(b), free(c), free(old), free(mask);
}

int main(void) {
    static const int32_t MK[][2] = {{1, 1}, {3, 7}, {13, 17}, {16, 33}, {17, 16}, {100, 207}, {207, 13}};
    static const double MD[] = {-1.0, 0.0, 0.5, 1.0};
    int32_t tiers[4];
    int nt = tiers_supported(tiers);
    for (int ti = 0; ti < nt; ti++) {
        thimble_select_tier(tiers[ti]);
        g_ctx = thimble_tier_name(tiers[ti]);
        for (size_t s = 0; s < sizeof(MK) / sizeof(MK[0]); s++) {
            for (int ni = 0; ni < NSIZES; ni++) {
                for (int md = 0; md < 4; md++) {
                    for (int64_t off = 0; off <= 5; off += 5) {
                        test_gemm(MK[s][0], MK[s][1], SIZES[ni], 1.0f, 0.0f, off, MD[md]);
                        test_gemm(MK[s][0], MK[s][1], SIZES[ni], -1.5f, 0.5f, off, MD[md]);
                    }
                }
            }
        }
    }
    return finish("test_dense");
}
