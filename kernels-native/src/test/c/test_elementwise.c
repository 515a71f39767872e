/* Element-wise kernels and reductions on every supported tier, mask offsets 0 and 5. */
#include "harness.h"

static void test_n(int64_t n, int64_t off) {
    float *x = rand_floats(n + 1), *y = rand_floats(n + 1), *y0 = malloc(sizeof(float) * (n + 1));
    size_t words;
    uint64_t *mask = rand_mask(off + n, 0.5, &words);
    float alpha = -0.75f;
    memcpy(y0, y, sizeof(float) * n);

    thimble_f32_axpy(n, alpha, x, y);
    for (int64_t i = 0; i < n; i++) check_close(y[i], y0[i] + (double)alpha * x[i], fabs(y0[i]) + fabs(alpha * x[i]), 1, "axpy", (long)i);

    memcpy(y, y0, sizeof(float) * n);
    thimble_f32_masked_axpy(n, alpha, x, mask, off, y);
    for (int64_t i = 0; i < n; i++) {
        if (tbit(mask, off + i)) check_close(y[i], y0[i] + (double)alpha * x[i], fabs(y0[i]) + fabs(alpha * x[i]), 1, "masked_axpy", (long)i);
        else if (y[i] != y0[i]) FAIL("masked_axpy: unset %ld changed", (long)i);
    }

    memcpy(y, y0, sizeof(float) * n);
    thimble_f32_scale(n, alpha, y);
    for (int64_t i = 0; i < n; i++) check_close(y[i], (double)alpha * y0[i], fabs(alpha * y0[i]), 0, "scale", (long)i);

    memcpy(y, y0, sizeof(float) * n);
    thimble_f32_apply_mask(n, y, mask, off);
    for (int64_t i = 0; i < n; i++) {
        float want = tbit(mask, off + i) ? y0[i] : 0.0f;
        if (memcmp(&y[i], &want, 4) != 0) FAIL("apply_mask[%ld]: %g want %g", (long)i, y[i], want);
        g_checks++;
    }

    for (int32_t count = 0; count <= 5; count += (count < 1 ? 1 : 2)) {
        const float *xs[5];
        float w[5];
        for (int32_t t = 0; t < count; t++) xs[t] = rand_floats(n + 1), w[t] = rndf();
        float *out = malloc(sizeof(float) * (n + 1));
        fill(out, n, NAN);
        thimble_f32_weighted_sum(n, count, w, xs, out);
        for (int64_t i = 0; i < n; i++) {
            double s = 0, sa = 0;
            for (int32_t t = 0; t < count; t++) s += (double)w[t] * xs[t][i], sa += fabs((double)w[t] * xs[t][i]);
            check_close(out[i], s, sa, count, "weighted_sum", (long)i);
        }
        for (int32_t t = 0; t < count; t++) free((void *)xs[t]);
        free(out);
    }

    double s = 0, sa = 0, sq = 0, sqm = 0;
    float mk = 0.0f, mkm = 0.0f;
    for (int64_t i = 0; i < n; i++) {
        s += (double)x[i] * y0[i], sa += fabs((double)x[i] * y0[i]);
        sq += (double)x[i] * x[i];
        if (fabsf(x[i]) > mk) mk = fabsf(x[i]);
        if (tbit(mask, off + i)) {
            sqm += (double)x[i] * x[i];
            if (fabsf(x[i]) > mkm) mkm = fabsf(x[i]);
        }
    }
    check_close((float)thimble_f32_dot(n, x, y0), s, sa, n, "dot", 0);
    check_close((float)thimble_f32_sum_squares(n, x, NULL, 0), sq, sq, n, "sum_squares", 0);
    check_close((float)thimble_f32_sum_squares(n, x, mask, off), sqm, sqm, n, "sum_squares_masked", 0);
    float m1 = thimble_f32_max_abs(n, x, NULL, 0), m2 = thimble_f32_max_abs(n, x, mask, off);
    if (memcmp(&m1, &mk, 4) != 0) FAIL("max_abs n=%ld: %g", (long)n, m1);
    if (memcmp(&m2, &mkm, 4) != 0) FAIL("max_abs masked n=%ld: %g", (long)n, m2);
    g_checks += 2;

    /* NaN: selected -> NaN; masked out -> ignored; infinity is a magnitude like any other */
    int64_t at = (int64_t)(rnd() % n);
    float keep = x[at];
    x[at] = (rnd() & 1) ? NAN : -NAN;
    if (!isnan(thimble_f32_max_abs(n, x, NULL, 0))) FAIL("max_abs: NaN at %ld not propagated", (long)at);
    float mm = thimble_f32_max_abs(n, x, mask, off);
    if (tbit(mask, off + at) ? !isnan(mm) : isnan(mm)) FAIL("max_abs masked: NaN at %ld handled wrongly", (long)at);
    x[at] = -INFINITY;
    if (thimble_f32_max_abs(n, x, NULL, 0) != INFINITY) FAIL("max_abs: -inf");
    x[at] = keep;
    size_t w2;
    uint64_t *none = rand_mask(off + n, 0.0, &w2);
    if (thimble_f32_max_abs(n, x, none, off) != 0.0f) FAIL("max_abs: nothing selected");
    if (thimble_f32_sum_squares(n, x, none, off) != 0.0) FAIL("sum_squares: nothing selected");
    g_checks += 5;
    free(none), free(x), free(y), free(y0), free(mask);
}

int main(void) {
    static const int64_t EXTRA[] = {31, 64, 65, 127, 1000, 1025, 3000, 5003};
    int32_t tiers[4];
    int nt = tiers_supported(tiers);
    for (int ti = 0; ti < nt; ti++) {
        thimble_select_tier(tiers[ti]);
        g_ctx = thimble_tier_name(tiers[ti]);
        for (int64_t off = 0; off <= 5; off += 5) {
            for (int i = 0; i < NSIZES; i++) test_n(SIZES[i], off);
            for (size_t i = 0; i < sizeof(EXTRA) / sizeof(EXTRA[0]); i++) test_n(EXTRA[i], off);
        }
        /* n == 0: nothing read, neutral results */
        if (thimble_f32_dot(0, NULL, NULL) != 0.0 || thimble_f32_max_abs(0, NULL, NULL, 0) != 0.0f ||
            thimble_f32_sum_squares(0, NULL, NULL, 0) != 0.0) FAIL("n == 0");
    }
    return finish("test_elementwise");
}
