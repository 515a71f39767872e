package dev.thimble.bindings.openblas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.internal.provider.KernelProviders;
import dev.thimble.ops.GemmOps;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.SddmmOps;
import dev.thimble.ops.SpmmOps;
import dev.thimble.ops.VectorOps;
import dev.thimble.spi.ForwardingKernelProvider;
import dev.thimble.spi.KernelProvider;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import dev.thimble.testkit.Expected;
import dev.thimble.testkit.RandomTensors;
import dev.thimble.testkit.Reference;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The OpenBLAS provider on this machine: that it loads and wins the automatic choice, says which
 * OpenBLAS kernels run, computes GEMM (whole and by row ranges) like the reference, and forwards
 * what it does not implement to the fallback unchanged. The numerical battery over every kernel
 * is the shared {@code KernelEquivalenceTest} / {@code VectorOpsEquivalenceTest} from the
 * kernels-java test-jar, which surefire also runs in this module.
 */
class OpenBlasKernelsTest {
    private static KernelContext blas;
    private static KernelContext fallback;
    private static String fallbackName;

    @BeforeAll
    static void contexts() {
        // two threads and no threshold: every call is split by rows, as in the equivalence suite
        blas = KernelContext.builder().provider("openblas").threads(2).parallelThreshold(0).build();
        fallbackName = fullProviders().getFirst().name();
        fallback = KernelContext.builder().provider(fallbackName).threads(2).parallelThreshold(0).build();
    }

    @AfterAll
    static void close() {
        blas.close();
        fallback.close();
    }

    static java.util.List<KernelProvider> fullProviders() {
        return KernelProviders.discovery().available().stream()
                .filter(p -> !(p instanceof ForwardingKernelProvider)).toList();
    }

    static TensorArena arena() {
        return TensorArena.builder().name("openblas-test").leakCheck(false).build();
    }

    @Test
    void loadsAndIsTheAutomaticChoice() {
        assertTrue(OpenBlasKernels.isAvailable(), KernelContext.unavailableProviders()::toString);
        assertEquals("openblas", KernelContext.availableProviders().getFirst(),
                () -> KernelContext.availableProviders() + ", unavailable: " + KernelContext.unavailableProviders());
        assertFalse(KernelContext.unavailableProviders().containsKey("openblas"));
        KernelProvider p = KernelProviders.discovery().byName("openblas");
        assertInstanceOf(OpenBlasKernels.class, p);
        assertEquals(30, p.priority());
    }

    @Test
    void describesTheKernelsThatRun() {
        String core = OpenBlasKernels.coreName();
        assertFalse(core.isBlank());
        String description = blas.providerDescription();
        assertTrue(description.startsWith("OpenBLAS " + OpenBlasKernels.version() + " (" + core + " kernels"),
                description);
        String coreType = System.getenv("OPENBLAS_CORETYPE");
        assertTrue(description.contains("OPENBLAS_CORETYPE=" + (coreType == null ? "unset" : coreType)), description);
        assertTrue(description.endsWith("other kernels: " + fallbackName), description);
        if (coreType != null) {
            // the variable is exported on our machines and must decide the kernels (never unset here)
            assertEquals(coreType.toLowerCase(Locale.ROOT), core.toLowerCase(Locale.ROOT));
        }
        assertTrue(OpenBlasKernels.config().startsWith("OpenBLAS "), OpenBlasKernels.config());
        assertTrue(OpenBlasKernels.libraryPath().contains(".javacpp"), OpenBlasKernels.libraryPath());
        assertEquals(Integer.getInteger("thimble.openblas.threads", 1), OpenBlasKernels.threads());
        System.out.println("openblas provider: " + description + "; " + OpenBlasKernels.config());
    }

    @Test
    void describesItselfBeforeTheFallbackIsAttached() {
        String description = new OpenBlasKernels().description();
        assertTrue(description.endsWith("other kernels: the best full provider (not attached yet)"), description);
    }

    @ParameterizedTest(name = "{0}x{1}x{2} alpha={3} beta={4}")
    @CsvSource({"1,1,1,1,0", "5,3,2,1,0", "7,13,33,0.5,-1.5", "2,0,5,1,0", "3,0,4,1,2", "0,4,3,1,0", "4,3,0,1,0",
            "1023,31,3,1,0", "257,129,65,-2,0.25", "64,1,64,1,0"})
    void gemmMatchesTheReference(int m, int k, int n, float alpha, float beta) {
        try (TensorArena arena = arena()) {
            RandomTensors rnd = new RandomTensors(m * 7919L + k * 31L + n);
            DenseF32 a = rnd.dense(arena, m, k);
            DenseF32 b = rnd.dense(arena, k, n);
            // beta == 0: C is NaN and must be overwritten without being read
            DenseF32 c = beta == 0 ? arena.dense(m, n).fill(Float.NaN) : rnd.dense(arena, m, n);
            Expected want = Reference.gemm(alpha, Reference.dense(a), m, k, b.toArray(), n, beta, c.toArray());
            GemmOps.gemm(blas, alpha, a, b, beta, c);
            want.assertMatches(c.toArray(), "openblas GEMM " + m + "x" + k + "x" + n);
        }
    }

    /**
     * Two threads each compute their own rows through the provider directly (the pointer offsets
     * of A and C), and the rows outside both ranges stay as they were.
     */
    @Test
    void gemmComputesOnlyItsRowRange() throws Exception {
        int m = 37;
        int k = 19;
        int n = 23;
        KernelProvider p = KernelProviders.discovery().byName("openblas");
        try (TensorArena arena = arena()) {
            RandomTensors rnd = new RandomTensors(42);
            DenseF32 a = rnd.dense(arena, m, k);
            DenseF32 b = rnd.dense(arena, k, n);
            DenseF32 c = arena.dense(m, n).fill(Float.NaN);
            Expected full = Reference.gemm(1f, Reference.dense(a), m, k, b.toArray(), n, 0f, null);
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> p.gemm(1f, a, b, 0f, c, 20, 33));
            p.gemm(1f, a, b, 0f, c, 3, 20);
            other.get();
            float[] got = c.toArray();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float v = got[i * n + j];
                    if (i >= 3 && i < 33) {
                        double err = Math.abs(v - full.values()[i * n + j]);
                        assertTrue(err <= full.bounds()[i * n + j], "(" + i + ", " + j + ") = " + v);
                    } else {
                        assertTrue(Float.isNaN(v), "row " + i + " outside the ranges was written");
                    }
                }
            }
        }
    }

    /** With alpha = 0 the result must still follow 0·(A·B) + β·C as the other providers compute it. */
    @Test
    void alphaZeroKeepsTheFallbacksSemantics() {
        try (TensorArena arena = arena()) {
            RandomTensors rnd = new RandomTensors(7);
            DenseF32 a = rnd.dense(arena, 6, 5);
            a.set(2, 3, Float.POSITIVE_INFINITY);
            DenseF32 b = rnd.dense(arena, 5, 4);
            DenseF32 c1 = rnd.dense(arena, 6, 4);
            DenseF32 c2 = arena.copyOf(c1);
            GemmOps.gemm(blas, 0f, a, b, 0.5f, c1);
            GemmOps.gemm(fallback, 0f, a, b, 0.5f, c2);
            assertArrayEquals(c2.toArray(), c1.toArray());

            DenseF32 x = rnd.dense(arena, 9);
            x.set(1, Float.NaN);
            x.set(4, Float.NEGATIVE_INFINITY);
            DenseF32 y1 = rnd.dense(arena, 9);
            DenseF32 y2 = arena.copyOf(y1);
            VectorOps.axpy(blas, 0f, x, y1);
            VectorOps.axpy(fallback, 0f, x, y2);
            assertArrayEquals(y2.toArray(), y1.toArray());
            DenseF32 x2 = arena.copyOf(x);
            VectorOps.scale(blas, 0f, x);
            VectorOps.scale(fallback, 0f, x2);
            assertArrayEquals(x2.toArray(), x.toArray());
        }
    }

    @Test
    void blasOneMatchesTheReference() {
        try (TensorArena arena = arena()) {
            RandomTensors rnd = new RandomTensors(11);
            int n = 10_007;
            DenseF32 x = rnd.dense(arena, n);
            DenseF32 y = rnd.dense(arena, n);
            float[] xs = x.toArray();
            float[] ys = y.toArray();
            double dot = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                dot += (double) xs[i] * ys[i];
                sq += (double) xs[i] * xs[i];
            }
            // dsdot accumulates in double: far tighter than a float sum of 10⁴ terms
            assertEquals(dot, VectorOps.dot(blas, x, y), 1e-9 * n);
            assertEquals(Math.sqrt(sq), VectorOps.norm2(blas, x), 1e-9 * n);
            VectorOps.axpy(blas, -0.75f, x, y);
            VectorOps.scale(blas, 3f, y);
            for (int i = 0; i < n; i++) {
                assertEquals(3.0 * (ys[i] - 0.75 * xs[i]), y.get(i), 1e-5);
            }
        }
    }

    /** Kernels OpenBLAS does not implement run on the fallback: bit-identical results. */
    @Test
    void sparseKernelsAreForwarded() {
        KernelProvider p = KernelProviders.discovery().byName("openblas");
        assertNotEquals(fallbackName, p.name());
        try (TensorArena arena = arena()) {
            RandomTensors rnd = new RandomTensors(3);
            int m = 67;
            int k = 45;
            int n = 29;
            CsrF32 a = rnd.csr(arena, m, k, 0.9);
            DenseF32 b = rnd.dense(arena, k, n);
            DenseF32 c1 = arena.dense(m, n).fill(Float.NaN);
            DenseF32 c2 = arena.dense(m, n).fill(Float.NaN);
            SpmmOps.csr(blas, 1.5f, a, b, 0f, c1);
            SpmmOps.csr(fallback, 1.5f, a, b, 0f, c2);
            assertArrayEquals(c2.toArray(), c1.toArray(), "spmmCsr");

            DenseF32 x = rnd.dense(arena, m, k);
            DenseF32 yt = rnd.dense(arena, n, k);
            CsrF32 pattern = rnd.csr(arena, m, n, 0.8);
            CsrF32 out2 = arena.csrLike(pattern);
            SddmmOps.sample(blas, 1f, x, yt, 0f, pattern);
            SddmmOps.sample(fallback, 1f, x, yt, 0f, out2);
            assertArrayEquals(out2.valuesArray(), pattern.valuesArray(), "sddmm");

            DenseF32 bb = rnd.dense(arena, k, n);
            BitMask mask = rnd.mask(arena, 0.3, m, n);
            DenseF32 d1 = rnd.dense(arena, m, n);
            DenseF32 d2 = arena.copyOf(d1);
            SddmmOps.maskedGemm(blas, 1f, x, bb, mask, 0.5f, d1);
            SddmmOps.maskedGemm(fallback, 1f, x, bb, mask, 0.5f, d2);
            assertArrayEquals(d2.toArray(), d1.toArray(), "maskedGemm");

            DenseF32 v = rnd.dense(arena, 1000);
            assertEquals(VectorOps.normInf(fallback, v), VectorOps.normInf(blas, v), "normInf");
        }
    }
}
