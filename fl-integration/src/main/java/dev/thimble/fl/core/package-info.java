/**
 * The federated-learning core, shaped like Flower's: a {@link dev.thimble.fl.core.Strategy} with
 * hooks (what to send each sampled client, how to aggregate what comes back, how to evaluate), a
 * {@link dev.thimble.fl.core.ClientTrainer} for the client side, one round loop
 * ({@link dev.thimble.fl.core.FederatedLoop}) that knows no method by name, and pure aggregation
 * functions ({@link dev.thimble.fl.core.Aggregation}) on off-heap tensors.
 *
 * <p>A new method (FedDIP, ZeroFL, FeDepth, …) is a new {@link dev.thimble.fl.core.Method}: a
 * strategy that overrides a hook and the trainer that honours what it sends, never an edit to the
 * loop. Public API.
 */
package dev.thimble.fl.core;
