/*
 * vnoise_avx512.h - 32-bit integer lanes for the noise kernels (simd/noise.inc), AVX-512 tier.
 * Philox's 32x32->64 products come from vpmuludq on the even and the odd lanes, recombined by
 * masked dword shuffles into the high and low words.
 */
#ifndef THIMBLE_VNOISE_AVX512_H
#define THIMBLE_VNOISE_AVX512_H
typedef __m512i vu;
VINL vu vu_set1(uint32_t a) { return _mm512_set1_epi32((int)a); }
VINL vu vu_iota(void) { return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15); }
VINL void vu_st(uint32_t *p, vu a) { _mm512_storeu_si512(p, a); }
VINL vu vu_add(vu a, vu b) { return _mm512_add_epi32(a, b); }
VINL vu vu_sub(vu a, vu b) { return _mm512_sub_epi32(a, b); }
VINL vu vu_xor(vu a, vu b) { return _mm512_xor_si512(a, b); }
VINL vu vu_and(vu a, vu b) { return _mm512_and_si512(a, b); }
VINL vu vu_or(vu a, vu b) { return _mm512_or_si512(a, b); }
#define vu_srl(a, i) _mm512_srli_epi32((a), (i))
#define vu_sll(a, i) _mm512_slli_epi32((a), (i))
#define vu_sra(a, i) _mm512_srai_epi32((a), (i))
VINL void vu_mulhilo(vu a, uint32_t m, vu *hi, vu *lo) {
    const __m512i mv = _mm512_set1_epi32((int)m);
    const __m512i pe = _mm512_mul_epu32(a, mv);                                   /* lanes 0, 2, ... */
    const __m512i po = _mm512_mul_epu32(_mm512_shuffle_epi32(a, _MM_PERM_DDBB), mv); /* lanes 1, 3, ... */
    /* even lanes take the high word of pe down, odd lanes the low word of po up: one masked shuffle each */
    *hi = _mm512_mask_shuffle_epi32(po, (__mmask16)0x5555, pe, _MM_PERM_DDBB);
    *lo = _mm512_mask_shuffle_epi32(pe, (__mmask16)0xAAAA, po, _MM_PERM_CCAA);
}
VINL vf vu_cvt(vu a) { return _mm512_cvtepi32_ps(a); }
VINL vf vu_asf(vu a) { return _mm512_castsi512_ps(a); }
VINL vu vf_asu(vf a) { return _mm512_castps_si512(a); }
VINL vf vsub(vf a, vf b) { return _mm512_sub_ps(a, b); }
VINL vf vdiv(vf a, vf b) { return _mm512_div_ps(a, b); }
VINL vf vsqrt(vf a) { return _mm512_sqrt_ps(a); }
VINL vm vu_odd(vu a) { return _mm512_test_epi32_mask(a, _mm512_set1_epi32(1)); }
VINL uint32_t vu_ne_bits(vu a, vu b) { return _mm512_cmpneq_epi32_mask(a, b); }
VINL uint32_t vf_nan_bits(vf a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
/*
 * Philox in qword lanes (noise.inc's VQ_PHILOX): the even and the odd lanes of a counter vector run
 * as two chains of 64-bit lanes, where one vpmuludq gives the whole product - the low word in
 * place, the high word one shift away - and nothing needs recombining until the end. The upper
 * halves carry garbage that is never read: vpmuludq reads only the low words.
 */
#define VQ_PHILOX 1
typedef __m512i vq;
VINL vq vq_even(vu a) { return a; }
VINL vq vq_odd(vu a) { return _mm512_srli_epi64(a, 32); }
VINL vq vq_mul(vq a, uint32_t m) { return _mm512_mul_epu32(a, _mm512_set1_epi32((int)m)); }
VINL vq vq_hi(vq p) { return _mm512_srli_epi64(p, 32); }
VINL vq vq_xor3(vq a, vq b, vu k) { return _mm512_ternarylogic_epi32(a, b, k, 0x96); }
/* lanes 2i and 2i + 1 from the low words of qword i of `even` and of `odd` */
VINL vu vq_join(vq even, vq odd) {
    return _mm512_mask_shuffle_epi32(even, (__mmask16)0xAAAA, odd, _MM_PERM_CCAA);
}
#endif
