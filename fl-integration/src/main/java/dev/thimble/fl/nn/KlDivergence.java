package dev.thimble.fl.nn;

import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The Kullback–Leibler divergence {@code KL(p_t ‖ p_s) = Σ_j p_t,j·(log p_t,j − log p_s,j)}
 * between the softmax distributions of a teacher's and a student's logits [b, classes], each
 * divided by a temperature T first, averaged over the batch: what deep mutual learning (FeDepth's
 * surplus-memory variant) adds to each model's loss, with the other model as the teacher.
 *
 * <p>It equals PyTorch's {@code F.kl_div(F.log_softmax(s / T), F.softmax(t / T),
 * reduction="batchmean")}: no T² factor (a caller distilling at T ≠ 1 can pass it as the weight
 * of {@link #addGradient}); terms with {@code p_t,j = 0} count 0. The teacher is treated as a
 * constant, so the gradient is with respect to the student's logits only:
 * {@code (p_s − p_t) / (T·b)}. Softmaxes are computed stably (row maximum subtracted), in double.
 */
public final class KlDivergence {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private KlDivergence() {
    }

    /** The mean divergence over the batch at temperature T. */
    public static double loss(DenseF32 student, DenseF32 teacher, double temperature) {
        return compute(student, teacher, temperature, 0f, null, false);
    }

    /**
     * The mean divergence at temperature T, with its gradient with respect to the student's
     * logits written into {@code grad} (same shape as the logits).
     */
    public static double lossAndGradient(DenseF32 student, DenseF32 teacher, double temperature, DenseF32 grad) {
        return compute(student, teacher, temperature, 1f, grad, false);
    }

    /**
     * Adds {@code weight ×} the gradient with respect to the student's logits to {@code grad}
     * (e.g. the network's output gradient already holding the cross-entropy's, for
     * {@code CE + λ·KL}) and returns the unweighted mean divergence.
     */
    public static double addGradient(DenseF32 student, DenseF32 teacher, double temperature, float weight,
            DenseF32 grad) {
        return compute(student, teacher, temperature, weight, grad, true);
    }

    private static double compute(DenseF32 student, DenseF32 teacher, double temperature, float weight,
            DenseF32 grad, boolean accumulate) {
        if (student.rank() != 2 || !Arrays.equals(student.shape(), teacher.shape())) {
            throw new IllegalArgumentException("KL divergence: student and teacher logits must both be [batch, classes],"
                    + " got " + student + " and " + teacher);
        }
        if (grad != null && !Arrays.equals(grad.shape(), student.shape())) {
            throw new IllegalArgumentException("KL divergence: gradient " + grad + " must have the logits' shape "
                    + student);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("KL divergence: temperature must be positive, got " + temperature);
        }
        int b = student.rows();
        int k = student.cols();
        MemorySegment zs = student.segment();
        MemorySegment zt = teacher.segment();
        MemorySegment g = grad == null ? null : grad.segment();
        double invT = 1 / temperature;
        double scale = weight / (temperature * b);
        double total = 0;
        for (int r = 0; r < b; r++) {
            long row = (long) r * k;
            double logSumS = logSumExp(zs, row, k, invT);
            double logSumT = logSumExp(zt, row, k, invT);
            for (int j = 0; j < k; j++) {
                double logPs = zs.getAtIndex(F, row + j) * invT - logSumS;
                double logPt = zt.getAtIndex(F, row + j) * invT - logSumT;
                double pt = Math.exp(logPt);
                if (pt > 0) {
                    total += pt * (logPt - logPs);
                }
                if (g != null) {
                    float d = (float) ((Math.exp(logPs) - pt) * scale);
                    g.setAtIndex(F, row + j, accumulate ? g.getAtIndex(F, row + j) + d : d);
                }
            }
        }
        return total / b;
    }

    private static double logSumExp(MemorySegment z, long row, int k, double invT) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, z.getAtIndex(F, row + j) * invT);
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            sum += Math.exp(z.getAtIndex(F, row + j) * invT - max);
        }
        return max + Math.log(sum);
    }
}
