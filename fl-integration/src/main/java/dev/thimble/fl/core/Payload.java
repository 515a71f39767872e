package dev.thimble.fl.core;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;

/**
 * A vector as it travels between server and client, with the exact number of bytes it takes on
 * the wire, so communication is counted as sent rather than as the dense size of the model.
 *
 * <p>Encodings and their sizes (float32 values, nothing compressed further):
 * <ul>
 *   <li>{@link DensePayload}: every entry, {@code 4·d} bytes;</li>
 *   <li>{@link IndexedPayload}: the present entries' values and their int32 positions,
 *       {@code 8·nnz} bytes (cheapest below density 1/32);</li>
 *   <li>{@link BitmaskPayload}: the present entries' values and a bitmask of the positions,
 *       {@code 4·nnz + ⌈d/8⌉} bytes (cheaper than indices once density exceeds 1/32).</li>
 * </ul>
 * A payload made by a client lives in the arena the loop gives for uploads (the server's receive
 * buffer) and the loop closes it after aggregation; a payload a strategy sends may share the
 * global model's memory, which the loop never closes.
 */
public sealed interface Payload extends AutoCloseable permits DensePayload, IndexedPayload, BitmaskPayload {

    /** Number of entries of the full vector, {@code d}. */
    long dimension();

    /** Number of entries actually sent. */
    long presentCount();

    /** Bytes on the wire under this encoding. */
    long byteSize();

    /**
     * Writes the sent entries into {@code out} (length d) and leaves the others as they were.
     *
     * @param out (Output) receives the present entries
     */
    void scatterInto(DenseF32 out);

    /**
     * Marks in {@code present} (length d) the positions this payload sends, and clears the others.
     *
     * @param present (Output) one bit per entry
     */
    void presenceInto(BitMask present);

    /** Frees the payload's tensors (a no-op for those it only borrows). */
    @Override
    void close();

    /** A dense payload over {@code values}, borrowing (not owning) them. */
    static DensePayload dense(DenseF32 values) {
        return new DensePayload(values, false);
    }
}
