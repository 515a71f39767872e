package dev.thimble.fl.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.fl.nn.Models;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.Param;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.TensorArena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ERK densities of LeNet-5 at 0.5 (methods.md §3.1 step 3) and the random masks drawn from them. */
class ErkMasksTest {

    @Test
    void lenet5DensitiesMatchTheDerivedValues() {
        List<int[]> shapes = List.of(new int[] {6, 1, 5, 5}, new int[] {16, 6, 5, 5}, new int[] {120, 400},
                new int[] {84, 120}, new int[] {10, 84});
        double[] d = ErkMasks.densities(shapes, 0.5);
        assertEquals(1.0, d[0]);
        assertEquals(0.5246, d[1], 0.5e-4);
        assertEquals(0.4262, d[2], 0.5e-4);
        assertEquals(0.7963, d[3], 0.5e-4);
        assertEquals(1.0, d[4]);
        long[] n = {150, 2400, 48000, 10080, 840};
        long[] kept = {150, 1259, 20459, 8026, 840};
        long total = 0;
        for (int l = 0; l < 5; l++) {
            assertEquals(kept[l], ErkMasks.keptCount(d[l], n[l]), "layer " + l);
            total += kept[l];
        }
        assertEquals(61470 / 2, total, 2, "overall density 0.5");
    }

    @Test
    void masksHaveTheExactCountsAndDifferPerSeed() {
        try (TensorArena arena = TensorArena.builder().name("erk").leakCheck(false).build();
                KernelContext k = KernelContext.builder().threads(1).build();
                Network net = Network.build(Models.lenet5(10), arena, 1, false, k)) {
            List<Param> params = net.parameters().list();
            BitMask a = arena.mask(Math.toIntExact(net.parameters().count()));
            BitMask b = arena.mask(Math.toIntExact(net.parameters().count()));
            ErkMasks.fill(params, 0.5, 1, a);
            ErkMasks.fill(params, 0.5, 2, b);
            List<Long> counts = new ArrayList<>();
            for (Param p : params) {
                long c = 0;
                for (long i = 0; i < p.size(); i++) {
                    c += a.get(p.offset() + i) ? 1 : 0;
                }
                if (!p.prunable()) {
                    assertEquals(p.size(), c, p.name() + " is never masked");
                } else {
                    counts.add(c);
                }
            }
            assertEquals(List.of(150L, 1259L, 20459L, 8026L, 840L), counts);
            assertEquals(a.cardinality(), b.cardinality());
            boolean differ = false;
            for (long i = 0; i < a.size() && !differ; i++) {
                differ = a.get(i) != b.get(i);
            }
            assertTrue(differ, "different seeds give different positions");
            BitMask c = arena.mask(Math.toIntExact(net.parameters().count()));
            ErkMasks.fill(params, 0.5, 1, c);
            for (long i = 0; i < a.size(); i++) {
                assertEquals(a.get(i), c.get(i));
            }
            assertNotEquals(0, a.cardinality());
        }
    }
}
