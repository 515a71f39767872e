package dev.thimble.ops;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * Conversions between the matrix formats (dense, CSR, BSR, bit mask) and transposes.
 *
 * <p>Every method validates its inputs, allocates its result from the {@link TensorArena} passed
 * first, and fills it; if filling fails the result is closed before the exception propagates, so
 * nothing is leaked. Inputs are never modified. Sparse results are built in two passes (count,
 * then fill) straight into off-heap memory, with no heap allocation per element; the only heap
 * scratch is proportional to the number of block columns (BSR) and independent of nnz.
 *
 * <p>"Non-zero" means {@code v != 0f}: both {@code 0.0} and {@code -0.0} are zero, and NaN is
 * non-zero (it is kept, so a conversion never hides a NaN). Counts of stored entries are ints; a
 * conversion whose result would hold more than {@link Integer#MAX_VALUE} entries or blocks throws
 * {@link IllegalArgumentException} before allocating.
 */
public final class FormatOps {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Edge of the square tiles of the dense transpose: 32×32 floats of source and destination fit in L1. */
    private static final int TRANSPOSE_TILE = 32;

    private FormatOps() {
    }

    // ------------------------------------------------------------------ dense <-> CSR

    /**
     * Compresses the non-zero entries of a dense matrix (exact {@code 0} and {@code -0} are dropped,
     * NaN is kept).
     *
     * @param arena (Output) owns the result
     * @param matrix (Input) rows×cols, rank 2. Not modified.
     * @return a new rows×cols CSR matrix with sorted columns and no stored zeros
     * @throws IllegalArgumentException if {@code matrix} is not rank 2 or has more than
     *         {@link Integer#MAX_VALUE} non-zeros
     */
    public static CsrF32 toCsr(TensorArena arena, DenseF32 matrix) {
        String op = "dense to CSR";
        Objects.requireNonNull(arena, "arena");
        Checks.alive(matrix);
        Checks.matrix(op, "matrix", matrix);
        int nnz = checkedCount(op, countNonZeros(matrix.segment(), matrix.size()), "entries", matrix);
        return Outputs.filled(arena.csr(matrix.rows(), matrix.cols(), nnz), out -> fillFromDense(matrix, out));
    }

    /**
     * Gathers the entries of a dense matrix at the set bits of a mask: exactly the masked positions
     * are stored, whatever their value (a masked 0 becomes a stored zero).
     *
     * @param arena (Output) owns the result
     * @param matrix (Input) rows×cols, rank 2: the values. Not modified.
     * @param mask (Input) rows·cols bits in row-major order (any shape of that size): the pattern.
     *        Not modified.
     * @return a new rows×cols CSR matrix with sorted columns and {@code mask.cardinality()} entries
     * @throws IllegalArgumentException if the sizes differ (the message gives both shapes)
     */
    public static CsrF32 toCsr(TensorArena arena, DenseF32 matrix, BitMask mask) {
        String op = "dense and mask to CSR";
        Objects.requireNonNull(arena, "arena");
        Checks.alive(matrix, mask);
        Checks.matrix(op, "matrix", matrix);
        if (mask.size() != matrix.size()) {
            throw new IllegalArgumentException(op + ": the mask must have rows·cols bits, but " + matrix + " has "
                    + matrix.size() + " elements and " + mask + " has " + mask.size() + " bits");
        }
        int nnz = checkedCount(op, mask.cardinality(), "entries", mask);
        return Outputs.filled(arena.csr(matrix.rows(), matrix.cols(), nnz), out -> gatherMasked(matrix, mask, out));
    }

    /**
     * Expands a CSR matrix; entries not stored become {@code +0}.
     *
     * @param arena (Output) owns the result
     * @param a (Input) rows×cols. Not modified.
     * @return a new dense rows×cols matrix
     */
    public static DenseF32 toDense(TensorArena arena, CsrF32 a) {
        Objects.requireNonNull(arena, "arena");
        Checks.alive(a);
        return Outputs.filled(arena.dense(a.rows(), a.cols()), out -> scatterCsr(a, out));
    }

    // ------------------------------------------------------------------ BSR

    /**
     * Expands a BSR matrix; entries of blocks not stored become {@code +0}, and the padding of the
     * last block row and column is cut off.
     *
     * @param arena (Output) owns the result
     * @param a (Input) rows×cols. Not modified.
     * @return a new dense rows×cols matrix
     */
    public static DenseF32 toDense(TensorArena arena, BsrF32 a) {
        Objects.requireNonNull(arena, "arena");
        Checks.alive(a);
        return Outputs.filled(arena.dense(a.rows(), a.cols()), out -> scatterBsr(a, out));
    }

    /**
     * Tiles a dense matrix into blocks, storing every block that holds at least one non-zero
     * (NaN counts as non-zero); zeros inside a stored block are stored, the padding is 0.
     *
     * @param arena (Output) owns the result
     * @param matrix (Input) rows×cols, rank 2. Not modified.
     * @param blockSize 4, 8 or 16
     * @return a new rows×cols BSR matrix
     * @throws IllegalArgumentException on a bad block size or a matrix that is not rank 2
     */
    public static BsrF32 toBsr(TensorArena arena, DenseF32 matrix, int blockSize) {
        String op = "dense to BSR";
        Objects.requireNonNull(arena, "arena");
        Checks.alive(matrix);
        Checks.matrix(op, "matrix", matrix);
        checkBlockSize(op, blockSize);
        return buildBsr(arena, op, matrix.rows(), matrix.cols(), blockSize, new DenseBlocks(matrix, blockSize));
    }

    /**
     * Regroups a CSR matrix into blocks: a block is stored when it holds any stored CSR entry, so
     * a stored zero is enough to make its block exist. Positions of a block that the CSR matrix
     * does not store are 0.
     *
     * @param arena (Output) owns the result
     * @param a (Input) rows×cols. Not modified.
     * @param blockSize 4, 8 or 16
     * @return a new rows×cols BSR matrix
     * @throws IllegalArgumentException on a bad block size
     */
    public static BsrF32 toBsr(TensorArena arena, CsrF32 a, int blockSize) {
        String op = "CSR to BSR";
        Objects.requireNonNull(arena, "arena");
        Checks.alive(a);
        checkBlockSize(op, blockSize);
        return buildBsr(arena, op, a.rows(), a.cols(), blockSize, new CsrBlocks(a, blockSize));
    }

    /**
     * Compresses the non-zero entries of a BSR matrix. Explicit zeros inside stored blocks (and
     * the padding) are <em>dropped</em>: the result stores only {@code v != 0f} entries, so
     * CSR → BSR → CSR is the identity only for CSR input without stored zeros.
     *
     * @param arena (Output) owns the result
     * @param a (Input) rows×cols. Not modified.
     * @return a new rows×cols CSR matrix with sorted columns and no stored zeros
     * @throws IllegalArgumentException if the result would have more than {@link Integer#MAX_VALUE} entries
     */
    public static CsrF32 toCsr(TensorArena arena, BsrF32 a) {
        String op = "BSR to CSR";
        Objects.requireNonNull(arena, "arena");
        Checks.alive(a);
        long count = 0;
        for (int r = 0; r < a.rows(); r++) {
            count += bsrRowNonZeros(a, r, null, 0);
        }
        int nnz = checkedCount(op, count, "non-zero entries", a);
        return Outputs.filled(arena.csr(a.rows(), a.cols(), nnz), out -> gatherBsr(a, out));
    }

    // ------------------------------------------------------------------ transposes and masks

    /**
     * Transposes a CSR matrix by a counting sort on the column indices, in
     * {@code O(nnz + rows + cols)} time with no heap scratch: the result's row pointers double as
     * the per-column write cursors.
     *
     * @param arena (Output) owns the result
     * @param a (Input) rows×cols. Not modified.
     * @return a new cols×rows CSR matrix with sorted columns, keeping every stored entry (zeros too)
     */
    public static CsrF32 transpose(TensorArena arena, CsrF32 a) {
        Objects.requireNonNull(arena, "arena");
        Checks.alive(a);
        return Outputs.filled(arena.csr(a.cols(), a.rows(), a.nnz()), out -> transposeInto(a, out));
    }

    /**
     * Transposes a dense matrix tile by tile, so that both the rows read and the columns written
     * stay in cache.
     *
     * @param arena (Output) owns the result
     * @param matrix (Input) rows×cols, rank 2. Not modified.
     * @return a new dense cols×rows matrix
     */
    public static DenseF32 transpose(TensorArena arena, DenseF32 matrix) {
        Objects.requireNonNull(arena, "arena");
        Checks.alive(matrix);
        Checks.matrix("dense transpose", "matrix", matrix);
        return Outputs.filled(arena.dense(matrix.cols(), matrix.rows()), out -> transposeTiles(matrix, out));
    }

    /**
     * The pattern of a CSR matrix as a mask: a bit is set for every stored entry, zero or not.
     *
     * @param arena (Output) owns the result
     * @param a (Input) rows×cols. Not modified.
     * @return a new rows×cols mask with {@code a.nnz()} bits set
     */
    public static BitMask maskOf(TensorArena arena, CsrF32 a) {
        Objects.requireNonNull(arena, "arena");
        Checks.alive(a);
        return Outputs.filled(arena.mask(a.rows(), a.cols()), out -> markPattern(a, out));
    }

    // ------------------------------------------------------------------ dense <-> CSR kernels

    private static long countNonZeros(MemorySegment values, long n) {
        long count = 0;
        for (long i = 0; i < n; i++) {
            if (values.getAtIndex(FLOAT, i) != 0f) {
                count++;
            }
        }
        return count;
    }

    private static void fillFromDense(DenseF32 matrix, CsrF32 out) {
        MemorySegment src = matrix.segment();
        MemorySegment rowPtr = out.rowPtrSegment();
        MemorySegment colIdx = out.colIdxSegment();
        MemorySegment values = out.valuesSegment();
        int cols = matrix.cols();
        int p = 0;
        for (int r = 0; r < matrix.rows(); r++) {
            long base = (long) r * cols;
            for (int c = 0; c < cols; c++) {
                float v = src.getAtIndex(FLOAT, base + c);
                if (v != 0f) {
                    colIdx.setAtIndex(INT, p, c);
                    values.setAtIndex(FLOAT, p, v);
                    p++;
                }
            }
            rowPtr.setAtIndex(INT, r + 1, p);
        }
    }

    private static void gatherMasked(DenseF32 matrix, BitMask mask, CsrF32 out) {
        MemorySegment src = matrix.segment();
        MemorySegment rowPtr = out.rowPtrSegment();
        MemorySegment colIdx = out.colIdxSegment();
        MemorySegment values = out.valuesSegment();
        int cols = matrix.cols();
        int p = 0;
        for (int r = 0; r < matrix.rows(); r++) {
            long base = (long) r * cols;
            // 64 columns per mask read; set bits come out in increasing column order
            for (int c0 = 0; c0 < cols; c0 += 64) {
                long bits = Bits.read(mask, base + c0, Math.min(64, cols - c0));
                while (bits != 0) {
                    int c = c0 + Long.numberOfTrailingZeros(bits);
                    colIdx.setAtIndex(INT, p, c);
                    values.setAtIndex(FLOAT, p, src.getAtIndex(FLOAT, base + c));
                    p++;
                    bits &= bits - 1;
                }
            }
            rowPtr.setAtIndex(INT, r + 1, p);
        }
    }

    private static void scatterCsr(CsrF32 a, DenseF32 out) {
        MemorySegment dst = out.segment();
        int cols = a.cols();
        for (int r = 0; r < a.rows(); r++) {
            long base = (long) r * cols;
            for (int p = a.rowStart(r); p < a.rowStart(r + 1); p++) {
                dst.setAtIndex(FLOAT, base + a.colIndex(p), a.value(p));
            }
        }
    }

    // ------------------------------------------------------------------ BSR kernels

    private static void scatterBsr(BsrF32 a, DenseF32 out) {
        int b = a.blockSize();
        for (int br = 0; br < a.blockRows(); br++) {
            for (int k = a.blockRowStart(br); k < a.blockRowStart(br + 1); k++) {
                copyTile(a.valuesSegment(), (long) k * b * b, b, out.segment(), a.cols(),
                        br * b, a.blockColIndex(k) * b, Math.min(b, a.rows() - br * b),
                        Math.min(b, a.cols() - a.blockColIndex(k) * b), false);
            }
        }
    }

    /**
     * Copies the in-range part ({@code height × width}) of one b×b block between the block
     * values (starting at element {@code blockStart}) and a dense row-major matrix with
     * {@code cols} columns at (r0, c0); {@code toBlock} gives the direction.
     */
    private static void copyTile(MemorySegment block, long blockStart, int b, MemorySegment dense, int cols, int r0,
            int c0, int height, int width, boolean toBlock) {
        long bytes = (long) width * Float.BYTES;
        for (int i = 0; i < height; i++) {
            long blockOffset = (blockStart + (long) i * b) * Float.BYTES;
            long denseOffset = ((long) (r0 + i) * cols + c0) * Float.BYTES;
            if (toBlock) {
                MemorySegment.copy(dense, denseOffset, block, blockOffset, bytes);
            } else {
                MemorySegment.copy(block, blockOffset, dense, denseOffset, bytes);
            }
        }
    }

    /**
     * Counts the non-zero entries of matrix row {@code r} of a BSR matrix, in column order; when
     * {@code out} is given, also writes them to it from position {@code p}. Sharing this walk
     * between the count and the fill pass keeps the two passes in agreement.
     */
    private static int bsrRowNonZeros(BsrF32 a, int r, CsrF32 out, int p) {
        int b = a.blockSize();
        int br = r / b;
        int i = r % b;
        int n = 0;
        for (int k = a.blockRowStart(br); k < a.blockRowStart(br + 1); k++) {
            int c0 = a.blockColIndex(k) * b;
            int width = Math.min(b, a.cols() - c0);
            for (int j = 0; j < width; j++) {
                float v = a.blockValue(k, i, j);
                if (v != 0f) {
                    if (out != null) {
                        out.colIdxSegment().setAtIndex(INT, p + n, c0 + j);
                        out.valuesSegment().setAtIndex(FLOAT, p + n, v);
                    }
                    n++;
                }
            }
        }
        return n;
    }

    private static void gatherBsr(BsrF32 a, CsrF32 out) {
        int p = 0;
        for (int r = 0; r < a.rows(); r++) {
            p += bsrRowNonZeros(a, r, out, p);
            out.rowPtrSegment().setAtIndex(INT, r + 1, p);
        }
    }

    private static void checkBlockSize(String op, int blockSize) {
        if (blockSize != 4 && blockSize != 8 && blockSize != 16) {
            throw new IllegalArgumentException(op + ": block size must be 4, 8 or 16, got " + blockSize);
        }
    }

    /**
     * Builds a BSR matrix from a source that can list the blocks of one block row: a first pass
     * counts the blocks to size the allocation, a second numbers them in column order, writes the
     * structure and lets the source copy its values into place.
     */
    private static BsrF32 buildBsr(TensorArena arena, String op, int rows, int cols, int b, BlockSource source) {
        BlockRowScratch scratch = new BlockRowScratch(Math.ceilDiv(cols, b));
        int blockRows = Math.ceilDiv(rows, b);
        long blocks = 0;
        for (int br = 0; br < blockRows; br++) {
            scratch.begin();
            source.mark(br, scratch);
            blocks += scratch.count;
        }
        int nnzBlocks = checkedCount(op, blocks, "blocks", source);
        return Outputs.filled(arena.bsr(rows, cols, b, nnzBlocks), out -> {
            int k = 0;
            for (int br = 0; br < blockRows; br++) {
                scratch.begin();
                source.mark(br, scratch);
                scratch.number(out.blockColIdxSegment(), k);
                k += scratch.count;
                out.blockRowPtrSegment().setAtIndex(INT, br + 1, k);
                source.copy(br, scratch, out);
            }
        });
    }

    /**
     * The blocks of one block row, reused across block rows: which block columns are marked (a
     * stamp per block column, compared with a counter that grows at every row, avoids clearing), their list, and, once numbered, the
     * storage index of each. Its size is the number of block columns, independent of nnz.
     */
    private static final class BlockRowScratch {
        final int[] stamp;
        final int[] blockCols;
        final int[] slot;
        int count;
        private int current;

        BlockRowScratch(int blockColCount) {
            stamp = new int[blockColCount];
            blockCols = new int[blockColCount];
            slot = new int[blockColCount];
        }

        /** Starts a block row; a new stamp value unmarks every block column at once, in both passes. */
        void begin() {
            current++;
            count = 0;
        }

        void mark(int blockCol) {
            if (stamp[blockCol] != current) {
                stamp[blockCol] = current;
                blockCols[count++] = blockCol;
            }
        }

        /** Sorts the marked block columns, stores them from block {@code first} on, and records each one's slot. */
        void number(MemorySegment blockColIdx, int first) {
            Arrays.sort(blockCols, 0, count);
            for (int j = 0; j < count; j++) {
                blockColIdx.setAtIndex(INT, first + j, blockCols[j]);
                slot[blockCols[j]] = first + j;
            }
        }
    }

    /** A matrix seen one block row at a time, for {@link #buildBsr}. */
    private interface BlockSource {
        /** Marks every block column of block row {@code br} that has an entry to store. */
        void mark(int br, BlockRowScratch scratch);

        /** Copies block row {@code br} into {@code out}, where block column bc is block {@code scratch.slot[bc]}. */
        void copy(int br, BlockRowScratch scratch, BsrF32 out);
    }

    /** Blocks of a dense matrix: those holding a non-zero. */
    private record DenseBlocks(DenseF32 matrix, int b) implements BlockSource {
        @Override
        public void mark(int br, BlockRowScratch scratch) {
            MemorySegment src = matrix.segment();
            int cols = matrix.cols();
            int r0 = br * b;
            int height = Math.min(b, matrix.rows() - r0);
            for (int i = 0; i < height; i++) {
                long base = (long) (r0 + i) * cols;
                for (int c = 0; c < cols; c++) {
                    if (src.getAtIndex(FLOAT, base + c) != 0f) {
                        int bc = c / b;
                        scratch.mark(bc);
                        // the block is in; skip the rest of its columns in this row
                        c = (int) Math.min(cols, (long) (bc + 1) * b) - 1;
                    }
                }
            }
        }

        @Override
        public void copy(int br, BlockRowScratch scratch, BsrF32 out) {
            int cols = matrix.cols();
            int r0 = br * b;
            int height = Math.min(b, matrix.rows() - r0);
            for (int j = 0; j < scratch.count; j++) {
                int bc = scratch.blockCols[j];
                copyTile(out.valuesSegment(), (long) scratch.slot[bc] * b * b, b, matrix.segment(), cols, r0, bc * b,
                        height, Math.min(b, cols - bc * b), true);
            }
        }

        @Override
        public String toString() {
            return matrix.toString();
        }
    }

    /** Blocks of a CSR matrix: those holding a stored entry. */
    private record CsrBlocks(CsrF32 a, int b) implements BlockSource {
        @Override
        public void mark(int br, BlockRowScratch scratch) {
            int end = (int) Math.min(a.rows(), (long) (br + 1) * b);
            for (int r = br * b; r < end; r++) {
                for (int p = a.rowStart(r); p < a.rowStart(r + 1); p++) {
                    scratch.mark(a.colIndex(p) / b);
                }
            }
        }

        @Override
        public void copy(int br, BlockRowScratch scratch, BsrF32 out) {
            MemorySegment values = out.valuesSegment();
            int end = (int) Math.min(a.rows(), (long) (br + 1) * b);
            for (int r = br * b; r < end; r++) {
                int i = r - br * b;
                for (int p = a.rowStart(r); p < a.rowStart(r + 1); p++) {
                    int c = a.colIndex(p);
                    long k = scratch.slot[c / b];
                    values.setAtIndex(FLOAT, (k * b + i) * b + c % b, a.value(p));
                }
            }
        }

        @Override
        public String toString() {
            return a.toString();
        }
    }

    // ------------------------------------------------------------------ transpose and mask kernels

    private static void transposeInto(CsrF32 a, CsrF32 out) {
        MemorySegment ptr = out.rowPtrSegment();
        MemorySegment colIdx = out.colIdxSegment();
        MemorySegment values = out.valuesSegment();
        // 1. count the entries of each column c into ptr[c + 1] (the structure starts zeroed)
        for (int p = 0; p < a.nnz(); p++) {
            int c = a.colIndex(p) + 1;
            ptr.setAtIndex(INT, c, ptr.getAtIndex(INT, c) + 1);
        }
        // 2. prefix sums: ptr[c] is now where column c starts
        for (int c = 1; c <= a.cols(); c++) {
            ptr.setAtIndex(INT, c, ptr.getAtIndex(INT, c) + ptr.getAtIndex(INT, c - 1));
        }
        // 3. scatter in row order, so each output row receives its columns (source rows) sorted;
        //    ptr[c] serves as column c's cursor and ends at the start of column c + 1
        for (int r = 0; r < a.rows(); r++) {
            for (int p = a.rowStart(r); p < a.rowStart(r + 1); p++) {
                int c = a.colIndex(p);
                int q = ptr.getAtIndex(INT, c);
                colIdx.setAtIndex(INT, q, r);
                values.setAtIndex(FLOAT, q, a.value(p));
                ptr.setAtIndex(INT, c, q + 1);
            }
        }
        // 4. shift the cursors back by one column to recover the row pointers
        for (int c = a.cols(); c > 0; c--) {
            ptr.setAtIndex(INT, c, ptr.getAtIndex(INT, c - 1));
        }
        ptr.setAtIndex(INT, 0, 0);
    }

    private static void transposeTiles(DenseF32 matrix, DenseF32 out) {
        MemorySegment src = matrix.segment();
        MemorySegment dst = out.segment();
        int rows = matrix.rows();
        int cols = matrix.cols();
        for (int r0 = 0; r0 < rows; r0 += TRANSPOSE_TILE) {
            int r1 = Math.min(rows, r0 + TRANSPOSE_TILE);
            for (int c0 = 0; c0 < cols; c0 += TRANSPOSE_TILE) {
                int c1 = Math.min(cols, c0 + TRANSPOSE_TILE);
                for (int r = r0; r < r1; r++) {
                    long base = (long) r * cols;
                    for (int c = c0; c < c1; c++) {
                        dst.setAtIndex(FLOAT, (long) c * rows + r, src.getAtIndex(FLOAT, base + c));
                    }
                }
            }
        }
    }

    private static void markPattern(CsrF32 a, BitMask out) {
        for (int r = 0; r < a.rows(); r++) {
            long base = (long) r * a.cols();
            for (int p = a.rowStart(r); p < a.rowStart(r + 1); p++) {
                Bits.setFresh(out, base + a.colIndex(p));
            }
        }
    }

    /** Narrows a count of entries or blocks to the int that CSR and BSR index with. */
    private static int checkedCount(String op, long count, String what, Object source) {
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + source + " would need " + count + " stored " + what
                    + ", more than the " + Integer.MAX_VALUE + " a sparse matrix can index with int");
        }
        return (int) count;
    }
}
