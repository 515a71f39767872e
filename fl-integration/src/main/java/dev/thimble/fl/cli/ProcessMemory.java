package dev.thimble.fl.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process-level memory figures: JVM heap in use and resident set size. */
final class ProcessMemory {
    private ProcessMemory() {
    }

    /** Bytes of Java heap in use now. */
    static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Resident set size from {@code /proc/self/status} (VmRSS), or -1 where there is no /proc. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024; // the kernel reports kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
