package dev.thimble.tensor.io;

import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads and writes NIST Matrix Market ({@code .mtx}) files.
 *
 * <p>Reading accepts the {@code matrix coordinate} format with field {@code real} (also spelled
 * {@code double}), {@code integer} or {@code pattern} (every entry is 1), and symmetry
 * {@code general} or {@code symmetric} (each off-diagonal entry is mirrored, whichever triangle it
 * is in). {@link #readDense} also accepts {@code matrix array real|integer general}. Indices are
 * 1-based; comment lines ({@code %}) and blank lines may appear anywhere after the banner.
 * Duplicate coordinates are summed, as SciPy's {@code coo_matrix.tocsr()} does: the sum is taken
 * in double precision and rounded to float32 once. Entries that are explicitly zero are kept as
 * stored zeros. Values are parsed with correct rounding to float32; {@code inf}, {@code infinity}
 * and {@code nan} are accepted in any case, as C's {@code strtod} does.
 *
 * <p>Writing produces {@code coordinate real general} for CSR matrices and {@code array real
 * general} (column-major, every element) for dense matrices, with the shortest decimal that
 * round-trips each float32 exactly ({@link Float#toString}); only NaN payloads are not kept.
 *
 * <p>Files are streamed line by line. The entries of a coordinate file are staged on the heap
 * (12 bytes each) before the tensor is allocated, so a truncated file allocates nothing off-heap.
 */
public final class MatrixMarket {
    /** Largest heap array the JVM reliably allocates; bounds the entries we stage. */
    private static final int MAX_ENTRIES = Integer.MAX_VALUE - 8;
    private static final String BANNER = "%%MatrixMarket";
    private static final String COMMENT = "% written by Thimble (dev.thimble.tensor.io.MatrixMarket)\n";
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private MatrixMarket() {
    }

    private enum Format { COORDINATE, ARRAY }

    private enum Field { REAL, INTEGER, PATTERN }

    /** What the banner and the size line declare. */
    private record Header(Format format, Field field, boolean symmetric, int rows, int cols, int entries,
            long sizeLine) {
    }

    /** Entries sorted by row then column, duplicates summed, in CSR layout on the heap. */
    private record Compressed(int[] rowPtr, int[] colIdx, float[] values) {
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads a coordinate Matrix Market file into a CSR matrix with sorted, unique columns per row.
     *
     * @throws TensorFormatException if the file is malformed or uses an unsupported variant
     * @throws IOException if the file cannot be read
     */
    public static CsrF32 readCsr(Path file, TensorArena arena) throws IOException {
        try (BufferedReader in = open(file)) {
            Lines lines = new Lines(file, in);
            Header h = lines.readHeader();
            if (h.format == Format.ARRAY) {
                throw TensorFormatException.atLine(file, 1,
                        "format 'array' holds a dense matrix; read it with MatrixMarket.readDense");
            }
            Compressed c = lines.readCoordinate(h);
            return arena.csr(h.rows, h.cols, c.rowPtr, c.colIdx, c.values);
        }
    }

    /**
     * Reads a Matrix Market file, coordinate or array, into a dense rows×cols matrix; entries a
     * coordinate file does not list are zero.
     *
     * @throws TensorFormatException if the file is malformed or uses an unsupported variant
     * @throws IOException if the file cannot be read
     */
    public static DenseF32 readDense(Path file, TensorArena arena) throws IOException {
        try (BufferedReader in = open(file)) {
            Lines lines = new Lines(file, in);
            Header h = lines.readHeader();
            if (h.format == Format.ARRAY) {
                float[] colMajor = lines.readArray(h);
                DenseF32 d = arena.dense(h.rows, h.cols);
                MemorySegment seg = d.segment();
                for (int c = 0, k = 0; c < h.cols; c++) {
                    for (int r = 0; r < h.rows; r++) {
                        seg.setAtIndex(FLOAT, (long) r * h.cols + c, colMajor[k++]);
                    }
                }
                return d;
            }
            Compressed m = lines.readCoordinate(h);
            DenseF32 d = arena.dense(h.rows, h.cols);
            MemorySegment seg = d.segment();
            for (int r = 0; r < h.rows; r++) {
                for (int p = m.rowPtr[r]; p < m.rowPtr[r + 1]; p++) {
                    seg.setAtIndex(FLOAT, (long) r * h.cols + m.colIdx[p], m.values[p]);
                }
            }
            return d;
        }
    }

    private static BufferedReader open(Path file) throws IOException {
        // Latin-1 decodes every byte, so a non-ASCII comment never fails the read
        return Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
    }

    /** A line-by-line reader that splits each line into whitespace-separated fields. */
    private static final class Lines {
        private static final int MAX_FIELDS = 5;
        private final Path file;
        private final BufferedReader in;
        private final int[] starts = new int[MAX_FIELDS];
        private final int[] ends = new int[MAX_FIELDS];
        private String line;
        private long lineNo;
        private int fieldCount;

        Lines(Path file, BufferedReader in) {
            this.file = file;
            this.in = in;
        }

        Header readHeader() throws IOException {
            line = in.readLine();
            lineNo = 1;
            String expected = "expected banner '%%MatrixMarket matrix coordinate <field> <symmetry>'";
            if (line == null) {
                throw error(expected + ", found an empty file");
            }
            split();
            if (fieldCount == 0 || !field(0).equalsIgnoreCase(BANNER)) {
                throw error(expected + ", found '" + abbreviate(line) + "'");
            }
            if (fieldCount != 5) {
                throw error(expected + " (5 words), found " + fieldCount + " words: '" + abbreviate(line) + "'");
            }
            String object = field(1).toLowerCase(Locale.ROOT);
            if (!object.equals("matrix")) {
                throw error("unsupported object '" + field(1) + "': only 'matrix' is supported");
            }
            Format format = switch (field(2).toLowerCase(Locale.ROOT)) {
                case "coordinate" -> Format.COORDINATE;
                case "array" -> Format.ARRAY;
                default -> throw error("unsupported format '" + field(2) + "': expected 'coordinate' or 'array'");
            };
            Field fieldType = switch (field(3).toLowerCase(Locale.ROOT)) {
                case "real", "double" -> Field.REAL;
                case "integer" -> Field.INTEGER;
                case "pattern" -> Field.PATTERN;
                default -> throw error("unsupported field '" + field(3)
                        + "': expected 'real', 'integer' or 'pattern' (Thimble holds float32 only)");
            };
            boolean symmetric = switch (field(4).toLowerCase(Locale.ROOT)) {
                case "general" -> false;
                case "symmetric" -> true;
                default -> throw error("unsupported symmetry '" + field(4) + "': expected 'general' or 'symmetric'");
            };
            if (format == Format.ARRAY && (fieldType == Field.PATTERN || symmetric)) {
                throw error("format 'array' is supported only as 'array real general' or 'array integer general'");
            }

            if (!nextDataLine()) {
                throw new TensorFormatException(file, "file ends before the size line (after line " + lineNo + ")");
            }
            long sizeLine = lineNo;
            if (format == Format.COORDINATE) {
                expectFields(3, "'rows cols entries'");
            } else {
                expectFields(2, "'rows cols'");
            }
            int rows = size(0, "row count");
            int cols = size(1, "column count");
            int entries;
            if (format == Format.COORDINATE) {
                entries = size(2, "entry count");
                if (symmetric && rows != cols) {
                    throw error("a symmetric matrix must be square, the size line declares " + rows + "x" + cols);
                }
                if ((symmetric ? 2L * entries : entries) > MAX_ENTRIES) {
                    throw error("declares " + entries + " entries; at most " + MAX_ENTRIES
                            + " can be read (after mirroring a symmetric matrix)");
                }
            } else {
                long cells = (long) rows * cols;
                if (cells > MAX_ENTRIES) {
                    throw error("a " + rows + "x" + cols + " array has more than " + MAX_ENTRIES + " elements");
                }
                entries = (int) cells;
            }
            return new Header(format, fieldType, symmetric, rows, cols, entries, sizeLine);
        }

        Compressed readCoordinate(Header h) throws IOException {
            boolean pattern = h.field == Field.PATTERN;
            Coo coo = new Coo(h.rows, Math.min(h.symmetric ? 2 * h.entries : h.entries, 1 << 16));
            for (int k = 0; k < h.entries; k++) {
                if (!nextDataLine()) {
                    throw truncated(k, h);
                }
                if (pattern) {
                    expectFields(2, "'row col'");
                } else {
                    expectFields(3, "'row col value'");
                }
                int r = index(0, h.rows, "row");
                int c = index(1, h.cols, "column");
                float v = switch (h.field) {
                    case PATTERN -> 1f;
                    case INTEGER -> integer(2);
                    case REAL -> real(2);
                };
                coo.add(r, c, v);
                if (h.symmetric && r != c) {
                    coo.add(c, r, v);
                }
            }
            expectEnd(h);
            return coo.compress();
        }

        float[] readArray(Header h) throws IOException {
            // grow as values arrive instead of trusting the size line with a huge allocation
            float[] values = new float[Math.min(h.entries, 1 << 16)];
            for (int k = 0; k < h.entries; k++) {
                if (!nextDataLine()) {
                    throw truncated(k, h);
                }
                expectFields(1, "'value'");
                if (k == values.length) {
                    values = Arrays.copyOf(values, (int) Math.min(h.entries, 2L * k));
                }
                values[k] = h.field == Field.INTEGER ? integer(0) : real(0);
            }
            expectEnd(h);
            return values;
        }

        private TensorFormatException truncated(int read, Header h) {
            return new TensorFormatException(file, "file ends after " + read + " of " + h.entries
                    + " entries declared on line " + h.sizeLine);
        }

        private void expectEnd(Header h) throws IOException {
            if (nextDataLine()) {
                throw error("expected end of file after the " + h.entries + " entries declared on line "
                        + h.sizeLine + ", found '" + abbreviate(line) + "'");
            }
        }

        /** Advances to the next line that is neither blank nor a comment; false at end of file. */
        private boolean nextDataLine() throws IOException {
            while ((line = in.readLine()) != null) {
                lineNo++;
                split();
                if (fieldCount > 0 && line.charAt(starts[0]) != '%') {
                    return true;
                }
            }
            return false;
        }

        /** Records where the fields of {@link #line} start and end; counts all, keeps the first few. */
        private void split() {
            fieldCount = 0;
            int n = line.length();
            int i = 0;
            while (i < n) {
                while (i < n && line.charAt(i) <= ' ') {
                    i++;
                }
                if (i == n) {
                    break;
                }
                int start = i;
                while (i < n && line.charAt(i) > ' ') {
                    i++;
                }
                if (fieldCount < MAX_FIELDS) {
                    starts[fieldCount] = start;
                    ends[fieldCount] = i;
                }
                fieldCount++;
            }
        }

        private String field(int f) {
            return line.substring(starts[f], ends[f]);
        }

        private void expectFields(int n, String names) throws TensorFormatException {
            if (fieldCount != n) {
                throw error("expected " + n + (n == 1 ? " field " : " fields ") + names + ", found " + fieldCount);
            }
        }

        /** Parses field {@code f} as a decimal integer, or throws naming {@code what} was expected. */
        private long parseLong(int f, String what) throws TensorFormatException {
            int i = starts[f];
            int end = ends[f];
            boolean negative = line.charAt(i) == '-';
            if (negative || line.charAt(i) == '+') {
                i++;
            }
            if (i == end || end - i > 18) { // 18 digits cannot overflow a long
                throw error("expected " + what + " in field " + (f + 1) + ", found '" + field(f) + "'");
            }
            long v = 0;
            for (; i < end; i++) {
                int d = line.charAt(i) - '0';
                if (d < 0 || d > 9) {
                    throw error("expected " + what + " in field " + (f + 1) + ", found '" + field(f) + "'");
                }
                v = v * 10 + d;
            }
            return negative ? -v : v;
        }

        private int size(int f, String what) throws TensorFormatException {
            long v = parseLong(f, "a " + what);
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw error(what + " " + v + " out of range 0.." + Integer.MAX_VALUE);
            }
            return (int) v;
        }

        /** Parses a 1-based index in {@code 1..n} and returns it 0-based. */
        private int index(int f, int n, String what) throws TensorFormatException {
            long v = parseLong(f, "an integer " + what + " index");
            if (v < 1 || v > n) {
                throw error(what + " index " + v + " out of range 1.." + n);
            }
            return (int) (v - 1);
        }

        private float integer(int f) throws TensorFormatException {
            return parseLong(f, "an integer value");
        }

        private float real(int f) throws TensorFormatException {
            String s = field(f);
            Float special = special(s);
            if (special != null) {
                return special;
            }
            char last = s.charAt(s.length() - 1);
            // Float.parseFloat takes Java literal suffixes ("1f", "2d"), which no .mtx writer emits
            if (last == 'f' || last == 'F' || last == 'd' || last == 'D') {
                throw error("expected a real value in field " + (f + 1) + ", found '" + s + "'");
            }
            try {
                return Float.parseFloat(s);
            } catch (NumberFormatException e) {
                throw TensorFormatException.atLine(file, lineNo,
                        "expected a real value in field " + (f + 1) + ", found '" + s + "'", e);
            }
        }

        private TensorFormatException error(String detail) {
            return TensorFormatException.atLine(file, lineNo, detail);
        }
    }

    /** The value of C-style {@code inf}, {@code infinity} or {@code nan} (any case, optional sign), else null. */
    private static Float special(String s) {
        boolean signed = s.charAt(0) == '-' || s.charAt(0) == '+';
        String word = (signed ? s.substring(1) : s).toLowerCase(Locale.ROOT);
        return switch (word) {
            case "inf", "infinity" -> s.charAt(0) == '-' ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
            case "nan" -> Float.NaN;
            default -> null;
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /** Entries in file order (0-based), grown as they are read. */
    private static final class Coo {
        private final int rows;
        private int[] r;
        private int[] c;
        private float[] v;
        private int n;

        Coo(int rows, int capacity) {
            this.rows = rows;
            r = new int[capacity];
            c = new int[capacity];
            v = new float[capacity];
        }

        void add(int row, int col, float value) {
            if (n == r.length) {
                int cap = (int) Math.min(MAX_ENTRIES, Math.max(16, 2L * n));
                r = Arrays.copyOf(r, cap);
                c = Arrays.copyOf(c, cap);
                v = Arrays.copyOf(v, cap);
            }
            r[n] = row;
            c[n] = col;
            v[n] = value;
            n++;
        }

        /** Sorts by row (counting sort) then column, and sums duplicates. */
        Compressed compress() {
            int[] rowPtr = new int[rows + 1];
            for (int i = 0; i < n; i++) {
                rowPtr[r[i] + 1]++;
            }
            for (int i = 0; i < rows; i++) {
                rowPtr[i + 1] += rowPtr[i];
            }
            // key = column in the high half, file position in the low half: sorting a row's keys
            // orders by column and keeps duplicates in file order, so sums are deterministic
            long[] keys = new long[n];
            int[] next = Arrays.copyOf(rowPtr, rows);
            for (int i = 0; i < n; i++) {
                keys[next[r[i]]++] = ((long) c[i] << 32) | i;
            }
            int[] colIdx = new int[n];
            float[] values = new float[n];
            int out = 0;
            for (int row = 0; row < rows; row++) {
                int start = rowPtr[row];
                int end = rowPtr[row + 1];
                rowPtr[row] = out; // start and end are read before this row's slot is overwritten
                Arrays.sort(keys, start, end);
                for (int p = start; p < end;) {
                    int col = (int) (keys[p] >>> 32);
                    float first = v[(int) keys[p]];
                    int q = p + 1;
                    double sum = first;
                    while (q < end && (int) (keys[q] >>> 32) == col) {
                        sum += v[(int) keys[q]];
                        q++;
                    }
                    colIdx[out] = col;
                    // a lone entry keeps its exact bits (-0.0, NaN payload); a sum is rounded once
                    values[out] = q == p + 1 ? first : (float) sum;
                    out++;
                    p = q;
                }
            }
            rowPtr[rows] = out;
            if (out < n) {
                colIdx = Arrays.copyOf(colIdx, out);
                values = Arrays.copyOf(values, out);
            }
            return new Compressed(rowPtr, colIdx, values);
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes a CSR matrix as {@code coordinate real general}, one entry per line in row order,
     * every stored entry (including stored zeros) with a float32 round-trip exact value.
     *
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, CsrF32 m) throws IOException {
        m.checkAlive();
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            out.write("%%MatrixMarket matrix coordinate real general\n");
            out.write(COMMENT);
            out.write(m.rows() + " " + m.cols() + " " + m.nnz() + "\n");
            StringBuilder sb = new StringBuilder(48);
            for (int r = 0; r < m.rows(); r++) {
                int end = m.rowStart(r + 1);
                for (int p = m.rowStart(r); p < end; p++) {
                    sb.setLength(0);
                    // append(float) is Float.toString: the shortest decimal that parses back exactly
                    sb.append(r + 1).append(' ').append(m.colIndex(p) + 1).append(' ').append(m.value(p)).append('\n');
                    out.append(sb);
                }
            }
        }
    }

    /**
     * Writes a dense matrix (rank 2) as {@code array real general}: every element, column-major as
     * the format requires, so explicit zeros and -0.0 survive a round trip.
     *
     * @throws IllegalArgumentException if the tensor is not rank 2
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, DenseF32 matrix) throws IOException {
        matrix.checkAlive();
        if (matrix.rank() != 2) {
            throw new IllegalArgumentException("Matrix Market holds matrices (rank 2), got " + matrix);
        }
        int rows = matrix.rows();
        int cols = matrix.cols();
        MemorySegment seg = matrix.segment();
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            out.write("%%MatrixMarket matrix array real general\n");
            out.write(COMMENT);
            out.write(rows + " " + cols + "\n");
            StringBuilder sb = new StringBuilder(24);
            for (int c = 0; c < cols; c++) {
                for (int r = 0; r < rows; r++) {
                    sb.setLength(0);
                    sb.append(seg.getAtIndex(FLOAT, (long) r * cols + c)).append('\n');
                    out.append(sb);
                }
            }
        }
    }
}
