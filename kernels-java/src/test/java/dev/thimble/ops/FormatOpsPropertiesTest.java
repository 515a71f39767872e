package dev.thimble.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Round trips between the formats on random matrices, including empty and odd shapes. */
class FormatOpsPropertiesTest {
    private static final int TRIES = 60;
    private static final int[] BLOCK_SIZES = {4, 8, 16};

    /** A random row-major matrix; values come from a small set with ±0 and the odd NaN. */
    record Matrix(int rows, int cols, float[] data) {
        @Override
        public String toString() {
            return rows + "x" + cols;
        }
    }

    @Provide
    Arbitrary<Matrix> matrices() {
        // the sizes the brief names (0, 1, 7, 13, 33: none a multiple of 4, 8 or 16) plus any small size
        Arbitrary<Integer> dim = Arbitraries.oneOf(Arbitraries.of(0, 1, 7, 13, 16, 33),
                Arbitraries.integers().between(0, 40));
        return Combinators.combine(dim, dim, Arbitraries.doubles().between(0, 1), Arbitraries.longs())
                .as((rows, cols, density, seed) -> randomMatrix(rows, cols, density, new Random(seed)));
    }

    static Matrix randomMatrix(int rows, int cols, double density, Random random) {
        float[] pool = {1f, -1f, 0.5f, -3.25f, 7f, 1e-30f, Float.MAX_VALUE, Float.NEGATIVE_INFINITY};
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            if (random.nextDouble() < density) {
                data[i] = random.nextInt(50) == 0 ? Float.NaN : pool[random.nextInt(pool.length)];
            } else {
                data[i] = random.nextBoolean() ? 0f : -0f;
            }
        }
        return new Matrix(rows, cols, data);
    }

    @Property(tries = TRIES)
    void denseToCsrToDenseIsExact(@ForAll("matrices") Matrix m) {
        try (TensorArena arena = TensorArena.open();
                DenseF32 dense = arena.dense(m.data(), m.rows(), m.cols());
                CsrF32 csr = FormatOps.toCsr(arena, dense);
                DenseF32 back = FormatOps.toDense(arena, csr)) {
            csr.checkStructure();
            assertEquals(nonZeros(m.data()), csr.nnz(), "nnz of " + m);
            assertBitsEqual(withoutNegativeZero(m.data()), back.toArray());
        }
    }

    @Property(tries = TRIES)
    void csrToBsrToCsrIsIdentityWithoutStoredZeros(@ForAll("matrices") Matrix m) {
        try (TensorArena arena = TensorArena.open();
                DenseF32 dense = arena.dense(m.data(), m.rows(), m.cols());
                CsrF32 csr = FormatOps.toCsr(arena, dense)) {
            for (int b : BLOCK_SIZES) {
                try (BsrF32 bsr = FormatOps.toBsr(arena, csr, b);
                        CsrF32 back = FormatOps.toCsr(arena, bsr)) {
                    bsr.checkStructure();
                    back.checkStructure();
                    assertArrayEquals(csr.rowPtrArray(), back.rowPtrArray(), "rowPtr, block size " + b);
                    assertArrayEquals(csr.colIdxArray(), back.colIdxArray(), "colIdx, block size " + b);
                    assertBitsEqual(csr.valuesArray(), back.valuesArray());
                }
            }
        }
    }

    @Property(tries = TRIES)
    void denseToBsrToDenseIsExactAndStoresOnlyNonZeroTiles(@ForAll("matrices") Matrix m) {
        try (TensorArena arena = TensorArena.open();
                DenseF32 dense = arena.dense(m.data(), m.rows(), m.cols())) {
            for (int b : BLOCK_SIZES) {
                try (BsrF32 bsr = FormatOps.toBsr(arena, dense, b);
                        DenseF32 back = FormatOps.toDense(arena, bsr)) {
                    bsr.checkStructure();
                    assertEquals(nonZeroTiles(m, b), bsr.nnzBlocks(), "blocks of " + m + ", block size " + b);
                    float[] expected = withoutNegativeZero(m.data());
                    float[] actual = back.toArray();
                    // -0 inside a stored tile is copied as is; compare zeros by value, the rest by bits
                    for (int i = 0; i < actual.length; i++) {
                        actual[i] = actual[i] == 0f ? 0f : actual[i];
                    }
                    assertBitsEqual(expected, actual);
                }
            }
        }
    }

    @Property(tries = TRIES)
    void transposingTwiceIsIdentity(@ForAll("matrices") Matrix m) {
        try (TensorArena arena = TensorArena.open();
                DenseF32 dense = arena.dense(m.data(), m.rows(), m.cols());
                DenseF32 t = FormatOps.transpose(arena, dense);
                DenseF32 tt = FormatOps.transpose(arena, t);
                CsrF32 csr = FormatOps.toCsr(arena, dense);
                CsrF32 ct = FormatOps.transpose(arena, csr);
                CsrF32 ctt = FormatOps.transpose(arena, ct)) {
            assertArrayEquals(new int[] {m.cols(), m.rows()}, t.shape());
            assertBitsEqual(m.data(), tt.toArray());
            ct.checkStructure();
            ctt.checkStructure();
            assertArrayEquals(csr.rowPtrArray(), ctt.rowPtrArray());
            assertArrayEquals(csr.colIdxArray(), ctt.colIdxArray());
            assertBitsEqual(csr.valuesArray(), ctt.valuesArray());
        }
    }

    @Property(tries = TRIES)
    void csrTransposeEqualsDenseTranspose(@ForAll("matrices") Matrix m) {
        try (TensorArena arena = TensorArena.open();
                DenseF32 dense = arena.dense(m.data(), m.rows(), m.cols());
                DenseF32 denseT = FormatOps.transpose(arena, dense);
                CsrF32 csr = FormatOps.toCsr(arena, dense);
                CsrF32 csrT = FormatOps.transpose(arena, csr);
                DenseF32 csrTDense = FormatOps.toDense(arena, csrT);
                CsrF32 expected = FormatOps.toCsr(arena, denseT)) {
            csrT.checkStructure();
            assertBitsEqual(withoutNegativeZero(denseT.toArray()), csrTDense.toArray());
            assertArrayEquals(expected.rowPtrArray(), csrT.rowPtrArray());
            assertArrayEquals(expected.colIdxArray(), csrT.colIdxArray());
        }
    }

    @Property(tries = TRIES)
    void maskOfAndMaskedGatherRebuildThePattern(@ForAll("matrices") Matrix m) {
        try (TensorArena arena = TensorArena.open();
                DenseF32 dense = arena.dense(m.data(), m.rows(), m.cols());
                CsrF32 csr = FormatOps.toCsr(arena, dense);
                BitMask mask = FormatOps.maskOf(arena, csr);
                CsrF32 gathered = FormatOps.toCsr(arena, dense, mask)) {
            assertEquals(csr.nnz(), mask.cardinality());
            for (int i = 0; i < m.data().length; i++) {
                assertEquals(m.data()[i] != 0f, mask.get(i), "bit " + i);
            }
            gathered.checkStructure();
            assertArrayEquals(csr.rowPtrArray(), gathered.rowPtrArray());
            assertArrayEquals(csr.colIdxArray(), gathered.colIdxArray());
            assertBitsEqual(csr.valuesArray(), gathered.valuesArray());
        }
    }

    @Property(tries = TRIES)
    void maskedGatherKeepsExactlyTheMaskedPositions(@ForAll("matrices") Matrix m, @ForAll long seed) {
        Random random = new Random(seed);
        try (TensorArena arena = TensorArena.open();
                DenseF32 dense = arena.dense(m.data(), m.rows(), m.cols());
                BitMask mask = arena.mask(m.rows(), m.cols())) {
            for (int i = 0; i < m.data().length; i++) {
                mask.set(i, random.nextInt(3) == 0);
            }
            try (CsrF32 csr = FormatOps.toCsr(arena, dense, mask)) {
                csr.checkStructure();
                assertEquals(mask.cardinality(), csr.nnz());
                for (int r = 0; r < m.rows(); r++) {
                    for (int p = csr.rowStart(r); p < csr.rowStart(r + 1); p++) {
                        int flat = r * m.cols() + csr.colIndex(p);
                        assertTrue(mask.get(flat), "stored entry outside the mask at " + flat);
                        assertEquals(Float.floatToRawIntBits(m.data()[flat]), Float.floatToRawIntBits(csr.value(p)));
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    static int nonZeros(float[] data) {
        int n = 0;
        for (float v : data) {
            if (v != 0f) {
                n++;
            }
        }
        return n;
    }

    static int nonZeroTiles(Matrix m, int b) {
        int tiles = 0;
        for (int br = 0; br * b < m.rows(); br++) {
            for (int bc = 0; bc * b < m.cols(); bc++) {
                tiles += tileHasNonZero(m, b, br, bc) ? 1 : 0;
            }
        }
        return tiles;
    }

    private static boolean tileHasNonZero(Matrix m, int b, int br, int bc) {
        for (int r = br * b; r < Math.min(m.rows(), br * b + b); r++) {
            for (int c = bc * b; c < Math.min(m.cols(), bc * b + b); c++) {
                if (m.data()[r * m.cols() + c] != 0f) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The values a sparse round trip gives back: -0 is not stored, so it returns as +0. */
    static float[] withoutNegativeZero(float[] data) {
        float[] out = data.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = out[i] == 0f ? 0f : out[i];
        }
        return out;
    }

    /** Equality of float arrays by bits, with every NaN equal (as {@link java.util.Arrays#equals}). */
    static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                    "element " + i + ": expected " + expected[i] + ", got " + actual[i]);
        }
    }
}
