/*
 * Portable scalar magnitude selection: radix histogram of keys and threshold/ties selection.
 * A NaN is "selected" when its mask bit is set (the prefix filter applies to counted keys only).
 *
 * Contract: no argument checks here - the Java side validated lengths, buckets (a power of two)
 * and shifts (thimble.h).
 */
#include "../kernels_internal.h"

int64_t thimble_scalar_magnitude_histogram(int64_t n, const float *x, const uint64_t *mask_words,
                                           int64_t mask_bit_offset, int32_t prefix_shift,
                                           uint32_t prefix, int32_t shift, int32_t buckets,
                                           int64_t *hist) {
    int64_t first_nan = -1;
    const uint32_t bmask = (uint32_t)buckets - 1u;
    for (int64_t i = 0; i < n; i++) {
        if (mask_words != NULL && !thimble_bit(mask_words, mask_bit_offset + i)) continue;
        const uint32_t key = thimble_key(x[i]);
        if (key > THIMBLE_INF_KEY) {
            if (first_nan < 0) first_nan = i;
            continue;
        }
        /* prefix_shift >= 32 would be undefined in C; it can only mean "every key" */
        if (prefix_shift < 32 && (key >> prefix_shift) != prefix) continue;
        hist[(key >> shift) & bmask]++;
    }
    return first_nan;
}

int64_t thimble_scalar_select_by_magnitude(int64_t n, const float *x, const uint64_t *mask_words,
                                           int64_t mask_bit_offset, uint32_t threshold_key,
                                           int64_t ties_to_take, uint64_t *out_words,
                                           int64_t out_bit_offset) {
    int64_t taken = 0;
    for (int64_t i0 = 0; i0 < n; i0 += 64) {
        const int len = n - i0 < 64 ? (int)(n - i0) : 64;
        const uint64_t sel = mask_words == NULL
                                 ? ~UINT64_C(0)
                                 : thimble_load_bits(mask_words, mask_bit_offset + i0, len);
        uint64_t bits = 0;
        for (int j = 0; j < len; j++) {
            if (!((sel >> j) & 1u)) continue;
            const uint32_t key = thimble_key(x[i0 + j]);
            if (key > threshold_key || (key == threshold_key && taken < ties_to_take)) {
                if (key == threshold_key) taken++;
                bits |= UINT64_C(1) << j;
            }
        }
        thimble_store_bits(out_words, out_bit_offset + i0, bits, len);
    }
    return taken;
}
