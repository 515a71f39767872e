package dev.thimble.fl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The off-heap, in-place aggregation agrees with a plain double-precision reference. Arenas here
 * skip leak checks: they hold test scratch only (the loop tests run with leak checking on).
 */
class AggregationTest {

    /** Prepare random client models and example counts; Execute both; Assert within float rounding. */
    @ParameterizedTest
    @CsvSource({"1, 1", "7, 2", "33, 3", "1023, 5", "4098, 10"})
    void inPlaceWeightedMeanEqualsDoubleReference(int d, int clients) {
        SplittableRandom rng = new SplittableRandom(d * 31L + clients);
        float[][] models = new float[clients][d];
        float[] counts = new float[clients];
        for (int k = 0; k < clients; k++) {
            counts[k] = 1 + rng.nextInt(600);
            for (int i = 0; i < d; i++) {
                models[k][i] = (float) rng.nextGaussian();
            }
        }
        double total = 0;
        for (float c : counts) {
            total += c;
        }
        double[] reference = new double[d];
        for (int k = 0; k < clients; k++) {
            for (int i = 0; i < d; i++) {
                reference[i] += counts[k] / total * models[k][i];
            }
        }
        try (TensorArena arena = TensorArena.builder().name("aggregation-test").leakCheck(false).build()) {
            List<DenseF32> xs = new ArrayList<>();
            for (float[] m : models) {
                xs.add(arena.dense(m, d));
            }
            DenseF32 out = arena.dense(d).fill(Float.NaN); // unwritten entries would stay NaN
            Aggregation.weightedMean(counts, xs, out);
            float[] got = out.toArray();
            for (int i = 0; i < d; i++) {
                double tol = 4 * clients * Math.ulp(1f) * Math.max(1, Math.abs(reference[i]) + 3);
                assertEquals(reference[i], got[i], tol, "entry " + i);
            }
        }
    }

    @Test
    void maskedMeanAveragesOverSendersAndKeepsUnsentEntries() {
        int d = 1000;
        int clients = 4;
        SplittableRandom rng = new SplittableRandom(7);
        float[][] models = new float[clients][d];
        boolean[][] sent = new boolean[clients][d];
        float[] w = {10, 20, 30, 40};
        float[] previous = new float[d];
        for (int i = 0; i < d; i++) {
            previous[i] = (float) rng.nextGaussian();
            for (int k = 0; k < clients; k++) {
                models[k][i] = (float) rng.nextGaussian();
                sent[k][i] = i % 10 != 0 && rng.nextDouble() < 0.5; // every 10th entry: nobody sends
            }
        }
        try (TensorArena arena = TensorArena.builder().name("masked-test").leakCheck(false).build()) {
            List<DenseF32> xs = new ArrayList<>();
            List<BitMask> masks = new ArrayList<>();
            for (int k = 0; k < clients; k++) {
                xs.add(arena.dense(models[k], d));
                BitMask m = arena.mask(d);
                for (int i = 0; i < d; i++) {
                    m.set(i, sent[k][i]);
                }
                masks.add(m);
            }
            DenseF32 out = arena.dense(previous, d);
            Aggregation.maskedMean(w, xs, masks, out);
            for (int i = 0; i < d; i++) {
                double num = 0;
                double den = 0;
                for (int k = 0; k < clients; k++) {
                    if (sent[k][i]) {
                        num += (double) w[k] * models[k][i];
                        den += w[k];
                    }
                }
                double expected = den == 0 ? previous[i] : num / den;
                assertEquals(expected, out.get(i), 1e-6, "entry " + i);
            }
        }
    }

    @Test
    void maskedMeanWithFullMasksEqualsWeightedMean() {
        int d = 257;
        SplittableRandom rng = new SplittableRandom(3);
        float[] w = {3, 1, 2};
        try (TensorArena arena = TensorArena.builder().name("full-mask-test").leakCheck(false).build()) {
            List<DenseF32> xs = new ArrayList<>();
            List<BitMask> masks = new ArrayList<>();
            for (int k = 0; k < w.length; k++) {
                float[] v = new float[d];
                for (int i = 0; i < d; i++) {
                    v[i] = (float) rng.nextGaussian();
                }
                xs.add(arena.dense(v, d));
                masks.add(arena.mask(d).fill(true));
            }
            DenseF32 a = Aggregation.weightedMean(w, xs, arena.dense(d));
            DenseF32 b = Aggregation.maskedMean(w, xs, masks, arena.dense(d));
            for (int i = 0; i < d; i++) {
                assertEquals(a.get(i), b.get(i), 1e-6);
            }
        }
    }

    @Test
    void rejectsBadWeights() {
        try (TensorArena arena = TensorArena.builder().name("bad-weights").leakCheck(false).build()) {
            List<DenseF32> xs = List.of(arena.dense(3), arena.dense(3));
            DenseF32 out = arena.dense(3);
            assertThrows(IllegalArgumentException.class, () -> Aggregation.weightedMean(new float[] {0, 0}, xs, out));
            assertThrows(IllegalArgumentException.class, () -> Aggregation.weightedMean(new float[] {1}, xs, out));
            assertThrows(IllegalArgumentException.class,
                    () -> Aggregation.weightedMean(new float[] {1, -1}, xs, out));
        }
    }
}
