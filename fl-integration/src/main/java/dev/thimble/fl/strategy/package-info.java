/**
 * Federated methods built on {@link dev.thimble.fl.core}: each is a {@link dev.thimble.fl.core.Strategy}
 * citing its paper plus the {@link dev.thimble.fl.core.ClientTrainer} that honours it, registered by
 * name in {@link dev.thimble.fl.strategy.Methods}. Public API.
 */
package dev.thimble.fl.strategy;
