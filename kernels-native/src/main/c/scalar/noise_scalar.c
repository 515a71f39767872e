/*
 * Portable scalar noise kernels: the C statement of NoiseStream, one stream step (a Rademacher block
 * of 128 elements or a Gaussian/uniform group of 64) at a time. The SIMD tiers are tested bit for
 * bit against these.
 *
 * Contract: no argument checks here - the Java side validated lengths (thimble.h).
 */
#include "../noise_common.h"

static int64_t run(int mode, int64_t n, float *x, const uint64_t *mw, int64_t mbo, float scale,
                   uint64_t seed, int32_t tid, int64_t offset, int32_t stream, int32_t *exc,
                   int64_t capacity, int64_t *count) {
    const int64_t end = offset + n;
    const int shift = stream == TN_RADEMACHER ? 7 : 6;
    float z[128];
    for (int64_t e = offset; e < end;) {
        const int64_t ss = (int64_t)(((uint64_t)e >> shift) << shift);
        const int64_t se = ss + (INT64_C(1) << shift) < end ? ss + (INT64_C(1) << shift) : end;
        if (mode == TN_PERTURB && capacity - *count < TN_STEP_ROOM) return e - offset;
        if (stream == TN_RADEMACHER) {
            uint32_t w[4];
            tn_philox((uint64_t)e >> 7, (uint32_t)tid, TN_RADEMACHER, seed, w);
            for (int t = 0; t < 128; t++) z[t] = ((w[t >> 5] >> (t & 31)) & 1u) ? -1.0f : 1.0f;
        } else {
            const uint64_t b0 = ((uint64_t)e >> 6) << 4;
            for (int j = 0; j < 16; j++) {
                uint32_t w[4];
                tn_philox(b0 + (uint64_t)j, (uint32_t)tid, (uint32_t)stream, seed, w);
                if (stream == TN_UNIFORM) {
                    for (int k = 0; k < 4; k++) z[16 * k + j] = tn_uniform(w[k]);
                } else {
                    const float ra = tn_radius(w[0]), rb = tn_radius(w[2]);
                    float c, s;
                    tn_sincos(w[1], &c, &s);
                    z[j] = ra * c, z[16 + j] = ra * s;
                    tn_sincos(w[3], &c, &s);
                    z[32 + j] = rb * c, z[48 + j] = rb * s;
                }
            }
        }
        for (int64_t k = e; k < se; k++) {
            const int64_t i = k - offset;
            const int on = mw == NULL || thimble_bit(mw, mbo + i);
            tn_scalar_apply(mode, x, i, on, scale, z[k - ss], exc, count);
        }
        e = se;
    }
    return n;
}

void thimble_scalar_add_noise(int64_t n, float *x, const uint64_t *mask_words, int64_t mask_bit_offset,
                              float scale, uint64_t seed, int32_t tensor_id, int64_t offset,
                              int32_t stream) {
    run(TN_ADD, n, x, mask_words, mask_bit_offset, scale, seed, tensor_id, offset, stream, NULL, 0, NULL);
}

void thimble_scalar_fill_noise(int64_t n, float *out, const uint64_t *mask_words,
                               int64_t mask_bit_offset, float scale, uint64_t seed, int32_t tensor_id,
                               int64_t offset, int32_t stream) {
    run(TN_FILL, n, out, mask_words, mask_bit_offset, scale, seed, tensor_id, offset, stream, NULL, 0,
        NULL);
}

int64_t thimble_scalar_perturb_noise(int64_t n, float *x, const uint64_t *mask_words,
                                     int64_t mask_bit_offset, float scale, uint64_t seed,
                                     int32_t tensor_id, int64_t offset, int32_t stream,
                                     int32_t *exceptions, int64_t capacity, int64_t *count) {
    return run(TN_PERTURB, n, x, mask_words, mask_bit_offset, scale, seed, tensor_id, offset, stream,
               exceptions, capacity, count);
}
