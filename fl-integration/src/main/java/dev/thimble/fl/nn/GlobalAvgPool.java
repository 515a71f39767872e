package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The mean of each channel over all positions, [b, C, H, W] → [b, C] (PyTorch's
 * {@code AdaptiveAvgPool2d(1)} followed by a flatten). Keeps nothing between passes.
 */
public final class GlobalAvgPool implements Layer {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final String name;
    private int plane;

    /** A global average pooling layer called {@code name}. */
    public GlobalAvgPool(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length != 3) {
            throw new IllegalArgumentException(name + ": expects input samples of shape [channels, height, width], got "
                    + Arrays.toString(inputShape));
        }
        return new int[] {inputShape[0]};
    }

    @Override
    public void build(LayerContext c) {
        outputShape(c.inputShape());
        plane = c.inputShape()[1] * c.inputShape()[2];
    }

    @Override
    public void forward(DenseF32 x, DenseF32 y) {
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        float inv = 1f / plane;
        for (long p = 0, n = y.size(); p < n; p++) {
            float sum = 0f;
            for (long i = p * plane, end = i + plane; i < end; i++) {
                sum += xs.getAtIndex(F, i);
            }
            ys.setAtIndex(F, p, sum * inv);
        }
    }

    @Override
    public void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx) {
        if (dx == null) {
            return;
        }
        MemorySegment gs = dy.segment();
        MemorySegment ds = dx.segment();
        float inv = 1f / plane;
        for (long p = 0, n = dy.size(); p < n; p++) {
            float g = gs.getAtIndex(F, p) * inv;
            for (long i = p * plane, end = i + plane; i < end; i++) {
                ds.setAtIndex(F, i, g);
            }
        }
    }

    @Override
    public long forwardFlops(int[] inputShape) {
        return Network.size(inputShape);
    }
}
