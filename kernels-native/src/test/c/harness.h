/*
 * harness.h - the small shared harness of the C tests: random data, CSR/BSR generators, guard-page
 * buffers, tier iteration and the error bound every float result is checked against:
 *     |got - ref| <= 2 * (k + 2) * 2^-24 * sum|terms| + FLT_MIN
 * where ref and sum|terms| are computed in double by the test itself (independent of the
 * scalar path), k the number of products summed.
 */
#ifndef THIMBLE_TEST_HARNESS_H
#define THIMBLE_TEST_HARNESS_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "thimble.h"

static int g_failures;
static long g_checks;
static const char *g_ctx = "";

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        if (g_failures < 30) {                                                                     \
            fprintf(stderr, "FAIL [%s] %s:%d: ", g_ctx, __FILE__, __LINE__);                       \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
        g_failures++;                                                                              \
    } while (0)

static uint64_t g_rng = 0x9e3779b97f4a7c15ull;
static inline uint64_t rnd(void) {
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}
static inline double rnd01(void) { return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0); }
static inline float rndf(void) { return (float)(rnd01() * 2.0 - 1.0); }
static inline float *rand_floats(size_t n) {
    float *p = malloc(n * sizeof(float) + 4);
    for (size_t i = 0; i < n; i++) p[i] = rndf();
    return p;
}
static inline void fill(float *p, size_t n, float v) {
    for (size_t i = 0; i < n; i++) p[i] = v;
}

/* checks one float against a double reference with the bound above */
static inline void check_close(float got, double ref, double sumabs, int64_t k, const char *what,
                               long idx) {
    g_checks++;
    if (isnan(ref)) {
        if (!isnan(got)) FAIL("%s[%ld]: got %g, want NaN", what, idx, got);
        return;
    }
    double tol = 2.0 * (double)(k + 2) * ldexp(1.0, -24) * sumabs + FLT_MIN;
    if (!(fabs((double)got - ref) <= tol)) {
        FAIL("%s[%ld]: got %.9g, want %.9g (tol %.3g)", what, idx, got, ref, tol);
    }
}

/* the tiers this CPU runs: calls fn for each with the tier selected */
static inline int tiers_supported(int32_t *out) {
    int count = 0;
    for (int32_t t = THIMBLE_TIER_SCALAR; t <= THIMBLE_TIER_AVX512; t++) {
        if (thimble_select_tier(t) == t) out[count++] = t;
    }
    return count;
}

/* ---- random CSR: rows x cols with density (1 - sparsity); some rows forced empty ---- */
typedef struct {
    int32_t rows, cols, nnz;
    int32_t *row_ptr, *col_idx;
    float *values;
} csr_t;

static inline csr_t make_csr(int32_t rows, int32_t cols, double density) {
    csr_t a = {rows, cols, 0, malloc(sizeof(int32_t) * (rows + 1)), NULL, NULL};
    size_t cap = (size_t)rows * cols + 1;
    a.col_idx = malloc(sizeof(int32_t) * cap);
    a.values = malloc(sizeof(float) * cap);
    a.row_ptr[0] = 0;
    for (int32_t i = 0; i < rows; i++) {
        int empty = density < 1.0 && (rnd() % 5 == 0);
        for (int32_t j = 0; j < cols && !empty; j++) {
            if (density >= 1.0 || rnd01() < density) {
                a.col_idx[a.nnz] = j;
                a.values[a.nnz++] = rndf();
            }
        }
        a.row_ptr[i + 1] = a.nnz;
    }
    return a;
}
static inline void free_csr(csr_t *a) {
    free(a->row_ptr);
    free(a->col_idx);
    free(a->values);
}

/* ---- guard pages: a buffer of `bytes` that ends exactly where a PROT_NONE page begins ---- */
typedef struct {
    void *base;
    size_t len;
} guard_t;

static inline void *guard_copy(guard_t *g, const void *src, size_t bytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (bytes + page - 1) / page;
    if (data_pages == 0) data_pages = 1;
    g->len = (data_pages + 1) * page;
    g->base = mmap(NULL, g->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g->base == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    char *guard = (char *)g->base + data_pages * page;
    if (mprotect(guard, page, PROT_NONE) != 0) {
        perror("mprotect");
        exit(2);
    }
    char *p = guard - bytes;
    if (src != NULL && bytes > 0) memcpy(p, src, bytes);
    return p;
}
static inline void guard_free(guard_t *g) { munmap(g->base, g->len); }

static inline int finish(const char *name) {
    printf("%s: %ld checks, %d failures\n", name, g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}

static const int32_t SIZES[] = {1, 3, 7, 13, 16, 17, 33, 100, 207};
#define NSIZES ((int)(sizeof(SIZES) / sizeof(SIZES[0])))
static const double SPARSITY[] = {0.0, 0.5, 0.9, 1.0};

#define SENTINEL 12345.0f

/* mask helpers of the tests, written independently of the library's */
static inline int tbit(const uint64_t *w, int64_t pos) { return (int)((w[pos / 64] >> (pos % 64)) & 1); }
static inline uint64_t *rand_mask(int64_t bits, double density, size_t *words_out) {
    size_t words = (size_t)((bits + 63) / 64);
    uint64_t *w = calloc(words + 1, sizeof(uint64_t));
    for (int64_t i = 0; i < bits; i++) {
        if (rnd01() < density) w[i / 64] |= 1ull << (i % 64);
    }
    *words_out = words;
    return w;
}

#endif
