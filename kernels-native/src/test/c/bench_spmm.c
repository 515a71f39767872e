/* bench_spmm - a tiny timing program (not a test): CSR and BSR-bs SpMM at M = K, N, one thread,
 * for every tier the CPU supports (the best tier only when `fast` is given); prints GFLOP/s of
 * useful work (2 * nnz * N / t, best of several runs).
 * Usage: bench_spmm [reps [sparsity [bs [M [N [fast]]]]]]  (defaults 20 0.9 8 4096 128) */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "thimble.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: a shared machine's other load does not count */
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}
static uint64_t s = 88172645463325252ull;
static double u01(void) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    return (double)(s >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 20;
    const double density = 1.0 - (argc > 2 ? atof(argv[2]) : 0.9);
    const int32_t BS = argc > 3 ? atoi(argv[3]) : 8;
    const int32_t M = argc > 4 ? atoi(argv[4]) : 4096, K = M, N = argc > 5 ? atoi(argv[5]) : 128;
    const int fast = argc > 6;
    float *b = malloc(sizeof(float) * K * N), *c = malloc(sizeof(float) * M * N);
    for (int64_t i = 0; i < (int64_t)K * N; i++) b[i] = (float)u01();
    /* CSR, uniform random pattern */
    int32_t *rp = malloc(4 * (M + 1)), *ci = malloc(4 * (size_t)(M * (K * density * 1.2 + 64)));
    float *v = malloc(4 * (size_t)(M * (K * density * 1.2 + 64)));
    int64_t nnz = 0;
    rp[0] = 0;
    for (int32_t i = 0; i < M; i++) {
        for (int32_t j = 0; j < K; j++) if (u01() < density) ci[nnz] = j, v[nnz++] = (float)u01();
        rp[i + 1] = (int32_t)nnz;
    }
    /* BSR bs x bs, a fraction `density` of the blocks stored */
    int32_t mb = M / BS, kb = K / BS;
    int32_t *brp = malloc(4 * (mb + 1)), *bci = malloc(4 * (size_t)mb * kb);
    int64_t nnzb = 0;
    brp[0] = 0;
    for (int32_t r = 0; r < mb; r++) {
        for (int32_t cb = 0; cb < kb; cb++) if (u01() < density) bci[nnzb++] = cb;
        brp[r + 1] = (int32_t)nnzb;
    }
    float *bv = malloc(4 * (size_t)nnzb * BS * BS);
    for (int64_t i = 0; i < nnzb * BS * BS; i++) bv[i] = (float)u01();

    printf("M=K=%d N=%d sparsity %.3f: CSR nnz %lld, BSR%d nnz %lld (%lld blocks), 1 thread\n", M,
           N, 1.0 - density, (long long)nnz, BS, (long long)(nnzb * BS * BS), (long long)nnzb);
    printf("%-8s %14s %13s%d GFLOP/s\n", "tier", "CSR GFLOP/s", "BSR", BS);
    for (int32_t t = THIMBLE_TIER_AVX512; t >= THIMBLE_TIER_SCALAR; t--) {
        if (thimble_select_tier(t) != t) continue;
        double best_csr = 1e30, best_bsr = 1e30;
        for (int r = 0; r < reps; r++) {
            double t0 = now();
            thimble_f32_spmm_csr(0, M, N, rp, ci, v, b, 1.0f, 0.0f, c);
            double t1 = now();
            thimble_f32_spmm_bsr(0, mb, M, K, N, BS, brp, bci, bv, b, 1.0f, 0.0f, c);
            double t2 = now();
            if (t1 - t0 < best_csr) best_csr = t1 - t0;
            if (t2 - t1 < best_bsr) best_bsr = t2 - t1;
        }
        printf("%-8s %14.1f %14.1f   (%.2f ms, %.2f ms)\n", thimble_tier_name(t),
               2.0 * nnz * N / best_csr * 1e-9, 2.0 * nnzb * BS * BS * N / best_bsr * 1e-9,
               best_csr * 1e3, best_bsr * 1e3);
        if (fast) break;
    }
    return 0;
}
