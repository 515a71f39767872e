package dev.thimble.fl.core;

import dev.thimble.ops.KernelContext;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import java.util.List;

/**
 * Aggregation rules as pure functions on off-heap tensors: they read their inputs, write only
 * {@code out}, and keep no state (the shape of Flower's {@code aggregate.py}).
 *
 * <p>Weights are relative: each function divides by their sum, so callers pass example counts
 * n_k directly and get p_k = n_k / Σ_j n_j (methods.md §1).
 */
public final class Aggregation {
    private Aggregation() {
    }

    /**
     * {@code out = Σ_k p_k·xs[k]} with {@code p_k = weights[k] / Σ weights}: FedAvg's rule.
     *
     * @param weights (Input) one non-negative weight per input, not all zero
     * @param xs (Input) the vectors, all of out's size; not modified
     * @param out (Output) the mean; must not overlap an input
     * @return out
     */
    public static DenseF32 weightedMean(float[] weights, List<DenseF32> xs, DenseF32 out) {
        return weightedMean(KernelContext.global(), weights, xs, out);
    }

    /** {@link #weightedMean(float[], List, DenseF32)} on the given kernels. */
    public static DenseF32 weightedMean(KernelContext ctx, float[] weights, List<DenseF32> xs, DenseF32 out) {
        float[] p = normalized(weights, xs.size());
        return VectorOps.weightedSum(ctx, p, xs.toArray(DenseF32[]::new), out);
    }

    /**
     * The mean where clients may lack entries: entry i becomes
     * {@code Σ_k w_k·m_k[i]·x_k[i] / Σ_k w_k·m_k[i]}, the weighted mean over the clients that sent
     * it. An entry nobody sent keeps the value {@code out} holds on entry, which callers set to the
     * previous global value, so a parameter no client trained does not drop to zero (FedDIP's and
     * ZeroFL's pruned positions stay as the server last had them). Sums run in double.
     *
     * @param weights (Input) one non-negative weight per client
     * @param xs (Input) each client's values (entries outside its mask are ignored); not modified
     * @param masks (Input) which entries each client sent; not modified
     * @param out (Input/Output) the previous global values on entry, the aggregate on return
     * @return out
     */
    public static DenseF32 maskedMean(float[] weights, List<DenseF32> xs, List<BitMask> masks, DenseF32 out) {
        normalized(weights, xs.size());
        if (masks.size() != xs.size()) {
            throw new IllegalArgumentException("masked mean: " + masks.size() + " masks for " + xs.size() + " inputs");
        }
        long d = out.size();
        for (int k = 0; k < xs.size(); k++) {
            if (xs.get(k).size() != d || masks.get(k).size() != d) {
                throw new IllegalArgumentException("masked mean: input " + k + " has " + xs.get(k).size()
                        + " values and " + masks.get(k).size() + " mask bits, output has " + d);
            }
        }
        for (long i = 0; i < d; i++) {
            double num = 0;
            double den = 0;
            for (int k = 0; k < xs.size(); k++) {
                if (masks.get(k).get(i)) {
                    num += (double) weights[k] * xs.get(k).get(i);
                    den += weights[k];
                }
            }
            if (den > 0) {
                out.set(i, (float) (num / den));
            }
        }
        return out;
    }

    /** The example counts of the results, as aggregation weights. */
    public static float[] exampleWeights(List<ClientResult> results) {
        float[] w = new float[results.size()];
        for (int k = 0; k < w.length; k++) {
            w[k] = results.get(k).fit().numExamples();
        }
        return w;
    }

    private static float[] normalized(float[] weights, int inputs) {
        if (weights.length != inputs || inputs == 0) {
            throw new IllegalArgumentException("aggregation needs one weight per input and at least one input, got "
                    + weights.length + " weights for " + inputs + " inputs");
        }
        double sum = 0;
        for (float w : weights) {
            if (!(w >= 0) || !Float.isFinite(w)) {
                throw new IllegalArgumentException("aggregation weights must be finite and non-negative, got " + w);
            }
            sum += w;
        }
        if (sum == 0) {
            throw new IllegalArgumentException("aggregation weights are all zero");
        }
        float[] p = new float[weights.length];
        for (int k = 0; k < p.length; k++) {
            p[k] = (float) (weights[k] / sum);
        }
        return p;
    }
}
