package dev.thimble.fl.nn;

import dev.thimble.tensor.BitMask;

/**
 * A layer whose weight matrix can run sparse: given a mask over its weight, forward and backward
 * passes use the sparse kernels (CSR SpMM, dense × sparseᵀ, sampled products) and only the kept
 * weights get gradient.
 */
public interface SparseWeights extends Layer {
    /**
     * Runs the layer on the weights the mask keeps (a mask with as many bits as the weight has
     * elements, e.g. a view of a flat parameter mask), or densely again when {@code mask} is null.
     */
    void setWeightMask(BitMask mask);

    /** The name of the parameter the mask applies to ({@code "weight"}). */
    default String maskedParameter() {
        return "weight";
    }
}
