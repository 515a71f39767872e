package dev.thimble.fl.nn;

import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.TensorArena;

/**
 * What a layer gets when its network is built.
 *
 * @param inputShape shape of one input sample
 * @param maxBatch the largest batch the network will see
 * @param training whether backward passes will run (if not, keep nothing for them)
 * @param arena where per-layer buffers are allocated (the network's arena, so they are accounted)
 * @param kernels the kernel context the layer's products run on
 * @param params the network's parameters, for {@link #param}
 * @param prefix the layer's name, to qualify parameter names
 * @param scratch buffers shared by the layers of an inference network, or null (training
 *     networks, and layers that keep their own)
 */
public record LayerContext(int[] inputShape, int maxBatch, boolean training, TensorArena arena,
        KernelContext kernels, Parameters params, String prefix, InferenceScratch scratch) {

    /** A context without shared scratch. */
    public LayerContext(int[] inputShape, int maxBatch, boolean training, TensorArena arena, KernelContext kernels,
            Parameters params, String prefix) {
        this(inputShape, maxBatch, training, arena, kernels, params, prefix, null);
    }

    /** The built parameter {@code name} of this layer (as declared by its {@link ParamSpec}). */
    public Param param(String name) {
        return params.get(prefix + "." + name);
    }
}
