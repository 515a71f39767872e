package dev.thimble.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import dev.thimble.testkit.Expected;
import dev.thimble.testkit.RandomTensors;
import dev.thimble.testkit.Tolerances;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The element-wise kernels and reductions of every provider against double references, on sizes
 * around every vector width (0 to 100003) and on masks that start at a bit offset inside a word.
 */
class VectorOpsEquivalenceTest {
    static final int[] SIZES = {0, 1, 7, 13, 16, 33, 64, 207, 1023, 4098, 100_003};
    static final double[] DENSITIES = {0, 0.1, 0.5, 1};

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String p : KernelContext.availableProviders()) {
            for (int n : SIZES) {
                for (double d : DENSITIES) {
                    out.add(Arguments.of(p, n, d));
                }
            }
        }
        return out.stream();
    }

    static TensorArena arena() {
        return TensorArena.builder().name("vector-ops").leakCheck(false).build();
    }

    /** A mask of n bits starting at bit 3 of its storage (a per-layer view of a flat mask). */
    static BitMask offsetMask(TensorArena arena, RandomTensors rnd, double density, int n) {
        return rnd.mask(arena, density, n + 3).view(3, Math.max(n, 0));
    }

    @ParameterizedTest(name = "{0} n={1} density {2}")
    @MethodSource("cases")
    void elementwise(String provider, int n, double density) {
        KernelContext ctx = KernelEquivalenceTest.ctx(provider);
        try (TensorArena arena = arena()) {
            RandomTensors rnd = new RandomTensors(n * 7L + (long) (density * 100));
            DenseF32 x = rnd.dense(arena, n);
            DenseF32 y = rnd.dense(arena, n);
            BitMask mask = offsetMask(arena, rnd, density, n);
            float[] xs = x.toArray();
            float[] ys = y.toArray();
            float alpha = -0.75f;

            VectorOps.axpy(ctx, alpha, x, y);
            expect(n, i -> ys[i] + (double) alpha * xs[i], i -> Math.abs(ys[i]) + Math.abs(alpha * xs[i]))
                    .assertMatches(y.toArray(), provider + " axpy");

            y.copyFrom(ys);
            VectorOps.maskedAxpy(ctx, alpha, x, mask, y);
            expect(n, i -> mask.get(i) ? ys[i] + (double) alpha * xs[i] : ys[i],
                    i -> Math.abs(ys[i]) + Math.abs(alpha * xs[i])).assertMatches(y.toArray(), provider + " masked axpy");

            y.copyFrom(ys);
            VectorOps.scale(ctx, alpha, y);
            expect(n, i -> (double) alpha * ys[i], i -> Math.abs(alpha * ys[i]))
                    .assertMatches(y.toArray(), provider + " scale");

            y.copyFrom(ys);
            VectorOps.applyMask(ctx, y, mask);
            expect(n, i -> mask.get(i) ? ys[i] : 0, i -> 0).assertMatches(y.toArray(), provider + " apply mask");
            for (int i = 0; i < n; i++) {
                // masked-out entries must be +0 exactly, kept ones bit-identical
                assertEquals(Float.floatToRawIntBits(mask.get(i) ? ys[i] : 0f), Float.floatToRawIntBits(y.get(i)));
            }

            double dot = 0;
            double mag = 0;
            double sq = 0;
            double maskedSq = 0;
            float inf = 0;
            float maskedInf = 0;
            for (int i = 0; i < n; i++) {
                dot += (double) xs[i] * ys[i];
                mag += Math.abs((double) xs[i] * ys[i]);
                sq += (double) xs[i] * xs[i];
                inf = Math.max(inf, Math.abs(xs[i]));
                if (mask.get(i)) {
                    maskedSq += (double) xs[i] * xs[i];
                    maskedInf = Math.max(maskedInf, Math.abs(xs[i]));
                }
            }
            y.copyFrom(ys);
            assertEquals(dot, VectorOps.dot(ctx, x, y), Tolerances.forSum(n, mag), provider + " dot");
            // |sqrt(s + e) - sqrt(s)| <= e / sqrt(s): the bound on the sum of squares carries over
            assertEquals(Math.sqrt(sq), VectorOps.norm2(ctx, x), Tolerances.forSum(n, sq) / Math.max(Math.sqrt(sq), 1e-30),
                    provider + " norm2");
            assertEquals(Math.sqrt(maskedSq), VectorOps.maskedNorm2(ctx, x, mask),
                    Tolerances.forSum(n, maskedSq) / Math.max(Math.sqrt(maskedSq), 1e-30), provider + " masked norm2");
            assertEquals(inf, VectorOps.normInf(ctx, x), 0f, provider + " normInf");
            assertEquals(maskedInf, VectorOps.maskedNormInf(ctx, x, mask), 0f, provider + " masked normInf");
        }
    }

    @ParameterizedTest(name = "{0} n={1} density {2}")
    @MethodSource("cases")
    void weightedSum(String provider, int n, double density) {
        KernelContext ctx = KernelEquivalenceTest.ctx(provider);
        int count = 1 + (int) (density * 10); // 1 to 11 inputs
        try (TensorArena arena = arena()) {
            RandomTensors rnd = new RandomTensors(n * 11L + count);
            DenseF32[] xs = new DenseF32[count];
            float[] w = new float[count];
            for (int k = 0; k < count; k++) {
                xs[k] = rnd.dense(arena, n);
                w[k] = rnd.value();
            }
            DenseF32 out = arena.dense(n).fill(Float.NaN);
            VectorOps.weightedSum(ctx, w, xs, out);
            float[][] vals = new float[count][];
            for (int k = 0; k < count; k++) {
                vals[k] = xs[k].toArray();
            }
            expect(n, i -> {
                double s = 0;
                for (int k = 0; k < count; k++) {
                    s += (double) w[k] * vals[k][i];
                }
                return s;
            }, i -> {
                double s = 0;
                for (int k = 0; k < count; k++) {
                    s += Math.abs((double) w[k] * vals[k][i]);
                }
                return s * count; // a sum of `count` products: γ_count instead of γ_1
            }).assertMatches(out.toArray(), provider + " weighted sum of " + count);
        }
    }

    @ParameterizedTest(name = "{0} n={1} density {2}")
    @MethodSource("cases")
    void normInfPropagatesNaN(String provider, int n, double density) {
        if (n == 0) {
            return;
        }
        KernelContext ctx = KernelEquivalenceTest.ctx(provider);
        try (TensorArena arena = arena()) {
            DenseF32 x = new RandomTensors(n).dense(arena, n);
            x.set(n - 1, Float.NaN);
            assertEquals(Float.NaN, VectorOps.normInf(ctx, x), provider + " normInf with a NaN");
        }
    }

    /** Element i is {@code value(i) ± γ_1·magnitude(i)}: one rounding per element-wise result. */
    static Expected expect(int n, java.util.function.IntToDoubleFunction value,
            java.util.function.IntToDoubleFunction magnitude) {
        double[] v = new double[n];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = value.applyAsDouble(i);
            b[i] = Tolerances.forSum(1, magnitude.applyAsDouble(i));
        }
        return new Expected(v, b, 0);
    }
}
