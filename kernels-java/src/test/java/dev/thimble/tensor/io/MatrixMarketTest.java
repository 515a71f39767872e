package dev.thimble.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Known-answer and bad-input tests for {@link MatrixMarket}, on hand-written files. */
class MatrixMarketTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text, StandardCharsets.US_ASCII);
        return f;
    }

    private static void assertCsr(CsrF32 m, int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        assertEquals(rows, m.rows());
        assertEquals(cols, m.cols());
        assertArrayEquals(rowPtr, m.rowPtrArray(), "rowPtr");
        assertArrayEquals(colIdx, m.colIdxArray(), "colIdx");
        assertArrayEquals(values, m.valuesArray(), "values");
    }

    // ------------------------------------------------------------------ known answers

    @Test
    void symmetricMirrorsOffDiagonalEntries() throws IOException {
        Path f = file("sym.mtx", """
                %%MatrixMarket matrix coordinate real symmetric
                % lower triangle only, as the format stores it
                3 3 4
                1 1 2.0
                2 1 -1.5
                3 2 4
                3 3 1e-3
                """);
        try (TensorArena arena = TensorArena.open(); CsrF32 m = MatrixMarket.readCsr(f, arena)) {
            assertCsr(m, 3, 3, new int[] {0, 2, 4, 6}, new int[] {0, 1, 0, 2, 1, 2},
                    new float[] {2f, -1.5f, -1.5f, 4f, 4f, 0.001f});
        }
    }

    @Test
    void patternEntriesAreOne() throws IOException {
        Path f = file("pat.mtx", """
                %%MatrixMarket matrix coordinate pattern general
                2 3 3
                2 3
                1 2
                2 1
                """);
        try (TensorArena arena = TensorArena.open(); CsrF32 m = MatrixMarket.readCsr(f, arena)) {
            assertCsr(m, 2, 3, new int[] {0, 1, 3}, new int[] {1, 0, 2}, new float[] {1f, 1f, 1f});
        }
    }

    @Test
    void integerField() throws IOException {
        Path f = file("int.mtx", """
                %%MatrixMarket matrix coordinate integer general
                2 2 3
                1 1 -7
                2 2 +12
                1 2 16777217
                """);
        try (TensorArena arena = TensorArena.open(); CsrF32 m = MatrixMarket.readCsr(f, arena)) {
            // 2^24 + 1 is not a float32; it rounds to 2^24
            assertCsr(m, 2, 2, new int[] {0, 2, 3}, new int[] {0, 1, 1}, new float[] {-7f, 16777216f, 12f});
        }
    }

    @Test
    void duplicatesAreSummedAndColumnsSorted() throws IOException {
        Path f = file("dup.mtx", """
                %%MatrixMarket matrix coordinate real general
                2 4 6
                1 4 1.5
                1 2 0.5
                1 4 1.5
                2 1 3
                1 4 0.25
                2 1 -3
                """);
        try (TensorArena arena = TensorArena.open(); CsrF32 m = MatrixMarket.readCsr(f, arena)) {
            // (2,1) sums to an explicit zero, which stays stored like SciPy's tocsr() keeps it
            assertCsr(m, 2, 4, new int[] {0, 2, 3}, new int[] {1, 3, 0}, new float[] {0.5f, 3.25f, 0f});
        }
    }

    @Test
    void commentsBlankLinesTabsAndCrlfAreTolerated() throws IOException {
        Path f = file("messy.mtx", "%%MatrixMarket Matrix Coordinate REAL General\r\n"
                + "% a comment\r\n"
                + "\r\n"
                + "%another\n"
                + "   \t \n"
                + "  2\t2   2  \r\n"
                + "\n"
                + "% a comment between entries\n"
                + "2 2 -0.0\n"
                + "\t1   1\t 6.5E+2   \n"
                + "\n\n");
        try (TensorArena arena = TensorArena.open(); CsrF32 m = MatrixMarket.readCsr(f, arena)) {
            assertCsr(m, 2, 2, new int[] {0, 1, 2}, new int[] {0, 1}, new float[] {650f, -0.0f});
            assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(m.value(1)));
        }
    }

    @Test
    void specialValuesAndPrecision() throws IOException {
        Path f = file("special.mtx", """
                %%MatrixMarket matrix coordinate real general
                1 6 6
                1 1 inf
                1 2 -Infinity
                1 3 NaN
                1 4 1.4E-45
                1 5 3.4028235e38
                1 6 0.1
                """);
        try (TensorArena arena = TensorArena.open(); CsrF32 m = MatrixMarket.readCsr(f, arena)) {
            assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                Float.MIN_VALUE, Float.MAX_VALUE, 0.1f}, m.valuesArray());
        }
    }

    @Test
    void emptyMatrices() throws IOException {
        Path f = file("empty.mtx", "%%MatrixMarket matrix coordinate real general\n0 5 0\n");
        Path g = file("nnz0.mtx", "%%MatrixMarket matrix coordinate real general\n3 2 0\n");
        try (TensorArena arena = TensorArena.open();
                CsrF32 m = MatrixMarket.readCsr(f, arena);
                CsrF32 n = MatrixMarket.readCsr(g, arena)) {
            assertCsr(m, 0, 5, new int[] {0}, new int[0], new float[0]);
            assertCsr(n, 3, 2, new int[] {0, 0, 0, 0}, new int[0], new float[0]);
        }
    }

    @Test
    void readDenseFromCoordinate() throws IOException {
        Path f = file("c.mtx", """
                %%MatrixMarket matrix coordinate real general
                2 3 3
                2 3 5
                1 1 1
                1 1 1
                """);
        try (TensorArena arena = TensorArena.open(); DenseF32 d = MatrixMarket.readDense(f, arena)) {
            assertArrayEquals(new int[] {2, 3}, d.shape());
            assertArrayEquals(new float[] {2, 0, 0, 0, 0, 5}, d.toArray());
        }
    }

    @Test
    void readDenseFromArrayIsColumnMajor() throws IOException {
        Path f = file("a.mtx", """
                %%MatrixMarket matrix array real general
                % column-major: (1,1) (2,1) (1,2) (2,2) (1,3) (2,3)
                2 3
                1
                4
                2
                5
                3
                6
                """);
        try (TensorArena arena = TensorArena.open(); DenseF32 d = MatrixMarket.readDense(f, arena)) {
            assertArrayEquals(new int[] {2, 3}, d.shape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, d.toArray());
        }
    }

    @Test
    void writeCsrProducesCoordinateRealGeneral() throws IOException {
        Path f = dir.resolve("out.mtx");
        try (TensorArena arena = TensorArena.open();
                CsrF32 m = arena.csr(3, 4, new int[] {0, 2, 2, 4}, new int[] {0, 3, 1, 2},
                        new float[] {0.1f, -0.0f, Float.MIN_VALUE, 3.4028235e38f})) {
            MatrixMarket.write(f, m);
        }
        assertEquals("""
                %%MatrixMarket matrix coordinate real general
                % written by Thimble (dev.thimble.tensor.io.MatrixMarket)
                3 4 4
                1 1 0.1
                1 4 -0.0
                3 2 1.4E-45
                3 3 3.4028235E38
                """, Files.readString(f));
    }

    @Test
    void writeDenseProducesArrayRealGeneral() throws IOException {
        Path f = dir.resolve("dense.mtx");
        try (TensorArena arena = TensorArena.open(); DenseF32 d = arena.dense(new float[] {1, 2, 3, 4, 0, -0f}, 2, 3)) {
            MatrixMarket.write(f, d);
        }
        assertEquals("""
                %%MatrixMarket matrix array real general
                % written by Thimble (dev.thimble.tensor.io.MatrixMarket)
                2 3
                1.0
                4.0
                2.0
                0.0
                3.0
                -0.0
                """, Files.readString(f));
    }

    @Test
    void writeDenseRejectsOtherRanks() {
        try (TensorArena arena = TensorArena.open(); DenseF32 d = arena.dense(4)) {
            assertThrows(IllegalArgumentException.class, () -> MatrixMarket.write(dir.resolve("v.mtx"), d));
        }
    }

    // ------------------------------------------------------------------ bad input

    /** Reads {@code text} as CSR and as dense, expecting both to fail with a message containing {@code parts}. */
    private void assertBad(String text, String... parts) throws IOException {
        Path f = file("bad.mtx", text);
        try (TensorArena arena = TensorArena.open()) {
            TensorFormatException e = assertThrows(TensorFormatException.class, () -> MatrixMarket.readCsr(f, arena));
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            for (String part : parts) {
                assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
            }
            assertEquals(0, arena.liveTensors());
        }
    }

    @Test
    void truncatedFile() throws IOException {
        assertBad("""
                %%MatrixMarket matrix coordinate real general
                % six declared, four present
                3 3 6
                1 1 1
                1 2 1
                2 2 1
                3 3 1
                """, ": file ends after 4 of 6 entries declared on line 3");
    }

    @Test
    void wrongFieldCount() throws IOException {
        assertBad("""
                %%MatrixMarket matrix coordinate real general
                3 3 3
                1 1 1
                2 2
                """, " line 4: expected 3 fields 'row col value', found 2");
        assertBad("""
                %%MatrixMarket matrix coordinate pattern general
                3 3 1
                1 1 1
                """, " line 3: expected 2 fields 'row col', found 3");
        assertBad("%%MatrixMarket matrix coordinate real general\n3 3\n", " line 2: expected 3 fields 'rows cols entries'");
    }

    @Test
    void nonNumericValues() throws IOException {
        assertBad("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 abc\n",
                " line 3: expected a real value in field 3, found 'abc'");
        assertBad("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1f\n",
                " line 3: expected a real value in field 3, found '1f'");
        assertBad("%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 1.5\n",
                " line 3: expected an integer value in field 3, found '1.5'");
        assertBad("%%MatrixMarket matrix coordinate real general\n2 2 1\nx 1 1\n",
                " line 3: expected an integer row index in field 1, found 'x'");
        assertBad("%%MatrixMarket matrix coordinate real general\n2 two 1\n",
                " line 2: expected a column count in field 2, found 'two'");
    }

    @Test
    void indexOutOfRange() throws IOException {
        assertBad("%%MatrixMarket matrix coordinate real general\n5 4 1\n0 1 1\n",
                " line 3: row index 0 out of range 1..5");
        assertBad("%%MatrixMarket matrix coordinate real general\n5 4 1\n1 5 1\n",
                " line 3: column index 5 out of range 1..4");
        assertBad("%%MatrixMarket matrix coordinate real general\n5 4 2\n1 1 1\n\n9 1 1\n",
                " line 5: row index 9 out of range 1..5");
        assertBad("%%MatrixMarket matrix coordinate real general\n5 4 1\n-1 1 1\n",
                " line 3: row index -1 out of range 1..5");
    }

    @Test
    void missingOrBadBanner() throws IOException {
        assertBad("", " line 1: expected banner", "empty file");
        assertBad("3 3 1\n1 1 1\n", " line 1: expected banner", "found '3 3 1'");
        assertBad("%%MatrixMarket matrix coordinate real\n3 3 0\n", " line 1: expected banner", "found 4 words");
        assertBad("%%MatrixMarket vector coordinate real general\n3 0\n", " line 1: unsupported object 'vector'");
        assertBad("%%MatrixMarket matrix sparse real general\n3 3 0\n", " line 1: unsupported format 'sparse'");
    }

    @Test
    void unsupportedVariants() throws IOException {
        assertBad("%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n",
                " line 1: unsupported field 'complex'", "'real', 'integer' or 'pattern'");
        assertBad("%%MatrixMarket matrix coordinate real hermitian\n1 1 0\n",
                " line 1: unsupported symmetry 'hermitian'", "'general' or 'symmetric'");
        assertBad("%%MatrixMarket matrix coordinate real skew-symmetric\n1 1 0\n",
                " line 1: unsupported symmetry 'skew-symmetric'");
        assertBad("%%MatrixMarket matrix array real symmetric\n1 1\n1\n", " line 1: format 'array' is supported only");
        assertBad("%%MatrixMarket matrix array real general\n1 1\n1\n", " line 1: format 'array' holds a dense matrix",
                "readDense");
        assertBad("%%MatrixMarket matrix coordinate real symmetric\n2 3 0\n",
                " line 2: a symmetric matrix must be square");
    }

    @Test
    void missingSizeLineAndExtraEntries() throws IOException {
        assertBad("%%MatrixMarket matrix coordinate real general\n% only comments\n\n",
                ": file ends before the size line");
        assertBad("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1\n2 2 2\n",
                " line 4: expected end of file after the 1 entries declared on line 2, found '2 2 2'");
    }

    @Test
    void badArrayFilesFailInReadDense() throws IOException {
        Path f = file("bad-array.mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3 4\n");
        Path g = file("short-array.mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n");
        try (TensorArena arena = TensorArena.open()) {
            TensorFormatException e = assertThrows(TensorFormatException.class, () -> MatrixMarket.readDense(f, arena));
            assertTrue(e.getMessage().startsWith(f + " line 5: expected 1 field 'value', found 2"), e.getMessage());
            e = assertThrows(TensorFormatException.class, () -> MatrixMarket.readDense(g, arena));
            assertTrue(e.getMessage().startsWith(g + ": file ends after 2 of 4 entries declared on line 2"),
                    e.getMessage());
            assertEquals(0, arena.liveTensors());
        }
    }
}
