package dev.thimble.fl.zo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.thimble.fl.nn.Models;
import dev.thimble.fl.nn.Network;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.NoiseOps;
import dev.thimble.ops.VectorOps;
import dev.thimble.random.Noise;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * K perturbed forward passes of one inference network equal, bit for bit, the losses of a second
 * network loaded with {@code w + σ z_k ⊙ m} built by {@link NoiseOps#addNoise} (both compute
 * {@code fma(σ, z, w)} per active element), and the weights are bit-identical afterwards.
 */
class PerturbedForwardTest {
    @Test
    void batchedPerturbedLossesMatchMaterialisedWeights() {
        int b = 8;
        try (TensorArena arena = TensorArena.builder().name("pf").leakCheck(false).build();
                KernelContext kernels = KernelContext.builder().threads(1).build()) {
            var model = Models.mlp(new int[] {12}, 16, 5);
            Network net = Network.build(model, arena, b, false, kernels);
            Network ref = Network.build(model, arena, b, false, kernels);
            net.parameters().initialize(7);
            DenseF32 w = net.parameters().values();
            BitMask mask = arena.mask(Math.toIntExact(w.size()));
            for (long i = 0; i < w.size(); i++) {
                mask.set(i, i % 4 != 1);
            }
            VectorOps.applyMask(w, mask);
            float[] before = w.toArray();
            DenseF32 x = NoiseOps.fillNoise(arena.dense(b, 12), null, 1f, 99, 1, 0, Noise.GAUSSIAN);
            int[] labels = {0, 1, 2, 3, 4, 0, 1, 2};
            PerturbedForward pf = new PerturbedForward(net, kernels, arena);
            ZoRequest req = ZoRequest.draw(new SplittableRandom(8), 6);
            float sigma = 1e-2f;
            double[] losses = pf.losses(x, labels, mask, sigma, req, Noise.GAUSSIAN);
            for (int k = 0; k < req.k(); k++) {
                ref.parameters().load(w);
                NoiseOps.addNoise(kernels, ref.parameters().values(), mask, sigma, req.seed(k), req.tensorId(), 0,
                        Noise.GAUSSIAN);
                double expected = new PerturbedForward(ref, kernels, arena).loss(x, labels);
                assertEquals(expected, losses[k], 0.0, "direction " + k);
            }
            assertArrayEquals(before, w.toArray(), 0f);

            // the client's reply: forward differences against the unperturbed loss
            ZoReply reply = pf.respond(ZoEstimator.baffleForward(sigma), req, x, labels, mask);
            double base = pf.loss(x, labels);
            for (int k = 0; k < req.k(); k++) {
                assertEquals((float) (losses[k] - base), reply.difference(k), 0f);
            }
            for (int i = 0; i < before.length; i++) {
                assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(w.get(i)));
            }
        }
    }
}
