package dev.thimble.fl.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Small seeded classification datasets for fast tests: each class has a random prototype and each
 * sample is its class's prototype plus Gaussian noise, quantised to bytes like real images.
 *
 * <p>Prototype values are uniform in [0, 1], so two prototypes differ by about 0.4 per value on
 * average; with the default noise (σ = 0.35) a single value says little but hundreds of them make
 * the classes easy for a small model to separate, well above chance in a few steps. Classes are
 * balanced (sizes differ by at most one) and interleaved, so any slice holds every class.
 */
public final class Synthetic {
    /** Noise standard deviation of {@link #images}, on the [0, 1] scale. */
    public static final double DEFAULT_NOISE = 0.35;

    private Synthetic() {
    }

    /** {@code size} samples of 10 classes shaped {@code {1, 28, 28}} like Fashion-MNIST, with the default noise. */
    public static Dataset images(int size, long seed) {
        return generate("synthetic-images", size, 10, DEFAULT_NOISE, seed, 1, 28, 28);
    }

    /**
     * {@code size} samples of {@code numClasses} classes with the given sample shape (e.g. a flat
     * {@code {64}}), noise σ on the [0, 1] scale; the same arguments always give the same dataset.
     */
    public static Dataset generate(String name, int size, int numClasses, double noise, long seed,
            int... sampleShape) {
        if (size < 0 || numClasses < 1 || numClasses > 256 || !(noise >= 0)) {
            throw new IllegalArgumentException("need size >= 0, numClasses in [1, 256] and noise >= 0, got size="
                    + size + ", numClasses=" + numClasses + ", noise=" + noise);
        }
        int features = Math.toIntExact(Arrays.stream(sampleShape).asLongStream().reduce(1, Math::multiplyExact));
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] prototypes = new double[numClasses][features];
        for (double[] p : prototypes) {
            for (int j = 0; j < features; j++) {
                p[j] = rng.nextDouble();
            }
        }
        byte[] samples = new byte[Math.multiplyExact(size, features)];
        byte[] labels = new byte[size];
        for (int i = 0; i < size; i++) {
            int c = i % numClasses;
            labels[i] = (byte) c;
            for (int j = 0; j < features; j++) {
                double v = prototypes[c][j] + noise * rng.nextGaussian();
                samples[i * features + j] = (byte) Math.round(255 * Math.clamp(v, 0.0, 1.0));
            }
        }
        return Dataset.wrap(name, samples, labels, numClasses, sampleShape.clone());
    }
}
