package dev.thimble.fl.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.fl.core.BitmaskPayload;
import dev.thimble.fl.core.ClientContext;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.FitResult;
import dev.thimble.fl.core.TestModels;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.Param;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import org.junit.jupiter.api.Test;

/** One local step of {@link FedDipClientTrainer}: the regulariser's gradient and the bitmask upload. */
class FedDipClientTrainerTest {

    /** The uploaded values after one full-batch step with this λ (weight decay 0), plus the mask and w̃. */
    private static float[][] oneStep(double lambda) {
        return oneStep(lambda, 0.5, 0);
    }

    private static float[][] oneStep(double lambda, double density, double sparseBelow) {
        Model model = TestModels.mlp();
        Dataset data = TestModels.data(32, 5);
        try (TensorArena arena = TensorArena.builder().name("feddip-client").leakCheck(false).build();
                TensorArena client = TensorArena.builder().name("c").leakCheck(false).build();
                KernelContext k = KernelContext.builder().threads(1).build();
                Network net = Network.build(model, arena, 1, false, k)) {
            net.parameters().initialize(3);
            DenseF32 w = net.parameters().values();
            BitMask mask = arena.mask(Math.toIntExact(w.size()));
            ErkMasks.fill(net.parameters().list(), density, 9, mask);
            BitmaskPayload down = FedDipClientTrainer.gather(arena, w, mask);
            TrainConfig cfg = new TrainConfig(1, 32, 0.5, 0).with(FedDip.LAMBDA_KEY, lambda)
                    .with(FedDip.WEIGHT_DECAY_KEY, 0).with(FedDipClientTrainer.SPARSE_BELOW_KEY, sparseBelow);
            FitResult r = new FedDipClientTrainer().fit(new ClientContext(0, 2, 7, data, model, client, arena, k),
                    new FitInstructions(0, down, cfg));
            assertTrue(r.payload() instanceof BitmaskPayload, "upload at the mask's positions");
            assertEquals(mask.cardinality(), r.payload().presentCount());
            assertEquals(4 * mask.cardinality() + (w.size() + 7) / 8, r.payload().byteSize());
            DenseF32 up = arena.dense(Math.toIntExact(w.size()));
            r.payload().scatterInto(up);
            float[] masked = w.toArray();
            float[] m = new float[masked.length];
            for (int i = 0; i < masked.length; i++) {
                m[i] = mask.get(i) ? 1 : 0;
                masked[i] *= m[i];
            }
            float[] layer = new float[masked.length]; // λ-gradient direction w̃_l/‖w̃_l‖ per prunable weight
            for (Param p : net.parameters().prunable()) {
                double norm = 0;
                for (long i = 0; i < p.size(); i++) {
                    norm += (double) masked[(int) (p.offset() + i)] * masked[(int) (p.offset() + i)];
                }
                norm = Math.sqrt(norm);
                for (long i = 0; i < p.size(); i++) {
                    layer[(int) (p.offset() + i)] = (float) (masked[(int) (p.offset() + i)] / norm);
                }
            }
            return new float[][] {up.toArray(), m, layer};
        }
    }

    @Test
    void regulariserAddsLambdaTimesTheNormalisedMaskedWeights() {
        float[][] a = oneStep(0);
        float[][] b = oneStep(0.01);
        float lr = 0.5f;
        for (int i = 0; i < a[0].length; i++) {
            if (a[1][i] == 0) {
                assertEquals(0f, b[0][i], "position " + i + " is not uploaded");
                continue;
            }
            // same w̃, same cross-entropy gradient: the difference is −η·λ·w̃_l/‖w̃_l‖ (0 for biases)
            assertEquals(-lr * 0.01f * b[2][i], b[0][i] - a[0][i], 1e-6, "position " + i);
        }
    }

    @Test
    void sparseKernelsGiveTheDenseUploadUpToRounding() {
        float[][] dense = oneStep(0.01, 0.2, 0);
        float[][] sparse = oneStep(0.01, 0.2, 1);
        for (int i = 0; i < dense[0].length; i++) {
            // one step of lr 0.5 on a 32-sample batch: a few float roundings of O(1) terms
            assertEquals(dense[0][i], sparse[0][i], 1e-5, "position " + i);
            if (dense[1][i] == 0) {
                assertEquals(0f, sparse[0][i], "position " + i + " is not uploaded");
            }
        }
    }
}
