package dev.thimble.fl.depth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.fl.nn.Model;
import dev.thimble.ops.KernelContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The block decomposition for given budgets, measured with the engine's accounting. */
class DepthPlannerTest {
    static final int B = 8;
    static final double MOMENTUM = 0.9;
    final Model model = DepthTestModels.model();
    final KernelContext kernels = KernelContext.global();
    final long full = MemoryProbe.whole(model, B, MOMENTUM, kernels);

    @Test
    void theFullBudgetIsOneStageAndNoBudgetIsOneStage() {
        DepthPlanner p = new DepthPlanner();
        assertEquals(DepthPlan.whole(9), p.plan(model, full, B, MOMENTUM, kernels));
        assertEquals(DepthPlan.whole(9), p.plan(model, Long.MAX_VALUE, B, MOMENTUM, kernels));
        assertTrue(p.plan(model, full - 1, B, MOMENTUM, kernels).stages().size() > 1,
                "one byte less than the whole model needs must split it");
    }

    @Test
    void everyStageOfEveryBudgetFitsAndSmallerBudgetsNeedMoreStages() {
        DepthPlanner p = new DepthPlanner();
        BlockLayout layout = BlockLayout.of(model);
        int previous = 1;
        for (double f : new double[] {0.75, 0.5, 0.4}) {
            long budget = (long) (f * full);
            DepthPlan plan = p.plan(model, budget, B, MOMENTUM, kernels);
            assertEquals(9, plan.blocks());
            for (DepthPlan.Stage s : plan.stages()) {
                long need = MemoryProbe.stage(layout, s, B, MOMENTUM, kernels);
                assertTrue(need <= budget, "budget " + f + ": stage " + s + " needs " + need + " > " + budget);
                // greedy: one more block would not have fitted
                if (s.to() < 9 && plan.stages().getLast() != s) {
                    long more = MemoryProbe.stage(layout, new DepthPlan.Stage(s.from(), s.to() + 1), B, MOMENTUM,
                            kernels);
                    assertTrue(more > budget, "budget " + f + ": stage " + s + " could have taken another block");
                }
            }
            assertTrue(plan.stages().size() >= previous, "fraction " + f + ": " + plan);
            previous = plan.stages().size();
        }
        assertTrue(previous >= 3, "40% of the training memory must need several stages");
    }

    @Test
    void aBudgetNoBlockFitsIsAClearError() {
        long tiny = full / 20;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DepthPlanner().plan(model, tiny, B, MOMENTUM, kernels));
        assertTrue(e.getMessage().contains(String.format(java.util.Locale.ROOT, "%,d bytes", tiny)), e.getMessage());
        assertTrue(e.getMessage().contains("block 1") && e.getMessage().contains("needs"), e.getMessage());
    }

    @Test
    void theTableIsFeDepthsSplit() {
        assertEquals(List.of(new DepthPlan.Stage(0, 1), new DepthPlan.Stage(1, 2), new DepthPlan.Stage(2, 3),
                new DepthPlan.Stage(3, 4), new DepthPlan.Stage(4, 6), new DepthPlan.Stage(6, 9)),
                DepthPlanner.table(9, 0).stages());
        assertEquals(DepthPlan.of(9, 2, 4, 9), DepthPlanner.table(9, 1));
        assertEquals(DepthPlan.of(9, 3, 9), DepthPlanner.table(9, 2));
        assertEquals(DepthPlan.whole(9), DepthPlanner.table(9, 3));
        assertThrows(IllegalArgumentException.class, () -> DepthPlanner.table(3, 0));
    }

    @Test
    void theFrozenPrefixIsCheaperThanTrainingIt() {
        // the last block alone, behind eight frozen blocks, must cost less than training blocks 1..9
        BlockLayout layout = BlockLayout.of(model);
        long last = MemoryProbe.stage(layout, new DepthPlan.Stage(8, 9), B, MOMENTUM, kernels);
        long all = MemoryProbe.stage(layout, new DepthPlan.Stage(0, 9), B, MOMENTUM, kernels);
        assertTrue(last < all / 2, "stage {block9} needs " + last + ", all blocks " + all);
    }

    @Test
    void badPlansAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> DepthPlan.of(9, 2, 2, 9));
        assertThrows(IllegalArgumentException.class, () -> DepthPlan.of(9, 3, 8));
        assertThrows(IllegalArgumentException.class, () -> new DepthPlanner().plan(
                dev.thimble.fl.core.TestModels.mlp(), 1000, B, MOMENTUM, kernels));
    }
}
