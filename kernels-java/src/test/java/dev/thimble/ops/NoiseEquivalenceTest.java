package dev.thimble.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.thimble.random.Noise;
import dev.thimble.random.NoiseStream;
import dev.thimble.spi.KernelProvider;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import dev.thimble.testkit.RandomTensors;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every provider (and every native SIMD tier) reproduces the reference stream of
 * {@link NoiseStream#value} bit for bit: fill, add and perturb, with and without masks starting at odd
 * bit offsets, on lengths and stream offsets around the 64- and 128-element steps, and independent
 * of how the range is split into calls.
 */
class NoiseEquivalenceTest {
    static final int[] SIZES = {0, 1, 5, 63, 64, 65, 127, 128, 129, 200, 1000, 4099};
    static final long[] OFFSETS = {0, 1, 37, 64, 127, 130, (1L << 33) + 5};

    /** "provider" or "native:tier" for each tier the native provider can select here. */
    static List<String> targets() {
        List<String> out = new ArrayList<>();
        for (String p : KernelContext.availableProviders()) {
            out.add(p);
            if (p.equals("native")) {
                KernelProvider k = KernelEquivalenceTest.ctx(p).kernels();
                Set<String> tiers = new LinkedHashSet<>();
                for (String t : new String[] {"scalar", "neon", "avx2", "avx512"}) {
                    tiers.add(selectTier(k, t));
                }
                selectTier(k, "avx512"); // back to the best tier (clamped down)
                tiers.forEach(t -> out.add("native:" + t));
            }
        }
        return out;
    }

    static String selectTier(KernelProvider k, String tier) {
        try {
            Method m = k.getClass().getMethod("selectTier", String.class);
            return (String) m.invoke(k, tier);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** The context for a target, with the native tier selected. */
    static KernelContext ctx(String target) {
        String[] pt = target.split(":");
        KernelContext ctx = KernelEquivalenceTest.ctx(pt[0]);
        if (pt.length == 2) {
            selectTier(ctx.kernels(), pt[1]);
        }
        return ctx;
    }

    @AfterAll
    static void bestTier() {
        if (KernelContext.availableProviders().contains("native")) {
            selectTier(KernelEquivalenceTest.ctx("native").kernels(), "avx512");
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String t : targets()) {
            for (Noise noise : new Noise[] {Noise.RADEMACHER, Noise.GAUSSIAN, Noise.UNIFORM}) {
                for (boolean masked : new boolean[] {false, true}) {
                    out.add(Arguments.of(t, noise, masked));
                }
            }
        }
        return out.stream();
    }

    static TensorArena arena() {
        return TensorArena.builder().name("noise").leakCheck(false).build();
    }

    @ParameterizedTest(name = "{0} {1} masked={2}")
    @MethodSource("cases")
    void bitIdenticalToReference(String target, Noise noise, boolean masked) {
        KernelContext ctx = ctx(target);
        try (TensorArena arena = arena()) {
            RandomTensors rnd = new RandomTensors(noise.ordinal() * 31 + (masked ? 1 : 0));
            int round = 0;
            for (int n : SIZES) {
                for (long offset : OFFSETS) {
                    long seed = 0x9E3779B97F4A7C15L * (round + 1);
                    int tid = round * 7 - 3;
                    round++;
                    DenseF32 x = rnd.dense(arena, Math.max(n, 1)).view(0, n);
                    // a mask of n bits starting at bit 5 of its words: a per-layer view of a flat mask
                    BitMask mask = masked ? rnd.mask(arena, 0.6, n + 5).view(5, n) : null;
                    float[] x0 = x.toArray();
                    float[] z = new float[n];
                    for (int i = 0; i < n; i++) {
                        z[i] = NoiseStream.value(noise, seed, tid, offset + i);
                    }
                    float scale = 0.37f;
                    String what = target + " " + noise + " n=" + n + " offset=" + offset;

                    ctx.kernels().fillNoise(x, mask, scale, seed, tid, offset, noise.streamCode());
                    for (int i = 0; i < n; i++) {
                        boolean on = mask == null || mask.get(i);
                        assertBits(on ? scale * z[i] : 0f, x.get(i), what + " fill [" + i + "]");
                    }

                    x.copyFrom(x0);
                    ctx.kernels().addNoise(x, mask, scale, seed, tid, offset, noise.streamCode());
                    for (int i = 0; i < n; i++) {
                        boolean on = mask == null || mask.get(i);
                        assertBits(on ? Math.fma(scale, z[i], x0[i]) : x0[i], x.get(i), what + " add [" + i + "]");
                    }

                    // split into three calls on sub-views with their flat offsets: same values
                    x.copyFrom(x0);
                    int a = n / 3, b = (2 * n) / 3 + 1 > n ? n : (2 * n) / 3 + 1;
                    int[] cuts = {0, a, b, n};
                    for (int c = 0; c < 3; c++) {
                        int len = cuts[c + 1] - cuts[c];
                        ctx.kernels().addNoise(x.view(cuts[c], len), mask == null ? null : mask.view(cuts[c], len),
                                scale, seed, tid, offset + cuts[c], noise.streamCode());
                    }
                    for (int i = 0; i < n; i++) {
                        boolean on = mask == null || mask.get(i);
                        assertBits(on ? Math.fma(scale, z[i], x0[i]) : x0[i], x.get(i), what + " split [" + i + "]");
                    }

                    // perturb: same values as add, and the recorded exceptions are exactly the reference's
                    x.copyFrom(x0);
                    DenseF32 exc = arena.dense(2 * Math.max(n, 1) + 256);
                    long[] count = {0};
                    long done = ctx.kernels().perturbNoise(x, mask, scale, seed, tid, offset, noise.streamCode(),
                            exc.segment(), n + 128, count);
                    assertEquals(n, done, what);
                    int expected = 0;
                    for (int i = 0; i < n; i++) {
                        boolean on = mask == null || mask.get(i);
                        float p = Math.fma(scale, z[i], x0[i]);
                        assertBits(on ? p : x0[i], x.get(i), what + " perturb [" + i + "]");
                        if (on && Float.floatToRawIntBits(Math.fma(-scale, z[i], p)) != Float.floatToRawIntBits(x0[i])) {
                            expected++;
                        }
                    }
                    assertEquals(expected, count[0], what + " exceptions");
                }
            }
        }
    }

    static void assertBits(float want, float got, String what) {
        if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
            throw new AssertionError(what + ": want " + want + " (0x" + Integer.toHexString(Float.floatToRawIntBits(want))
                    + ") got " + got + " (0x" + Integer.toHexString(Float.floatToRawIntBits(got)) + ")");
        }
    }
}
