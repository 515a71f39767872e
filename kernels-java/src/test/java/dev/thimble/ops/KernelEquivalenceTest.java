package dev.thimble.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import dev.thimble.testkit.Expected;
import dev.thimble.testkit.RandomTensors;
import dev.thimble.testkit.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every matrix kernel of every available provider against the double-accumulating reference, on
 * awkward shapes (loop tails, one row, one column, inner size 1) and sparsities 0 to 1, with
 * outputs pre-filled with NaN when β = 0 so that an unwritten element fails. Contexts use two
 * threads with no parallel threshold, so row splitting is exercised too.
 */
class KernelEquivalenceTest {
    static final int[][] SHAPES = {{1, 1, 1}, {7, 13, 33}, {13, 207, 7}, {33, 1, 13}, {207, 33, 17},
            {64, 128, 64}, {1023, 31, 3}, {40, 300, 45}};
    static final double[] SPARSITIES = {0, 0.5, 0.9, 0.99, 1};
    /** (alpha, beta) pairs: plain product into a NaN-filled output, and a scaled accumulate. */
    static final float[][] SCALINGS = {{1f, 0f}, {0.5f, -1.5f}};

    private static final Map<String, KernelContext> CONTEXTS = new ConcurrentHashMap<>();

    static KernelContext ctx(String provider) {
        return CONTEXTS.computeIfAbsent(provider,
                p -> KernelContext.builder().provider(p).threads(2).parallelThreshold(0).build());
    }

    @AfterAll
    static void closeContexts() {
        CONTEXTS.values().forEach(KernelContext::close);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String p : KernelContext.availableProviders()) {
            for (int[] s : SHAPES) {
                for (double sp : SPARSITIES) {
                    out.add(Arguments.of(p, s[0], s[1], s[2], sp));
                }
            }
        }
        return out.stream();
    }

    static TensorArena arena() {
        return TensorArena.builder().name("equivalence").leakCheck(false).build();
    }

    /** The output of a kernel: NaN where beta is 0 (must be overwritten), random otherwise. */
    static DenseF32 output(TensorArena arena, RandomTensors rnd, float beta, int... shape) {
        return beta == 0 ? arena.dense(shape).fill(Float.NaN) : rnd.dense(arena, shape);
    }

    @Test
    void theBuiltInProvidersAreAvailable() {
        assertTrue(KernelContext.availableProviders().contains("scalar"), KernelContext.unavailableProviders()::toString);
        assertTrue(KernelContext.availableProviders().contains("panama"), KernelContext.unavailableProviders()::toString);
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} sparsity {4}")
    @MethodSource("cases")
    void spmmCsr(String provider, int m, int k, int n, double sparsity) {
        for (float[] ab : SCALINGS) {
            try (TensorArena arena = arena()) {
                RandomTensors rnd = new RandomTensors(m * 31L + k * 7L + n);
                CsrF32 a = rnd.csr(arena, m, k, sparsity);
                DenseF32 b = rnd.dense(arena, k, n);
                DenseF32 c = output(arena, rnd, ab[1], m, n);
                Expected want = Reference.gemm(ab[0], Reference.dense(a), m, k, b.toArray(), n, ab[1], c.toArray());
                long allocations = arena.totalAllocations();
                SpmmOps.csr(ctx(provider), ab[0], a, b, ab[1], c);
                assertEquals(allocations, arena.totalAllocations(), "kernels must not allocate");
                want.assertMatches(c.toArray(), provider + " spmmCsr alpha=" + ab[0] + " beta=" + ab[1]);
            }
        }
    }

    /**
     * B larger than L2, so kernels that cut B's rows into slices kept in cache take that path: B of
     * 2 MiB (2 slices; 67 rows, fewer than a row group), and B of 2.1 MB with two column tiles (3
     * slices; 131 rows, a full row group and a short one).
     */
    @ParameterizedTest(name = "{0} {1}x{2}x{3} sparsity {4}")
    @MethodSource("largeBCases")
    void spmmCsrWithBLargerThanL2(String provider, int m, int k, int n, double sparsity) {
        for (float[] ab : SCALINGS) {
            try (TensorArena arena = arena()) {
                RandomTensors rnd = new RandomTensors(k + n);
                CsrF32 a = rnd.csr(arena, m, k, sparsity);
                DenseF32 b = rnd.dense(arena, k, n);
                DenseF32 c = output(arena, rnd, ab[1], m, n);
                Expected want = Reference.gemm(ab[0], Reference.dense(a), m, k, b.toArray(), n, ab[1], c.toArray());
                SpmmOps.csr(ctx(provider), ab[0], a, b, ab[1], c);
                want.assertMatches(c.toArray(), provider + " spmmCsr, B of " + (4L * k * n) + " bytes, beta=" + ab[1]);
            }
        }
    }

    static Stream<Arguments> largeBCases() {
        return providers().flatMap(p -> Stream.of(Arguments.of(p, 67, 4096, 128, 0.9),
                Arguments.of(p, 131, 2100, 256, 0.7)));
    }

    /**
     * B of 2 MiB where every row keeps its non-zeros in one half of K (even rows the first, odd rows
     * the second) and the last row has a single non-zero at the last column: a sliced kernel must
     * carry rows through slices where they have nothing to add.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void spmmCsrWithRowsConfinedToOneSliceOfK(String provider) {
        int m = 130, k = 4096, n = 128;
        SplittableRandom split = new SplittableRandom(7);
        int[] rowPtr = new int[m + 1];
        int[] cols = new int[m * k / 2];
        float[] vals = new float[cols.length];
        int nnz = 0;
        for (int i = 0; i < m; i++) {
            int from = i % 2 == 0 ? 0 : k / 2;
            for (int col = from; col < from + k / 2; col++) {
                if (i == m - 1 ? col == k - 1 : split.nextDouble() < 0.4) {
                    cols[nnz] = col;
                    vals[nnz++] = (float) split.nextDouble(-1, 1);
                }
            }
            rowPtr[i + 1] = nnz;
        }
        try (TensorArena arena = arena()) {
            RandomTensors rnd = new RandomTensors(11);
            CsrF32 a = arena.csr(m, k, rowPtr, Arrays.copyOf(cols, nnz), Arrays.copyOf(vals, nnz));
            DenseF32 b = rnd.dense(arena, k, n);
            DenseF32 c = output(arena, rnd, 0f, m, n);
            Expected want = Reference.gemm(0.5f, Reference.dense(a), m, k, b.toArray(), n, 0f, c.toArray());
            SpmmOps.csr(ctx(provider), 0.5f, a, b, 0f, c);
            want.assertMatches(c.toArray(), provider + " spmmCsr, rows confined to one half of K");
        }
    }

    static Stream<String> providers() {
        return KernelContext.availableProviders().stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} sparsity {4}")
    @MethodSource("cases")
    void spmmBsr(String provider, int m, int k, int n, double sparsity) {
        for (int blockSize : new int[] {4, 8, 16}) {
            for (float[] ab : SCALINGS) {
                try (TensorArena arena = arena()) {
                    RandomTensors rnd = new RandomTensors(m * 31L + k * 7L + n + blockSize);
                    BsrF32 a = rnd.bsr(arena, m, k, blockSize, sparsity);
                    DenseF32 b = rnd.dense(arena, k, n);
                    DenseF32 c = output(arena, rnd, ab[1], m, n);
                    Expected want = Reference.gemm(ab[0], Reference.dense(a), m, k, b.toArray(), n, ab[1],
                            c.toArray());
                    SpmmOps.bsr(ctx(provider), ab[0], a, b, ab[1], c);
                    want.assertMatches(c.toArray(), provider + " spmmBsr b=" + blockSize + " beta=" + ab[1]);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} sparsity {4}")
    @MethodSource("cases")
    void denseTimesSparseTransposed(String provider, int m, int k, int n, double sparsity) {
        for (float[] ab : SCALINGS) {
            try (TensorArena arena = arena()) {
                RandomTensors rnd = new RandomTensors(m * 131L + k * 17L + n);
                DenseF32 x = rnd.dense(arena, m, k);
                CsrF32 w = rnd.csr(arena, n, k, sparsity);
                DenseF32 y = output(arena, rnd, ab[1], m, n);
                float[] wt = toFloat(Reference.transpose(Reference.dense(w), n, k));
                Expected want = Reference.gemm(ab[0], Reference.dense(x), m, k, wt, n, ab[1], y.toArray());
                SpmmOps.denseTimesSparseT(ctx(provider), ab[0], x, w, ab[1], y);
                want.assertMatches(y.toArray(), provider + " X·Wᵀ beta=" + ab[1]);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} sparsity {4}")
    @MethodSource("cases")
    void denseTimesSparse(String provider, int m, int k, int n, double sparsity) {
        for (float[] ab : SCALINGS) {
            try (TensorArena arena = arena()) {
                RandomTensors rnd = new RandomTensors(m * 37L + k * 19L + n);
                DenseF32 g = rnd.dense(arena, m, n);
                CsrF32 w = rnd.csr(arena, n, k, sparsity);
                DenseF32 d = output(arena, rnd, ab[1], m, k);
                Expected want = Reference.gemm(ab[0], Reference.dense(g), m, n, toFloat(Reference.dense(w)), k,
                        ab[1], d.toArray());
                SpmmOps.denseTimesSparse(ctx(provider), ab[0], g, w, ab[1], d);
                want.assertMatches(d.toArray(), provider + " G·W beta=" + ab[1]);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} sparsity {4}")
    @MethodSource("cases")
    void sddmm(String provider, int m, int d, int n, double sparsity) {
        for (float[] ab : SCALINGS) {
            try (TensorArena arena = arena()) {
                RandomTensors rnd = new RandomTensors(m * 41L + d * 23L + n);
                DenseF32 x = rnd.dense(arena, m, d);
                DenseF32 y = rnd.dense(arena, n, d);
                CsrF32 out = rnd.csr(arena, m, n, sparsity);
                if (ab[1] == 0) {
                    out.values().fill(Float.NaN);
                }
                Expected want = Reference.sampled(ab[0], x.toArray(), m, d, Reference.transpose(y.toArray(), n, d), n,
                        out, ab[1], out.valuesArray());
                SddmmOps.sample(ctx(provider), ab[0], x, y, ab[1], out);
                want.assertMatches(out.valuesArray(), provider + " SDDMM beta=" + ab[1]);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} sparsity {4}")
    @MethodSource("cases")
    void sddmmTransposed(String provider, int m, int d, int n, double sparsity) {
        for (float[] ab : SCALINGS) {
            try (TensorArena arena = arena()) {
                RandomTensors rnd = new RandomTensors(m * 43L + d * 29L + n);
                DenseF32 x = rnd.dense(arena, d, m);
                DenseF32 y = rnd.dense(arena, d, n);
                CsrF32 out = rnd.csr(arena, m, n, sparsity);
                if (ab[1] == 0) {
                    out.values().fill(Float.NaN);
                }
                Expected want = Reference.sampled(ab[0], Reference.transpose(x.toArray(), d, m), m, d, y.toArray(), n,
                        out, ab[1], out.valuesArray());
                SddmmOps.sampleTransposed(ctx(provider), ab[0], x, y, ab[1], out);
                want.assertMatches(out.valuesArray(), provider + " SDDMM-T beta=" + ab[1]);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} sparsity {4}")
    @MethodSource("cases")
    void maskedGemm(String provider, int m, int k, int n, double sparsity) {
        for (float[] ab : SCALINGS) {
            try (TensorArena arena = arena()) {
                RandomTensors rnd = new RandomTensors(m * 47L + k * 31L + n);
                DenseF32 a = rnd.dense(arena, m, k);
                DenseF32 b = rnd.dense(arena, k, n);
                // a mask view that starts at bit 5 of its words, as per-layer masks of a flat mask do
                BitMask mask = rnd.mask(arena, 1 - sparsity, m * n + 5).view(5, m, n);
                DenseF32 c = output(arena, rnd, ab[1], m, n);
                Expected want = Reference.maskedGemm(ab[0], a.toArray(), m, k, b.toArray(), n, mask, ab[1],
                        c.toArray());
                SddmmOps.maskedGemm(ctx(provider), ab[0], a, b, mask, ab[1], c);
                want.assertMatches(c.toArray(), provider + " masked GEMM beta=" + ab[1]);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} sparsity {4}")
    @MethodSource("cases")
    void gemm(String provider, int m, int k, int n, double sparsity) {
        float[] ab = SCALINGS[sparsity < 0.5 ? 0 : 1];
        try (TensorArena arena = arena()) {
            RandomTensors rnd = new RandomTensors(m * 53L + k * 37L + n);
            DenseF32 a = rnd.dense(arena, m, k);
            DenseF32 b = rnd.dense(arena, k, n);
            DenseF32 c = output(arena, rnd, ab[1], m, n);
            Expected want = Reference.gemm(ab[0], Reference.dense(a), m, k, b.toArray(), n, ab[1], c.toArray());
            GemmOps.gemm(ctx(provider), ab[0], a, b, ab[1], c);
            want.assertMatches(c.toArray(), provider + " GEMM beta=" + ab[1]);
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} sparsity {4}")
    @MethodSource("cases")
    void gemmTransposed(String provider, int m, int k, int n, double sparsity) {
        float[] ab = SCALINGS[sparsity < 0.5 ? 0 : 1];
        try (TensorArena arena = arena()) {
            RandomTensors rnd = new RandomTensors(m * 59L + k * 41L + n);
            DenseF32 a = rnd.dense(arena, m, k);
            DenseF32 bt = rnd.dense(arena, n, k);
            DenseF32 c = output(arena, rnd, ab[1], m, n);
            float[] b = Reference.transpose(bt.toArray(), n, k);
            Expected want = Reference.gemm(ab[0], Reference.dense(a), m, k, b, n, ab[1], c.toArray());
            GemmOps.gemmTransB(ctx(provider), ab[0], a, bt, ab[1], c);
            want.assertMatches(c.toArray(), provider + " GEMM A·Bᵀ beta=" + ab[1]);

            DenseF32 at = rnd.dense(arena, k, m);
            DenseF32 b2 = rnd.dense(arena, k, n);
            DenseF32 c2 = output(arena, rnd, ab[1], m, n);
            Expected want2 = Reference.gemm(ab[0], Reference.transpose(Reference.dense(at), k, m), m, k, b2.toArray(),
                    n, ab[1], c2.toArray());
            GemmOps.gemmTransA(ctx(provider), ab[0], at, b2, ab[1], c2);
            want2.assertMatches(c2.toArray(), provider + " GEMM Aᵀ·B beta=" + ab[1]);
        }
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
