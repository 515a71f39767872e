package dev.thimble.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A float32 matrix in block sparse row form with square blocks of 4, 8 or 16, in off-heap memory.
 *
 * <p>The matrix is cut into {@code blockRows × blockCols} tiles of {@code b × b} (the last tile
 * row and column are padded when {@code rows} or {@code cols} is not a multiple of {@code b});
 * only non-zero tiles are stored. Invariants, all checked by {@link #checkStructure()}:
 * <ul>
 *   <li>{@code blockRowPtr}: int32[blockRows + 1], starts at 0, non-decreasing, ends at {@code nnzBlocks};</li>
 *   <li>{@code blockColIdx}: int32[nnzBlocks], strictly increasing within a block row, in {@code [0, blockCols)};</li>
 *   <li>{@code values}: float32[nnzBlocks · b · b], each block row-major; entries that fall in the
 *       padding (row ≥ rows or column ≥ cols) are exactly 0.</li>
 * </ul>
 */
public final class BsrF32 extends AbstractTensor {
    private final int rows;
    private final int cols;
    private final int blockSize;
    private final int blockRows;
    private final int blockCols;
    private final int nnzBlocks;
    private final MemorySegment blockRowPtr;
    private final MemorySegment blockColIdx;
    private final MemorySegment values;

    BsrF32(int rows, int cols, int blockSize, int nnzBlocks, MemorySegment blockRowPtr, MemorySegment blockColIdx,
            MemorySegment values, TensorArena.Allocation memory) {
        super(memory, false);
        this.rows = rows;
        this.cols = cols;
        this.blockSize = blockSize;
        this.blockRows = ceilDiv(rows, blockSize);
        this.blockCols = ceilDiv(cols, blockSize);
        this.nnzBlocks = nnzBlocks;
        this.blockRowPtr = blockRowPtr.asSlice(0, (long) (blockRows + 1) * Integer.BYTES);
        this.blockColIdx = blockColIdx.asSlice(0, (long) nnzBlocks * Integer.BYTES);
        this.values = values.asSlice(0, (long) nnzBlocks * blockSize * blockSize * Float.BYTES);
    }

    /** Number of rows. */
    public int rows() {
        return rows;
    }

    /** Number of columns. */
    public int cols() {
        return cols;
    }

    /** The block edge: 4, 8 or 16. */
    public int blockSize() {
        return blockSize;
    }

    /** Number of block rows, {@code ceil(rows / blockSize)}. */
    public int blockRows() {
        return blockRows;
    }

    /** Number of block columns, {@code ceil(cols / blockSize)}. */
    public int blockCols() {
        return blockCols;
    }

    /** Number of stored blocks. */
    public int nnzBlocks() {
        return nnzBlocks;
    }

    /** The block row pointers, int32[blockRows + 1]. */
    public MemorySegment blockRowPtrSegment() {
        return blockRowPtr;
    }

    /** The block column indices, int32[nnzBlocks]. */
    public MemorySegment blockColIdxSegment() {
        return blockColIdx;
    }

    /** The block values, float32[nnzBlocks · blockSize²], each block row-major. */
    public MemorySegment valuesSegment() {
        return values;
    }

    /** {@code blockRowPtr[i]}: the first block of block row {@code i}. */
    public int blockRowStart(int i) {
        return blockRowPtr.getAtIndex(CsrF32.INT, i);
    }

    /** The block column of stored block {@code k}. */
    public int blockColIndex(int k) {
        return blockColIdx.getAtIndex(CsrF32.INT, k);
    }

    /** Value (r, c) inside stored block {@code k}. */
    public float blockValue(int k, int r, int c) {
        return values.getAtIndex(CsrF32.FLOAT, ((long) k * blockSize + r) * blockSize + c);
    }

    /** The value at (r, c), or 0 when its block is not stored. */
    public float get(int r, int c) {
        checkAlive();
        if (r < 0 || r >= rows || c < 0 || c >= cols) {
            throw new IndexOutOfBoundsException("(" + r + ", " + c + ") out of range for " + this);
        }
        int br = r / blockSize;
        int bc = c / blockSize;
        for (int k = blockRowStart(br); k < blockRowStart(br + 1); k++) {
            if (blockColIndex(k) == bc) {
                return blockValue(k, r % blockSize, c % blockSize);
            }
        }
        return 0f;
    }

    /** Fraction of stored entries in stored blocks that are non-zero (1 means no explicit zeros). */
    public double blockFill() {
        checkAlive();
        long n = (long) nnzBlocks * blockSize * blockSize;
        if (n == 0) {
            return 1.0;
        }
        long nonZero = 0;
        for (long i = 0; i < n; i++) {
            if (values.getAtIndex(CsrF32.FLOAT, i) != 0f) {
                nonZero++;
            }
        }
        return (double) nonZero / n;
    }

    /** Copies the block row pointers to a heap array. */
    public int[] blockRowPtrArray() {
        checkAlive();
        return blockRowPtr.toArray(CsrF32.INT);
    }

    /** Copies the block column indices to a heap array. */
    public int[] blockColIdxArray() {
        checkAlive();
        return blockColIdx.toArray(CsrF32.INT);
    }

    /** Copies the block values to a heap array. */
    public float[] valuesArray() {
        checkAlive();
        return values.toArray(CsrF32.FLOAT);
    }

    /**
     * Checks every invariant of the layout.
     *
     * @throws InvalidStructureException naming the first broken invariant and where
     */
    public BsrF32 checkStructure() {
        checkAlive();
        CsrF32.checkRowPtr(blockRows, nnzBlocks, i -> blockRowPtr.getAtIndex(CsrF32.INT, i));
        for (int br = 0; br < blockRows; br++) {
            checkBlockRow(br, blockRowStart(br), blockRowStart(br + 1), blockCols,
                    k -> blockColIdx.getAtIndex(CsrF32.INT, k));
        }
        checkPadding(rows, cols, blockSize, blockRows, k -> blockColIndex(k), this::blockRowStart,
                i -> values.getAtIndex(CsrF32.FLOAT, i));
        return this;
    }

    @Override
    public long byteSize() {
        return blockRowPtr.byteSize() + blockColIdx.byteSize() + values.byteSize();
    }



    @Override
    public BsrF32 checkAlive() {
        super.checkAlive();
        return this;
    }


    @Override
    public String toString() {
        return "bsr" + blockSize + "[" + rows + "x" + cols + ", blocks=" + nnzBlocks + "]";
    }

    // ------------------------------------------------------------------ validation

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static void checkBlockSize(int blockSize) {
        if (blockSize != 4 && blockSize != 8 && blockSize != 16) {
            throw new IllegalArgumentException("BSR block size must be 4, 8 or 16, got " + blockSize);
        }
    }

    static void checkDims(int rows, int cols, int blockSize, int nnzBlocks) {
        checkBlockSize(blockSize);
        if (rows < 0 || cols < 0 || nnzBlocks < 0) {
            throw new IllegalArgumentException("BSR dimensions must be non-negative: rows=" + rows + ", cols=" + cols
                    + ", blocks=" + nnzBlocks);
        }
        if ((long) ceilDiv(rows, blockSize) * ceilDiv(cols, blockSize) < nnzBlocks) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix has room for "
                    + (long) ceilDiv(rows, blockSize) * ceilDiv(cols, blockSize) + " blocks of " + blockSize + "x"
                    + blockSize + ", not " + nnzBlocks);
        }
    }

    static void validate(int rows, int cols, int blockSize, int[] blockRowPtr, int[] blockColIdx, float[] values) {
        if (blockRowPtr == null || blockColIdx == null || values == null) {
            throw new InvalidStructureException("BSR arrays must not be null");
        }
        checkDims(rows, cols, blockSize, blockColIdx.length);
        int blockRows = ceilDiv(rows, blockSize);
        int blockCols = ceilDiv(cols, blockSize);
        if (blockRowPtr.length != blockRows + 1) {
            throw new InvalidStructureException("blockRowPtr must have blockRows + 1 = " + (blockRows + 1)
                    + " entries, has " + blockRowPtr.length);
        }
        long expectedValues = (long) blockColIdx.length * blockSize * blockSize;
        if (values.length != expectedValues) {
            throw new InvalidStructureException("values must hold " + blockColIdx.length + " blocks of " + blockSize
                    + "x" + blockSize + " = " + expectedValues + " floats, has " + values.length);
        }
        CsrF32.checkRowPtr(blockRows, blockColIdx.length, i -> blockRowPtr[(int) i]);
        for (int br = 0; br < blockRows; br++) {
            checkBlockRow(br, blockRowPtr[br], blockRowPtr[br + 1], blockCols, k -> blockColIdx[k]);
        }
        checkPadding(rows, cols, blockSize, blockRows, k -> blockColIdx[k], br -> blockRowPtr[br],
                i -> values[(int) i]);
    }

    private static void checkBlockRow(int br, int start, int end, int blockCols, CsrF32.ColAt colIdx) {
        int prev = -1;
        for (int k = start; k < end; k++) {
            int c = colIdx.at(k);
            if (c < 0 || c >= blockCols) {
                throw new InvalidStructureException("block column index out of range in block row " + br
                        + " at block " + k + ": expected 0 <= col < " + blockCols + ", got " + c);
            }
            if (c <= prev) {
                throw new InvalidStructureException((c == prev ? "duplicate" : "unsorted")
                        + " block column index in block row " + br + " at block " + k + ": expected a column > "
                        + prev + ", got " + c);
            }
            prev = c;
        }
    }

    /** Reads float element {@code i} of the block values. */
    @FunctionalInterface
    private interface FloatAt {
        float at(long i);
    }

    private static void checkPadding(int rows, int cols, int b, int blockRows, CsrF32.ColAt colIdx,
            CsrF32.ColAt rowPtr, FloatAt values) {
        if (rows % b == 0 && cols % b == 0) {
            return;
        }
        for (int br = 0; br < blockRows; br++) {
            for (int k = rowPtr.at(br); k < rowPtr.at(br + 1); k++) {
                int bc = colIdx.at(k);
                for (int r = 0; r < b; r++) {
                    for (int c = 0; c < b; c++) {
                        boolean padding = br * b + r >= rows || bc * b + c >= cols;
                        if (padding && values.at(((long) k * b + r) * b + c) != 0f) {
                            throw new InvalidStructureException("padding entry (" + (br * b + r) + ", " + (bc * b + c)
                                    + ") of block " + k + " lies outside the " + rows + "x" + cols
                                    + " matrix and must be 0, is " + values.at(((long) k * b + r) * b + c));
                        }
                    }
                }
            }
        }
    }
}
