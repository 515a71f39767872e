package dev.thimble.fl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchesTest {
    @Test
    void everyEpochVisitsEverySampleOnceInBatchesWithAShortLastOne() {
        // labels 0..9 identify the samples: each epoch's labels must be a permutation of them
        byte[] pixels = new byte[10];
        byte[] labels = new byte[10];
        for (int i = 0; i < 10; i++) {
            labels[i] = (byte) i;
        }
        Dataset data = Dataset.of("ten", pixels, labels, 10, 1);
        List<Integer> counts = new ArrayList<>();
        List<Integer> visited = new ArrayList<>();
        try (TensorArena arena = TensorArena.open(); DenseF32 x = arena.dense(4, 1)) {
            Batches.Progress p = Batches.epochs(data, 2, x, new SplittableRandom(1), (xb, ls, count) -> {
                assertEquals(count, xb.dim(0));
                counts.add(count);
                for (int i = 0; i < count; i++) {
                    visited.add(ls[i]);
                }
                return 0.5 * count;
            });
            assertEquals(List.of(4, 4, 2, 4, 4, 2), counts);
            assertEquals(20, p.samples());
            assertEquals(10.0, p.lossSum());
            assertEquals(0.5, p.meanLoss());
        }
        for (int epoch = 0; epoch < 2; epoch++) {
            int[] seen = visited.subList(10 * epoch, 10 * epoch + 10).stream().mapToInt(Integer::intValue).sorted()
                    .toArray();
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, seen, "epoch " + epoch);
        }
        assertTrue(!visited.subList(0, 10).equals(visited.subList(10, 20)), "reshuffled per epoch: " + visited);
    }

    @Test
    void noEpochsMeanNoLoss() {
        Dataset data = Dataset.of("one", new byte[1], new byte[1], 2, 1);
        try (TensorArena arena = TensorArena.open(); DenseF32 x = arena.dense(1, 1)) {
            Batches.Progress p = Batches.epochs(data, 0, x, new SplittableRandom(1), (xb, ls, count) -> 1);
            assertEquals(0, p.samples());
            assertTrue(Double.isNaN(p.meanLoss()));
        }
    }
}
