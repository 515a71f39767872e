package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Group normalisation without affine parameters (PyTorch's {@code GroupNorm(groups, channels,
 * affine=False)}, as BAFFLE uses it): the channels of each sample are split into {@code groups}
 * consecutive groups, and each group is shifted and scaled to mean 0 and variance 1 (biased
 * variance, {@code eps = 1e-5}). Input samples are [C, ...] (any trailing spatial shape, e.g. [C,
 * H, W]); the output has the same shape. Statistics are accumulated in double.
 *
 * <p>Keeps each sample-group's mean and reciprocal standard deviation from the forward pass (two
 * buffers of {@code maxBatch·groups} floats from the arena; none in a network built for
 * inference). The backward pass uses the output itself as the normalised input x̂ (there is no
 * affine transform), {@code dx = rstd·(dy − mean(dy) − x̂·mean(dy·x̂))} per group.
 */
public final class GroupNorm implements Layer {
    /** The variance offset, PyTorch's default. */
    public static final double EPS = 1e-5;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final String name;
    private final int groups;
    private final int channels;
    private DenseF32 means; // [maxBatch·groups], kept for inspection and symmetric with BatchNorm2d
    private DenseF32 rstds; // [maxBatch·groups]
    private long groupSize; // elements per sample-group: (channels / groups)·spatial

    /**
     * A group normalisation layer.
     *
     * @param groups number of groups; must divide {@code channels}
     * @param channels C, the input's channels
     */
    public GroupNorm(String name, int groups, int channels) {
        if (groups < 1 || channels < 1 || channels % groups != 0) {
            throw new IllegalArgumentException(name + ": " + channels + " channels cannot be split into " + groups
                    + " equal groups");
        }
        this.name = name;
        this.groups = groups;
        this.channels = channels;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length < 1 || inputShape[0] != channels) {
            throw new IllegalArgumentException(name + ": expects input samples of shape [" + channels + ", ...], got "
                    + Arrays.toString(inputShape));
        }
        return inputShape.clone();
    }

    @Override
    public void build(LayerContext c) {
        outputShape(c.inputShape());
        groupSize = Network.size(c.inputShape()) / groups;
        if (c.training()) {
            means = c.arena().dense(c.maxBatch() * groups);
            rstds = c.arena().dense(c.maxBatch() * groups);
        }
    }

    /** The mean of sample s's group g from the last forward pass (training networks only). */
    public float mean(int s, int g) {
        return means.get((long) s * groups + g);
    }

    /** The reciprocal standard deviation of sample s's group g from the last forward pass. */
    public float rstd(int s, int g) {
        return rstds.get((long) s * groups + g);
    }

    @Override
    public void forward(DenseF32 x, DenseF32 y) {
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        long n = groupSize;
        long count = (long) x.dim(0) * groups;
        for (long k = 0; k < count; k++) {
            long base = k * n;
            double sum = 0;
            for (long i = base, end = base + n; i < end; i++) {
                sum += xs.getAtIndex(F, i);
            }
            double mean = sum / n;
            double sq = 0;
            for (long i = base, end = base + n; i < end; i++) {
                double d = xs.getAtIndex(F, i) - mean;
                sq += d * d;
            }
            float rstd = (float) (1 / Math.sqrt(sq / n + EPS));
            float m = (float) mean;
            for (long i = base, end = base + n; i < end; i++) {
                ys.setAtIndex(F, i, (xs.getAtIndex(F, i) - m) * rstd);
            }
            if (means != null) {
                means.segment().setAtIndex(F, k, m);
                rstds.segment().setAtIndex(F, k, rstd);
            }
        }
    }

    @Override
    public void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx) {
        if (dx == null) {
            return;
        }
        if (rstds == null) {
            throw new IllegalStateException(name + ": backward in a network built for inference");
        }
        MemorySegment ys = y.segment();
        MemorySegment gs = dy.segment();
        MemorySegment ds = dx.segment();
        MemorySegment rs = rstds.segment();
        long n = groupSize;
        long count = (long) x.dim(0) * groups;
        for (long k = 0; k < count; k++) {
            long base = k * n;
            double sumG = 0;
            double sumGx = 0;
            for (long i = base, end = base + n; i < end; i++) {
                float g = gs.getAtIndex(F, i);
                sumG += g;
                sumGx += (double) g * ys.getAtIndex(F, i);
            }
            float meanG = (float) (sumG / n);
            float meanGx = (float) (sumGx / n);
            float rstd = rs.getAtIndex(F, k);
            for (long i = base, end = base + n; i < end; i++) {
                ds.setAtIndex(F, i, rstd * (gs.getAtIndex(F, i) - meanG - ys.getAtIndex(F, i) * meanGx));
            }
        }
    }

    @Override
    public long forwardFlops(int[] inputShape) {
        return 5 * Network.size(inputShape);
    }

    @Override
    public void free() {
        Frees.all(means, rstds);
        means = null;
        rstds = null;
    }
}
