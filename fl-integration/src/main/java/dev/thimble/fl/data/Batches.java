package dev.thimble.fl.data;

import dev.thimble.tensor.DenseF32;
import java.util.SplittableRandom;

/** Small helpers every local trainer needs to walk its data in mini-batches. */
public final class Batches {
    private Batches() {
    }

    /** One training step of {@link #epochs}; returns the batch's summed loss (mean loss × count). */
    @FunctionalInterface
    public interface Step {
        /**
         * @param x (Input) the batch, {@code count} samples (a slice of the staging buffer when short)
         * @param labels (Input) their labels in {@code [0, count)}
         */
        double run(DenseF32 x, int[] labels, int count);
    }

    /** What {@link #epochs} went through: the summed loss and the samples seen. */
    public record Progress(double lossSum, long samples) {
        /** The mean loss per sample; NaN when no sample was seen. */
        public double meanLoss() {
            return samples == 0 ? Double.NaN : lossSum / samples;
        }
    }

    /**
     * {@code epochs} passes over {@code data} in mini-batches of {@code x.dim(0)} samples (the
     * last one of a pass short), in an order reshuffled from {@code rng} at the start of each pass:
     * the local loop every trainer runs. {@code x} is the staging buffer the samples are converted
     * into ({@link Dataset#fillBatch}).
     */
    public static Progress epochs(Dataset data, int epochs, DenseF32 x, SplittableRandom rng, Step step) {
        int n = data.size();
        int b = x.dim(0);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int[] labels = new int[b];
        double lossSum = 0;
        long seen = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            shuffle(order, rng);
            for (int from = 0; from < n; from += b) {
                int count = Math.min(b, n - from);
                data.fillBatch(order, from, count, x, labels);
                lossSum += step.run(count == b ? x : x.slice(0, count), labels, count);
                seen += count;
            }
        }
        return new Progress(lossSum, seen);
    }

    /** {@code [b, sample...]}: the shape of a batch of {@code b} samples of {@code sampleShape}. */
    public static int[] shape(int b, int[] sampleShape) {
        int[] out = new int[sampleShape.length + 1];
        out[0] = b;
        System.arraycopy(sampleShape, 0, out, 1, sampleShape.length);
        return out;
    }

    /** Shuffles {@code order} in place (Fisher–Yates), so the same seed gives the same epoch order. */
    public static void shuffle(int[] order, SplittableRandom rng) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
