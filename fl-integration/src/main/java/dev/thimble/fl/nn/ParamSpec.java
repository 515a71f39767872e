package dev.thimble.fl.nn;

import java.util.Arrays;
import java.util.Objects;

/**
 * A parameter a layer asks for.
 *
 * @param name name within the layer, e.g. {@code "weight"}
 * @param shape its shape
 * @param prunable whether sparsity methods may prune it (weights of conv and linear layers, not
 *        biases or normalisation parameters)
 * @param init how to initialise it
 */
public record ParamSpec(String name, int[] shape, boolean prunable, Init init) {
    /** Validates and copies the shape. */
    public ParamSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(init, "init");
        shape = shape.clone();
    }

    /** Number of elements. */
    public long size() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParamSpec p && p.name.equals(name) && Arrays.equals(p.shape, shape)
                && p.prunable == prunable && p.init.equals(init);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), prunable, init);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + (prunable ? " prunable" : "") + " " + init;
    }

    /**
     * How a parameter starts: uniform in {@code [-bound, bound]}, or a constant.
     *
     * @param bound half-width of the uniform range (0 for a constant)
     * @param constant the value when bound is 0
     */
    public record Init(double bound, float constant) {
        /** PyTorch's default for conv and linear weights and biases: U(−1/√fanIn, 1/√fanIn). */
        public static Init fanIn(long fanIn) {
            return new Init(1 / Math.sqrt(Math.max(1, fanIn)), 0f);
        }

        /** Every element equal to {@code value}. */
        public static Init constant(float value) {
            return new Init(0, value);
        }
    }
}
