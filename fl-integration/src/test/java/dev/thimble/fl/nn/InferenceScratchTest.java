package dev.thimble.fl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Inference networks share their blocks' scratch; closing a network frees its layers' buffers too. */
class InferenceScratchTest {
    final Model model = Models.preResNet20(new int[] {1, 12, 12}, 5, 4);

    @Test
    void anInferenceNetworkComputesWhatATrainingNetworkComputes() {
        try (TensorArena arena = TensorArena.open("scratch");
                Network train = Network.build(model, arena, 3, true, KernelContext.global());
                Network infer = Network.build(model, arena, 3, false, KernelContext.global());
                DenseF32 x = arena.dense(3, 1, 12, 12)) {
            train.parameters().initialize(9);
            infer.parameters().load(train.parameters().values());
            SplittableRandom rng = new SplittableRandom(1);
            for (long i = 0; i < x.size(); i++) {
                x.set(i, (float) rng.nextDouble());
            }
            float[] a = train.forward(x).toArray();
            float[] b = infer.forward(x).toArray();
            assertArrayEquals(a, b, 1e-5f);
        }
    }

    @Test
    void inferenceMemoryDoesNotGrowWithTheBlocksItShares() {
        long nine = inferenceBytes(model);
        long one = inferenceBytes(Models.preResNet("one-block", new int[] {1, 12, 12}, 5, 4, new int[] {4}));
        // parameters aside, nine blocks at one resolution cost what one block costs
        long params = 4L * (model.parameterCount() - Models.preResNet("one-block", new int[] {1, 12, 12}, 5, 4,
                new int[] {4}).parameterCount());
        assertTrue(nine - one <= params + 64L * 80, "nine blocks: " + nine + " B, one block: " + one + " B");
    }

    @Test
    void closingANetworkFreesItsLayersBuffers() {
        try (TensorArena arena = TensorArena.open("free")) {
            Network.build(model, arena, 4, true, KernelContext.global()).close();
            Network.build(model, arena, 4, false, KernelContext.global()).close();
            assertEquals(0, arena.currentBytes());
        }
    }

    @Test
    void preResNet20OfBaseWidth8HasItsParameterCount() {
        // stem 88; blocks 3·1,184 + 3,632 + 2·4,672 + 14,432 + 2·18,560; head 64 + 330
        assertEquals(68_562, Models.preResNet20(new int[] {1, 28, 28}, 10, 8).parameterCount());
        assertEquals(Models.preResNet20(new int[] {1, 28, 28}, 10).parameterCount(),
                Models.preResNet20(new int[] {1, 28, 28}, 10, 16).parameterCount());
        assertEquals(278_164, Models.preResNet20(new int[] {3, 32, 32}, 100, 16).parameterCount());
    }

    private static long inferenceBytes(Model m) {
        try (TensorArena arena = TensorArena.open("count");
                Network n = Network.build(m, arena, 2, false, KernelContext.global())) {
            return arena.currentBytes();
        }
    }
}
