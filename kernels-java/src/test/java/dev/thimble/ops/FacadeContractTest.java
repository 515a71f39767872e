package dev.thimble.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import dev.thimble.testkit.RandomTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The facades reject bad arguments with messages naming both operands, before any kernel runs. */
class FacadeContractTest {

    static void rejected(Class<? extends Throwable> type, Executable call, String... fragments) {
        Throwable e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    @Test
    void mismatchedShapesNameBothOperands() {
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build()) {
            RandomTensors rnd = new RandomTensors(1);
            CsrF32 a = rnd.csr(arena, 3, 4, 0.5);
            DenseF32 b = arena.dense(5, 2);
            DenseF32 c = arena.dense(3, 2);
            rejected(IllegalArgumentException.class, () -> SpmmOps.csr(a, b, c), "A columns must equal B rows",
                    "(4 vs 5)", "csr[3x4", "dense[5x2]");
            rejected(IllegalArgumentException.class, () -> SpmmOps.csr(a, arena.dense(4, 2), arena.dense(2, 2)),
                    "C rows must equal A rows");
            rejected(IllegalArgumentException.class, () -> SpmmOps.csr(a, arena.dense(4, 2, 1), c),
                    "B must be a matrix");
            rejected(IllegalArgumentException.class,
                    () -> SpmmOps.denseTimesSparseT(arena.dense(2, 3), a, arena.dense(2, 3)),
                    "X columns must equal W columns");
            rejected(IllegalArgumentException.class,
                    () -> SddmmOps.sample(arena.dense(3, 6), arena.dense(4, 5), a), "same number of columns");
            rejected(IllegalArgumentException.class, () -> SddmmOps.maskedGemm(arena.dense(3, 2), arena.dense(2, 2),
                    arena.mask(5), c), "has 6 elements but mask[5] has 5 bits");
            rejected(IllegalArgumentException.class, () -> VectorOps.axpy(1f, arena.dense(3), arena.dense(4)),
                    "sizes differ");
            rejected(IllegalArgumentException.class,
                    () -> VectorOps.weightedSum(new float[2], new DenseF32[] {arena.dense(3)}, arena.dense(3)),
                    "2 weights for 1 tensors");
        }
    }

    @Test
    void anOutputOverlappingAnInputIsRefused() {
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build()) {
            DenseF32 both = arena.dense(4, 4);
            CsrF32 a = new RandomTensors(2).csr(arena, 4, 4, 0);
            rejected(IllegalArgumentException.class, () -> SpmmOps.csr(a, both, both), "output C overlaps input B");
            DenseF32 flat = arena.dense(32);
            rejected(IllegalArgumentException.class,
                    () -> SpmmOps.csr(a, flat.view(0, 4, 4), flat.view(12, 4, 4)), "overlaps");
            DenseF32 c = flat.view(16, 4, 4);
            SpmmOps.csr(a, flat.view(0, 4, 4), c); // adjacent but disjoint views are fine
        }
    }

    @Test
    void aClosedTensorIsAnIllegalStateNotACrash() {
        TensorArena arena = TensorArena.builder().name("closed").leakCheck(false).build();
        RandomTensors rnd = new RandomTensors(3);
        CsrF32 a = rnd.csr(arena, 4, 4, 0.5);
        DenseF32 b = rnd.dense(arena, 4, 4);
        DenseF32 c = arena.dense(4, 4);
        BitMask m = arena.mask(16);
        arena.close();
        rejected(IllegalStateException.class, () -> SpmmOps.csr(a, b, c), "csr[4x4", "arena 'closed' is closed");
        rejected(IllegalStateException.class, () -> VectorOps.norm2(b), "dense[4x4]");
        rejected(IllegalStateException.class, () -> VectorOps.applyMask(c, m), "was freed");
    }

    @Test
    void unknownProviderSaysWhatIsAvailable() {
        rejected(IllegalArgumentException.class, () -> KernelContext.builder().provider("cuda").build(),
                "'cuda' is not available", "scalar");
    }

    @Test
    void largeProblemsSplitAcrossThreadsAndGiveTheSameResult() {
        try (TensorArena arena = TensorArena.builder().leakCheck(false).build();
                KernelContext one = KernelContext.builder().provider("scalar").threads(1).build();
                KernelContext two = KernelContext.builder().provider("scalar").threads(2).parallelThreshold(0)
                        .build()) {
            RandomTensors rnd = new RandomTensors(4);
            CsrF32 a = rnd.csr(arena, 301, 64, 0.7);
            DenseF32 b = rnd.dense(arena, 64, 9);
            DenseF32 c1 = SpmmOps.csr(one, 1f, a, b, 0f, arena.dense(301, 9));
            DenseF32 c2 = SpmmOps.csr(two, 1f, a, b, 0f, arena.dense(301, 9).fill(Float.NaN));
            // the same provider computes each row the same way whichever thread runs it
            assertTrue(c1.contentEquals(c2));
            assertEquals(2, two.threads());
        }
    }
}
