package dev.thimble.tensor.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file is not a well-formed tensor file; the message names the file, the position (line of a
 * text file, byte offset of a binary one) and what was expected versus found.
 */
public final class TensorFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for a problem that concerns the whole file, such as its end. */
    public TensorFormatException(Path file, String detail) {
        super(file + ": " + detail);
    }

    private TensorFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The problem on a given 1-based line of a text file. */
    public static TensorFormatException atLine(Path file, long line, String detail) {
        return new TensorFormatException(file + " line " + line + ": " + detail, null);
    }

    /** The problem on a given 1-based line of a text file, caused by {@code cause}. */
    public static TensorFormatException atLine(Path file, long line, String detail, Throwable cause) {
        return new TensorFormatException(file + " line " + line + ": " + detail, cause);
    }

    /** The problem at a given 0-based byte offset of a binary file. */
    public static TensorFormatException atOffset(Path file, long offset, String detail) {
        return new TensorFormatException(file + " offset " + offset + ": " + detail, null);
    }
}
