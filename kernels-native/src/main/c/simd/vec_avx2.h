/*
 * vec_avx2.h - the vector layer of the AVX2 tier (AVX2 + FMA; compiled only into *_avx2.c with
 * -mavx2 -mfma). Lane masks are ymm vectors built from bits; partial loads/stores use
 * vmaskmovps, which does not fault on masked-off lanes, so tails never touch memory past the end.
 */
#ifndef THIMBLE_VEC_AVX2_H
#define THIMBLE_VEC_AVX2_H
#include <immintrin.h>

#include "../kernels_internal.h"

#define VL 8
#define VFN(name) thimble_avx2_##name
#define VINL static inline __attribute__((always_inline))
/* CSR SpMM register block: 8 ymm accumulators = 64 columns (N = 128 is two even passes); with
 * the broadcast, the tail accumulator and a B load that leaves 4-5 of the 16 ymm spare, and 8
 * chains cover the FMA latency. 12 would give 96 columns but splits N = 128 into 96 + 32. */
#define SPMM_NB 8
/* BSR: 4 block rows x 3 ymm = 12 accumulators + 3 B vectors + 1 broadcast = 16 ymm */
#define BSR_RG_MAX 4
#define BSR_ACC 12
#define HAVE_GATHER 1

typedef __m256 vf;
typedef __m256i vi;
typedef __m256 vm;

VINL vf vzero(void) { return _mm256_setzero_ps(); }
VINL vf vset1(float a) { return _mm256_set1_ps(a); }
VINL vf vld(const float *p) { return _mm256_loadu_ps(p); }
VINL void vst(float *p, vf v) { _mm256_storeu_ps(p, v); }
VINL __m256i vmask_i(uint32_t bits) {
    const __m256i lane = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)bits), lane), lane);
}
VINL vm vm_bits(uint32_t bits) { return _mm256_castsi256_ps(vmask_i(bits)); }
VINL vf vld_bits(const float *p, uint32_t bits) { return _mm256_maskload_ps(p, vmask_i(bits)); }
VINL void vst_bits(float *p, vf v, uint32_t bits) { _mm256_maskstore_ps(p, vmask_i(bits), v); }
VINL vf vfma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
VINL vf vmul(vf a, vf b) { return _mm256_mul_ps(a, b); }
VINL vf vadd(vf a, vf b) { return _mm256_add_ps(a, b); }
VINL vf vsel(vm m, vf a, vf b) { return _mm256_blendv_ps(b, a, m); }
VINL float vhsum(vf v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
VINL double vhsum_d(vf v) {
    __m256d d = _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)),
                              _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(d), _mm256_extractf128_pd(d, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}
VINL vf vgather(const float *base, const int32_t *idx) {
    return _mm256_i32gather_ps(base, _mm256_loadu_si256((const __m256i *)idx), 4);
}
VINL vf vgather_bits(const float *base, const int32_t *idx, uint32_t bits) {
    __m256i m = vmask_i(bits);
    __m256i ix = _mm256_maskload_epi32(idx, m);
    return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, ix, _mm256_castsi256_ps(m), 4);
}
VINL vi vkeys_bits(const float *p, uint32_t bits) {
    return _mm256_and_si256(_mm256_maskload_epi32((const int *)p, vmask_i(bits)), _mm256_set1_epi32(0x7fffffff));
}
VINL vi vimax(vi a, vi b) { return _mm256_max_epi32(a, b); }
VINL uint32_t vimax_h(vi a) {
    __m128i s = _mm_max_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    s = _mm_max_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_max_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return (uint32_t)_mm_cvtsi128_si32(s);
}
VINL vi vizero(void) { return _mm256_setzero_si256(); }
VINL uint32_t vi_movemask(__m256i m) { return (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(m)); }
VINL uint32_t vi_gt_bits(vi a, uint32_t t) { return vi_movemask(_mm256_cmpgt_epi32(a, _mm256_set1_epi32((int)t))); }
VINL uint32_t vi_eq_bits(vi a, uint32_t t) { return vi_movemask(_mm256_cmpeq_epi32(a, _mm256_set1_epi32((int)t))); }
VINL uint32_t vi_prefix_bits(vi a, int shift, uint32_t prefix) {
    return vi_movemask(_mm256_cmpeq_epi32(_mm256_srl_epi32(a, _mm_cvtsi32_si128(shift)), _mm256_set1_epi32((int)prefix)));
}
VINL void vi_st(uint32_t *p, vi a) { _mm256_storeu_si256((__m256i *)p, a); }
VINL void vprefetch(const void *p) { _mm_prefetch((const char *)p, _MM_HINT_T0); }

#endif
