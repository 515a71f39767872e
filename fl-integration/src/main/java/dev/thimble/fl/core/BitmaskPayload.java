package dev.thimble.fl.core;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;

/**
 * The present entries of a vector as a bitmask over all d positions plus the values of the set
 * bits in position order: {@code 4·nnz + ⌈d/8⌉} bytes on the wire. The natural encoding of a
 * pruned model whose mask the server knows the shape of (FedDIP, ZeroFL).
 *
 * @param mask which positions are sent; owned
 * @param values the values of the set bits, in order, {@code mask.cardinality()} of them; owned
 */
public record BitmaskPayload(BitMask mask, DenseF32 values) implements Payload {

    /** Checks that the mask's cardinality equals the number of values. */
    public BitmaskPayload {
        long nnz = mask.cardinality();
        if (nnz != values.size()) {
            throw new IllegalArgumentException("bitmask payload: mask has " + nnz + " set bits but " + values.size()
                    + " values");
        }
    }

    @Override
    public long dimension() {
        return mask.size();
    }

    @Override
    public long presentCount() {
        return values.size();
    }

    @Override
    public long byteSize() {
        return Float.BYTES * values.size() + (mask.size() + 7) / 8;
    }

    @Override
    public void scatterInto(DenseF32 out) {
        long k = 0;
        for (long i = 0, d = mask.size(); i < d; i++) {
            if (mask.get(i)) {
                out.set(i, values.get(k++));
            }
        }
    }

    @Override
    public void presenceInto(BitMask present) {
        present.copyFrom(mask);
    }

    @Override
    public void close() {
        values.close();
        mask.close();
    }
}
