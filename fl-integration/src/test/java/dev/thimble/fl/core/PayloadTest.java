package dev.thimble.fl.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import org.junit.jupiter.api.Test;

/** Each encoding counts the bytes it would send and scatters only what it sends. */
class PayloadTest {

    @Test
    void byteSizesAreAsSent() {
        try (TensorArena arena = TensorArena.builder().name("payload-test").leakCheck(false).build()) {
            DenseF32 dense = arena.dense(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10);
            assertEquals(40, Payload.dense(dense).byteSize());

            IndexedPayload indexed = new IndexedPayload(10, new int[] {1, 4, 9}, arena.dense(new float[] {5, 6, 7}, 3));
            assertEquals(3 * 8, indexed.byteSize());

            BitMask m = arena.mask(10);
            m.set(1, true);
            m.set(4, true);
            m.set(9, true);
            BitmaskPayload masked = new BitmaskPayload(m, arena.dense(new float[] {5, 6, 7}, 3));
            assertEquals(3 * 4 + 2, masked.byteSize()); // ⌈10 / 8⌉ mask bytes

            DenseF32 out = arena.dense(10).fill(-1);
            indexed.scatterInto(out);
            assertArrayEquals(new float[] {-1, 5, -1, -1, 6, -1, -1, -1, -1, 7}, out.toArray());
            out.fill(-1);
            masked.scatterInto(out);
            assertArrayEquals(new float[] {-1, 5, -1, -1, 6, -1, -1, -1, -1, 7}, out.toArray());
            BitMask present = arena.mask(10);
            indexed.presenceInto(present);
            assertArrayEquals(m.toArray(), present.toArray());
            indexed.close();
            masked.close();
        }
    }

    @Test
    void rejectsInconsistentEncodings() {
        try (TensorArena arena = TensorArena.builder().name("payload-bad").leakCheck(false).build()) {
            assertThrows(IllegalArgumentException.class,
                    () -> new IndexedPayload(10, new int[] {4, 1}, arena.dense(new float[] {1, 2}, 2)));
            assertThrows(IllegalArgumentException.class,
                    () -> new IndexedPayload(10, new int[] {1, 10}, arena.dense(new float[] {1, 2}, 2)));
            BitMask m = arena.mask(8);
            m.set(0, true);
            assertThrows(IllegalArgumentException.class, () -> new BitmaskPayload(m, arena.dense(2)));
        }
    }
}
