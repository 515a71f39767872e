package dev.thimble.fl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticTest {

    @Test
    void sameSeedSameDataOtherSeedOtherData() {
        float[] a = pixels(Synthetic.images(50, 7));
        assertArrayEquals(a, pixels(Synthetic.images(50, 7)));
        assertFalse(Arrays.equals(a, pixels(Synthetic.images(50, 8))));
    }

    @Test
    void classesAreBalancedAndShapesConfigurable() {
        Dataset d = Synthetic.generate("flat", 103, 4, 0.2, 1, 16);
        assertArrayEquals(new int[] {26, 26, 26, 25}, d.classCounts());
        assertArrayEquals(new int[] {16}, d.sampleShape());
        int[] counts = Synthetic.images(1000, 3).classCounts();
        assertTrue(Arrays.stream(counts).allMatch(c -> c == 100), Arrays.toString(counts));
    }

    /** A nearest-class-mean classifier fit on 500 samples labels fresh samples far above chance (10%). */
    @Test
    void isLearnable() {
        Dataset train = Synthetic.images(1500, 5);
        float[] x = pixels(train);
        int f = train.sampleSize();
        double[][] means = new double[10][f];
        for (int i = 0; i < 500; i++) {
            for (int j = 0; j < f; j++) {
                means[train.label(i)][j] += x[i * f + j] / 50.0;
            }
        }
        int correct = 0;
        for (int i = 500; i < 1500; i++) {
            int best = -1;
            double bestDist = Double.MAX_VALUE;
            for (int c = 0; c < 10; c++) {
                double dist = 0;
                for (int j = 0; j < f; j++) {
                    double diff = x[i * f + j] - means[c][j];
                    dist += diff * diff;
                }
                if (dist < bestDist) {
                    bestDist = dist;
                    best = c;
                }
            }
            correct += best == train.label(i) ? 1 : 0;
        }
        assertTrue(correct > 900, correct + " / 1000 correct");
    }

    private static float[] pixels(Dataset d) {
        int[] idx = new int[d.size()];
        Arrays.setAll(idx, i -> i);
        try (TensorArena arena = TensorArena.open("test"); DenseF32 x = arena.dense(d.size(), d.sampleSize())) {
            d.fillBatch(idx, 0, d.size(), x, new int[d.size()]);
            return x.toArray();
        }
    }
}
