package dev.thimble.fl.nn;

import dev.thimble.fl.data.Batches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.ops.FormatOps;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SWAT-U layers: exactly k weights and k activations on a refresh, thresholds cached for the
 * period, and forward, input gradient and the dense weight gradient equal to a dense layer's run
 * on the masked weights Ŵ (forward, dX) and the masked activations X̂ (dW).
 */
class SwatLayersTest {

    @Test
    void keepIsTheCeilingOfTheDensityTimesTheSize() {
        assertEquals(15, new Swat(0.9).keep(150));
        assertEquals(240, new Swat(0.9).keep(2400));
        assertEquals(20, new Swat(0.95).keep(400));
        assertEquals(3, new Swat(0.9).keep(21)); // 2.1 → 3
        assertEquals(1, new Swat(0.99).keep(5)); // at least one
        assertEquals(7, new Swat(0).keep(7));
        assertEquals(0, new Swat(0.5).keep(0));
    }

    @Test
    void badSettingsAreRefusedWithTheirValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Swat(1.0));
        assertTrue(e.getMessage().contains("[0, 1)") && e.getMessage().contains("1.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Swat(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new Swat(Double.NaN));
        e = assertThrows(IllegalArgumentException.class, () -> new Swat(0.9, 0, false));
        assertTrue(e.getMessage().contains("period"), e.getMessage());
    }

    static Model model(String kind) {
        return switch (kind) {
            case "linear" -> new Model(kind, new int[] {13}, () -> List.of(new Linear("fc", 13, 7)));
            case "conv" -> new Model(kind, new int[] {2, 6, 7}, () -> List.of(new Conv2d("conv", 2, 3, 3, 2, 1)));
            case "conv1x1" -> new Model(kind, new int[] {2, 6, 7}, () -> List.of(new Conv2d("conv", 2, 4, 1, 1, 0)));
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "conv", "conv1x1"})
    void gradientsEqualTheDenseOnesOnMaskedWeightsAndActivations(String kind) {
        Model m = model(kind);
        int batch = 3;
        Swat swat = new Swat(0.7, 1, false);
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build()) {
            Network net = Network.build(m, arena, batch, true, kernels);
            Network ref = Network.build(m, arena, batch, true, kernels);
            net.parameters().initialize(7);
            Layer layer = net.layers().getFirst();
            Layer refLayer = ref.layers().getFirst();
            ((SwatLayer) layer).setSwat(swat);
            SplittableRandom rnd = new SplittableRandom(11);
            DenseF32 x = random(arena, Batches.shape(batch, m.inputShape()), rnd);
            DenseF32 y = arena.dense(Batches.shape(batch, m.outputShape()));
            layer.forward(x, y);

            SwatState st = ((SwatLayer) layer).swatState();
            Param w = net.parameters().get(layer.name() + ".weight");
            assertEquals(swat.keep(w.size()), st.weights().nnz(), "kept weights");
            assertEquals(swat.keep(x.size()), st.activations().nnz(), "kept activations");
            DenseF32 wHat = FormatOps.toDense(arena, st.weights());
            DenseF32 xHat = FormatOps.toDense(arena, st.activations()).reshape(x.shape());
            assertLargestKept(w.value(), wHat);
            assertLargestKept(x, xHat);

            ref.parameters().load(net.parameters().values());
            ref.parameters().get(layer.name() + ".weight").value().copyFrom(wHat.reshape(w.value().shape()));
            DenseF32 yRef = arena.dense(y.shape());
            refLayer.forward(x, yRef);
            SparseLayersTest.assertClose(yRef.toArray(), y.toArray(), "forward on the dense input and Ŵ");

            DenseF32 dy = random(arena, y.shape(), rnd);
            DenseF32 dx = arena.dense(x.shape());
            DenseF32 dxRef = arena.dense(x.shape());
            net.parameters().zeroGrads();
            ref.parameters().zeroGrads();
            layer.backward(x, y, dy, dx);
            refLayer.backward(xHat, yRef, dy, dxRef); // the dense layer fed X̂: dW from X̂, dX from Ŵ
            SparseLayersTest.assertClose(dxRef.toArray(), dx.toArray(), "input gradient");
            SparseLayersTest.assertClose(ref.parameters().grads().toArray(), net.parameters().grads().toArray(),
                    "weight and bias gradients");
            int droppedWithGradient = 0;
            for (long i = 0; i < w.size(); i++) {
                if (wHat.get(i) == 0f && w.grad().get(i) != 0f) {
                    droppedWithGradient++;
                }
            }
            assertTrue(droppedWithGradient > 0, "dW is dense: dropped weights get gradient too");
            ((SwatLayer) layer).setSwat(null);
        }
    }

    @Test
    void thresholdsAreCachedForThePeriodThenRefreshed() {
        Model m = model("linear");
        Swat swat = new Swat(0.8, 10, false);
        int batch = 4;
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build()) {
            Network net = Network.build(m, arena, batch, true, kernels);
            net.parameters().initialize(3);
            Linear fc = (Linear) net.layers().getFirst();
            fc.setSwat(swat);
            DenseF32 w = net.parameters().get("fc.weight").value();
            SplittableRandom rnd = new SplittableRandom(5);
            DenseF32 y = arena.dense(batch, 7);
            float tau = Float.NaN;
            for (int f = 1; f <= 25; f++) {
                DenseF32 x = random(arena, new int[] {batch, 13}, rnd);
                fc.forward(x, y);
                SwatState st = fc.swatState();
                boolean refresh = f % 10 == 1;
                if (refresh) {
                    assertNotEquals(tau, st.weightThreshold(), "forward " + f + " refreshes τ_W");
                    tau = st.weightThreshold();
                    assertEquals(swat.keep(w.size()), st.weights().nnz(), "forward " + f + ": exactly k");
                    assertEquals(swat.keep(x.size()), st.activations().nnz(), "forward " + f + ": exactly k");
                } else {
                    assertEquals(tau, st.weightThreshold(), "forward " + f + " reuses τ_W");
                    assertEquals(atLeast(w, st.weightThreshold()), st.weights().nnz(), "forward " + f + ": |w| ≥ τ_W");
                    assertEquals(atLeast(x, st.activationThreshold()), st.activations().nnz(),
                            "forward " + f + ": |x| ≥ τ_A");
                }
                assertEquals(f, st.forwards());
                assertEquals((f + 9) / 10, st.refreshes());
                for (long i = 0; i < w.size(); i++) { // a dense update moves every weight
                    w.set(i, w.get(i) + (float) (rnd.nextGaussian() * 0.05));
                }
                x.close();
            }
            fc.setSwat(null);
        }
    }

    @Test
    void theInPlaceVariantZeroesTheDroppedWeights() {
        Model m = model("conv");
        Swat swat = new Swat(0.75, 10, true);
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build()) {
            Network net = Network.build(m, arena, 2, true, kernels);
            net.parameters().initialize(9);
            Conv2d conv = (Conv2d) net.layers().getFirst();
            conv.setSwat(swat);
            DenseF32 x = random(arena, Batches.shape(2, m.inputShape()), new SplittableRandom(1));
            conv.forward(x, arena.dense(Batches.shape(2, m.outputShape())));
            DenseF32 w = net.parameters().get("conv.weight").value();
            long nonZero = 0;
            for (long i = 0; i < w.size(); i++) {
                nonZero += w.get(i) != 0f ? 1 : 0;
            }
            assertEquals(swat.keep(w.size()), nonZero);
            conv.setSwat(null);
        }
    }

    @Test
    void applyTurnsOnEveryLayerButTheFirstAndOffFreesEverything() {
        // layers' own scratch (im2col, pooling indices) lives as long as the arena, so count tensors instead
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build()) {
            try (Network net = Network.build(Models.lenet5(10), arena, 4, true, kernels)) {
                int live = arena.liveTensors();
                assertEquals(List.of("conv2", "fc1", "fc2", "fc3"), Swat.apply(net, new Swat(0.9)));
                try (DenseF32 x = arena.dense(4, 1, 28, 28)) {
                    x.fill(0.5f);
                    net.forward(x);
                }
                assertTrue(arena.liveTensors() > live);
                assertEquals(List.of(), Swat.apply(net, null));
                assertEquals(live, arena.liveTensors(), "SWAT buffers freed");
            }
        }
    }

    @Test
    void swatAndAFixedMaskAreExclusive() {
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build()) {
            Network net = Network.build(model("linear"), arena, 2, true, kernels);
            Linear fc = (Linear) net.layers().getFirst();
            BitMask mask = arena.mask(7, 13).fill(true);
            fc.setWeightMask(mask);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> fc.setSwat(new Swat(0.5)));
            assertTrue(e.getMessage().contains("fc"), e.getMessage());
        }
    }

    /** Every kept entry is at least as large as every dropped one, and kept entries keep their value. */
    private static void assertLargestKept(DenseF32 full, DenseF32 kept) {
        float minKept = Float.POSITIVE_INFINITY;
        float maxDropped = 0;
        for (long i = 0; i < full.size(); i++) {
            if (kept.get(i) != 0f) {
                assertEquals(full.get(i), kept.get(i), 0f);
                minKept = Math.min(minKept, Math.abs(full.get(i)));
            } else {
                maxDropped = Math.max(maxDropped, Math.abs(full.get(i)));
            }
        }
        assertTrue(minKept >= maxDropped, "kept " + minKept + " < dropped " + maxDropped);
    }

    private static long atLeast(DenseF32 x, float tau) {
        long n = 0;
        for (long i = 0; i < x.size(); i++) {
            float a = Math.abs(x.get(i));
            n += a >= tau && a > 0 ? 1 : 0;
        }
        return n;
    }

    private static DenseF32 random(TensorArena arena, int[] shape, SplittableRandom rnd) {
        DenseF32 t = arena.dense(shape);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, (float) (rnd.nextDouble() * 2 - 1));
        }
        return t;
    }
}
