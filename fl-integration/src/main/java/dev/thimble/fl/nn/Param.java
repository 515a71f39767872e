package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;

/**
 * A parameter of a built network: views of its values and gradient inside the network's flat
 * vectors.
 *
 * @param name qualified name, e.g. {@code "conv1.weight"}
 * @param offset position of its first element in the flat vectors
 * @param value view of the values
 * @param grad view of the gradient, or null in a network built for inference only
 * @param prunable whether sparsity methods may prune it
 */
public record Param(String name, long offset, DenseF32 value, DenseF32 grad, boolean prunable) {
    /** Number of elements. */
    public long size() {
        return value.size();
    }
}
