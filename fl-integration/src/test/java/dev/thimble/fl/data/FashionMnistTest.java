package dev.thimble.fl.data;

import static dev.thimble.fl.data.IdxTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the real files of Debian's dataset-fashion-mnist (skipped where the package is not installed). */
class FashionMnistTest {
    private static FashionMnist.Split data;

    @BeforeAll
    static void load() throws IOException {
        Path dir = FashionMnist.defaultDir();
        assumeTrue(Files.isDirectory(dir), "Fashion-MNIST not installed in " + dir);
        long t0 = System.nanoTime();
        data = FashionMnist.load(dir);
        System.out.printf("loaded Fashion-MNIST from %s in %d ms%n", dir, (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    void hasTheKnownSizesShapesAndBalancedClasses() {
        assertEquals(60_000, data.train().size());
        assertEquals(10_000, data.test().size());
        for (Dataset d : new Dataset[] {data.train(), data.test()}) {
            assertArrayEquals(new int[] {1, 28, 28}, d.sampleShape());
            assertEquals(784, d.sampleSize());
            assertEquals(10, d.numClasses());
        }
        int[] train = new int[10];
        Arrays.fill(train, 6000);
        int[] test = new int[10];
        Arrays.fill(test, 1000);
        assertArrayEquals(train, data.train().classCounts());
        assertArrayEquals(test, data.test().classCounts());
        assertEquals(9, data.train().label(0), "the first training image is an ankle boot");
    }

    @Test
    void batchesAreInTheUnitIntervalAndUseTheWholeRange() {
        int[] idx = new int[64];
        Arrays.setAll(idx, i -> i * 900);
        int[] labels = new int[64];
        try (TensorArena arena = TensorArena.open("test"); DenseF32 x = arena.dense(64, 1, 28, 28)) {
            data.train().fillBatch(idx, 0, 64, x, labels);
            float[] v = x.toArray();
            double min = 1;
            double max = 0;
            for (float f : v) {
                min = Math.min(min, f);
                max = Math.max(max, f);
            }
            assertEquals(0, min);
            assertEquals(1, max);
            for (int b = 0; b < 64; b++) {
                assertEquals(data.train().label(idx[b]), labels[b]);
            }
        }
    }

    @Test
    void fittedNormalisationMatchesThePublishedStatistics() {
        Normalization n = Normalization.fit(data.train());
        assertEquals(0.2860, n.mean(), 5e-4);
        assertEquals(0.3530, n.std(), 5e-4);
    }

    @Test
    void missingFilesSayHowToInstallThem(@TempDir Path empty) throws IOException {
        FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> FashionMnist.load(empty));
        assertMessage(e, "apt-get install dataset-fashion-mnist", FashionMnist.DIR_PROPERTY, FashionMnist.DIR_ENV,
                "--data-dir", "train-images-idx3-ubyte", "t10k-labels-idx1-ubyte", empty.toString());
        e = assertThrows(FileNotFoundException.class, () -> FashionMnist.load(empty.resolve("nope")));
        assertMessage(e, "does not exist", "apt-get install dataset-fashion-mnist");
    }
}
