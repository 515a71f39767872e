package dev.thimble.internal.panama;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.thimble.internal.scalar.ScalarKernels;
import dev.thimble.spi.KernelProvider;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API provider: every kernel written with {@link FloatVector#SPECIES_PREFERRED} loads and
 * stores straight on the tensors' {@link MemorySegment}s (16 lanes with AVX-512, 8 with AVX2, 4 with
 * NEON/SSE). This is the only package of Thimble that imports {@code jdk.incubator.vector}.
 *
 * <p><b>Shape of the kernels.</b> The products keep a tile of the output in vector registers for
 * the whole reduction (register blocking over the output columns: one broadcast and one FMA per
 * vector per reduction step) and write it once as {@code alpha·acc + beta·C}; column tails narrower
 * than a vector use a lane mask ({@link VectorSpecies#indexInRange}), so every size works,
 * including 0 and sizes below the lane count. Bit masks are read as 64-bit words at any
 * {@code bitOffset} and turned into lane masks with {@link VectorMask#fromLong}. Nothing is
 * allocated in the kernels (species, byte order and constants are static finals; no per-row
 * arrays), so the vectors stay in registers once C2 has compiled a loop.
 *
 * <p><b>Numerics.</b> Sums are reordered compared with {@code ScalarKernels} (several
 * accumulators, FMA): results agree to a few ulps times {@code sqrt(terms)·Σ|terms|}, not
 * bit for bit. {@code beta == 0} never reads the output (BLAS), and masked-out entries become
 * {@code beta·old}. See {@link #dot} for the reduction scheme of dot and the norms.
 *
 * <p><b>Availability.</b> The constructor throws {@link UnsupportedOperationException} (and the
 * lookup falls back to the scalar provider) when the preferred vector is narrower than 128 bits or
 * when the C2 JIT is not running: without C2 the Vector API is not intrinsified and runs orders of
 * magnitude slower than plain loops. Like every provider, the kernels trust the SPI contract.
 */
public final class PanamaKernels implements KernelProvider {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Floats of the preferred species whose doubles fill one preferred double vector (L / 2 lanes). */
    private static final VectorSpecies<Float> HALF = S.vectorBitSize() >= 128
            ? S.withShape(VectorShape.forBitSize(S.vectorBitSize() / 2))
            : S;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder BO = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LW = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final long VB = (long) L * Float.BYTES;
    /**
     * Elements per block of the float-accumulated reductions (dot, norms): 16 steps of 4 vectors, so
     * each float lane sums 16 terms before the block is folded into a double.
     */
    private static final int RED_BLOCK = 64 * L;
    /** Below this the float partial sum of a block may have lost terms to underflow: redo it in double. */
    private static final double TINY = 0x1p-90;

    /**
     * Public for {@link java.util.ServiceLoader}.
     *
     * @throws UnsupportedOperationException if vectors are narrower than 128 bits or C2 is not running
     */
    public PanamaKernels() {
        String why = unavailableReason();
        if (why != null) {
            throw new UnsupportedOperationException(why);
        }
    }

    private static String unavailableReason() {
        if (S.vectorBitSize() < 128) {
            return "the preferred FloatVector is " + S.vectorBitSize() + "-bit; at least 128 bits are needed";
        }
        String info = System.getProperty("java.vm.info", "");
        if (info.contains("interpreted mode")) {
            return "the JVM runs interpreted (-Xint), so the Vector API is not compiled";
        }
        if (System.getProperty("java.vm.name", "").contains("Client")) {
            return "the client VM has no C2 JIT to compile the Vector API";
        }
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hs != null) {
                if ("false".equals(hs.getVMOption("UseCompiler").getValue())) {
                    return "the JIT is off (-XX:-UseCompiler), so the Vector API is not compiled";
                }
                if ("true".equals(hs.getVMOption("TieredCompilation").getValue())
                        && Integer.parseInt(hs.getVMOption("TieredStopAtLevel").getValue()) < 4) {
                    return "C2 is disabled (-XX:TieredStopAtLevel="
                            + hs.getVMOption("TieredStopAtLevel").getValue()
                            + "), so the Vector API would not be intrinsified";
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // no HotSpot diagnostics (another VM, or jdk.management absent): cannot tell, assume C2
        }
        return null;
    }

    @Override
    public String name() {
        return "panama";
    }

    @Override
    public String description() {
        return "Vector API, " + S.vectorBitSize() + "-bit FloatVector (" + L + " lanes)";
    }

    @Override
    public int priority() {
        return 10;
    }

    // ------------------------------------------------------------------ helpers

    private static FloatVector load(MemorySegment s, long byteOff) {
        return FloatVector.fromMemorySegment(S, s, byteOff, BO);
    }

    private static FloatVector load(MemorySegment s, long byteOff, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, byteOff, BO, m);
    }

    /** {@code alpha·acc + beta·C} stored at {@code off}; C is not read when beta is 0. */
    private static void store(FloatVector acc, float alpha, float beta, MemorySegment c, long off) {
        FloatVector r = acc.mul(alpha);
        if (beta != 0f) {
            r = r.add(load(c, off).mul(beta));
        }
        r.intoMemorySegment(c, off, BO);
    }

    private static void store(FloatVector acc, float alpha, float beta, MemorySegment c, long off,
            VectorMask<Float> m) {
        FloatVector r = acc.mul(alpha);
        if (beta != 0f) {
            r = r.add(load(c, off, m).mul(beta));
        }
        r.intoMemorySegment(c, off, BO, m);
    }

    /** {@code beta·old} without reading old when beta is 0 (BLAS semantics). */
    private static float scaled(float beta, MemorySegment s, long i) {
        return beta == 0f ? 0f : beta * s.getAtIndex(F, i);
    }

    /**
     * The {@code len} (1..64) mask bits starting at absolute bit {@code bit} of {@code words}, in the
     * low bits of the result; reads the next word only when the bits straddle it.
     */
    private static long bitsAt(MemorySegment words, long bit, int len) {
        long w = bit >>> 6;
        int sh = (int) (bit & 63);
        long v = words.getAtIndex(LW, w) >>> sh;
        if (sh != 0 && sh + len > 64) {
            v |= words.getAtIndex(LW, w + 1) << (64 - sh);
        }
        return len == 64 ? v : v & ((1L << len) - 1);
    }

    // ------------------------------------------------------------------ SpMM

    /*
     * SpMM CSR: row-wise Gustavson. For one row of A, a tile of 8 (n >= 8L) or 4 vectors of C
     * stays in registers across all non-zeros of the row: per non-zero one broadcast of a(i,p) and
     * one contiguous load + FMA per vector from row col[p] of B. The 4-vector tile unrolls the
     * non-zeros by 2 into two accumulator sets so that 8 independent FMA chains hide the FMA latency
     * (the 8-vector tile has 8 chains already). Remaining columns: single vectors, then a masked tail.
     */
    @Override
    public void spmmCsr(float alpha, CsrF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        MemorySegment rp = a.rowPtrSegment(), ci = a.colIdxSegment(), av = a.valuesSegment();
        MemorySegment bs = b.segment(), cs = c.segment();
        int n = b.cols();
        long rowBytes = (long) n * Float.BYTES;
        for (int i = rowStart; i < rowEnd; i++) {
            int p0 = rp.getAtIndex(I, i), p1 = rp.getAtIndex(I, i + 1);
            long cRow = i * rowBytes;
            int j = 0;
            for (; j <= n - 8 * L; j += 8 * L) {
                long jb = (long) j * Float.BYTES;
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
                for (int p = p0; p < p1; p++) {
                    FloatVector v = FloatVector.broadcast(S, av.getAtIndex(F, p));
                    long o = ci.getAtIndex(I, p) * rowBytes + jb;
                    a0 = load(bs, o).fma(v, a0);
                    a1 = load(bs, o + VB).fma(v, a1);
                    a2 = load(bs, o + 2 * VB).fma(v, a2);
                    a3 = load(bs, o + 3 * VB).fma(v, a3);
                    a4 = load(bs, o + 4 * VB).fma(v, a4);
                    a5 = load(bs, o + 5 * VB).fma(v, a5);
                    a6 = load(bs, o + 6 * VB).fma(v, a6);
                    a7 = load(bs, o + 7 * VB).fma(v, a7);
                }
                long o = cRow + jb;
                store(a0, alpha, beta, cs, o);
                store(a1, alpha, beta, cs, o + VB);
                store(a2, alpha, beta, cs, o + 2 * VB);
                store(a3, alpha, beta, cs, o + 3 * VB);
                store(a4, alpha, beta, cs, o + 4 * VB);
                store(a5, alpha, beta, cs, o + 5 * VB);
                store(a6, alpha, beta, cs, o + 6 * VB);
                store(a7, alpha, beta, cs, o + 7 * VB);
            }
            for (; j <= n - 4 * L; j += 4 * L) {
                long jb = (long) j * Float.BYTES;
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                int p = p0;
                for (; p < p1 - 1; p += 2) {
                    FloatVector v = FloatVector.broadcast(S, av.getAtIndex(F, p));
                    FloatVector w = FloatVector.broadcast(S, av.getAtIndex(F, p + 1));
                    long o = ci.getAtIndex(I, p) * rowBytes + jb;
                    long q = ci.getAtIndex(I, p + 1) * rowBytes + jb;
                    a0 = load(bs, o).fma(v, a0);
                    a1 = load(bs, o + VB).fma(v, a1);
                    a2 = load(bs, o + 2 * VB).fma(v, a2);
                    a3 = load(bs, o + 3 * VB).fma(v, a3);
                    b0 = load(bs, q).fma(w, b0);
                    b1 = load(bs, q + VB).fma(w, b1);
                    b2 = load(bs, q + 2 * VB).fma(w, b2);
                    b3 = load(bs, q + 3 * VB).fma(w, b3);
                }
                if (p < p1) {
                    FloatVector v = FloatVector.broadcast(S, av.getAtIndex(F, p));
                    long o = ci.getAtIndex(I, p) * rowBytes + jb;
                    a0 = load(bs, o).fma(v, a0);
                    a1 = load(bs, o + VB).fma(v, a1);
                    a2 = load(bs, o + 2 * VB).fma(v, a2);
                    a3 = load(bs, o + 3 * VB).fma(v, a3);
                }
                long o = cRow + jb;
                store(a0.add(b0), alpha, beta, cs, o);
                store(a1.add(b1), alpha, beta, cs, o + VB);
                store(a2.add(b2), alpha, beta, cs, o + 2 * VB);
                store(a3.add(b3), alpha, beta, cs, o + 3 * VB);
            }
            for (; j <= n - L; j += L) {
                long jb = (long) j * Float.BYTES;
                FloatVector a0 = FloatVector.zero(S), b0 = a0;
                int p = p0;
                for (; p < p1 - 1; p += 2) {
                    a0 = load(bs, ci.getAtIndex(I, p) * rowBytes + jb).fma(FloatVector.broadcast(S, av.getAtIndex(F, p)), a0);
                    b0 = load(bs, ci.getAtIndex(I, p + 1) * rowBytes + jb).fma(FloatVector.broadcast(S, av.getAtIndex(F, p + 1)), b0);
                }
                if (p < p1) {
                    a0 = load(bs, ci.getAtIndex(I, p) * rowBytes + jb).fma(FloatVector.broadcast(S, av.getAtIndex(F, p)), a0);
                }
                store(a0.add(b0), alpha, beta, cs, cRow + jb);
            }
            if (j < n) {
                VectorMask<Float> m = S.indexInRange(j, n);
                long jb = (long) j * Float.BYTES;
                FloatVector a0 = FloatVector.zero(S);
                for (int p = p0; p < p1; p++) {
                    a0 = load(bs, ci.getAtIndex(I, p) * rowBytes + jb, m).fma(FloatVector.broadcast(S, av.getAtIndex(F, p)), a0);
                }
                store(a0, alpha, beta, cs, cRow + jb, m);
            }
        }
    }

    /*
     * SpMM BSR: for 4 rows of a block row at once (block sizes are multiples of 4) and 2 vectors of
     * columns, 8 accumulators stay in registers across the stored blocks; each step t of a block
     * loads 2 vectors of B row col0+t once and uses them for 4 rows (4 broadcasts, 8 FMAs), four
     * times the arithmetic per load of CSR. Then 1 vector, then a masked tail. Columns of a padded
     * edge block past a.cols() are skipped (B has only a.cols() rows); rows of an edge block row past
     * a.rows() are never computed (the last partial group of rows goes one row at a time).
     */
    @Override
    public void spmmBsr(float alpha, BsrF32 a, DenseF32 b, float beta, DenseF32 c, int blockRowStart,
            int blockRowEnd) {
        int bsz = a.blockSize(), n = b.cols(), m = a.rows(), k = a.cols();
        MemorySegment bp = a.blockRowPtrSegment(), bc = a.blockColIdxSegment(), av = a.valuesSegment();
        MemorySegment bs = b.segment(), cs = c.segment();
        long rowBytes = (long) n * Float.BYTES;
        long blkFloats = (long) bsz * bsz;
        for (int br = blockRowStart; br < blockRowEnd; br++) {
            int k0 = bp.getAtIndex(I, br), k1 = bp.getAtIndex(I, br + 1);
            for (int r = 0; r < bsz; r += 4) {
                int i = br * bsz + r;
                if (i >= m) {
                    break;
                }
                if (i + 4 > m) {
                    for (int rr = r; rr < bsz && br * bsz + rr < m; rr++) {
                        bsrSingleRow(alpha, beta, bsz, n, k, bc, av, bs, cs, k0, k1, rr, br * bsz + rr);
                    }
                    break;
                }
                long cRow = i * rowBytes;
                int j = 0;
                for (; j <= n - 2 * L; j += 2 * L) {
                    long jb = (long) j * Float.BYTES;
                    FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00,
                            a30 = a00, a31 = a00;
                    for (int blk = k0; blk < k1; blk++) {
                        int col0 = bc.getAtIndex(I, blk) * bsz;
                        int tEnd = Math.min(bsz, k - col0);
                        long v0 = blk * blkFloats + (long) r * bsz;
                        for (int t = 0; t < tEnd; t++) {
                            long o = (col0 + t) * rowBytes + jb;
                            FloatVector x0 = load(bs, o), x1 = load(bs, o + VB);
                            FloatVector w0 = FloatVector.broadcast(S, av.getAtIndex(F, v0 + t));
                            FloatVector w1 = FloatVector.broadcast(S, av.getAtIndex(F, v0 + bsz + t));
                            FloatVector w2 = FloatVector.broadcast(S, av.getAtIndex(F, v0 + 2 * bsz + t));
                            FloatVector w3 = FloatVector.broadcast(S, av.getAtIndex(F, v0 + 3 * bsz + t));
                            a00 = x0.fma(w0, a00);
                            a01 = x1.fma(w0, a01);
                            a10 = x0.fma(w1, a10);
                            a11 = x1.fma(w1, a11);
                            a20 = x0.fma(w2, a20);
                            a21 = x1.fma(w2, a21);
                            a30 = x0.fma(w3, a30);
                            a31 = x1.fma(w3, a31);
                        }
                    }
                    long o = cRow + jb;
                    store(a00, alpha, beta, cs, o);
                    store(a01, alpha, beta, cs, o + VB);
                    store(a10, alpha, beta, cs, o + rowBytes);
                    store(a11, alpha, beta, cs, o + rowBytes + VB);
                    store(a20, alpha, beta, cs, o + 2 * rowBytes);
                    store(a21, alpha, beta, cs, o + 2 * rowBytes + VB);
                    store(a30, alpha, beta, cs, o + 3 * rowBytes);
                    store(a31, alpha, beta, cs, o + 3 * rowBytes + VB);
                }
                for (; j < n; j += L) {
                    long jb = (long) j * Float.BYTES;
                    VectorMask<Float> mk = S.indexInRange(j, n);
                    FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                    for (int blk = k0; blk < k1; blk++) {
                        int col0 = bc.getAtIndex(I, blk) * bsz;
                        int tEnd = Math.min(bsz, k - col0);
                        long v0 = blk * blkFloats + (long) r * bsz;
                        for (int t = 0; t < tEnd; t++) {
                            FloatVector x0 = load(bs, (col0 + t) * rowBytes + jb, mk);
                            a0 = x0.fma(FloatVector.broadcast(S, av.getAtIndex(F, v0 + t)), a0);
                            a1 = x0.fma(FloatVector.broadcast(S, av.getAtIndex(F, v0 + bsz + t)), a1);
                            a2 = x0.fma(FloatVector.broadcast(S, av.getAtIndex(F, v0 + 2 * bsz + t)), a2);
                            a3 = x0.fma(FloatVector.broadcast(S, av.getAtIndex(F, v0 + 3 * bsz + t)), a3);
                        }
                    }
                    long o = cRow + jb;
                    store(a0, alpha, beta, cs, o, mk);
                    store(a1, alpha, beta, cs, o + rowBytes, mk);
                    store(a2, alpha, beta, cs, o + 2 * rowBytes, mk);
                    store(a3, alpha, beta, cs, o + 3 * rowBytes, mk);
                }
            }
        }
    }

    /** Row {@code i} (row {@code r} of its block row) of a BSR product, one vector of columns at a time. */
    private static void bsrSingleRow(float alpha, float beta, int bsz, int n, int k, MemorySegment bc,
            MemorySegment av, MemorySegment bs, MemorySegment cs, int k0, int k1, int r, int i) {
        long rowBytes = (long) n * Float.BYTES;
        long cRow = i * rowBytes;
        for (int j = 0; j < n; j += L) {
            long jb = (long) j * Float.BYTES;
            VectorMask<Float> mk = S.indexInRange(j, n);
            FloatVector a0 = FloatVector.zero(S);
            for (int blk = k0; blk < k1; blk++) {
                int col0 = bc.getAtIndex(I, blk) * bsz;
                int tEnd = Math.min(bsz, k - col0);
                long v0 = ((long) blk * bsz + r) * bsz;
                for (int t = 0; t < tEnd; t++) {
                    a0 = load(bs, (col0 + t) * rowBytes + jb, mk).fma(FloatVector.broadcast(S, av.getAtIndex(F, v0 + t)), a0);
                }
            }
            store(a0, alpha, beta, cs, cRow + jb, mk);
        }
    }

    /*
     * Y = X·Wᵀ: every output is a sparse dot of a dense row of X with a row of W, i.e. a gather from
     * X. The Vector API has no gather from memory segments, so this kernel is scalar but blocked: 4
     * rows of X share each loaded (col, value) pair of W and give 4 independent add chains. Leftover
     * rows use two accumulators over alternating non-zeros.
     */
    @Override
    public void denseTimesCsrT(float alpha, DenseF32 x, CsrF32 w, float beta, DenseF32 y, int rowStart, int rowEnd) {
        MemorySegment rp = w.rowPtrSegment(), ci = w.colIdxSegment(), wv = w.valuesSegment();
        MemorySegment xs = x.segment(), ys = y.segment();
        int k = x.cols(), n = w.rows();
        int i = rowStart;
        for (; i <= rowEnd - 4; i += 4) {
            long x0 = (long) i * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
            long y0 = (long) i * n;
            for (int j = 0; j < n; j++) {
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                for (int p = rp.getAtIndex(I, j), end = rp.getAtIndex(I, j + 1); p < end; p++) {
                    float v = wv.getAtIndex(F, p);
                    int col = ci.getAtIndex(I, p);
                    s0 += v * xs.getAtIndex(F, x0 + col);
                    s1 += v * xs.getAtIndex(F, x1 + col);
                    s2 += v * xs.getAtIndex(F, x2 + col);
                    s3 += v * xs.getAtIndex(F, x3 + col);
                }
                long o = y0 + j;
                ys.setAtIndex(F, o, alpha * s0 + scaled(beta, ys, o));
                ys.setAtIndex(F, o + n, alpha * s1 + scaled(beta, ys, o + n));
                ys.setAtIndex(F, o + 2L * n, alpha * s2 + scaled(beta, ys, o + 2L * n));
                ys.setAtIndex(F, o + 3L * n, alpha * s3 + scaled(beta, ys, o + 3L * n));
            }
        }
        for (; i < rowEnd; i++) {
            long xRow = (long) i * k;
            for (int j = 0; j < n; j++) {
                float s0 = 0f, s1 = 0f;
                int p = rp.getAtIndex(I, j), end = rp.getAtIndex(I, j + 1);
                for (; p < end - 1; p += 2) {
                    s0 += wv.getAtIndex(F, p) * xs.getAtIndex(F, xRow + ci.getAtIndex(I, p));
                    s1 += wv.getAtIndex(F, p + 1) * xs.getAtIndex(F, xRow + ci.getAtIndex(I, p + 1));
                }
                if (p < end) {
                    s0 += wv.getAtIndex(F, p) * xs.getAtIndex(F, xRow + ci.getAtIndex(I, p));
                }
                long o = (long) i * n + j;
                ys.setAtIndex(F, o, alpha * (s0 + s1) + scaled(beta, ys, o));
            }
        }
    }

    /*
     * D = G·W: row i of D is Σ_j g(i,j)·(row j of W), a scatter into D. The beta-scaling (or
     * zeroing) of each D row is vectorized; the scatter-axpy stays scalar (no scatter to segments),
     * blocked over 4 rows of G so that each (col, value) of W is loaded once for 4 independent
     * updates. Per entry the additions happen in the same order as in the scalar kernel.
     */
    @Override
    public void denseTimesCsr(float alpha, DenseF32 g, CsrF32 w, float beta, DenseF32 d, int rowStart, int rowEnd) {
        MemorySegment rp = w.rowPtrSegment(), ci = w.colIdxSegment(), wv = w.valuesSegment();
        MemorySegment gs = g.segment(), ds = d.segment();
        int n = w.rows(), k = w.cols();
        int i = rowStart;
        for (; i <= rowEnd - 4; i += 4) {
            for (int q = 0; q < 4; q++) {
                scaleRow(beta, ds, (long) (i + q) * k, k);
            }
            long d0 = (long) i * k, d1 = d0 + k, d2 = d1 + k, d3 = d2 + k;
            long g0 = (long) i * n;
            for (int j = 0; j < n; j++) {
                float h0 = alpha * gs.getAtIndex(F, g0 + j);
                float h1 = alpha * gs.getAtIndex(F, g0 + n + j);
                float h2 = alpha * gs.getAtIndex(F, g0 + 2L * n + j);
                float h3 = alpha * gs.getAtIndex(F, g0 + 3L * n + j);
                for (int p = rp.getAtIndex(I, j), end = rp.getAtIndex(I, j + 1); p < end; p++) {
                    float v = wv.getAtIndex(F, p);
                    int col = ci.getAtIndex(I, p);
                    ds.setAtIndex(F, d0 + col, ds.getAtIndex(F, d0 + col) + h0 * v);
                    ds.setAtIndex(F, d1 + col, ds.getAtIndex(F, d1 + col) + h1 * v);
                    ds.setAtIndex(F, d2 + col, ds.getAtIndex(F, d2 + col) + h2 * v);
                    ds.setAtIndex(F, d3 + col, ds.getAtIndex(F, d3 + col) + h3 * v);
                }
            }
        }
        for (; i < rowEnd; i++) {
            long dRow = (long) i * k;
            scaleRow(beta, ds, dRow, k);
            for (int j = 0; j < n; j++) {
                float h = alpha * gs.getAtIndex(F, (long) i * n + j);
                for (int p = rp.getAtIndex(I, j), end = rp.getAtIndex(I, j + 1); p < end; p++) {
                    long o = dRow + ci.getAtIndex(I, p);
                    ds.setAtIndex(F, o, ds.getAtIndex(F, o) + h * wv.getAtIndex(F, p));
                }
            }
        }
    }

    /** {@code row *= beta} for {@code len} floats at element {@code start}, or zero-fill when beta is 0. */
    private static void scaleRow(float beta, MemorySegment s, long start, int len) {
        long base = start * Float.BYTES;
        FloatVector zero = FloatVector.zero(S);
        int t = 0;
        for (int ub = S.loopBound(len); t < ub; t += L) {
            long o = base + (long) t * Float.BYTES;
            (beta == 0f ? zero : load(s, o).mul(beta)).intoMemorySegment(s, o, BO);
        }
        if (t < len) {
            VectorMask<Float> m = S.indexInRange(t, len);
            long o = base + (long) t * Float.BYTES;
            (beta == 0f ? zero : load(s, o, m).mul(beta)).intoMemorySegment(s, o, BO, m);
        }
    }

    // ------------------------------------------------------------------ SDDMM

    /*
     * SDDMM: each stored (i, j) is a dense dot of two contiguous rows (X row i, Y row j) over d:
     * 4 vector accumulators over chunks of 4L, then single vectors, then a masked tail, reduced once.
     */
    @Override
    public void sddmm(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart, int rowEnd) {
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
    @Override
    public void sddmmTransposed(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart,
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

    // ------------------------------------------------------------------ dense

    /*
     * Masked GEMM: row-wise like gemm, over groups of 4 vectors (4L <= 64 columns, so one 64-bit
     * window of mask bits per group). A group whose bits are all 0 is not computed at all (only
     * beta·C, or 0, is written); otherwise the 4 accumulators are computed and blended with
     * VectorMask.fromLong so that unset lanes get beta·C (0 when beta == 0, C not read).
     */
    @Override
    public void maskedGemm(float alpha, DenseF32 a, DenseF32 b, BitMask mask, float beta, DenseF32 c, int rowStart,
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
    @Override
    public void gemm(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        MemorySegment as = a.segment(), bs = b.segment(), cs = c.segment();
        int k = a.cols(), n = b.cols();
        long rowBytes = (long) n * Float.BYTES;
        for (int i = rowStart; i < rowEnd; i++) {
            long aRow = (long) i * k;
            long cRow = i * rowBytes;
            int j = 0;
            for (; j <= n - 4 * L; j += 4 * L) {
                long jb = (long) j * Float.BYTES;
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                int t = 0;
                long bo = jb;
                for (; t < k - 1; t += 2, bo += 2 * rowBytes) {
                    FloatVector v = FloatVector.broadcast(S, as.getAtIndex(F, aRow + t));
                    FloatVector w = FloatVector.broadcast(S, as.getAtIndex(F, aRow + t + 1));
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
                    FloatVector v = FloatVector.broadcast(S, as.getAtIndex(F, aRow + t));
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
                    a0 = load(bs, bo, m).fma(FloatVector.broadcast(S, as.getAtIndex(F, aRow + t)), a0);
                }
                store(a0, alpha, beta, cs, cRow + jb, m);
            }
        }
    }

    // ------------------------------------------------------------------ element-wise

    /* axpy: one load of x and y, one multiply and add, one store per vector; masked tail. */
    @Override
    public void axpy(float alpha, DenseF32 x, DenseF32 y) {
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
    @Override
    public void maskedAxpy(float alpha, DenseF32 x, BitMask mask, DenseF32 y) {
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
    @Override
    public void scale(float alpha, DenseF32 x) {
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
    @Override
    public void applyMask(DenseF32 x, BitMask mask) {
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
    @Override
    public void weightedSum(float[] weights, DenseF32[] xs, DenseF32 out) {
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
    @Override
    public double dot(DenseF32 x, DenseF32 y) {
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
    @Override
    public double norm2(DenseF32 x) {
        return Math.sqrt(sumSquares(x.segment(), x.size(), null, 0));
    }

    /* maskedNorm2: the dot scheme with each vector's unset lanes zeroed by a blend from its L mask bits. */
    @Override
    public double maskedNorm2(DenseF32 x, BitMask mask) {
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
    @Override
    public float normInf(DenseF32 x) {
        return maxAbs(x.segment(), x.size(), null, 0);
    }

    /* maskedNormInf: normInf with each vector's unset lanes replaced by 0 (|x| >= 0, so 0 is neutral). */
    @Override
    public float maskedNormInf(DenseF32 x, BitMask mask) {
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

    @Override
    public long magnitudeHistogram(DenseF32 x, BitMask within, int prefixShift, int prefix, int shift,
            long[] histogram) {
        return SELECTION.magnitudeHistogram(x, within, prefixShift, prefix, shift, histogram);
    }

    @Override
    public long selectByMagnitude(DenseF32 x, BitMask within, int thresholdKey, long tiesToTake, BitMask out) {
        return SELECTION.selectByMagnitude(x, within, thresholdKey, tiesToTake, out);
    }
}
