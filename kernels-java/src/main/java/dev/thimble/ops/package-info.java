/**
 * The public kernel facades: each method validates its arguments, then runs the provider of a
 * {@link dev.thimble.ops.KernelContext}.
 */
package dev.thimble.ops;
