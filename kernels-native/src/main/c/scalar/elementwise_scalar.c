/*
 * Portable scalar element-wise kernels and reductions.
 *
 * Contract: no argument checks here - the Java side validated lengths (thimble.h).
 */
#include "../kernels_internal.h"

void thimble_scalar_axpy(int64_t n, float alpha, const float *x, float *y) {
    for (int64_t i = 0; i < n; i++) y[i] += alpha * x[i];
}

void thimble_scalar_masked_axpy(int64_t n, float alpha, const float *x, const uint64_t *mask_words,
                                int64_t mask_bit_offset, float *y) {
    for (int64_t i = 0; i < n; i++) {
        if (thimble_bit(mask_words, mask_bit_offset + i)) y[i] += alpha * x[i];
    }
}

void thimble_scalar_scale(int64_t n, float alpha, float *x) {
    for (int64_t i = 0; i < n; i++) x[i] *= alpha;
}

void thimble_scalar_apply_mask(int64_t n, float *x, const uint64_t *mask_words,
                               int64_t mask_bit_offset) {
    for (int64_t i = 0; i < n; i++) {
        if (!thimble_bit(mask_words, mask_bit_offset + i)) x[i] = 0.0f;
    }
}

void thimble_scalar_weighted_sum(int64_t n, int32_t count, const float *weights,
                                 const float *const *xs, float *out) {
    for (int64_t i = 0; i < n; i++) {
        float s = 0.0f;
        for (int32_t t = 0; t < count; t++) s += weights[t] * xs[t][i];
        out[i] = s;
    }
}

/* the reference path accumulates in double: the product of two floats is exact in double, so the
 * error is the double summation's, far inside the float-per-block bound the SIMD tiers meet */
double thimble_scalar_dot(int64_t n, const float *x, const float *y) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += (double)x[i] * (double)y[i];
    return s;
}

double thimble_scalar_sum_squares(int64_t n, const float *x, const uint64_t *mask_words,
                                  int64_t mask_bit_offset) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) {
        if (mask_words == NULL || thimble_bit(mask_words, mask_bit_offset + i)) {
            s += (double)x[i] * (double)x[i];
        }
    }
    return s;
}

/* works on keys (bits & 0x7fffffff): they order like |x|, and every NaN key is above the key of
 * infinity, so the largest key is a NaN's whenever one is selected - NaN propagates for free */
float thimble_scalar_max_abs(int64_t n, const float *x, const uint64_t *mask_words,
                             int64_t mask_bit_offset) {
    uint32_t best = 0;
    for (int64_t i = 0; i < n; i++) {
        if (mask_words == NULL || thimble_bit(mask_words, mask_bit_offset + i)) {
            uint32_t key = thimble_key(x[i]);
            best = key > best ? key : best;
        }
    }
    union { uint32_t u; float f; } r;
    r.u = best;
    return r.f;
}
