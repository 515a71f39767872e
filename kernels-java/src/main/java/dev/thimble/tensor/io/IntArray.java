package dev.thimble.tensor.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A small int32 array on the heap (labels, indices), row-major, of rank 0 to 4.
 *
 * <p>The shape is copied; {@code data} is not (the record wraps the caller's array). Equality
 * compares shape and contents.
 *
 * @param shape the extent of each dimension; empty for a scalar
 * @param data the elements, row-major, exactly as many as the shape holds
 */
public record IntArray(int[] shape, int[] data) {
    /** The highest rank supported, as for dense tensors. */
    public static final int MAX_RANK = 4;

    /** Checks that the shape is valid and matches the number of elements. */
    public IntArray {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException("IntArray supports rank 0 to " + MAX_RANK + ", got shape "
                    + Arrays.toString(shape));
        }
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d; // n <= 2^31-1 before and d < 2^31, so the product cannot overflow a long
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " exceeds 2^31-1 elements");
            }
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " elements, data has " + data.length);
        }
        shape = shape.clone();
    }

    /** A rank-1 array wrapping {@code data}. */
    public static IntArray of(int... data) {
        return new IntArray(new int[] {data.length}, data);
    }

    /** The shape (a copy). */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Equal when the other is an IntArray with the same shape and elements. */
    @Override
    public boolean equals(Object o) {
        return o instanceof IntArray other && Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
    }

    /** A hash of the shape and elements, consistent with {@link #equals}. */
    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    /** The shape, and the elements when there are at most 16. */
    @Override
    public String toString() {
        return "IntArray" + Arrays.toString(shape) + (data.length <= 16 ? Arrays.toString(data) : "");
    }
}
