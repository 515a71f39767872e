package dev.thimble.fl.nn;

import java.util.Arrays;

/** Shape rules shared by the pooling layers. */
final class Pooling {
    private Pooling() {
    }

    /** [C, H, W] → [C, (H − k)/s + 1, (W − k)/s + 1], with messages naming the layer. */
    static int[] outputShape(String name, int[] inputShape, int kernel, int stride) {
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
}
