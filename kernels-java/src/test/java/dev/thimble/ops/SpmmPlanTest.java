package dev.thimble.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import dev.thimble.testkit.Expected;
import dev.thimble.testkit.RandomTensors;
import dev.thimble.testkit.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SpmmPlanTest {

    /** W ⊙ mask, densely. */
    static Expected product(DenseF32 w, BitMask mask, DenseF32 b) {
        double[] wd = Reference.dense(w);
        for (int i = 0; i < wd.length; i++) {
            if (mask != null && !mask.get(i)) {
                wd[i] = 0;
            }
        }
        return Reference.gemm(1f, wd, w.rows(), w.cols(), b.toArray(), b.cols(), 0f, null);
    }

    /** A mask whose set bits fill whole aligned 8×8 tiles, each kept with probability {@code density}. */
    static BitMask blockMask(TensorArena arena, RandomTensors rnd, int rows, int cols, double density) {
        BitMask m = arena.mask(rows, cols);
        for (int br = 0; br < rows; br += 8) {
            for (int bc = 0; bc < cols; bc += 8) {
                boolean keep = rnd.nextInt(1000) < density * 1000;
                for (int r = br; r < Math.min(br + 8, rows) && keep; r++) {
                    for (int c = bc; c < Math.min(bc + 8, cols); c++) {
                        m.set((long) r * cols + c, true);
                    }
                }
            }
        }
        return m;
    }

    @Test
    void picksDenseForDenseWeightsCsrForScatteredSparsityAndBsrForBlocks() {
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build()) {
            RandomTensors rnd = new RandomTensors(5);
            DenseF32 w = rnd.dense(arena, 256, 256);
            try (SpmmPlan dense = SpmmPlan.create(arena, w, null)) {
                assertEquals(SpmmPlan.Format.DENSE, dense.format(), dense.toString());
            }
            try (SpmmPlan scattered = SpmmPlan.create(arena, w, rnd.mask(arena, 0.02, 256, 256))) {
                assertEquals(SpmmPlan.Format.CSR, scattered.format(), scattered.toString());
                assertEquals(0.02, scattered.analysis().density(), 0.01);
            }
            try (SpmmPlan blocks = SpmmPlan.create(arena, w, blockMask(arena, rnd, 256, 256, 0.1))) {
                assertEquals(SpmmPlan.Format.BSR8, blocks.format(), blocks.toString());
                assertEquals(1.0, blocks.analysis().blockFill(8), 1e-12);
                assertTrue(blocks.analysis().blockFill(16) < 1.0);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SpmmPlan.Format.class)
    void everyFormatComputesTheMaskedProductAndRefreshKeepsThePattern(SpmmPlan.Format format) {
        try (TensorArena arena = TensorArena.builder().leakCheck(true).build()) {
            RandomTensors rnd = new RandomTensors(format.ordinal());
            DenseF32 w = rnd.dense(arena, 37, 45);
            BitMask mask = rnd.mask(arena, 0.3, 37, 45);
            DenseF32 b = rnd.dense(arena, 45, 13);
            DenseF32 c = arena.dense(37, 13);
            long before = arena.currentBytes();
            try (SpmmPlan plan = SpmmPlan.builder(w, mask).format(format).build(arena)) {
                assertEquals(format, plan.format());
                long held = arena.currentBytes() - before;
                // the plan holds its copy of W and nothing else: at most 3 segments, each padded to 64 bytes
                assertTrue(held >= plan.byteSize() && held < plan.byteSize() + 3 * 64,
                        "plan holds " + held + " bytes for a copy of " + plan.byteSize());
                c.fill(Float.NaN);
                product(w, mask, b).assertMatches(plan.multiply(b, c).toArray(), format + " multiply");

                DenseF32 w2 = rnd.dense(arena, 37, 45);
                plan.refresh(w2, mask);
                c.fill(Float.NaN);
                product(w2, mask, b).assertMatches(plan.multiply(b, c).toArray(), format + " after refresh");
                w2.close();
            }
            assertEquals(before, arena.currentBytes(), "closing the plan frees its copy");
            for (var t : new dev.thimble.tensor.Tensor[] {w, mask, b, c}) {
                t.close();
            }
        }
    }

    @Test
    void refreshWithAnotherMaskIsRefused() {
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build()) {
            RandomTensors rnd = new RandomTensors(9);
            DenseF32 w = rnd.dense(arena, 16, 16);
            SpmmPlan plan = SpmmPlan.create(arena, w, rnd.mask(arena, 0.5, 16, 16));
            BitMask other = arena.mask(16, 16);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.refresh(w, other));
            assertTrue(e.getMessage().contains("create a new plan"), e.getMessage());
        }
    }
}
