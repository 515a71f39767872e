/**
 * Optimizers on a network's flat parameter vector ({@link dev.thimble.fl.nn.Parameters}): SGD
 * and Adam with PyTorch's semantics, state buffers from the caller's arena, optional masks that
 * keep pruned entries fixed.
 */
package dev.thimble.fl.optim;
