package dev.thimble.fl.core;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import java.util.Objects;

/**
 * The present entries of a vector as (int32 position, float32 value) pairs: {@code 8·nnz} bytes on
 * the wire. Positions are strictly increasing. Cheaper than {@link BitmaskPayload} while the
 * density stays below 1/32 (where {@code 4·nnz} index bytes fall under {@code d/8} mask bytes).
 *
 * @param dimension d, the length of the full vector
 * @param indices the positions, strictly increasing, in [0, d)
 * @param values the values at those positions, {@code indices.length} of them; owned
 */
public record IndexedPayload(long dimension, int[] indices, DenseF32 values) implements Payload {

    /** Checks that indices and values agree and that the positions are increasing and in range. */
    public IndexedPayload {
        Objects.requireNonNull(indices, "indices");
        if (values.size() != indices.length) {
            throw new IllegalArgumentException("indexed payload: " + indices.length + " indices but " + values.size()
                    + " values");
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= dimension || (i > 0 && indices[i] <= indices[i - 1])) {
                throw new IllegalArgumentException("indexed payload: index " + indices[i] + " at " + i
                        + " is out of order or outside [0, " + dimension + ")");
            }
        }
    }

    @Override
    public long presentCount() {
        return indices.length;
    }

    @Override
    public long byteSize() {
        return (long) (Integer.BYTES + Float.BYTES) * indices.length;
    }

    @Override
    public void scatterInto(DenseF32 out) {
        for (int i = 0; i < indices.length; i++) {
            out.set(indices[i], values.get(i));
        }
    }

    @Override
    public void presenceInto(BitMask present) {
        present.fill(false);
        for (int i : indices) {
            present.set(i, true);
        }
    }

    @Override
    public void close() {
        values.close();
    }
}
