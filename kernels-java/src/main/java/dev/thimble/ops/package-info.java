/**
 * The public kernel facades: each method validates its arguments, then runs the provider of a
 * {@link dev.thimble.ops.KernelContext}.
 * {@link dev.thimble.ops.FormatOps} and {@link dev.thimble.ops.MaskOps} convert formats and build masks themselves.
 */
package dev.thimble.ops;
