package dev.thimble.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Round trips through {@code .mtx} files of random matrices, compared bit for bit. */
class MatrixMarketPropertiesTest {

    /** A matrix as rows × cols cells; a null cell is not stored. */
    record Cells(int rows, int cols, List<Float> cells) {
    }

    /** Floats weighted towards the hard cases: any bit pattern, subnormals, signed zeros, extremes. */
    static Arbitrary<Float> floats() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().map(Float::intBitsToFloat)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(1, 0x007fffff).map(Float::intBitsToFloat)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
                        Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                        0.1f, 1f / 3, 16777217f, 1e-38f, 1e38f)),
                net.jqwik.api.Tuple.of(2, Arbitraries.floats().between(-1000f, 1000f)));
    }

    @Provide
    Arbitrary<Cells> matrices() {
        Arbitrary<Integer> dim = Arbitraries.integers().between(0, 7);
        return dim.flatMap(r -> dim.flatMap(c -> floats().injectNull(0.6).list().ofSize(r * c)
                .map(cells -> new Cells(r, c, cells))));
    }

    private static CsrF32 toCsr(Cells m, TensorArena arena) {
        int[] rowPtr = new int[m.rows() + 1];
        List<Integer> cols = new ArrayList<>();
        List<Float> vals = new ArrayList<>();
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                Float v = m.cells().get(r * m.cols() + c);
                if (v != null) {
                    cols.add(c);
                    vals.add(v);
                }
            }
            rowPtr[r + 1] = cols.size();
        }
        float[] values = new float[vals.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = vals.get(i);
        }
        return arena.csr(m.rows(), m.cols(), rowPtr, cols.stream().mapToInt(Integer::intValue).toArray(), values);
    }

    /** Bit patterns of the values, with NaNs canonical: text formats keep NaN but not its payload. */
    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToIntBits(values[i]);
        }
        return out;
    }

    @Property(tries = 150)
    void csrRoundTripIsExact(@ForAll("matrices") Cells cells) throws IOException {
        Path f = Files.createTempFile("thimble-mm", ".mtx");
        try (TensorArena arena = TensorArena.open(); CsrF32 m = toCsr(cells, arena)) {
            MatrixMarket.write(f, m);
            try (CsrF32 back = MatrixMarket.readCsr(f, arena)) {
                assertEquals(m.rows(), back.rows());
                assertEquals(m.cols(), back.cols());
                assertArrayEquals(m.rowPtrArray(), back.rowPtrArray());
                assertArrayEquals(m.colIdxArray(), back.colIdxArray());
                assertArrayEquals(bits(m.valuesArray()), bits(back.valuesArray()));
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Property(tries = 100)
    void denseRoundTripIsExact(@ForAll("matrices") Cells cells) throws IOException {
        float[] data = new float[cells.rows() * cells.cols()];
        for (int i = 0; i < data.length; i++) {
            Float v = cells.cells().get(i);
            data[i] = v == null ? 0f : v;
        }
        Path f = Files.createTempFile("thimble-mm", ".mtx");
        try (TensorArena arena = TensorArena.open(); DenseF32 d = arena.dense(data, cells.rows(), cells.cols())) {
            MatrixMarket.write(f, d);
            try (DenseF32 back = MatrixMarket.readDense(f, arena)) {
                assertArrayEquals(d.shape(), back.shape());
                assertArrayEquals(bits(data), bits(back.toArray()));
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
