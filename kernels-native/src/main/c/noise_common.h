/*
 * noise_common.h - the seeded-noise stream shared by every tier: Philox4x32-10, the stream layout
 * and the float math, each written exactly as dev.thimble.random.NoiseStream / NoiseMath (Java)
 * so that all providers produce the same bits. See those classes for the layout and for why the
 * bits agree: only integer operations, exact int->float conversions and correctly rounded IEEE
 * operations (+ - * / fmaf sqrtf), in a fixed order. The files that include this header compile
 * with -ffp-contract=off, so the compiler never fuses a*b+c where the source does not say fmaf.
 */
#ifndef THIMBLE_NOISE_COMMON_H
#define THIMBLE_NOISE_COMMON_H

#include <math.h>
#include <string.h>

#include "kernels_internal.h"

/* pass modes and stream codes (KernelProvider / NoiseStream) */
enum { TN_ADD = 0, TN_FILL = 1, TN_PERTURB = 2 };
enum { TN_RADEMACHER = 0, TN_GAUSSIAN = 1, TN_UNIFORM = 2 };
/* a perturb pass stops before a step when fewer exception slots than this are free */
#define TN_STEP_ROOM 128

#define TN_M0 0xD2511F53u
#define TN_M1 0xCD9E8D57u
#define TN_W0 0x9E3779B9u
#define TN_W1 0xBB67AE85u

/* NoiseMath's constants, as hex floats so no decimal conversion can differ */
#define TN_TWO_M24 0x1p-24f
#define TN_SQRT_HALF_BITS 0x3f3504f3
#define TN_LN2_HI 0x1.62e4p-1f
#define TN_LN2_LO 0x1.7f7d1cp-20f
#define TN_L1 0x1.555556p-1f
#define TN_L2 0x1.99999ap-2f
#define TN_L3 0x1.24924ap-2f
#define TN_L4 0x1.c71c72p-3f
#define TN_TWO_PI_M24 0x1.921fb6p-22f
#define TN_S1 -0x1.555556p-3f
#define TN_S2 0x1.111112p-7f
#define TN_S3 -0x1.a01a02p-13f
#define TN_S4 0x1.71de3ap-19f
#define TN_C1 -0x1.0p-1f
#define TN_C2 0x1.555556p-5f
#define TN_C3 -0x1.6c16c2p-10f
#define TN_C4 0x1.a01a02p-16f
#define TN_C5 -0x1.27e4fcp-22f
#define TN_UNIFORM_SCALE 0x1.bb67aep-24f

/* Philox4x32-10 of counter (block lo, block hi, tensor id, stream code) under key (seed lo, hi) */
static inline void tn_philox(uint64_t block, uint32_t tid, uint32_t code, uint64_t seed, uint32_t out[4]) {
    uint32_t x0 = (uint32_t)block, x1 = (uint32_t)(block >> 32), x2 = tid, x3 = code;
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; r++) {
        const uint64_t p0 = (uint64_t)x0 * TN_M0, p1 = (uint64_t)x2 * TN_M1;
        const uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1 ^ k0, y2 = (uint32_t)(p0 >> 32) ^ x3 ^ k1;
        x1 = (uint32_t)p1;
        x3 = (uint32_t)p0;
        x0 = y0;
        x2 = y2;
        k0 += TN_W0;
        k1 += TN_W1;
    }
    out[0] = x0, out[1] = x1, out[2] = x2, out[3] = x3;
}

static inline float tn_f(uint32_t b) {
    float f;
    memcpy(&f, &b, 4);
    return f;
}
static inline uint32_t tn_u(float f) {
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

static inline float tn_uniform(uint32_t w) {
    return (float)(int32_t)(2u * (w >> 8) - 0xFFFFFFu) * TN_UNIFORM_SCALE;
}

/* NoiseMath.log for u in [2^-24, 1] */
static inline float tn_log(float u) {
    const int32_t bits = (int32_t)tn_u(u);
    const int32_t e = (bits - TN_SQRT_HALF_BITS) >> 23; /* arithmetic shift (gcc, clang) */
    const float m = tn_f((uint32_t)bits - ((uint32_t)e << 23));
    const float f = m - 1.0f;
    const float s = f / (2.0f + f);
    const float s2 = s * s;
    const float q = fmaf(s2, fmaf(s2, fmaf(s2, TN_L4, TN_L3), TN_L2), TN_L1);
    const float lnm = fmaf(s * s2, q, 2.0f * s);
    const float fe = (float)e;
    return fmaf(fe, TN_LN2_HI, fmaf(fe, TN_LN2_LO, lnm));
}

static inline float tn_radius(uint32_t a) {
    const float u = (float)(int32_t)((a >> 8) + 1) * TN_TWO_M24;
    return sqrtf(tn_log(u) * -2.0f);
}

/* NoiseMath.cosTurn / sinTurn of word b */
static inline void tn_sincos(uint32_t b, float *c, float *s) {
    const uint32_t k = b >> 8;
    const uint32_t rq = (k + 0x200000u) >> 22;
    const uint32_t q = rq & 3u;
    const float x = (float)(int32_t)(k - (rq << 22)) * TN_TWO_PI_M24;
    const float x2 = x * x;
    const float ps = fmaf(x2, fmaf(x2, fmaf(x2, TN_S4, TN_S3), TN_S2), TN_S1);
    const float sn = fmaf(x * x2, ps, x);
    const float pc = fmaf(x2, fmaf(x2, fmaf(x2, fmaf(x2, TN_C5, TN_C4), TN_C3), TN_C2), TN_C1);
    const float cn = fmaf(x2, pc, 1.0f);
    const float cv = (q & 1u) ? sn : cn, sv = (q & 1u) ? cn : sn;
    *c = ((q + 1u) & 2u) ? -cv : cv;
    *s = (q & 2u) ? -sv : sv;
}

/* one element of a pass, scalar: used by the scalar tier and by the SIMD tiers' partial chunks */
static inline void tn_scalar_apply(int mode, float *x, int64_t i, int on, float scale, float z,
                                   int32_t *exc, int64_t *count) {
    if (mode == TN_FILL) {
        x[i] = on ? scale * z : 0.0f;
        return;
    }
    if (!on) return;
    const float w = x[i];
    const float p = fmaf(scale, z, w);
    if (mode == TN_PERTURB) {
        const float back = fmaf(-scale, z, p);
        if (w != w || tn_u(back) != tn_u(w)) {
            const int64_t k = (*count)++;
            exc[2 * k] = (int32_t)i;
            memcpy(&exc[2 * k + 1], &w, 4);
        }
    }
    x[i] = p;
}

#endif
