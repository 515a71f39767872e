package dev.thimble.tensor;

/** A sparse structure or a file broke an invariant; the message says which one, and where. */
public final class InvalidStructureException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the broken invariant and its position. */
    public InvalidStructureException(String message) {
        super(message);
    }
}
