package dev.thimble.internal.panama;

import static dev.thimble.internal.panama.PanamaSupport.*;

import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** Vector API sampled products: SDDMM and its transposed form. Contract-trusting, like every provider. */
final class PanamaSddmm {
    private PanamaSddmm() {
    }

    // ------------------------------------------------------------------ SDDMM

    /*
     * SDDMM: each stored (i, j) is a dense dot of two contiguous rows (X row i, Y row j) over d:
     * 4 vector accumulators over chunks of 4L, then single vectors, then a masked tail, reduced once.
     */
    static void sddmm(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart, int rowEnd) {
        MemorySegment rp = out.rowPtrSegment(), ci = out.colIdxSegment(), ov = out.valuesSegment();
        MemorySegment xs = x.segment(), ys = y.segment();
        int d = x.cols();
        long rowBytes = (long) d * Float.BYTES;
        for (int i = rowStart; i < rowEnd; i++) {
            long xRow = i * rowBytes;
            for (int p = rp.getAtIndex(I, i), end = rp.getAtIndex(I, i + 1); p < end; p++) {
                long yRow = ci.getAtIndex(I, p) * rowBytes;
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                int t = 0;
                for (; t <= d - 4 * L; t += 4 * L) {
                    long tb = (long) t * Float.BYTES;
                    a0 = load(xs, xRow + tb).fma(load(ys, yRow + tb), a0);
                    a1 = load(xs, xRow + tb + VB).fma(load(ys, yRow + tb + VB), a1);
                    a2 = load(xs, xRow + tb + 2 * VB).fma(load(ys, yRow + tb + 2 * VB), a2);
                    a3 = load(xs, xRow + tb + 3 * VB).fma(load(ys, yRow + tb + 3 * VB), a3);
                }
                for (; t <= d - L; t += L) {
                    long tb = (long) t * Float.BYTES;
                    a0 = load(xs, xRow + tb).fma(load(ys, yRow + tb), a0);
                }
                if (t < d) {
                    VectorMask<Float> m = S.indexInRange(t, d);
                    long tb = (long) t * Float.BYTES;
                    a1 = load(xs, xRow + tb, m).fma(load(ys, yRow + tb, m), a1);
                }
                float acc = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
                ov.setAtIndex(F, p, alpha * acc + scaled(beta, ov, p));
            }
        }
    }

    /*
     * Transposed SDDMM: out(i,j) = Σ_t X(t,i)·Y(t,j) reads a column of X and a column of Y, so no
     * operand is contiguous along t and there is no segment gather: scalar, register-blocked over the
     * stored entries of a pattern row (8, then 4, then 1 at a time). For each t, X(t,i) is loaded once
     * for the whole group and the group's Y(t, col) lie in one row of Y (sorted columns, shared cache
     * lines); 8 independent chains hide the add latency, and each group walks t once.
     */
    static void sddmmTransposed(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart,
            int rowEnd) {
        MemorySegment rp = out.rowPtrSegment(), ci = out.colIdxSegment(), ov = out.valuesSegment();
        MemorySegment xs = x.segment(), ys = y.segment();
        int d = x.rows(), m = x.cols(), n = y.cols();
        for (int i = rowStart; i < rowEnd; i++) {
            int p = rp.getAtIndex(I, i), end = rp.getAtIndex(I, i + 1);
            for (; p <= end - 8; p += 8) {
                int c0 = ci.getAtIndex(I, p), c1 = ci.getAtIndex(I, p + 1), c2 = ci.getAtIndex(I, p + 2);
                int c3 = ci.getAtIndex(I, p + 3), c4 = ci.getAtIndex(I, p + 4), c5 = ci.getAtIndex(I, p + 5);
                int c6 = ci.getAtIndex(I, p + 6), c7 = ci.getAtIndex(I, p + 7);
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
                long xo = i, yo = 0;
                for (int t = 0; t < d; t++, xo += m, yo += n) {
                    float xv = xs.getAtIndex(F, xo);
                    s0 += xv * ys.getAtIndex(F, yo + c0);
                    s1 += xv * ys.getAtIndex(F, yo + c1);
                    s2 += xv * ys.getAtIndex(F, yo + c2);
                    s3 += xv * ys.getAtIndex(F, yo + c3);
                    s4 += xv * ys.getAtIndex(F, yo + c4);
                    s5 += xv * ys.getAtIndex(F, yo + c5);
                    s6 += xv * ys.getAtIndex(F, yo + c6);
                    s7 += xv * ys.getAtIndex(F, yo + c7);
                }
                ov.setAtIndex(F, p, alpha * s0 + scaled(beta, ov, p));
                ov.setAtIndex(F, p + 1, alpha * s1 + scaled(beta, ov, p + 1));
                ov.setAtIndex(F, p + 2, alpha * s2 + scaled(beta, ov, p + 2));
                ov.setAtIndex(F, p + 3, alpha * s3 + scaled(beta, ov, p + 3));
                ov.setAtIndex(F, p + 4, alpha * s4 + scaled(beta, ov, p + 4));
                ov.setAtIndex(F, p + 5, alpha * s5 + scaled(beta, ov, p + 5));
                ov.setAtIndex(F, p + 6, alpha * s6 + scaled(beta, ov, p + 6));
                ov.setAtIndex(F, p + 7, alpha * s7 + scaled(beta, ov, p + 7));
            }
            for (; p <= end - 4; p += 4) {
                int c0 = ci.getAtIndex(I, p), c1 = ci.getAtIndex(I, p + 1), c2 = ci.getAtIndex(I, p + 2);
                int c3 = ci.getAtIndex(I, p + 3);
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                long xo = i, yo = 0;
                for (int t = 0; t < d; t++, xo += m, yo += n) {
                    float xv = xs.getAtIndex(F, xo);
                    s0 += xv * ys.getAtIndex(F, yo + c0);
                    s1 += xv * ys.getAtIndex(F, yo + c1);
                    s2 += xv * ys.getAtIndex(F, yo + c2);
                    s3 += xv * ys.getAtIndex(F, yo + c3);
                }
                ov.setAtIndex(F, p, alpha * s0 + scaled(beta, ov, p));
                ov.setAtIndex(F, p + 1, alpha * s1 + scaled(beta, ov, p + 1));
                ov.setAtIndex(F, p + 2, alpha * s2 + scaled(beta, ov, p + 2));
                ov.setAtIndex(F, p + 3, alpha * s3 + scaled(beta, ov, p + 3));
            }
            for (; p < end; p++) {
                int c0 = ci.getAtIndex(I, p);
                float s0 = 0f, s1 = 0f;
                long xo = i, yo = c0;
                int t = 0;
                for (; t < d - 1; t += 2, xo += 2L * m, yo += 2L * n) {
                    s0 += xs.getAtIndex(F, xo) * ys.getAtIndex(F, yo);
                    s1 += xs.getAtIndex(F, xo + m) * ys.getAtIndex(F, yo + n);
                }
                if (t < d) {
                    s0 += xs.getAtIndex(F, xo) * ys.getAtIndex(F, yo);
                }
                ov.setAtIndex(F, p, alpha * (s0 + s1) + scaled(beta, ov, p));
            }
        }
    }
}
