package dev.thimble.fl.data;

import static dev.thimble.fl.data.IdxTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class DatasetTest {
    /** Three 1×2×2 samples with labels 2, 0, 1. */
    private static Dataset tiny() {
        return Dataset.of("tiny", new byte[] {0, (byte) 255, 51, 102, 1, 2, 3, 4, (byte) 128, 0, 0, 0},
                new byte[] {2, 0, 1}, 3, 1, 2, 2);
    }

    @Test
    void fillBatchScalesBytesToUnitInterval() {
        Dataset d = tiny();
        int[] labels = new int[2];
        try (TensorArena arena = TensorArena.open("test"); DenseF32 x = arena.dense(2, 1, 2, 2)) {
            d.fillBatch(new int[] {1, 0, 2}, 1, 2, x, labels);
            assertArrayEquals(new float[] {0, 1, 0.2f, 0.4f, 128 / 255f, 0, 0, 0}, x.toArray(), 1e-7f);
            assertArrayEquals(new int[] {2, 1}, labels);
        }
    }

    @Test
    void fillBatchWritesOnlyTheFirstRowsOfALargerAndFlatTensor() {
        Dataset d = tiny();
        int[] labels = {-1, -1, -1};
        try (TensorArena arena = TensorArena.open("test"); DenseF32 x = arena.dense(3, 4)) {
            x.fill(7);
            d.fillBatch(new int[] {2}, 0, 1, x, labels);
            assertArrayEquals(new float[] {128 / 255f, 0, 0, 0, 7, 7, 7, 7, 7, 7, 7, 7}, x.toArray(), 1e-7f);
            assertArrayEquals(new int[] {1, -1, -1}, labels);
        }
    }

    @Test
    void fillBatchRejectsTensorsThatDoNotFit() {
        Dataset d = tiny();
        int[] idx = {0, 1, 2};
        try (TensorArena arena = TensorArena.open("test"); DenseF32 small = arena.dense(2, 4);
                DenseF32 wrongRow = arena.dense(3, 5)) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> d.fillBatch(idx, 0, 3, small, new int[3])),
                    "3 samples", "[1, 2, 2]");
            assertThrows(IllegalArgumentException.class, () -> d.fillBatch(idx, 0, 3, wrongRow, new int[3]));
            assertThrows(IllegalArgumentException.class, () -> d.fillBatch(idx, 0, 2, small, new int[1]));
            assertThrows(IndexOutOfBoundsException.class, () -> d.fillBatch(idx, 2, 2, small, new int[2]));
            assertThrows(IndexOutOfBoundsException.class, () -> d.fillBatch(new int[] {3}, 0, 1, small, new int[2]));
        }
    }

    @Test
    void fillBatchAllocatesNothingPerCall() {
        Dataset d = Synthetic.images(256, 1);
        int[] idx = new int[256];
        java.util.Arrays.setAll(idx, i -> 255 - i);
        int[] labels = new int[32];
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        try (TensorArena arena = TensorArena.open("test"); DenseF32 x = arena.dense(32, 1, 28, 28)) {
            for (int warm = 0; warm < 2000; warm++) {
                d.fillBatch(idx, (warm * 32) % 256, 32, x, labels);
            }
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 1000; i++) {
                d.fillBatch(idx, (i * 32) % 256, 32, x, labels);
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            // generous slack for the measuring itself; a per-call allocation would cost at least 16 KB
            assertTrue(allocated < 16_000, "1000 calls allocated " + allocated + " bytes");
        }
    }

    @Test
    void subsetIsAViewThatComposes() {
        Dataset d = tiny();
        Dataset s = d.subset(new int[] {2, 0, 2});
        assertEquals(3, s.size());
        assertArrayEquals(new int[] {1, 2, 1}, new int[] {s.label(0), s.label(1), s.label(2)});
        assertArrayEquals(new int[] {0, 2, 1}, s.classCounts());
        Dataset ss = s.subset(new int[] {1});
        assertEquals(2, ss.label(0));
        assertThrows(IndexOutOfBoundsException.class, () -> s.subset(new int[] {3}));
        try (TensorArena arena = TensorArena.open("test"); DenseF32 x = arena.dense(1, 4)) {
            int[] labels = new int[1];
            ss.fillBatch(new int[] {0}, 0, 1, x, labels);
            assertArrayEquals(new float[] {0, 1, 0.2f, 0.4f}, x.toArray(), 1e-7f);
        }
    }

    @Test
    void normalisationIsOffByDefaultAndAppliedWhenSet() {
        Dataset d = tiny();
        assertTrue(d.normalization().isNone());
        Normalization n = Normalization.fit(d);
        double mean = (0 + 255 + 51 + 102 + 1 + 2 + 3 + 4 + 128) / 255.0 / 12;
        assertEquals(mean, n.mean(), 1e-12);
        Dataset nd = d.withNormalization(n);
        try (TensorArena arena = TensorArena.open("test"); DenseF32 x = arena.dense(1, 4)) {
            nd.fillBatch(new int[] {0}, 0, 1, x, new int[1]);
            assertEquals((1 - mean) / n.std(), x.get(1), 1e-6);
            assertEquals((0 - mean) / n.std(), x.get(0), 1e-6);
        }
        assertThrows(IllegalArgumentException.class, () -> new Normalization(0, 0));
    }

    @Test
    void ofCopiesAndValidates() {
        byte[] pixels = {1, 2, 3, 4};
        Dataset d = Dataset.of("d", pixels, new byte[] {0}, 2, 4);
        pixels[0] = 99;
        float[] out = new float[1];
        try (TensorArena arena = TensorArena.open("test"); DenseF32 x = arena.dense(1, 4)) {
            d.fillBatch(new int[] {0}, 0, 1, x, new int[1]);
            out[0] = x.get(0);
        }
        assertEquals(1 / 255f, out[0]);
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Dataset.of("d", new byte[3], new byte[] {0}, 2, 4)), "3 pixel bytes", "[4]");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Dataset.of("d", new byte[4], new byte[] {2}, 2, 4)), "label 2", "numClasses=2");
    }
}
