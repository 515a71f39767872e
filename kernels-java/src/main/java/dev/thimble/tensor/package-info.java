/**
 * Off-heap tensors: dense float32 tensors, CSR and BSR sparse matrices, bit masks, and the
 * {@link dev.thimble.tensor.TensorArena} that owns and accounts for their memory.
 */
package dev.thimble.tensor;
