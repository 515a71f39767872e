package dev.thimble.fl.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Models;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.Param;
import dev.thimble.fl.nn.Parameters;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.MaskOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Iterative pruning, the BP-free saliency against the back-propagated one, federated combination. */
class PruningTest {
    private static final Model MLP = Models.mlp(new int[] {10}, 20, 5); // 200 + 100 prunable weights
    private static final int BATCH = 16;

    private static long keptPrunable(BitMask mask, BitMask prunable) {
        long c = 0;
        for (long i = 0; i < mask.size(); i++) {
            c += mask.get(i) && prunable.get(i) ? 1 : 0;
        }
        return c;
    }

    @Test
    void iterativePruningKeepsTheScheduledCounts() {
        try (TensorArena arena = TensorArena.builder().name("prune").leakCheck(false).build();
                KernelContext ctx = KernelContext.builder().threads(1).build()) {
            Network net = Network.build(MLP, arena, BATCH, true, ctx);
            Parameters params = net.parameters();
            NtkSap sap = new NtkSap(net, ctx, arena, BATCH, NtkSap.DEFAULT_EPSILON, 2);
            IterativePruner.Result res = IterativePruner.prune(ctx, arena, params, sap, 0.1, 5, 1);
            BitMask prunable = ParamMasks.prunable(params, arena);
            // d = 300: pruned ⌊110.71⌋, ⌊180.57⌋, ⌊224.64⌋, ⌊252.45⌋, ⌊270⌋
            assertEquals(List.of(190L, 120L, 76L, 48L, 30L), toList(res.kept()));
            assertEquals(30, keptPrunable(res.mask(), prunable));
            for (long i = 0; i < prunable.size(); i++) {
                if (!prunable.get(i)) {
                    assertTrue(res.mask().get(i), "non-prunable parameter " + i + " must stay");
                }
            }
            // masks only shrink: a one-step continuation from the result stays inside it
            IterativePruner.Result again = IterativePruner.prune(ctx, arena, params, sap, 0.1, 1, 2);
            assertEquals(30, keptPrunable(again.mask(), prunable));
        }
    }

    private static List<Long> toList(long[] a) {
        List<Long> l = new ArrayList<>();
        for (long v : a) {
            l.add(v);
        }
        return l;
    }

    /**
     * Top-k within the active mask on the flat vector is the global top-k over the prunable
     * tensors (one threshold for all), which {@link MaskOps#globalTopK} computes too when nothing
     * is pruned yet.
     */
    @Test
    void selectionIsGlobalTopK() {
        try (TensorArena arena = TensorArena.builder().name("topk").leakCheck(false).build();
                KernelContext ctx = KernelContext.builder().threads(1).build()) {
            Network net = Network.build(MLP, arena, BATCH, true, ctx);
            Parameters params = net.parameters();
            DenseF32 scores = arena.dense(Math.toIntExact(params.count()));
            new NtkSap(net, ctx, arena, BATCH, NtkSap.DEFAULT_EPSILON, 1).gradient(ParamMasks.dense(params, arena), 4,
                    scores);
            BitMask prunable = ParamMasks.prunable(params, arena);
            BitMask flat = MaskOps.topK(ctx, arena, scores, 90, prunable);
            List<DenseF32> views = new ArrayList<>();
            List<Param> ps = params.prunable();
            for (Param p : ps) {
                views.add(scores.view(p.offset(), Math.toIntExact(p.size())));
            }
            List<BitMask> global = MaskOps.globalTopK(ctx, arena, views, 90);
            for (int t = 0; t < ps.size(); t++) {
                for (long i = 0; i < ps.get(t).size(); i++) {
                    assertEquals(global.get(t).get(i), flat.get(ps.get(t).offset() + i));
                }
            }
        }
    }

    /**
     * The BP-free saliency (central SPSA on the relaxed mask, K directions) against NTK-SAP's
     * back-propagated one, same draws, one-shot pruning of the d = 300 prunable weights to
     * density 0.3 (k = 90 kept). A random 90-subset overlaps a fixed one hypergeometrically:
     * mean k²/d = 27 (overlap fraction ρ = 0.3), variance k·(k/d)(1 − k/d)(d − k)/(d − 1) = 13.27,
     * sd 3.64 (0.040 as a fraction); 0.3 + 6 sd ≈ 0.54. We require 0.7.
     */
    @Test
    void backPropagationFreeMaskOverlapsTheBackPropagatedOne() {
        try (TensorArena arena = TensorArena.builder().name("overlap").leakCheck(false).build();
                KernelContext ctx = KernelContext.builder().threads(1).build()) {
            Network train = Network.build(MLP, arena, BATCH, true, ctx);
            Network infer = Network.build(MLP, arena, BATCH, false, ctx);
            NtkSap bp = new NtkSap(train, ctx, arena, BATCH, NtkSap.DEFAULT_EPSILON, 1);
            ZoNtkSap zo = new ZoNtkSap(infer, ctx, arena, BATCH, NtkSap.DEFAULT_EPSILON, 1, 3000,
                    ZoNtkSap.defaultEstimator());
            long start = System.nanoTime();
            BitMask mBp = IterativePruner.prune(ctx, arena, train.parameters(), bp, 0.3, 1, 77).mask();
            long mid = System.nanoTime();
            BitMask mZo = IterativePruner.prune(ctx, arena, infer.parameters(), zo, 0.3, 1, 77).mask();
            long end = System.nanoTime();
            BitMask prunable = ParamMasks.prunable(train.parameters(), arena);
            BitMask keptBp = ParamMasks.and(mBp, prunable, arena);
            BitMask keptZo = ParamMasks.and(mZo, prunable, arena);
            double overlap = ParamMasks.overlap(keptZo, keptBp);
            // the saliencies themselves: cosine similarity
            DenseF32 gBp = arena.dense(Math.toIntExact(train.parameters().count()));
            DenseF32 gZo = arena.dense(Math.toIntExact(train.parameters().count()));
            BitMask dense = ParamMasks.dense(train.parameters(), arena);
            bp.gradient(dense, 5, gBp);
            zo.gradient(dense, 5, gZo);
            double dot = 0;
            double a = 0;
            double b = 0;
            for (long i = 0; i < gBp.size(); i++) {
                dot += (double) gBp.get(i) * gZo.get(i);
                a += (double) gBp.get(i) * gBp.get(i);
                b += (double) gZo.get(i) * gZo.get(i);
            }
            System.out.printf("BP-free vs back-propagated NTK-SAP mask overlap %.3f (random: 0.300 ± 0.040); "
                    + "saliency cosine %.3f; %.0f ms vs %.0f ms%n", overlap, dot / Math.sqrt(a * b),
                    (mid - start) / 1e6, (end - mid) / 1e6);
            assertEquals(90, keptBp.cardinality());
            assertEquals(90, keptZo.cardinality());
            assertTrue(overlap >= 0.7, "overlap " + overlap);
        }
    }

    @Test
    void federatedCombination() {
        try (TensorArena arena = TensorArena.builder().name("fed").leakCheck(false).build();
                KernelContext ctx = KernelContext.builder().threads(1).build()) {
            Network a = Network.build(MLP, arena, BATCH, true, ctx);
            Network b = Network.build(MLP, arena, BATCH, true, ctx);
            int d = Math.toIntExact(a.parameters().count());
            Saliency sa = new NtkSap(a, ctx, arena, BATCH, NtkSap.DEFAULT_EPSILON, 1);
            Saliency sb = new NtkSap(b, ctx, arena, BATCH, NtkSap.DEFAULT_EPSILON, 1);
            BitMask mask = ParamMasks.dense(a.parameters(), arena);
            double[] p = {0.25, 0.75};
            DenseF32 ga = arena.dense(d);
            DenseF32 gb = arena.dense(d);
            sa.gradient(mask, Draws.client(9, 0), ga);
            sb.gradient(mask, Draws.client(9, 1), gb);

            DenseF32 sum = arena.dense(d);
            new FederatedSaliency(List.of(sa, sb), p, ScoreCombination.WEIGHTED_SUM, arena, d).gradient(mask, 9, sum);
            DenseF32 norm = arena.dense(d);
            new FederatedSaliency(List.of(sa, sb), p, ScoreCombination.MEAN_NORMALISED, arena, d).gradient(mask, 9,
                    norm);
            double l1a = 0;
            double l1b = 0;
            for (int i = 0; i < d; i++) {
                l1a += Math.abs(ga.get(i));
                l1b += Math.abs(gb.get(i));
            }
            double total = 0;
            for (int i = 0; i < d; i++) {
                assertEquals((float) (0.25 * ga.get(i) + 0.75 * gb.get(i)), sum.get(i), 0f);
                assertEquals(0.25 * Math.abs(ga.get(i)) / l1a + 0.75 * Math.abs(gb.get(i)) / l1b, norm.get(i), 1e-7);
                total += norm.get(i);
            }
            assertEquals(1.0, total, 1e-5); // each client's magnitudes sum to 1, weights sum to 1
            assertEquals(4L * 300, ScoreCombination.uploadBytes(300));
        }
    }
}
