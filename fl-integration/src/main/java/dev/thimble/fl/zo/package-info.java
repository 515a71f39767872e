/**
 * Zeroth-order (back-propagation-free) gradient estimation on a flat parameter vector, with the
 * seed trick that lets a client upload K scalars instead of a gradient.
 *
 * <ul>
 * <li>{@link dev.thimble.fl.zo.Objective}: the loss as a callback of the parameters (a network's
 * minibatch loss, or an analytic test function).
 * <li>{@link dev.thimble.fl.zo.ZoEstimator}: two-point SPSA (MeZO, Malladi et al. 2023), BAFFLE's
 * forward and central Stein estimators with the ∞-norm clip (Feng et al. 2023), and FedZO's
 * sphere estimator with the {@code d/μ} scaling (Fang et al. 2022), all as "client computes K
 * loss differences, server rebuilds {@code Σ c_k z_k ⊙ m}".
 * <li>{@link dev.thimble.fl.zo.ZoRequest} / {@link dev.thimble.fl.zo.ZoReply}: the two messages of
 * the seed trick, with their wire sizes.
 * <li>{@link dev.thimble.fl.zo.PerturbedForward}: K perturbed forward passes of one inference
 * network on one input batch, the entry point of the FL layer.
 * </ul>
 *
 * <p>Perturbations are applied in place with {@link dev.thimble.ops.NoiseOps#perturb}, whose
 * {@link dev.thimble.ops.Perturbation} restores the exact original bits, and the directions
 * {@code z_k} are regenerated from (seed, tensor id, index), never stored: memory is the
 * parameters, one accumulator and the perturbation's small exception list.
 */
package dev.thimble.fl.zo;
