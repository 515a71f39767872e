/* Magnitude histogram and selection on every supported tier against references written here. */
#include "harness.h"

static uint32_t tkey(float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    return u & 0x7fffffffu;
}

static float *special_floats(int64_t n) {
    float *x = rand_floats(n + 1);
    for (int64_t i = 0; i < n; i++) {
        switch (rnd() % 8) {
        case 0: x[i] = (rnd() & 1) ? 0.0f : -0.0f; break;
        case 1: x[i] = (rnd() & 1) ? 0.5f : -0.5f; break; /* ties */
        case 2: x[i] = (rnd() & 1) ? INFINITY : 1e-40f; break;
        default: break;
        }
    }
    return x;
}

static void test_hist(int64_t n, int64_t off, int masked, int with_nan) {
    float *x = special_floats(n);
    size_t words;
    uint64_t *mask = masked ? rand_mask(off + n, 0.6, &words) : NULL;
    int64_t want_nan = -1;
    if (with_nan) {
        for (int r = 0; r < 3; r++) x[rnd() % n] = (rnd() & 1) ? NAN : -NAN;
        for (int64_t i = 0; i < n && want_nan < 0; i++) {
            if (isnan(x[i]) && (!masked || tbit(mask, off + i))) want_nan = i;
        }
    }
    /* pass 1 (top 16 bits of every key), then pass 2 inside the bucket of element 0's key, then a
     * small-bucket pass */
    struct { int32_t ps; uint32_t pre; int32_t sh; int32_t buckets; } passes[3] = {
        {31, 0, 15, 65536}, {15, tkey(x[0]) >> 15, 0, 32768}, {27, tkey(0.5f) >> 27, 23, 16}};
    if (isnan(x[0])) passes[1].pre = 0;
    for (int ps = 0; ps < 3; ps++) {
        int64_t *hist = malloc(sizeof(int64_t) * passes[ps].buckets), *want = malloc(sizeof(int64_t) * passes[ps].buckets);
        for (int32_t b = 0; b < passes[ps].buckets; b++) hist[b] = want[b] = b % 3; /* not cleared */
        for (int64_t i = 0; i < n; i++) {
            uint32_t key = tkey(x[i]);
            if ((masked && !tbit(mask, off + i)) || key > 0x7f800000u) continue;
            if ((key >> passes[ps].ps) != passes[ps].pre) continue;
            want[(key >> passes[ps].sh) & (passes[ps].buckets - 1)]++;
        }
        int64_t got_nan = thimble_f32_magnitude_histogram(n, x, mask, off, passes[ps].ps, passes[ps].pre,
                                                          passes[ps].sh, passes[ps].buckets, hist);
        if (got_nan != want_nan) FAIL("histogram n=%ld pass %d: NaN at %ld, want %ld", (long)n, ps, (long)got_nan, (long)want_nan);
        if (memcmp(hist, want, sizeof(int64_t) * passes[ps].buckets) != 0) FAIL("histogram n=%ld pass %d: counts differ", (long)n, ps);
        g_checks += 2;
        free(hist), free(want);
    }
    free(x), free(mask);
}

static void test_select(int64_t n, int64_t off, int masked, int64_t out_off) {
    float *x = special_floats(n);
    size_t words, owords = (size_t)((out_off + n + 63) / 64);
    uint64_t *mask = masked ? rand_mask(off + n, 0.6, &words) : NULL;
    uint64_t *out = malloc(8 * owords), *before = malloc(8 * owords);
    uint32_t thresholds[] = {tkey(0.5f), tkey(x[n / 2]), 0, 0x7f800000u, tkey(0.25f)};
    int64_t ties[] = {0, 1, 3, n};
    for (int t = 0; t < 5; t++) {
        for (int q = 0; q < 4; q++) {
            for (size_t w = 0; w < owords; w++) out[w] = before[w] = rnd();
            int64_t taken = 0;
            int64_t got = thimble_f32_select_by_magnitude(n, x, mask, off, thresholds[t], ties[q], out, out_off);
            for (int64_t i = 0; i < n; i++) {
                uint32_t key = tkey(x[i]);
                int sel = !masked || tbit(mask, off + i);
                int want = sel && (key > thresholds[t] || (key == thresholds[t] && taken < ties[q]));
                if (sel && key == thresholds[t] && taken < ties[q]) taken++;
                if (tbit(out, out_off + i) != want) {
                    FAIL("select n=%ld i=%ld: bit %d want %d", (long)n, (long)i, tbit(out, out_off + i), want);
                    break;
                }
            }
            for (int64_t b = 0; b < (int64_t)owords * 64; b++) {
                if ((b < out_off || b >= out_off + n) && tbit(out, b) != tbit(before, b)) {
                    FAIL("select n=%ld: bit %ld outside the range changed", (long)n, (long)b);
                    break;
                }
            }
            if (got != taken) FAIL("select n=%ld: %ld ties taken, want %ld", (long)n, (long)got, (long)taken);
            g_checks += 3;
        }
    }
    free(x), free(mask), free(out), free(before);
}

int main(void) {
    static const int64_t NS[] = {1, 3, 7, 13, 16, 17, 33, 63, 64, 65, 100, 207, 1000, 4099};
    int32_t tiers[4];
    int nt = tiers_supported(tiers);
    for (int ti = 0; ti < nt; ti++) {
        thimble_select_tier(tiers[ti]);
        g_ctx = thimble_tier_name(tiers[ti]);
        for (size_t i = 0; i < sizeof(NS) / sizeof(NS[0]); i++) {
            for (int64_t off = 0; off <= 5; off += 5) {
                for (int masked = 0; masked < 2; masked++) {
                    test_hist(NS[i], off, masked, 0);
                    test_hist(NS[i], off, masked, 1);
                    test_select(NS[i], off, masked, 5 - off);
                }
            }
        }
    }
    return finish("test_magnitude");
}
