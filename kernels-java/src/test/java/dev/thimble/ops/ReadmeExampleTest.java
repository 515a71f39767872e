package dev.thimble.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import org.junit.jupiter.api.Test;

/** The README's example, kept true: same code, with its results checked. */
class ReadmeExampleTest {

    @Test
    void readmeExampleComputesWhatItSays() {
        try (TensorArena arena = TensorArena.builder().name("client-7").limitMiB(64).build();
                CsrF32 w = arena.csr(3, 4, new int[] {0, 2, 2, 3}, new int[] {0, 3, 1}, new float[] {1f, 2f, 3f});
                DenseF32 b = arena.dense(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
                DenseF32 c = arena.dense(3, 2)) {
            SpmmOps.csr(w, b, c);
            // row 0: 1·(1,2) + 2·(7,8) = (15, 18); row 1 empty; row 2: 3·(3,4) = (9, 12)
            assertArrayEquals(new float[] {15, 18, 0, 0, 9, 12}, c.toArray());
            SpmmOps.csr(KernelContext.global(), 2f, w, b, 1f, c);
            assertArrayEquals(new float[] {45, 54, 0, 0, 27, 36}, c.toArray());
            assertTrue(arena.peakBytes() > 0);
        }
    }
}
