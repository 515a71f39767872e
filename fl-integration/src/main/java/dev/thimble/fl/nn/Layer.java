package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;
import java.util.List;

/**
 * One layer of a feed-forward network: shapes, parameters, and the forward and backward passes on
 * Thimble tensors.
 *
 * <p>Tensors are batch-major: a batch of b samples of shape {@code s} is a tensor of shape
 * {@code [b, s...]}. The {@link Network} owns every activation and gradient buffer and passes them
 * in, so a layer allocates only what it must keep between passes (pooling indices, normalisation
 * statistics, im2col scratch), in {@link #build}, never per batch. A layer instance belongs to one
 * network: {@link Model#layers()} makes fresh ones.
 */
public interface Layer {

    /** A short name for messages and parameter names, e.g. {@code "conv1"}. */
    String name();

    /** The shape of one output sample for an input sample of shape {@code inputShape}. */
    int[] outputShape(int[] inputShape);

    /** The parameters this layer needs (weights, biases), none by default. */
    default List<ParamSpec> parameters(int[] inputShape) {
        return List.of();
    }

    /** Binds parameter views and allocates per-layer buffers for batches of up to {@code maxBatch}. */
    default void build(LayerContext context) {
    }

    /**
     * Computes {@code y = f(x)} for a batch.
     *
     * @param x (Input) [b, input...]. Not modified.
     * @param y (Output) [b, output...], fully written.
     */
    void forward(DenseF32 x, DenseF32 y);

    /**
     * Back-propagates {@code dy}: adds the parameter gradients to the gradient views and, when
     * {@code dx} is not null, writes the gradient with respect to the input.
     *
     * @param x (Input) the input of the last forward pass
     * @param y (Input) its output
     * @param dy (Input) the gradient with respect to y
     * @param dx (Output, Optional) the gradient with respect to x; null for the first layer
     */
    void backward(DenseF32 x, DenseF32 y, DenseF32 dy, DenseF32 dx);

    /**
     * Frees what {@link #build} allocated (scratch, statistics, sparse copies). {@link Network#close()}
     * calls it, so a network built and closed inside a longer-lived arena (FeDepth's stages) gives
     * its memory back; the layer must not be used afterwards. Nothing by default.
     */
    default void free() {
    }

    /** Floating-point operations of one sample's forward pass (a multiply-add counts 2). */
    long forwardFlops(int[] inputShape);
}
