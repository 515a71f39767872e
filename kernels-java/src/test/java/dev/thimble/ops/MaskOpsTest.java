package dev.thimble.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.MemoryLimitExceededException;
import dev.thimble.tensor.TensorArena;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Constructed ties, edge cases and error messages of {@link MaskOps}. */
class MaskOpsTest {

    @Test
    void tiesGoToTheLowerIndex() {
        float[] x = {1f, 3f, 3f, 2f, 3f, -3f};
        assertTopK(x, 2, 1, 2);
        assertTopK(x, 4, 1, 2, 4, 5);
        assertTopK(x, 5, 1, 2, 3, 4, 5);
    }

    @Test
    void positiveAndNegativeZeroAreEqualMagnitudes() {
        assertTopK(new float[] {-0f, 0f, -0f, 0f, 1f}, 3, 0, 1, 4);
        assertTopK(new float[] {0f, -0f, 0f, -0f}, 2, 0, 1);
    }

    @Test
    void edgeCountsAndEmptyTensors() {
        assertTopK(new float[] {5f, 5f, 5f, 5f, 5f}, 3, 0, 1, 2);
        assertTopK(new float[] {5f, 5f, 5f}, 0);
        assertTopK(new float[] {4f, -1f, 0f}, 3, 0, 1, 2);
        assertTopK(new float[] {}, 0);
        assertTopK(new float[] {Float.NEGATIVE_INFINITY, Float.MAX_VALUE, Float.MIN_VALUE}, 2, 0, 1);
    }

    @Test
    void theMaskHasTheShapeOfTheTensor() {
        try (TensorArena arena = TensorArena.open();
                DenseF32 x = arena.dense(new float[] {1, 9, 2, 8, 3, 7}, 2, 3);
                BitMask mask = MaskOps.topK(arena, x, 2)) {
            assertArrayEquals(new int[] {2, 3}, mask.shape());
            assertArrayEquals(new boolean[] {false, true, false, true, false, false}, mask.toArray());
        }
    }

    @Test
    void nanIsRejectedWithItsIndex() {
        try (TensorArena arena = TensorArena.open();
                DenseF32 x = arena.dense(new float[] {1f, 2f, 3f, Float.NaN, 4f}, 5)) {
            var e = assertThrows(IllegalArgumentException.class, () -> MaskOps.topK(arena, x, 2));
            assertTrue(e.getMessage().contains("NaN at flat index 3"), e.getMessage());
            var zero = assertThrows(IllegalArgumentException.class, () -> MaskOps.topK(arena, x, 0));
            assertTrue(zero.getMessage().contains("index 3"), zero.getMessage());
            assertEquals(1, arena.liveTensors(), "a rejected call allocates nothing");
        }
    }

    @Test
    void kOutsideTheRangeIsRejected() {
        try (TensorArena arena = TensorArena.open();
                DenseF32 x = arena.dense(new float[] {1f, 2f, 3f, 4f, 5f}, 5);
                BitMask within = arena.mask(5)) {
            within.set(1, true);
            within.set(3, true);
            var negative = assertThrows(IllegalArgumentException.class, () -> MaskOps.topK(arena, x, -1));
            assertTrue(negative.getMessage().contains("k=-1 is outside [0, 5]"), negative.getMessage());
            var tooMany = assertThrows(IllegalArgumentException.class, () -> MaskOps.topK(arena, x, 6));
            assertTrue(tooMany.getMessage().contains("k=6 is outside [0, 5]"), tooMany.getMessage());
            var beyondWithin = assertThrows(IllegalArgumentException.class, () -> MaskOps.topK(arena, x, 3, within));
            assertTrue(beyondWithin.getMessage().contains("k=3 is outside [0, 2]"), beyondWithin.getMessage());
            assertEquals(2, arena.liveTensors());
        }
    }

    @Test
    void withinMustMatchTheSize() {
        try (TensorArena arena = TensorArena.open();
                DenseF32 x = arena.dense(4);
                BitMask within = arena.mask(5)) {
            var e = assertThrows(IllegalArgumentException.class, () -> MaskOps.topK(arena, x, 1, within));
            assertTrue(e.getMessage().contains("dense[4]") && e.getMessage().contains("mask[5]"), e.getMessage());
        }
    }

    @Test
    void withinShrinksAnExistingMaskAndReadsViews() {
        try (TensorArena arena = TensorArena.open();
                DenseF32 x = arena.dense(new float[] {9f, Float.NaN, 1f, 5f, 5f, 2f, 7f}, 7);
                BitMask big = arena.mask(100)) {
            BitMask within = big.view(61, 7); // straddles two words
            for (int i : new int[] {0, 2, 3, 4, 5}) {
                within.set(i, true);
            }
            big.set(60, true); // a neighbour's bit, outside the view
            big.set(68, true);
            try (BitMask mask = MaskOps.topK(arena, x, 3, within)) {
                assertArrayEquals(new boolean[] {true, false, false, true, true, false, false}, mask.toArray());
            }
        }
    }

    @Test
    void globalTiesGoToTheLowerTensorThenTheLowerIndex() {
        try (TensorArena arena = TensorArena.open();
                DenseF32 a = arena.dense(new float[] {2f, 1f}, 2);
                DenseF32 empty = arena.dense(0);
                DenseF32 b = arena.dense(new float[] {-2f, 2f, 3f}, 3)) {
            List<BitMask> masks = MaskOps.globalTopK(arena, List.of(a, empty, b), 3);
            assertArrayEquals(new boolean[] {true, false}, masks.get(0).toArray());
            assertEquals(0, masks.get(1).size());
            assertArrayEquals(new boolean[] {true, false, true}, masks.get(2).toArray());
            masks.forEach(BitMask::close);
            var nan = assertThrows(IllegalArgumentException.class, () -> {
                b.set(1, Float.NaN);
                MaskOps.globalTopK(arena, List.of(a, b), 1);
            });
            assertTrue(nan.getMessage().contains("xs[1]") && nan.getMessage().contains("index 1"), nan.getMessage());
            assertEquals(List.of(), MaskOps.globalTopK(arena, List.of(), 0));
        }
    }

    @Test
    void globalTopKOverViewsOfOneParameterVector() {
        try (TensorArena arena = TensorArena.open();
                DenseF32 flat = arena.dense(new float[] {1, 6, 2, 5, 3, 4, 0, 7}, 8)) {
            List<DenseF32> layers = List.of(flat.view(0, 3), flat.view(3, 1, 2), flat.view(5, 3));
            List<BitMask> masks = MaskOps.globalTopK(arena, layers, 4);
            assertArrayEquals(new boolean[] {false, true, false}, masks.get(0).toArray());
            assertArrayEquals(new int[] {1, 2}, masks.get(1).shape());
            assertArrayEquals(new boolean[] {true, false}, masks.get(1).toArray());
            assertArrayEquals(new boolean[] {true, false, true}, masks.get(2).toArray());
            masks.forEach(BitMask::close);
        }
    }

    @Test
    void aFailedGlobalAllocationClosesTheMasksAlreadyMade() {
        // two 4032-byte tensors, then room for one 128-byte mask but not two
        try (TensorArena arena = TensorArena.builder().limitBytes(2 * 4032 + 128 + 64).build();
                DenseF32 a = arena.dense(1000);
                DenseF32 b = arena.dense(1000)) {
            assertThrows(MemoryLimitExceededException.class, () -> MaskOps.globalTopK(arena, List.of(a, b), 10));
            assertEquals(2, arena.liveTensors());
            assertEquals(2 * 4032, arena.currentBytes());
        }
    }

    @Test
    void thresholdKeepsOnlyStrictlyLargerMagnitudes() {
        try (TensorArena arena = TensorArena.open();
                DenseF32 x = arena.dense(new float[] {1f, 2f, -2f, 3f, Float.NaN, -0f}, 6);
                BitMask two = MaskOps.threshold(arena, x, 2f);
                BitMask negative = MaskOps.threshold(arena, x, -1f)) {
            assertArrayEquals(new boolean[] {false, false, false, true, false, false}, two.toArray());
            assertArrayEquals(new boolean[] {true, true, true, true, false, true}, negative.toArray());
            var e = assertThrows(IllegalArgumentException.class, () -> MaskOps.threshold(arena, x, Float.NaN));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        }
    }

    @Test
    void aMillionParametersKeepExactlyK() {
        int n = 1 << 20;
        Random random = new Random(7);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        long k = n / 10;
        try (TensorArena arena = TensorArena.open();
                DenseF32 x = arena.dense(values, n);
                BitMask mask = MaskOps.topK(arena, x, k)) {
            assertEquals(k, mask.cardinality());
            MaskOpsPropertiesTest.assertKeptDominateDropped(values, mask.toArray(), null);
        }
    }

    private static void assertTopK(float[] x, long k, int... expectedIndices) {
        boolean[] expected = new boolean[x.length];
        for (int i : expectedIndices) {
            expected[i] = true;
        }
        try (TensorArena arena = TensorArena.open();
                DenseF32 t = arena.dense(x, x.length);
                BitMask mask = MaskOps.topK(arena, t, k)) {
            assertArrayEquals(expected, mask.toArray());
        }
    }
}
