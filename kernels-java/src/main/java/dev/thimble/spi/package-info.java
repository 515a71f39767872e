/**
 * The provider SPI: what an implementation of Thimble's kernels (scalar, Vector API, native C,
 * OpenBLAS) supplies. Users call {@code dev.thimble.ops}; only provider authors need this package.
 */
package dev.thimble.spi;
