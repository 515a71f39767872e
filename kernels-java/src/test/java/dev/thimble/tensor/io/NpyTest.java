package dev.thimble.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Known-answer and bad-input tests for {@link Npy}, on files built byte by byte as NumPy writes them. */
class NpyTest {
    /**
     * What {@code np.save(f, np.arange(6, dtype='<f4').reshape(2, 3))} writes before the data:
     * magic, version 1.0, header length 118 (0x76, little-endian), the dict, spaces, '\n'; 128 bytes.
     * (NumPy's 20 spaces of room to grow the first axis and its 38 spaces of alignment padding
     * add up to the 58 that older NumPy versions wrote as alignment alone.)
     */
    private static final String NUMPY_2X3_F4 = "\u0093NUMPY\u0001\u0000\u0076\u0000"
            + "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + " ".repeat(58) + "\n";

    @TempDir
    Path dir;

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A version 1.0 file with the header dict padded to 64-byte alignment, followed by {@code data}. */
    private static byte[] npy(String dict, byte[] data) {
        int unpadded = 10 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(total - unpadded) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(latin1("\u0093NUMPY\u0001\u0000"));
        out.write(header.length() & 0xff);
        out.write(header.length() >>> 8);
        out.writeBytes(latin1(header));
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static byte[] floats(ByteOrder order, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(order);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static byte[] ints(ByteOrder order, int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(order);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ------------------------------------------------------------------ known answers

    @Test
    void readsWhatNumPyWrites() throws IOException {
        byte[] header = latin1(NUMPY_2X3_F4);
        assertEquals(128, header.length);
        Path f = file("numpy.npy", concat(header, floats(ByteOrder.LITTLE_ENDIAN, 0, 1, 2, 3, 4, 5)));
        try (TensorArena arena = TensorArena.open(); DenseF32 t = Npy.readF32(f, arena)) {
            assertArrayEquals(new int[] {2, 3}, t.shape());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.toArray());
        }
    }

    @Test
    void writesExactlyNumPysHeader() throws IOException {
        Path f = dir.resolve("out.npy");
        try (TensorArena arena = TensorArena.open(); DenseF32 t = arena.dense(new float[] {0, 1, 2, 3, 4, 5}, 2, 3)) {
            Npy.write(f, t);
        }
        byte[] bytes = Files.readAllBytes(f);
        assertArrayEquals(concat(latin1(NUMPY_2X3_F4), floats(ByteOrder.LITTLE_ENDIAN, 0, 1, 2, 3, 4, 5)), bytes);
    }

    @Test
    void writesNumPysHeaderForOtherShapes() {
        // np.save of np.zeros(5, '<i4'): 57 dict chars, 20 growth + 40 alignment spaces, '\n'
        assertEquals("\u0093NUMPY\u0001\u0000\u0076\u0000{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }"
                + " ".repeat(60) + "\n", new String(Npy.header("<i4", new int[] {5}), StandardCharsets.ISO_8859_1));
        // rank 0 has no axis to grow: 55 dict chars and 62 alignment spaces
        assertEquals("\u0093NUMPY\u0001\u0000\u0076\u0000{'descr': '<f4', 'fortran_order': False, 'shape': (), }"
                + " ".repeat(62) + "\n", new String(Npy.header("<f4", new int[0]), StandardCharsets.ISO_8859_1));
        // for rank <= 4 the header always fits 128 bytes, with the dict at its longest here
        String longest = new String(Npy.header("<f4", new int[] {2000000000, 2000000000, 2000000000, 2000000000}),
                StandardCharsets.ISO_8859_1);
        assertEquals("\u0093NUMPY\u0001\u0000\u0076\u0000{'descr': '<f4', 'fortran_order': False, "
                + "'shape': (2000000000, 2000000000, 2000000000, 2000000000), }" + " ".repeat(16) + "\n", longest);
    }

    @Test
    void writesIntArrays() throws IOException {
        Path f = dir.resolve("labels.npy");
        Npy.write(f, IntArray.of(3, -1, 7, 0, 42));
        assertArrayEquals(concat(Npy.header("<i4", new int[] {5}), ints(ByteOrder.LITTLE_ENDIAN, 3, -1, 7, 0, 42)),
                Files.readAllBytes(f));
        assertEquals(IntArray.of(3, -1, 7, 0, 42), Npy.readI32(f));
    }

    @Test
    void bigEndianIsSwapped() throws IOException {
        Path f = file("be.npy", npy("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }",
                floats(ByteOrder.BIG_ENDIAN, 1.5f, -2f, Float.MIN_VALUE)));
        Path g = file("bei.npy", npy("{'descr': '>i4', 'fortran_order': False, 'shape': (2, 1), }",
                ints(ByteOrder.BIG_ENDIAN, 0x01020304, -2)));
        try (TensorArena arena = TensorArena.open(); DenseF32 t = Npy.readF32(f, arena)) {
            assertArrayEquals(new float[] {1.5f, -2f, Float.MIN_VALUE}, t.toArray());
        }
        assertEquals(new IntArray(new int[] {2, 1}, new int[] {0x01020304, -2}), Npy.readI32(g));
    }

    @Test
    void fortranOrderIsTransposedToRowMajor() throws IOException {
        // np.asfortranarray(np.arange(6).reshape(2, 3)) stores columns: 0 3 1 4 2 5
        Path f = file("f.npy", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                floats(ByteOrder.LITTLE_ENDIAN, 0, 3, 1, 4, 2, 5)));
        try (TensorArena arena = TensorArena.open(); DenseF32 t = Npy.readF32(f, arena)) {
            assertArrayEquals(new int[] {2, 3}, t.shape());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.toArray());
        }
        // rank 3, shape (2, 3, 2): element (i, j, k) = 100i + 10j + k sits at i + 2j + 6k in the file
        int[] fortran = new int[12];
        int[] rowMajor = new int[12];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 2; k++) {
                    fortran[i + 2 * j + 6 * k] = 100 * i + 10 * j + k;
                    rowMajor[(i * 3 + j) * 2 + k] = 100 * i + 10 * j + k;
                }
            }
        }
        Path g = file("f3.npy", npy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3, 2), }",
                ints(ByteOrder.LITTLE_ENDIAN, fortran)));
        assertEquals(new IntArray(new int[] {2, 3, 2}, rowMajor), Npy.readI32(g));
    }

    @Test
    void versions2And3UseAFourByteHeaderLength() throws IOException {
        String dict = "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}";
        for (int major = 2; major <= 3; major++) {
            int unpadded = 12 + dict.length() + 1;
            String header = dict + " ".repeat((unpadded + 63) / 64 * 64 - unpadded) + "\n";
            ByteBuffer b = ByteBuffer.allocate(12 + header.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
            b.put(latin1("\u0093NUMPY")).put((byte) major).put((byte) 0).putInt(header.length()).put(latin1(header));
            b.putFloat(7f).putFloat(-7f);
            Path f = file("v" + major + ".npy", b.array());
            try (TensorArena arena = TensorArena.open(); DenseF32 t = Npy.readF32(f, arena)) {
                assertArrayEquals(new float[] {7f, -7f}, t.toArray());
            }
        }
    }

    @Test
    void rankZeroAndEmptyShapes() throws IOException {
        Path f = file("scalar.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
                floats(ByteOrder.LITTLE_ENDIAN, 2.5f)));
        Path g = file("iscalar.npy", npy("{'descr': '<i4', 'fortran_order': False, 'shape': (), }",
                ints(ByteOrder.LITTLE_ENDIAN, 9)));
        Path e = file("empty.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", new byte[0]));
        // a Python 2 era header with long literals
        Path p2 = file("py2.npy", npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1L, 2L), }",
                ints(ByteOrder.LITTLE_ENDIAN, 5, 6)));
        try (TensorArena arena = TensorArena.open();
                DenseF32 s = Npy.readF32(f, arena);
                DenseF32 empty = Npy.readF32(e, arena)) {
            assertArrayEquals(new int[] {1}, s.shape());
            assertEquals(2.5f, s.get(0));
            assertArrayEquals(new int[] {0, 4}, empty.shape());
        }
        assertEquals(new IntArray(new int[0], new int[] {9}), Npy.readI32(g));
        assertEquals(new IntArray(new int[] {1, 2}, new int[] {5, 6}), Npy.readI32(p2));
        Path w = dir.resolve("w.npy");
        Npy.write(w, new IntArray(new int[0], new int[] {9}));
        assertEquals(new IntArray(new int[0], new int[] {9}), Npy.readI32(w));
    }

    @Test
    void trailingBytesAreIgnored() throws IOException {
        Path f = file("trail.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
                floats(ByteOrder.LITTLE_ENDIAN, 1f, 2f)));
        try (TensorArena arena = TensorArena.open(); DenseF32 t = Npy.readF32(f, arena)) {
            assertArrayEquals(new float[] {1f}, t.toArray());
        }
    }

    // ------------------------------------------------------------------ bad input

    private void assertBad(byte[] bytes, String... parts) throws IOException {
        Path f = file("bad.npy", bytes);
        try (TensorArena arena = TensorArena.open()) {
            TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npy.readF32(f, arena));
            assertTrue(e.getMessage().startsWith(f + " offset "), e.getMessage());
            for (String part : parts) {
                assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
            }
            assertEquals(0, arena.liveTensors());
        }
    }

    @Test
    void badMagic() throws IOException {
        assertBad(latin1("PK\u0003\u0004 this is a zip"), " offset 0: bad magic: expected \\x93NUMPY, found PK\\x03\\x04 t");
        // a correct but cut-off magic is a truncated file rather than a foreign one
        assertBad(latin1("\u0093NUM"), " offset 4: file ends after 4 bytes, inside the 8-byte magic and version");
        assertBad(new byte[0], " offset 0: empty file; a .npy file starts with \\x93NUMPY");
    }

    @Test
    void truncatedHeader() throws IOException {
        byte[] whole = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", floats(ByteOrder.LITTLE_ENDIAN, 1, 2));
        assertBad(Arrays.copyOf(whole, 40), " offset 8: header length 118 exceeds file size 40");
        assertBad(Arrays.copyOf(whole, 9), " offset 8: file ends after 9 bytes, inside the header length field");
        assertBad(Arrays.copyOf(whole, 7), " offset 7: file ends after 7 bytes");
        // version 2.0 stores the header length in 4 bytes, so it can claim far more than the file has
        byte[] huge = Arrays.copyOf(latin1("\u0093NUMPY\u0002\u0000"), 120);
        ByteBuffer.wrap(huge, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(70000);
        assertBad(huge, " offset 8: header length 70000 exceeds file size 120");
    }

    @Test
    void malformedHeader() throws IOException {
        assertBad(npy("{'descr': '<f4', 'shape': (2,), }", new byte[8]), " offset 10: header lacks 'fortran_order'");
        assertBad(npy("{'descr': '<f4', 'fortran_order': maybe, 'shape': (2,), }", new byte[8]),
                " offset 44: expected True or False for 'fortran_order', found 'maybe");
        assertBad(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", new byte[8]),
                " offset 64: expected a non-negative integer in the shape tuple, found 'x");
        assertBad(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", new byte[8]),
                " offset 66: unexpected key 'extra'");
        byte[] v9 = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new byte[8]);
        v9[6] = 9;
        assertBad(v9, " offset 6: unsupported .npy format version 9.0; supported: 1.0, 2.0, 3.0");
    }

    @Test
    void unsupportedDtype() throws IOException {
        assertBad(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", new byte[16]),
                " offset 20: unsupported dtype '<f8'", "'<f4' and '>f4'");
        assertBad(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", new byte[8]),
                " offset 20: unsupported dtype '<i4'", "use readI32");
        assertBad(npy("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,), }", new byte[8]),
                " offset 20: unsupported dtype: structured");
        Path f = file("f.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new byte[8]));
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npy.readI32(f));
        assertTrue(e.getMessage().startsWith(f + " offset 20: unsupported dtype '<f4'; readI32 supports int32"),
                e.getMessage());
    }

    @Test
    void truncatedData() throws IOException {
        assertBad(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", new byte[20]),
                " offset 128: data for shape (2, 3) float32 needs 24 bytes, only 20 available");
        Path f = file("i.npy", npy("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", new byte[11]));
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npy.readI32(f));
        assertTrue(e.getMessage().startsWith(f + " offset 128: data for shape (3,) int32 needs 12 bytes, only 11"),
                e.getMessage());
    }

    @Test
    void rankFiveIsRejected() throws IOException {
        assertBad(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 2), }", new byte[8]),
                " offset 60: shape (1, 1, 1, 1, 2) has rank 5; Thimble supports rank 0 to 4");
        assertBad(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }", new byte[8]),
                "shape dimension exceeds 2147483647");
    }
}
