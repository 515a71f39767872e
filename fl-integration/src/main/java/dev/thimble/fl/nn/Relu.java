package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** {@code y = max(x, 0)}, element-wise; any input shape. */
public final class Relu implements Layer {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private final String name;

    /** A ReLU called {@code name}. */
    public Relu(String name) {
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
            ys.setAtIndex(F, i, Math.max(xs.getAtIndex(F, i), 0f));
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
            ds.setAtIndex(F, i, xs.getAtIndex(F, i) > 0f ? gs.getAtIndex(F, i) : 0f);
        }
    }

    @Override
    public long forwardFlops(int[] inputShape) {
        return Network.size(inputShape);
    }
}
