package dev.thimble.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A float32 matrix in compressed sparse row form, in off-heap memory.
 *
 * <p>Invariants, all checked by {@link #checkStructure()}:
 * <ul>
 *   <li>{@code rowPtr}: int32[rows + 1], {@code rowPtr[0] == 0}, non-decreasing, {@code rowPtr[rows] == nnz};</li>
 *   <li>{@code colIdx}: int32[nnz], within each row strictly increasing (sorted, no duplicates), in {@code [0, cols)};</li>
 *   <li>{@code values}: float32[nnz], {@code values[p]} is the entry at (row of p, {@code colIdx[p]}).</li>
 * </ul>
 * Stored zeros are allowed: the structure, not the values, says which entries exist.
 */
public final class CsrF32 extends AbstractTensor {
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final int rows;
    private final int cols;
    private final int nnz;
    private final MemorySegment rowPtr;
    private final MemorySegment colIdx;
    private final MemorySegment values;

    CsrF32(int rows, int cols, int nnz, MemorySegment rowPtr, MemorySegment colIdx, MemorySegment values,
            TensorArena.Allocation memory) {
        super(memory, false);
        this.rows = rows;
        this.cols = cols;
        this.nnz = nnz;
        // allocations round empty segments up to one byte; slice to the exact lengths
        this.rowPtr = rowPtr.asSlice(0, (long) (rows + 1) * Integer.BYTES);
        this.colIdx = colIdx.asSlice(0, (long) nnz * Integer.BYTES);
        this.values = values.asSlice(0, (long) nnz * Float.BYTES);
    }

    /** Number of rows. */
    public int rows() {
        return rows;
    }

    /** Number of columns. */
    public int cols() {
        return cols;
    }

    /** Number of stored entries. */
    public int nnz() {
        return nnz;
    }

    /** Fraction of entries not stored: {@code 1 - nnz / (rows·cols)} (0 for an empty shape). */
    public double sparsity() {
        long cells = (long) rows * cols;
        return cells == 0 ? 0.0 : 1.0 - (double) nnz / cells;
    }

    /** The row pointers, int32[rows + 1]. */
    public MemorySegment rowPtrSegment() {
        return rowPtr;
    }

    /** The column indices, int32[nnz]. */
    public MemorySegment colIdxSegment() {
        return colIdx;
    }

    /** The values, float32[nnz]. */
    public MemorySegment valuesSegment() {
        return values;
    }

    /** {@code rowPtr[i]}: the position of row {@code i}'s first entry ({@code i} in {@code [0, rows]}). */
    public int rowStart(int i) {
        return rowPtr.getAtIndex(INT, i);
    }

    /** The column of the entry at position {@code p}. */
    public int colIndex(int p) {
        return colIdx.getAtIndex(INT, p);
    }

    /** The value at position {@code p}. */
    public float value(int p) {
        return values.getAtIndex(FLOAT, p);
    }

    /** Overwrites the value at position {@code p}. */
    public void setValue(int p, float v) {
        values.setAtIndex(FLOAT, p, v);
    }

    /** The value at (r, c), or 0 when not stored (binary search in the row). */
    public float get(int r, int c) {
        checkAlive();
        if (r < 0 || r >= rows || c < 0 || c >= cols) {
            throw new IndexOutOfBoundsException("(" + r + ", " + c + ") out of range for " + this);
        }
        int lo = rowStart(r);
        int hi = rowStart(r + 1) - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int col = colIndex(mid);
            if (col < c) {
                lo = mid + 1;
            } else if (col > c) {
                hi = mid - 1;
            } else {
                return value(mid);
            }
        }
        return 0f;
    }

    /** The values as a rank-1 dense view of {@code nnz} elements (for element-wise ops). */
    public DenseF32 values() {
        return new DenseF32(values, new int[] {nnz}, memory).asView();
    }

    /** Copies the row pointers to a heap array. */
    public int[] rowPtrArray() {
        checkAlive();
        return rowPtr.toArray(INT);
    }

    /** Copies the column indices to a heap array. */
    public int[] colIdxArray() {
        checkAlive();
        return colIdx.toArray(INT);
    }

    /** Copies the values to a heap array. */
    public float[] valuesArray() {
        checkAlive();
        return values.toArray(FLOAT);
    }

    /**
     * Checks every invariant of the layout.
     *
     * @throws InvalidStructureException naming the first broken invariant, its row and position
     */
    public CsrF32 checkStructure() {
        checkAlive();
        checkRowPtr(rows, nnz, i -> rowPtr.getAtIndex(INT, i));
        for (int r = 0; r < rows; r++) {
            checkRow(r, rowStart(r), rowStart(r + 1), cols, p -> colIdx.getAtIndex(INT, p));
        }
        return this;
    }

    @Override
    public long byteSize() {
        return rowPtr.byteSize() + colIdx.byteSize() + values.byteSize();
    }



    @Override
    public CsrF32 checkAlive() {
        super.checkAlive();
        return this;
    }


    @Override
    public String toString() {
        return "csr[" + rows + "x" + cols + ", nnz=" + nnz + "]";
    }

    // ------------------------------------------------------------------ validation

    static void checkDims(int rows, int cols, int nnz) {
        if (rows < 0 || cols < 0 || nnz < 0) {
            throw new IllegalArgumentException("CSR dimensions must be non-negative: rows=" + rows + ", cols=" + cols
                    + ", nnz=" + nnz);
        }
        if ((long) rows * cols < nnz) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix cannot hold nnz=" + nnz + " entries");
        }
    }

    static void validate(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        if (rowPtr == null || colIdx == null || values == null) {
            throw new InvalidStructureException("CSR arrays must not be null");
        }
        checkDims(rows, cols, colIdx.length);
        if (rowPtr.length != rows + 1) {
            throw new InvalidStructureException("rowPtr must have rows + 1 = " + (rows + 1) + " entries, has "
                    + rowPtr.length);
        }
        if (values.length != colIdx.length) {
            throw new InvalidStructureException("values has " + values.length + " entries but colIdx has "
                    + colIdx.length);
        }
        checkRowPtr(rows, colIdx.length, i -> rowPtr[(int) i]);
        for (int r = 0; r < rows; r++) {
            checkRow(r, rowPtr[r], rowPtr[r + 1], cols, p -> colIdx[p]);
        }
    }

    /** Reads int32 element {@code i} of a row-pointer array. */
    @FunctionalInterface
    interface IntAt {
        int at(long i);
    }

    /** Reads the column index at a position. */
    @FunctionalInterface
    interface ColAt {
        int at(int p);
    }

    static void checkRowPtr(int rows, int nnz, IntAt rowPtr) {
        if (rowPtr.at(0) != 0) {
            throw new InvalidStructureException("rowPtr[0] must be 0, is " + rowPtr.at(0));
        }
        for (int r = 0; r < rows; r++) {
            int a = rowPtr.at(r);
            int b = rowPtr.at(r + 1);
            if (b < a) {
                throw new InvalidStructureException("rowPtr is not non-decreasing at row " + r + ": rowPtr[" + r + "]="
                        + a + " > rowPtr[" + (r + 1) + "]=" + b);
            }
            if (b > nnz) {
                throw new InvalidStructureException("rowPtr[" + (r + 1) + "]=" + b + " exceeds nnz=" + nnz);
            }
        }
        if (rowPtr.at(rows) != nnz) {
            throw new InvalidStructureException("rowPtr[rows=" + rows + "] must equal nnz=" + nnz + ", is "
                    + rowPtr.at(rows));
        }
    }

    static void checkRow(int r, int start, int end, int cols, ColAt colIdx) {
        int prev = -1;
        for (int p = start; p < end; p++) {
            int c = colIdx.at(p);
            if (c < 0 || c >= cols) {
                throw new InvalidStructureException("column index out of range in row " + r + " at position " + p
                        + ": expected 0 <= col < " + cols + ", got " + c);
            }
            if (c <= prev) {
                throw new InvalidStructureException((c == prev ? "duplicate" : "unsorted") + " column index in row " + r
                        + " at position " + p + ": expected a column > " + prev + ", got " + c);
            }
            prev = c;
        }
    }
}
