package dev.thimble.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Round trips through {@code .npy} files of random arrays, compared bit for bit. */
class NpyPropertiesTest {

    /** A shape and int32 elements (for float32 tests: the raw bits, so NaN payloads are covered too). */
    record Array(int[] shape, int[] data) {
    }

    private static Arbitrary<Array> arrays(int minRank) {
        Arbitrary<Integer> dim = Arbitraries.frequency(List.of(
                net.jqwik.api.Tuple.of(1, 0), net.jqwik.api.Tuple.of(8, 1), net.jqwik.api.Tuple.of(8, 2),
                net.jqwik.api.Tuple.of(8, 3), net.jqwik.api.Tuple.of(4, 5), net.jqwik.api.Tuple.of(2, 7)));
        Arbitrary<Integer> bits = Arbitraries.oneOf(Arbitraries.integers(),
                Arbitraries.integers().between(-3, 3),
                Arbitraries.of(0x80000000, 0x00000001, 0x007fffff, 0x7f7fffff, 0x7f800000, 0x7fc00000, 0x7f800001,
                        0xffc00001));
        return dim.list().ofMinSize(minRank).ofMaxSize(4).flatMap(dims -> {
            int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
            int n = dims.stream().reduce(1, (a, b) -> a * b);
            return bits.list().ofSize(n).map(data -> new Array(shape, data.stream().mapToInt(Integer::intValue).toArray()));
        });
    }

    @Provide
    Arbitrary<Array> dense() {
        return arrays(1);
    }

    @Provide
    Arbitrary<Array> anyRank() {
        return arrays(0);
    }

    @Property(tries = 150)
    void float32RoundTripIsBitExact(@ForAll("dense") Array a) throws IOException {
        Path f = Files.createTempFile("thimble-npy", ".npy");
        try (TensorArena arena = TensorArena.open(); DenseF32 t = arena.dense(a.shape())) {
            // fill through int bits: a float on the way could quiet a signalling NaN
            for (int i = 0; i < a.data().length; i++) {
                t.segment().setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, a.data()[i]);
            }
            Npy.write(f, t);
            assertEquals(128 + 4L * a.data().length, Files.size(f), "a 128-byte header, then the data");
            try (DenseF32 back = Npy.readF32(f, arena)) {
                assertArrayEquals(a.shape(), back.shape());
                assertArrayEquals(a.data(), back.segment().toArray(ValueLayout.JAVA_INT_UNALIGNED));
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Property(tries = 150)
    void int32RoundTripIsExact(@ForAll("anyRank") Array a) throws IOException {
        Path f = Files.createTempFile("thimble-npy", ".npy");
        try {
            IntArray array = new IntArray(a.shape(), a.data());
            Npy.write(f, array);
            assertEquals(128 + 4L * a.data().length, Files.size(f));
            assertEquals(array, Npy.readI32(f));
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
