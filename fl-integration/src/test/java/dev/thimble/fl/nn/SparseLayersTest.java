package dev.thimble.fl.nn;

import dev.thimble.fl.data.Batches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.ops.KernelContext;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A layer run sparse on a weight mask computes what the dense layer computes with the masked-out
 * weights set to zero — forward, input gradient, bias gradient and the kept weights' gradient —
 * and gives exactly zero gradient to the pruned weights.
 */
class SparseLayersTest {

    static Model model(String kind) {
        Supplier<List<Layer>> recipe = switch (kind) {
            case "linear" -> () -> List.of(new Linear("fc", 13, 7));
            case "conv" -> () -> List.of(new Conv2d("conv", 2, 3, 3, 2, 1));
            case "conv1x1" -> () -> List.of(new Conv2d("conv", 2, 4, 1, 1, 0));
            case "lenet" -> Models.lenet5(10)::layers;
            default -> throw new IllegalArgumentException(kind);
        };
        int[] in = switch (kind) {
            case "linear" -> new int[] {13};
            case "lenet" -> new int[] {1, 28, 28};
            default -> new int[] {2, 6, 7};
        };
        return new Model(kind, in, recipe);
    }

    /** Linear and Conv2d alike count 2 flops per kept weight and output position, none for pruned ones. */
    @ParameterizedTest
    @ValueSource(strings = {"linear", "conv", "conv1x1"})
    void forwardFlopsCountOnlyTheKeptWeights(String kind) {
        Model m = model(kind);
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build()) {
            Network net = Network.build(m, arena, 2, true, kernels);
            long dense = net.forwardFlops();
            BitMask mask = arena.mask(Math.toIntExact(net.parameters().count()));
            mask.fill(true);
            SplittableRandom rnd = new SplittableRandom(5);
            long pruned = 0;
            long weights = 0;
            for (Param p : net.parameters().list()) {
                if (p.prunable()) {
                    weights = p.size();
                    for (long i = p.offset(); i < p.offset() + p.size(); i++) {
                        if (rnd.nextDouble() < 0.6) {
                            mask.set(i, false);
                            pruned++;
                        }
                    }
                }
            }
            net.setWeightMasks(mask);
            int[] out = m.outputShape();
            long positions = out.length == 1 ? 1 : (long) out[1] * out[2];
            assertTrue(pruned > 0 && pruned < weights);
            assertEquals(dense - 2 * pruned * positions, net.forwardFlops(), kind);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "conv", "conv1x1", "lenet"})
    void sparseEqualsDenseWithPrunedWeightsZeroed(String kind) {
        Model m = model(kind);
        int batch = 3;
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build()) {
            Network sparse = Network.build(m, arena, batch, true, kernels);
            Network dense = Network.build(m, arena, batch, true, kernels);
            sparse.parameters().initialize(7);
            SplittableRandom rnd = new SplittableRandom(11);
            BitMask mask = arena.mask(Math.toIntExact(sparse.parameters().count()));
            for (long i = 0; i < mask.size(); i++) {
                mask.set(i, rnd.nextDouble() < 0.4);
            }
            for (Param p : sparse.parameters().list()) {
                if (!p.prunable()) {
                    mask.view(p.offset(), Math.toIntExact(p.size())).fill(true); // only weights are masked
                }
            }
            sparse.setWeightMasks(mask);
            dense.parameters().load(sparse.parameters().values());
            VectorOps.applyMask(dense.parameters().values(), mask);

            DenseF32 x = arena.dense(Batches.shape(batch, m.inputShape()));
            for (long i = 0; i < x.size(); i++) {
                x.set(i, (float) (rnd.nextDouble() * 2 - 1));
            }
            float[] ys = sparse.forward(x).toArray();
            float[] yd = dense.forward(x).toArray();
            assertClose(yd, ys, "forward");

            float[] r = new float[ys.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            for (Network n : List.of(sparse, dense)) {
                n.outputGradient(batch).copyFrom(r);
                n.parameters().zeroGrads();
                n.backward();
            }
            float[] gs = sparse.parameters().grads().toArray();
            float[] gd = dense.parameters().grads().toArray();
            int pruned = 0;
            for (int i = 0; i < gs.length; i++) {
                if (!mask.get(i)) {
                    assertEquals(0f, gs[i], 0f, "pruned weight " + i + " got a gradient");
                    gd[i] = 0f; // the dense layer computes it; the sparse one must not
                    pruned++;
                }
            }
            assertTrue(pruned > 0);
            assertClose(gd, gs, "gradients");
        }
    }

    @org.junit.jupiter.api.Test
    void aMaskPruningWeightsNoSparseLayerAppliesIsRefused() {
        Model resnet = Models.preResNet20(new int[] {1, 28, 28}, 10);
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build()) {
            Network net = Network.build(resnet, arena, 1, false, kernels);
            BitMask mask = arena.mask(Math.toIntExact(net.parameters().count())).fill(true);
            net.setWeightMasks(mask); // nothing pruned: fine
            Param nested = net.parameters().list().stream().filter(p -> p.name().startsWith("block1.conv1"))
                    .findFirst().orElseThrow();
            mask.set(nested.offset(), false);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> net.setWeightMasks(mask));
            assertTrue(e.getMessage().contains(nested.name()) && e.getMessage().contains("applyMask"),
                    e.getMessage());
        }
    }

    /** Both sides sum the same terms in different orders: a few ulps of the largest magnitude. */
    @ParameterizedTest
    @ValueSource(strings = {"linear", "conv", "lenet"})
    void anInferenceNetworkHoldsOnlyTheKeptWeightsInCsrAndComputesTheSame(String kind) {
        Model m = model(kind);
        int batch = 3;
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build()) {
            Network train = Network.build(m, arena, batch, true, kernels);
            Network infer = Network.build(m, arena, batch, false, kernels);
            train.parameters().initialize(7);
            infer.parameters().values().copyFrom(train.parameters().values());
            SplittableRandom rnd = new SplittableRandom(5);
            BitMask mask = arena.mask(Math.toIntExact(train.parameters().count()));
            for (long i = 0; i < mask.size(); i++) {
                mask.set(i, rnd.nextDouble() < 0.3);
            }
            for (Param p : train.parameters().list()) {
                if (!p.prunable()) {
                    mask.view(p.offset(), Math.toIntExact(p.size())).fill(true);
                }
            }
            long before = arena.currentBytes();
            train.setWeightMasks(mask);
            long trainingCopies = arena.currentBytes() - before;
            before = arena.currentBytes();
            infer.setWeightMasks(mask);
            long inferenceCopies = arena.currentBytes() - before;
            // training keeps W, Wᵀ and the gradient pattern; inference keeps W alone
            assertTrue(3 * inferenceCopies <= trainingCopies + 3 * 64L * m.layers().size(),
                    "inference " + inferenceCopies + " B vs training " + trainingCopies + " B");
            assertTrue(inferenceCopies > 0);
            DenseF32 x = arena.dense(Batches.shape(batch, m.inputShape()));
            for (long i = 0; i < x.size(); i++) {
                x.set(i, (float) rnd.nextGaussian());
            }
            assertClose(train.forward(x).toArray(), infer.forward(x).toArray(), kind + " logits");
            infer.close();
            train.close();
        }
    }

    static void assertClose(float[] want, float[] got, String what) {
        float scale = 0;
        for (float v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5f * Math.max(scale, 1f), what + " element " + i);
        }
    }
}
