package dev.thimble.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A dense float32 tensor of rank 1 to 4, row-major and contiguous, in off-heap memory.
 *
 * <p>Views ({@link #reshape}, {@link #slice}, {@link #row}, {@link #view}) share this tensor's
 * memory and own none of it. Element accessors check their indices; the kernels read
 * {@link #segment()} directly.
 */
public final class DenseF32 extends AbstractTensor {
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final MemorySegment segment;
    private final int[] shape;
    private final long size;

    DenseF32(MemorySegment segment, int[] shape, TensorArena.Allocation owned) {
        this(segment, shape, owned, false);
    }

    private DenseF32(MemorySegment segment, int[] shape, TensorArena.Allocation memory, boolean view) {
        super(memory, view);
        this.segment = segment;
        this.shape = shape;
        this.size = Shapes.size(shape);
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** The number of dimensions, 1 to 4. */
    public int rank() {
        return shape.length;
    }

    /** The extent of dimension {@code d}. */
    public int dim(int d) {
        return shape[d];
    }

    /** The number of elements. */
    public long size() {
        return size;
    }

    /** Rows of a matrix (rank 2). */
    public int rows() {
        requireMatrix();
        return shape[0];
    }

    /** Columns of a matrix (rank 2). */
    public int cols() {
        requireMatrix();
        return shape[1];
    }

    /** The memory of the elements, {@code size() * 4} bytes, row-major. */
    public MemorySegment segment() {
        return segment;
    }

    /** Reads element {@code i} of the flattened tensor. */
    public float get(long i) {
        return segment.getAtIndex(FLOAT, checkIndex(i));
    }

    /** Writes element {@code i} of the flattened tensor. */
    public void set(long i, float v) {
        segment.setAtIndex(FLOAT, checkIndex(i), v);
    }

    /** Reads element (r, c) of a matrix. */
    public float get(int r, int c) {
        return segment.getAtIndex(FLOAT, matrixIndex(r, c));
    }

    /** Writes element (r, c) of a matrix. */
    public void set(int r, int c, float v) {
        segment.setAtIndex(FLOAT, matrixIndex(r, c), v);
    }

    /** Sets every element to {@code v}. */
    public DenseF32 fill(float v) {
        checkAlive();
        if (v == 0f && Float.floatToRawIntBits(v) == 0) {
            segment.fill((byte) 0);
        } else {
            for (long i = 0; i < size; i++) {
                segment.setAtIndex(FLOAT, i, v);
            }
        }
        return this;
    }

    /** Copies {@code data} (of exactly {@link #size()} elements) into this tensor. */
    public DenseF32 copyFrom(float[] data) {
        checkAlive();
        if (data.length != size) {
            throw new IllegalArgumentException("cannot copy " + data.length + " values into " + this);
        }
        MemorySegment.copy(data, 0, segment, FLOAT, 0, data.length);
        return this;
    }

    /** Copies the values of {@code src}, which must have the same number of elements. */
    public DenseF32 copyFrom(DenseF32 src) {
        checkAlive();
        src.checkAlive();
        if (src.size != size) {
            throw new IllegalArgumentException("cannot copy " + src + " into " + this + ": sizes differ");
        }
        MemorySegment.copy(src.segment, 0, segment, 0, size * Float.BYTES);
        return this;
    }

    /** The elements in a new heap array (at most 2³¹−1 of them). */
    public float[] toArray() {
        checkAlive();
        return segment.toArray(FLOAT);
    }

    /** A view with another shape of the same number of elements. */
    public DenseF32 reshape(int... newShape) {
        Shapes.check(newShape);
        if (Shapes.size(newShape) != size) {
            throw new IllegalArgumentException("cannot reshape " + this + " to " + Shapes.toString(newShape)
                    + ": " + size + " vs " + Shapes.size(newShape) + " elements");
        }
        return new DenseF32(segment, newShape.clone(), memory, true);
    }

    /** A view of indices {@code [from, to)} of the first dimension. */
    public DenseF32 slice(int from, int to) {
        if (from < 0 || to < from || to > shape[0]) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") out of range for " + this);
        }
        long inner = shape[0] == 0 ? 0 : size / shape[0];
        int[] s = shape.clone();
        s[0] = to - from;
        return new DenseF32(segment.asSlice(from * inner * Float.BYTES, (to - from) * inner * Float.BYTES), s, memory,
                true);
    }

    /** A rank-1 view of row {@code r} of a matrix. */
    public DenseF32 row(int r) {
        requireMatrix();
        return slice(r, r + 1).reshape(shape[1]);
    }

    /**
     * A view of the elements starting at flat offset {@code offset}, with the given shape; this is
     * how per-layer tensors share one flat parameter vector.
     */
    public DenseF32 view(long offset, int... viewShape) {
        Shapes.check(viewShape);
        long n = Shapes.size(viewShape);
        if (offset < 0 || offset > size - n) {
            throw new IndexOutOfBoundsException("view of " + n + " elements at offset " + offset
                    + " does not fit in " + this);
        }
        return new DenseF32(segment.asSlice(offset * Float.BYTES, n * Float.BYTES), viewShape.clone(), memory, true);
    }

    /** This tensor's memory seen as a view (used for value arrays of sparse tensors). */
    DenseF32 asView() {
        return new DenseF32(segment, shape, memory, true);
    }

    @Override
    public long byteSize() {
        return size * Float.BYTES;
    }



    @Override
    public DenseF32 checkAlive() {
        super.checkAlive();
        return this;
    }


    @Override
    public String toString() {
        return (isView() ? "dense view" : "dense") + Shapes.toString(shape);
    }

    /** Compares shape and values, for tests; NaN equals NaN. */
    public boolean contentEquals(DenseF32 other) {
        return Arrays.equals(shape, other.shape) && Arrays.equals(toArray(), other.toArray());
    }

    private void requireMatrix() {
        if (shape.length != 2) {
            throw new IllegalArgumentException("expected a matrix (rank 2) but got " + this);
        }
    }

    private long checkIndex(long i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + " out of range for " + this + " of " + size + " elements");
        }
        return i;
    }

    private long matrixIndex(int r, int c) {
        requireMatrix();
        if (r < 0 || r >= shape[0] || c < 0 || c >= shape[1]) {
            throw new IndexOutOfBoundsException("(" + r + ", " + c + ") out of range for " + this);
        }
        return (long) r * shape[1] + c;
    }
}
