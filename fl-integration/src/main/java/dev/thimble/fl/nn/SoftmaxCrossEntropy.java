package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Softmax cross-entropy of logits [b, classes] against integer labels, averaged over the batch,
 * computed stably (log-sum-exp with the row maximum subtracted).
 */
public final class SoftmaxCrossEntropy {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private SoftmaxCrossEntropy() {
    }

    /** The mean loss over the batch. */
    public static double loss(DenseF32 logits, int[] labels) {
        return lossAndGradient(logits, labels, null);
    }

    /**
     * The mean loss over the batch, and (when {@code grad} is not null) its gradient with respect
     * to the logits, {@code (softmax(z) − onehot(label)) / b}, written into {@code grad}.
     */
    public static double lossAndGradient(DenseF32 logits, int[] labels, DenseF32 grad) {
        int b = logits.rows();
        int k = logits.cols();
        if (labels.length < b) {
            throw new IllegalArgumentException("cross-entropy: " + b + " logits rows but " + labels.length + " labels");
        }
        MemorySegment z = logits.segment();
        MemorySegment g = grad == null ? null : grad.segment();
        double total = 0;
        for (int r = 0; r < b; r++) {
            long row = (long) r * k;
            int label = labels[r];
            if (label < 0 || label >= k) {
                throw new IllegalArgumentException("cross-entropy: label " + label + " of sample " + r
                        + " is outside [0, " + k + ")");
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z.getAtIndex(F, row + j));
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(z.getAtIndex(F, row + j) - max);
            }
            double logSum = Math.log(sum) + max;
            total += logSum - z.getAtIndex(F, row + label);
            if (g != null) {
                for (int j = 0; j < k; j++) {
                    double p = Math.exp(z.getAtIndex(F, row + j) - logSum);
                    g.setAtIndex(F, row + j, (float) ((p - (j == label ? 1 : 0)) / b));
                }
            }
        }
        return total / b;
    }

    /** How many rows' largest logit is the label. */
    public static int correct(DenseF32 logits, int[] labels) {
        int b = logits.rows();
        int k = logits.cols();
        MemorySegment z = logits.segment();
        int hits = 0;
        for (int r = 0; r < b; r++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (z.getAtIndex(F, (long) r * k + j) > z.getAtIndex(F, (long) r * k + best)) {
                    best = j;
                }
            }
            hits += best == labels[r] ? 1 : 0;
        }
        return hits;
    }
}
