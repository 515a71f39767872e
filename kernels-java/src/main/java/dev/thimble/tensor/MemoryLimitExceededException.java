package dev.thimble.tensor;

/**
 * An allocation would take a {@link TensorArena} past its byte limit, as a device with that much
 * memory would fail. The message names the limit, the request and the bytes in use.
 */
public final class MemoryLimitExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long limitBytes;
    private final long requestedBytes;
    private final long usedBytes;

    MemoryLimitExceededException(String arena, String what, long limitBytes, long requestedBytes, long usedBytes) {
        super("tensor arena '" + arena + "' would exceed its limit of " + Bytes.format(limitBytes)
                + ": " + what + " requests " + Bytes.format(requestedBytes) + " with "
                + Bytes.format(usedBytes) + " already in use");
        this.limitBytes = limitBytes;
        this.requestedBytes = requestedBytes;
        this.usedBytes = usedBytes;
    }

    /** The arena's limit in bytes. */
    public long limitBytes() {
        return limitBytes;
    }

    /** The bytes the failed allocation asked for. */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** The bytes in use when the allocation failed. */
    public long usedBytes() {
        return usedBytes;
    }
}
