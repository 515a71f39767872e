package dev.thimble.fl.depth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.ParamSpec;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One FeDepth stage trains exactly its blocks, the stem in stage 1, and the head. */
class StageTrainingTest {
    final Model model = DepthTestModels.model();
    final Dataset data = DepthTestModels.data(64, 3);
    final StageTraining.Hyper h = new StageTraining.Hyper(1, 16, 0.05, 0.9, 5e-4);

    @Test
    void aMiddleStageChangesOnlyItsBlocksAndTheHead() {
        check(new DepthPlan.Stage(3, 5));
    }

    @Test
    void theFirstStageAlsoTrainsTheStem() {
        check(new DepthPlan.Stage(0, 2));
    }

    @Test
    void theLastStageNeedsNoLink() {
        check(new DepthPlan.Stage(6, 9));
    }

    @Test
    void aFrozenPrefixFollowedByTheLastStageComputesTheFullModel() {
        BlockLayout layout = BlockLayout.of(model);
        KernelContext k = KernelContext.global();
        try (TensorArena arena = TensorArena.open("compose");
                dev.thimble.fl.nn.Network full = dev.thimble.fl.nn.Network.build(model, arena, 4, false, k);
                dev.thimble.fl.nn.Network prefix = dev.thimble.fl.nn.Network.build(layout.prefix(5), arena, 4, false, k);
                dev.thimble.fl.nn.Network stage = dev.thimble.fl.nn.Network.build(layout.stage(5, 9), arena, 4, true, k);
                DenseF32 x = arena.dense(4, 1, 8, 8)) {
            full.parameters().initialize(3);
            layout.load(full.parameters().values(), prefix);
            layout.load(full.parameters().values(), stage);
            int[] labels = new int[4];
            data.fillBatch(new int[] {0, 1, 2, 3}, 0, 4, x, labels);
            float[] want = full.forward(x).toArray();
            float[] got = stage.forward(prefix.forward(x)).toArray();
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, 1e-5f);
        }
    }

    @Test
    void anEarlyStageFeedsTheHeadThroughTheLink() {
        // stage {block1..block2} ends at 2ch@8×8; the head expects 8ch@2×2: link of stride 4, 3 zero channels before
        Model m = BlockLayout.of(model).stage(0, 2);
        java.util.List<dev.thimble.fl.nn.Layer> layers = m.layers();
        assertTrue(layers.stream().anyMatch(l -> l instanceof dev.thimble.fl.nn.ChannelPadLink), layers.toString());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {4}, m.outputShape());
        assertEquals(false, BlockLayout.of(model).stage(6, 9).layers().stream()
                .anyMatch(l -> l instanceof dev.thimble.fl.nn.ChannelPadLink));
    }

    private void check(DepthPlan.Stage stage) {
        BlockLayout layout = BlockLayout.of(model);
        try (TensorArena arena = TensorArena.open("stage");
                DenseF32 full = arena.dense(Math.toIntExact(model.parameterCount()))) {
            SplittableRandom rng = new SplittableRandom(5);
            for (long i = 0; i < full.size(); i++) {
                full.set(i, (float) (rng.nextDouble() - 0.5) * 0.3f + 0.5f);
            }
            float[] before = full.toArray();
            long held = arena.currentBytes();
            StageTraining.Totals t = StageTraining.stage(layout, stage, full, data, h, 7, arena, KernelContext.global());
            assertEquals(data.size(), t.samples());
            assertTrue(Double.isFinite(t.lossSum()));
            float[] after = full.toArray();
            Map<String, long[]> offsets = layout.offsets();
            for (ParamSpec p : model.parameterSpecs()) {
                long[] o = offsets.get(p.name());
                boolean trained = layout.inBlocks(p.name(), stage.from(), stage.to()) || p.name().startsWith("bn_out")
                        || p.name().startsWith("fc");
                int changed = 0;
                for (long i = o[0]; i < o[0] + o[1]; i++) {
                    if (after[(int) i] != before[(int) i]) {
                        changed++;
                    }
                }
                if (trained) {
                    assertTrue(changed > 0, stage + ": trainable " + p.name() + " did not change");
                } else {
                    assertEquals(0, changed, stage + ": frozen or skipped " + p.name() + " changed");
                }
            }
            assertEquals(held, arena.currentBytes(), "the stage must free everything it allocated");
        }
    }
}
