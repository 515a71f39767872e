/*
 * vec_neon.h - the vector layer of the NEON tier (arm64 Advanced SIMD, always present on ARMv8-A;
 * compiled only into *_neon.c on aarch64). NEON has no masked loads/stores or gathers, so partial
 * accesses and gathers go lane by lane (scalar tails): they only touch the lanes asked for.
 */
#ifndef THIMBLE_VEC_NEON_H
#define THIMBLE_VEC_NEON_H
#include <arm_neon.h>

#include "../kernels_internal.h"

#define VL 4
#define VFN(name) thimble_neon_##name
#define VINL static inline __attribute__((always_inline))
/* CSR SpMM register block: 16 q accumulators = 64 columns, half of the 32 q registers, leaving
 * room for B loads and the broadcast; 16 chains cover the FMA latency at 2-4 FMA pipes. */
#define SPMM_NB 16
/* BSR: 8 block rows x 3 q (or 4 x 6) = 24 accumulators + 3-6 B vectors, within 32 q */
#define BSR_RG_MAX 8
#define BSR_ACC 24
#define HAVE_GATHER 0

typedef float32x4_t vf;
typedef uint32x4_t vi;
typedef uint32x4_t vm;

VINL vf vzero(void) { return vdupq_n_f32(0.0f); }
VINL vf vset1(float a) { return vdupq_n_f32(a); }
VINL vf vld(const float *p) { return vld1q_f32(p); }
VINL void vst(float *p, vf v) { vst1q_f32(p, v); }
VINL vm vm_bits(uint32_t bits) {
    static const uint32_t lane[4] = {1, 2, 4, 8};
    return vtstq_u32(vdupq_n_u32(bits), vld1q_u32(lane));
}
VINL vf vld_bits(const float *p, uint32_t bits) {
    vf v = vdupq_n_f32(0.0f);
    if (bits & 1) v = vld1q_lane_f32(p + 0, v, 0);
    if (bits & 2) v = vld1q_lane_f32(p + 1, v, 1);
    if (bits & 4) v = vld1q_lane_f32(p + 2, v, 2);
    if (bits & 8) v = vld1q_lane_f32(p + 3, v, 3);
    return v;
}
VINL void vst_bits(float *p, vf v, uint32_t bits) {
    if (bits & 1) vst1q_lane_f32(p + 0, v, 0);
    if (bits & 2) vst1q_lane_f32(p + 1, v, 1);
    if (bits & 4) vst1q_lane_f32(p + 2, v, 2);
    if (bits & 8) vst1q_lane_f32(p + 3, v, 3);
}
VINL vf vfma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }
VINL vf vmul(vf a, vf b) { return vmulq_f32(a, b); }
VINL vf vadd(vf a, vf b) { return vaddq_f32(a, b); }
VINL vf vsel(vm m, vf a, vf b) { return vbslq_f32(m, a, b); }
VINL float vhsum(vf v) { return vaddvq_f32(v); }
VINL double vhsum_d(vf v) {
    return vaddvq_f64(vaddq_f64(vcvt_f64_f32(vget_low_f32(v)), vcvt_high_f64_f32(v)));
}
VINL vf vgather(const float *base, const int32_t *idx) {
    vf v = vdupq_n_f32(base[idx[0]]);
    v = vsetq_lane_f32(base[idx[1]], v, 1);
    v = vsetq_lane_f32(base[idx[2]], v, 2);
    return vsetq_lane_f32(base[idx[3]], v, 3);
}
VINL vf vgather_bits(const float *base, const int32_t *idx, uint32_t bits) {
    vf v = vdupq_n_f32(0.0f);
    if (bits & 1) v = vsetq_lane_f32(base[idx[0]], v, 0);
    if (bits & 2) v = vsetq_lane_f32(base[idx[1]], v, 1);
    if (bits & 4) v = vsetq_lane_f32(base[idx[2]], v, 2);
    if (bits & 8) v = vsetq_lane_f32(base[idx[3]], v, 3);
    return v;
}
VINL vi vkeys_bits(const float *p, uint32_t bits) {
    return vandq_u32(vreinterpretq_u32_f32(vld_bits(p, bits)), vdupq_n_u32(0x7fffffffu));
}
VINL vi vimax(vi a, vi b) { return vmaxq_u32(a, b); }
VINL uint32_t vimax_h(vi a) { return vmaxvq_u32(a); }
VINL vi vizero(void) { return vdupq_n_u32(0); }
VINL uint32_t vi_movemask(uint32x4_t m) {
    static const uint32_t lane[4] = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(m, vld1q_u32(lane)));
}
VINL uint32_t vi_gt_bits(vi a, uint32_t t) { return vi_movemask(vcgtq_u32(a, vdupq_n_u32(t))); }
VINL uint32_t vi_eq_bits(vi a, uint32_t t) { return vi_movemask(vceqq_u32(a, vdupq_n_u32(t))); }
VINL uint32_t vi_prefix_bits(vi a, int shift, uint32_t prefix) {
    return vi_movemask(vceqq_u32(vshlq_u32(a, vdupq_n_s32(-shift)), vdupq_n_u32(prefix)));
}
VINL void vi_st(uint32_t *p, vi a) { vst1q_u32(p, a); }
VINL void vprefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
