package dev.thimble.fl.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether standard error is a terminal, which decides if a progress bar is drawn. */
final class Terminal {
    private Terminal() {
    }

    /**
     * True when file descriptor 2 is a terminal. Java has no isatty for stderr, so this reads the
     * descriptor's link on Linux and falls back to {@code System.console()} elsewhere;
     * {@code THIMBLE_PROGRESS=0|1} overrides both.
     */
    static boolean stderrIsTerminal() {
        String forced = System.getenv("THIMBLE_PROGRESS");
        if (forced != null && !forced.isBlank()) {
            return !forced.equals("0");
        }
        Path fd = Path.of("/proc/self/fd/2");
        try {
            if (Files.isSymbolicLink(fd)) {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // fall through to the portable guess
        }
        return System.console() != null && System.console().isTerminal();
    }
}
