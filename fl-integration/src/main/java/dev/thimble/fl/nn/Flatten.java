package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;

/** Reshapes each sample to a vector ([b, c, h, w] → [b, c·h·w]). */
public final class Flatten implements Layer {
    private final String name;

    /** A flatten layer called {@code name}. */
    public Flatten(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return new int[] {Math.toIntExact(Network.size(inputShape))};
    }

    @Override
    public void forward(DenseF32 x, DenseF32 y) {
        y.copyFrom(x);
    }

    @Override
    public void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx) {
        if (dx != null) {
            dx.copyFrom(dy);
        }
    }

    @Override
    public long forwardFlops(int[] inputShape) {
        return 0;
    }
}
