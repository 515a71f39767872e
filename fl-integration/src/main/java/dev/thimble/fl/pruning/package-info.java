/**
 * Foresight (at-initialisation) pruning with the NTK-SAP saliency (Wang et al., "NTK-SAP:
 * Improving Neural Network Pruning by Aligning Training Dynamics", ICLR 2023), its
 * back-propagation-free variant built on the zeroth-order estimators of {@link dev.thimble.fl.zo},
 * a Hutchinson estimator of the NTK trace, the exponential density schedule with global top-k,
 * and the federated combination of clients' local scores.
 *
 * <p>Masks here cover a network's whole flat parameter vector: bits of prunable weights say
 * whether they are kept; bits of non-prunable parameters (biases, normalisation) are always set,
 * so the same mask can be handed to the optimizers, {@link dev.thimble.ops.NoiseOps} and the
 * zeroth-order estimators.
 */
package dev.thimble.fl.pruning;
