package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code y = x·relu6(x + 3)/6} element-wise, any input shape, as PyTorch's {@code Hardswish}.
 *
 * <p>The derivative follows PyTorch's backward exactly, boundaries included: 0 for x &lt; −3,
 * {@code x/3 + 1/2} for −3 ≤ x ≤ 3 (so −1/2 at x = −3 and 3/2 at x = 3, where the function has
 * kinks), and 1 for x &gt; 3.
 */
public final class Hardswish implements Layer {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private final String name;

    /** A Hardswish called {@code name}. */
    public Hardswish(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    @Override
    public void forward(DenseF32 x, DenseF32 y) {
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        for (long i = 0, n = x.size(); i < n; i++) {
            float v = xs.getAtIndex(F, i);
            ys.setAtIndex(F, i, v * Math.min(Math.max(v + 3f, 0f), 6f) / 6f);
        }
    }

    @Override
    public void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx) {
        if (dx == null) {
            return;
        }
        MemorySegment xs = x.segment();
        MemorySegment gs = dy.segment();
        MemorySegment ds = dx.segment();
        for (long i = 0, n = x.size(); i < n; i++) {
            ds.setAtIndex(F, i, derivative(xs.getAtIndex(F, i)) * gs.getAtIndex(F, i));
        }
    }

    /** PyTorch's derivative of Hardswish at x, with its boundary convention. */
    static float derivative(float x) {
        if (x < -3f) {
            return 0f;
        }
        return x <= 3f ? x / 3f + 0.5f : 1f;
    }

    @Override
    public long forwardFlops(int[] inputShape) {
        return 4 * Network.size(inputShape);
    }
}
