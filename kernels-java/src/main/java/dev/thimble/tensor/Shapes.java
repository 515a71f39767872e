package dev.thimble.tensor;

/** Shape checks and arithmetic shared by dense tensors and masks. */
final class Shapes {
    static final int MAX_RANK = 4;

    private Shapes() {
    }

    static void check(int[] shape) {
        if (shape == null || shape.length < 1 || shape.length > MAX_RANK) {
            throw new IllegalArgumentException("a tensor needs rank 1 to " + MAX_RANK + ", got shape "
                    + (shape == null ? "null" : toString(shape)));
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("dimension " + i + " of shape " + toString(shape) + " is negative");
            }
        }
    }

    static long size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    static String toString(int[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append('x');
            }
            sb.append(shape[i]);
        }
        return sb.append(']').toString();
    }
}
