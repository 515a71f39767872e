package dev.thimble.ops;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;

/**
 * Element-wise kernels and reductions on tensors seen as flat vectors (any shapes of equal
 * size): the arithmetic of optimizers, aggregation and zeroth-order updates.
 *
 * <p>These are memory-bound, so they run on the calling thread. Methods without a context use
 * {@link KernelContext#global()}'s provider.
 */
public final class VectorOps {
    private VectorOps() {
    }

    /** {@code y += α·x}. */
    public static void axpy(float alpha, DenseF32 x, DenseF32 y) {
        axpy(KernelContext.global(), alpha, x, y);
    }

    /** {@code y += α·x}. */
    public static void axpy(KernelContext ctx, float alpha, DenseF32 x, DenseF32 y) {
        Checks.alive(x, y);
        Checks.sameSize("axpy", x, y);
        ctx.kernels().axpy(alpha, x, y);
    }

    /** {@code y += α·x} where the mask is set; y is untouched elsewhere. */
    public static void maskedAxpy(float alpha, DenseF32 x, BitMask mask, DenseF32 y) {
        maskedAxpy(KernelContext.global(), alpha, x, mask, y);
    }

    /** {@code y += α·x} where the mask is set; y is untouched elsewhere. */
    public static void maskedAxpy(KernelContext ctx, float alpha, DenseF32 x, BitMask mask, DenseF32 y) {
        Checks.alive(x, mask, y);
        Checks.sameSize("masked axpy", x, y);
        Checks.sameSize("masked axpy", y, mask);
        ctx.kernels().maskedAxpy(alpha, x, mask, y);
    }

    /** {@code x *= α}. */
    public static void scale(float alpha, DenseF32 x) {
        scale(KernelContext.global(), alpha, x);
    }

    /** {@code x *= α}. */
    public static void scale(KernelContext ctx, float alpha, DenseF32 x) {
        Checks.alive(x);
        ctx.kernels().scale(alpha, x);
    }

    /** Zeroes the entries of x where the mask is unset. */
    public static void applyMask(DenseF32 x, BitMask mask) {
        applyMask(KernelContext.global(), x, mask);
    }

    /** Zeroes the entries of x where the mask is unset. */
    public static void applyMask(KernelContext ctx, DenseF32 x, BitMask mask) {
        Checks.alive(x, mask);
        Checks.sameSize("apply mask", x, mask);
        ctx.kernels().applyMask(x, mask);
    }

    /** {@code out = Σ weights[i]·xs[i]} (e.g. FedAvg's weighted mean, with weights summing to 1). */
    public static DenseF32 weightedSum(float[] weights, DenseF32[] xs, DenseF32 out) {
        return weightedSum(KernelContext.global(), weights, xs, out);
    }

    /** {@code out = Σ weights[i]·xs[i]}; out must not overlap any input. */
    public static DenseF32 weightedSum(KernelContext ctx, float[] weights, DenseF32[] xs, DenseF32 out) {
        if (weights.length != xs.length) {
            throw new IllegalArgumentException("weighted sum: " + weights.length + " weights for " + xs.length
                    + " tensors");
        }
        Checks.alive(out);
        for (int i = 0; i < xs.length; i++) {
            Checks.alive(xs[i]);
            Checks.sameSize("weighted sum (input " + i + ")", xs[i], out);
            Checks.noOverlap("weighted sum", "out", out.segment(), "input " + i, xs[i].segment());
        }
        ctx.kernels().weightedSum(weights.clone(), xs.clone(), out);
        return out;
    }

    /** {@code Σ x[i]·y[i]}. */
    public static double dot(DenseF32 x, DenseF32 y) {
        return dot(KernelContext.global(), x, y);
    }

    /** {@code Σ x[i]·y[i]}. */
    public static double dot(KernelContext ctx, DenseF32 x, DenseF32 y) {
        Checks.alive(x, y);
        Checks.sameSize("dot", x, y);
        return ctx.kernels().dot(x, y);
    }

    /** The Euclidean norm. */
    public static double norm2(DenseF32 x) {
        return norm2(KernelContext.global(), x);
    }

    /** The Euclidean norm. */
    public static double norm2(KernelContext ctx, DenseF32 x) {
        Checks.alive(x);
        return ctx.kernels().norm2(x);
    }

    /** The largest absolute value (NaN if any entry is NaN). */
    public static float normInf(DenseF32 x) {
        return normInf(KernelContext.global(), x);
    }

    /** The largest absolute value (NaN if any entry is NaN). */
    public static float normInf(KernelContext ctx, DenseF32 x) {
        Checks.alive(x);
        return ctx.kernels().normInf(x);
    }

    /** The Euclidean norm of the entries where the mask is set. */
    public static double maskedNorm2(DenseF32 x, BitMask mask) {
        return maskedNorm2(KernelContext.global(), x, mask);
    }

    /** The Euclidean norm of the entries where the mask is set. */
    public static double maskedNorm2(KernelContext ctx, DenseF32 x, BitMask mask) {
        Checks.alive(x, mask);
        Checks.sameSize("masked norm2", x, mask);
        return ctx.kernels().maskedNorm2(x, mask);
    }

    /** The largest absolute value where the mask is set. */
    public static float maskedNormInf(DenseF32 x, BitMask mask) {
        return maskedNormInf(KernelContext.global(), x, mask);
    }

    /** The largest absolute value where the mask is set. */
    public static float maskedNormInf(KernelContext ctx, DenseF32 x, BitMask mask) {
        Checks.alive(x, mask);
        Checks.sameSize("masked normInf", x, mask);
        return ctx.kernels().maskedNormInf(x, mask);
    }
}
