package dev.thimble.fl.pruning;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;

/**
 * A pruning saliency: the signed gradient {@code ∂S/∂m} of a score S with respect to the mask,
 * on a flat parameter vector. The pruner keeps the largest {@code |∂S/∂m|} among the active
 * prunable weights; federated clients upload it and the server combines
 * ({@link FederatedSaliency}).
 */
public interface Saliency {
    /**
     * Writes {@code ∂S/∂m} at mask {@code mask} into {@code out}, zero outside the active prunable
     * weights.
     *
     * @param mask (Input) the current mask over the flat parameters (non-prunable bits set)
     * @param seed the draws of this call (weights, inputs, perturbations)
     * @param out (Output) as many elements as the parameters; overwritten
     */
    void gradient(BitMask mask, long seed, DenseF32 out);
}
