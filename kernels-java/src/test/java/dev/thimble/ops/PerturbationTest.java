package dev.thimble.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.random.Noise;
import dev.thimble.random.NoiseStream;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import dev.thimble.testkit.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NoiseOps#perturb} then {@link Perturbation#restore()} gives back the weights bit for bit,
 * on adversarial values, for every provider and native tier, every distribution, with masks at odd
 * bit offsets and exception lists that overflow their first block; plus the sphere direction, the
 * facade's split independence, and the exception rates the Javadoc quotes.
 */
class PerturbationTest {
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String t : NoiseEquivalenceTest.targets()) {
            for (Noise noise : Noise.values()) {
                out.add(Arguments.of(t, noise));
            }
        }
        return out.stream();
    }

    /** Values that defeat regenerate-and-subtract: signed zeros, subnormals, values near ε, huge ones, binade edges. */
    static float[] adversarial(int n, float eps, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1e-39f, -3e-42f, eps, -eps,
            eps / 3, 2 * eps, Math.nextDown(eps), 1f, Math.nextDown(1f), Math.nextUp(1f), -1f, 0.5f, 0.25f,
            Math.nextDown(0.125f), Float.MAX_VALUE, -Float.MAX_VALUE, 3e38f, 1e30f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7fc00123), 65504f, 1e7f, 16777216f};
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (r.nextInt(4)) {
                case 0 -> special[r.nextInt(special.length)];
                case 1 -> (float) (r.nextDouble(-0.1, 0.1));
                case 2 -> Math.scalb(1f, r.nextInt(-30, 10)) * (r.nextBoolean() ? 1 : -1); // binade boundaries
                default -> Float.intBitsToFloat(r.nextInt()); // any bits, NaN payloads included
            };
        }
        return x;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void restoresBitForBit(String target, Noise noise) {
        KernelContext ctx = NoiseEquivalenceTest.ctx(target);
        try (TensorArena arena = TensorArena.builder().name("perturb").leakCheck(false).build()) {
            RandomTensors rnd = new RandomTensors(noise.ordinal());
            for (int n : new int[] {1, 77, 1000, 70_001}) {
                for (float eps : new float[] {1e-3f, 1e-4f, 0.5f, 1e6f}) {
                    DenseF32 x = arena.dense(n);
                    // a mask of n bits at bit 13 of a longer mask: a per-layer view
                    BitMask owner = rnd.mask(arena, 0.7, n + 13);
                    BitMask mask = owner.view(13, n);
                    float[] x0 = adversarial(n, eps, n * 31L + (long) eps);
                    x.copyFrom(x0);
                    long before = arena.currentBytes();
                    try (Perturbation p = NoiseOps.perturb(ctx, arena, x, mask, eps, 1234 + n, 5, 3 * n, noise)) {
                        assertEquals(before + p.exceptionBytes(), arena.currentBytes(), "exceptions are accounted");
                        p.restore();
                        assertBitsEqual(x0, x.toArray(), target + " " + noise + " n=" + n + " eps=" + eps);
                    }
                    assertEquals(before, arena.currentBytes(), "close frees the list");
                    // unmasked, and close() without restore() restores too
                    try (Perturbation p = NoiseOps.perturb(ctx, arena, x, null, eps, 99, -1, 0, noise)) {
                        assertTrue(p.exceptions() >= 0);
                    }
                    assertBitsEqual(x0, x.toArray(), target + " " + noise + " unmasked n=" + n + " eps=" + eps);
                    x.close();
                    owner.close();
                }
            }
        }
    }

    static void assertBitsEqual(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                throw new AssertionError(what + ": element " + i + " was " + want[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(want[i])) + ") and came back as " + got[i]
                        + " (0x" + Integer.toHexString(Float.floatToRawIntBits(got[i])) + ")");
            }
        }
    }

    @Test
    void sphereHasUnitNormOverActiveEntries() {
        try (TensorArena arena = TensorArena.builder().name("sphere").leakCheck(false).build()) {
            RandomTensors rnd = new RandomTensors(3);
            int n = 10_007;
            BitMask mask = rnd.mask(arena, 0.4, n + 3).view(3, n);
            DenseF32 out = arena.dense(n);
            List<Double> norms = new ArrayList<>();
            for (String t : NoiseEquivalenceTest.targets()) {
                KernelContext ctx = NoiseEquivalenceTest.ctx(t);
                NoiseOps.fillNoise(ctx, out, mask, 1f, 77, 2, 40, Noise.SPHERE);
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += (double) out.get(i) * out.get(i);
                    if (!mask.get(i)) {
                        assertEquals(0, Float.floatToRawIntBits(out.get(i)));
                    }
                }
                // n float roundings of relative size 2^-24 each
                assertEquals(1.0, Math.sqrt(s), 1e-6, t);
                norms.add(NoiseOps.gaussianSquaredNorm(ctx, n, mask, 77, 2, 40));
            }
            assertTrue(norms.stream().distinct().count() == 1, "the sphere norm is the same everywhere: " + norms);
        }
    }

    @Test
    void facadeSplitMatchesFlatCall() {
        try (TensorArena arena = TensorArena.builder().name("split").leakCheck(false).build()) {
            int n = 5000;
            DenseF32 flat = arena.dense(n), parts = arena.dense(n);
            for (Noise noise : new Noise[] {Noise.RADEMACHER, Noise.GAUSSIAN, Noise.UNIFORM}) {
                NoiseOps.fillNoise(flat, null, 2f, 11, 4, 1000, noise);
                int[] cuts = {0, 1, 100, 129, 3333, n};
                for (int c = 0; c + 1 < cuts.length; c++) {
                    int len = cuts[c + 1] - cuts[c];
                    NoiseOps.fillNoise(parts.view(cuts[c], len), null, 2f, 11, 4, 1000 + cuts[c], noise);
                }
                assertBitsEqual(flat.toArray(), parts.toArray(), noise + " split");
                for (int i = 0; i < n; i += 97) {
                    assertEquals(2f * NoiseStream.value(noise, 11, 4, 1000 + i), flat.get(i));
                }
            }
        }
    }

    /** The rates quoted in Perturbation's Javadoc: weights uniform in ±0.1, 2^22 of them. */
    @Test
    void exceptionRates() {
        int n = 1 << 22;
        try (TensorArena arena = TensorArena.builder().name("rates").leakCheck(false).build()) {
            DenseF32 x = arena.dense(n);
            SplittableRandom r = new SplittableRandom(1);
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) r.nextDouble(-0.1, 0.1);
            }
            x.copyFrom(w);
            StringBuilder report = new StringBuilder();
            for (Noise noise : new Noise[] {Noise.GAUSSIAN, Noise.RADEMACHER}) {
                for (float eps : new float[] {1e-3f, 1e-4f}) {
                    try (Perturbation p = NoiseOps.perturb(arena, x, null, eps, 42, 0, 0, noise)) {
                        double rate = (double) p.exceptions() / n;
                        report.append(String.format("%s eps=%g: %d exceptions = %.3f%%, %.4f bytes/param (%d bytes held)%n",
                                noise, eps, p.exceptions(), 100 * rate, 8.0 * p.exceptions() / n, p.exceptionBytes()));
                        assertTrue(rate < 0.05, noise + " " + eps + " rate " + rate);
                    }
                    assertBitsEqual(w, x.toArray(), "rates " + noise + " " + eps);
                }
            }
            System.out.print(report);
        }
    }
}
