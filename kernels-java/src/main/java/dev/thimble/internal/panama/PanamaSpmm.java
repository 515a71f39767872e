package dev.thimble.internal.panama;

import static dev.thimble.internal.panama.PanamaSupport.*;

import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/** Vector API sparse × dense products: CSR and BSR SpMM, X·Wᵀ and G·W. Contract-trusting, like every provider. */
final class PanamaSpmm {
    private PanamaSpmm() {
    }

    // ------------------------------------------------------------------ SpMM

    /*
     * SpMM CSR: row-wise Gustavson. For one row of A, a tile of 8 (n >= 8L) or 4 vectors of C
     * stays in registers across all non-zeros of the row: per non-zero one broadcast of a(i,p) and
     * one contiguous load + FMA per vector from row col[p] of B. One accumulator set, non-zeros not
     * unrolled, like the native kernel's chains: the 4-vector tile with the non-zeros unrolled by 2
     * into two accumulator sets measured 327 us vs 253 us at 1024x64, 90 % (C2 code, not FMA
     * latency, bounds it: 4 chains cover 4 FMAs per non-zero), and the 8-vector tile with two sets
     * (16 accumulators) ran 3x slower (C2 no longer keeps the vectors in registers). The 8-vector
     * tile is its own method (a small compile unit for C2): 13.7-14.7 vs 15.3-17.0 ms inline at
     * 4096x128, 90 %; the 4-vector tile stays inline (255 vs 266 us as a method at 1024x64, 90 %).
     * Remaining columns: single vectors, then a masked tail.
     *
     * Once B outgrows L2, rows go in groups of KSLICE_ROWS that pass over B in K slices (see
     * csrRowsSliced). As in spmmBsr, the tiles store raw sums and alpha and beta are applied per
     * row afterwards: a tile that carries the alpha/beta store ran slower in some JVMs (4096x128,
     * 90 %, sliced: 16.8-21.1 against 13.0-16.2 ms for the same tile with a plain store).
     */
    static void spmmCsr(float alpha, CsrF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        int n = b.cols();
        int kb = n == 0 ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, KSLICE_BYTES / ((long) n * Float.BYTES));
        boolean sliceable = beta == 0f && n > 0 && n % (8 * L) == 0 && kb >= 64 && a.cols() > kb;
        int[] cursor = sliceable ? new int[KSLICE_ROWS] : null;
        for (int i0 = rowStart; i0 < rowEnd; i0 += KSLICE_ROWS) {
            int i1 = Math.min(rowEnd, i0 + KSLICE_ROWS);
            int slices = sliceable ? kSlices(a, i0, i1, kb) : 1;
            if (slices > 1) {
                csrRowsSliced(alpha, a, b, c, i0, i1, kb, slices, cursor);
            } else {
                csrRows(alpha, a, b, beta, c, i0, i1);
            }
        }
    }

    /*
     * K slices. Every non-zero streams one B row from a random place, so all of B is the working
     * set; once B is larger than L2 each non-zero waits on L3, and unlike the native kernel this
     * one cannot prefetch (the Vector API has no prefetch). So a group of rows makes one pass per
     * slice of kb B rows (KSLICE_BYTES, the L2 size), and within a pass B rows come mostly from
     * L2. Each row resumes its raw partial sums from C (beta == 0: C is ours) and stops at the
     * first column of the next slice; alpha is applied after the last pass, as in csrRows. Per output the additions
     * happen in the same order as in the one-pass kernel and the partial sums are exact floats, so
     * the result is bit-identical to it. Measured at 4096x128 against the one-pass kernel
     * (interleaved runs, 2026-11-22): 90 % sparse 13.3-15.1 vs 16.1-17.2 ms, 95 % 7.2-7.7 vs
     * 7.3-8.2 ms (2 slices of ~100 non-zeros per row), with 768 KiB and 512 KiB slices no better.
     * Slice only when each row has on average KSLICE_MIN_NNZ non-zeros per slice to pay for the
     * extra C load and store: 64, not the native kernel's 96, because without prefetch slicing pays
     * earlier. At 95 % (about 100 per slice, near 96) the rule of 96 left some row groups unsliced:
     * 9.2 and 14.0 ms against 8.0 and 9.6 ms with every group sliced. At 99 % (about 20 per slice)
     * slicing measured 7-13 % slower.
     */
    private static final long KSLICE_BYTES = 1 << 20;
    private static final int KSLICE_ROWS = 128;
    private static final int KSLICE_MIN_NNZ = 64;

    /** Slices rows [i0, i1) should make over B (1: not worth slicing). */
    private static int kSlices(CsrF32 a, int i0, int i1, int kb) {
        MemorySegment rp = a.rowPtrSegment(), ci = a.colIdxSegment();
        int kMax = 0; // columns are sorted within a row: its last one is its largest
        for (int i = i0; i < i1; i++) {
            int end = rp.getAtIndex(I, i + 1);
            if (end > rp.getAtIndex(I, i)) {
                kMax = Math.max(kMax, ci.getAtIndex(I, end - 1));
            }
        }
        int slices = kMax / kb + 1;
        long nnz = (long) rp.getAtIndex(I, i1) - rp.getAtIndex(I, i0);
        return nnz < (long) KSLICE_MIN_NNZ * (i1 - i0) * slices ? 1 : slices;
    }

    private static void csrRowsSliced(float alpha, CsrF32 a, DenseF32 b, DenseF32 c, int i0, int i1, int kb,
            int slices, int[] cursor) {
        MemorySegment rp = a.rowPtrSegment(), ci = a.colIdxSegment(), av = a.valuesSegment();
        MemorySegment bs = b.segment(), cs = c.segment();
        int n = b.cols();
        long rowBytes = (long) n * Float.BYTES;
        for (int i = i0; i < i1; i++) {
            cursor[i - i0] = rp.getAtIndex(I, i);
        }
        for (int s = 0; s < slices; s++) {
            boolean last = s == slices - 1;
            int kEnd = last ? Integer.MAX_VALUE : (s + 1) * kb;
            for (int i = i0; i < i1; i++) {
                int p0 = cursor[i - i0], p1 = rp.getAtIndex(I, i + 1);
                int p = p0;
                for (int j = 0; j < n; j += 8 * L) {
                    p = csrSliceTile8(s > 0, kEnd, ci, av, bs, cs, p0, p1, rowBytes, (long) j * Float.BYTES,
                            i * rowBytes);
                }
                cursor[i - i0] = p;
                if (last && alpha != 1f) {
                    finish(alpha, null, cs, i * rowBytes, n);
                }
            }
        }
    }

    /**
     * csrTile8 for one K slice: starts from the partial sums in C when {@code resume}, stops at the
     * first column {@code >= kEnd} and returns its position; stores the raw sums.
     * Its own method, not a flag of csrTile8, so that the one-pass kernel carries neither the resume
     * load nor the column test (the BSR tile ran 6-7 % slower with a never-taken C load in it).
     */
    private static int csrSliceTile8(boolean resume, int kEnd, MemorySegment ci, MemorySegment av,
            MemorySegment bs, MemorySegment cs, int p0, int p1, long rowBytes, long jb, long cRow) {
        long o = cRow + jb;
        FloatVector a0, a1, a2, a3, a4, a5, a6, a7;
        if (resume) {
            a0 = load(cs, o);
            a1 = load(cs, o + VB);
            a2 = load(cs, o + 2 * VB);
            a3 = load(cs, o + 3 * VB);
            a4 = load(cs, o + 4 * VB);
            a5 = load(cs, o + 5 * VB);
            a6 = load(cs, o + 6 * VB);
            a7 = load(cs, o + 7 * VB);
        } else {
            a0 = FloatVector.zero(S);
            a1 = a0;
            a2 = a0;
            a3 = a0;
            a4 = a0;
            a5 = a0;
            a6 = a0;
            a7 = a0;
        }
        int p = p0;
        for (; p < p1; p++) {
            int col = ci.getAtIndex(I, p);
            if (col >= kEnd) {
                break;
            }
            FloatVector v = FloatVector.broadcast(S, av.getAtIndex(F, p));
            long ob = col * rowBytes + jb;
            a0 = load(bs, ob).fma(v, a0);
            a1 = load(bs, ob + VB).fma(v, a1);
            a2 = load(bs, ob + 2 * VB).fma(v, a2);
            a3 = load(bs, ob + 3 * VB).fma(v, a3);
            a4 = load(bs, ob + 4 * VB).fma(v, a4);
            a5 = load(bs, ob + 5 * VB).fma(v, a5);
            a6 = load(bs, ob + 6 * VB).fma(v, a6);
            a7 = load(bs, ob + 7 * VB).fma(v, a7);
        }
        a0.intoMemorySegment(cs, o, BO);
        a1.intoMemorySegment(cs, o + VB, BO);
        a2.intoMemorySegment(cs, o + 2 * VB, BO);
        a3.intoMemorySegment(cs, o + 3 * VB, BO);
        a4.intoMemorySegment(cs, o + 4 * VB, BO);
        a5.intoMemorySegment(cs, o + 5 * VB, BO);
        a6.intoMemorySegment(cs, o + 6 * VB, BO);
        a7.intoMemorySegment(cs, o + 7 * VB, BO);
        return p;
    }

    /** Rows [rowStart, rowEnd) in one pass over B. */
    private static void csrRows(float alpha, CsrF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        MemorySegment rp = a.rowPtrSegment(), ci = a.colIdxSegment(), av = a.valuesSegment();
        MemorySegment bs = b.segment(), cs = c.segment();
        int n = b.cols();
        long rowBytes = (long) n * Float.BYTES;
        float[] saved = beta == 0f ? null : new float[n];
        for (int i = rowStart; i < rowEnd; i++) {
            int p0 = rp.getAtIndex(I, i), p1 = rp.getAtIndex(I, i + 1);
            long cRow = i * rowBytes;
            if (saved != null) {
                scaleInto(beta, cs, cRow, n, saved);
            }
            int j = 0;
            for (; j <= n - 8 * L; j += 8 * L) {
                csrTile8(ci, av, bs, cs, p0, p1, rowBytes, (long) j * Float.BYTES, cRow);
            }
            for (; j <= n - 4 * L; j += 4 * L) {
                long jb = (long) j * Float.BYTES;
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (long p = p0; p < p1; p++) {
                    FloatVector v = FloatVector.broadcast(S, av.getAtIndex(F, p));
                    long o = ci.getAtIndex(I, p) * rowBytes + jb;
                    a0 = load(bs, o).fma(v, a0);
                    a1 = load(bs, o + VB).fma(v, a1);
                    a2 = load(bs, o + 2 * VB).fma(v, a2);
                    a3 = load(bs, o + 3 * VB).fma(v, a3);
                }
                long o = cRow + jb;
                a0.intoMemorySegment(cs, o, BO);
                a1.intoMemorySegment(cs, o + VB, BO);
                a2.intoMemorySegment(cs, o + 2 * VB, BO);
                a3.intoMemorySegment(cs, o + 3 * VB, BO);
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
                a0.add(b0).intoMemorySegment(cs, cRow + jb, BO);
            }
            if (j < n) {
                VectorMask<Float> m = S.indexInRange(j, n);
                long jb = (long) j * Float.BYTES;
                FloatVector a0 = FloatVector.zero(S);
                for (int p = p0; p < p1; p++) {
                    a0 = load(bs, ci.getAtIndex(I, p) * rowBytes + jb, m).fma(FloatVector.broadcast(S, av.getAtIndex(F, p)), a0);
                }
                a0.intoMemorySegment(cs, cRow + jb, BO, m);
            }
            if (alpha != 1f || saved != null) {
                finish(alpha, saved, cs, cRow, n);
            }
        }
    }

    /** C row at {@code cRow}, 8 vectors of columns at {@code jb}: raw sums of non-zeros [p0, p1) of its A row. */
    private static void csrTile8(MemorySegment ci, MemorySegment av, MemorySegment bs,
            MemorySegment cs, long p0, long p1, long rowBytes, long jb, long cRow) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long p = p0; p < p1; p++) {
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
        a0.intoMemorySegment(cs, o, BO);
        a1.intoMemorySegment(cs, o + VB, BO);
        a2.intoMemorySegment(cs, o + 2 * VB, BO);
        a3.intoMemorySegment(cs, o + 3 * VB, BO);
        a4.intoMemorySegment(cs, o + 4 * VB, BO);
        a5.intoMemorySegment(cs, o + 5 * VB, BO);
        a6.intoMemorySegment(cs, o + 6 * VB, BO);
        a7.intoMemorySegment(cs, o + 7 * VB, BO);
    }

    /*
     * SpMM BSR: 2 rows of a block row at once x a tile of 8 vectors of columns (then 4, then single
     * masked vectors): 16 (8, 2) accumulators stay in registers across the stored blocks; each step t
     * of a block loads the tile of B row col0+t once and FMAs it with 2 broadcasts of block values.
     * Few rows and a wide tile, unlike the native kernel (8 rows x 2 vectors): in C2 code a broadcast
     * of a block value (a bounds-checked scalar load, then a broadcast) costs more than a B vector
     * load, so the tile that needs the fewest broadcasts per FMA wins although it re-reads B from L2
     * once per row pair. Measured at 4096x128, BSR8, 90 %: 2 x 8 vectors 5.3-5.6 ms, 4 x 4 6.3,
     * 8 x 2 8.4, 8 x 1 12.5, the former 4 x 2 8.5 (native 3.9-4.0); lane broadcasts by rearrange of
     * a loaded vector of block values instead of scalar loads measured no better. Columns of a
     * padded edge block past a.cols() are skipped (B has only a.cols() rows); a last odd row of the
     * matrix goes alone. Each tile is its own method: small compile units for C2.
     *
     * The tiles store the raw sums: alpha and beta are applied per block row afterwards (its rows
     * are still in L1), beta·C saved to a small heap buffer before the tiles overwrite C. This
     * rounds exactly like alpha·sum + beta·C in one store. C2's code for the tile depends on what
     * else it carries: with the beta·C load in its stores (never taken at beta = 0) the same tile
     * measured 5.26-5.54 ms and with the alpha multiply 5.3-5.5 ms, or 6.7-13 ms in some JVM
     * runs with byte-identical hot loops; the raw tile ran 4.9-5.1 ms in every run (4096x128,
     * BSR8, 90 %, alternating runs, 2026-11-22).
     */
    static void spmmBsr(float alpha, BsrF32 a, DenseF32 b, float beta, DenseF32 c, int blockRowStart,
            int blockRowEnd) {
        int bsz = a.blockSize(), n = b.cols(), m = a.rows(), k = a.cols();
        MemorySegment bp = a.blockRowPtrSegment(), bc = a.blockColIdxSegment(), av = a.valuesSegment();
        MemorySegment bs = b.segment(), cs = c.segment();
        long rowBytes = (long) n * Float.BYTES;
        long blkFloats = (long) bsz * bsz;
        float[] saved = beta == 0f ? null : new float[bsz * n];
        for (int br = blockRowStart; br < blockRowEnd; br++) {
            int k0 = bp.getAtIndex(I, br), k1 = bp.getAtIndex(I, br + 1);
            int rows = Math.min(bsz, m - br * bsz);
            if (saved != null) {
                scaleInto(beta, cs, br * bsz * rowBytes, rows * n, saved);
            }
            for (int r = 0; r < bsz; r += 2) {
                int i = br * bsz + r;
                if (i >= m) {
                    break;
                }
                if (i + 2 > m) {
                    bsrSingleRow(bsz, n, k, bc, av, bs, cs, k0, k1, r, i);
                    break;
                }
                long cRow = i * rowBytes;
                long vr = (long) r * bsz;
                int j = 0;
                for (; j <= n - 8 * L; j += 8 * L) {
                    bsrTile8(bsz, k, bc, av, bs, cs, k0, k1, vr, rowBytes, (long) j * Float.BYTES, cRow);
                }
                for (; j <= n - 4 * L; j += 4 * L) {
                    bsrTile4(bsz, k, bc, av, bs, cs, k0, k1, vr, rowBytes, (long) j * Float.BYTES, cRow);
                }
                for (; j < n; j += L) {
                    long jb = (long) j * Float.BYTES;
                    VectorMask<Float> mk = S.indexInRange(j, n);
                    FloatVector a0 = FloatVector.zero(S), a1 = a0;
                    for (int blk = k0; blk < k1; blk++) {
                        int col0 = bc.getAtIndex(I, blk) * bsz;
                        int tEnd = Math.min(bsz, k - col0);
                        long v0 = blk * blkFloats + vr;
                        for (int t = 0; t < tEnd; t++) {
                            FloatVector x0 = load(bs, (col0 + t) * rowBytes + jb, mk);
                            a0 = x0.fma(FloatVector.broadcast(S, av.getAtIndex(F, v0 + t)), a0);
                            a1 = x0.fma(FloatVector.broadcast(S, av.getAtIndex(F, v0 + bsz + t)), a1);
                        }
                    }
                    long o = cRow + jb;
                    a0.intoMemorySegment(cs, o, BO, mk);
                    a1.intoMemorySegment(cs, o + rowBytes, BO, mk);
                }
            }
            if (alpha != 1f || saved != null) {
                finish(alpha, saved, cs, br * bsz * rowBytes, rows * n);
            }
        }
    }

    /** Rows {@code cRow} and the next (values from {@code vr} within each block) x 8 vectors of columns at {@code jb}. */
    private static void bsrTile8(int bsz, int k, MemorySegment bc, MemorySegment av,
            MemorySegment bs, MemorySegment cs, int k0, int k1, long vr, long rowBytes, long jb, long cRow) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a04 = a00, a05 = a00, a06 = a00, a07 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00, a14 = a00, a15 = a00, a16 = a00, a17 = a00;
        long blkFloats = (long) bsz * bsz;
        for (int blk = k0; blk < k1; blk++) {
            int col0 = bc.getAtIndex(I, blk) * bsz;
            int tEnd = Math.min(bsz, k - col0);
            long v0 = blk * blkFloats + vr;
            for (int t = 0; t < tEnd; t++) {
                long o = (col0 + t) * rowBytes + jb;
                FloatVector x0 = load(bs, o);
                FloatVector x1 = load(bs, o + VB);
                FloatVector x2 = load(bs, o + 2 * VB);
                FloatVector x3 = load(bs, o + 3 * VB);
                FloatVector x4 = load(bs, o + 4 * VB);
                FloatVector x5 = load(bs, o + 5 * VB);
                FloatVector x6 = load(bs, o + 6 * VB);
                FloatVector x7 = load(bs, o + 7 * VB);
                FloatVector w0 = FloatVector.broadcast(S, av.getAtIndex(F, v0 + t));
                FloatVector w1 = FloatVector.broadcast(S, av.getAtIndex(F, v0 + bsz + t));
                a00 = x0.fma(w0, a00);
                a01 = x1.fma(w0, a01);
                a02 = x2.fma(w0, a02);
                a03 = x3.fma(w0, a03);
                a04 = x4.fma(w0, a04);
                a05 = x5.fma(w0, a05);
                a06 = x6.fma(w0, a06);
                a07 = x7.fma(w0, a07);
                a10 = x0.fma(w1, a10);
                a11 = x1.fma(w1, a11);
                a12 = x2.fma(w1, a12);
                a13 = x3.fma(w1, a13);
                a14 = x4.fma(w1, a14);
                a15 = x5.fma(w1, a15);
                a16 = x6.fma(w1, a16);
                a17 = x7.fma(w1, a17);
            }
        }
        long o = cRow + jb;
        a00.intoMemorySegment(cs, o, BO);
        a01.intoMemorySegment(cs, o + VB, BO);
        a02.intoMemorySegment(cs, o + 2 * VB, BO);
        a03.intoMemorySegment(cs, o + 3 * VB, BO);
        a04.intoMemorySegment(cs, o + 4 * VB, BO);
        a05.intoMemorySegment(cs, o + 5 * VB, BO);
        a06.intoMemorySegment(cs, o + 6 * VB, BO);
        a07.intoMemorySegment(cs, o + 7 * VB, BO);
        a10.intoMemorySegment(cs, o + rowBytes, BO);
        a11.intoMemorySegment(cs, o + rowBytes + VB, BO);
        a12.intoMemorySegment(cs, o + rowBytes + 2 * VB, BO);
        a13.intoMemorySegment(cs, o + rowBytes + 3 * VB, BO);
        a14.intoMemorySegment(cs, o + rowBytes + 4 * VB, BO);
        a15.intoMemorySegment(cs, o + rowBytes + 5 * VB, BO);
        a16.intoMemorySegment(cs, o + rowBytes + 6 * VB, BO);
        a17.intoMemorySegment(cs, o + rowBytes + 7 * VB, BO);
    }

    /** Rows {@code cRow} and the next (values from {@code vr} within each block) x 4 vectors of columns at {@code jb}. */
    private static void bsrTile4(int bsz, int k, MemorySegment bc, MemorySegment av,
            MemorySegment bs, MemorySegment cs, int k0, int k1, long vr, long rowBytes, long jb, long cRow) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        long blkFloats = (long) bsz * bsz;
        for (int blk = k0; blk < k1; blk++) {
            int col0 = bc.getAtIndex(I, blk) * bsz;
            int tEnd = Math.min(bsz, k - col0);
            long v0 = blk * blkFloats + vr;
            for (int t = 0; t < tEnd; t++) {
                long o = (col0 + t) * rowBytes + jb;
                FloatVector x0 = load(bs, o);
                FloatVector x1 = load(bs, o + VB);
                FloatVector x2 = load(bs, o + 2 * VB);
                FloatVector x3 = load(bs, o + 3 * VB);
                FloatVector w0 = FloatVector.broadcast(S, av.getAtIndex(F, v0 + t));
                FloatVector w1 = FloatVector.broadcast(S, av.getAtIndex(F, v0 + bsz + t));
                a00 = x0.fma(w0, a00);
                a01 = x1.fma(w0, a01);
                a02 = x2.fma(w0, a02);
                a03 = x3.fma(w0, a03);
                a10 = x0.fma(w1, a10);
                a11 = x1.fma(w1, a11);
                a12 = x2.fma(w1, a12);
                a13 = x3.fma(w1, a13);
            }
        }
        long o = cRow + jb;
        a00.intoMemorySegment(cs, o, BO);
        a01.intoMemorySegment(cs, o + VB, BO);
        a02.intoMemorySegment(cs, o + 2 * VB, BO);
        a03.intoMemorySegment(cs, o + 3 * VB, BO);
        a10.intoMemorySegment(cs, o + rowBytes, BO);
        a11.intoMemorySegment(cs, o + rowBytes + VB, BO);
        a12.intoMemorySegment(cs, o + rowBytes + 2 * VB, BO);
        a13.intoMemorySegment(cs, o + rowBytes + 3 * VB, BO);
    }

    /** Row {@code i} (row {@code r} of its block row) of a BSR product, one vector of columns at a time. */
    static void bsrSingleRow(int bsz, int n, int k, MemorySegment bc,
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
            a0.intoMemorySegment(cs, cRow + jb, BO, mk);
        }
    }

    /** {@code dst[0, len) = beta·C}, C read from byte {@code off}. */
    private static void scaleInto(float beta, MemorySegment c, long off, int len, float[] dst) {
        int t = 0;
        for (int ub = S.loopBound(len); t < ub; t += L) {
            load(c, off + (long) t * Float.BYTES).mul(beta).intoArray(dst, t);
        }
        if (t < len) {
            VectorMask<Float> m = S.indexInRange(t, len);
            load(c, off + (long) t * Float.BYTES, m).mul(beta).intoArray(dst, t, m);
        }
    }

    /** {@code C = alpha·C + src} over {@code len} floats from byte {@code off} ({@code src} null: no addend). */
    private static void finish(float alpha, float[] src, MemorySegment c, long off, int len) {
        int t = 0;
        for (int ub = S.loopBound(len); t < ub; t += L) {
            long o = off + (long) t * Float.BYTES;
            FloatVector r = load(c, o).mul(alpha);
            (src == null ? r : r.add(FloatVector.fromArray(S, src, t))).intoMemorySegment(c, o, BO);
        }
        if (t < len) {
            VectorMask<Float> m = S.indexInRange(t, len);
            long o = off + (long) t * Float.BYTES;
            FloatVector r = load(c, o, m).mul(alpha);
            (src == null ? r : r.add(FloatVector.fromArray(S, src, t, m))).intoMemorySegment(c, o, BO, m);
        }
    }

    /*
     * Y = X·Wᵀ: every output is a sparse dot of a dense row of X with a row of W, i.e. a gather from
     * X. The Vector API has no gather from memory segments, so this kernel is scalar but blocked: 4
     * rows of X share each loaded (col, value) pair of W and give 4 independent add chains. Leftover
     * rows use two accumulators over alternating non-zeros.
     */
    static void denseTimesCsrT(float alpha, DenseF32 x, CsrF32 w, float beta, DenseF32 y, int rowStart, int rowEnd) {
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
    static void denseTimesCsr(float alpha, DenseF32 g, CsrF32 w, float beta, DenseF32 d, int rowStart, int rowEnd) {
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
}
