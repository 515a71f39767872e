package dev.thimble.fl.core;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;

/**
 * Every entry of a vector, {@code 4·d} bytes on the wire.
 *
 * @param values the vector
 * @param owned whether {@link #close()} frees {@code values}
 */
public record DensePayload(DenseF32 values, boolean owned) implements Payload {

    /** A dense payload that owns {@code values} (e.g. a client's upload copied into the receive arena). */
    public static DensePayload owning(DenseF32 values) {
        return new DensePayload(values, true);
    }

    @Override
    public long dimension() {
        return values.size();
    }

    @Override
    public long presentCount() {
        return values.size();
    }

    @Override
    public long byteSize() {
        return Float.BYTES * values.size();
    }

    @Override
    public void scatterInto(DenseF32 out) {
        out.copyFrom(values);
    }

    @Override
    public void presenceInto(BitMask present) {
        present.fill(true);
    }

    @Override
    public void close() {
        if (owned) {
            values.close();
        }
    }
}
