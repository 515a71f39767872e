package dev.thimble.fl.pruning;

import dev.thimble.fl.nn.Parameters;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.MaskOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Iterative global pruning at initialisation as NTK-SAP does it (Wang et al., ICLR 2023): for
 * t = 0..T−1, recompute the saliency at the current mask, score = |∂S/∂m| on the active
 * prunable weights, keep the {@link DensitySchedule#kept} best of the d prunable weights at
 * density {@code ρ_t = ρ^((t+1)/T)}, with one threshold over all prunable tensors.
 *
 * <p><b>Selection and ties.</b> {@link MaskOps#topK(KernelContext, TensorArena, DenseF32, long,
 * BitMask)} on the flat score vector with the current active prunable weights as candidates: one
 * global budget over all prunable tensors, like {@link MaskOps#globalTopK}, but restricted to the
 * current mask (so masks only shrink, and a pruned weight with score 0 can never win a tie
 * against a kept one, which {@code globalTopK} on zeroed scores could allow). Exactly
 * {@code kept} weights survive; among equal scores the lower flat index is kept. The reference
 * code instead thresholds at the k-th smallest score and prunes ties together, so it may keep
 * fewer; with continuous scores ties have probability ~0.
 */
public final class IterativePruner {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private IterativePruner() {
    }

    /**
     * The outcome of pruning.
     *
     * @param mask over the flat parameters: kept prunable weights and every non-prunable parameter
     * @param densities ρ_t per iteration
     * @param kept prunable weights kept after each iteration
     */
    public record Result(BitMask mask, double[] densities, long[] kept) {
    }

    /**
     * Prunes from the dense mask down to density {@code target} in {@code iterations} steps.
     *
     * @param params the layout (which entries are prunable) of the networks the saliency scores
     * @param arena (Output) owns the result mask; temporaries are freed
     * @param seed iteration t scores with seed {@code mix(seed, t)}
     */
    public static Result prune(KernelContext ctx, TensorArena arena, Parameters params, Saliency saliency,
            double target, int iterations, long seed) {
        long d = ParamMasks.prunableCount(params);
        double[] densities = new double[iterations];
        long[] kept = new long[iterations];
        BitMask prunable = ParamMasks.prunable(params, arena);
        BitMask mask = ParamMasks.dense(params, arena);
        DenseF32 scores = arena.dense(Math.toIntExact(params.count()));
        try {
            for (int t = 0; t < iterations; t++) {
                densities[t] = DensitySchedule.density(target, t, iterations);
                kept[t] = DensitySchedule.kept(d, densities[t]);
                saliency.gradient(mask, Draws.mix(seed, t, 6), scores);
                BitMask next = step(ctx, arena, scores, mask, prunable, kept[t]);
                mask.close();
                mask = next;
            }
            return new Result(mask, densities, kept);
        } catch (RuntimeException | Error e) {
            mask.close();
            throw e;
        } finally {
            prunable.close();
            scores.close();
        }
    }

    /**
     * One iteration: keeps the {@code kept} active prunable weights of largest {@code |score|}
     * (ties to the lower index) and every non-prunable parameter. Federated pruning calls it once
     * per round with the server's combined scores.
     *
     * @param scores (Input/Output) the signed saliency over the flat parameters; replaced by its absolute value
     * @param mask (Input) the current mask (non-prunable bits set); not modified
     * @param prunable (Input) the prunable positions ({@link ParamMasks#prunable})
     * @param kept weights to keep, at most the active prunable count
     * @return the next mask, a new tensor of {@code arena}
     */
    public static BitMask step(KernelContext ctx, TensorArena arena, DenseF32 scores, BitMask mask, BitMask prunable,
            long kept) {
        abs(scores);
        try (BitMask active = ParamMasks.and(mask, prunable, arena)) {
            if (kept < 0 || kept > active.cardinality()) {
                throw new IllegalArgumentException("cannot keep " + kept + " of " + active.cardinality()
                        + " active prunable weights");
            }
            try (BitMask selected = MaskOps.topK(ctx, arena, scores, kept, active)) {
                return ParamMasks.orNot(selected, prunable, arena);
            }
        }
    }

    private static void abs(DenseF32 x) {
        MemorySegment s = x.segment();
        for (long i = 0, n = x.size(); i < n; i++) {
            s.setAtIndex(F, i, Math.abs(s.getAtIndex(F, i)));
        }
    }
}
