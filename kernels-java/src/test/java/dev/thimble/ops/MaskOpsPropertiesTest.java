package dev.thimble.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Top-k masks against a brute-force oracle that sorts by (|x| descending, index ascending). */
class MaskOpsPropertiesTest {
    private static final int TRIES = 80;

    @Provide
    Arbitrary<float[]> vectors() {
        Arbitrary<Integer> size = Arbitraries.oneOf(Arbitraries.of(0, 1, 7, 13, 33, 64, 65, 200),
                Arbitraries.integers().between(0, 300));
        return Combinators.combine(size, Arbitraries.integers().between(0, 2), Arbitraries.longs())
                .as((n, kind, seed) -> randomValues(n, kind, new Random(seed)));
    }

    /**
     * Values of three kinds: a tiny set (many ties, ±0), floats a few ulps apart (one high bucket,
     * so the low-bits pass decides), and arbitrary non-NaN bit patterns (infinities, subnormals).
     */
    static float[] randomValues(int n, int kind, Random random) {
        float[] tiny = {0f, -0f, 1f, -1f, 2f, -2f, 0.5f};
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (kind) {
                case 0 -> tiny[random.nextInt(tiny.length)];
                case 1 -> (random.nextBoolean() ? 1 : -1) * Float.intBitsToFloat(0x3f800000 + random.nextInt(40));
                default -> {
                    float v = Float.intBitsToFloat(random.nextInt());
                    yield Float.isNaN(v) ? Float.POSITIVE_INFINITY : v;
                }
            };
        }
        return out;
    }

    @Property(tries = TRIES)
    void topKAgreesWithTheOracle(@ForAll("vectors") float[] x, @ForAll @DoubleRange(min = 0, max = 1) double share) {
        long k = Math.round(share * x.length);
        try (TensorArena arena = TensorArena.open();
                DenseF32 t = arena.dense(x, x.length);
                BitMask mask = MaskOps.topK(arena, t, k)) {
            boolean[] actual = mask.toArray();
            assertEquals(k, mask.cardinality());
            assertArrayEquals(oracle(List.of(x), null, k).getFirst(), actual);
            assertKeptDominateDropped(x, actual, null);
        }
    }

    @Property(tries = TRIES)
    void topKWithinAgreesWithTheOracle(@ForAll("vectors") float[] x, @ForAll long seed,
            @ForAll @DoubleRange(min = 0, max = 1) double share) {
        Random random = new Random(seed);
        boolean[] within = new boolean[x.length];
        float[] values = x.clone();
        for (int i = 0; i < x.length; i++) {
            within[i] = random.nextInt(3) != 0;
            if (!within[i] && random.nextInt(4) == 0) {
                values[i] = Float.NaN; // outside the candidates, so never read
            }
        }
        long candidates = count(within);
        long k = Math.round(share * candidates);
        try (TensorArena arena = TensorArena.open();
                DenseF32 t = arena.dense(values, values.length);
                BitMask in = maskOf(arena, within);
                BitMask mask = MaskOps.topK(arena, t, k, in)) {
            boolean[] actual = mask.toArray();
            assertEquals(k, mask.cardinality());
            assertArrayEquals(oracle(List.of(values), List.of(within), k).getFirst(), actual);
            for (int i = 0; i < actual.length; i++) {
                assertTrue(!actual[i] || within[i], "bit " + i + " set outside the candidates");
            }
            assertKeptDominateDropped(values, actual, within);
        }
    }

    @Property(tries = TRIES)
    void globalTopKAgreesWithTheOracleOverTheConcatenation(@ForAll @IntRange(min = 0, max = 4) int tensors,
            @ForAll long seed, @ForAll @DoubleRange(min = 0, max = 1) double share) {
        Random random = new Random(seed);
        List<float[]> xs = new ArrayList<>();
        int kind = random.nextInt(3);
        for (int t = 0; t < tensors; t++) {
            xs.add(randomValues(random.nextInt(5) == 0 ? 0 : random.nextInt(150), kind, random));
        }
        long total = xs.stream().mapToLong(a -> a.length).sum();
        long k = Math.round(share * total);
        try (TensorArena arena = TensorArena.open()) {
            List<DenseF32> inputs = new ArrayList<>();
            for (float[] x : xs) {
                inputs.add(arena.dense(x, x.length));
            }
            List<BitMask> masks = MaskOps.globalTopK(arena, inputs, k);
            List<boolean[]> expected = oracle(xs, null, k);
            assertEquals(tensors, masks.size());
            long kept = 0;
            for (int t = 0; t < tensors; t++) {
                assertArrayEquals(expected.get(t), masks.get(t).toArray(), "tensor " + t);
                kept += masks.get(t).cardinality();
            }
            assertEquals(k, kept);
            masks.forEach(BitMask::close);
            inputs.forEach(DenseF32::close);
        }
    }

    @Property(tries = TRIES)
    void thresholdIsStrict(@ForAll("vectors") float[] x, @ForAll @IntRange(min = 0, max = 6) int pick) {
        // thresholds taken from the data itself, so equality with t really occurs
        float t = x.length == 0 ? 1f : Math.abs(x[pick % x.length]);
        try (TensorArena arena = TensorArena.open();
                DenseF32 d = arena.dense(x, x.length);
                BitMask mask = MaskOps.threshold(arena, d, t)) {
            for (int i = 0; i < x.length; i++) {
                assertEquals(Math.abs(x[i]) > t, mask.get(i), "element " + i + " = " + x[i] + ", t = " + t);
            }
        }
    }

    // ------------------------------------------------------------------ oracle

    /**
     * The brute-force top-k over the concatenation of {@code xs} (restricted to {@code within}
     * when given): sort candidate positions by (|x| descending, position ascending) and keep k.
     */
    static List<boolean[]> oracle(List<float[]> xs, List<boolean[]> within, long k) {
        List<int[]> positions = new ArrayList<>(); // {tensor, index}
        for (int t = 0; t < xs.size(); t++) {
            for (int i = 0; i < xs.get(t).length; i++) {
                if (within == null || within.get(t)[i]) {
                    positions.add(new int[] {t, i});
                }
            }
        }
        Comparator<int[]> byMagnitude = (a, b) -> Float.compare(Math.abs(xs.get(b[0])[b[1]]),
                Math.abs(xs.get(a[0])[a[1]]));
        positions.sort(byMagnitude.thenComparingInt((int[] p) -> p[0]).thenComparingInt(p -> p[1]));
        List<boolean[]> out = new ArrayList<>();
        for (float[] x : xs) {
            out.add(new boolean[x.length]);
        }
        for (int j = 0; j < k; j++) {
            int[] p = positions.get(j);
            out.get(p[0])[p[1]] = true;
        }
        return out;
    }

    static void assertKeptDominateDropped(float[] x, boolean[] kept, boolean[] within) {
        float minKept = Float.POSITIVE_INFINITY;
        float maxDropped = 0f;
        boolean anyDropped = false;
        for (int i = 0; i < x.length; i++) {
            if (within != null && !within[i]) {
                continue;
            }
            if (kept[i]) {
                minKept = Math.min(minKept, Math.abs(x[i]));
            } else {
                maxDropped = Math.max(maxDropped, Math.abs(x[i]));
                anyDropped = true;
            }
        }
        assertTrue(!anyDropped || minKept >= maxDropped,
                "kept " + minKept + " < dropped " + maxDropped + " in " + Arrays.toString(x));
    }

    static BitMask maskOf(TensorArena arena, boolean[] bits) {
        BitMask m = arena.mask(bits.length);
        for (int i = 0; i < bits.length; i++) {
            m.set(i, bits[i]);
        }
        return m;
    }

    private static long count(boolean[] bits) {
        long n = 0;
        for (boolean b : bits) {
            n += b ? 1 : 0;
        }
        return n;
    }
}
