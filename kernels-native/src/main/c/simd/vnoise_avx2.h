/*
 * vnoise_avx2.h - 32-bit integer lanes for the noise kernels (simd/noise.inc), AVX2 tier.
 * Philox's 32x32->64 products come from vpmuludq on the even and the odd lanes, recombined by
 * blends into the high and low words.
 */
#ifndef THIMBLE_VNOISE_AVX2_H
#define THIMBLE_VNOISE_AVX2_H
typedef __m256i vu;
VINL vu vu_set1(uint32_t a) { return _mm256_set1_epi32((int)a); }
VINL vu vu_iota(void) { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }
VINL void vu_st(uint32_t *p, vu a) { _mm256_storeu_si256((__m256i *)p, a); }
VINL vu vu_add(vu a, vu b) { return _mm256_add_epi32(a, b); }
VINL vu vu_sub(vu a, vu b) { return _mm256_sub_epi32(a, b); }
VINL vu vu_xor(vu a, vu b) { return _mm256_xor_si256(a, b); }
VINL vu vu_and(vu a, vu b) { return _mm256_and_si256(a, b); }
VINL vu vu_or(vu a, vu b) { return _mm256_or_si256(a, b); }
#define vu_srl(a, i) _mm256_srli_epi32((a), (i))
#define vu_sll(a, i) _mm256_slli_epi32((a), (i))
#define vu_sra(a, i) _mm256_srai_epi32((a), (i))
VINL void vu_mulhilo(vu a, uint32_t m, vu *hi, vu *lo) {
    const __m256i mv = _mm256_set1_epi32((int)m);
    const __m256i pe = _mm256_mul_epu32(a, mv);
    const __m256i po = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), mv);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(pe, 32), po, 0xAA);
    *lo = _mm256_blend_epi32(pe, _mm256_slli_epi64(po, 32), 0xAA);
}
VINL vf vu_cvt(vu a) { return _mm256_cvtepi32_ps(a); }
VINL vf vu_asf(vu a) { return _mm256_castsi256_ps(a); }
VINL vu vf_asu(vf a) { return _mm256_castps_si256(a); }
VINL vf vsub(vf a, vf b) { return _mm256_sub_ps(a, b); }
VINL vf vdiv(vf a, vf b) { return _mm256_div_ps(a, b); }
VINL vf vsqrt(vf a) { return _mm256_sqrt_ps(a); }
VINL vm vu_odd(vu a) {
    const __m256i one = _mm256_set1_epi32(1);
    return _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(a, one), one));
}
VINL uint32_t vu_ne_bits(vu a, vu b) {
    return ~(uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(a, b))) & 0xFFu;
}
VINL uint32_t vf_nan_bits(vf a) { return (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(a, a, _CMP_UNORD_Q)); }
/* Philox in qword lanes: see vnoise_avx512.h */
#define VQ_PHILOX 1
typedef __m256i vq;
VINL vq vq_even(vu a) { return a; }
VINL vq vq_odd(vu a) { return _mm256_srli_epi64(a, 32); }
VINL vq vq_mul(vq a, uint32_t m) { return _mm256_mul_epu32(a, _mm256_set1_epi32((int)m)); }
VINL vq vq_hi(vq p) { return _mm256_srli_epi64(p, 32); }
VINL vq vq_xor3(vq a, vq b, vu k) { return _mm256_xor_si256(_mm256_xor_si256(a, b), k); }
VINL vu vq_join(vq even, vq odd) { return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA); }
#endif
