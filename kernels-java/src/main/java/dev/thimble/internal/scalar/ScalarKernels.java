package dev.thimble.internal.scalar;

import dev.thimble.spi.KernelProvider;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The scalar provider: plain loops with float accumulation, the fallback on every platform and
 * the readable statement of what each kernel computes. Does not check the SPI contract.
 */
public final class ScalarKernels implements KernelProvider {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;

    /** Public for {@link java.util.ServiceLoader}; always available. */
    public ScalarKernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public String description() {
        return "plain Java loops";
    }

    @Override
    public int priority() {
        return 0;
    }

    /** {@code beta·old}, without reading old when beta is 0 (BLAS semantics: old may be NaN). */
    private static float scaled(float beta, MemorySegment s, long i) {
        return beta == 0f ? 0f : beta * s.getAtIndex(F, i);
    }

    @Override
    public void spmmCsr(float alpha, CsrF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        MemorySegment rp = a.rowPtrSegment(), ci = a.colIdxSegment(), av = a.valuesSegment();
        MemorySegment bs = b.segment(), cs = c.segment();
        int n = b.cols();
        for (int i = rowStart; i < rowEnd; i++) {
            int p0 = rp.getAtIndex(I, i), p1 = rp.getAtIndex(I, i + 1);
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = p0; p < p1; p++) {
                    acc += av.getAtIndex(F, p) * bs.getAtIndex(F, (long) ci.getAtIndex(I, p) * n + j);
                }
                long o = (long) i * n + j;
                cs.setAtIndex(F, o, alpha * acc + scaled(beta, cs, o));
            }
        }
    }

    @Override
    public void spmmBsr(float alpha, BsrF32 a, DenseF32 b, float beta, DenseF32 c, int blockRowStart,
            int blockRowEnd) {
        int bsz = a.blockSize(), n = b.cols(), m = a.rows(), k = a.cols();
        MemorySegment bp = a.blockRowPtrSegment(), bc = a.blockColIdxSegment(), av = a.valuesSegment();
        MemorySegment bs = b.segment(), cs = c.segment();
        for (int br = blockRowStart; br < blockRowEnd; br++) {
            int k0 = bp.getAtIndex(I, br), k1 = bp.getAtIndex(I, br + 1);
            for (int r = 0; r < bsz; r++) {
                int i = br * bsz + r;
                if (i >= m) {
                    break;
                }
                for (int j = 0; j < n; j++) {
                    float acc = 0f;
                    for (int blk = k0; blk < k1; blk++) {
                        int col0 = bc.getAtIndex(I, blk) * bsz;
                        long v0 = ((long) blk * bsz + r) * bsz;
                        for (int t = 0; t < bsz && col0 + t < k; t++) {
                            acc += av.getAtIndex(F, v0 + t) * bs.getAtIndex(F, (long) (col0 + t) * n + j);
                        }
                    }
                    long o = (long) i * n + j;
                    cs.setAtIndex(F, o, alpha * acc + scaled(beta, cs, o));
                }
            }
        }
    }

    @Override
    public void denseTimesCsrT(float alpha, DenseF32 x, CsrF32 w, float beta, DenseF32 y, int rowStart, int rowEnd) {
        MemorySegment rp = w.rowPtrSegment(), ci = w.colIdxSegment(), wv = w.valuesSegment();
        MemorySegment xs = x.segment(), ys = y.segment();
        int k = x.cols(), n = w.rows();
        for (int i = rowStart; i < rowEnd; i++) {
            long xRow = (long) i * k;
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = rp.getAtIndex(I, j), end = rp.getAtIndex(I, j + 1); p < end; p++) {
                    acc += wv.getAtIndex(F, p) * xs.getAtIndex(F, xRow + ci.getAtIndex(I, p));
                }
                long o = (long) i * n + j;
                ys.setAtIndex(F, o, alpha * acc + scaled(beta, ys, o));
            }
        }
    }

    @Override
    public void denseTimesCsr(float alpha, DenseF32 g, CsrF32 w, float beta, DenseF32 d, int rowStart, int rowEnd) {
        MemorySegment rp = w.rowPtrSegment(), ci = w.colIdxSegment(), wv = w.valuesSegment();
        MemorySegment gs = g.segment(), ds = d.segment();
        int n = w.rows(), k = w.cols();
        for (int i = rowStart; i < rowEnd; i++) {
            long dRow = (long) i * k;
            for (int t = 0; t < k; t++) {
                ds.setAtIndex(F, dRow + t, scaled(beta, ds, dRow + t));
            }
            for (int j = 0; j < n; j++) {
                float gij = alpha * gs.getAtIndex(F, (long) i * n + j);
                for (int p = rp.getAtIndex(I, j), end = rp.getAtIndex(I, j + 1); p < end; p++) {
                    long o = dRow + ci.getAtIndex(I, p);
                    ds.setAtIndex(F, o, ds.getAtIndex(F, o) + gij * wv.getAtIndex(F, p));
                }
            }
        }
    }

    @Override
    public void sddmm(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart, int rowEnd) {
        MemorySegment rp = out.rowPtrSegment(), ci = out.colIdxSegment(), ov = out.valuesSegment();
        MemorySegment xs = x.segment(), ys = y.segment();
        int d = x.cols();
        for (int i = rowStart; i < rowEnd; i++) {
            for (int p = rp.getAtIndex(I, i), end = rp.getAtIndex(I, i + 1); p < end; p++) {
                long yRow = (long) ci.getAtIndex(I, p) * d;
                float acc = 0f;
                for (int t = 0; t < d; t++) {
                    acc += xs.getAtIndex(F, (long) i * d + t) * ys.getAtIndex(F, yRow + t);
                }
                ov.setAtIndex(F, p, alpha * acc + scaled(beta, ov, p));
            }
        }
    }

    @Override
    public void sddmmTransposed(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart,
            int rowEnd) {
        MemorySegment rp = out.rowPtrSegment(), ci = out.colIdxSegment(), ov = out.valuesSegment();
        MemorySegment xs = x.segment(), ys = y.segment();
        int d = x.rows(), m = x.cols(), n = y.cols();
        for (int i = rowStart; i < rowEnd; i++) {
            for (int p = rp.getAtIndex(I, i), end = rp.getAtIndex(I, i + 1); p < end; p++) {
                int j = ci.getAtIndex(I, p);
                float acc = 0f;
                for (int t = 0; t < d; t++) {
                    acc += xs.getAtIndex(F, (long) t * m + i) * ys.getAtIndex(F, (long) t * n + j);
                }
                ov.setAtIndex(F, p, alpha * acc + scaled(beta, ov, p));
            }
        }
    }

    @Override
    public void maskedGemm(float alpha, DenseF32 a, DenseF32 b, BitMask mask, float beta, DenseF32 c, int rowStart,
            int rowEnd) {
        MemorySegment as = a.segment(), bs = b.segment(), cs = c.segment();
        int k = a.cols(), n = b.cols();
        for (int i = rowStart; i < rowEnd; i++) {
            for (int j = 0; j < n; j++) {
                long o = (long) i * n + j;
                float acc = 0f;
                if (bit(mask, o)) {
                    for (int t = 0; t < k; t++) {
                        acc += as.getAtIndex(F, (long) i * k + t) * bs.getAtIndex(F, (long) t * n + j);
                    }
                }
                cs.setAtIndex(F, o, alpha * acc + scaled(beta, cs, o));
            }
        }
    }

    @Override
    public void gemm(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        MemorySegment as = a.segment(), bs = b.segment(), cs = c.segment();
        int k = a.cols(), n = b.cols();
        for (int i = rowStart; i < rowEnd; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int t = 0; t < k; t++) {
                    acc += as.getAtIndex(F, (long) i * k + t) * bs.getAtIndex(F, (long) t * n + j);
                }
                long o = (long) i * n + j;
                cs.setAtIndex(F, o, alpha * acc + scaled(beta, cs, o));
            }
        }
    }

    @Override
    public void gemmTransB(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        MemorySegment as = a.segment(), bs = b.segment(), cs = c.segment();
        int k = a.cols(), n = b.rows();
        for (int i = rowStart; i < rowEnd; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int t = 0; t < k; t++) {
                    acc += as.getAtIndex(F, (long) i * k + t) * bs.getAtIndex(F, (long) j * k + t);
                }
                long o = (long) i * n + j;
                cs.setAtIndex(F, o, alpha * acc + scaled(beta, cs, o));
            }
        }
    }

    @Override
    public void gemmTransA(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        MemorySegment as = a.segment(), bs = b.segment(), cs = c.segment();
        int k = a.rows(), m = a.cols(), n = b.cols();
        for (int i = rowStart; i < rowEnd; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int t = 0; t < k; t++) {
                    acc += as.getAtIndex(F, (long) t * m + i) * bs.getAtIndex(F, (long) t * n + j);
                }
                long o = (long) i * n + j;
                cs.setAtIndex(F, o, alpha * acc + scaled(beta, cs, o));
            }
        }
    }

    @Override
    public void axpy(float alpha, DenseF32 x, DenseF32 y) {
        MemorySegment xs = x.segment(), ys = y.segment();
        for (long i = 0, n = x.size(); i < n; i++) {
            ys.setAtIndex(F, i, ys.getAtIndex(F, i) + alpha * xs.getAtIndex(F, i));
        }
    }

    @Override
    public void maskedAxpy(float alpha, DenseF32 x, BitMask mask, DenseF32 y) {
        MemorySegment xs = x.segment(), ys = y.segment();
        for (long i = 0, n = x.size(); i < n; i++) {
            if (bit(mask, i)) {
                ys.setAtIndex(F, i, ys.getAtIndex(F, i) + alpha * xs.getAtIndex(F, i));
            }
        }
    }

    @Override
    public void scale(float alpha, DenseF32 x) {
        MemorySegment xs = x.segment();
        for (long i = 0, n = x.size(); i < n; i++) {
            xs.setAtIndex(F, i, alpha * xs.getAtIndex(F, i));
        }
    }

    @Override
    public void applyMask(DenseF32 x, BitMask mask) {
        MemorySegment xs = x.segment();
        for (long i = 0, n = x.size(); i < n; i++) {
            if (!bit(mask, i)) {
                xs.setAtIndex(F, i, 0f);
            }
        }
    }

    @Override
    public void weightedSum(float[] weights, DenseF32[] xs, DenseF32 out) {
        MemorySegment os = out.segment();
        for (long i = 0, n = out.size(); i < n; i++) {
            float acc = 0f;
            for (int k = 0; k < xs.length; k++) {
                acc += weights[k] * xs[k].segment().getAtIndex(F, i);
            }
            os.setAtIndex(F, i, acc);
        }
    }

    @Override
    public double dot(DenseF32 x, DenseF32 y) {
        MemorySegment xs = x.segment(), ys = y.segment();
        double acc = 0;
        for (long i = 0, n = x.size(); i < n; i++) {
            acc += (double) xs.getAtIndex(F, i) * ys.getAtIndex(F, i);
        }
        return acc;
    }

    @Override
    public double norm2(DenseF32 x) {
        return Math.sqrt(dot(x, x));
    }

    @Override
    public float normInf(DenseF32 x) {
        MemorySegment xs = x.segment();
        float max = 0f;
        for (long i = 0, n = x.size(); i < n; i++) {
            max = Math.max(max, Math.abs(xs.getAtIndex(F, i)));
        }
        return max;
    }

    @Override
    public double maskedNorm2(DenseF32 x, BitMask mask) {
        MemorySegment xs = x.segment();
        double acc = 0;
        for (long i = 0, n = x.size(); i < n; i++) {
            if (bit(mask, i)) {
                double v = xs.getAtIndex(F, i);
                acc += v * v;
            }
        }
        return Math.sqrt(acc);
    }

    @Override
    public float maskedNormInf(DenseF32 x, BitMask mask) {
        MemorySegment xs = x.segment();
        float max = 0f;
        for (long i = 0, n = x.size(); i < n; i++) {
            if (bit(mask, i)) {
                max = Math.max(max, Math.abs(xs.getAtIndex(F, i)));
            }
        }
        return max;
    }

    @Override
    public long magnitudeHistogram(DenseF32 x, BitMask within, int prefixShift, int prefix, int shift,
            long[] histogram) {
        MemorySegment xs = x.segment();
        long n = x.size();
        int bucketMask = histogram.length - 1;
        long firstNaN = -1;
        for (long base = 0; base < n; base += 64) {
            int len = (int) Math.min(64, n - base);
            long candidates = candidates(within, base, len);
            while (candidates != 0) {
                long i = base + Long.numberOfTrailingZeros(candidates);
                candidates &= candidates - 1;
                int key = key(xs, i);
                if (key > INFINITY_KEY) {
                    firstNaN = firstNaN < 0 ? i : firstNaN;
                } else if (key >>> prefixShift == prefix) {
                    histogram[(key >>> shift) & bucketMask]++;
                }
            }
        }
        return firstNaN;
    }

    @Override
    public long selectByMagnitude(DenseF32 x, BitMask within, int thresholdKey, long tiesToTake, BitMask out) {
        MemorySegment xs = x.segment();
        long n = x.size();
        long ties = 0;
        for (long base = 0; base < n; base += 64) {
            int len = (int) Math.min(64, n - base);
            long candidates = candidates(within, base, len);
            long kept = 0;
            while (candidates != 0) {
                int j = Long.numberOfTrailingZeros(candidates);
                candidates &= candidates - 1;
                int key = key(xs, base + j);
                if (key > thresholdKey && key <= INFINITY_KEY) {
                    kept |= 1L << j;
                } else if (key == thresholdKey && ties < tiesToTake) {
                    kept |= 1L << j;
                    ties++;
                }
            }
            writeBits(out, base, len, kept);
        }
        return ties;
    }

    /** +∞'s key; larger keys are NaN. */
    private static final int INFINITY_KEY = 0x7f800000;

    /** The magnitude key of element i: its bits without the sign, ordered like |x|. */
    private static int key(MemorySegment xs, long i) {
        return Float.floatToRawIntBits(xs.getAtIndex(F, i)) & 0x7fffffff;
    }

    /** Bits [i, i + len) of a mask as the low len bits of a long (len in 1..64); null: all set. */
    private static long candidates(BitMask m, long i, int len) {
        long all = len == 64 ? -1L : (1L << len) - 1;
        if (m == null) {
            return all;
        }
        long b = m.bitOffset() + i;
        int shift = (int) (b & 63);
        MemorySegment w = m.words();
        long lo = w.getAtIndex(L, b >>> 6) >>> shift;
        if (shift != 0 && shift + len > 64) {
            lo |= w.getAtIndex(L, (b >>> 6) + 1) << (64 - shift);
        }
        return lo & all;
    }

    /** Writes the low len bits of {@code bits} to bits [i, i + len) of a mask, leaving its other bits alone. */
    private static void writeBits(BitMask m, long i, int len, long bits) {
        long b = m.bitOffset() + i;
        int shift = (int) (b & 63);
        long field = len == 64 ? -1L : (1L << len) - 1;
        MemorySegment w = m.words();
        long wi = b >>> 6;
        w.setAtIndex(L, wi, (w.getAtIndex(L, wi) & ~(field << shift)) | (bits << shift));
        if (shift != 0 && shift + len > 64) {
            int spill = 64 - shift;
            long hiField = field >>> spill;
            w.setAtIndex(L, wi + 1, (w.getAtIndex(L, wi + 1) & ~hiField) | (bits >>> spill));
        }
    }

    private static boolean bit(BitMask m, long i) {
        long b = m.bitOffset() + i;
        return (m.words().getAtIndex(L, b >>> 6) & (1L << b)) != 0;
    }

    @Override
    public void addNoise(DenseF32 x, BitMask mask, float scale, long seed, int tensorId, long offset, int stream) {
        ScalarNoise.run(ScalarNoise.Mode.ADD, x, mask, scale, seed, tensorId, offset, stream, null, 0, null);
    }

    @Override
    public void fillNoise(DenseF32 out, BitMask mask, float scale, long seed, int tensorId, long offset, int stream) {
        ScalarNoise.run(ScalarNoise.Mode.FILL, out, mask, scale, seed, tensorId, offset, stream, null, 0, null);
    }

    @Override
    public long perturbNoise(DenseF32 x, BitMask mask, float scale, long seed, int tensorId, long offset, int stream,
            MemorySegment exceptions, long capacity, long[] count) {
        return ScalarNoise.run(ScalarNoise.Mode.PERTURB, x, mask, scale, seed, tensorId, offset, stream, exceptions,
                capacity, count);
    }
}
