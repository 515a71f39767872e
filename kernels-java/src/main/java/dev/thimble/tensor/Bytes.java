package dev.thimble.tensor;

import java.util.Locale;

/** Formats byte counts for people: {@code 1536 -> "1.5 KiB (1536 B)"}. */
public final class Bytes {
    private Bytes() {
    }

    /** Formats a byte count with a binary unit and the exact count. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s (%d B)", v, units[u], bytes);
    }
}
