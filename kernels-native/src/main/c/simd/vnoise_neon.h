/*
 * vnoise_neon.h - 32-bit integer lanes for the noise kernels (simd/noise.inc), NEON tier.
 * Philox's 32x32->64 products come from umull/umull2; uzp1/uzp2 split them into low and high words.
 */
#ifndef THIMBLE_VNOISE_NEON_H
#define THIMBLE_VNOISE_NEON_H
typedef uint32x4_t vu;
VINL vu vu_set1(uint32_t a) { return vdupq_n_u32(a); }
VINL vu vu_iota(void) {
    static const uint32_t iota[4] = {0, 1, 2, 3};
    return vld1q_u32(iota);
}
VINL void vu_st(uint32_t *p, vu a) { vst1q_u32(p, a); }
VINL vu vu_add(vu a, vu b) { return vaddq_u32(a, b); }
VINL vu vu_sub(vu a, vu b) { return vsubq_u32(a, b); }
VINL vu vu_xor(vu a, vu b) { return veorq_u32(a, b); }
VINL vu vu_and(vu a, vu b) { return vandq_u32(a, b); }
VINL vu vu_or(vu a, vu b) { return vorrq_u32(a, b); }
#define vu_srl(a, i) vshrq_n_u32((a), (i))
#define vu_sll(a, i) vshlq_n_u32((a), (i))
#define vu_sra(a, i) vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_u32(a), (i)))
VINL void vu_mulhilo(vu a, uint32_t m, vu *hi, vu *lo) {
    const uint64x2_t pl = vmull_u32(vget_low_u32(a), vdup_n_u32(m));
    const uint64x2_t ph = vmull_high_u32(a, vdupq_n_u32(m));
    *lo = vuzp1q_u32(vreinterpretq_u32_u64(pl), vreinterpretq_u32_u64(ph));
    *hi = vuzp2q_u32(vreinterpretq_u32_u64(pl), vreinterpretq_u32_u64(ph));
}
VINL vf vu_cvt(vu a) { return vcvtq_f32_s32(vreinterpretq_s32_u32(a)); }
VINL vf vu_asf(vu a) { return vreinterpretq_f32_u32(a); }
VINL vu vf_asu(vf a) { return vreinterpretq_u32_f32(a); }
VINL vf vsub(vf a, vf b) { return vsubq_f32(a, b); }
VINL vf vdiv(vf a, vf b) { return vdivq_f32(a, b); }
VINL vf vsqrt(vf a) { return vsqrtq_f32(a); }
VINL vm vu_odd(vu a) { return vtstq_u32(a, vdupq_n_u32(1)); }
VINL uint32_t vu_ne_bits(vu a, vu b) { return vi_movemask(vmvnq_u32(vceqq_u32(a, b))); }
VINL uint32_t vf_nan_bits(vf a) { return vi_movemask(vmvnq_u32(vceqq_f32(a, a))); }
#endif
