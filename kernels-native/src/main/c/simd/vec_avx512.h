/*
 * vec_avx512.h - the vector layer of the AVX-512 tier (F/BW/VL/DQ; compiled only into *_avx512.c
 * with -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma). Lane masks are native __mmask16, so every
 * partial load/store is a fault-suppressing masked access: tails never touch memory past the end.
 */
#ifndef THIMBLE_VEC_AVX512_H
#define THIMBLE_VEC_AVX512_H
#include <immintrin.h>

#include "../kernels_internal.h"

#define VL 16
#define VFN(name) thimble_avx512_##name
#define VINL static inline __attribute__((always_inline))
/* CSR SpMM register block: 8 zmm accumulators = 128 columns of a C row; with the broadcast and
 * the B operands folded into the FMAs (memory operands) that leaves 20+ zmm spare, and 8
 * independent FMA chains cover the 4-cycle FMA latency at 2 FMAs per cycle. */
#define SPMM_NB 8
/* BSR: up to 16 block rows x (16 / rows) zmm = 16 accumulators (bs 4: 4 x 4, bs 8: 8 x 2, bs 16:
 * 16 x 1); the broadcasts are folded into the FMAs, so 16 accumulators + the B vectors stay within
 * the 32 zmm. bs 16 as 16 x 1 rather than two 8-row halves x 2 zmm: each B vector loaded feeds 16
 * FMAs instead of 8 (half the B traffic per FMA), measured 4.0 vs 5.4-6.4 ms with bench_spmm at
 * 4096^2 x 128, 90 %; bs 8 as 8 x 1 or 8 x 3 and bs 4 as 4 x 2 measured no better than 8 x 2 / 4 x 4. */
#ifndef BSR_RG_MAX
#define BSR_RG_MAX 16
#endif
#ifndef BSR_ACC
#define BSR_ACC 16
#endif
#define HAVE_GATHER 1

typedef __m512 vf;
typedef __m512i vi;
typedef __mmask16 vm;

VINL vf vzero(void) { return _mm512_setzero_ps(); }
VINL vf vset1(float a) { return _mm512_set1_ps(a); }
VINL vf vld(const float *p) { return _mm512_loadu_ps(p); }
VINL void vst(float *p, vf v) { _mm512_storeu_ps(p, v); }
VINL vm vm_bits(uint32_t bits) { return (__mmask16)bits; }
/* lanes with their bit set are loaded, the others are 0 and not read */
VINL vf vld_bits(const float *p, uint32_t bits) { return _mm512_maskz_loadu_ps((__mmask16)bits, p); }
VINL void vst_bits(float *p, vf v, uint32_t bits) { _mm512_mask_storeu_ps(p, (__mmask16)bits, v); }
VINL vf vfma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
VINL vf vmul(vf a, vf b) { return _mm512_mul_ps(a, b); }
VINL vf vadd(vf a, vf b) { return _mm512_add_ps(a, b); }
VINL vf vsel(vm m, vf a, vf b) { return _mm512_mask_blend_ps(m, b, a); }
VINL float vhsum(vf v) { return _mm512_reduce_add_ps(v); }
VINL double vhsum_d(vf v) {
    __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
    __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    return _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
}
VINL vf vgather(const float *base, const int32_t *idx) {
    return _mm512_i32gather_ps(_mm512_loadu_si512(idx), base, 4);
}
VINL vf vgather_bits(const float *base, const int32_t *idx, uint32_t bits) {
    __m512i ix = _mm512_maskz_loadu_epi32((__mmask16)bits, idx);
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), (__mmask16)bits, ix, base, 4);
}
/* keys (bits & 0x7fffffff) of the lanes with their bit set; others 0, not read */
VINL vi vkeys_bits(const float *p, uint32_t bits) {
    return _mm512_maskz_and_epi32((__mmask16)bits, _mm512_maskz_loadu_epi32((__mmask16)bits, p),
                                  _mm512_set1_epi32(0x7fffffff));
}
VINL vi vimax(vi a, vi b) { return _mm512_max_epi32(a, b); }
VINL uint32_t vimax_h(vi a) { return (uint32_t)_mm512_reduce_max_epi32(a); }
VINL vi vizero(void) { return _mm512_setzero_si512(); }
/* signed compares: keys are non-negative and callers keep t <= 0x7fffffff */
VINL uint32_t vi_gt_bits(vi a, uint32_t t) { return _mm512_cmpgt_epi32_mask(a, _mm512_set1_epi32((int)t)); }
VINL uint32_t vi_eq_bits(vi a, uint32_t t) { return _mm512_cmpeq_epi32_mask(a, _mm512_set1_epi32((int)t)); }
VINL uint32_t vi_prefix_bits(vi a, int shift, uint32_t prefix) {
    return _mm512_cmpeq_epi32_mask(_mm512_srl_epi32(a, _mm_cvtsi32_si128(shift)), _mm512_set1_epi32((int)prefix));
}
VINL void vi_st(uint32_t *p, vi a) { _mm512_storeu_si512(p, a); }
VINL void vprefetch(const void *p) { _mm_prefetch((const char *)p, _MM_HINT_T0); }

#endif
