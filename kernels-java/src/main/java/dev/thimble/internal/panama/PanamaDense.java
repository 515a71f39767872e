package dev.thimble.internal.panama;

import static dev.thimble.internal.panama.PanamaSupport.*;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** Vector API dense products: GEMM and masked GEMM. Contract-trusting, like every provider. */
final class PanamaDense {
    private PanamaDense() {
    }

    // ------------------------------------------------------------------ dense

    /*
     * Masked GEMM: row-wise like gemm, over groups of 4 vectors (4L <= 64 columns, so one 64-bit
     * window of mask bits per group). A group whose bits are all 0 is not computed at all (only
     * beta·C, or 0, is written); otherwise the 4 accumulators are computed and blended with
     * VectorMask.fromLong so that unset lanes get beta·C (0 when beta == 0, C not read).
     */
    static void maskedGemm(float alpha, DenseF32 a, DenseF32 b, BitMask mask, float beta, DenseF32 c, int rowStart,
            int rowEnd) {
        MemorySegment as = a.segment(), bs = b.segment(), cs = c.segment(), words = mask.words();
        int k = a.cols(), n = b.cols();
        long rowBytes = (long) n * Float.BYTES;
        long laneBits = L == 64 ? -1L : (1L << L) - 1;
        FloatVector zero = FloatVector.zero(S);
        for (int i = rowStart; i < rowEnd; i++) {
            long aRow = (long) i * k;
            long cRow = i * rowBytes;
            long bit0 = mask.bitOffset() + (long) i * n;
            int j = 0;
            // a group's 4L bits must fit one long (always, up to 512-bit vectors; not with wider SVE)
            for (; 4 * L <= 64 && j <= n - 4 * L; j += 4 * L) {
                long jb = (long) j * Float.BYTES;
                long bits = bitsAt(words, bit0 + j, 4 * L);
                long o = cRow + jb;
                if (bits == 0) {
                    for (int q = 0; q < 4; q++) {
                        FloatVector base = beta == 0f ? zero : load(cs, o + q * VB).mul(beta);
                        base.intoMemorySegment(cs, o + q * VB, BO);
                    }
                    continue;
                }
                FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
                long bo = jb;
                for (int t = 0; t < k; t++, bo += rowBytes) {
                    FloatVector v = FloatVector.broadcast(S, as.getAtIndex(F, aRow + t));
                    a0 = load(bs, bo).fma(v, a0);
                    a1 = load(bs, bo + VB).fma(v, a1);
                    a2 = load(bs, bo + 2 * VB).fma(v, a2);
                    a3 = load(bs, bo + 3 * VB).fma(v, a3);
                }
                maskedStore(a0, alpha, beta, cs, o, VectorMask.fromLong(S, bits & laneBits));
                maskedStore(a1, alpha, beta, cs, o + VB, VectorMask.fromLong(S, (bits >>> L) & laneBits));
                maskedStore(a2, alpha, beta, cs, o + 2 * VB, VectorMask.fromLong(S, (bits >>> 2 * L) & laneBits));
                maskedStore(a3, alpha, beta, cs, o + 3 * VB, VectorMask.fromLong(S, (bits >>> 3 * L) & laneBits));
            }
            for (; j < n; j += L) {
                long jb = (long) j * Float.BYTES;
                int len = Math.min(L, n - j);
                VectorMask<Float> range = S.indexInRange(j, n);
                long bits = bitsAt(words, bit0 + j, len);
                long o = cRow + jb;
                FloatVector acc = zero;
                if (bits != 0) {
                    long bo = jb;
                    for (int t = 0; t < k; t++, bo += rowBytes) {
                        acc = load(bs, bo, range).fma(FloatVector.broadcast(S, as.getAtIndex(F, aRow + t)), acc);
                    }
                }
                FloatVector base = beta == 0f ? zero : load(cs, o, range).mul(beta);
                FloatVector r = beta == 0f ? acc.mul(alpha) : acc.mul(alpha).add(base);
                base.blend(r, VectorMask.fromLong(S, bits)).intoMemorySegment(cs, o, BO, range);
            }
        }
    }

    /** Stores {@code alpha·acc + beta·C} where {@code set}, {@code beta·C} (0 if beta is 0) elsewhere. */
    private static void maskedStore(FloatVector acc, float alpha, float beta, MemorySegment c, long off,
            VectorMask<Float> set) {
        if (beta == 0f) {
            FloatVector.zero(S).blend(acc.mul(alpha), set).intoMemorySegment(c, off, BO);
        } else {
            FloatVector base = load(c, off).mul(beta);
            base.blend(acc.mul(alpha).add(base), set).intoMemorySegment(c, off, BO);
        }
    }

    /*
     * GEMM: row-wise, a tile of 4 vectors of a C row in registers for the whole k loop (one
     * broadcast of a(i,t), 4 contiguous B loads and 4 FMAs per t); t is unrolled by 2 into two
     * accumulator sets for 8 independent FMA chains. Then single vectors and a masked tail.
     */
    static void gemm(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        int k = a.cols();
        for (int i = rowStart; i < rowEnd; i++) {
            productRow(alpha, a.segment(), (long) i * k, 1, k, b, beta, c, i);
        }
    }

    /* gemmTransA: the gemm row kernel reading column i of A (stride m) instead of row i. */
    static void gemmTransA(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart,
            int rowEnd) {
        int k = a.rows();
        int m = a.cols();
        for (int i = rowStart; i < rowEnd; i++) {
            productRow(alpha, a.segment(), i, m, k, b, beta, c, i);
        }
    }

    /*
     * gemmTransB: C(i, j) is the dot product of rows i of A and j of B, both contiguous. Four rows of
     * B at a time share each load of A's row (4 independent FMA chains), reduced once per entry.
     */
    static void gemmTransB(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart,
            int rowEnd) {
        MemorySegment as = a.segment(), bs = b.segment(), cs = c.segment();
        int k = a.cols(), n = b.rows();
        long rowBytes = (long) k * Float.BYTES;
        for (int i = rowStart; i < rowEnd; i++) {
            long aRow = i * rowBytes;
            int j = 0;
            for (; j <= n - 4; j += 4) {
                long b0 = j * rowBytes;
                FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                int t = 0;
                for (; t <= k - L; t += L) {
                    long tb = (long) t * Float.BYTES;
                    FloatVector x = load(as, aRow + tb);
                    s0 = load(bs, b0 + tb).fma(x, s0);
                    s1 = load(bs, b0 + rowBytes + tb).fma(x, s1);
                    s2 = load(bs, b0 + 2 * rowBytes + tb).fma(x, s2);
                    s3 = load(bs, b0 + 3 * rowBytes + tb).fma(x, s3);
                }
                if (t < k) {
                    VectorMask<Float> m = S.indexInRange(t, k);
                    long tb = (long) t * Float.BYTES;
                    FloatVector x = load(as, aRow + tb, m);
                    s0 = load(bs, b0 + tb, m).fma(x, s0);
                    s1 = load(bs, b0 + rowBytes + tb, m).fma(x, s1);
                    s2 = load(bs, b0 + 2 * rowBytes + tb, m).fma(x, s2);
                    s3 = load(bs, b0 + 3 * rowBytes + tb, m).fma(x, s3);
                }
                long o = (long) i * n + j;
                cs.setAtIndex(F, o, alpha * s0.reduceLanes(VectorOperators.ADD) + scaled(beta, cs, o));
                cs.setAtIndex(F, o + 1, alpha * s1.reduceLanes(VectorOperators.ADD) + scaled(beta, cs, o + 1));
                cs.setAtIndex(F, o + 2, alpha * s2.reduceLanes(VectorOperators.ADD) + scaled(beta, cs, o + 2));
                cs.setAtIndex(F, o + 3, alpha * s3.reduceLanes(VectorOperators.ADD) + scaled(beta, cs, o + 3));
            }
            for (; j < n; j++) {
                long bRow = j * rowBytes;
                FloatVector s0 = FloatVector.zero(S);
                for (int t = 0; t < k; t += L) {
                    VectorMask<Float> m = S.indexInRange(t, k);
                    long tb = (long) t * Float.BYTES;
                    s0 = load(bs, bRow + tb, m).fma(load(as, aRow + tb, m), s0);
                }
                long o = (long) i * n + j;
                cs.setAtIndex(F, o, alpha * s0.reduceLanes(VectorOperators.ADD) + scaled(beta, cs, o));
            }
        }
    }

    /**
     * Row {@code row} of {@code C = alpha·A'·B + beta·C}, where element t of row {@code row} of A'
     * is {@code as[aBase + t·aStep]}: 4 vectors of C stay in registers across the reduction over t,
     * which is unrolled by 2 into two accumulator sets (8 independent FMA chains).
     */
    private static void productRow(float alpha, MemorySegment as, long aBase, long aStep, int k, DenseF32 b,
            float beta, DenseF32 c, int row) {
        MemorySegment bs = b.segment(), cs = c.segment();
        int n = b.cols();
        long rowBytes = (long) n * Float.BYTES;
        long cRow = row * rowBytes;
        int j = 0;
        for (; j <= n - 4 * L; j += 4 * L) {
            long jb = (long) j * Float.BYTES;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            int t = 0;
            long bo = jb;
            for (; t < k - 1; t += 2, bo += 2 * rowBytes) {
                FloatVector v = FloatVector.broadcast(S, as.getAtIndex(F, aBase + t * aStep));
                FloatVector w = FloatVector.broadcast(S, as.getAtIndex(F, aBase + (t + 1) * aStep));
                a0 = load(bs, bo).fma(v, a0);
                a1 = load(bs, bo + VB).fma(v, a1);
                a2 = load(bs, bo + 2 * VB).fma(v, a2);
                a3 = load(bs, bo + 3 * VB).fma(v, a3);
                b0 = load(bs, bo + rowBytes).fma(w, b0);
                b1 = load(bs, bo + rowBytes + VB).fma(w, b1);
                b2 = load(bs, bo + rowBytes + 2 * VB).fma(w, b2);
                b3 = load(bs, bo + rowBytes + 3 * VB).fma(w, b3);
            }
            if (t < k) {
                FloatVector v = FloatVector.broadcast(S, as.getAtIndex(F, aBase + t * aStep));
                a0 = load(bs, bo).fma(v, a0);
                a1 = load(bs, bo + VB).fma(v, a1);
                a2 = load(bs, bo + 2 * VB).fma(v, a2);
                a3 = load(bs, bo + 3 * VB).fma(v, a3);
            }
            long o = cRow + jb;
            store(a0.add(b0), alpha, beta, cs, o);
            store(a1.add(b1), alpha, beta, cs, o + VB);
            store(a2.add(b2), alpha, beta, cs, o + 2 * VB);
            store(a3.add(b3), alpha, beta, cs, o + 3 * VB);
        }
        for (; j < n; j += L) {
            long jb = (long) j * Float.BYTES;
            VectorMask<Float> m = S.indexInRange(j, n);
            FloatVector a0 = FloatVector.zero(S);
            long bo = jb;
            for (int t = 0; t < k; t++, bo += rowBytes) {
                a0 = load(bs, bo, m).fma(FloatVector.broadcast(S, as.getAtIndex(F, aBase + t * aStep)), a0);
            }
            store(a0, alpha, beta, cs, cRow + jb, m);
        }
    }
}
