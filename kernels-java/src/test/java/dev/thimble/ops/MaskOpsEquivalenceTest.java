package dev.thimble.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import dev.thimble.testkit.RandomTensors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Top-k masks computed with every provider's selection kernels equal a brute-force oracle (sort by
 * magnitude descending, then index ascending), bit for bit, on inputs full of ties.
 */
class MaskOpsEquivalenceTest {
    static final int[] SIZES = {0, 1, 7, 13, 64, 65, 1023, 100_003};

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String p : KernelContext.availableProviders()) {
            for (int n : SIZES) {
                out.add(Arguments.of(p, n));
            }
        }
        return out.stream();
    }

    /** Values from a set of 9 magnitudes with both signs and both zeros, so most of them tie. */
    static DenseF32 tiedValues(TensorArena arena, RandomTensors rnd, int n) {
        float[] pool = {0f, -0f, 1f, -1f, 0.5f, -0.5f, 3f, 1e-30f, Float.MIN_VALUE, Float.POSITIVE_INFINITY};
        DenseF32 x = arena.dense(Math.max(n, 0));
        for (int i = 0; i < n; i++) {
            x.set(i, pool[rnd.nextInt(pool.length)]);
        }
        return x;
    }

    static boolean[] oracle(float[] x, boolean[] candidates, long k) {
        boolean[] keep = new boolean[x.length];
        IntStream.range(0, x.length).filter(i -> candidates == null || candidates[i]).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -Math.abs(x[i])).thenComparing(i -> i))
                .limit(k).forEach(i -> keep[i] = true);
        return keep;
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("cases")
    void topKMatchesTheOracle(String provider, int n) {
        KernelContext ctx = KernelEquivalenceTest.ctx(provider);
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build()) {
            RandomTensors rnd = new RandomTensors(n + 17L);
            DenseF32 x = tiedValues(arena, rnd, n);
            float[] xs = x.toArray();
            BitMask within = rnd.mask(arena, 0.6, n + 5).view(5, n);
            boolean[] candidates = within.toArray();
            long inside = within.cardinality();
            for (long k : new long[] {0, 1, n / 3, n / 2 + 1, n}) {
                if (k <= n) {
                    assertArrayEquals(oracle(xs, null, k), MaskOps.topK(ctx, arena, x, k, null).toArray(),
                            provider + " top-" + k);
                }
                long kw = Math.min(k, inside);
                BitMask got = MaskOps.topK(ctx, arena, x, kw, within);
                assertArrayEquals(oracle(xs, candidates, kw), got.toArray(), provider + " top-" + kw + " within");
                assertEquals(kw, got.cardinality());
            }
        }
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("cases")
    void globalTopKMatchesTheOracleOverTheConcatenation(String provider, int n) {
        KernelContext ctx = KernelEquivalenceTest.ctx(provider);
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build()) {
            RandomTensors rnd = new RandomTensors(n + 29L);
            List<DenseF32> layers = List.of(tiedValues(arena, rnd, n), tiedValues(arena, rnd, 7),
                    tiedValues(arena, rnd, n / 2));
            float[] all = concat(layers);
            long k = all.length / 3;
            boolean[] want = oracle(all, null, k);
            List<BitMask> got = MaskOps.globalTopK(ctx, arena, layers, k);
            int offset = 0;
            for (int t = 0; t < layers.size(); t++) {
                boolean[] part = got.get(t).toArray();
                for (int i = 0; i < part.length; i++) {
                    assertEquals(want[offset + i], part[i], provider + " layer " + t + " index " + i);
                }
                offset += part.length;
            }
        }
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("cases")
    void aNaNIsRejectedWithItsIndex(String provider, int n) {
        if (n < 2) {
            return;
        }
        KernelContext ctx = KernelEquivalenceTest.ctx(provider);
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build()) {
            DenseF32 x = new RandomTensors(n).dense(arena, n);
            x.set(n - 2, Float.NaN);
            x.set(n - 1, Float.NaN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MaskOps.topK(ctx, arena, x, 1, null));
            assertTrue(e.getMessage().contains("NaN at flat index " + (n - 2)), provider + ": " + e.getMessage());
        }
    }

    static float[] concat(List<DenseF32> xs) {
        int total = xs.stream().mapToInt(x -> (int) x.size()).sum();
        float[] out = new float[total];
        int at = 0;
        for (DenseF32 x : xs) {
            float[] v = x.toArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }
}
