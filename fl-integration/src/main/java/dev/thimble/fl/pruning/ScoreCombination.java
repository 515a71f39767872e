package dev.thimble.fl.pruning;

import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * How the server combines clients' local saliencies {@code G_k = ∂S_k/∂m} into one score.
 *
 * <p>{@link #WEIGHTED_SUM} is the default: the trace of the NTK over the union of the clients'
 * inputs is the sum of the diagonal-block (local) traces, so {@code Σ_k p_k G_k} is the gradient
 * of the (p-weighted) federated proxy. The paper's exact combination is not public
 * (methods.md §2.5: UNCONFIRMED), hence the documented alternative {@link #MEAN_NORMALISED}, which
 * stops one client with a larger-scale proxy (other architecture draw, larger batch) from
 * dominating the ranking.
 */
public enum ScoreCombination {
    /** {@code G = Σ_k p_k G_k} on the signed local gradients; the pruner then ranks |G|. */
    WEIGHTED_SUM,
    /**
     * {@code G = Σ_k p_k |G_k| / ‖G_k‖₁}: each client's magnitudes as a distribution over the
     * weights (an all-zero G_k contributes nothing), then the p-weighted mean.
     */
    MEAN_NORMALISED;

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /**
     * Combines the local saliencies into {@code out}, accumulating in double.
     *
     * @param local (Input) one saliency per client, all of out's size
     * @param weights p_k, one per client
     * @param out (Output) overwritten
     */
    public DenseF32 combine(List<DenseF32> local, double[] weights, DenseF32 out) {
        if (local.isEmpty() || local.size() != weights.length) {
            throw new IllegalArgumentException(local.size() + " local scores with " + weights.length + " weights");
        }
        long n = out.size();
        double[] acc = new double[Math.toIntExact(n)];
        for (int k = 0; k < local.size(); k++) {
            DenseF32 g = local.get(k);
            if (g.size() != n) {
                throw new IllegalArgumentException("local score " + k + " has " + g.size() + " entries, expected " + n);
            }
            MemorySegment s = g.segment();
            double c = weights[k];
            if (this == MEAN_NORMALISED) {
                double l1 = 0;
                for (long i = 0; i < n; i++) {
                    l1 += Math.abs(s.getAtIndex(F, i));
                }
                if (l1 == 0) {
                    continue;
                }
                c /= l1;
            }
            for (int i = 0; i < n; i++) {
                float v = s.getAtIndex(F, i);
                acc[i] += c * (this == MEAN_NORMALISED ? Math.abs(v) : v);
            }
        }
        for (int i = 0; i < n; i++) {
            out.set(i, (float) acc[i]);
        }
        return out;
    }

    /** Upload bytes of one local saliency restricted to the active weights: 4 per active weight. */
    public static long uploadBytes(long activeWeights) {
        return 4L * activeWeights;
    }
}
