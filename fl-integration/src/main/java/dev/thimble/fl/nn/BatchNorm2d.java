package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

/**
 * Batch normalisation with the current batch's statistics in every forward pass, training and
 * inference alike (PyTorch's {@code BatchNorm2d(C, track_running_stats=False)}, which is how the
 * FL methods here run it: there are no running statistics to aggregate). Each channel is
 * normalised over the batch and every spatial position (biased variance, {@code eps = 1e-5}),
 * then scaled by γ and shifted by β ({@code weight} and {@code bias}, initialised to 1 and 0,
 * not prunable). Input samples are [C, ...]: [C, H, W] for images, or [C] alone, which makes it
 * PyTorch's {@code BatchNorm1d}.
 *
 * <p>Keeps the per-channel mean and reciprocal standard deviation of the last forward pass (two
 * buffers of C floats); the backward pass recomputes x̂ from the input with them.
 */
public final class BatchNorm2d implements Layer {
    /** The variance offset, PyTorch's default. */
    public static final double EPS = 1e-5;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final String name;
    private final int channels;
    private Param gamma;
    private Param beta;
    private DenseF32 means; // [C]
    private DenseF32 rstds; // [C]
    private long inner; // spatial positions per channel of one sample

    /** A batch normalisation layer over {@code channels} channels. */
    public BatchNorm2d(String name, int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException(name + ": needs at least one channel, got " + channels);
        }
        this.name = name;
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
    public List<ParamSpec> parameters(int[] inputShape) {
        return List.of(new ParamSpec("weight", new int[] {channels}, false, ParamSpec.Init.constant(1f)),
                new ParamSpec("bias", new int[] {channels}, false, ParamSpec.Init.constant(0f)));
    }

    @Override
    public void build(LayerContext c) {
        outputShape(c.inputShape());
        inner = Network.size(c.inputShape()) / channels;
        gamma = c.param("weight");
        beta = c.param("bias");
        means = c.arena().dense(channels);
        rstds = c.arena().dense(channels);
    }

    /** Channel c's batch mean in the last forward pass. */
    public float mean(int c) {
        return means.get(c);
    }

    /** Channel c's reciprocal standard deviation in the last forward pass. */
    public float rstd(int c) {
        return rstds.get(c);
    }

    @Override
    public void forward(DenseF32 x, DenseF32 y) {
        int b = x.dim(0);
        long count = b * inner;
        if (count < 2) {
            throw new IllegalArgumentException(name + ": batch statistics need more than one value per channel, got "
                    + "a batch of " + b + " with " + inner + " positions each");
        }
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        MemorySegment gs = gamma.value().segment();
        MemorySegment bs = beta.value().segment();
        long stride = channels * inner;
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int s = 0; s < b; s++) {
                long base = s * stride + c * inner;
                for (long i = base, end = base + inner; i < end; i++) {
                    sum += xs.getAtIndex(F, i);
                }
            }
            double mean = sum / count;
            double sq = 0;
            for (int s = 0; s < b; s++) {
                long base = s * stride + c * inner;
                for (long i = base, end = base + inner; i < end; i++) {
                    double d = xs.getAtIndex(F, i) - mean;
                    sq += d * d;
                }
            }
            float rstd = (float) (1 / Math.sqrt(sq / count + EPS));
            float m = (float) mean;
            means.segment().setAtIndex(F, c, m);
            rstds.segment().setAtIndex(F, c, rstd);
            // y = γ·(x − μ)·rstd + β as one scale and one shift
            float scale = gs.getAtIndex(F, c) * rstd;
            float shift = bs.getAtIndex(F, c) - m * scale;
            for (int s = 0; s < b; s++) {
                long base = s * stride + c * inner;
                for (long i = base, end = base + inner; i < end; i++) {
                    ys.setAtIndex(F, i, xs.getAtIndex(F, i) * scale + shift);
                }
            }
        }
    }

    @Override
    public void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx) {
        int b = x.dim(0);
        long count = b * inner;
        MemorySegment xs = x.segment();
        MemorySegment gs = dy.segment();
        MemorySegment dgamma = gamma.grad().segment();
        MemorySegment dbeta = beta.grad().segment();
        long stride = channels * inner;
        for (int c = 0; c < channels; c++) {
            float m = means.segment().getAtIndex(F, c);
            float rstd = rstds.segment().getAtIndex(F, c);
            double sumG = 0;
            double sumGx = 0; // Σ dy·x̂
            for (int s = 0; s < b; s++) {
                long base = s * stride + c * inner;
                for (long i = base, end = base + inner; i < end; i++) {
                    float g = gs.getAtIndex(F, i);
                    sumG += g;
                    sumGx += (double) g * ((xs.getAtIndex(F, i) - m) * rstd);
                }
            }
            dgamma.setAtIndex(F, c, dgamma.getAtIndex(F, c) + (float) sumGx);
            dbeta.setAtIndex(F, c, dbeta.getAtIndex(F, c) + (float) sumG);
            if (dx == null) {
                continue;
            }
            MemorySegment ds = dx.segment();
            float k = gamma.value().segment().getAtIndex(F, c) * rstd;
            float meanG = (float) (sumG / count);
            float meanGx = (float) (sumGx / count);
            for (int s = 0; s < b; s++) {
                long base = s * stride + c * inner;
                for (long i = base, end = base + inner; i < end; i++) {
                    float xhat = (xs.getAtIndex(F, i) - m) * rstd;
                    ds.setAtIndex(F, i, k * (gs.getAtIndex(F, i) - meanG - xhat * meanGx));
                }
            }
        }
    }

    @Override
    public long forwardFlops(int[] inputShape) {
        return 4 * Network.size(inputShape);
    }

    @Override
    public void free() {
        Frees.all(means, rstds);
        means = null;
        rstds = null;
    }
}
