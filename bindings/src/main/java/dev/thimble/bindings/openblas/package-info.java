/**
 * OpenBLAS as a Thimble kernel provider: {@link dev.thimble.bindings.openblas.OpenBlasKernels}
 * runs the dense kernels on the OpenBLAS that the JavaCPP presets ship and forwards the sparse
 * ones. Users normally do not touch this package: putting the jar on the class path is enough,
 * and {@code -Dthimble.kernels=panama} (or another name) opts out.
 */
package dev.thimble.bindings.openblas;
