/*
 * rowblock.h - the register-blocked row kernel shared by CSR SpMM and dense GEMM (template: needs
 * a vec_*.h first). C row chunk = nv full vectors (+ one partial vector when `tail`, lanes in
 * tbits) kept in registers over all non-zeros of the A row: one broadcast + one FMA per vector per
 * non-zero, then alpha * acc + beta * C is written once (beta == 0: C is not read).
 */
#ifndef THIMBLE_ROWBLOCK_H
#define THIMBLE_ROWBLOCK_H

#define LANES_ALL ((uint32_t)((UINT64_C(1) << VL) - 1))

/* Prefetch distance in non-zeros for the B rows of upcoming non-zeros (0 disables). The B rows
 * a sparse row touches are scattered, so the hardware prefetchers cannot guess them; 8 non-zeros
 * ahead (~8 x 4 x 128 x 4 bytes of FMAs, a few hundred cycles) covers an L3 hit. */
#ifndef SPMM_PF_DIST
#define SPMM_PF_DIST 8
#endif

VINL void rowblock_store(float *c, const vf *acc, const int nv, const int tail, uint32_t tbits,
                         float alpha, float beta) {
    const vf va = vset1(alpha);
    if (beta == 0.0f) {
        for (int v = 0; v < nv; v++) vst(c + v * VL, vmul(va, acc[v]));
        if (tail) vst_bits(c + nv * VL, vmul(va, acc[nv]), tbits);
    } else {
        const vf vb = vset1(beta);
        for (int v = 0; v < nv; v++) vst(c + v * VL, vfma(va, acc[v], vmul(vb, vld(c + v * VL))));
        if (tail) vst_bits(c + nv * VL, vfma(va, acc[nv], vmul(vb, vld_bits(c + nv * VL, tbits))), tbits);
    }
}

/* One C row chunk (n is the row stride of B and C). resume == 1: the accumulators start from the
 * C chunk (raw partial sums of the same row's earlier non-zeros) instead of 0. Sparse (dense == 0): non-zeros p in [p0, p1) with B row col_idx[p]; pend bounds
 * the prefetch look-ahead (never reads col_idx past the range). Dense (dense == 1): "non-zero" t
 * in [0, p1) is A(i, t) = values[t], B row t. b and c point at the chunk's first column. */
VINL void rowblock(const int dense, const int resume, const int nv, const int tail, uint32_t tbits,
                   int32_t p0, int32_t p1, int32_t pend, const int32_t *col_idx,
                   const float *values, const float *b, int64_t n, float *c, float alpha,
                   float beta) {
    vf acc[SPMM_NB + 1];
    if (resume) { /* continue the partial sums an earlier pass left in C (see spmm_csr) */
        for (int v = 0; v < nv; v++) acc[v] = vld(c + v * VL);
        if (tail) acc[nv] = vld_bits(c + nv * VL, tbits);
    } else {
        for (int v = 0; v < nv + tail; v++) acc[v] = vzero();
    }
    const int lines = ((nv + tail) * VL * 4 + 63) / 64; /* cache lines of one B row chunk */
    int32_t p = p0;
    /* two non-zeros per iteration: halves the loop overhead; the accumulator chains stay nv long */
    for (; p + 1 < p1; p += 2) {
        if (!dense && SPMM_PF_DIST > 0 && p + 1 + SPMM_PF_DIST < pend) {
            const float *pf0 = b + (size_t)col_idx[p + SPMM_PF_DIST] * n;
            const float *pf1 = b + (size_t)col_idx[p + 1 + SPMM_PF_DIST] * n;
            for (int l = 0; l < lines; l++) vprefetch(pf0 + l * 16);
            for (int l = 0; l < lines; l++) vprefetch(pf1 + l * 16);
        }
        const vf a0 = vset1(values[p]), a1 = vset1(values[p + 1]);
        const float *b0 = b + (size_t)(dense ? p : col_idx[p]) * n;
        const float *b1 = b + (size_t)(dense ? p + 1 : col_idx[p + 1]) * n;
        for (int v = 0; v < nv; v++) acc[v] = vfma(a0, vld(b0 + v * VL), acc[v]);
        if (tail) acc[nv] = vfma(a0, vld_bits(b0 + nv * VL, tbits), acc[nv]);
        for (int v = 0; v < nv; v++) acc[v] = vfma(a1, vld(b1 + v * VL), acc[v]);
        if (tail) acc[nv] = vfma(a1, vld_bits(b1 + nv * VL, tbits), acc[nv]);
    }
    if (p < p1) {
        const vf a0 = vset1(values[p]);
        const float *b0 = b + (size_t)(dense ? p : col_idx[p]) * n;
        for (int v = 0; v < nv; v++) acc[v] = vfma(a0, vld(b0 + v * VL), acc[v]);
        if (tail) acc[nv] = vfma(a0, vld_bits(b0 + nv * VL, tbits), acc[nv]);
    }
    rowblock_store(c, acc, nv, tail, tbits, alpha, beta);
}

/* A C row (width columns of row stride n): full register blocks of SPMM_NB vectors, then one narrower block (instantiated
 * for each width, so every block keeps its accumulators in registers) with a masked last vector. */
VINL void rowblock_row(const int dense, const int resume, int32_t p0, int32_t p1, int32_t pend,
                       const int32_t *col_idx, const float *values, const float *b, int64_t n,
                       int32_t width, float *c, float alpha, float beta) {
    int32_t j0 = 0;
    for (; j0 + SPMM_NB * VL <= width; j0 += SPMM_NB * VL) {
        rowblock(dense, resume, SPMM_NB, 0, 0, p0, p1, pend, col_idx, values, b + j0, n, c + j0,
                 alpha, beta);
    }
    const int32_t r = width - j0;
    if (r == 0) return;
    const int nv = r / VL, rem = r % VL;
    const uint32_t tb = (uint32_t)((UINT64_C(1) << rem) - 1);
#define RB_CASE(V)                                                                                 \
    case V:                                                                                        \
        if (V < SPMM_NB) {                                                                         \
            if (rem) rowblock(dense, resume, V < SPMM_NB ? V : 0, 1, tb, p0, p1, pend, col_idx,    \
                              values, b + j0, n, c + j0, alpha, beta);                             \
            else rowblock(dense, resume, V < SPMM_NB ? V : 0, 0, 0, p0, p1, pend, col_idx, values, \
                          b + j0, n, c + j0, alpha, beta);                                         \
        }                                                                                          \
        break;
    switch (nv) {
        RB_CASE(0) RB_CASE(1) RB_CASE(2) RB_CASE(3) RB_CASE(4) RB_CASE(5) RB_CASE(6) RB_CASE(7)
        RB_CASE(8) RB_CASE(9) RB_CASE(10) RB_CASE(11) RB_CASE(12) RB_CASE(13) RB_CASE(14) RB_CASE(15)
    default: break;
    }
#undef RB_CASE
}

#endif
