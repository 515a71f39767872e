package dev.thimble.internal.panama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.thimble.internal.scalar.ScalarKernels;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Compares every {@link PanamaKernels} method with {@link ScalarKernels} on awkward sizes: widths
 * below, at and across the lane count and the 4- and 8-vector tiles (1, 7, 13, 33, 64, 128, 207),
 * empty rows, sparsity 0 and 1, zero-sized shapes, NaN-prefilled outputs with beta = 0, beta ≠ 0,
 * row ranges split in two, and masks starting at bit offset 3.
 *
 * <p><b>Tolerance.</b> Each output is a sum of {@code k} terms (plus the {@code beta·old} term). The
 * two providers add them in different orders (and Panama fuses multiply-adds), so each has a
 * rounding error of at most {@code k·u·Σ|terms|} (u = 2⁻²⁴), and, with errors that behave like a
 * random walk, typically {@code sqrt(k)·u·Σ|terms|}. Their difference is bounded by the sum of both;
 * we allow {@code 8·ulp(1f)·sqrt(k + 2)·Σ|terms|} = {@code 16u·sqrt(k + 2)·Σ|terms|} (the +2 covers
 * the alpha/beta scalings), plus {@code Float.MIN_NORMAL} for results that are exactly 0. Σ|terms|
 * is computed per output by running the scalar kernel on the absolute values of every operand.
 */
class PanamaKernelsSmokeTest {
    private static final int[] WIDTHS = {1, 7, 13, 33, 64, 128, 207};
    private static final int[] SMALL = {1, 7, 13, 33, 207};
    private static final float[] DENSITIES = {0f, 0.3f, 1f};

    private final ScalarKernels ref = new ScalarKernels();
    private final PanamaKernels vec = new PanamaKernels();
    private final Random rnd = new Random(20250101);
    private TensorArena arena;

    @BeforeEach
    void open() {
        arena = TensorArena.builder().name("panama-smoke").leakCheck(false).build();
    }

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void describesItself() {
        assertEquals("panama", vec.name());
        assertEquals(10, vec.priority());
        assertTrue(vec.description().startsWith("Vector API, "), vec.description());
    }

    // ------------------------------------------------------------------ SpMM

    @Test
    void spmmCsr() {
        int m = 11, k = 19;
        for (int n : WIDTHS) {
            for (float density : DENSITIES) {
                CsrF32 a = csr(m, k, density);
                DenseF32 b = dense(k, n);
                for (float beta : new float[] {0f, 0.5f}) {
                    DenseF32 c = out(m, n, beta);
                    String what = "spmmCsr n=" + n + " density=" + density + " beta=" + beta;
                    DenseF32 expected = arena.copyOf(c), actual = arena.copyOf(c), bound = abs(c);
                    ref.spmmCsr(1.5f, a, b, beta, expected, 0, m);
                    vec.spmmCsr(1.5f, a, b, beta, actual, 0, 5);
                    vec.spmmCsr(1.5f, a, b, beta, actual, 5, m);
                    ref.spmmCsr(1.5f, abs(a), abs(b), Math.abs(beta), bound, 0, m);
                    assertClose(what, expected, actual, bound, k);
                }
            }
        }
    }

    @Test
    void spmmBsr() {
        int m = 13, k = 10; // both leave padded edge blocks for every block size
        for (int bsz : new int[] {4, 8, 16}) {
            for (int n : WIDTHS) {
                for (float density : DENSITIES) {
                    BsrF32 a = bsr(m, k, bsz, density);
                    DenseF32 b = dense(k, n);
                    for (float beta : new float[] {0f, -0.75f}) {
                        DenseF32 c = out(m, n, beta);
                        String what = "spmmBsr b=" + bsz + " n=" + n + " density=" + density + " beta=" + beta;
                        DenseF32 expected = arena.copyOf(c), actual = arena.copyOf(c), bound = abs(c);
                        ref.spmmBsr(2f, a, b, beta, expected, 0, a.blockRows());
                        vec.spmmBsr(2f, a, b, beta, actual, 0, 1);
                        vec.spmmBsr(2f, a, b, beta, actual, 1, a.blockRows());
                        ref.spmmBsr(2f, abs(a), abs(b), Math.abs(beta), bound, 0, a.blockRows());
                        assertClose(what, expected, actual, bound, k);
                    }
                }
            }
        }
    }

    @Test
    void denseTimesCsrT() {
        int m = 7; // one block of 4 rows and 3 leftovers
        for (int k : SMALL) {
            for (int n : new int[] {1, 9}) {
                for (float density : DENSITIES) {
                    DenseF32 x = dense(m, k);
                    CsrF32 w = csr(n, k, density);
                    for (float beta : new float[] {0f, 0.5f}) {
                        DenseF32 y = out(m, n, beta);
                        String what = "denseTimesCsrT k=" + k + " n=" + n + " density=" + density + " beta=" + beta;
                        DenseF32 expected = arena.copyOf(y), actual = arena.copyOf(y), bound = abs(y);
                        ref.denseTimesCsrT(1.25f, x, w, beta, expected, 0, m);
                        vec.denseTimesCsrT(1.25f, x, w, beta, actual, 0, 2);
                        vec.denseTimesCsrT(1.25f, x, w, beta, actual, 2, m);
                        ref.denseTimesCsrT(1.25f, abs(x), abs(w), Math.abs(beta), bound, 0, m);
                        assertClose(what, expected, actual, bound, k);
                    }
                }
            }
        }
    }

    @Test
    void denseTimesCsr() {
        int m = 6;
        for (int k : SMALL) {
            for (int n : new int[] {1, 9}) {
                for (float density : DENSITIES) {
                    DenseF32 g = dense(m, n);
                    CsrF32 w = csr(n, k, density);
                    for (float beta : new float[] {0f, 0.5f}) {
                        DenseF32 d = out(m, k, beta);
                        String what = "denseTimesCsr k=" + k + " n=" + n + " density=" + density + " beta=" + beta;
                        DenseF32 expected = arena.copyOf(d), actual = arena.copyOf(d), bound = abs(d);
                        ref.denseTimesCsr(0.5f, g, w, beta, expected, 0, m);
                        vec.denseTimesCsr(0.5f, g, w, beta, actual, 0, 5);
                        vec.denseTimesCsr(0.5f, g, w, beta, actual, 5, m);
                        ref.denseTimesCsr(0.5f, abs(g), abs(w), Math.abs(beta), bound, 0, m);
                        assertClose(what, expected, actual, bound, n);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ SDDMM

    @Test
    void sddmm() {
        int m = 9, n = 21;
        for (int d : WIDTHS) {
            for (float density : DENSITIES) {
                DenseF32 x = dense(m, d), y = dense(n, d);
                CsrF32 pattern = csr(m, n, density);
                for (float beta : new float[] {0f, 0.5f}) {
                    String what = "sddmm d=" + d + " density=" + density + " beta=" + beta;
                    CsrF32 expected = pattern(pattern, beta), actual = copy(expected), bound = abs(expected);
                    ref.sddmm(1.5f, x, y, beta, expected, 0, m);
                    vec.sddmm(1.5f, x, y, beta, actual, 0, 4);
                    vec.sddmm(1.5f, x, y, beta, actual, 4, m);
                    ref.sddmm(1.5f, abs(x), abs(y), Math.abs(beta), bound, 0, m);
                    assertClose(what, expected.valuesArray(), actual.valuesArray(), bound.valuesArray(), d);
                }
            }
        }
    }

    @Test
    void sddmmTransposed() {
        int m = 9, n = 23; // dense rows of 23 entries: groups of 8, 8, 4 and 3 single entries
        for (int d : SMALL) {
            for (float density : DENSITIES) {
                DenseF32 x = dense(d, m), y = dense(d, n);
                CsrF32 pattern = csr(m, n, density);
                for (float beta : new float[] {0f, 2f}) {
                    String what = "sddmmTransposed d=" + d + " density=" + density + " beta=" + beta;
                    CsrF32 expected = pattern(pattern, beta), actual = copy(expected), bound = abs(expected);
                    ref.sddmmTransposed(-1f, x, y, beta, expected, 0, m);
                    vec.sddmmTransposed(-1f, x, y, beta, actual, 0, 3);
                    vec.sddmmTransposed(-1f, x, y, beta, actual, 3, m);
                    ref.sddmmTransposed(1f, abs(x), abs(y), Math.abs(beta), bound, 0, m);
                    assertClose(what, expected.valuesArray(), actual.valuesArray(), bound.valuesArray(), d);
                }
            }
        }
    }

    // ------------------------------------------------------------------ dense

    @Test
    void gemmAndMaskedGemm() {
        int m = 5;
        for (int k : new int[] {1, 7, 33}) {
            for (int n : WIDTHS) {
                DenseF32 a = dense(m, k), b = dense(k, n);
                for (float beta : new float[] {0f, 0.5f}) {
                    DenseF32 c = out(m, n, beta);
                    String what = "gemm k=" + k + " n=" + n + " beta=" + beta;
                    DenseF32 expected = arena.copyOf(c), actual = arena.copyOf(c), bound = abs(c);
                    ref.gemm(1.5f, a, b, beta, expected, 0, m);
                    vec.gemm(1.5f, a, b, beta, actual, 0, 2);
                    vec.gemm(1.5f, a, b, beta, actual, 2, m);
                    ref.gemm(1.5f, abs(a), abs(b), Math.abs(beta), bound, 0, m);
                    assertClose(what, expected, actual, bound, k);
                    for (float density : DENSITIES) {
                        BitMask mask = mask(m * n, density).reshape(m, n);
                        String mw = "maskedGemm k=" + k + " n=" + n + " density=" + density + " beta=" + beta;
                        expected = arena.copyOf(c);
                        actual = arena.copyOf(c);
                        bound = abs(c);
                        ref.maskedGemm(1.5f, a, b, mask, beta, expected, 0, m);
                        vec.maskedGemm(1.5f, a, b, mask, beta, actual, 0, 3);
                        vec.maskedGemm(1.5f, a, b, mask, beta, actual, 3, m);
                        ref.maskedGemm(1.5f, abs(a), abs(b), mask, Math.abs(beta), bound, 0, m);
                        assertClose(mw, expected, actual, bound, k);
                    }
                }
            }
        }
    }

    @Test
    void maskedGemmIgnoresNanAtUnsetPositions() {
        int m = 3, k = 5, n = 40;
        DenseF32 a = dense(m, k), b = dense(k, n);
        BitMask mask = mask(m * n, 0.5f).reshape(m, n);
        for (int j = 0; j < n; j++) {
            if (!mask.get(j)) {
                b.set(0, j, Float.NaN); // feeds column j of every row; row 0 is checked
            }
        }
        DenseF32 c = out(m, n, 0f);
        vec.maskedGemm(1f, a, b, mask, 0f, c, 0, 1);
        for (int j = 0; j < n; j++) {
            if (!mask.get(j)) {
                assertEquals(0f, c.get(0, j), "unset entry (0," + j + ")");
            }
        }
    }

    @Test
    void zeroSizedShapes() {
        for (int[] mkn : new int[][] {{0, 3, 5}, {4, 0, 5}, {4, 3, 0}, {0, 0, 0}}) {
            int m = mkn[0], k = mkn[1], n = mkn[2];
            CsrF32 a = csr(m, k, 0.5f);
            DenseF32 b = dense(k, n), ad = dense(m, k);
            for (float beta : new float[] {0f, 0.5f}) {
                DenseF32 c = out(m, n, beta);
                DenseF32 e = arena.copyOf(c), v = arena.copyOf(c);
                ref.spmmCsr(1f, a, b, beta, e, 0, m);
                vec.spmmCsr(1f, a, b, beta, v, 0, m);
                assertTrue(e.contentEquals(v), "spmmCsr " + m + "x" + k + "x" + n);
                e = arena.copyOf(c);
                v = arena.copyOf(c);
                ref.gemm(1f, ad, b, beta, e, 0, m);
                vec.gemm(1f, ad, b, beta, v, 0, m);
                assertTrue(e.contentEquals(v), "gemm " + m + "x" + k + "x" + n);
                BitMask mask = mask(m * n, 0.5f).reshape(m, n);
                e = arena.copyOf(c);
                v = arena.copyOf(c);
                ref.maskedGemm(1f, ad, b, mask, beta, e, 0, m);
                vec.maskedGemm(1f, ad, b, mask, beta, v, 0, m);
                assertTrue(e.contentEquals(v), "maskedGemm " + m + "x" + k + "x" + n);
                BsrF32 ab = bsr(m, k, 4, 0.5f);
                e = arena.copyOf(c);
                v = arena.copyOf(c);
                ref.spmmBsr(1f, ab, b, beta, e, 0, ab.blockRows());
                vec.spmmBsr(1f, ab, b, beta, v, 0, ab.blockRows());
                assertTrue(e.contentEquals(v), "spmmBsr " + m + "x" + k + "x" + n);
            }
        }
    }

    // ------------------------------------------------------------------ element-wise

    private static final int[] LENGTHS = {0, 1, 7, 13, 33, 207, 1000, 5000};

    @Test
    void axpyScaleAndMasks() {
        for (int n : LENGTHS) {
            DenseF32 x = dense(n), y = dense(n);
            BitMask mask = mask(n, 0.5f);
            DenseF32 e = arena.copyOf(y), v = arena.copyOf(y);
            ref.axpy(-0.5f, x, e);
            vec.axpy(-0.5f, x, v);
            assertTrue(e.contentEquals(v), "axpy n=" + n);
            ref.maskedAxpy(3f, x, mask, e);
            vec.maskedAxpy(3f, x, mask, v);
            assertTrue(e.contentEquals(v), "maskedAxpy n=" + n);
            ref.scale(0.3f, e);
            vec.scale(0.3f, v);
            assertTrue(e.contentEquals(v), "scale n=" + n);
            ref.applyMask(e, mask);
            vec.applyMask(v, mask);
            assertTrue(e.contentEquals(v), "applyMask n=" + n);
        }
    }

    @Test
    void weightedSum() {
        for (int n : LENGTHS) {
            for (int inputs : new int[] {0, 1, 3}) {
                DenseF32[] xs = new DenseF32[inputs];
                DenseF32[] absXs = new DenseF32[inputs];
                float[] w = new float[inputs];
                float[] absW = new float[inputs];
                for (int q = 0; q < inputs; q++) {
                    xs[q] = dense(n);
                    absXs[q] = abs(xs[q]);
                    w[q] = rnd.nextFloat() * 2 - 1;
                    absW[q] = Math.abs(w[q]);
                }
                DenseF32 e = out(n, 0f), v = out(n, 0f), bound = dense(n);
                ref.weightedSum(w, xs, e);
                vec.weightedSum(w, xs, v);
                ref.weightedSum(absW, absXs, bound);
                assertClose("weightedSum n=" + n + " inputs=" + inputs, e, v, bound, inputs);
            }
        }
    }

    @Test
    void reductions() {
        for (int n : LENGTHS) {
            DenseF32 x = dense(n), y = dense(n);
            BitMask mask = mask(n, 0.5f);
            // dot: scalar accumulates in double; Panama's float blocks err by ~22u·Σ|x·y| (see dot)
            double absDot = ref.dot(abs(x), abs(y));
            double tol = 8 * Math.ulp(1f) * Math.sqrt(n + 2) * absDot + Float.MIN_NORMAL;
            assertEquals(ref.dot(x, y), vec.dot(x, y), tol, "dot n=" + n);
            double sq = ref.dot(x, x);
            assertEquals(ref.norm2(x), vec.norm2(x), 8 * Math.ulp(1f) * Math.sqrt(n + 2) * Math.sqrt(sq)
                    + Float.MIN_NORMAL, "norm2 n=" + n);
            assertEquals(ref.maskedNorm2(x, mask), vec.maskedNorm2(x, mask),
                    8 * Math.ulp(1f) * Math.sqrt(n + 2) * Math.sqrt(sq) + Float.MIN_NORMAL, "maskedNorm2 n=" + n);
            assertEquals(ref.normInf(x), vec.normInf(x), "normInf n=" + n);
            assertEquals(ref.maskedNormInf(x, mask), vec.maskedNormInf(x, mask), "maskedNormInf n=" + n);
        }
    }

    @Test
    void reductionsPropagateNanAndSurviveExtremeMagnitudes() {
        for (int n : new int[] {1, 7, 33, 1000, 5000}) {
            DenseF32 x = dense(n);
            x.set(n / 2, Float.NaN);
            assertTrue(Float.isNaN(vec.normInf(x)), "normInf NaN n=" + n);
            assertTrue(Double.isNaN(vec.norm2(x)), "norm2 NaN n=" + n);
            assertTrue(Double.isNaN(vec.dot(x, dense(n))), "dot NaN n=" + n);
            BitMask all = mask(n, 1f);
            assertTrue(Float.isNaN(vec.maskedNormInf(x, all)), "maskedNormInf NaN n=" + n);
            BitMask none = mask(n, 0f);
            assertEquals(0f, vec.maskedNormInf(x, none), "maskedNormInf of nothing n=" + n);
            assertEquals(0.0, vec.maskedNorm2(x, none), "maskedNorm2 of nothing n=" + n);
            for (float scale : new float[] {1e-30f, 1e30f}) {
                DenseF32 t = dense(n);
                vec.scale(scale, t);
                double r = ref.norm2(t), p = vec.norm2(t);
                assertTrue(Double.isFinite(p) && Math.abs(r - p) <= 1e-5 * r, "norm2 x" + scale + " n=" + n + ": "
                        + r + " vs " + p);
                double rd = ref.dot(t, t), pd = vec.dot(t, t);
                assertTrue(Math.abs(rd - pd) <= 1e-5 * rd, "dot x" + scale + " n=" + n + ": " + rd + " vs " + pd);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Uniform values in [-1, 1). */
    private DenseF32 dense(int... shape) {
        DenseF32 t = arena.dense(shape);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, rnd.nextFloat() * 2 - 1);
        }
        return t;
    }

    /** An output: NaN when beta is 0 (it must not be read), random otherwise. */
    private DenseF32 out(int rows, int cols, float beta) {
        return beta == 0f ? arena.dense(rows, cols).fill(Float.NaN) : dense(rows, cols);
    }

    private DenseF32 out(int n, float beta) {
        return beta == 0f ? arena.dense(n).fill(Float.NaN) : dense(n);
    }

    private DenseF32 abs(DenseF32 t) {
        DenseF32 r = arena.copyOf(t);
        for (long i = 0; i < r.size(); i++) {
            r.set(i, Math.abs(r.get(i)));
        }
        return r;
    }

    /** Every third row is empty; the others keep each entry with probability {@code density}. */
    private CsrF32 csr(int rows, int cols, float density) {
        int[] rowPtr = new int[rows + 1];
        List<Integer> idx = new ArrayList<>();
        List<Float> val = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            boolean empty = density > 0f && density < 1f && r % 3 == 1;
            for (int c = 0; c < cols && !empty; c++) {
                if (density >= 1f || rnd.nextFloat() < density) {
                    idx.add(c);
                    val.add(rnd.nextFloat() * 2 - 1);
                }
            }
            rowPtr[r + 1] = idx.size();
        }
        int[] colIdx = idx.stream().mapToInt(Integer::intValue).toArray();
        float[] values = new float[val.size()];
        for (int p = 0; p < values.length; p++) {
            values[p] = val.get(p);
        }
        return arena.csr(rows, cols, rowPtr, colIdx, values);
    }

    private CsrF32 abs(CsrF32 a) {
        float[] v = a.valuesArray();
        for (int p = 0; p < v.length; p++) {
            v[p] = Math.abs(v[p]);
        }
        return arena.csr(a.rows(), a.cols(), a.rowPtrArray(), a.colIdxArray(), v);
    }

    /** A copy of the pattern with random values (read when beta ≠ 0) or NaN (beta = 0). */
    private CsrF32 pattern(CsrF32 p, float beta) {
        float[] v = new float[p.nnz()];
        for (int i = 0; i < v.length; i++) {
            v[i] = beta == 0f ? Float.NaN : rnd.nextFloat() * 2 - 1;
        }
        return arena.csr(p.rows(), p.cols(), p.rowPtrArray(), p.colIdxArray(), v);
    }

    private CsrF32 copy(CsrF32 p) {
        return arena.csr(p.rows(), p.cols(), p.rowPtrArray(), p.colIdxArray(), p.valuesArray());
    }

    /** Each block kept with probability {@code density}; padding outside the matrix is 0. */
    private BsrF32 bsr(int rows, int cols, int b, float density) {
        int blockRows = (rows + b - 1) / b, blockCols = (cols + b - 1) / b;
        int[] rowPtr = new int[blockRows + 1];
        List<Integer> idx = new ArrayList<>();
        for (int br = 0; br < blockRows; br++) {
            for (int bc = 0; bc < blockCols; bc++) {
                if (density >= 1f || (density > 0f && rnd.nextFloat() < density)) {
                    idx.add(bc);
                }
            }
            rowPtr[br + 1] = idx.size();
        }
        float[] values = new float[idx.size() * b * b];
        for (int br = 0, blk = 0; br < blockRows; br++) {
            for (; blk < rowPtr[br + 1]; blk++) {
                for (int r = 0; r < b; r++) {
                    for (int c = 0; c < b; c++) {
                        boolean inside = br * b + r < rows && idx.get(blk) * b + c < cols;
                        values[(blk * b + r) * b + c] = inside ? rnd.nextFloat() * 2 - 1 : 0f;
                    }
                }
            }
        }
        return arena.bsr(rows, cols, b, rowPtr, idx.stream().mapToInt(Integer::intValue).toArray(), values);
    }

    private BsrF32 abs(BsrF32 a) {
        float[] v = a.valuesArray();
        for (int p = 0; p < v.length; p++) {
            v[p] = Math.abs(v[p]);
        }
        return arena.bsr(a.rows(), a.cols(), a.blockSize(), a.blockRowPtrArray(), a.blockColIdxArray(), v);
    }

    /** A mask of {@code n} bits starting at bit 3 of its words; the bits around it are random too. */
    private BitMask mask(int n, float density) {
        BitMask owner = arena.mask(n + 3 + 61);
        for (int i = 0; i < n + 64; i++) {
            owner.set(i, rnd.nextFloat() < 0.5f);
        }
        BitMask view = owner.view(3, n);
        for (int i = 0; i < n; i++) {
            view.set(i, density >= 1f || (density > 0f && rnd.nextFloat() < density));
        }
        return view;
    }

    private static void assertClose(String what, DenseF32 expected, DenseF32 actual, DenseF32 absTerms, int k) {
        assertClose(what, expected.toArray(), actual.toArray(), absTerms.toArray(), k);
    }

    private static void assertClose(String what, float[] e, float[] a, float[] absTerms, int k) {
        assertEquals(e.length, a.length, what);
        double rel = 8 * Math.ulp(1f) * Math.sqrt(k + 2);
        for (int i = 0; i < e.length; i++) {
            assertFalse(Float.isNaN(a[i]) && !Float.isNaN(e[i]), what + ": NaN at " + i);
            double tol = rel * absTerms[i] + Float.MIN_NORMAL;
            if (!(Math.abs(e[i] - a[i]) <= tol)) {
                fail(what + ": at " + i + " expected " + e[i] + " but was " + a[i] + " (tolerance " + tol + ")");
            }
        }
    }
}
