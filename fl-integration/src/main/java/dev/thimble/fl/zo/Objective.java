package dev.thimble.fl.zo;

import dev.thimble.tensor.DenseF32;

/**
 * A scalar loss of a flat parameter vector, evaluated many times at slightly perturbed
 * parameters by a {@link ZoEstimator}.
 *
 * <p>The estimator perturbs the vector in place, calls {@link #loss}, and restores the original
 * bits before the next perturbation, so an implementation may read the parameters from anywhere
 * that aliases {@code params} (e.g. a {@link dev.thimble.fl.nn.Network} whose flat values are that
 * vector) but must not modify them.
 */
@FunctionalInterface
public interface Objective {
    /**
     * The loss at the current contents of {@code params}.
     *
     * @param params (Input) the flat parameters, possibly perturbed. Not modified.
     */
    double loss(DenseF32 params);
}
