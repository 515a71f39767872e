package dev.thimble.fl.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses memory sizes such as {@code 64MiB}, {@code 0.5GiB}, {@code 512k} or {@code 1000000}:
 * a positive number and an optional unit, binary (KiB, MiB, GiB; K, M, G alike) or decimal (KB,
 * MB, GB), case-insensitive; no unit means bytes.
 */
final class ByteSize implements ITypeConverter<Long> {
    private static final Pattern FORMAT = Pattern.compile("\\s*([0-9]*\\.?[0-9]+(?:[eE][0-9]+)?)\\s*([A-Za-z]*)\\s*");

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    /** A short binary-unit rendering for tables, e.g. {@code 1.5 MiB}. */
    static String format(long bytes) {
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
        return String.format(Locale.ROOT, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    /** The number of bytes {@code text} denotes. */
    static long parse(String text) {
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a memory size; write e.g. 64MiB, 0.5GiB or 1048576");
        }
        double unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1;
            case "k", "kib" -> 1L << 10;
            case "m", "mib" -> 1L << 20;
            case "g", "gib" -> 1L << 30;
            case "kb" -> 1e3;
            case "mb" -> 1e6;
            case "gb" -> 1e9;
            default -> throw new TypeConversionException("'" + text + "': unknown unit '" + m.group(2)
                    + "'; use B, KiB, MiB, GiB (binary) or KB, MB, GB (decimal)");
        };
        double bytes = Double.parseDouble(m.group(1)) * unit;
        if (!(bytes >= 1) || bytes > Long.MAX_VALUE) {
            throw new TypeConversionException("'" + text + "' must be at least 1 byte");
        }
        return (long) Math.floor(bytes);
    }
}
