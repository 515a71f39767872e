package dev.thimble.internal.panama;

import static dev.thimble.internal.panama.PanamaSupport.*;

import dev.thimble.internal.scalar.ScalarKernels;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** Vector API element-wise kernels, reductions and magnitude selection. Contract-trusting, like every provider. */
final class PanamaVectorOps {
    private PanamaVectorOps() {
    }

    // ------------------------------------------------------------------ element-wise

    /* axpy: one load of x and y, one multiply and add, one store per vector; masked tail. */
    static void axpy(float alpha, DenseF32 x, DenseF32 y) {
        MemorySegment xs = x.segment(), ys = y.segment();
        long n = x.size();
        long i = 0;
        for (long ub = S.loopBound(n); i < ub; i += L) {
            long o = i * Float.BYTES;
            load(ys, o).add(load(xs, o).mul(alpha)).intoMemorySegment(ys, o, BO);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long o = i * Float.BYTES;
            load(ys, o, m).add(load(xs, o, m).mul(alpha)).intoMemorySegment(ys, o, BO, m);
        }
    }

    /* maskedAxpy: L mask bits per vector (any bitOffset); chunks with no bit set are skipped, others are stored under the mask. */
    static void maskedAxpy(float alpha, DenseF32 x, BitMask mask, DenseF32 y) {
        MemorySegment xs = x.segment(), ys = y.segment(), words = mask.words();
        long n = x.size(), bit0 = mask.bitOffset();
        for (long i = 0; i < n; i += L) {
            int len = (int) Math.min(L, n - i);
            long bits = bitsAt(words, bit0 + i, len);
            if (bits == 0) {
                continue;
            }
            VectorMask<Float> m = VectorMask.fromLong(S, bits);
            long o = i * Float.BYTES;
            load(ys, o, m).add(load(xs, o, m).mul(alpha)).intoMemorySegment(ys, o, BO, m);
        }
    }

    /* scale: one load, multiply, store per vector; masked tail. */
    static void scale(float alpha, DenseF32 x) {
        MemorySegment xs = x.segment();
        long n = x.size();
        long i = 0;
        for (long ub = S.loopBound(n); i < ub; i += L) {
            long o = i * Float.BYTES;
            load(xs, o).mul(alpha).intoMemorySegment(xs, o, BO);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long o = i * Float.BYTES;
            load(xs, o, m).mul(alpha).intoMemorySegment(xs, o, BO, m);
        }
    }

    /* applyMask: stores zeros under the complement of each chunk's L mask bits; x is never read. */
    static void applyMask(DenseF32 x, BitMask mask) {
        MemorySegment xs = x.segment(), words = mask.words();
        long n = x.size(), bit0 = mask.bitOffset();
        FloatVector zero = FloatVector.zero(S);
        for (long i = 0; i < n; i += L) {
            int len = (int) Math.min(L, n - i);
            long clear = ~bitsAt(words, bit0 + i, len) & (len == 64 ? -1L : (1L << len) - 1);
            if (clear != 0) {
                zero.intoMemorySegment(xs, i * Float.BYTES, BO, VectorMask.fromLong(S, clear));
            }
        }
    }

    /*
     * weightedSum: blocked over the output, 4 vectors (4L floats) at a time: the block of out stays in
     * registers while every input is folded in (one load + FMA per input per vector), so each input
     * is streamed once and out is written once, never read.
     */
    static void weightedSum(float[] weights, DenseF32[] xs, DenseF32 out) {
        MemorySegment os = out.segment();
        int inputs = xs.length;
        long n = out.size();
        long i = 0;
        for (; i <= n - 4L * L; i += 4L * L) {
            long o = i * Float.BYTES;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int q = 0; q < inputs; q++) {
                MemorySegment s = xs[q].segment();
                FloatVector w = FloatVector.broadcast(S, weights[q]);
                a0 = load(s, o).fma(w, a0);
                a1 = load(s, o + VB).fma(w, a1);
                a2 = load(s, o + 2 * VB).fma(w, a2);
                a3 = load(s, o + 3 * VB).fma(w, a3);
            }
            a0.intoMemorySegment(os, o, BO);
            a1.intoMemorySegment(os, o + VB, BO);
            a2.intoMemorySegment(os, o + 2 * VB, BO);
            a3.intoMemorySegment(os, o + 3 * VB, BO);
        }
        for (; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long o = i * Float.BYTES;
            FloatVector a0 = FloatVector.zero(S);
            for (int q = 0; q < inputs; q++) {
                a0 = load(xs[q].segment(), o, m).fma(FloatVector.broadcast(S, weights[q]), a0);
            }
            a0.intoMemorySegment(os, o, BO, m);
        }
    }

    /*
     * dot (and norm2, maskedNorm2) — the reduction scheme. The vector is cut into blocks of
     * RED_BLOCK = 64·L elements (1024 with 16 lanes). Within a block, 4 float vector accumulators
     * take one FMA per vector (exact product, one rounding), so each lane sums 16 terms; the 4
     * accumulators are added and reduced (float) and the block's sum is added to a double total. The
     * float error of a block is thus bounded by about (16 + 2 + log2 L)·2⁻²⁴·Σ|terms of the block| and
     * does not grow with the vector's length; the double total adds nothing measurable. Because float
     * products can overflow (|x·y| > 3.4e38) or underflow (|x·y| < 1e-38) where the double scalar
     * result would not, a block whose float sum is not finite or has magnitude below 2⁻⁹⁰ (exactly 0
     * included) is recomputed with double vectors (floats widened to double, exact products), which
     * also makes NaN and infinities come out as in the scalar kernel.
     */
    static double dot(DenseF32 x, DenseF32 y) {
        MemorySegment xs = x.segment(), ys = y.segment();
        long n = x.size();
        double total = 0;
        for (long s = 0; s < n; s += RED_BLOCK) {
            long e = Math.min(n, s + RED_BLOCK);
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            long i = s;
            for (; i <= e - 4L * L; i += 4L * L) {
                long o = i * Float.BYTES;
                a0 = load(xs, o).fma(load(ys, o), a0);
                a1 = load(xs, o + VB).fma(load(ys, o + VB), a1);
                a2 = load(xs, o + 2 * VB).fma(load(ys, o + 2 * VB), a2);
                a3 = load(xs, o + 3 * VB).fma(load(ys, o + 3 * VB), a3);
            }
            for (; i < e; i += L) {
                VectorMask<Float> m = S.indexInRange(i, e);
                long o = i * Float.BYTES;
                a0 = load(xs, o, m).fma(load(ys, o, m), a0);
            }
            float block = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
            if (!(Math.abs(block) < Float.POSITIVE_INFINITY) || Math.abs(block) < TINY) {
                total += dotDouble(xs, ys, s, e, null, 0);
            } else {
                total += block;
            }
        }
        return total;
    }

    /**
     * {@code Σ x[i]·y[i]} over {@code [s, e)} in double (floats widened, products exact), restricted
     * to the set bits of {@code mask words} at {@code bit0 + i} when {@code words} is not null.
     */
    private static double dotDouble(MemorySegment xs, MemorySegment ys, long s, long e, MemorySegment words,
            long bit0) {
        int h = HALF.length();
        DoubleVector acc = DoubleVector.zero(D);
        long i = s;
        if (HALF.length() == D.length()) {
            for (; i <= e - h; i += h) {
                long o = i * Float.BYTES;
                FloatVector xv = FloatVector.fromMemorySegment(HALF, xs, o, BO);
                FloatVector yv = FloatVector.fromMemorySegment(HALF, ys, o, BO);
                if (words != null) {
                    VectorMask<Float> m = VectorMask.fromLong(HALF, bitsAt(words, bit0 + i, h));
                    xv = FloatVector.zero(HALF).blend(xv, m);
                    yv = FloatVector.zero(HALF).blend(yv, m);
                }
                DoubleVector xd = (DoubleVector) xv.convertShape(VectorOperators.F2D, D, 0);
                DoubleVector yd = (DoubleVector) yv.convertShape(VectorOperators.F2D, D, 0);
                acc = xd.fma(yd, acc);
            }
        }
        double total = acc.reduceLanes(VectorOperators.ADD);
        for (; i < e; i++) {
            if (words == null || (words.getAtIndex(LW, (bit0 + i) >>> 6) & (1L << (bit0 + i))) != 0) {
                total += (double) xs.getAtIndex(F, i) * ys.getAtIndex(F, i);
            }
        }
        return total;
    }

    /* norm2: the dot scheme on x alone (one load per vector), then sqrt. */
    static double norm2(DenseF32 x) {
        return Math.sqrt(sumSquares(x.segment(), x.size(), null, 0));
    }

    /* maskedNorm2: the dot scheme with each vector's unset lanes zeroed by a blend from its L mask bits. */
    static double maskedNorm2(DenseF32 x, BitMask mask) {
        return Math.sqrt(sumSquares(x.segment(), x.size(), mask.words(), mask.bitOffset()));
    }

    private static double sumSquares(MemorySegment xs, long n, MemorySegment words, long bit0) {
        double total = 0;
        FloatVector zero = FloatVector.zero(S);
        for (long s = 0; s < n; s += RED_BLOCK) {
            long e = Math.min(n, s + RED_BLOCK);
            FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
            long i = s;
            if (words == null) {
                for (; i <= e - 4L * L; i += 4L * L) {
                    long o = i * Float.BYTES;
                    FloatVector v0 = load(xs, o), v1 = load(xs, o + VB), v2 = load(xs, o + 2 * VB),
                            v3 = load(xs, o + 3 * VB);
                    a0 = v0.fma(v0, a0);
                    a1 = v1.fma(v1, a1);
                    a2 = v2.fma(v2, a2);
                    a3 = v3.fma(v3, a3);
                }
                for (; i < e; i += L) {
                    FloatVector v = load(xs, i * Float.BYTES, S.indexInRange(i, e));
                    a0 = v.fma(v, a0);
                }
            } else {
                for (; i < e; i += L) {
                    int len = (int) Math.min(L, e - i);
                    long bits = bitsAt(words, bit0 + i, len);
                    if (bits != 0) {
                        // a masked load fills unset lanes with +0
                        FloatVector v = load(xs, i * Float.BYTES, VectorMask.fromLong(S, bits));
                        a0 = v.fma(v, a0);
                    }
                }
            }
            float block = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
            if (!(block < Float.POSITIVE_INFINITY) || block < TINY) {
                total += dotDouble(xs, xs, s, e, words, bit0);
            } else {
                total += block;
            }
        }
        return total;
    }

    /* normInf: lane-wise max of |x| (Java max semantics: NaN propagates), reduced once; masked tail. */
    static float normInf(DenseF32 x) {
        return maxAbs(x.segment(), x.size(), null, 0);
    }

    /* maskedNormInf: normInf with each vector's unset lanes replaced by 0 (|x| >= 0, so 0 is neutral). */
    static float maskedNormInf(DenseF32 x, BitMask mask) {
        return maxAbs(x.segment(), x.size(), mask.words(), mask.bitOffset());
    }

    private static float maxAbs(MemorySegment xs, long n, MemorySegment words, long bit0) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector m0 = zero, m1 = zero;
        long i = 0;
        if (words == null) {
            for (; i <= n - 2L * L; i += 2L * L) {
                long o = i * Float.BYTES;
                m0 = m0.max(load(xs, o).abs());
                m1 = m1.max(load(xs, o + VB).abs());
            }
            for (; i < n; i += L) {
                VectorMask<Float> m = S.indexInRange(i, n);
                m0 = m0.max(load(xs, i * Float.BYTES, m).abs());
            }
        } else {
            for (; i < n; i += L) {
                int len = (int) Math.min(L, n - i);
                long bits = bitsAt(words, bit0 + i, len);
                if (bits != 0) {
                    m0 = m0.max(load(xs, i * Float.BYTES, VectorMask.fromLong(S, bits)).abs());
                }
            }
        }
        return m0.max(m1).reduceLanes(VectorOperators.MAX);
    }

    /*
     * Magnitude selection: the histogram passes are a serial scatter of counter increments and the
     * selection pass is dominated by its tie bookkeeping, so the scalar loops are used as they are.
     */
    private static final ScalarKernels SELECTION = new ScalarKernels();

    static long magnitudeHistogram(DenseF32 x, BitMask within, int prefixShift, int prefix, int shift,
            long[] histogram) {
        return SELECTION.magnitudeHistogram(x, within, prefixShift, prefix, shift, histogram);
    }

    static long selectByMagnitude(DenseF32 x, BitMask within, int thresholdKey, long tiesToTake, BitMask out) {
        return SELECTION.selectByMagnitude(x, within, thresholdKey, tiesToTake, out);
    }
}
