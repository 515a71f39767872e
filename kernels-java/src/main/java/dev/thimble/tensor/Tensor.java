package dev.thimble.tensor;

/**
 * An off-heap tensor allocated by a {@link TensorArena}, or a view of one.
 *
 * <p>An owning tensor frees its memory when closed (or when its arena closes); a view shares the
 * memory of the tensor it came from, owns nothing, and cannot be closed on its own.
 */
public sealed interface Tensor extends AutoCloseable permits AbstractTensor {

    /** Bytes of off-heap memory this tensor holds (for a view: the bytes it can reach). */
    long byteSize();

    /** True if this tensor shares memory owned by another tensor. */
    boolean isView();

    /** True while the memory behind this tensor can be read and written. */
    boolean isAlive();

    /**
     * Throws an {@link IllegalStateException} naming this tensor if its memory was freed.
     *
     * @return this tensor, for chaining
     */
    Tensor checkAlive();

    /** Frees this tensor's memory at once; a view throws, since it owns nothing. */
    @Override
    void close();
}
