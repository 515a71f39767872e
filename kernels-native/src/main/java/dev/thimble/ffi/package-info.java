/**
 * The native provider: libthimble bound with the FFM API. Only {@link dev.thimble.ffi.NativeKernels}
 * is public (for {@link java.util.ServiceLoader}); the loader, the method handles and the bounds
 * checks are internal, and no FFM type other than {@code MemorySegment} appears outside this package.
 */
package dev.thimble.ffi;
