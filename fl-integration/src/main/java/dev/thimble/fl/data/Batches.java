package dev.thimble.fl.data;

import java.util.SplittableRandom;

/** Small helpers every local trainer needs to walk its data in mini-batches. */
public final class Batches {
    private Batches() {
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
