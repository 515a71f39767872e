package dev.thimble.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.thimble.internal.provider.KernelProviders;
import dev.thimble.internal.scalar.ScalarKernels;
import dev.thimble.ops.KernelContext;
import dev.thimble.spi.KernelProvider;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import dev.thimble.testkit.RandomTensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The native provider as the rest of Thimble sees it: discovered, chosen by default, describing itself. */
class NativeKernelsTest {

    @Test
    void nativeIsAvailableOnThisMachine() {
        assertTrue(KernelContext.availableProviders().contains("native"),
                () -> "native unavailable: " + KernelContext.unavailableProviders());
        assertFalse(KernelContext.unavailableProviders().containsKey("native"));
    }

    @Test
    void nativeIsTheDefaultWhenNothingOutranksIt() {
        String forced = System.getProperty(KernelProviders.PROPERTY, "auto");
        assumeTrue(forced.isBlank() || forced.equalsIgnoreCase("auto"), "provider forced: " + forced);
        List<KernelProvider> available = KernelProviders.discovery().available();
        assumeTrue(available.stream().noneMatch(p -> p.priority() > 20 && !p.name().equals("native")),
                () -> "a higher-priority provider is on the class path: " + available);
        assertEquals("native", KernelProviders.defaultProvider().name());
        assertEquals("native", KernelContext.global().providerName());
    }

    @Test
    void nameDescriptionAndPriority() {
        NativeKernels k = new NativeKernels();
        assertEquals("native", k.name());
        assertEquals(20, k.priority());
        String d = k.description();
        assertTrue(d.matches("C kernels, (scalar|neon|avx2|avx512) tier \\((CPU supports \\w+; )?libthimble ABI 1\\)"),
                d);
        assertTrue(d.contains(k.activeTier() + " tier"), d);
    }

    @Test
    void tiersCanBeForcedAndAreClampedToWhatTheCpuHas() {
        NativeKernels k = new NativeKernels();
        String before = k.activeTier();
        try {
            assertEquals("scalar", k.selectTier("scalar"));
            assertEquals("scalar", k.activeTier());
            String best = k.selectTier("avx512");
            assertTrue(List.of("scalar", "avx2", "avx512").contains(best) || best.equals("neon"), best);
            assertThrows(IllegalArgumentException.class, () -> k.selectTier("sse9"));
        } finally {
            k.selectTier(before);
        }
    }

    /** A quick sanity check on the scalar provider's answer; the shared suites do this thoroughly. */
    @Test
    void spmmMatchesTheScalarProviderOnEveryTier() {
        NativeKernels k = new NativeKernels();
        ScalarKernels ref = new ScalarKernels();
        RandomTensors rnd = new RandomTensors(42);
        String before = k.activeTier();
        try (TensorArena arena = TensorArena.builder().name("tiers").leakCheck(false).build()) {
            CsrF32 a = rnd.csr(arena, 37, 29, 0.7);
            DenseF32 b = rnd.dense(arena, 29, 19);
            DenseF32 expected = arena.dense(37, 19);
            ref.spmmCsr(1f, a, b, 0f, expected, 0, 37);
            for (String tier : List.of("scalar", "neon", "avx2", "avx512")) {
                k.selectTier(tier);
                DenseF32 c = arena.dense(37, 19).fill(Float.NaN);
                k.spmmCsr(1f, a, b, 0f, c, 0, 37);
                float[] e = expected.toArray(), got = c.toArray();
                for (int i = 0; i < e.length; i++) {
                    assertEquals(e[i], got[i], 1e-5f * 29, "tier " + k.activeTier() + " element " + i);
                }
            }
        } finally {
            k.selectTier(before);
        }
    }
}
