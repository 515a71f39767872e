package dev.thimble.fl.nn;

import java.util.Arrays;

/**
 * What the k×k, stride-s pooling layers share: validation, the output shape
 * [C, (H − k)/s + 1, (W − k)/s + 1] (no padding, floor) and the geometry fixed at build time.
 */
abstract sealed class Pooling implements Layer permits AvgPool2d, MaxPool2d {
    final String name;
    final int kernel;
    final int stride;
    int channels;
    int height;
    int width;
    int outHeight;
    int outWidth;

    /** Checks {@code kernel, stride ≥ 1}. */
    Pooling(String name, int kernel, int stride) {
        if (kernel < 1 || stride < 1) {
            throw new IllegalArgumentException(name + ": kernel and stride must be at least 1, got " + kernel
                    + " and " + stride);
        }
        this.name = name;
        this.kernel = kernel;
        this.stride = stride;
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
        if (inputShape[1] < kernel || inputShape[2] < kernel) {
            throw new IllegalArgumentException(name + ": a " + kernel + "×" + kernel + " window does not fit an input of "
                    + inputShape[1] + "×" + inputShape[2]);
        }
        return new int[] {inputShape[0], (inputShape[1] - kernel) / stride + 1, (inputShape[2] - kernel) / stride + 1};
    }

    @Override
    public void build(LayerContext c) {
        int[] out = outputShape(c.inputShape());
        channels = out[0];
        height = c.inputShape()[1];
        width = c.inputShape()[2];
        outHeight = out[1];
        outWidth = out[2];
    }
}
