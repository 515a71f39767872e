package dev.thimble.fl.nn;

import dev.thimble.ops.FormatOps;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.MaskOps;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;

/**
 * One layer's SWAT state ({@link Swat}): the cached thresholds τ_W and τ_A, the batch counter that
 * decides when they are refreshed, and the sparse operands of the current batch — Ŵ in CSR (and
 * its transpose when a convolution needs it for the input gradient) and the saved activations X̂
 * in CSR, {@code 8·nnz + 4·(rows + 1)} bytes instead of {@code 4·b·features}.
 *
 * <p>The kept sets change every batch (the cached τ meets moving weights and new inputs), and a
 * {@link CsrF32}'s structure is fixed once built, so the three CSR matrices are rebuilt from the
 * layer's arena on each training forward pass and the previous ones freed: a handful of arena
 * allocations per layer per batch (a re-fillable CSR would need a kernels-java change).
 */
public final class SwatState implements AutoCloseable {
    private final Swat settings;
    private final TensorArena arena;
    private final KernelContext kernels;
    private final boolean withTranspose;
    private long forwards;
    private long refreshes;
    private float weightThreshold = Float.NaN;
    private float activationThreshold = Float.NaN;
    private CsrF32 weights;
    private CsrF32 transposed;
    private CsrF32 activations;

    SwatState(Swat settings, TensorArena arena, KernelContext kernels, boolean withTranspose) {
        this.settings = settings;
        this.arena = arena;
        this.kernels = kernels;
        this.withTranspose = withTranspose;
    }

    /**
     * Builds this batch's Ŵ and X̂, refreshing both thresholds on every {@code topkPeriod}-th call
     * (the first included).
     *
     * @param weight (Input, Output with the in-place option) the dense weight as a matrix [rows, cols]
     * @param input (Input) the batch's input as a matrix [b, features]. Not modified.
     */
    void prepare(DenseF32 weight, DenseF32 input) {
        boolean refresh = forwards % settings.topkPeriod() == 0;
        forwards++;
        if (refresh) {
            refreshes++;
        }
        freeOperands();
        try (BitMask wm = select(weight, refresh, true)) {
            if (settings.zeroDroppedInPlace()) {
                VectorOps.applyMask(kernels, weight, wm);
            }
            weights = FormatOps.toCsr(arena, weight, wm);
        }
        if (withTranspose) {
            transposed = FormatOps.transpose(arena, weights);
        }
        try (BitMask am = select(input, refresh, false)) {
            activations = FormatOps.toCsr(arena, input, am);
        }
    }

    /** The entries kept this batch; on a refresh the top k and a new threshold. */
    private BitMask select(DenseF32 x, boolean refresh, boolean weight) {
        if (!refresh) {
            float tau = weight ? weightThreshold : activationThreshold;
            // |x| ≥ τ is |x| > nextDown(τ) for floats; τ = 0 keeps only non-zeros (zeros add nothing)
            return MaskOps.threshold(arena, x, tau > 0 ? Math.nextDown(tau) : 0f);
        }
        BitMask m = MaskOps.topK(kernels, arena, x, settings.keep(x.size()), null);
        float tau = smallestKept(x, m);
        if (weight) {
            weightThreshold = tau;
        } else {
            activationThreshold = tau;
        }
        return m;
    }

    private static float smallestKept(DenseF32 x, BitMask m) {
        float min = Float.POSITIVE_INFINITY;
        for (long i = 0, n = x.size(); i < n; i++) {
            if (m.get(i)) {
                min = Math.min(min, Math.abs(x.get(i)));
            }
        }
        return min == Float.POSITIVE_INFINITY ? 0f : min;
    }

    /** Ŵ of the last forward pass, [rows, cols] CSR. */
    public CsrF32 weights() {
        return weights;
    }

    /** Ŵᵀ of the last forward pass (convolutions only), or null. */
    public CsrF32 transposedWeights() {
        return transposed;
    }

    /** X̂ of the last forward pass, [b, features] CSR: what backward computes dW from. */
    public CsrF32 activations() {
        return activations;
    }

    /** τ_W, the cached weight threshold (NaN before the first forward pass). */
    public float weightThreshold() {
        return weightThreshold;
    }

    /** τ_A, the cached activation threshold (NaN before the first forward pass). */
    public float activationThreshold() {
        return activationThreshold;
    }

    /** Training forward passes so far. */
    public long forwards() {
        return forwards;
    }

    /** How many of them refreshed the thresholds. */
    public long refreshes() {
        return refreshes;
    }

    /** The settings. */
    public Swat settings() {
        return settings;
    }

    private void freeOperands() {
        for (CsrF32 c : new CsrF32[] {weights, transposed, activations}) {
            if (c != null) {
                c.close();
            }
        }
        weights = null;
        transposed = null;
        activations = null;
    }

    /** Frees the sparse operands. */
    @Override
    public void close() {
        freeOperands();
    }
}
