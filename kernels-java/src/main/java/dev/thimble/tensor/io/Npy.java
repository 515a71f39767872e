package dev.thimble.tensor.io;

import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes NumPy {@code .npy} files of float32 and int32 arrays.
 *
 * <p>Reading accepts format versions 1.0, 2.0 and 3.0, dtypes {@code '<f4'} and {@code '>f4'}
 * ({@link #readF32}) or {@code '<i4'} and {@code '>i4'} ({@link #readI32}), byte-swapping
 * big-endian data, and {@code fortran_order: True} (column-major data is transposed into
 * Thimble's row-major layout). Shapes of rank 0 to 4 are accepted; a rank-0 (scalar) array reads
 * as shape {@code [1]} for {@link DenseF32}, which has no rank 0, and as shape {@code []} for
 * {@link IntArray}. Bytes after the data are ignored, as {@code numpy.load} does.
 *
 * <p>Writing produces version 1.0, little-endian, C order, with the header bytes current NumPy
 * writes: keys in sorted order, spare spaces so the first axis can grow in place, then space
 * padding and {@code '\n'} so the data starts at a multiple of 64 bytes.
 *
 * <p>Data is copied between the mapped file and the tensor's memory in bulk, never element by
 * element through heap arrays (except to transpose a Fortran-order array).
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    /** NumPy's room for the digits of a growing first axis ({@code len(str(8 * 2**64 - 1))}). */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** Refuse absurd headers before allocating them (NumPy itself refuses past 10000 bytes by default). */
    private static final int MAX_HEADER_BYTES = 1 << 20;
    private static final int MAX_RANK = 4;
    private static final ValueLayout.OfInt NATIVE_INT = ValueLayout.JAVA_INT_UNALIGNED;

    private Npy() {
    }

    /** The parsed header: dtype, layout, shape and where the data starts. */
    private record Header(String descr, long descrOffset, boolean fortranOrder, long[] shape, long shapeOffset,
            long dataOffset) {
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads a float32 {@code .npy} file into a dense tensor of the same shape (rank 0 becomes [1]).
     *
     * @throws TensorFormatException if the file is malformed, not float32, or of rank above 4
     * @throws IOException if the file cannot be read
     */
    public static DenseF32 readF32(Path file, TensorArena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(file, ch);
            ByteOrder order = byteOrder(file, h, "f4", "readF32 supports float32 '<f4' and '>f4'; "
                    + "use readI32 for int32 '<i4' and '>i4'");
            int[] shape = shape(file, h);
            long n = checkData(file, ch, h, "float32");
            DenseF32 t = arena.dense(shape.length == 0 ? new int[] {1} : shape);
            try {
                copyData(ch, h, order, shape, n, t.segment());
            } catch (IOException | RuntimeException | Error e) {
                t.close();
                throw e;
            }
            return t;
        }
    }

    /**
     * Reads an int32 {@code .npy} file into a heap array of the same shape (rank 0 stays rank 0).
     *
     * @throws TensorFormatException if the file is malformed, not int32, of rank above 4, or holds
     *     more than 2³¹−9 elements
     * @throws IOException if the file cannot be read
     */
    public static IntArray readI32(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(file, ch);
            ByteOrder order = byteOrder(file, h, "i4", "readI32 supports int32 '<i4' and '>i4'; "
                    + "use readF32 for float32 '<f4' and '>f4'");
            int[] shape = shape(file, h);
            long n = checkData(file, ch, h, "int32");
            if (n > Integer.MAX_VALUE - 8) {
                throw TensorFormatException.atOffset(file, h.shapeOffset, "shape " + pyTuple(h.shape) + " has " + n
                        + " elements, more than a heap int[] holds; read it as float32 or split it");
            }
            int[] data = new int[(int) n];
            copyData(ch, h, order, shape, n, MemorySegment.ofArray(data));
            return new IntArray(shape, data);
        }
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0) {
            throw TensorFormatException.atOffset(file, 0, "empty file; a .npy file starts with \\x93NUMPY");
        }
        byte[] prefix = new byte[(int) Math.min(size, 12)];
        readFully(ch, ByteBuffer.wrap(prefix), 0);
        for (int i = 0; i < Math.min(prefix.length, MAGIC.length); i++) {
            if (prefix[i] != MAGIC[i]) {
                throw TensorFormatException.atOffset(file, 0, "bad magic: expected \\x93NUMPY, found "
                        + escape(prefix, 0, Math.min(prefix.length, MAGIC.length)) + "; not a .npy file");
            }
        }
        if (size < 8) {
            throw TensorFormatException.atOffset(file, size, "file ends after " + size
                    + " bytes, inside the 8-byte magic and version");
        }
        int major = prefix[6] & 0xff;
        int minor = prefix[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw TensorFormatException.atOffset(file, 6, "unsupported .npy format version " + major + "." + minor
                    + "; supported: 1.0, 2.0, 3.0");
        }
        int headerStart = major == 1 ? 10 : 12;
        if (size < headerStart) {
            throw TensorFormatException.atOffset(file, 8, "file ends after " + size
                    + " bytes, inside the header length field");
        }
        ByteBuffer lenBuf = ByteBuffer.wrap(prefix, 8, headerStart - 8).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = major == 1 ? lenBuf.getShort() & 0xffffL : lenBuf.getInt() & 0xffffffffL;
        if (headerStart + headerLen > size) {
            throw TensorFormatException.atOffset(file, 8, "header length " + headerLen + " exceeds file size " + size
                    + " (the header would end at byte " + (headerStart + headerLen) + ")");
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw TensorFormatException.atOffset(file, 8, "header length " + headerLen + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        byte[] header = new byte[(int) headerLen];
        readFully(ch, ByteBuffer.wrap(header), headerStart);
        return new HeaderParser(file, header, headerStart, major == 3).parse();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position);
            if (n < 0) {
                // the size was checked first; only a file shrinking under us lands here
                throw new IOException("unexpected end of file at byte " + position);
            }
            position += n;
        }
    }

    /** Checks the dtype is {@code <kind} or {@code >kind} and returns its byte order. */
    private static ByteOrder byteOrder(Path file, Header h, String kind, String supported)
            throws TensorFormatException {
        String d = h.descr;
        if (d.length() == 3 && d.endsWith(kind)) {
            if (d.charAt(0) == '<') {
                return ByteOrder.LITTLE_ENDIAN;
            }
            if (d.charAt(0) == '>') {
                return ByteOrder.BIG_ENDIAN;
            }
        }
        throw TensorFormatException.atOffset(file, h.descrOffset, "unsupported dtype '" + d + "'; " + supported);
    }

    /** The shape as ints, rank 0 to 4, each dimension below 2³¹. */
    private static int[] shape(Path file, Header h) throws TensorFormatException {
        if (h.shape.length > MAX_RANK) {
            throw TensorFormatException.atOffset(file, h.shapeOffset, "shape " + pyTuple(h.shape) + " has rank "
                    + h.shape.length + "; Thimble supports rank 0 to " + MAX_RANK);
        }
        int[] shape = new int[h.shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (h.shape[i] > Integer.MAX_VALUE) {
                throw TensorFormatException.atOffset(file, h.shapeOffset, "dimension " + i + " of shape "
                        + pyTuple(h.shape) + " exceeds " + Integer.MAX_VALUE);
            }
            shape[i] = (int) h.shape[i];
        }
        return shape;
    }

    /** Returns the element count after checking the file holds all of its bytes. */
    private static long checkData(Path file, FileChannel ch, Header h, String dtype) throws IOException {
        long n = 1;
        long needed;
        try {
            for (long d : h.shape) {
                n = Math.multiplyExact(n, d);
            }
            needed = Math.multiplyExact(n, Integer.BYTES);
        } catch (ArithmeticException e) {
            throw TensorFormatException.atOffset(file, h.shapeOffset, "shape " + pyTuple(h.shape)
                    + " has more elements than a file can hold");
        }
        long available = ch.size() - h.dataOffset;
        if (available < needed) {
            throw TensorFormatException.atOffset(file, h.dataOffset, "data for shape " + pyTuple(h.shape) + " "
                    + dtype + " needs " + needed + " bytes, only " + available + " available");
        }
        return n;
    }

    /** Copies {@code n} 4-byte elements from the file into {@code dst} (native order, row-major). */
    private static void copyData(FileChannel ch, Header h, ByteOrder order, int[] shape, long n, MemorySegment dst)
            throws IOException {
        if (n == 0) {
            return;
        }
        ValueLayout.OfInt fileInt = NATIVE_INT.withOrder(order);
        try (Arena mapping = Arena.ofConfined()) {
            MemorySegment src = ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset, n * Integer.BYTES, mapping);
            if (!h.fortranOrder || shape.length < 2) {
                // one bulk copy; it swaps bytes when the layouts' orders differ
                MemorySegment.copy(src, fileInt, 0, dst, NATIVE_INT, 0, n);
            } else {
                transposeFromFortran(src, fileInt, dst, shape);
            }
        }
    }

    /** Copies column-major {@code src} into row-major {@code dst} (floats move as their int bits). */
    private static void transposeFromFortran(MemorySegment src, ValueLayout.OfInt srcLayout, MemorySegment dst,
            int[] shape) {
        // pad with trailing 1s: they change neither the row-major nor the column-major offsets
        long[] d = {1, 1, 1, 1};
        for (int i = 0; i < shape.length; i++) {
            d[i] = shape[i];
        }
        long out = 0;
        for (long i0 = 0; i0 < d[0]; i0++) {
            for (long i1 = 0; i1 < d[1]; i1++) {
                for (long i2 = 0; i2 < d[2]; i2++) {
                    for (long i3 = 0; i3 < d[3]; i3++) {
                        long in = i0 + d[0] * (i1 + d[1] * (i2 + d[2] * i3));
                        dst.setAtIndex(NATIVE_INT, out++, src.getAtIndex(srcLayout, in));
                    }
                }
            }
        }
    }

    /** A parser for the Python dict literal of a {@code .npy} header, reporting file offsets. */
    private static final class HeaderParser {
        private final Path file;
        private final byte[] text;
        private final long base;
        private final boolean utf8;
        private int pos;

        HeaderParser(Path file, byte[] text, long base, boolean utf8) {
            this.file = file;
            this.text = text;
            this.base = base;
            this.utf8 = utf8;
        }

        Header parse() throws TensorFormatException {
            String descr = null;
            long descrOffset = 0;
            Boolean fortran = null;
            long[] shape = null;
            long shapeOffset = 0;
            skipSpace();
            expect('{');
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    break;
                }
                int keyAt = pos;
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                switch (key) {
                    case "descr" -> {
                        descrOffset = base + pos;
                        if (peek() == '[') {
                            throw fail("unsupported dtype: structured (record) arrays; supported dtypes: "
                                    + "'<f4', '>f4' (float32), '<i4', '>i4' (int32)");
                        }
                        descr = string();
                    }
                    case "fortran_order" -> fortran = bool();
                    case "shape" -> {
                        shapeOffset = base + pos;
                        shape = tuple();
                    }
                    default -> {
                        pos = keyAt;
                        throw fail("unexpected key '" + key + "' in header; expected 'descr', 'fortran_order', 'shape'");
                    }
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw fail("expected ',' or '}' in the header dict, found " + found());
                }
            }
            skipSpace();
            if (pos < text.length) {
                throw fail("expected only spaces and '\\n' after the header dict, found " + found());
            }
            if (descr == null || fortran == null || shape == null) {
                pos = 0;
                throw fail("header lacks " + (descr == null ? "'descr'" : fortran == null ? "'fortran_order'" : "'shape'")
                        + "; found " + new String(text, utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1)
                        .strip());
            }
            return new Header(descr, descrOffset, fortran, shape, shapeOffset, base + text.length);
        }

        private String string() throws TensorFormatException {
            int quote = peek();
            if (quote != '\'' && quote != '"') {
                throw fail("expected a quoted string, found " + found());
            }
            int start = ++pos;
            while (pos < text.length && text[pos] != quote) {
                pos++;
            }
            if (pos == text.length) {
                pos = start - 1;
                throw fail("unterminated string in header");
            }
            return new String(text, start, pos++ - start, utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        }

        private boolean bool() throws TensorFormatException {
            if (matches("True")) {
                return true;
            }
            if (matches("False")) {
                return false;
            }
            throw fail("expected True or False for 'fortran_order', found " + found());
        }

        private boolean matches(String word) {
            if (pos + word.length() > text.length) {
                return false;
            }
            for (int i = 0; i < word.length(); i++) {
                if (text[pos + i] != word.charAt(i)) {
                    return false;
                }
            }
            pos += word.length();
            return true;
        }

        private long[] tuple() throws TensorFormatException {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == ')') {
                    pos++;
                    break;
                }
                dims.add(dimension());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != ')') {
                    throw fail("expected ',' or ')' in the shape tuple, found " + found());
                }
            }
            return dims.stream().mapToLong(Long::longValue).toArray();
        }

        private long dimension() throws TensorFormatException {
            int start = pos;
            long v = 0;
            while (pos < text.length && text[pos] >= '0' && text[pos] <= '9') {
                v = v * 10 + (text[pos++] - '0');
                if (v > Integer.MAX_VALUE) {
                    pos = start;
                    throw fail("shape dimension exceeds " + Integer.MAX_VALUE);
                }
            }
            if (pos == start) {
                throw fail("expected a non-negative integer in the shape tuple, found " + found());
            }
            if (peek() == 'L') {
                pos++; // Python 2 wrote long integers as "3L"
            }
            return v;
        }

        private void expect(char c) throws TensorFormatException {
            if (peek() != c) {
                throw fail("expected '" + c + "' in the header, found " + found());
            }
            pos++;
        }

        private void skipSpace() {
            while (pos < text.length && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n'
                    || text[pos] == '\r')) {
                pos++;
            }
        }

        private int peek() {
            return pos < text.length ? text[pos] & 0xff : -1;
        }

        private String found() {
            if (pos >= text.length) {
                return "the end of the header";
            }
            int end = Math.min(text.length, pos + 20);
            return "'" + new String(text, pos, end - pos, StandardCharsets.ISO_8859_1) + (end < text.length ? "...'" : "'");
        }

        private TensorFormatException fail(String detail) {
            return TensorFormatException.atOffset(file, base + pos, detail);
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes a dense tensor as a version 1.0, little-endian float32 ({@code '<f4'}) {@code .npy} file.
     *
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, DenseF32 tensor) throws IOException {
        tensor.checkAlive();
        writeFile(file, header("<f4", tensor.shape()), tensor.segment(), tensor.size());
    }

    /**
     * Writes an int array as a version 1.0, little-endian int32 ({@code '<i4'}) {@code .npy} file.
     *
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, IntArray array) throws IOException {
        int[] data = array.data();
        writeFile(file, header("<i4", array.shape()), MemorySegment.ofArray(data), data.length);
    }

    private static void writeFile(Path file, byte[] header, MemorySegment data, long n) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
                Arena mapping = Arena.ofConfined()) {
            // mapping past the end grows the file to exactly header + data
            MemorySegment out = ch.map(FileChannel.MapMode.READ_WRITE, 0, header.length + n * Integer.BYTES, mapping);
            MemorySegment.copy(header, 0, out, ValueLayout.JAVA_BYTE, 0, header.length);
            MemorySegment.copy(data, NATIVE_INT, 0, out, NATIVE_INT.withOrder(ByteOrder.LITTLE_ENDIAN), header.length, n);
        }
    }

    /** The version 1.0 preamble and header NumPy writes for a C-order array of this dtype and shape. */
    static byte[] header(String descr, int[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr)
                .append("', 'fortran_order': False, 'shape': ").append(pyTuple(shape)).append(", }");
        if (shape.length > 0) {
            // NumPy leaves room for the first axis to grow to 21 digits, so files can be appended in place
            dict.repeat(' ', GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length());
        }
        int headerLen = dict.length() + 1; // + '\n'
        // like NumPy, pad by a full 64 when already aligned
        int pad = ALIGN - (10 + headerLen) % ALIGN;
        dict.repeat(' ', pad).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[10 + text.length];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = 1;
        out[7] = 0;
        out[8] = (byte) text.length;
        out[9] = (byte) (text.length >>> 8);
        System.arraycopy(text, 0, out, 10, text.length);
        return out;
    }

    private static String pyTuple(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape[i];
        }
        return pyTuple(s);
    }

    /** Python's repr of a shape tuple: {@code ()}, {@code (5,)}, {@code (2, 3)}. */
    private static String pyTuple(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    private static String escape(byte[] b, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }
}
