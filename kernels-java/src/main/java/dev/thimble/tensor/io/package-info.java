/**
 * Reading and writing tensors in interchange formats: Matrix Market ({@code .mtx}) for sparse
 * matrices and NumPy {@code .npy} for dense arrays. Malformed files throw a
 * {@link dev.thimble.tensor.io.TensorFormatException} naming the file and where it went wrong.
 */
package dev.thimble.tensor.io;
