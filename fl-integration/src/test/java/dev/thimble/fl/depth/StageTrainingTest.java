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
